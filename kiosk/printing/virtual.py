"""A virtual thermal printer on a pty pair (socat): the same bytes as a real one on a serial port.

The kiosk opens `device` as `serial:<device>`; this twin holds the other end,
keeps every slip it receives (split at the cut command), and answers the
paper status request (DLE EOT 4) with whatever paper state it is told:
`set_paper("paper_out")` is a printer that ran out, `unplug()` one whose
cable was pulled (the device node disappears), `plug()` brings it back.

    python -m kiosk.printing.virtual        # prints the device path; type ok / low / out / unplug / plug / quit
"""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path

from . import escpos

_STATUS_PREFIX = escpos.DLE + escpos.EOT
_CUT_PREFIX = escpos.GS + b"V"


class VirtualPrinter:
    def __init__(self, directory: str | Path | None = None):
        self.dir = Path(directory or tempfile.mkdtemp(prefix="qms-printer-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.device = self.dir / "printer"
        self._twin_end = self.dir / "printer-twin"
        self.paper = "ok"
        self.slips: list[bytes] = []
        self.status_requests = 0
        self._pending = bytearray()
        self._socat: subprocess.Popen | None = None
        self._fd: int | None = None
        self._thread: threading.Thread | None = None
        self._running = False
        self._lock = threading.Condition()

    def start(self) -> VirtualPrinter:
        socat = shutil.which("socat")
        if socat is None:
            raise RuntimeError("socat is not installed: run `make setup` (apt-get install socat)")
        self._socat = subprocess.Popen(
            [socat, f"pty,raw,echo=0,link={self.device}", f"pty,raw,echo=0,link={self._twin_end}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while not (self.device.exists() and self._twin_end.exists()):
            if time.monotonic() > deadline or self._socat.poll() is not None:
                raise RuntimeError("socat did not create the pty pair")
            time.sleep(0.01)
        self._fd = os.open(self._twin_end, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self._fd)
        self._running = True
        self._thread = threading.Thread(target=self._serve, name="virtual-printer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.join(2)
            self._thread = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._socat is not None:
            self._socat.terminate()
            self._socat.wait(5)
            self._socat = None

    def unplug(self) -> None:
        """The printer goes away: its device node disappears and the open port fails."""
        self.stop()

    def plug(self) -> None:
        self.start()

    def set_paper(self, status: str) -> None:
        """ok / paper_near_end / paper_out: what the next status request is answered."""
        escpos.status_byte(status)  # refuses an unknown state
        self.paper = status

    def wait_for_slips(self, count: int, timeout: float = 5.0) -> list[bytes]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.slips) >= count, timeout):
                raise AssertionError(f"{len(self.slips)} slips printed, waited for {count}")
            return list(self.slips)

    def _serve(self) -> None:
        while self._running:
            ready, _, _ = select.select([self._fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._fd, 4096)
            except OSError:
                time.sleep(0.05)  # the kiosk's end is closed for now
                continue
            self._take(data)

    def _take(self, data: bytes) -> None:
        """Answer status requests at once (they are real-time commands) and keep the rest as slips."""
        self._pending += data
        while True:
            at = self._pending.find(_STATUS_PREFIX)
            if at < 0 or at + 2 >= len(self._pending):
                break
            n = self._pending[at + 2]
            del self._pending[at:at + 3]
            self.status_requests += 1
            if n == 4:
                os.write(self._fd, bytes([escpos.status_byte(self.paper)]))
        with self._lock:
            while (at := self._pending.find(_CUT_PREFIX)) >= 0 and at + 3 < len(self._pending):
                end = at + 4 if self._pending[at + 2] in (65, 66) else at + 3
                if self.paper == "paper_out":
                    self._pending.clear()  # no paper: the bytes go nowhere
                    break
                self.slips.append(bytes(self._pending[:end]))
                del self._pending[:end]
            self._lock.notify_all()


def main() -> int:
    printer = VirtualPrinter().start()
    print(f"virtual printer: use --printer serial:{printer.device}", flush=True)
    commands = {"ok": "ok", "low": "paper_near_end", "out": "paper_out"}
    try:
        for raw in sys.stdin:
            word = raw.strip()
            if word in commands:
                printer.set_paper(commands[word])
            elif word == "unplug":
                printer.unplug()
            elif word == "plug":
                printer.plug()
            elif word == "quit":
                break
            else:
                print("commands: ok, low, out, unplug, plug, quit", flush=True)
                continue
            print(f"paper {printer.paper}, {len(printer.slips)} slips", flush=True)
    finally:
        printer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

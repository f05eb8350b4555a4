"""The virtual thermal printer: the one twin of a ticket printer, for the bridge's port and a kiosk's own.

It answers the paper status request (`DLE EOT 4`) from its state, keeps each
slip up to its cut — the exact bytes and what a person would read on it
(lines, QR codes) — and is told its state in the contract's words:
`set_status("paper_near_end")`, `"paper_out"` (jobs go nowhere), `"offline"`
(it answers nothing and prints nothing), `"ok"`. In a `VirtualRig` it sits
behind the bridge; `start_on_pty(dir)` gives it a pty pair of its own, whose
`device` end a kiosk opens as `serial:<device>`; `unplug()` / `plug()` pull
and put back its cable.

    python -m firmware_bridge.virtual.printer   # prints the path; type ok / low / out / offline / unplug / plug / quit
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from ..codecs import escpos
from .pty import PtyPair
from .twins import Twin

STATUSES = ("ok", "paper_near_end", "paper_out", "offline")


class VirtualPrinter(Twin):
    parser_class = escpos.JobParser

    def __init__(self, name: str = "printer", status: str = "ok"):
        super().__init__(name)
        self.status = "ok"
        self.chinese = False
        self.line = bytearray()
        self.current: dict = {"lines": [], "qr": [], "chinese": False}
        self.receipts: list[dict] = []  # {"lines", "qr", "chinese", "bytes"} of each slip
        self.status_requests = 0
        self.pty: PtyPair | None = None
        self.set_status(status)

    def set_status(self, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"a printer is {', '.join(STATUSES)}; not {status!r}")
        with self.cond:
            self.status = status
            self.silent = status == "offline"

    @property
    def paper(self) -> str:
        return self.status if self.status != "offline" else "ok"

    @property
    def slips(self) -> list[bytes]:
        with self.cond:
            return [receipt["bytes"] for receipt in self.receipts]

    def wait_for_slips(self, count: int, timeout: float = 15.0) -> list[bytes]:
        self.wait_for(lambda: len(self.receipts) >= count, timeout, f"{count} slips")
        return self.slips

    def receive(self, event: tuple, at: float) -> bytes | None:
        kind = event[0]
        if kind == "status":
            self.status_requests += 1
            return bytes((escpos.status_byte(self.paper) if event[1] == 4 else escpos.STATUS_FIXED,))
        if self.status == "offline":
            return None
        if kind == "chinese":
            self.chinese = event[1]
            self.current["chinese"] |= event[1]
        elif kind == "text":
            self.line += event[1]
        elif kind == "lf":
            self.current["lines"].append(self.line.decode("gb18030" if self.chinese else "ascii", errors="replace"))
            self.line.clear()
        elif kind == "qr":
            self.current["qr"].append(event[1])
        elif kind == "cut":
            if self.status != "paper_out":  # no paper: the job goes nowhere
                self.receipts.append({**self.current, "bytes": event[1]})
                self.notify("receipt", self.receipts[-1], at)
            self.current = {"lines": [], "qr": [], "chinese": False}
        return None

    def describe(self) -> str:
        return f"{len(self.receipts)} receipts, {self.status}"

    # --- on a pty pair of its own ---------------------------------------------------------

    def start_on_pty(self, directory: str | Path | None = None) -> VirtualPrinter:
        directory = Path(directory or tempfile.mkdtemp(prefix="qms-printer-"))
        directory.mkdir(parents=True, exist_ok=True)
        self.pty = PtyPair(directory, self.name)
        self.plug()
        return self

    @property
    def device(self) -> str:
        """The end a kiosk opens (`serial:<device>`)."""
        return self.pty.host

    def unplug(self) -> None:
        """The cable is pulled: the device node disappears and the kiosk's open port fails."""
        self.detach()
        self.pty.unplug()

    def plug(self) -> None:
        self.parser = self.parser_class()  # what was half-sent before the cable was pulled is gone
        self.pty.plug()
        self.attach(self.pty.device)
        if not self.wait_attached():
            raise RuntimeError(f"the virtual printer could not open {self.pty.device}")

    def stop(self) -> None:
        if self.pty is not None:
            self.unplug()


def main() -> int:
    printer = VirtualPrinter().start_on_pty()
    print(f"virtual printer: use --printer serial:{printer.device}", flush=True)
    commands = {"ok": "ok", "low": "paper_near_end", "out": "paper_out", "offline": "offline"}
    try:
        for raw in sys.stdin:
            word = raw.strip()
            if word in commands:
                printer.set_status(commands[word])
            elif word == "unplug":
                printer.unplug()
            elif word == "plug":
                printer.plug()
            elif word == "quit":
                break
            else:
                print("commands: ok, low, out, offline, unplug, plug, quit", flush=True)
                continue
            print(f"{printer.status}, {len(printer.receipts)} slips", flush=True)
    finally:
        printer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The transport: one thread owns one pyserial port; bytes go to the bridge loop, writes come from it.

Why a thread per port: pyserial reads block, and a USB–RS-485 adapter pulled
out of the box must stall neither the other ports nor MQTT. The thread only
moves bytes; it never parses or decides (that is the loop's job), so a
driver never sees a half-open port. When the port vanishes the thread says
so, closes it and tries to open the same path again with exponential
back-off (`reopen_min_s` doubling up to `reopen_max_s`), so a replugged
adapter — which udev gives the same /dev/qms-* name — comes back by itself.
The same class carries the virtual twins' side of a pty pair.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import serial

log = logging.getLogger("bridge.port")

READ_TIMEOUT_S = 0.2
WRITE_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class PortEvent:
    port: str
    kind: str  # "up", "down" or "data"
    data: bytes = b""
    at: float = 0.0


class SerialPort:
    def __init__(self, name: str, path: str, baud: int, post: Callable[[PortEvent], None], *,
                 reopen_min_s: float = 0.1, reopen_max_s: float = 5.0, clock: Callable[[], float] = time.monotonic,
                 quiet: bool = False):
        self.name, self.path, self.baud = name, path, baud
        self.level = logging.DEBUG if quiet else logging.INFO  # twins' ports say less than the bridge's
        self.post, self.clock = post, clock
        self.reopen_min_s, self.reopen_max_s = reopen_min_s, max(reopen_min_s, reopen_max_s)
        self.opened = 0  # times the port was opened: 1 at start, +1 per replug
        self._serial: serial.Serial | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"port-{name}", daemon=True)

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def start(self) -> SerialPort:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._serial is not None:
                try:
                    self._serial.cancel_read()
                except (AttributeError, OSError, serial.SerialException):
                    pass
        self._thread.join(2)

    def write(self, data: bytes) -> bool:
        """Write from the owner's loop; False (and nothing raised) when the port is not there."""
        with self._lock:
            port = self._serial
            if port is None:
                return False
            try:
                port.write(data)
                return True
            except (serial.SerialException, OSError) as exc:
                log.warning("port %s (%s): write failed: %s", self.name, self.path, exc)
                return False

    def _run(self) -> None:
        delay = self.reopen_min_s
        failures = 0
        while not self._stopping.is_set():
            try:
                opened = serial.Serial(self.path, self.baud, timeout=READ_TIMEOUT_S, write_timeout=WRITE_TIMEOUT_S,
                                       exclusive=True)
            except (serial.SerialException, OSError, ValueError) as exc:
                if failures == 0:
                    log.log(self.level + 10, "port %s: %s not available (%s); retrying, at most every %.1f s",
                                self.name, self.path, exc, self.reopen_max_s)
                failures += 1
                self._stopping.wait(delay)
                delay = min(delay * 2, self.reopen_max_s)
                continue
            with self._lock:
                self._serial = opened
            self.opened += 1
            log.log(self.level, "port %s: %s open at %d baud%s", self.name, self.path, self.baud,
                     f" after {failures} tries" if failures else "")
            delay, failures = self.reopen_min_s, 0
            self.post(PortEvent(self.name, "up", at=self.clock()))
            self._pump(opened)
            with self._lock:
                self._serial = None
            try:
                opened.close()
            except (serial.SerialException, OSError):
                pass
            self.post(PortEvent(self.name, "down", at=self.clock()))

    def _pump(self, port: serial.Serial) -> None:
        try:
            while not self._stopping.is_set():
                data = port.read(port.in_waiting or 1)
                if data:
                    self.post(PortEvent(self.name, "data", data, self.clock()))
        except (serial.SerialException, OSError, TypeError) as exc:
            # TypeError: pyserial after cancel_read/close on some versions
            if not self._stopping.is_set():
                log.log(self.level + 10, "port %s: %s lost (%s); reopening", self.name, self.path, exc)

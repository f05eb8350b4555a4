"""Printing off the UI thread, with the paper status asked before and after every slip.

A serial status request can take half a second when the printer is gone, so
every port operation runs on one worker thread and its outcome is handed
back through `deliver` (Kivy's Clock in the app). Any failure closes the port;
the next job opens it again, so a printer that comes back is used again.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from .transport import Transport, open_transport, parse_spec

log = logging.getLogger(__name__)

CANNOT_PRINT = ("paper_out", "offline")


class PrinterService:
    def __init__(self, spec: str | None, deliver: Callable[[Callable[[], None]], None] | None = None):
        self.spec = spec or "none"
        self.kind, self.args = parse_spec(spec)
        self.enabled = self.kind != "none"
        self.deliver = deliver or (lambda fn: fn())
        self._transport: Transport | None = None
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    # --- the presenters' side (callbacks come back through `deliver`) -------------------

    def check(self, done: Callable[[str], None]) -> None:
        self._submit(self.status, done, "offline")

    def print(self, data: bytes, done: Callable[[str, bool], None]) -> None:
        self._submit(lambda: self.print_now(data), lambda outcome: done(*outcome), ("offline", False))

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(5)
            self._thread = None
        self._close()

    def _submit(self, work, done, fallback) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="printer", daemon=True)
            self._thread.start()
        self._jobs.put((work, done, fallback))

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            work, done, outcome = job
            try:
                outcome = work()
            except Exception:  # a bug must not kill the printer thread: the job counts as not printed
                log.exception("printer job failed")
            self.deliver(lambda done=done, outcome=outcome: done(outcome))

    # --- on the worker thread ------------------------------------------------------------

    def status(self) -> str:
        """ok / paper_near_end / paper_out / offline; a link that cannot read back counts as ok."""
        if not self.enabled:
            return "ok"
        try:
            if self._transport is None:
                self._transport = open_transport(self.kind, self.args)
            return self._transport.paper_status() or "ok"
        except OSError as exc:
            log.warning("printer %s: %s", self.spec, exc)
            self._close()
            return "offline"

    def print_now(self, data: bytes) -> tuple[str, bool]:
        """(status after, printed): nothing is sent to a printer without paper."""
        before = self.status()
        if before in CANNOT_PRINT:
            return before, False
        try:
            self._transport.write(data)
        except OSError as exc:
            log.warning("printer %s: write failed: %s", self.spec, exc)
            self._close()
            return "offline", False
        after = self.status()
        return after, after not in CANNOT_PRINT

    def _close(self) -> None:
        if self._transport is not None:
            try:
                self._transport.close()
            except OSError:
                pass
            self._transport = None

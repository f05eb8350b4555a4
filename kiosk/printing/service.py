"""Printing off the UI thread, with the paper status asked before and after every slip.

A slip is print blocks (slips.py); where it goes is the `--printer` spec. On
the kiosk's own port the blocks are encoded here by the one ESC/POS codec and
written to the transport; behind a firmware bridge the same blocks go to the
bridge's print topic and the bridge encodes them with the same codec
(bridged.py). Either way the presenters see one thing: a status in the
contract's words (ok / paper_near_end / paper_out / offline) and whether the
slip was printed.

A serial status request can take half a second when the printer is gone, so
every printer operation runs on one worker thread and its outcome is handed
back through `deliver` (Kivy's Clock in the app). On the kiosk's port any
failure closes it; the next job opens it again, so a printer that comes back
is used again.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from firmware_bridge.codecs import escpos

from .bridged import BridgePrinter
from .transport import Transport, open_transport, parse_spec

log = logging.getLogger(__name__)

CANNOT_PRINT = ("paper_out", "offline")


class PortPrinter:
    """A printer on the kiosk's own serial, USB or network port, or a file."""

    def __init__(self, spec: str, kind: str, args: tuple):
        self.spec, self.kind, self.args = spec, kind, args
        self._transport: Transport | None = None

    def status(self) -> str:
        """A link that cannot read back (a file) counts as ok."""
        try:
            if self._transport is None:
                self._transport = open_transport(self.kind, self.args)
            return self._transport.paper_status() or "ok"
        except OSError as exc:
            log.warning("printer %s: %s", self.spec, exc)
            self.close()
            return "offline"

    def print_job(self, blocks: list[dict]) -> tuple[str, bool]:
        before = self.status()
        if before in CANNOT_PRINT:
            return before, False
        try:
            self._transport.write(escpos.encode_job(blocks))
        except OSError as exc:
            log.warning("printer %s: write failed: %s", self.spec, exc)
            self.close()
            return "offline", False
        after = self.status()
        return after, after not in CANNOT_PRINT

    def close(self) -> None:
        if self._transport is not None:
            try:
                self._transport.close()
            except OSError:
                pass
            self._transport = None


class PrinterService:
    def __init__(self, spec: str | None, deliver: Callable[[Callable[[], None]], None] | None = None, client=None):
        """`client`: the kiosk's HallClient, for a printer behind a bridge."""
        self.spec = spec or "none"
        self.kind, args = parse_spec(spec)
        self.enabled = self.kind != "none"
        self.deliver = deliver or (lambda fn: fn())
        if self.kind == "bridge":
            if client is None:
                raise ValueError("a printer behind a bridge is reached through the kiosk's MQTT client")
            self.printer: PortPrinter | BridgePrinter = BridgePrinter(client, *args)
        else:
            self.printer = PortPrinter(self.spec, self.kind, args)
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    # --- the app's side: the topics a bridge's printer is heard on ------------------------------

    def topics(self) -> list[str]:
        return self.printer.topics() if isinstance(self.printer, BridgePrinter) else []

    def on_message(self, topic: str, data) -> str | None:
        """"status" or "result" when the message was this printer's: a new status is worth a check()."""
        return self.printer.on_message(topic, data) if isinstance(self.printer, BridgePrinter) else None

    # --- the presenters' side (callbacks come back through `deliver`) -------------------

    def check(self, done: Callable[[str], None]) -> None:
        self._submit(self.status, done, "offline")

    def print(self, blocks: list[dict], done: Callable[[str, bool], None]) -> None:
        self._submit(lambda: self.print_now(blocks), lambda outcome: done(*outcome), ("offline", False))

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(5)
            self._thread = None
        self.printer.close()

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
        """ok / paper_near_end / paper_out / offline."""
        return self.printer.status() if self.enabled else "ok"

    def print_now(self, blocks: list[dict]) -> tuple[str, bool]:
        """(status after, printed): nothing is sent to a printer without paper."""
        if not self.enabled:
            return "ok", False
        return self.printer.print_job(blocks)

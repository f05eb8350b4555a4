"""What the kiosk knows of its printer, and telling the controller (`device_status` → event/alert)."""
from __future__ import annotations

from .. import words as w
from ..words import Bi


class PrinterWatch:
    """Tracks the last paper status; each change is sent once the controller is there to hear it."""

    def __init__(self, kiosk):
        self.kiosk = kiosk
        self.status: str | None = None
        self.reported: str | None = None
        self._sending = False

    def update(self, status: str) -> None:
        changed = status != self.status
        self.status = status
        self.report()
        if changed:
            self.kiosk.home.changed()

    def report(self) -> None:
        if self.status is None or self.status == self.reported or self._sending or not self.kiosk.online:
            return
        status = self.status
        self._sending = True

        def answered(reply: dict) -> None:
            self._sending = False
            # Any answer means the controller heard it (even a refusal); offline: tell it when it is back.
            if (reply.get("error") or {}).get("code") != "offline":
                self.reported = status
                if self.status != self.reported:
                    self.report()  # it changed again while we were telling

        self.kiosk.link.send("device_status", {"component": "printer", "status": status,
                                               "detail": w.PRINTER_STATUS[status].zh}, answered, key="device_status")

    def banner(self) -> Bi | None:
        if not self.kiosk.printing or self.status in (None, "ok"):
            return None
        said = w.PRINTER_STATUS[self.status]
        if self.status == "paper_near_end":
            return said
        return Bi(f"{said.zh}，号码将显示在屏幕上", f"{said.en}: your number will be shown on screen")

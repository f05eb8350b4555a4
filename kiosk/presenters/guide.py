"""办事指南 of one item, and its one-time notice of materials (一次性告知单) on paper."""
from __future__ import annotations

import time

from contract import guide as guides

from .. import words as w
from ..printing import slips
from ..words import Bi
from .base import Presenter
from .booking import bookable
from .ticket import hall_time


class Guide(Presenter):
    def __init__(self, kiosk):
        super().__init__()
        self.kiosk = kiosk
        self.item_id: str | None = None
        self.message: Bi | None = None
        self.printing = False

    def open(self, item_id: str) -> None:
        if self.kiosk.hall.item(item_id) is None:
            return
        self.item_id = item_id
        self.message = None
        self.kiosk.go("guide")

    @property
    def item(self):
        return self.kiosk.hall.item(self.item_id)

    @property
    def title(self) -> Bi:
        return self.item.name if self.item else Bi("", "")

    def sections(self) -> list[tuple[Bi, list[Bi]]]:
        """(heading, lines) in the order of a printed 办事指南."""
        return [(heading, lines) for _, heading, lines in guides.sections(self.kiosk.hall, self.item)] \
            if self.item else []

    @property
    def can_take(self) -> bool:
        return self.kiosk.available

    @property
    def can_print(self) -> bool:
        return self.kiosk.printing

    @property
    def can_book(self) -> bool:
        return self.kiosk.available and bookable(self.kiosk.hall, self.item_id)

    def book(self) -> None:
        if self.can_book:
            self.kiosk.booking.start(self.item_id)

    def take(self) -> None:
        if self.item and self.can_take:
            self.kiosk.take.start(item=self.item_id)

    def print_notice(self) -> None:
        if not (self.item and self.can_print) or self.printing:
            return
        self.printing = True
        self.message = Bi("正在打印…", "Printing…")
        self.changed()
        self.kiosk.printer.print(slips.notice(self.notice_slip(), self.kiosk.printer_width), self._printed)

    def _printed(self, status: str, printed: bool) -> None:
        self.printing = False
        self.kiosk.printer_watch.update(status)
        self.message = w.NOTICE_PRINTED if printed else w.NOTICE_NOT_PRINTED
        self.changed()

    def notice_slip(self, now: float | None = None) -> slips.NoticeSlip:
        """Every section of the guide, in the order of the screen and of a printed 办事指南."""
        hall = self.kiosk.hall
        return slips.NoticeSlip(
            hall=tuple(hall.name), item=tuple(self.title),
            sections=[(tuple(heading), [tuple(line) for line in lines]) for heading, lines in self.sections()],
            printed=hall_time(now or time.time(), hall.timezone))

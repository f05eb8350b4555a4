"""办事指南 of one item, and its one-time notice of materials (一次性告知单) on paper."""
from __future__ import annotations

import time

from .. import words as w
from ..printing import slips
from ..words import Bi, bi
from .base import Presenter
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

    def materials(self) -> list[Bi]:
        lines = []
        for index, raw in enumerate((self.item.guide.get("materials") or []) if self.item else [], 1):
            name = bi(raw.get("name"))
            kind = w.ORIGINAL if raw.get("original", True) else w.COPY
            n = raw.get("copies", 1)
            copies = w.fmt(w.COPIES, n=n) if n != 1 else Bi("1 份", "1 copy")
            zh = f"{index}. {name.zh}（{kind.zh} {copies.zh}）"
            en = f"{index}. {name.en} ({kind.en}, {copies.en})"
            if raw.get("note"):
                note = bi(raw["note"])
                zh, en = f"{zh}：{note.zh}", f"{en}: {note.en}"
            lines.append(Bi(zh, en))
        return lines

    def limits(self) -> Bi:
        guide = self.item.guide if self.item else {}
        legal, promised = guide.get("legal_limit_days", 0), guide.get("promised_limit_days", 0)
        text = w.fmt(w.LIMITS, legal=legal, promised=promised)
        if promised == 0:
            text = Bi(f"法定 {legal} 个工作日，{w.ON_THE_SPOT.zh}", f"By law {legal} working days; {w.ON_THE_SPOT.en}")
        return text

    def windows(self) -> Bi:
        if not self.item:
            return Bi("", "")
        hall = self.kiosk.hall
        names = [hall.window_name(n) for n in hall.configured_windows(self.item.category)]
        return Bi("、".join(n.zh for n in names), ", ".join(n.en for n in names))

    def sections(self) -> list[tuple[Bi, list[Bi]]]:
        """(heading, lines) in the order of a printed 办事指南."""
        if not self.item:
            return []
        guide, s = self.item.guide, w.GUIDE_SECTIONS
        return [
            (s["conditions"], [bi(guide.get("conditions"))]),
            (s["materials"], self.materials()),
            (s["steps"], [Bi(f"{i}. {bi(step).zh}", f"{i}. {bi(step).en}")
                          for i, step in enumerate(guide.get("steps") or [], 1)]),
            (s["limits"], [self.limits()]),
            (s["fees"], [bi(guide.get("fees"))]),
            (s["windows"], [self.windows()]),
            (s["phone"], [Bi(str(guide.get("phone", "")), str(guide.get("phone", "")))]),
            (s["basis"], [bi(guide.get("basis"))]),
        ]

    @property
    def can_take(self) -> bool:
        return self.kiosk.available

    @property
    def can_print(self) -> bool:
        return self.kiosk.printing

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
        hall = self.kiosk.hall
        return slips.NoticeSlip(
            hall=tuple(hall.name), item=tuple(self.title), materials=[tuple(m) for m in self.materials()],
            limits=tuple(self.limits()), windows=tuple(w.windows_text(
                [hall.window_name(n) for n in hall.configured_windows(self.item.category)])),
            phone=str(self.item.guide.get("phone", "")),
            printed=hall_time(now or time.time(), hall.timezone))

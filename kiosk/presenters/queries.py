"""Self-service queries besides the guides: application progress, and the hall's queues now."""
from __future__ import annotations

import re

from .. import words as w
from ..words import Bi, bi, friendly_error
from .base import CODE_CHARS, Entry, EntryPresenter, Presenter
from .ticket import hall_time

APPLICATION_NO = re.compile(r"^[A-Za-z0-9-]{4,40}$")


class Progress(EntryPresenter):
    """办理进度 by the application number on the receipt (`query_progress`)."""

    asking = False  # a query on its way

    def __init__(self, kiosk):
        super().__init__(kiosk, Entry(CODE_CHARS, 40))

    def reset(self) -> None:
        if self.asking:
            self.kiosk.link.give_up("query_progress")
        super().reset()
        self.result: dict | None = None
        self.asking = False

    def submit(self) -> None:
        number = self.entry.text
        if self.asking:
            return
        self.result = None
        if not APPLICATION_NO.match(number):
            self.show_error(w.CODE_BAD)
            return
        self.asking, self.error = True, None
        self.changed()
        self.kiosk.link.send("query_progress", {"application_no": number}, self._answered, key="query_progress",
                             on_overdue=lambda request: self.show_error(w.STILL_WAITING))

    def _answered(self, reply: dict) -> None:
        self.asking = False
        application = (reply.get("result") or {}).get("application") if reply.get("ok") else None
        if isinstance(application, dict):
            self.result = application
        else:
            self.error = friendly_error("query_progress", reply.get("error"))
        self.changed()

    def lines(self) -> list[tuple[Bi, Bi]]:
        """(label, value) rows of the answer; the applicant comes masked from the controller."""
        a = self.result
        if not a:
            return []
        tz = self.kiosk.hall.timezone
        return [
            (Bi("申请编号", "Application"), Bi(a.get("application_no", ""), a.get("application_no", ""))),
            (Bi("办理事项", "Matter"), bi(a.get("item_name") or a.get("item", ""))),
            (Bi("申请人", "Applicant"), Bi(a.get("applicant") or "", a.get("applicant") or "")),
            (Bi("当前状态", "Status"), bi(a.get("status_text") or a.get("status", ""))),
            (Bi("更新时间", "Updated"), Bi(hall_time(a.get("updated_at"), tz), hall_time(a.get("updated_at"), tz))),
        ]

    def history(self) -> list[Bi]:
        tz = self.kiosk.hall.timezone
        out = []
        for step in reversed((self.result or {}).get("history") or []):
            when = hall_time(step.get("at"), tz, "%m-%d %H:%M")
            text = bi(step.get("status_text") or step.get("status", ""))
            note = f"：{step['note']}" if step.get("note") else ""
            out.append(Bi(f"{when}  {text.zh}{note}", f"{when}  {text.en}{note}"))
        return out


class HallStatus(Presenter):
    """Every category's queue now, from the retained state/queues."""

    def __init__(self, kiosk):
        super().__init__()
        self.kiosk = kiosk

    def rows(self) -> list[tuple[Bi, Bi, Bi, Bi]]:
        """(category, waiting, estimated wait, open windows) per category, in the hall's order."""
        hall = self.kiosk.hall
        out = []
        for cat in hall.categories():
            names = [hall.window_name(n) for n in cat.open_windows]
            windows = (Bi("、".join(n.zh for n in names), ", ".join(n.en for n in names)) if names
                       else Bi("暂无窗口开放", "no window open"))
            out.append((cat.name, w.fmt(w.WAITING, n=cat.waiting), w.category_wait(cat), windows))
        return out

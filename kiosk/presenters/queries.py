"""Self-service queries besides the guides: application progress, and the hall's queues now."""
from __future__ import annotations

import re

from .. import words as w
from ..words import Bi, bi, friendly_error
from .base import CODE_CHARS, Entry, EntryPresenter, Presenter
from .ticket import hall_time

APPLICATION_NO = re.compile(r"^[A-Za-z0-9-]{4,40}$")
PHONE_LAST4 = re.compile(r"^[0-9]{4}$")
QUERY_CODE = re.compile(r"^[A-Z2-7]{8}$")
NUMBER, FACTOR = "number", "factor"  # what the entry is asking for


class Progress(EntryPresenter):
    """办理进度: the application number on the receipt, then a second factor — the receipt's query code
    or the applicant's phone's last four digits (`query_progress`); a number alone shows nothing."""

    asking = False  # a query on its way

    def __init__(self, kiosk):
        super().__init__(kiosk, Entry(CODE_CHARS, 40))

    def reset(self) -> None:
        if self.asking:
            self.kiosk.link.give_up("query_progress")
        super().reset()
        self.result: dict | None = None
        self.asking = False
        self.step, self.number = NUMBER, ""

    @property
    def hint(self) -> Bi:
        if self.step == NUMBER:
            return w.PROGRESS_HINT
        return w.fmt(w.PROGRESS_FACTOR_HINT, number=self.number)

    def delete(self) -> None:
        """DEL on an empty second factor goes back to the number, as typed."""
        if self.step == FACTOR and not self.entry.text:
            self.step = NUMBER
            self.entry.set(self.number)
            self.changed()
            return
        super().delete()

    def submit(self) -> None:
        if self.asking:
            return
        text = self.entry.text
        if self.step == NUMBER:
            if not APPLICATION_NO.match(text):
                self.show_error(w.CODE_BAD)
                return
            self.step, self.number, self.error = FACTOR, text, None
            self.entry.clear()
            self.changed()
            return
        if PHONE_LAST4.match(text):
            factor = {"phone_last4": text}
        elif QUERY_CODE.match(text):
            factor = {"query_code": text}
        else:
            self.show_error(w.FACTOR_BAD)
            return
        self.result, self.asking, self.error = None, True, None
        self.changed()
        self.kiosk.link.send("query_progress", {"application_no": self.number, **factor}, self._answered,
                             key="query_progress", on_overdue=lambda request: self.show_error(w.STILL_WAITING))

    def _answered(self, reply: dict) -> None:
        self.asking = False
        application = (reply.get("result") or {}).get("application") if reply.get("ok") else None
        # whatever the answer, the next lookup starts from the number (the factor is not kept on screen)
        self.entry.clear()
        if isinstance(application, dict):
            self.result, self.step, self.number = application, NUMBER, ""
        else:
            self.error = friendly_error("query_progress", reply.get("error"))
            if (reply.get("error") or {}).get("code") == "not_found":  # the number or the factor: either may be wrong
                self.step = NUMBER
                self.entry.set(self.number)
        self.changed()

    def lines(self) -> list[tuple[Bi, Bi]]:
        """(label, value) rows of the answer; the applicant comes masked from the controller."""
        a = self.result
        if not a:
            return []
        tz = self.kiosk.hall.timezone
        rows = [
            (Bi("申请编号", "Application"), Bi(a.get("application_no", ""), a.get("application_no", ""))),
            (Bi("办理事项", "Matter"), bi(a.get("item_name") or a.get("item", ""))),
            (Bi("申请人", "Applicant"), Bi(a.get("applicant") or "", a.get("applicant") or "")),
            (Bi("当前状态", "Status"), bi(a.get("status_text") or a.get("status", ""))),
        ]
        if isinstance(a.get("due_at"), (int, float)):
            due = hall_time(a["due_at"], tz, "%Y-%m-%d")
            paused = bi(a["paused_text"]) if a.get("paused_text") else None
            rows.append((Bi("承诺办结时限", "Due by"), Bi(f"{due}前" + (f"（{paused.zh}）" if paused else ""),
                                                    due + (f" ({paused.en})" if paused else ""))))
        rows.append((Bi("更新时间", "Updated"), Bi(hall_time(a.get("updated_at"), tz), hall_time(a.get("updated_at"), tz))))
        return rows

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

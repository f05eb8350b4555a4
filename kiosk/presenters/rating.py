"""好差评: rating one service in five levels, with reasons for 不满意 and 非常不满意.

The same presenter serves the evaluator at a window (channel "evaluator") and
the kiosk's home screen, where the code of a ticket's QR is scanned or typed
(channel "qr"). Levels 3-5 are sent at the first touch; 1-2 first ask why.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable

from .. import words as w
from ..words import Bi, friendly_error
from .base import Entry, EntryPresenter, Presenter

BAD_LEVELS = (1, 2)
TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32, as the controller makes rating tokens
TOKEN = re.compile(r"[A-Z2-7]{16}")
MAX_COMMENT = 500
RATE_REQUEST = "rate"  # the requester's key: one rating on its way at a time


class Rating(Presenter):
    sending = False  # a rating on its way
    def __init__(self, link, hall, on_done: Callable[[dict | None, str | None], None], channel: str):
        super().__init__()
        self.link, self.hall, self.on_done, self.channel = link, hall, on_done, channel
        self.start()

    def start(self, *, ticket_id: str | None = None, token: str | None = None, number: str | None = None,
              category: str | None = None, window: int | None = None) -> None:
        if self.sending:
            self.link.give_up(RATE_REQUEST)  # another ticket now: the unanswered rating is given up
        self.ticket_id, self.token, self.number = ticket_id, token, number
        self.category, self.window = category, window
        self.level: int | None = None
        self.reasons: set[str] = set()
        self.comment = ""
        self.error: tuple[Bi, Bi | None] | None = None
        self.sending = False
        self.changed()

    # --- what the screen shows -------------------------------------------------------------------

    def levels(self) -> list[tuple[int, Bi]]:
        return [(level, w.LEVELS[level]) for level in (5, 4, 3, 2, 1)]

    @property
    def asking_why(self) -> bool:
        return self.level in BAD_LEVELS

    def reason_options(self) -> list[tuple[str, Bi, bool]]:
        return [(code, text, code in self.reasons) for code, text in self.choices().items()]

    def choices(self) -> dict[str, Bi]:
        """The 差评 reasons a person may choose: the config's once it carries them, less the hardware-only one."""
        configured = self.hall.reasons()
        if not configured:
            return dict(w.DEFAULT_REASONS)
        return {code: text for code, text in configured.items() if code not in w.HARDWARE_ONLY_REASONS}

    @property
    def subject(self) -> Bi:
        """The number and what was done, as far as the evaluator knows it."""
        cat = self.hall.category(self.category) if self.category else None
        if self.number and cat:
            return Bi(f"{self.number}  {cat.name.zh}", f"{self.number}  {cat.name.en}")
        return Bi(self.number or "", self.number or "")

    @property
    def staff(self) -> Bi | None:
        if self.window is None:
            return None
        name, staff_id = self.hall.staff_at(self.window)
        if not (name or staff_id):
            return None
        return w.fmt(w.STAFF, name=name or "—", id=staff_id or "—")

    # --- touches -------------------------------------------------------------------------------

    def choose_level(self, level: int) -> None:
        if self.sending or level not in w.LEVELS:
            return
        self.level, self.error = level, None
        if level in BAD_LEVELS:
            self.changed()
        else:
            self.reasons.clear()
            self.submit()

    def toggle_reason(self, code: str) -> None:
        if code in self.reasons:
            self.reasons.discard(code)
        elif code in self.choices():
            self.reasons.add(code)
        self.error = None
        self.changed()

    def set_comment(self, text: str) -> None:
        self.comment = text[:MAX_COMMENT]

    def submit(self) -> None:
        if self.sending or self.level is None:
            return
        if self.level in BAD_LEVELS and not self.reasons:
            self.error = (w.REASONS_TITLE, None)
            self.changed()
            return
        fields: dict = {"level": self.level, "reasons": sorted(self.reasons), "channel": self.channel}
        if self.ticket_id:
            fields["ticket_id"] = self.ticket_id
        else:
            fields["rating_token"] = self.token
        if self.level in BAD_LEVELS and self.comment.strip():
            fields["comment"] = self.comment.strip()
        self.sending = True
        self.changed()
        self.link.send("rate", fields, self._answered, key=RATE_REQUEST, on_overdue=self._overdue)

    def _overdue(self, request) -> None:
        self.error = (w.STILL_WAITING, None)
        self.changed()

    def _answered(self, reply: dict) -> None:
        self.sending = False
        if reply.get("ok"):
            self.on_done((reply.get("result") or {}).get("rating") or {}, None)
            return
        code = (reply.get("error") or {}).get("code")
        if code == "duplicate":
            self.on_done(None, code)
            return
        self.error = friendly_error("rate", reply.get("error"))
        self.changed()


class Thanks(Presenter):
    def __init__(self, clock: Callable[[], float] = time.monotonic, timeout_s: float = 6):
        super().__init__()
        self.clock, self.timeout_s = clock, timeout_s
        self.text, self.detail = w.THANKS, None
        self.deadline = 0.0

    def show(self, rating: dict | None, error_code: str | None) -> None:
        if error_code == "duplicate":
            self.text, self.detail = friendly_error("rate", {"code": "duplicate"})[0], None
        else:
            self.text = w.THANKS
            self.detail = w.THANKS_BAD if rating and rating.get("bad") else None
        self.deadline = self.clock() + self.timeout_s
        self.changed()


class RateCode(EntryPresenter):
    """The rating code of a ticket: scanned (a scanner types the QR's text) or typed on the keypad."""

    def __init__(self, kiosk):
        super().__init__(kiosk, Entry(TOKEN_CHARS, 16))

    def set_text(self, text: str) -> None:
        """Whatever the scanner typed: the token is the 16 base32 characters in it."""
        found = TOKEN.findall(text.upper())
        super().set_text(found[-1] if found else text)

    def submit(self) -> None:
        if not TOKEN.fullmatch(self.entry.text):
            self.show_error(w.TOKEN_BAD)
            return
        self.kiosk.rating.start(token=self.entry.text)
        self.kiosk.go("rate")

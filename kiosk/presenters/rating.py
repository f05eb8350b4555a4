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
        self.phrases: list[int] = []  # the comment phrases touched, in the order touched
        self.comment = ""  # typed on a hardware keyboard, where there is one
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

    def phrase_options(self) -> list[tuple[int, Bi, bool]]:
        return [(index, text, index in self.phrases) for index, text in enumerate(w.COMMENT_PHRASES)]

    @property
    def comment_shown(self) -> Bi:
        """The comment as it will be sent, in both languages (what was typed is shown as typed)."""
        chosen = [w.COMMENT_PHRASES[i] for i in self.phrases]
        typed = [self.comment.strip()] if self.comment.strip() else []
        return Bi("；".join([p.zh for p in chosen] + typed), "; ".join([p.en for p in chosen] + typed))

    @property
    def subject(self) -> Bi:
        """Which service is being rated: its number, what was done and where, as far as it is known
        (a ticket's QR code gives only its rating code until the controller answers)."""
        cat = self.hall.category(self.category) if self.category else None
        if self.number:  # (the evaluator stands at the window: its name would only take a line)
            zh = "  ".join(part for part in (self.number, cat.name.zh if cat else "") if part)
            en = "  ".join(part for part in (self.number, cat.name.en if cat else "") if part)
            return Bi(w.RATING_OF.zh.format(what=zh), w.RATING_OF.en.format(what=en))
        if self.token:
            code = w.fmt(w.RATING_CODE, code=self.token)
            return Bi(w.RATING_OF.zh.format(what=code.zh), w.RATING_OF.en.format(what=code.en))
        return Bi("", "")

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

    def change_level(self) -> None:
        """Back from the reasons to the five levels (a screen too small to show them all at once)."""
        if self.sending:
            return
        self.level, self.error = None, None
        self.reasons.clear()
        self.changed()

    def toggle_reason(self, code: str) -> None:
        if code in self.reasons:
            self.reasons.discard(code)
        elif code in self.choices():
            self.reasons.add(code)
        self.error = None
        self.changed()

    def set_comment(self, text: str) -> None:
        self.comment = text[:MAX_COMMENT]

    def toggle_phrase(self, index: int) -> None:
        if not 0 <= index < len(w.COMMENT_PHRASES):
            return
        if index in self.phrases:
            self.phrases.remove(index)
        else:
            self.phrases.append(index)
        self.changed()

    def type_comment(self, text: str | None) -> None:
        """Text from a hardware keyboard; None deletes the last character."""
        self.set_comment(self.comment[:-1] if text is None else self.comment + text)
        self.changed()

    def clear_comment(self) -> None:
        self.phrases.clear()
        self.comment = ""
        self.changed()

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
        comment = self.comment_shown.zh[:MAX_COMMENT]
        if self.level in BAD_LEVELS and comment:
            fields["comment"] = comment
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
            # a 回访 is promised only where there is a number to call back on
            bad = bool(rating and rating.get("bad"))
            self.detail = (w.THANKS_BAD if rating.get("contact") else w.THANKS_BAD_NO_CONTACT) if bad else None
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

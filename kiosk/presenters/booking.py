"""现场预约 at the kiosk: item → day → time → mobile number → the code on screen and on paper.

The days shown are the next `DAYS` days of the hall's calendar; each is asked of the controller
(`appointment_slots`), which alone knows the working days, the off-hours list and the places left:
a day without a bookable slot, or with every place taken, is greyed. Slots show their time on the
hall's clock and the places left; a full one is greyed. The booking (`book_appointment`, channel
kiosk) gives the code, shown large and printed on a slip with the item's materials (一次性告知).
Check-in later is by that code, as for any booking (`CheckIn`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from contract import guide as guides

from .. import words as w
from ..printing import slips
from ..words import Bi, friendly_error
from .base import PhoneEntry, Presenter
from .ticket import hall_time

MOBILE = re.compile(r"^1[3-9]\d{9}$")
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
DAY, SLOT, PHONE, DONE = "day", "slot", "phone", "done"
BOOK_REQUEST = "book_appointment"


@dataclass(frozen=True)
class DayChoice:
    date: str
    label: Bi
    state: Bi
    open: bool


@dataclass(frozen=True)
class SlotChoice:
    start: int
    label: Bi
    state: Bi
    open: bool


def bookable(hall, item_id: str | None) -> bool:
    """Whether the hall's config offers booking for an item (the controller decides the rest)."""
    rules = hall.config.get("appointments") or {}
    item = hall.item(item_id)
    if not rules.get("enabled") or item is None:
        return False
    own = [(rules.get("categories") or {}).get(item.category) or {}, (rules.get("items") or {}).get(item_id) or {}]
    return all(entry.get("enabled", True) for entry in own)


class Booking(Presenter):
    DAYS = 14

    def __init__(self, kiosk):
        super().__init__()
        self.kiosk = kiosk
        self.phone = PhoneEntry(11)
        self.reset()

    def reset(self) -> None:
        if getattr(self, "asking", False):
            self.kiosk.link.give_up(BOOK_REQUEST)
        self.item_id: str | None = None
        self.step = DAY
        self.days: dict[str, dict | None] = {}  # date -> the slots reply's result (None: still asking)
        self.day: str | None = None
        self.slot: dict | None = None
        self.phone.clear()
        self.error: tuple[Bi, Bi | None] | None = None
        self.booked: dict | None = None
        self.asking = False
        self.printed: bool | None = None

    # --- moving through the steps ------------------------------------------------------------------

    def start(self, item_id: str) -> None:
        if self.kiosk.hall.item(item_id) is None:
            return
        self.reset()
        self.item_id = item_id
        today = self.kiosk.hall.hall_time().date()
        for offset in range(self.DAYS):
            day = (today + timedelta(days=offset)).isoformat()
            self.days[day] = None
            self.kiosk.link.send("appointment_slots", {"item": item_id, "date": day},
                                 lambda reply, day=day: self._slots(day, reply), key=f"slots-{day}")
        self.kiosk.go("book")

    def _slots(self, day: str, reply: dict) -> None:
        if day not in self.days:  # a reply for an earlier citizen's item
            return
        result = reply.get("result") if reply.get("ok") else None
        self.days[day] = result if isinstance(result, dict) else {"slots": [], "error": reply.get("error")}
        if not reply.get("ok") and self.error is None:
            self.error = friendly_error("appointment_slots", reply.get("error"))
        self.changed()

    def choose_day(self, day: str) -> None:
        choice = next((d for d in self.day_choices() if d.date == day), None)
        if choice is None or not choice.open:
            return
        self.day, self.step, self.error = day, SLOT, None
        self.changed()

    def choose_slot(self, start: int) -> None:
        slot = next((s for s in (self.days.get(self.day) or {}).get("slots", []) if s["start"] == start), None)
        if slot is None or slot["left"] <= 0:
            return
        self.slot, self.step, self.error = slot, PHONE, None
        self.phone.clear()
        self.changed()

    def back(self) -> None:
        """One step back; from the days, home."""
        self.error = None
        if self.step in (PHONE, SLOT):
            self.step = SLOT if self.step == PHONE else DAY
            self.changed()
        else:
            self.kiosk.go("home")

    # --- the mobile number and the booking ----------------------------------------------------------

    def press(self, key: str) -> None:
        self.phone.press(key)
        self.error = None
        self.changed()

    def delete(self) -> None:
        self.phone.delete()
        self.changed()

    @property
    def phone_shown(self) -> str:
        return self.phone.shown

    def submit(self) -> None:
        if self.asking or self.slot is None:
            return
        digits = self.phone.text
        if not MOBILE.match(digits):
            self.error = (w.PHONE_BAD, None)
            self.changed()
            return
        self.asking, self.error = True, None
        self.kiosk.link.send("book_appointment", {
            "item": self.item_id, "slot_start": self.slot["start"], "channel": "kiosk",
            "applicant": {"phone": digits}}, self._booked, key=BOOK_REQUEST,
            on_overdue=lambda request: self._say(w.STILL_WAITING))
        self.changed()

    def _say(self, headline: Bi) -> None:
        self.error = (headline, None)
        self.changed()

    def _booked(self, reply: dict) -> None:
        self.asking = False
        appointment = (reply.get("result") or {}).get("appointment") if reply.get("ok") else None
        if not isinstance(appointment, dict):
            self.error = friendly_error("book_appointment", reply.get("error"))
            if (reply.get("error") or {}).get("code") in ("slot_full", "out_of_window"):
                self._ask_again()
            self.changed()
            return
        self.booked, self.step = appointment, DONE
        self.phone.clear()
        if self.kiosk.printing:
            self.kiosk.printer.print(slips.notice(self.slip(), self.kiosk.printer_width), self._printed)
        self.changed()

    def _ask_again(self) -> None:
        """The slot went meanwhile: the day's slots again, and back to choosing one."""
        day = self.day
        self.days[day], self.step, self.slot = None, SLOT, None
        self.kiosk.link.send("appointment_slots", {"item": self.item_id, "date": day},
                             lambda reply: self._slots(day, reply), key=f"slots-{day}")

    def _printed(self, status: str, printed: bool) -> None:
        self.kiosk.printer_watch.update(status)
        self.printed = printed
        self.changed()

    # --- what the screen shows ---------------------------------------------------------------------

    @property
    def item(self):
        return self.kiosk.hall.item(self.item_id)

    @property
    def title(self) -> Bi:
        return self.item.name if self.item else w.BOOK

    @property
    def prompt(self) -> Bi:
        return {DAY: w.BOOK_DAY, SLOT: w.BOOK_SLOT, PHONE: w.BOOK_PHONE, DONE: w.BOOK_DONE}[self.step]

    def day_choices(self) -> list[DayChoice]:
        out = []
        for day, result in self.days.items():
            when = Date.fromisoformat(day)
            label = Bi(f"{when.month}月{when.day}日 周{WEEKDAYS[when.weekday()]}", f"{when:%a %d %b}")
            if result is None:
                out.append(DayChoice(day, label, w.BOOK_ASKING, False))
                continue
            slots = result.get("slots") or []
            left = sum(s["left"] for s in slots)
            if not slots:
                out.append(DayChoice(day, label, w.BOOK_NONE, False))
            elif left <= 0:
                out.append(DayChoice(day, label, w.BOOK_FULL, False))
            else:
                out.append(DayChoice(day, label, w.fmt(w.BOOK_LEFT, n=left), True))
        return out

    def slot_choices(self) -> list[SlotChoice]:
        out = []
        for slot in (self.days.get(self.day) or {}).get("slots") or []:
            label = Bi(slot["time"], slot["time"])
            state = w.BOOK_FULL if slot["left"] <= 0 else w.fmt(w.BOOK_LEFT, n=slot["left"])
            if slot.get("off_hours"):
                state = Bi(f"{state.zh} · {w.BOOK_OFF_HOURS.zh}", f"{state.en} · {w.BOOK_OFF_HOURS.en}")
            out.append(SlotChoice(slot["start"], label, state, slot["left"] > 0))
        return out

    def chosen(self) -> Bi:
        """The day and time chosen so far, in a line."""
        if self.day is None:
            return Bi("", "")
        day = next((d.label for d in self.day_choices() if d.date == self.day), Bi(self.day, self.day))
        if self.slot is None:
            return day
        return Bi(f"{day.zh} {self.slot['time']}", f"{day.en} {self.slot['time']}")

    def materials(self) -> list[Bi]:
        return guides.materials(self.item) if self.item else []

    def done_lines(self) -> list[Bi]:
        """What the done screen says under the code: the item, the time, what to bring."""
        if not self.booked:
            return []
        tz = self.kiosk.hall.timezone
        when = f"{hall_time(self.booked['slot_start'], tz, '%Y-%m-%d %H:%M')}-{hall_time(self.booked['slot_end'], tz, '%H:%M')}"
        lines = [self.title, Bi(when, when), w.BOOK_DONE_HINT]
        if self.printed is False:
            lines.append(w.NOTICE_NOT_PRINTED)
        return lines

    def slip(self) -> slips.NoticeSlip:
        """The printed slip: the code and the time first, then the item's materials."""
        hall, booked = self.kiosk.hall, self.booked or {}
        tz = hall.timezone
        when = f"{hall_time(booked.get('slot_start'), tz)}-{hall_time(booked.get('slot_end'), tz, '%H:%M')}"
        return slips.NoticeSlip(
            hall=tuple(hall.name), item=tuple(self.title),
            sections=[(tuple(w.BOOK_CODE), [(booked.get("code", ""), "")]),
                      (("预约时段", "Time"), [(when, "")]),
                      (tuple(w.BOOK_MATERIALS), [tuple(m) for m in self.materials()])],
            printed=hall_time(hall.hall_now(), tz), notes=[tuple(w.BOOK_DONE_HINT)])

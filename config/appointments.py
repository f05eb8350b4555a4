"""Config section of 预约 appointments: the slots citizens may book, and the rules of the booking.

Kept apart from `schema.py` so the booking rules read as one page; the hall
config includes it as `appointments:`. Strict like the rest: an unknown key
or an out-of-range value is refused with the dotted key, at start and on every
live change. The rules themselves are in controller/booking.py.

Working-hours slots (工作时间预约) follow the hall's ticketing hours unless
`hours` says otherwise, open `open_working_days` ahead and are counted per
category (or per item, for an item with its own entry). Slots outside working
hours (非工作时间预约) exist only for the items of the published list
(`off_hours.items`, 清单制), only at the times of `off_hours.slots`, and are
booked at least `min_working_days` and at most `max_working_days` working
days ahead; they are counted per item.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Minutes = Annotated[int, Field(ge=5, le=480)]
Capacity = Annotated[int, Field(ge=1, le=999)]
Weekday = Annotated[int, Field(ge=1, le=7)]  # ISO: 1 Monday … 7 Sunday


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _spans(spans):
    from .schema import check_spans

    return check_spans(spans, "appointment hours")


class Bookable(_Strict):
    """One category's or item's own booking rules; a key left out takes the hall's value."""

    enabled: bool = True
    slot_minutes: Minutes | None = None
    capacity: Capacity | None = None


class OffHoursSlots(_Strict):
    """A weekly span of off-hours slots: on these ISO weekdays, from `start` to `end`."""

    weekdays: Annotated[list[Weekday], Field(min_length=1)]
    start: str
    end: str
    on_holidays: bool = False  # also on a public holiday that falls on one of those weekdays

    @model_validator(mode="after")
    def _span(self):
        _spans([(self.start, self.end)])
        return self


class OffHours(_Strict):
    """非工作时间预约: the published list of items (清单制) and their own slots."""

    items: list[Annotated[str, Field(min_length=1, max_length=32)]] = []
    slots: list[OffHoursSlots] = []
    slot_minutes: Minutes = 30
    capacity: Capacity = 2
    min_working_days: Annotated[int, Field(ge=0, le=30)] = 1
    max_working_days: Annotated[int, Field(ge=1, le=60)] = 5

    @model_validator(mode="after")
    def _window(self):
        if self.max_working_days < self.min_working_days:
            raise ValueError("max_working_days must not be below min_working_days")
        if self.items and not self.slots:
            raise ValueError("slots: an off-hours list needs its slots")
        return self


class Blacklist(_Strict):
    """3 bookings in half a year neither kept nor cancelled bar the person for a year (预约黑名单)."""

    enabled: bool = True
    no_shows: Annotated[int, Field(ge=1, le=20)] = 3
    period_days: Annotated[int, Field(ge=1, le=730)] = 183
    bar_days: Annotated[int, Field(ge=1, le=1095)] = 365


class Notify(_Strict):
    """Messages to the applicant (controller/notify.py): the booking's confirmation, a reminder
    `reminder_minutes` before the slot, the no-show notice — to a log file, or an HTTP webhook (what an
    SMS gateway takes), retried with back-off `retries` times, never holding up the controller."""

    backend: Literal["none", "log", "webhook"] = "none"
    log_path: Annotated[str, Field(min_length=1, max_length=500)] = "notices.log"
    url: Annotated[str, Field(pattern=r"^https?://[^\s]{1,500}$")] | None = None
    timeout_s: Annotated[float, Field(ge=0.5, le=60)] = 5
    retries: Annotated[int, Field(ge=0, le=20)] = 5
    backoff_s: Annotated[float, Field(ge=0.01, le=600)] = 2   # doubled after each failure
    reminder_minutes: Annotated[int, Field(ge=0, le=2880)] = 120  # 0: no reminder

    @model_validator(mode="after")
    def _url(self):
        if self.backend == "webhook" and not self.url:
            raise ValueError("url: a webhook needs its url")
        return self


class Appointments(_Strict):
    enabled: bool = False
    hours: list[tuple[str, str]] = []            # working-hours slots' times; [] = the hall's ticketing hours
    slot_minutes: Minutes = 30
    capacity: Capacity = 4
    open_working_days: Annotated[int, Field(ge=0, le=60)] = 10   # how far ahead working-hours slots open
    min_lead_minutes: Annotated[int, Field(ge=0, le=1440)] = 30  # a same-day slot must start this much later
    cancel_before_minutes: Annotated[int, Field(ge=0, le=2880)] = 60  # cancelling closes this long before the slot
    late_grace_s: Annotated[int, Field(ge=0, le=7200)] = 900     # check-in closes this long after the slot ends
    # (it opens queue.appointment_grace_s before the slot starts)
    early_waits_for_slot: bool = True            # a booking checked in early is called only once its slot opens
    late_as_walk_in: bool = True                 # one checked in after its slot queues as a walk-in
    settle_every_s: Annotated[int, Field(ge=1, le=3600)] = 60    # how often bookings past due become no-shows
    categories: dict[str, Bookable] = {}
    items: dict[str, Bookable] = {}
    off_hours: OffHours = OffHours()
    blacklist: Blacklist = Blacklist()
    notify: Notify = Notify()

    @field_validator("hours")
    @classmethod
    def _hours(cls, spans):
        return _spans(spans)


def unknown_references(config) -> list[tuple[str, str]]:
    """(key, message) for appointment entries naming a category or item the hall does not have."""
    section, problems = config.appointments, []
    for code in section.categories:
        if code not in config.categories:
            problems.append((f"appointments.categories.{code}", f"unknown category {code!r}"))
    for item in section.items:
        if item not in config.items:
            problems.append((f"appointments.items.{item}", f"unknown item {item!r}"))
    for item in section.off_hours.items:
        if item not in config.items:
            problems.append(("appointments.off_hours.items", f"unknown item {item!r}"))
    return problems

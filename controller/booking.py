"""预约 booking rules: which slots exist, which can be booked now, capacity, no-shows and the blacklist.

Pure: plain functions of the hall config (`appointments:`, config/appointments.py),
rows and the time passed in — no engine, no store, no clock. The actions in
controller/appointments.py read the rows a rule needs through `change.stored`
(the day's bookings of a slot, a person's bookings of the period, a bar) and
record what the rule returns.

A *target* is what a booking is for: a category, or an item of it. Slots in
working hours are counted per category (per item when the item has its own
`appointments.items` entry); off-hours slots, only for the items of the
published list (清单制), per item. Times are epoch seconds; days are the hall's
local days (its time zone).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from contract.errors import CommandError

from . import workdays

ACTIVE = ("booked", "checked_in")  # bookings that hold a place in their slot
DAY_S = 86400


@dataclass(frozen=True)
class Target:
    category: str
    item: str | None
    pool: str              # what capacity is counted by: "cat:<code>" or "item:<id>" (working hours)
    slot_minutes: int
    capacity: int
    off_hours: bool        # the item is on the off-hours list

    @property
    def off_pool(self) -> str:
        return f"item:{self.item}"


@dataclass(frozen=True)
class Slot:
    start: float
    end: float
    off_hours: bool
    pool: str
    capacity: int


def out_of_window(message: str, message_zh: str) -> CommandError:
    return CommandError("out_of_window", message, message_zh)


def target(config, category: str | None, item: str | None) -> Target:
    """The target of a booking, refused when the hall does not offer booking for it."""
    rules = config.appointments
    if item is not None:
        if item not in config.items:
            raise CommandError("not_found", f"item: no item {item!r}", "没有该事项")
        if category is not None and category != config.items[item].category:
            raise CommandError("bad_request", f"item {item} belongs to {config.items[item].category}", "事项与业务类别不符")
        category = config.items[item].category
    if category is None or category not in config.categories:
        raise CommandError("bad_request", "category: give a known category or item", "请指定业务类别或事项")
    own_cat, own_item = rules.categories.get(category), rules.items.get(item) if item else None
    if not rules.enabled or (own_cat and not own_cat.enabled) or (own_item and not own_item.enabled):
        raise CommandError("closed", "this hall takes no bookings for that", "该事项暂不提供预约")

    def pick(key):
        for own in (own_item, own_cat):
            if own is not None and getattr(own, key) is not None:
                return getattr(own, key)
        return getattr(rules, key)

    pool = f"item:{item}" if own_item is not None else f"cat:{category}"
    return Target(category, item, pool, pick("slot_minutes"), pick("capacity"),
                  item is not None and item in rules.off_hours.items)


# --- the calendar ---------------------------------------------------------------------------


def working(config, day: date) -> bool:
    cal = config.calendar
    return workdays.is_working_day(day, cal.holidays, cal.workdays)


def public_holiday(config, day: date) -> bool:
    """A day of a public holiday (not an ordinary weekend): the config's, or the official calendar's."""
    if day.isoformat() in config.calendar.holidays:
        return True
    if working(config, day):
        return False
    try:
        return chinese_calendar.get_holiday_detail(day)[1] is not None
    except NotImplementedError:
        return False


def working_days_ahead(config, today: date, day: date) -> int:
    """Which working day after today `day` falls in: 1 for any day up to the first working day after
    today, 2 up to the second, …; 0 for today or before. (Friday → Saturday is 1, as is Friday → Monday.)"""
    if day <= today:
        return 0
    cal = config.calendar
    return workdays.working_days_between(today, day - timedelta(days=1), cal.holidays, cal.workdays) + 1


def local(now: float, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(now, tz)


def _cut(day: date, spans, minutes: int, tz: ZoneInfo) -> list[tuple[float, float]]:
    out = []
    for start, end in spans:
        at = datetime.combine(day, time.fromisoformat(start), tz)
        stop = datetime.combine(day, time.fromisoformat(end), tz)
        step = timedelta(minutes=minutes)
        while at + step <= stop:
            out.append((at.timestamp(), (at + step).timestamp()))
            at += step
    return out


def working_hours(config) -> list[tuple[str, str]]:
    """The spans of working-hours slots: `appointments.hours`, else the ticketing hours, else all day."""
    return list(config.appointments.hours or config.ticketing_hours or [("00:00", "23:59")])


def day_slots(config, tgt: Target, day: date) -> list[Slot]:
    """Every slot of the target on a day, before asking whether it can be booked now."""
    tz, rules = ZoneInfo(config.timezone), config.appointments
    slots: list[Slot] = []
    is_working = working(config, day)
    if is_working:
        slots += [Slot(s, e, False, tgt.pool, tgt.capacity) for s, e in _cut(day, working_hours(config),
                                                                              tgt.slot_minutes, tz)]
    if tgt.off_hours:
        off = rules.off_hours
        holiday = public_holiday(config, day)
        for span in off.slots:
            if day.isoweekday() not in span.weekdays or (holiday and not span.on_holidays):
                continue
            for s, e in _cut(day, [(span.start, span.end)], off.slot_minutes, tz):
                if not any(s < w.end and w.start < e for w in slots if not w.off_hours):
                    slots.append(Slot(s, e, True, tgt.off_pool, off.capacity))
    return sorted(slots, key=lambda slot: slot.start)


def bookable_now(config, slot: Slot, now: float) -> None:
    """Refuse (out_of_window) a slot that cannot be booked at `now`: past, too soon, too far ahead,
    or an off-hours slot outside its 1-5 working days."""
    tz, rules = ZoneInfo(config.timezone), config.appointments
    today, day = local(now, tz).date(), local(slot.start, tz).date()
    ahead = working_days_ahead(config, today, day)
    if slot.off_hours:
        off = rules.off_hours
        if ahead < off.min_working_days:
            raise out_of_window(f"off-hours slots are booked at least {off.min_working_days} working day(s) ahead",
                                f"非工作时间预约须至少提前{off.min_working_days}个工作日")
        if ahead > off.max_working_days:
            raise out_of_window(f"off-hours slots are booked at most {off.max_working_days} working days ahead",
                                f"非工作时间预约最多提前{off.max_working_days}个工作日")
    elif ahead > rules.open_working_days:
        raise out_of_window(f"slots open {rules.open_working_days} working days ahead",
                            f"仅可预约{rules.open_working_days}个工作日内的时段")
    if slot.start < now + rules.min_lead_minutes * 60:
        raise out_of_window("that slot has started or starts too soon", "该时段已开始或即将开始，不能预约")


def find_slot(config, tgt: Target, slot_start: float) -> Slot:
    """The slot starting at `slot_start`, or out_of_window (not a working day, not on the list, no such time)."""
    tz = ZoneInfo(config.timezone)
    day = local(slot_start, tz).date()
    for slot in day_slots(config, tgt, day):
        if slot.start == slot_start:
            return slot
    if not working(config, day) and not tgt.off_hours:
        raise out_of_window(f"{day} is not a working day", f"{day:%m月%d日}不是工作日")
    raise out_of_window("no bookable slot starts then (off-hours slots only for the items of the list)",
                        "该时间没有可预约的时段（非工作时间仅限清单内事项）")


def span_text(slot: Slot, timezone: str) -> str:
    """"17:30-18:00": a slot as the hall's clock shows it (kiosk buttons, web pages, the admin CLI)."""
    tz = ZoneInfo(timezone)
    return f"{local(slot.start, tz):%H:%M}-{local(slot.end, tz):%H:%M}"


def left(slot: Slot, taken: int) -> int:
    return max(0, slot.capacity - taken)


def require_place(slot: Slot, taken: int) -> None:
    if left(slot, taken) <= 0:
        raise CommandError("slot_full", "that slot is fully booked", "该时段已约满，请选择其他时段")


def require_not_twice(rows, tgt: Target, day: str) -> None:
    """One booking per person, item (or category) and day."""
    for row in rows:
        if row["status"] in ACTIVE and row["day"] == day and row["category"] == tgt.category \
                and row["item"] == tgt.item:
            raise CommandError("duplicate", f"already booked for {day}: {row['code']}", "您当天已预约该事项")


# --- cancelling, no-shows, the blacklist ------------------------------------------------------


def require_cancel_open(row: dict, now: float, config) -> None:
    if row["status"] != "booked":
        raise CommandError("invalid_state", f"the booking is {row['status']}", "该预约已签到、取消或失约")
    minutes = config.appointments.cancel_before_minutes
    if now > row["slot_start"] - minutes * 60:
        raise CommandError("invalid_state", f"bookings are cancelled up to {minutes} min before the slot",
                           f"须在预约时段开始前{minutes}分钟取消")


def proves(row: dict, phone_last4: str | None, id_key: str | None) -> bool:
    """Whether a canceller shows the booking's phone (last four digits) or ID."""
    if id_key is not None and row.get("id_key") == id_key:
        return True
    digits = "".join(ch for ch in row.get("phone") or "" if ch.isdigit())
    return phone_last4 is not None and len(digits) >= 4 and digits[-4:] == phone_last4


def no_show_due(row: dict, now: float, late_grace_s: float) -> bool:
    """Neither checked in nor cancelled by the end of its slot plus the late grace."""
    return row["status"] == "booked" and now > row["slot_end"] + late_grace_s


def counted_no_shows(rows, now: float, period_days: int) -> list[dict]:
    """A person's no-shows whose slot lies inside the period before `now`."""
    since = now - period_days * DAY_S
    return [row for row in rows if row["status"] == "no_show" and row["slot_start"] >= since]


def bar_due(rows, now: float, rule) -> bool:
    return rule.enabled and len(counted_no_shows(rows, now, rule.period_days)) >= rule.no_shows


def bar_until(now: float, config) -> float:
    """The end of a bar starting the day of `now`: midnight after `bar_days` days."""
    tz = ZoneInfo(config.timezone)
    first = local(now, tz).date()
    return datetime.combine(first + timedelta(days=config.appointments.blacklist.bar_days), time(0), tz).timestamp()


def barred(bar: dict | None, now: float) -> bool:
    return bar is not None and bar.get("lifted_at") is None and bar["until"] > now


def require_not_barred(bars, now: float, timezone: str) -> None:
    for bar in bars:
        if barred(bar, now):
            ends = local(bar["until"], ZoneInfo(timezone)).date()
            raise CommandError("blacklisted", f"no booking service until {ends} (3 missed bookings)",
                               f"因多次预约未到，{ends:%Y年%m月%d日}前暂停预约服务（可现场取号）")


def check_in_span(row: dict, config) -> tuple[float, float]:
    """[opens, closes] of a booking's check-in: `queue.appointment_grace_s` before its slot to the
    slot's end plus `appointments.late_grace_s`."""
    return row["slot_start"] - config.queue.appointment_grace_s, row["slot_end"] + config.appointments.late_grace_s


def precedence(row: dict, now: float, config) -> tuple[float | None, float | None]:
    """(from, until) of the checked-in ticket's place ahead of walk-ins: its slot. Checked in early,
    it waits for the slot to open (`early_waits_for_slot`); late, it queues as a walk-in
    (`late_as_walk_in`) — `until` in the past — or keeps its place through the late grace."""
    rules = config.appointments
    opens = row["slot_start"] if rules.early_waits_for_slot else None
    until = row["slot_end"] if rules.late_as_walk_in else row["slot_end"] + rules.late_grace_s
    return opens, until

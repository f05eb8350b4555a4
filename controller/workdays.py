"""Working days of the hall's calendar: deadlines of 差评 follow-ups count these."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_working_day(day: date, holidays: set[str], workdays: set[str]) -> bool:
    text = day.isoformat()
    if text in holidays:
        return False
    return day.weekday() < 5 or text in workdays


def add_working_days(start: date, n: int, holidays, workdays) -> date:
    """The n-th working day after `start` (start itself not counted)."""
    holidays, workdays = set(holidays), set(workdays)
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            n -= 1
    return day


def deadline(now: float, n: int, calendar, timezone: str) -> float:
    """End (23:59:59 local) of the n-th working day after the day of `now`."""
    tz = ZoneInfo(timezone)
    last = add_working_days(datetime.fromtimestamp(now, tz).date(), n, calendar.holidays, calendar.workdays)
    return datetime.combine(last, time(23, 59, 59), tz).timestamp()

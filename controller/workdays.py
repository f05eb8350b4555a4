"""Working days of the hall's calendar: 差评 follow-up deadlines and 预约 booking windows count these.

The official calendar — public holidays and the weekend days worked instead
(调休) — comes from the `chinese-calendar` package, which knows the years the
State Council has published (2004-2026 in its current release) and raises for
any other. The hall config's `calendar` lists come over it: a local holiday,
a local working day, and the days of a year the package lacks. For such a
year the calendar falls back to Monday-Friday plus those lists and says so
(`missing_years`): supervision raises an admin alert ("calendar for 2027 not
loaded") rather than letting a guess pass silently, until the year is listed
in `calendar.years` (its days entered by hand) or a newer package is installed.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar


@lru_cache(maxsize=4096)
def official(day: date) -> bool | None:
    """Whether the official calendar has `day` as a working day; None for a year it does not cover."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def covered(year: int) -> bool:
    return official(date(year, 6, 1)) is not None


def is_working_day(day: date, holidays, workdays) -> bool:
    """The config's lists first (local days, and a year the package lacks), then the official calendar,
    then Monday-Friday."""
    text = day.isoformat()
    if text in holidays:
        return False
    if text in workdays:
        return True
    known = official(day)
    return day.weekday() < 5 if known is None else known


def add_working_days(start: date, n: int, holidays, workdays) -> date:
    """The n-th working day after `start` (start itself not counted)."""
    holidays, workdays = set(holidays), set(workdays)
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            n -= 1
    return day


def working_days_between(first: date, last: date, holidays, workdays) -> int:
    """Working days after `first` up to and including `last` (0 when last <= first)."""
    holidays, workdays = set(holidays), set(workdays)
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day, holidays, workdays)
    return count


def missing_years(first: date, last: date, calendar) -> list[int]:
    """Years between two days that neither the package covers nor the config lists in `years`."""
    return [year for year in range(first.year, last.year + 1) if not covered(year) and year not in calendar.years]


def deadline(now: float, n: int, calendar, timezone: str) -> float:
    """End (23:59:59 local) of the n-th working day after the day of `now`."""
    tz = ZoneInfo(timezone)
    last = add_working_days(datetime.fromtimestamp(now, tz).date(), n, calendar.holidays, calendar.workdays)
    return datetime.combine(last, time(23, 59, 59), tz).timestamp()

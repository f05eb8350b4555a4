"""The figures of a period — a day, a date range, a month (月度通报), a quarter (季度评议) — and the
`period_report` action that answers the manager console's reports.

A period's figures are its days' figures added up, with every definition of controller/figures.py
and none of its own: each day's ledger is replayed into a `DayFigures` as the daily report does,
and the days' running tallies (times, waits, services, levels, counts) are merged before the
averages, percentiles and rates are taken, so a month's average wait is the average of its waits,
not of its days' averages. What a period adds is only what a reader of a bulletin needs: a line
per day (with whether the hall calendar made it a working day), the 差评 by item and reason, and
the rankings of windows, staff and items, in the order this module gives them (the console and the
CSV show them as they come, they never rank or count themselves).

A closed day's figures never change (ratings count on the day they are given, docs/figures.md), so
the replayed days are kept (`DAY_CACHE` days, least recently used out): a month asked again, or the
next month's bulletin beside it, replays only what it has not seen. Today is always replayed anew.
The 差评 follow-ups are read as they stand now, as in the daily report.
"""
from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contract.errors import CommandError

from . import figures, workdays
from .figures import DayFigures, _finish_scope, _ratings, _tally
from .report import names_of

MAX_DAYS = 92  # a quarter (季度评议) at most: the longest period the rules ask to review
DAY_CACHE = 200
RANKED = ("windows", "staff", "items")
_cache: "OrderedDict[tuple, DayFigures]" = OrderedDict()


class ClockHour:
    """The local hour of the day (0-23) of a time: a period's peak hour is an hour of the clock."""

    def __init__(self, timezone: str):
        self.tz, self.cache = ZoneInfo(timezone), {}

    def __call__(self, at: float) -> int:
        quarter = int(at // 900)
        if quarter not in self.cache:
            self.cache[quarter] = datetime.fromtimestamp(at, self.tz).hour
        return self.cache[quarter]


def days_of(first: str, last: str) -> list[str]:
    """Every day from `first` to `last`; a CommandError for a backward or too long period."""
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise CommandError("bad_request", "first/last: not a date", "日期无效") from None
    if end < start:
        raise CommandError("bad_request", "last: before first", "结束日期早于开始日期")
    if (end - start).days + 1 > MAX_DAYS:
        raise CommandError("bad_request", f"a period of at most {MAX_DAYS} days",
                           f"统计期间最长{MAX_DAYS}天")
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _merge(into: dict, tally: dict) -> None:
    for key, value in tally.items():
        if isinstance(value, list):
            into[key].extend(value)
        elif isinstance(value, dict):
            for name, n in value.items():
                into[key][name] = into[key].get(name, 0) + n
        else:
            into[key] += value


def of_period(days: list[tuple[str, DayFigures]], *, timezone: str, calendar, followups: list[dict],
              now: float, applications=()) -> dict:
    """The figures of the days given (in order), each a replayed `DayFigures`, and the 按时办结率 of the
    applications 办结 on them (`applications`: their store rows)."""
    hall, scopes = _tally(), {name: {} for name in ("categories", "windows", "staff", "items")}
    live: dict[str, dict[str, dict]] = {"hall": {}, **{name: {} for name in scopes}}
    bad_reasons: dict[tuple, int] = {}
    lines = []
    for day, day_figures in days:
        _merge(hall, day_figures.hall)
        for name in scopes:
            for key, tally in getattr(day_figures, name).items():
                _merge(scopes[name].setdefault(key, _tally()), tally)
        for name, entries in day_figures._live(now).items():
            for key, entry in entries.items():
                into = live[name].setdefault(key, {})
                for what, amount in entry.items():
                    into[what] = into.get(what, 0) + amount
        for key, n in day_figures.bad_reasons.items():
            bad_reasons[key] = bad_reasons.get(key, 0) + n
        line = figures.DayFigures._finish(day_figures.hall, "issued", ClockHour(timezone), None)
        lines.append({"day": day, "working": workdays.is_working_day(date.fromisoformat(day), calendar.holidays,
                                                                      calendar.workdays),
                      **{k: line[k] for k in ("issued", "served", "avg_wait_s", "avg_service_s", "rated",
                                              "good_rate", "bad_ratings")}})
    hour = ClockHour(timezone)
    out = {"first": days[0][0], "last": days[-1][0], "timezone": timezone,
           "days": lines, "working_days": sum(1 for line in lines if line["working"]),
           "hall": figures.DayFigures._finish(hall, "issued", hour, live["hall"].get("")),
           **{name: _finish_scope(name, tallies, live[name], "issued" if name == "categories" else "served", hour)
              for name, tallies in scopes.items()},
           "ratings": _ratings(hall, followups, now),
           "bad_reasons": [{"category": c, "item": i, "reason": r, "count": n}
                           for (c, i, r), n in sorted(bad_reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
           "applications": figures.on_time(applications, timezone)}
    out["rankings"] = {name: ranking(out[name]) for name in RANKED}
    return out


def ranking(section: dict) -> list[str]:
    """Keys best first: most served, then the better 好评率, then the shorter average wait."""
    def order(key):
        b = section[key]
        return (-b["served"], -(b["good_rate"] if b["good_rate"] is not None else -1),
                b["avg_wait_s"] if b["avg_wait_s"] is not None else float("inf"), key)
    return sorted((key for key in section if section[key]["served"] or section[key]["rated"]), key=order)


def replayed(stored, day: str, today: str) -> DayFigures:
    """A day's ledger replayed; a closed day's kept for the next period that needs it."""
    if day >= today:
        return DayFigures(day).add_rows(stored.day_ledger(day))
    store = getattr(stored, "store", stored)
    key = (store.path, day, sum(stored.ledger_counts(day).values()))  # a store made anew misses
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = DayFigures(day).add_rows(stored.day_ledger(day))
        while len(_cache) > DAY_CACHE:
            _cache.popitem(last=False)
    _cache.move_to_end(key)
    return found


# --- the action --------------------------------------------------------------------------


def period_report(engine, change, first, last):
    """`period_report`: the figures of the days `first`..`last` (at most MAX_DAYS; days after today
    have none), with the names a reader knows. Reads and changes nothing else."""
    stored, config = change.stored, engine.config
    days = [day for day in days_of(first, last) if day <= engine.day]
    if not days:
        raise CommandError("bad_request", "the period has not begun", "统计期间尚未开始")
    followups = [f for day in days for f in stored.followups_of_day(day)]
    start, end = local_span(days[0], days[-1], config.timezone)
    result = of_period([(day, replayed(stored, day, engine.day)) for day in days], timezone=config.timezone,
                       calendar=config.calendar, followups=followups, now=change.now,
                       applications=stored.applications_closed(start, end))
    result.update(asked={"first": first, "last": last}, names=names_of(config),
                  items_names={code: item.name.model_dump() for code, item in _items(config).items()},
                  reasons_names={code: text.model_dump() for code, text in config.ratings.reasons.items()})
    change.out.result = result


def local_span(first: str, last: str, timezone: str) -> tuple[float, float]:
    """[start, end) in epoch seconds of the calendar days `first`..`last` in the hall's time zone: an
    application's 办结 is dated by the clock, not by the service day."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(date.fromisoformat(first), datetime.min.time(), tz)
    end = datetime.combine(date.fromisoformat(last) + timedelta(days=1), datetime.min.time(), tz)
    return start.timestamp(), end.timestamp()


def _items(config) -> dict:
    return getattr(config, "items", None) or {}

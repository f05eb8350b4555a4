"""What the hall expects: per category, tickets and service time by hour, learned from its stored days.

The rota policy (controller/rota.py) positions tidal windows ahead of a surge,
the daily report shows "expected today" (今日预计), and `main.py simulate
--what-if` plays tomorrow from it. All of them ask this module, which is pure:
it is given the stored days' events (`Store.forecast_events`, the only SQL) and
the day asked about, never the clock.

A day's *type* decides which stored days it is like: the working day before a
holiday and the one after it (the hall calendar's `holidays`, across the
weekend between) are busier than others and have a type of their own; every
other day is like the same weekday. A type learned from fewer than
`forecast.min_days` stored days falls back to the weekday, then to every stored
day, then to the config's cold-start profile (`forecast.cold_start`, the
arrivals file's shape: tickets per hour by local hour, per category), so a new
hall has a forecast from its first day. Service times are learned the same way
(the mean of the services finished in that hour); an hour without any falls back
to the category's mean over the stored days, then its `default_service_s`.

Counts are per ticket issued in the category it was issued for (a transfer is
not a second arrival).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .workdays import is_working_day

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BEFORE, AFTER, ALL, CONFIG = "before_holiday", "after_holiday", "all_days", "config"
LABEL = {"zh": "今日预计", "en": "Expected today"}
BASIS = {BEFORE: {"zh": "节前工作日", "en": "the working day before a holiday"},
         AFTER: {"zh": "节后工作日", "en": "the working day after a holiday"},
         ALL: {"zh": "全部已存日期", "en": "every stored day"},
         CONFIG: {"zh": "配置的初始预测", "en": "the config's cold-start profile"},
         **{d: {"zh": f"以往周{'一二三四五六日'[i]}", "en": f"past {name}days"}
            for i, (d, name) in enumerate(zip(WEEKDAYS, ("Mon", "Tues", "Wednes", "Thurs", "Fri", "Satur", "Sun")))}}


def day_type(day: date, calendar) -> str:
    """before_holiday / after_holiday for the working days next to a holiday (weekends between count), else
    the weekday."""
    holidays, workdays = set(calendar.holidays), set(calendar.workdays)
    if is_working_day(day, holidays, workdays):
        for step, kind in ((1, BEFORE), (-1, AFTER)):
            other = day + timedelta(days=step)
            while not is_working_day(other, holidays, workdays):
                if other.isoformat() in holidays:
                    return kind
                other += timedelta(days=step)
    return WEEKDAYS[day.weekday()]


@dataclass(frozen=True)
class Hour:
    arrivals: float     # tickets expected in the hour
    service_s: float    # mean service time expected


Profile = dict[str, dict[int, Hour]]   # category -> local hour -> Hour


@dataclass(frozen=True)
class Expected:
    """One day's forecast: its profile, and what it was learned from."""

    day: str
    basis: str          # a day type, "all_days" or "config"
    days: int           # stored days behind it (0: the config's)
    profile: Profile

    def between(self, start_h: float, end_h: float) -> dict[str, tuple[float, float]]:
        """category -> (tickets expected in [start_h, end_h) local hours, their mean service s); fractions of an
        hour count pro rata."""
        out = {}
        for code, hours in self.profile.items():
            count = weighted = 0.0
            for hour, expected in hours.items():
                share = max(0.0, min(end_h, hour + 1) - max(start_h, hour))
                count += expected.arrivals * share
                weighted += expected.arrivals * share * expected.service_s
            mean = weighted / count if count else _mean_service(hours)
            out[code] = (count, mean)
        return out

    def summary(self) -> dict:
        """For the daily report: "expected today" per category (tickets, by hour, service), zh and en labels."""
        categories = {code: {"arrivals": round(sum(h.arrivals for h in hours.values()), 1),
                             "by_hour": {f"{hour:02d}": round(h.arrivals, 1) for hour, h in sorted(hours.items())},
                             "service_s": round(_mean_service(hours), 1)} for code, hours in self.profile.items()}
        return {"label": LABEL, "day": self.day, "basis": self.basis, "basis_text": BASIS[self.basis],
                "days": self.days, "arrivals": round(sum(c["arrivals"] for c in categories.values()), 1),
                "categories": categories}


def _mean_service(hours: dict[int, Hour]) -> float:
    total = sum(h.arrivals for h in hours.values())
    if total:
        return sum(h.arrivals * h.service_s for h in hours.values()) / total
    return next(iter(hours.values())).service_s if hours else 0.0


@dataclass
class _Sums:
    days: set = field(default_factory=set)
    counts: dict = field(default_factory=lambda: defaultdict(float))     # (category, hour) -> tickets
    service: dict = field(default_factory=dict)                          # (category, hour) -> [sum, n]


@dataclass(frozen=True)
class Forecast:
    """Learned profiles by day type, and the fallbacks; ask `for_day`."""

    by_type: dict[str, Profile]
    days: dict[str, int]
    cold: Profile
    min_days: int

    def for_day(self, day: str | date, calendar) -> Expected | None:
        """The day's forecast, from the most specific basis learned from enough days; None: nothing to go on."""
        day = date.fromisoformat(day) if isinstance(day, str) else day
        kind = day_type(day, calendar)
        for basis in dict.fromkeys((kind, WEEKDAYS[day.weekday()], ALL)):
            if self.days.get(basis, 0) >= self.min_days:
                return Expected(day.isoformat(), basis, self.days[basis], self.by_type[basis])
        if self.cold:
            return Expected(day.isoformat(), CONFIG, 0, self.cold)
        return None


def cold_profile(config) -> Profile:
    """The config's cold-start profile (`forecast.cold_start`) with each category's default service time."""
    out: Profile = {}
    for hour, rates in config.forecast.cold_start.items():
        for code, rate in rates.items():
            out.setdefault(code, {})[int(hour)] = Hour(rate, float(config.categories[code].default_service_s))
    return out


def learn(events: Iterable[dict], config) -> Forecast:
    """A forecast from stored days' `ticket_issued` and `ticket_finished` events ({day, at, kind, category,
    service_s}, `Store.forecast_events`), with the config's cold start and fallbacks."""
    tz = ZoneInfo(config.timezone)
    sums: dict[str, _Sums] = defaultdict(_Sums)
    types: dict[str, str] = {}
    overall: dict[str, list] = defaultdict(lambda: [0.0, 0])
    for event in events:
        code = event.get("category")
        if code not in config.categories:
            continue
        day = event["day"]
        if day not in types:
            d = date.fromisoformat(day)
            types[day] = day_type(d, config.calendar)  # a day next to a holiday is not like its weekday
        hour = datetime.fromtimestamp(event["at"], tz).hour
        for basis in (types[day], ALL):
            bucket = sums[basis]
            if event["kind"] == "ticket_issued":
                bucket.days.add(day)
                bucket.counts[code, hour] += 1
            elif event["kind"] == "ticket_finished" and event.get("service_s") is not None:
                cell = bucket.service.setdefault((code, hour), [0.0, 0])
                cell[0] += event["service_s"]
                cell[1] += 1
        if event["kind"] == "ticket_finished" and event.get("service_s") is not None:
            overall[code][0] += event["service_s"]
            overall[code][1] += 1

    def service_of(bucket: _Sums, code: str, hour: int) -> float:
        total, n = bucket.service.get((code, hour), (0.0, 0))
        if n:
            return total / n
        total, n = overall.get(code, (0.0, 0))
        return total / n if n else float(config.categories[code].default_service_s)

    by_type: dict[str, Profile] = {}
    for basis, bucket in sums.items():
        n = len(bucket.days)
        if not n:
            continue
        profile: Profile = {}
        for (code, hour), count in bucket.counts.items():
            profile.setdefault(code, {})[hour] = Hour(count / n, service_of(bucket, code, hour))
        by_type[basis] = profile
    return Forecast(by_type, {b: len(s.days) for b, s in sums.items() if s.days}, cold_profile(config),
                    config.forecast.min_days)


def learning_span(config, day: str) -> tuple[str, str]:
    """[first, last) stored days a forecast for `day` learns from: `forecast.weeks` weeks before it."""
    d = date.fromisoformat(day)
    return (d - timedelta(weeks=config.forecast.weeks)).isoformat(), d.isoformat()


def expected_for(stored, config, day: str) -> Expected | None:
    """The forecast of `day` from what is stored before it (`stored`: the Store, or a command's StoreView)."""
    if not config.forecast.enabled:
        return None
    first, last = learning_span(config, day)
    return learn(stored.forecast_events(first, last), config).for_day(day, config.calendar)

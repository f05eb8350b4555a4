"""The figures of a service day (日清日结): one definition of each, computed here and nowhere else.

`stats`, a window's `window_stats`, the daily report (JSON, CSV, HTML) and the simulator's
comparison all read a day's figures from this module, so they cannot disagree. The figures are
the day's ledger replayed in order; the ledger holds every ticket's and session's before/after
state, so any past day can be recomputed whatever the tables hold now. The engine feeds each
event it makes to a running `DayFigures` as it makes it (the same events, in the same order, as
the ledger gets), so today's figures are live without reading the store; a restart, or a past
day, replays the stored rows (`Store.day_ledger`). Pure: time and the hall's time zone come in.

Definitions (docs/figures.md) — per hall, category, window and member of staff:
- issued: tickets taken, by the category they were taken for (a transfer does not move it);
- served: services finished (`ticket_finished`), by the category, window and staff member that
  finished them; a ticket the day's end closes at a window is not a service, it is `unfinished`;
- outcomes: the served by their outcome at the window (accepted 受理, supplement 补正, refused 不予受理,
  on_the_spot 即办, consultation 咨询); a finish without one, or by the next call, is accepted;
- no_show: 过号 marks, by the window and staff member that marked them (a ticket called back and
  missed again counts twice);
- transferred: transfers made, by the category the ticket left and the window and staff member
  that sent it (a ticket sent on twice counts twice);
- expired: tickets the day's end closed unserved — waiting, held or missed (by category);
  unfinished: tickets the day's end found at a window (called or being served, never finished);
  so for a closed day issued = served + expired + unfinished;
- waiting, held: tickets waiting in a queue (by the category they wait in) and set aside (by the
  window that held them) as the day stands: live counts, zero once the day has closed;
- waiting time: from taking the ticket, or from being transferred, to being called from the queue
  (call_next or call_specific); call-backs of held or missed tickets are not waits, and a ticket
  never called has no wait yet. By the category it waited in, the window and staff member that
  called it, and the hour it started waiting. avg, p90 (nearest rank) and max;
- service time: from the start of service (or the call, when never started) to the finish, of
  services finished; avg and p90;
- rated, avg_rating, bad_ratings (levels 1-2), by_level: ratings given that day (of its own tickets
  or, from a ticket's QR page, of an earlier day's), by the rated ticket's category, item (事项),
  window and staff member; 主动评价率 = rated / served, 好评率 = levels 3-5 / rated, 差评整改率 =
  the day's 差评 follow-ups closed / 差评 (the follow-ups as they stand now);
- peak_hour: the local hour with most issued (hall, category) or most served (window, staff);
- staffed_s: time staff were logged in (a session still open, up to now); busy_s: time a ticket was at the window (called to
  finished, missed, held or transferred); load_pct = busy / staffed (windows and staff);
- hours: from the hour of the day's first ticket or login to that of its last: issued, served,
  waits by the hour they started, and the most tickets waiting at once during the hour;
- 按时办结率 (on_time_rate, `on_time`): of the applications (办件) 办结 in the period — their first
  step to result ready, collected, refused or closed (controller/applications.py, DONE) — that
  have a time limit, the share 办结 on or before their due date (the promised working days on the
  hall calendar, moved on by 补正 pauses), by item, by the window and staff member that accepted
  them (the first ticket linked) and by the month of the 办结, in the hall's time zone.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from contract.messages import OUTCOMES

WINDOW_LEAVES = ("ticket_finished", "ticket_no_show", "ticket_held", "ticket_transferred")
SESSION_ENDS = ("staff_logout", "window_closed_by_day_end")
COUNTS = ("no_show", "transferred", "expired", "unfinished")
WINDOW_FIGURES = ("served", "no_show", "transferred", "avg_wait_s", "avg_service_s")  # a caller's 今日 line


def closed_on_time(closed_at: float, due_at: float) -> bool:
    """A 办件's 办结 is on time when it is on or before its due date (which ends at 23:59:59 local)."""
    return closed_at <= due_at


def on_time(rows: Iterable[Mapping], timezone: str) -> dict:
    """按时办结率 of the applications 办结 in a period (`rows`: their store rows; one without a due date,
    stored before time limits, is not counted): the hall's, and by item, window, staff and month."""
    tz = ZoneInfo(timezone)
    counts = {"hall": {"": [0, 0]}, "items": {}, "windows": {}, "staff": {}, "months": {}}
    for row in rows:
        if row.get("closed_at") is None or row.get("due_at") is None:
            continue
        good = closed_on_time(row["closed_at"], row["due_at"])
        keys = {"hall": "", "items": row.get("item") or "",
                "windows": str(row["window"]) if row.get("window") is not None else None,
                "staff": row.get("staff_id"), "months": datetime.fromtimestamp(row["closed_at"], tz).strftime("%Y-%m")}
        for scope, key in keys.items():
            if key is None:
                continue
            tally = counts[scope].setdefault(key, [0, 0])
            tally[0] += 1
            tally[1] += good

    def line(closed: int, in_time: int) -> dict:
        return {"closed": closed, "on_time": in_time, "late": closed - in_time, "on_time_rate": _rate(in_time, closed)}

    return {**line(*counts["hall"][""]),
            **{scope: {key: line(*counts[scope][key]) for key in sorted(counts[scope])}
               for scope in ("items", "windows", "staff", "months")}}


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def _rnd(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _avg(values: list[float], digits: int = 1) -> float | None:
    return round(sum(values) / len(values), digits) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _tally() -> dict:
    """Running totals of one hall, category, window or staff member; `issued` and `served` hold times."""
    return {"issued": [], "served": [], "no_show": 0, "transferred": 0, "expired": 0, "unfinished": 0,
            "waits": [], "services": [], "levels": [], "busy_s": 0.0, "staffed_s": 0.0,
            "outcomes": dict.fromkeys(OUTCOMES, 0)}


class _Hours:
    """Local hour of a time within the service day (24 and on past midnight), cached by quarter hour,
    the finest step of any time zone's offset."""

    def __init__(self, day: str, timezone: str):
        self.first, self.tz, self.cache = date.fromisoformat(day), ZoneInfo(timezone), {}

    def __call__(self, at: float) -> int:
        quarter = int(at // 900)
        if quarter not in self.cache:
            local = datetime.fromtimestamp(at, self.tz)
            self.cache[quarter] = local.hour + 24 * (local.date() - self.first).days
        return self.cache[quarter]


class DayFigures:
    """One service day's figures, fed its ledger rows (or the engine's events, as mappings) in order."""

    def __init__(self, day: str):
        self.day = day
        self.hall, self.categories, self.windows, self.staff = _tally(), {}, {}, {}
        self.items: dict[str, dict] = {}  # 事项: services and ratings only (the public 好差评 page)
        self.waiting_since: dict[str, float] = {}
        self.waiting: dict[str, str] = {}                  # ticket id -> the category it waits in
        self.held: dict[str, tuple] = {}                   # ticket id -> (category, window, staff)
        self.logins: dict[int, tuple[float, str]] = {}
        self.hall_waits: list[tuple[float, float]] = []    # (started waiting, wait)
        self.queue: list[tuple[float, int]] = []           # (at, tickets waiting from then on)
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.bad_reasons: dict[tuple[str, str, str], int] = {}  # (category, item, reason) -> 差评 with it

    # --- feeding -------------------------------------------------------------------------

    def add_rows(self, rows: Iterable[Mapping]) -> "DayFigures":
        for row in rows:
            self.add(row)
        return self

    def add(self, ev: Mapping) -> None:
        """One ledger row: `kind`, `at`, `ticket_id`, `window`, `staff_id`, `before`, `after`, `data`."""
        kind = ev["kind"]
        if kind.startswith("ticket_"):
            # this day's tickets only (the closing of an earlier day is recorded under this one), but
            # every rating given today: a ticket's QR page takes it for `ratings.qr_days` days
            if (ev["ticket_id"] or "").startswith(f"{self.day}-") or kind == "ticket_rated":
                self._ticket(kind, ev, ev["before"] or {}, ev["after"] or {}, ev["data"] or {}, ev["at"])
        elif kind == "staff_login" or kind in SESSION_ENDS:
            self._session(kind, ev, ev["before"] or {}, ev["after"] or {}, ev["at"])

    def _seen(self, at: float) -> None:
        if self.first_at is None:
            self.first_at = at
        self.last_at = at

    def _buckets(self, category=None, window=None, staff=None) -> list[dict]:
        out = [self.hall]
        if category is not None:
            out.append(self.categories.setdefault(category, _tally()))
        if window is not None:
            out.append(self.windows.setdefault(str(window), _tally()))
        if staff:
            out.append(self.staff.setdefault(staff, _tally()))
        return out

    def _item(self, ticket: dict) -> list[dict]:
        item = ticket.get("item")
        return [self.items.setdefault(item, _tally())] if item else []

    def _count(self, what: str, **where) -> None:
        for bucket in self._buckets(**where):
            bucket[what] += 1

    def _queued(self, at: float) -> None:
        self.queue.append((at, len(self.waiting)))

    def _ticket(self, kind, ev, before, after, data, at) -> None:
        tid, window, staff = ev["ticket_id"], ev["window"], ev["staff_id"]
        if kind != "ticket_closed_by_day_end":
            self._seen(at)
        if kind == "ticket_issued":
            for bucket in self._buckets(after["category"]):
                bucket["issued"].append(at)
            self.waiting_since[tid] = after["issued_at"]
            self.waiting[tid] = after["category"]
            self._queued(at)
        elif kind == "ticket_called":
            self.held.pop(tid, None)
            if before.get("status") == "waiting":
                start = self.waiting_since.pop(tid, before["issued_at"])
                for bucket in self._buckets(before["category"], window, staff):
                    bucket["waits"].append(at - start)
                self.hall_waits.append((start, at - start))
                self.waiting.pop(tid, None)
                self._queued(at)
        elif kind == "ticket_finished":
            for bucket in self._buckets(after["category"], window, staff) + self._item(after):
                bucket["served"].append(at)
                bucket["services"].append(data.get("service_s", 0.0))
                outcome = data.get("outcome", "accepted")
                bucket["outcomes"][outcome] = bucket["outcomes"].get(outcome, 0) + 1
        elif kind == "ticket_no_show":
            self._count("no_show", category=after["category"], window=window, staff=staff)
        elif kind == "ticket_held":
            self.held[tid] = (after["category"], window, staff)
        elif kind == "ticket_transferred":  # the ticket has left the window: the sender is in `before`
            window, staff = data.get("from_window", window), before.get("staff_id") or staff
            self._count("transferred", category=before["category"], window=window, staff=staff)
            self.waiting_since[tid] = at
            self.waiting[tid] = after["category"]
            self._queued(at)
        elif kind == "ticket_closed_by_day_end":
            if after.get("status") == "expired":
                self._count("expired", category=after["category"])
            else:
                self._count("unfinished", category=after["category"], window=before.get("window"),
                            staff=before.get("staff_id"))
            self.held.pop(tid, None)
            if self.waiting.pop(tid, None) is not None:
                self._queued(at)
        elif kind == "ticket_rated":
            for bucket in self._buckets(after["category"], after.get("window"), after.get("staff_id")) + \
                    self._item(after):
                bucket["levels"].append(data.get("level", after.get("rating_level")))
            if data.get("level", after.get("rating_level")) <= 2:  # 差评 by item and reason (a reason each)
                for reason in data.get("reasons") or ("",):
                    key = (after["category"], after.get("item") or "", reason)
                    self.bad_reasons[key] = self.bad_reasons.get(key, 0) + 1
        if kind in WINDOW_LEAVES and before.get("called_at") is not None:
            for bucket in self._buckets(None, window, staff)[1:]:
                bucket["busy_s"] += at - before["called_at"]

    def _session(self, kind, ev, before, after, at) -> None:
        window = ev["window"]
        if kind == "staff_login":
            self._seen(at)
            if before.get("staff_id"):  # someone else was logged in here: that session ends now
                self._staffed(window, before, at)
            self.logins[window] = (at, after.get("staff_id"))
        elif before.get("staff_id") is not None:
            if kind == "staff_logout":
                self._seen(at)
            self._staffed(window, before, at)

    def _staffed(self, window: int, before: dict, at: float) -> None:
        since, staff = self.logins.pop(window, (None, before["staff_id"]))
        if since is None:
            since = before.get("login_at") or at
        for bucket in self._buckets(None, window, staff)[1:]:
            bucket["staffed_s"] += at - since

    # --- reading -------------------------------------------------------------------------

    def figures(self, *, timezone: str, followups: Iterable[dict] = (), now: float | None = None) -> dict:
        """Every figure of the day so far — hall, categories, windows, staff, hours, ratings — as it
        stands at `now` (open sessions count up to then; the 差评 follow-ups, from the store, are
        judged then)."""
        now = (self.last_at or 0.0) if now is None else now
        hour, live = _Hours(self.day, timezone), self._live(now)
        hall = self._finish(self.hall, "issued", hour, live["hall"].get(""))

        def scope(name: str, tallies: dict, peak_of: str) -> dict:
            return _finish_scope(name, tallies, live[name], peak_of, hour)

        return {"day": self.day, "timezone": timezone, "hall": hall,
                "categories": scope("categories", self.categories, "issued"),
                "windows": scope("windows", self.windows, "served"),
                "staff": scope("staff", self.staff, "served"),
                "items": scope("items", self.items, "served"),
                "hours": self._hours(hour), "peak_hour": hall["peak_hour"],
                "ratings": _ratings(self.hall, list(followups), now)}

    def window(self, number: int, *, timezone: str, now: float) -> dict:
        """A window's figures of the day (zero when it has done nothing yet)."""
        return self._one("windows", self.windows, str(number), timezone, now)

    def member(self, staff_id: str, *, timezone: str, now: float) -> dict:
        """A staff member's figures of the day, at whichever windows they worked."""
        return self._one("staff", self.staff, staff_id, timezone, now)

    def _one(self, name: str, tallies: dict, key: str, timezone: str, now: float) -> dict:
        return self._finish(tallies.get(key) or _tally(), "served", _Hours(self.day, timezone),
                            self._live(now)[name].get(key))

    def _live(self, now: float) -> dict[str, dict[str, dict]]:
        """What stands open at `now`, by scope and key: tickets waiting and held, sessions still open."""
        live: dict[str, dict[str, dict]] = {"hall": {}, "categories": {}, "windows": {}, "staff": {}, "items": {}}

        def add(name: str, key, what: str, amount: float) -> None:
            if key is not None:
                entry = live[name].setdefault(str(key), {})
                entry[what] = entry.get(what, 0) + amount

        for category in self.waiting.values():
            add("hall", "", "waiting", 1)
            add("categories", category, "waiting", 1)
        for category, window, staff in self.held.values():
            for name, key in (("hall", ""), ("categories", category), ("windows", window), ("staff", staff)):
                add(name, key, "held", 1)
        for window, (since, staff) in self.logins.items():
            for name, key in (("windows", window), ("staff", staff)):
                add(name, key, "staffed_s", max(0.0, now - since))
        return live

    @staticmethod
    def _finish(bucket: dict, peak_of: str, hour: _Hours, live: dict | None) -> dict:
        live = live or {}
        waits, services, levels = bucket["waits"], bucket["services"], bucket["levels"]
        by_hour: dict[int, int] = {}
        for at in bucket[peak_of]:
            h = hour(at)
            by_hour[h] = by_hour.get(h, 0) + 1
        out = {"issued": len(bucket["issued"]), "served": len(bucket["served"]),
               "outcomes": dict(bucket["outcomes"]), **{k: bucket[k] for k in COUNTS},
               "waiting": live.get("waiting", 0), "held": live.get("held", 0),
               "avg_wait_s": _avg(waits), "p90_wait_s": _rnd(percentile(waits, 90)),
               "max_wait_s": _rnd(max(waits)) if waits else None,
               "avg_service_s": _avg(services), "p90_service_s": _rnd(percentile(services, 90)),
               "peak_hour": min(by_hour, key=lambda h: (-by_hour[h], h)) if by_hour else None, "peak_of": peak_of,
               "rated": len(levels), "avg_rating": _avg(levels, 2), "bad_ratings": sum(1 for v in levels if v <= 2),
               **_levels(levels, len(bucket["served"]))}
        staffed, busy = bucket["staffed_s"] + live.get("staffed_s", 0.0), bucket["busy_s"]
        if staffed or busy:
            out["staffed_s"], out["busy_s"] = round(staffed), round(busy)
            out["load_pct"] = round(100 * busy / staffed, 1) if staffed else None
        return out

    def _hours(self, hour: _Hours) -> list[dict]:
        if self.first_at is None:
            return []
        first, last = hour(self.first_at), hour(self.last_at)
        slots = {h: {"issued": 0, "served": 0, "waits": []} for h in range(first, last + 1)}
        for what in ("issued", "served"):
            for at in self.hall[what]:
                if hour(at) in slots:
                    slots[hour(at)][what] += 1
        for start, wait in self.hall_waits:
            if hour(start) in slots:
                slots[hour(start)]["waits"].append(wait)
        out, i, level = [], 0, 0
        for h, slot in slots.items():
            most = level  # the queue as the hour began, then every change within it
            while i < len(self.queue) and hour(self.queue[i][0]) <= h:
                level = self.queue[i][1]
                most, i = max(most, level), i + 1
            waits = slot["waits"]
            out.append({"hour": h, "label": f"{h % 24:02d}:00", "issued": slot["issued"], "served": slot["served"],
                        "avg_wait_s": _avg(waits), "p90_wait_s": _rnd(percentile(waits, 90)), "max_waiting": most})
        return out


SCOPE_ORDER = {"categories": str, "windows": int, "staff": lambda key: (len(key), key), "items": str}


def _finish_scope(name: str, tallies: dict, live: dict, peak_of: str, hour) -> dict:
    """Every bucket of a scope (categories, windows, staff, items) finished, in the scope's order."""
    keys = sorted(set(tallies) | set(live), key=SCOPE_ORDER[name])
    return {key: DayFigures._finish(tallies.get(key) or _tally(), peak_of, hour, live.get(key)) for key in keys}


def _levels(levels: list[int], served: int) -> dict:
    """Ratings by level, 主动评价率 (rated / served) and 好评率 (levels 3-5 / rated) of one bucket."""
    return {"by_level": {str(level): levels.count(level) for level in range(5, 0, -1)},
            "active_rating_rate": _rate(len(levels), served),
            "good_rate": _rate(sum(1 for level in levels if level >= 3), len(levels))}


def _satisfaction(followups: list[dict]) -> dict:
    """整改满意率's counts: closed follow-ups with the citizen's verdict, and those closed anonymous
    (nobody to ask: controller/cases.py) that count neither way."""
    closed = [f for f in followups if f["status"] == "closed"]
    judged = [f for f in closed if f.get("verdict") in ("satisfied", "unsatisfied")]
    return {"judged": len(judged), "satisfied": sum(1 for f in judged if f["verdict"] == "satisfied"),
            "anonymous_closed": sum(1 for f in closed if f.get("verdict") == "anonymous")}


def _ratings(hall: dict, followups: list[dict], now: float) -> dict:
    """好差评 of the day: ratings from the ledger, 差评 follow-ups from their records as they stand."""
    levels = hall["levels"]
    bad = sum(1 for level in levels if level <= 2)
    by_status: dict[str, int] = {}
    for f in followups:
        by_status[f["status"]] = by_status.get(f["status"], 0) + 1
    closed = [f for f in followups if f["status"] == "closed"]
    judged = _satisfaction(followups)
    in_time = [f for f in followups if f.get("closed_at") is not None and f["closed_at"] <= f["deadline_at"]]
    return {"rated": len(levels), "avg_rating": _avg(levels, 2), "bad": bad,
            **_levels(levels, len(hall["served"])),
            "followups": len(followups), "followups_by_status": by_status,
            "followups_overdue": sum(1 for f in followups if (f.get("closed_at") or now) > f["deadline_at"]),
            "followups_closed_in_time": len(in_time), "bad_closed": len(closed),
            "rectification_rate": _rate(len(closed), bad),
            # 整改满意率: satisfied of the closed follow-ups with a verdict (anonymous closes have none)
            "rectification_satisfaction_rate": _rate(judged["satisfied"], judged["judged"]),
            "followups_closed_anonymous": judged["anonymous_closed"],
            "real_name_bad": sum(1 for f in followups if f["real_name"]),
            "real_name_followed_in_time": sum(1 for f in in_time if f["real_name"])}


def of_day(day: str, ledger: Iterable[Mapping], *, timezone: str, followups: Iterable[dict] = (),
           now: float | None = None) -> dict:
    """A day's figures from its ledger rows (`Store.day_ledger`, or a simulated day's ledger)."""
    return DayFigures(day).add_rows(ledger).figures(timezone=timezone, followups=followups, now=now)


def window_line(figures: dict) -> dict:
    """The figures a window's caller shows of itself or of its staff member (`window_stats`)."""
    return {key: figures[key] for key in WINDOW_FIGURES}

"""日清日结: a service day's report, computed from the ledger alone.

The ledger holds every event with its before/after rows, so replaying one
day's events gives every figure the hall is judged on — for any past day,
whatever the tables hold now. The simulator keeps the same ledger, so a
simulated day reports exactly like a real one.

Definitions (also in docs/protocol.md, `report`):
- issued: tickets taken (by the category they were taken for);
- served: services finished (`ticket_finished`), by the category, window and
  staff member that finished them; a ticket closed at the day's end is not one;
- no_show: 过号 marks (a ticket called back and missed again counts twice);
- transferred: transfers out, by the category, window and staff member that sent it;
- waiting time: from taking the ticket (or being transferred) to being called
  from the queue; call-backs of held or missed tickets are not waits. By the
  category it waited in, the window and staff member that called it, and the
  hour it started waiting;
- service time: started (or called, when never started) to finished;
- peak hour: the hour with the most tickets issued (hall, category) or served
  (window, staff member);
- load: time a ticket was at the window (called to finished / missed / held /
  transferred) over the time the window was staffed.
"""
from __future__ import annotations

import math
import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

from contract.privacy import mask_name

WINDOW_LEAVES = ("ticket_finished", "ticket_no_show", "ticket_held", "ticket_transferred")
DAY_END = ("ticket_closed_by_day_end", "window_closed_by_day_end", "day_rollover", "alert_closed")


def ledger_of_day(store, day: str) -> list[dict]:
    """The day's ledger rows, with the closing of its tickets and sessions at the next rollover
    (recorded under the new day, as the first events of its first tick)."""
    row = store.db.execute("SELECT seq, day FROM ledger WHERE kind = 'day_rollover' "
                           "AND json_extract(data, '$.closed_day') = ? ORDER BY seq LIMIT 1", [day]).fetchone()
    if row is None:
        return store.ledger("day = ?", [day])
    seq, new_day = row
    return store.ledger("day = ? OR (day = ? AND seq <= ?)", [day, new_day, seq])


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def _blank() -> dict:
    return {"issued": 0, "served": 0, "no_show": 0, "transferred": 0, "expired": 0, "waits": [], "services": [],
            "by_hour": {}, "busy_s": 0.0, "staffed_s": 0.0, "levels": []}


class _Day:
    """Running totals while the day's events are replayed."""

    def __init__(self, day: str, tz: ZoneInfo):
        self.day, self.tz = day, tz
        self.hall, self.categories, self.windows, self.staff = _blank(), {}, {}, {}
        self.hours: dict[int, dict] = {}
        self.waiting_since: dict[str, float] = {}
        self.queue, self.logins = 0, {}
        self.tidal, self.alerts = [], {}
        self._hours: dict[int, int] = {}

    def hour(self, at: float) -> int:
        """Local hour of the day (24 and on past midnight); cached by quarter hour, the finest step of any
        time zone's offset."""
        quarter = int(at // 900)
        if quarter not in self._hours:
            local = datetime.fromtimestamp(at, self.tz)
            self._hours[quarter] = local.hour + 24 * (local.date() - date.fromisoformat(self.day)).days
        return self._hours[quarter]

    def slot(self, at: float) -> dict:
        return self.hours.setdefault(self.hour(at), {"issued": 0, "served": 0, "waits": [], "max_waiting": 0})

    def buckets(self, category=None, window=None, staff=None) -> list[dict]:
        out = [self.hall]
        if category is not None:
            out.append(self.categories.setdefault(category, _blank()))
        if window is not None:
            out.append(self.windows.setdefault(str(window), _blank()))
        if staff:
            out.append(self.staff.setdefault(staff, _blank()))
        return out

    def count(self, what: str, at: float | None = None, **where) -> None:
        for bucket in self.buckets(**where):
            bucket[what] += 1
            if at is not None:
                hour = self.hour(at)
                bucket["by_hour"][hour] = bucket["by_hour"].get(hour, 0) + 1

    def event(self, ev: dict) -> None:
        kind, before, after, data = ev["kind"], ev["before"] or {}, ev["after"] or {}, ev["data"] or {}
        at = ev["at"]
        if kind.startswith("ticket_") or kind == "rating_invited":
            if not (ev["ticket_id"] or "").startswith(f"{self.day}-"):
                return
            self.ticket(kind, ev, before, after, data, at)
        elif kind in ("staff_login", "staff_logout", "window_closed_by_day_end"):
            self.session(kind, ev, before, after, at)
        elif kind == "tidal_switched":
            self.tidal.append({"at": at, "window": ev["window"], "to": data.get("to"), "category": data.get("category"),
                               "reason": data.get("reason"), "by": data.get("by")})
        elif kind.startswith("alert_"):
            self.alerts[after["id"]] = {**after, "acked": bool(after.get("acked_at"))}
        if kind not in DAY_END:  # the hours of the report are the hours the hall was open
            self.slot(at)["max_waiting"] = max(self.slot(at)["max_waiting"], self.queue)

    def ticket(self, kind, ev, before, after, data, at) -> None:
        tid, window, staff = ev["ticket_id"], ev["window"], ev["staff_id"]
        if kind == "ticket_issued":
            self.count("issued", at, category=after["category"])
            self.slot(at)["issued"] += 1
            self.waiting_since[tid] = after["issued_at"]
            self.queue += 1
        elif kind == "ticket_called" and before.get("status") == "waiting":
            start = self.waiting_since.pop(tid, after["issued_at"])
            wait = at - start
            for bucket in self.buckets(before["category"], window, staff):
                bucket["waits"].append(wait)
            self.slot(start)["waits"].append(wait)
            self.queue -= 1
        elif kind == "ticket_finished":
            self.count("served", at, category=after["category"], window=window, staff=staff)
            self.slot(at)["served"] += 1
            for bucket in self.buckets(after["category"], window, staff):
                bucket["services"].append(data.get("service_s", 0.0))
        elif kind == "ticket_no_show":
            self.count("no_show", category=after["category"], window=window, staff=staff)
        elif kind == "ticket_transferred":  # the ticket has left the window: the sender is in `before`
            window, staff = data.get("from_window", window), before.get("staff_id") or staff
            self.count("transferred", category=before["category"], window=window, staff=staff)
            self.waiting_since[tid] = at
            self.queue += 1
        elif kind == "ticket_closed_by_day_end" and after.get("status") == "expired":
            self.count("expired", category=after["category"])
            if before.get("status") == "waiting":
                self.queue -= 1
        elif kind == "ticket_rated":
            for bucket in self.buckets(after["category"], after.get("window"), after.get("staff_id")):
                bucket["levels"].append(data.get("level", after.get("rating_level")))
        if kind in WINDOW_LEAVES and before.get("called_at") is not None:
            for bucket in self.buckets(None, window, staff)[1:]:
                bucket["busy_s"] += at - before["called_at"]

    def session(self, kind, ev, before, after, at) -> None:
        window = ev["window"]
        if kind == "staff_login":
            self.logins[window] = (at, after.get("staff_id"))
            return
        if before.get("staff_id") is None:
            return
        since, staff = self.logins.pop(window, (None, before["staff_id"]))
        if since is None:
            since = before.get("login_at") or at
        for bucket in self.buckets(None, window, staff)[1:]:
            bucket["staffed_s"] += at - since


def _finish(bucket: dict, peak_of: str) -> dict:
    waits, services, levels = bucket.pop("waits"), bucket.pop("services"), bucket.pop("levels")
    by_hour = bucket.pop("by_hour")
    staffed, busy = bucket.pop("staffed_s"), bucket.pop("busy_s")
    rnd = lambda v: None if v is None else round(v, 1)
    out = {**bucket,
           "avg_wait_s": rnd(sum(waits) / len(waits)) if waits else None, "p90_wait_s": rnd(percentile(waits, 90)),
           "max_wait_s": rnd(max(waits)) if waits else None,
           "avg_service_s": rnd(sum(services) / len(services)) if services else None,
           "p90_service_s": rnd(percentile(services, 90)),
           "peak_hour": min(by_hour, key=lambda h: (-by_hour[h], h)) if by_hour else None, "peak_of": peak_of,
           "rated": len(levels), "avg_rating": round(sum(levels) / len(levels), 2) if levels else None,
           "bad_ratings": sum(1 for level in levels if level <= 2)}
    if staffed or busy:
        out["staffed_s"], out["busy_s"] = round(staffed), round(busy)
        out["load_pct"] = round(100 * busy / staffed, 1) if staffed else None
    return out


def _ratings(hall: dict, followups: list[dict], now: float) -> dict:
    by_status: dict[str, int] = {}
    for f in followups:
        by_status[f["status"]] = by_status.get(f["status"], 0) + 1
    overdue = [f for f in followups if (f.get("closed_at") or now) > f["deadline_at"]]
    in_time = [f for f in followups if f.get("closed_at") is not None and f["closed_at"] <= f["deadline_at"]]
    return {"rated": hall["rated"], "avg_rating": hall["avg_rating"], "bad": hall["bad_ratings"],
            "followups": len(followups), "followups_by_status": by_status,
            "followups_overdue": len(overdue), "followups_closed_in_time": len(in_time)}


def day_report(day: str, ledger: list[dict], *, timezone: str, names: dict | None = None,
               followups: list[dict] = (), now: float | None = None) -> dict:
    """The whole report of one day from its ledger rows (`ledger_of_day`), and the day's 差评
    follow-ups as they stand now (`followups`, from the store, when it has them)."""
    state = _Day(day, ZoneInfo(timezone))
    for ev in ledger:
        state.event(ev)
    hall = _finish(state.hall, "issued")
    hours = []
    if state.hours:
        for hour in range(min(state.hours), max(state.hours) + 1):
            slot = state.hours.get(hour, {"issued": 0, "served": 0, "waits": [], "max_waiting": 0})
            waits = slot["waits"]
            hours.append({"hour": hour, "label": f"{hour % 24:02d}:00", "issued": slot["issued"],
                          "served": slot["served"], "avg_wait_s": round(sum(waits) / len(waits), 1) if waits else None,
                          "p90_wait_s": percentile(waits, 90) and round(percentile(waits, 90), 1),
                          "max_waiting": slot["max_waiting"]})
    alerts = list(state.alerts.values())
    by_kind: dict[str, dict] = {}
    for alert in alerts:
        counts = by_kind.setdefault(alert["kind"], {"yellow": 0, "red": 0})
        counts[alert["level"]] += 1
    followups = list(followups)
    return {
        "day": day, "timezone": timezone, "source": "ledger", "events": len(ledger),
        "hall": hall,
        "categories": {c: _finish(b, "issued") for c, b in sorted(state.categories.items())},
        "windows": {w: _finish(b, "served") for w, b in sorted(state.windows.items(), key=lambda kv: int(kv[0]))},
        "staff": {s: _finish(b, "served") for s, b in sorted(state.staff.items(), key=lambda kv: (len(kv[0]), kv[0]))},
        "hours": hours, "peak_hour": hall["peak_hour"],
        "ratings": _ratings(hall, followups, now if now is not None else (ledger[-1]["at"] if ledger else 0.0)),
        "alerts": {"opened": len(alerts), "by_kind": by_kind, "acked": sum(a["acked"] for a in alerts),
                   "open_at_end": sum(1 for a in alerts if a["status"] == "open"),
                   "list": [{k: a[k] for k in ("id", "kind", "level", "status", "opened_at", "closed_at", "acked")}
                            | {"text": {"zh": a["text_zh"], "en": a["text_en"]}} for a in alerts]},
        "tidal": {"switches": len(state.tidal), "list": state.tidal},
        "names": names or {},
    }


def names_of(config) -> dict:
    """Category and window names for the report's readers (Chinese first)."""
    return {"categories": {c: cat.name.model_dump() for c, cat in config.categories.items()},
            "windows": {str(n): (w.name.model_dump() if w.name else {"zh": f"{n}号窗口", "en": f"Window {n}"})
                        for n, w in config.windows.items()},
            "staff": {s: mask_name(person.name) for s, person in config.staff.items()}}


def from_store(store, day: str, config, now: float) -> dict:
    """The `report` action's `daily` part: the ledger replayed, the day's follow-ups as they stand."""
    try:
        followups = list(store.db.query("SELECT * FROM followups WHERE day = ?", [day]))
    except sqlite3.OperationalError:  # a store without follow-up records
        followups = []
    return day_report(day, ledger_of_day(store, day), timezone=config.timezone, names=names_of(config),
                      followups=followups, now=now)

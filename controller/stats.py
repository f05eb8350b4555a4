"""Counts and times of a service day, from ticket rows (today's from the engine, past days from the store)."""
from __future__ import annotations

from typing import Iterable

SERVED_STATUSES = ("done",)


def _avg(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _blank() -> dict:
    return {"issued": 0, "served": 0, "no_show": 0, "waiting": 0, "held": 0, "expired": 0, "transferred": 0,
            "_waits": [], "_services": []}


def _finish(bucket: dict) -> dict:
    waits, services = bucket.pop("_waits"), bucket.pop("_services")
    bucket["avg_wait_s"] = _avg(waits)
    bucket["max_wait_s"] = round(max(waits), 1) if waits else None
    bucket["avg_service_s"] = _avg(services)
    return bucket


def ratings_summary(tickets: list[dict], followups: list[dict]) -> dict:
    """好差评 figures: 主动评价率 (rated / served), 好评率 (levels 3-5 / rated), 差评数, 差评整改率
    (follow-ups closed / 差评) and how many real-name 差评 were followed up in time."""
    served = sum(1 for t in tickets if t["status"] == "done")
    levels = [t["rating_level"] for t in tickets if t.get("rating_level")]
    bad = sum(1 for level in levels if level <= 2)
    closed = [f for f in followups if f["status"] == "closed"]
    real = [f for f in followups if f["real_name"]]
    in_time = [f for f in real if f["closed_at"] is not None and f["closed_at"] <= f["deadline_at"]]
    rate = lambda part, whole: round(100 * part / whole, 1) if whole else None  # noqa: E731
    return {"rated": len(levels), "active_rating_rate": rate(len(levels), served),
            "good_rate": rate(sum(1 for level in levels if level >= 3), len(levels)),
            "bad": bad, "bad_closed": len(closed), "rectification_rate": rate(len(closed), bad),
            "real_name_bad": len(real), "real_name_followed_in_time": len(in_time),
            "by_level": {str(level): levels.count(level) for level in range(5, 0, -1)}}


def summarize(day: str, tickets: Iterable[dict], followups: Iterable[dict] = ()) -> dict:
    """Per hall, category, window and staff member: issued, served, no-shows, waits and service times."""
    tickets = list(tickets)
    total, categories, windows, staff = _blank(), {}, {}, {}
    for t in tickets:
        buckets = [total, categories.setdefault(t["category"], _blank())]
        if t.get("window") is not None:
            buckets.append(windows.setdefault(str(t["window"]), _blank()))
        if t.get("staff_id"):
            buckets.append(staff.setdefault(t["staff_id"], _blank()))
        status = t["status"]
        for b in buckets:
            b["issued"] += 1
            b["transferred"] += 1 if t.get("transfers") else 0
            if status == "done":
                b["served"] += 1
            elif status in ("no_show", "waiting", "held", "expired"):
                b[status] += 1
            if t.get("called_at") is not None:
                b["_waits"].append(t["called_at"] - t["issued_at"])
            if status == "done" and t.get("started_at") is not None:
                b["_services"].append(t["finished_at"] - t["started_at"])
    return {"day": day, "total": _finish(total), "ratings": ratings_summary(tickets, list(followups)),
            "categories": {k: _finish(v) for k, v in sorted(categories.items())},
            "windows": {k: _finish(v) for k, v in sorted(windows.items(), key=lambda kv: int(kv[0]))},
            "staff": {k: _finish(v) for k, v in sorted(staff.items())}}

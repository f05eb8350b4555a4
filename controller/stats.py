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


def summarize(day: str, tickets: Iterable[dict]) -> dict:
    """Per hall, category, window and staff member: issued, served, no-shows, waits and service times."""
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
    return {"day": day, "total": _finish(total),
            "categories": {k: _finish(v) for k, v in sorted(categories.items())},
            "windows": {k: _finish(v) for k, v in sorted(windows.items(), key=lambda kv: int(kv[0]))},
            "staff": {k: _finish(v) for k, v in sorted(staff.items())}}

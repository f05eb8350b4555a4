"""`window_stats`: today's figures of one window and of the member of staff working there.

`stats` is an admin action (the whole hall, every member of staff). A window's caller app only
needs its own line — how many it has served today and the average service time — so it gets a
window action that returns just that. It is computed by controller/stats.py, as `stats` is, so
the caller and the admin report never disagree. It reads and changes nothing else.
"""
from __future__ import annotations

from .actions import action
from .stats import summarize

FIGURES = ("served", "no_show", "transferred", "avg_wait_s", "avg_service_s")


def _pick(bucket: dict | None) -> dict:
    bucket = bucket or {}
    return {key: bucket.get(key, 0 if not key.startswith("avg") else None) for key in FIGURES}


@action("window_stats")
def window_stats(engine, change, window):
    staff_id = window.staff_id
    rows = [t.row() for t in engine.tickets.values()
            if t.window == window.number or (staff_id is not None and t.staff_id == staff_id)]
    summary = summarize(engine.day, rows)
    change.out.result = {"window": window.number, "day": engine.day,
                         **_pick(summary["windows"].get(str(window.number))),
                         "staff_id": staff_id,
                         "staff": _pick(summary["staff"].get(staff_id)) if staff_id else None}

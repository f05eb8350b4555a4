"""`window_stats`: today's figures of one window and of the member of staff working there.

`stats` is an admin action (the whole hall, every member of staff). A window's caller app only
needs its own line — how many it has served today and the average service time — so it gets a
window action that returns just that. It reads the engine's running figures of the day
(controller/figures.py), the very buckets `stats` and the daily report show, so the caller and
the admin never disagree. It reads and changes nothing else.
"""
from __future__ import annotations

from .figures import window_line


def window_stats(engine, change, window):
    staff_id, figures = window.staff_id, engine.figures
    when = {"timezone": engine.config.timezone, "now": change.now}
    change.out.result = {"window": window.number, "day": engine.day,
                         **window_line(figures.window(window.number, **when)), "staff_id": staff_id,
                         "staff": window_line(figures.member(staff_id, **when)) if staff_id else None}

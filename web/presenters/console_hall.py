"""大厅实况 for the console: every window (staff masked, status, ticket, this service's time, tidal),
the queues and their waits, and today's figures from the controller's `stats` (controller/figures.py,
their one definition). One dict per language, never per user: every role sees the same hall and
the same bytes go to every open page (web/live.py)."""
from __future__ import annotations

from appkit.texts import wait_text
from contract.bilingual import bi
from contract.hall import WINDOW_STATUS, HallMirror

from .. import console_words as cw
from .. import words as w
from ..words import fmt, say


def duration(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return say(cw.NOBODY, lang)
    seconds = max(0, int(seconds))
    return fmt(cw.MINUTES, lang, m=seconds // 60, s=seconds % 60)


def desk_now(hall: HallMirror, stats: dict | None, stats_at: float | None, lang: str, online: bool = True) -> dict:
    texts = {key: say(pair, lang) for key, pair in (
        ("windows", cw.WINDOWS), ("window", cw.WINDOW), ("staff", cw.STAFF), ("status", cw.STATUS),
        ("ticket", cw.TICKET), ("service_time", cw.SERVICE_TIME), ("serves", cw.SERVES), ("served", cw.SERVED),
        ("queues", cw.QUEUES), ("category", cw.CATEGORY), ("waiting", cw.WAITING), ("est_wait", cw.EST_WAIT),
        ("open_for", cw.OPEN_FOR), ("today", cw.TODAY))}
    texts["offline"] = "" if online else say(cw.OFFLINE, lang)
    if not (hall.ready and "queues" in hall.arrived):
        return {"ready": False, "texts": texts, "not_yet": say(cw.NOT_YET, lang)}
    return {"ready": True, "texts": texts, "windows": windows(hall, stats, lang), "queues": queues(hall, lang),
            "figures": figures(stats, lang), "no_figures": say(cw.NO_FIGURES, lang),
            "figures_at": fmt(cw.FIGURES_AT, lang, time=hall.hall_time(stats_at).strftime("%H:%M:%S"))
            if stats_at else "",
            "updated": fmt(cw.UPDATED, lang, time=hall.hall_time().strftime("%H:%M:%S"))}


def windows(hall: HallMirror, stats: dict | None, lang: str) -> list[dict]:
    now, served = hall.hall_now(), (stats or {}).get("windows", {})
    rows = []
    for number in hall.window_numbers():
        state = hall.window(number)
        status = state.status if state else "closed"
        current = state.current if state else None
        began = current and (current.started_at or current.called_at)
        staff, staff_id = hall.staff_at(number)
        primary, secondary = hall.serves(number)
        tidal = ""
        if state and state.tidal:
            tidal = say(cw.TIDAL, lang) + (say(cw.PINNED, lang) if state.tidal_pinned else "")
        rows.append({"number": number, "name": say(hall.window_name(number), lang), "state": status,
                     "status": say(WINDOW_STATUS[status], lang),
                     "staff": f"{staff} {staff_id}".strip() or say(cw.NOBODY, lang),
                     "ticket": current.number if current else "",
                     "service_time": duration(now - began, lang) if began else "",
                     "serves": w.list_of([say(hall.category_name(c), lang) for c in primary + secondary], lang),
                     "tidal": tidal, "served": str(served.get(str(number), {}).get("served", 0))})
    return rows


def queues(hall: HallMirror, lang: str) -> list[dict]:
    return [{"code": cat.code, "name": say(cat.name, lang), "waiting": str(cat.waiting),
             "wait": say(bi(wait_text(cat.est_wait_s)), lang),
             "windows": w.list_of([fmt(w.WINDOW_SHORT, lang, n=n) for n in hall.serving_windows(cat.code)], lang)}
            for cat in hall.categories()]


def figures(stats: dict | None, lang: str) -> list[dict]:
    """Today's figures of the whole hall, as `stats` gives them; [] until they have come."""
    if not stats:
        return []
    hall = stats.get("hall", {})
    avg = hall.get("avg_rating")
    return [{"key": key, "label": say(label, lang), "value": value} for key, label, value in (
        ("issued", cw.ISSUED, str(hall.get("issued", 0))), ("served", cw.SERVED, str(hall.get("served", 0))),
        ("no_show", cw.NO_SHOW, str(hall.get("no_show", 0))),
        ("avg_wait", cw.AVG_WAIT, duration(hall.get("avg_wait_s"), lang)),
        ("max_wait", cw.MAX_WAIT, duration(hall.get("max_wait_s"), lang)),
        ("avg_service", cw.AVG_SERVICE, duration(hall.get("avg_service_s"), lang)),
        ("avg_rating", cw.AVG_RATING, f"{avg:.1f}" if isinstance(avg, (int, float)) else say(cw.NOBODY, lang)),
        ("bad_ratings", cw.BAD_RATINGS, str(hall.get("bad_ratings", 0))))]

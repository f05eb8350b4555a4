"""办事大厅 now: the queues, their waits and windows, which windows are open, the latest calls.

The page and its live part are one dict: the live part (`hall_now`) is rendered again for every
change of the hall and sent to every open page (web/live.py), so it depends on the language
only, never on the visitor.
"""
from __future__ import annotations

from appkit.texts import wait_text
from contract.bilingual import bi
from contract.hall import WINDOW_STATUS, HallMirror

from .. import words as w
from ..words import fmt, say

CALLS_SHOWN = 8


def hall_now(hall: HallMirror, lang: str, online: bool = True) -> dict:
    """`online`: the controller's heartbeat is live; if not, the page says its figures may be old."""
    ready = hall.ready and "queues" in hall.arrived
    texts = {"queues": say(w.QUEUES, lang), "category": say(w.CATEGORY, lang), "waiting": say(w.WAITING, lang),
             "wait": say(w.WAIT, lang), "windows_for": say(w.WINDOWS_FOR, lang),
             "windows": say(w.OPEN_WINDOWS, lang), "calls": say(w.RECENT_CALLS, lang),
             "offline": "" if online else say(w.OFFLINE, lang)}
    if not ready:
        return {"ready": False, "not_yet": say(w.NOT_YET, lang), "texts": texts}
    return {"ready": True, "texts": texts, "queues": queues(hall, lang), **windows(hall, lang),
            "calls": calls(hall, lang), "no_calls": say(w.NO_CALLS, lang),
            "updated": fmt(w.UPDATED, lang, time=hall.hall_time().strftime("%H:%M:%S"))}


def queues(hall: HallMirror, lang: str) -> list[dict]:
    rows = []
    for cat in hall.categories():
        numbers = [fmt(w.WINDOW_SHORT, lang, n=n) for n in hall.serving_windows(cat.code)]
        rows.append({"code": cat.code, "name": say(cat.name, lang), "waiting": fmt(w.PEOPLE, lang, n=cat.waiting),
                     "wait": say(bi(wait_text(cat.est_wait_s)), lang), "windows": w.list_of(numbers, lang)})
    return rows


def windows(hall: HallMirror, lang: str) -> dict:
    numbers = hall.window_numbers()
    rows = []
    for number in numbers:
        state = hall.window(number)
        status = state.status if state else "closed"
        if status == "closed":
            continue
        rows.append({"name": say(hall.window_name(number), lang), "state": status,
                     "status": say(WINDOW_STATUS[status], lang),
                     "number": state.current.number if state and state.current else ""})
    return {"windows": rows, "open_count": fmt(w.OPEN_COUNT, lang, open=len(rows), all=len(numbers)),
            "no_window": say(w.NO_WINDOW_OPEN, lang)}


def calls(hall: HallMirror, lang: str) -> list[dict]:
    return [{"number": call.number, "window": say(hall.window_name(call.window), lang),
             "time": hall.hall_time(call.at).strftime("%H:%M")} for call in hall.calls[:CALLS_SHOWN]]

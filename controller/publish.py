"""The retained state and the events the controller publishes, built from the engine."""
from __future__ import annotations

import heapq

from contract.calls import call_text
from contract.privacy import mask_name

from . import alerts, calling, notices
from .calling import arrival
from .model import CALLABLE_BACK, Event

TICKET_EVENT_KINDS = {
    "ticket_issued": "issued", "ticket_started": "started", "ticket_finished": "finished",
    "ticket_no_show": "no_show", "ticket_held": "held", "ticket_transferred": "transferred",
    "ticket_closed_by_day_end": "closed_by_day_end",
}
CALL_EVENT_KINDS = ("ticket_called", "ticket_recalled")  # also what the store rebuilds the calls from


def queues_state(engine, now: float) -> dict:
    counts: dict[str, list[int]] = {code: [0, 0] for code in engine.config.categories}
    for ticket in engine.waiting.values():
        if ticket.category in counts:
            counts[ticket.category][0] += 1
            counts[ticket.category][1] += ticket.is_priority
    entries = []
    for code, cat in sorted(engine.config.categories.items(), key=lambda kv: (kv[1].order, kv[0])):
        waiting, priority = counts[code]
        entries.append({"code": code, "prefix": cat.prefix, "name": cat.name.model_dump(), "waiting": waiting,
                        "priority_waiting": priority, "est_wait_s": engine.est_wait_s(code, waiting),
                        "open_windows": engine.open_windows(code), "next": likely_next(engine, code, now)})
    return {"at": now, "day": engine.day, "categories": entries}


NEXT_SHOWN = 5


def likely_next(engine, code: str, now: float) -> list[str]:
    """The numbers a window serving this category would likely call next, for the caller app.

    calling.choose_next's order without a window's priority streak: appointments, then tickets
    past the aging limit, then priority groups, then arrival. Tickets sent to one window are left
    out (only that window calls them). O(waiting of the category), like the counts above.
    """
    max_wait = engine.config.queue.max_wait_s

    def order(ticket) -> tuple:
        rank = 0 if calling.booked(ticket, now) else 1 if now - ticket.issued_at >= max_wait else \
            2 if ticket.is_priority else 4 if calling.waits_for_slot(ticket, now) else 3
        return (rank, *arrival(ticket))

    pool = (t for t in engine.waiting_in.get(code, {}).values() if t.target_window is None)
    return [t.number for t in heapq.nsmallest(NEXT_SHOWN, pool, key=order)]


def window_states(engine, numbers, now: float) -> dict[int, dict | None]:
    """state/window/<n> of each window (None: not in the config any more), the tickets set aside
    at each found in one pass over the day's tickets."""
    numbers = list(numbers)
    wanted = set(numbers)
    held: dict[int, list] = {n: [] for n in numbers}
    for ticket in engine.tickets.values():
        if ticket.status in CALLABLE_BACK and ticket.window in wanted:
            held[ticket.window].append(ticket)
    sent = {n: 0 for n in numbers}
    for ticket in engine.waiting.values():
        if ticket.target_window in wanted:
            sent[ticket.target_window] += 1
    return {n: _window_state(engine, n, now, held[n], sent[n]) for n in numbers}


def window_state(engine, number: int, now: float) -> dict | None:
    return window_states(engine, [number], now)[number]


def _window_state(engine, number: int, now: float, held: list, sent: int = 0) -> dict | None:
    window = engine.windows.get(number)
    wcfg = engine.config.windows.get(number)
    if window is None or wcfg is None:
        return None
    staff = engine.config.staff.get(window.staff_id) if window.staff_id else None
    ticket = engine.tickets.get(window.current) if window.current else None
    current = None
    if ticket is not None:
        current = {"id": ticket.id, "number": ticket.number, "category": ticket.category, "status": ticket.status,
                   "called_at": ticket.called_at, "started_at": ticket.started_at,
                   "times_called": ticket.times_called}
    served = engine.tickets.get(window.last_served) if window.last_served else None
    name = wcfg.name.model_dump() if wcfg.name else {"zh": f"{number}号窗口", "en": f"Window {number}"}
    primary, secondary = engine.lists(number)  # as a tidal switch set them
    return {"window": number, "name": name, "status": window.status,
            "staff": mask_name(staff.name) if staff else "", "staff_id": window.staff_id,
            "categories": list(primary), "secondary": list(secondary), "current": current,
            "pause_reason": window.pause_reason, "tidal": window.tidal, "tidal_pinned": window.tidal_pinned,
            "home_categories": list(wcfg.primary), "green_channel": wcfg.green_channel,
            "held": [{"ticket_id": t.id, "number": t.number, "category": t.category, "status": t.status}
                     for t in sorted(held, key=lambda t: (t.last_called_at or t.called_at or 0.0, t.seq))],
            "last_served": {"ticket_id": served.id, "number": served.number, "category": served.category,
                            "finished_at": served.finished_at} if served else None,
            "sent": sent, "at": now}


def windows_touched(outcome) -> set[int]:
    """Windows whose state/window an outcome changed: its own, those of its tickets, and those a
    set-aside ticket left (called back elsewhere, closed at the day's end)."""
    windows = set(outcome.windows)
    windows.update(t["window"] for t in outcome.tickets.values() if t.get("window") is not None)
    windows.update(t["target_window"] for t in outcome.tickets.values() if t.get("target_window") is not None)
    for event in outcome.events:
        before = event.before or {}
        if before.get("status") in CALLABLE_BACK and before.get("window") is not None:
            windows.add(before["window"])
    return windows


def calls_state(engine, now: float) -> dict:
    """The latest calls, newest first, each with the sentence of its last call (a recall's says so)."""
    return {"at": now, "calls": [{**c, "text": call_text(c["number"], c["window"], again=c["times_called"] > 1)}
                                 for c in reversed(engine.calls)]}


def event_messages(event: Event) -> list[tuple[str, dict]]:
    """(event kind, payload) of each message devices hear about this event (often none)."""
    message = event_message(event)
    messages = [message] if message else []
    if event.kind == "ticket_rated" and event.data["bad"]:
        messages.append(("alert", bad_rating_alert(event)))
    if event.kind == "followup_updated" and event.data["status"] == "closed":
        messages.append(("alert", bad_rating_closed(event)))
    if event.kind == "device_reported" and event.data["status"] != "ok":
        messages.append(("alert", device_alert(event)))
    if event.kind == "pin_locked":
        messages.append(("alert", pin_alert(event)))
    if event.kind == "notice_unprinted" or (event.kind == "notice_printed" and (event.before or {}).get("last_error")):
        messages.append(("alert", notices.alert(event)))
    return messages


def pin_alert(event: Event) -> dict:
    """Too many wrong PINs (controller/pins.py): someone may be guessing."""
    data = event.data
    return {"kind": "pin_locked", "level": "red", "lock": data["kind"], "window": data["window"],
            "staff_id": data["staff_id"], "device": event.device, "wrong": data["wrong"], "until": data["until"],
            "text": data["text"], "at": event.at}


def bad_rating_alert(event: Event) -> dict:
    after = event.after
    return {"kind": "bad_rating", "level": "yellow", "window": after["window"], "staff_id": after["staff_id"],
            "ticket_id": event.ticket_id, "number": after["number"], "followup_id": event.data["followup_id"],
            "text": {"zh": f"{after['number']}号对{after['window']}号窗口差评（{event.data['level']}分），请按期回访",
                     "en": f"Poor rating ({event.data['level']}) of window {after['window']} by {after['number']}: "
                           f"follow up in time"},
            "at": event.at}


def bad_rating_closed(event: Event) -> dict:
    """The 差评 alert again, `status: closed`, once its follow-up is closed: the caller drops it."""
    after = event.after
    return {"kind": "bad_rating", "status": "closed", "level": "yellow", "window": after["window"],
            "staff_id": after["staff_id"], "ticket_id": event.ticket_id, "number": after["number"],
            "followup_id": after["id"],
            "text": {"zh": f"{after['number']}号差评回访已办结", "en": f"Follow-up of {after['number']} closed"},
            "at": event.at}


DEVICE_PROBLEMS = {
    "paper_near_end": ("red", "纸将用完", "paper nearly out"),
    "paper_out": ("red", "缺纸", "out of paper"),
    "offline": ("red", "离线", "offline"),
}


def device_alert(event: Event) -> dict:
    level, zh, en = DEVICE_PROBLEMS[event.data["status"]]
    if event.data["status"] == "paper_near_end":
        level = "yellow"
    part_zh = {"printer": "打印机", "id_reader": "身份证读卡器"}[event.data["component"]]
    return {"kind": "device", "level": level, "device": event.device, "component": event.data["component"],
            "status": event.data["status"], "detail": event.data.get("detail"),
            "text": {"zh": f"{event.device} {part_zh}{zh}", "en": f"{event.device} {event.data['component']} {en}"},
            "at": event.at}


def event_message(event: Event) -> tuple[str, dict] | None:
    """The one message most events are heard as."""
    after = event.after or {}
    if event.kind in CALL_EVENT_KINDS:
        return "called", {"ticket_id": event.ticket_id, "number": after["number"], "window": after["window"],
                          "category": after["category"], "times_called": after["times_called"],
                          "text": event.data["text"], "at": event.at}
    if event.kind in TICKET_EVENT_KINDS:
        return "ticket", {"kind": TICKET_EVENT_KINDS[event.kind], "ticket_id": event.ticket_id,
                          "number": after["number"], "category": after["category"], "status": after["status"],
                          "window": after["window"] if after["window"] is not None else event.data.get("from_window"),
                          "at": event.at}
    if event.kind == "config_changed":
        return "config", {"version": event.data["version"], "device": event.device, "at": event.at}
    if event.kind == "rating_invited":
        return "rating", {"kind": "invited", "ticket_id": event.ticket_id, "number": after["number"],
                          "window": event.data["window"], "staff_id": event.data["staff_id"],
                          "category": after["category"], "item": after["item"], "at": event.at}
    if event.kind == "ticket_rated":
        return "rating", {"kind": "rated", "ticket_id": event.ticket_id, "number": after["number"],
                          "window": after["window"], "staff_id": after["staff_id"], "level": event.data["level"],
                          "channel": event.data["channel"], "bad": event.data["bad"], "at": event.at}
    if event.kind in ("tidal_switched", "tidal_pinned"):
        step = "switched" if event.kind == "tidal_switched" else "pinned" if event.data["pinned"] else "unpinned"
        return "tidal", {"kind": step, **event.data, "window": event.window, "at": event.at}
    if event.kind in alerts.EVENT_KINDS:
        return "alert", alerts.message(event)
    return None

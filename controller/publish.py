"""The retained state and the events the controller publishes, built from the engine."""
from __future__ import annotations

from contract.privacy import mask_name

from .model import Event

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
                        "open_windows": engine.open_windows(code)})
    return {"at": now, "day": engine.day, "categories": entries}


def window_state(engine, number: int, now: float) -> dict | None:
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
    name = wcfg.name.model_dump() if wcfg.name else {"zh": f"{number}号窗口", "en": f"Window {number}"}
    return {"window": number, "name": name, "status": window.status,
            "staff": mask_name(staff.name) if staff else "", "staff_id": window.staff_id,
            "categories": list(wcfg.primary), "secondary": list(wcfg.secondary), "current": current,
            "pause_reason": window.pause_reason, "tidal": window.tidal, "green_channel": wcfg.green_channel,
            "at": now}


def calls_state(engine, now: float) -> dict:
    return {"at": now, "calls": list(reversed(engine.calls))}


def event_message(event: Event) -> tuple[str, dict] | None:
    """(event kind, payload) for the events devices hear about, or None."""
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
                          "window": event.data["window"], "staff_id": event.data["staff_id"], "at": event.at}
    return None

"""The console's list of 办件 on the clock: what the controller's `applications` answered (controller/
applications.py), each with its item, status, due date (overdue said), accepting window and tickets,
and a progress form; the form that links an application to a ticket. Plain dicts, one language."""
from __future__ import annotations

from contract.hall import HallMirror

from .. import console_words as cw
from ..words import fmt, say

# the statuses a console user may set, in the order an application goes (controller/applications.py)
STATUSES = ("accepted", "in_progress", "supplement", "result_ready", "collected", "refused", "closed")


def application_list(hall: HallMirror, applications: list[dict], lang: str, *, can_change: bool, error: str = "",
                     done: str = "") -> dict:
    statuses = [{"value": s, "label": say(cw.APPLICATION_STATUSES[s], lang)} for s in STATUSES]
    rows = []  # each row's status choices start at its own status: a step is the next one, chosen from there
    for a in applications:
        date = hall.hall_time(a["due_at"]).strftime("%Y-%m-%d") if a.get("due_at") else ""
        where = fmt(cw.APPLICATION_WHERE, lang, window=say(hall.window_name(a["window"]), lang)) \
            if a.get("window") else ""
        rows.append({"no": a["application_no"], "item": str((a.get("item_name") or {}).get(lang) or a.get("item", "")),
                     "status": str((a.get("status_text") or {}).get(lang) or a.get("status", "")),
                     "paused": str((a.get("paused_text") or {}).get(lang) or ""),
                     "due": fmt(cw.APPLICATION_LATE if a.get("overdue") else cw.APPLICATION_DUE, lang, date=date),
                     "late": bool(a.get("overdue")), "where": where,
                     "statuses": [{**choice, "selected": choice["value"] == a.get("status")} for choice in statuses],
                     "action": f"/console/applications/{a['application_no']}/step"})
    return {"heading": say(cw.OPEN_APPLICATIONS, lang), "none": say(cw.NO_APPLICATIONS, lang), "rows": rows,
            "can_change": can_change, "error": error, "done": done,
            "texts": {name: say(getattr(cw, name), lang) for name in (
                "APPLICATION_STEP", "APPLICATION_STATUS", "APPLICATION_NOTE", "LINK_APPLICATION", "LINK_NUMBER",
                "LINK_TICKET", "LINK_ITEM", "LINK")},
            "item_choices": [{"value": i.id, "label": f"{i.id} {say(i.name, lang)}"} for i in hall.items()]}

"""好差评: ratings of a service and the follow-up every 差评 starts.

A rating belongs to one ticket and is made once. Levels 1 and 2 are 差评:
they must carry a reason and open a follow-up (回访, then 整改 / 解释说明 /
申诉复核, then closed with the citizen's verdict) that is due after a number of
working days. Follow-ups outlive the service day, so they live in the store,
not in the engine; this module holds their rules as plain functions.
"""
from __future__ import annotations

import json

from contract.errors import CommandError

LEVELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
BAD_LEVELS = (1, 2)
CHANNELS = ("evaluator", "kiosk", "qr")

# status -> (zh, en, statuses it may move to)
FOLLOWUP_FLOW: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "open": ("待回访", "Awaiting a call", ("visited",)),
    "visited": ("已回访", "Citizen called", ("rectifying", "explaining", "appealing", "closed")),
    "rectifying": ("整改中", "Being put right", ("closed",)),
    "explaining": ("解释说明", "Explained to the citizen", ("closed",)),
    "appealing": ("申诉复核中", "Under appeal review", ("closed", "rectifying", "explaining")),
    "closed": ("已办结", "Closed", ()),
}
VERDICTS = ("satisfied", "unsatisfied")


def check_reasons(level: int, reasons: list[str], known: dict) -> None:
    unknown = [r for r in reasons if r not in known]
    if unknown:
        raise CommandError("bad_request", f"reasons: unknown reason {unknown[0]!r} (known: {', '.join(known)})",
                           "评价原因无效")
    if level in BAD_LEVELS and not reasons:
        raise CommandError("bad_request", "reasons: a rating of 1 or 2 needs at least one reason",
                           "不满意的评价请至少选择一个原因")


def rating_row(ticket, *, level: int, reasons: list[str], comment: str | None, channel: str,
               device: str, now: float) -> dict:
    return {"ticket_id": ticket.id, "day": ticket.day, "number": ticket.number, "category": ticket.category,
            "item": ticket.item, "window": ticket.window, "staff_id": ticket.staff_id, "level": level,
            "bad": level in BAD_LEVELS, "reasons": json.dumps(reasons, ensure_ascii=False), "comment": comment,
            "channel": channel, "device": device, "at": now,
            "real_name": bool(ticket.applicant_id_hash or ticket.applicant_phone)}


def new_followup(rating: dict, deadline_at: float, phone: str | None, now: float) -> dict:
    return {"id": f"FU-{rating['ticket_id']}", "ticket_id": rating["ticket_id"], "number": rating["number"],
            "day": rating["day"], "window": rating["window"], "staff_id": rating["staff_id"],
            "level": rating["level"], "reasons": rating["reasons"], "real_name": rating["real_name"],
            "phone": phone, "opened_at": now, "deadline_at": deadline_at, "status": "open", "verdict": None,
            "closed_at": None, "updated_at": now,
            "history": json.dumps([{"at": now, "status": "open", "note": "", "by": "controller"}], ensure_ascii=False)}


def advance(followup: dict, status: str, note: str, verdict: str | None, device: str, now: float) -> dict:
    """The follow-up after one step, or CommandError if the step is not allowed."""
    if status not in FOLLOWUP_FLOW:
        raise CommandError("bad_request", f"status: one of {', '.join(FOLLOWUP_FLOW)}", "回访状态无效")
    current = followup["status"]
    if status not in FOLLOWUP_FLOW[current][2]:
        raise CommandError("invalid_state", f"a follow-up that is {current} cannot become {status}",
                           f"当前为“{FOLLOWUP_FLOW[current][0]}”，不能改为“{FOLLOWUP_FLOW[status][0]}”")
    if status == "closed" and verdict not in VERDICTS:
        raise CommandError("bad_request", "verdict: closing needs the citizen's verdict (satisfied / unsatisfied)",
                           "办结时请填写群众评价结果")
    if status != "closed" and verdict is not None:
        raise CommandError("bad_request", "verdict: only when closing", "仅办结时填写群众评价结果")
    history = json.loads(followup["history"]) + [{"at": now, "status": status, "note": note, "by": device}]
    return {**followup, "status": status, "verdict": verdict, "updated_at": now,
            "closed_at": now if status == "closed" else None,
            "history": json.dumps(history, ensure_ascii=False)}


def public_followup(row: dict, now: float) -> dict:
    """A follow-up as admins see it: the phone masked, history decoded, overdue worked out."""
    from contract.privacy import mask_phone

    zh, en, _ = FOLLOWUP_FLOW[row["status"]]
    return {**{k: v for k, v in row.items() if k not in ("phone", "history", "reasons")},
            "phone": mask_phone(row.get("phone")), "status_text": {"zh": zh, "en": en},
            "reasons": json.loads(row["reasons"]), "history": json.loads(row["history"]),
            "real_name": bool(row["real_name"]),
            "overdue": (row["closed_at"] or now) > row["deadline_at"]}

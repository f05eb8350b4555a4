"""好差评: ratings of a service and the follow-up every 差评 starts.

A rating belongs to one ticket and is made once. Levels 1 and 2 are 差评:
they must carry a reason and open a follow-up (回访, then 整改 / 解释说明 /
申诉复核, then closed with the citizen's verdict) that is due after a number of
working days. A follow-up is a case of kind `rating_followup`: its life cycle is
controller/cases.py's, shared with complaints and consultations;
`followup_update` and `followups` are that module's steps under their old names.
"""
from __future__ import annotations

import json

from contract.errors import CommandError

from . import applications, cases, outbox, tokens
from .model import CALLED, DONE, SERVING

LEVELS: dict[int, tuple[str, str]] = {
    5: ("非常满意", "Very satisfied"),
    4: ("满意", "Satisfied"),
    3: ("基本满意", "Fairly satisfied"),
    2: ("不满意", "Dissatisfied"),
    1: ("非常不满意", "Very dissatisfied"),
}
BAD_LEVELS = (1, 2)

FOLLOWUP_FLOW = cases.FLOW  # one case life cycle (controller/cases.py)
VERDICTS = cases.VERDICTS


def check_reasons(level: int, reasons: list[str], known: dict) -> None:
    unknown = [r for r in reasons if r not in known]
    if unknown:
        raise CommandError("bad_request", f"reasons: unknown reason {unknown[0]!r} (known: {', '.join(known)})",
                           "评价原因无效")
    if level in BAD_LEVELS and not reasons:
        raise CommandError("bad_request", "reasons: a rating of 1 or 2 needs at least one reason",
                           "不满意的评价请至少选择一个原因")


def rated_ticket(tickets: dict, by_token: dict, *, ticket_id: str | None, rating_token: str | None,
                 window: int | None):
    """The ticket a rating is for, if the sender may rate it, or CommandError.

    A ticket id is guessable (`<day>-<number>`), so rating by id is only for the
    window's own evaluator (`evaluator-<n>`, or a bridge acting for window n:
    `window` is then n) and only for a ticket that window served; anyone else
    needs the ticket's unguessable rating token, and is refused `forbidden`
    before the id is looked up, so the refusal says nothing about the ticket.
    """
    if (ticket_id is None) == (rating_token is None):
        raise CommandError("bad_request", "give either ticket_id or rating_token", "请提供号码或评价码")
    if ticket_id is not None:
        if window is None:
            raise CommandError("forbidden", "rating by ticket_id is for the window's own evaluator: give the "
                               "ticket's rating_token", "请扫描或输入小票上的评价码")
        ticket = tickets.get(ticket_id)
    else:
        ticket = by_token.get(rating_token)
    if ticket is None:
        raise CommandError("not_found", "no such ticket today (ratings are taken on the day of service)",
                           "未找到该号码（仅可评价当天办理的业务）")
    if window is not None and ticket.window != window:
        raise CommandError("forbidden", f"{ticket.number} was not served at window {window}",
                           f"{ticket.number}号不是在{window}号窗口办理的")
    if ticket.status not in (CALLED, SERVING, DONE):
        raise CommandError("invalid_state", f"{ticket.number} has not been served yet", f"{ticket.number}号尚未办理")
    if ticket.rating_level is not None:
        raise CommandError("duplicate", f"{ticket.number} has already been rated", f"{ticket.number}号已经评价过了")
    return ticket


def rating_row(ticket, *, level: int, reasons: list[str], comment: str | None, channel: str,
               device: str, now: float) -> dict:
    return {"ticket_id": ticket.id, "day": ticket.day, "number": ticket.number, "category": ticket.category,
            "item": ticket.item, "window": ticket.window, "staff_id": ticket.staff_id, "level": level,
            "bad": level in BAD_LEVELS, "reasons": json.dumps(reasons, ensure_ascii=False), "comment": comment,
            "channel": channel, "device": device, "at": now,
            "real_name": bool(ticket.applicant_id_hash or ticket.applicant_phone)}


def new_followup(rating: dict, deadline_at: float, phone: str | None, now: float) -> dict:
    """The case a 差评 opens (kind rating_followup), named after its ticket."""
    return cases.new_case("rating_followup", case_id=f"FU-{rating['ticket_id']}", now=now, deadline_at=deadline_at,
                          channel="rating", by="controller", phone=phone, real_name=rating["real_name"],
                          item=rating.get("item"), category=rating.get("category"), ticket_id=rating["ticket_id"],
                          number=rating["number"], day=rating["day"], window=rating["window"],
                          staff_id=rating["staff_id"], level=rating["level"], reasons=rating["reasons"])


advance = cases.advance
public_followup = cases.public_case


# --- actions -----------------------------------------------------------------------------


def rate(engine, change, window=None, *, level, ticket_id=None, rating_token=None, reasons=(), comment=None,
         channel=None, contact=None):
    """好差评 of a ticket called to a window (keypad windows have no start key, so a ticket is
    rated while called too); a 差评 (1-2) opens a follow-up due in working days. `window` is
    the window a window's evaluator rates for (`rated_ticket` says who may rate what). A citizen's
    phone (`web-*`) rates by token only (an id without a window is refused by `rated_ticket`), for
    `ratings.qr_days` days (controller/tokens.py), always channel qr, and may leave a phone number
    for the 回访 (`contact`)."""
    by_token = engine.by_token
    if change.device.startswith("web-"):
        found = tokens.find_by_token(engine, change.stored, rating_token) if rating_token else None
        by_token, channel = ({rating_token: found} if found else {}), "qr"
    ticket = rated_ticket(engine.tickets, by_token, ticket_id=ticket_id, rating_token=rating_token,
                          window=window.number if window is not None else None)
    reasons = list(reasons)
    check_reasons(level, reasons, engine.config.ratings.reasons)
    if channel is None:
        channel = "evaluator" if window is not None else "kiosk"
    before = ticket.row()
    ticket.rating_level, ticket.rated_at = level, change.now
    row = rating_row(ticket, level=level, reasons=reasons, comment=comment, channel=channel,
                     device=change.device, now=change.now)
    change.record("ratings", ticket.id, row)
    if engine.config.rating_reports.enabled:  # reported to the provincial platform: queued in this batch
        entry = outbox.rating_entry(engine.config, row, LEVELS[level][0],
                                    outbox.application_of(change.stored, engine.config, ticket.id))
        change.record("outbox", entry["id"], entry)
    followup_id = None
    if row["bad"]:
        due = cases.due(engine.config, "rating_followup", change.now)
        followup = new_followup(row, due, contact or ticket.applicant_phone, change.now)
        followup_id = followup["id"]
        change.record("followups", followup_id, followup)
    change.ticket("ticket_rated", ticket, before, level=level, channel=channel, bad=row["bad"],
                  followup_id=followup_id, reasons=reasons)
    # contact: a phone number to call back on (the rating's or the ticket's): a 回访 is promised only then
    change.out.result = {"rating": {"ticket_id": ticket.id, "number": ticket.number, "level": level,
                                    "bad": row["bad"], "followup_id": followup_id,
                                    "contact": bool(contact or ticket.applicant_phone)}}


def followup_update(engine, change, followup_id, status, note, verdict=None, reply=None, assignee=None):
    """An admin's step in a 差评 follow-up: the case step of controller/cases.py, answered as before."""
    cases.case_update(engine, change, followup_id, status, note, verdict, reply, assignee)
    change.out.result = {"followup": change.out.result["case"]}


def followups(engine, change, status=None, overdue=False):
    cases.list_cases(engine, change, "rating_followup", status, overdue)
    change.out.result = {"followups": change.out.result["cases"]}


def linked(row: dict, config, followup: dict | None) -> dict:
    """A rating as the business system of its 办件 reads it: level, reasons, channel, time (the
    hall's clock), window, item and, once its 差评 follow-up is closed, the rectification — never the
    citizen's phone, name or comment, nor the staff member."""
    reasons = json.loads(row["reasons"] or "[]")
    known = config.ratings.reasons
    zh, en = LEVELS[row["level"]]
    rectification = None
    if followup is not None and followup["status"] == "closed":
        rectification = {"result": outbox.rectified_by(json.loads(followup["history"])), "reply": followup.get("reply"),
                         "verdict": followup.get("verdict"), "closed_at": followup["closed_at"],
                         "closed_hall": applications.hall_time(followup["closed_at"], config.timezone),
                         "on_time": followup["closed_at"] <= followup["deadline_at"]}
    return {"ticket_id": row["ticket_id"], "number": row["number"], "level": row["level"],
            "level_text": {"zh": zh, "en": en}, "bad": bool(row["bad"]), "reasons": reasons,
            "reason_texts": [known[r].model_dump() if r in known else {"zh": r, "en": r} for r in reasons],
            "channel": row["channel"], "at": row["at"], "at_hall": applications.hall_time(row["at"], config.timezone),
            "window": row["window"], "item": row["item"],
            "followup": None if followup is None else followup["status"], "rectification": rectification}


def application_record(engine, change, application_no):
    """`application` (admin): one 办件 as its business system reconciles it — status, due date,
    on time, linked tickets, steps — with the ratings of its tickets; `not_found` for a number the
    hall does not have."""
    row = change.stored.get("applications", application_no)
    if row is None:
        raise CommandError("not_found", f"no application {application_no!r}", "没有该办件")
    config = engine.config
    found = []
    for ticket_id in json.loads(row.get("tickets") or "[]"):
        rating = change.stored.get("ratings", ticket_id)
        if rating is not None:
            found.append(linked(rating, config, change.stored.get("followups", f"FU-{ticket_id}")))
    change.out.result = {"application": applications.reconciled(row, config.items, config.timezone),
                         "ratings": found}

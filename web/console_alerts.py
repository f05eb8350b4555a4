"""电子监察 on the console: the open alerts yellow and red with their age, and what the supervision
office does with one — a note (`alert_ack`), a person to handle it (`alert_assign`, chosen from the
console's accounts and the hall's staff, never typed), an order to handle it by a deadline (督办,
`alert_escalate`, a date and a time of the hall's clock) — and each alert's whole trail, with the
overdue mark once a 督办 deadline has passed; today's closed alerts with theirs (`?show=closed`).
Thin handlers on this module's router, whose `route` names each right (web/console_kit.py;
web/console.py adds the router); the controller decides and records who did what, its refusals
shown in words.
"""
from __future__ import annotations

import re

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from . import console_words as cw
from . import words as w
from .accounts import may
from .console_kit import PREFIX, address_of, lang_of, message_of, page, people, route_on, service_day
from .presenters.console_alerts import alerts_board
from .sessions import Session

router = APIRouter(prefix=PREFIX)
route = route_on(router)

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{2}:\d{2}$")
DONE = {"acked": cw.ACK_DONE, "assigned": cw.ASSIGN_DONE, "duban": cw.DUBAN_DONE}


async def board(request: Request, session: Session, *, error: str = "", done: str = "", status: int = 200,
                closed: bool = False):
    """The open alerts with their forms; or (`closed`) today's closed ones, each with its whole trail."""
    site, lang = request.app.state.site, lang_of(request)
    asked = {"status": "closed", "date": service_day(site)} if closed else {"status": "open"}
    reply = await site.desk.ask(session, "alerts", asked)
    if not reply.get("ok"):
        error = error or w.fmt(cw.FAILED, lang, message=message_of(reply, lang))
    found = (reply.get("result") or {}).get("alerts", [])
    can_act = may(session.role, "ack_alerts") and not closed
    return page(request, session, "console/alerts.html", cw.ALERTS, status=status,
                board=alerts_board(site.mirror, found, lang, can_ack=can_act, closed=closed,
                                   people=await people(request, session) if found else {}, error=error, done=done))


@route("GET", "/alerts", "view_alerts")
async def alerts(request: Request, session: Session, acked: int = 0, assigned: int = 0, duban: int = 0,
                 show: str = "") -> Response:
    lang = lang_of(request)
    done = next((w.fmt(DONE[step], lang, id=n) for step, n in (("acked", acked), ("assigned", assigned),
                                                               ("duban", duban)) if 0 < n <= 2**53), "")
    return await board(request, session, done=done, closed=show == "closed")


def alert_of(alert_id: int) -> int:
    if not 1 <= alert_id <= 2**53:
        raise HTTPException(404)
    return alert_id


async def changed(request: Request, session: Session, action: str, fields: dict, step: str, key: str) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    reply = await site.desk.change(session, action, fields, address_of(request), key=key)
    if not reply.get("ok"):
        return await board(request, session, error=w.fmt(cw.FAILED, lang, message=message_of(reply, lang)),
                           status=400)
    return RedirectResponse(f"{PREFIX}/alerts?{step}={fields['alert_id']}", status_code=303)


@route("POST", "/alerts/{alert_id}/ack", "ack_alerts")
async def ack(request: Request, session: Session, alert_id: int, note: str = Form("", max_length=2000)) -> Response:
    alert_id, note = alert_of(alert_id), note.strip()
    if not 1 <= len(note) <= 500:
        return await board(request, session, error=w.say(cw.NOTE_NEEDED, lang_of(request)), status=400)
    return await changed(request, session, "alert_ack", {"alert_id": alert_id, "note": note}, "acked",
                         key=f"ack-{session.user}-{alert_id}-{hash(note)}")


@route("POST", "/alerts/{alert_id}/assign", "order_alerts")
async def assign(request: Request, session: Session, alert_id: int, to: str = Form("", max_length=80)) -> Response:
    alert_id = alert_of(alert_id)
    if to not in await people(request, session):
        return await board(request, session, error=w.say(cw.PICK_PERSON, lang_of(request)), status=400)
    return await changed(request, session, "alert_assign", {"alert_id": alert_id, "to": to}, "assigned",
                         key=f"assign-{session.user}-{alert_id}-{to}")


@route("POST", "/alerts/{alert_id}/escalate", "order_alerts")
async def escalate(request: Request, session: Session, alert_id: int, day: str = Form("", max_length=20),
                   time: str = Form("", max_length=10), note: str = Form("", max_length=2000),
                   to: str = Form("", max_length=80)) -> Response:
    """督办: the deadline is a day and a time of the hall's clock; the controller checks it lies
    ahead, within 90 days."""
    alert_id, note, lang = alert_of(alert_id), note.strip(), lang_of(request)
    if not DATE.match(day) or not TIME.match(time) or not 1 <= len(note) <= 500:
        return await board(request, session, error=w.say(cw.DEADLINE_BAD, lang), status=400)
    if to and to not in await people(request, session):
        return await board(request, session, error=w.say(cw.PICK_PERSON, lang), status=400)
    fields = {"alert_id": alert_id, "deadline": f"{day}T{time}", "note": note, **({"to": to} if to else {})}
    return await changed(request, session, "alert_escalate", fields, "duban",
                         key=f"duban-{session.user}-{alert_id}-{day}T{time}-{hash((note, to))}")

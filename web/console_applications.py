"""The console's 办件 routes: the applications on the clock (due dates, overdue ones said), a progress
step of one, and linking an application to a ticket by its id. Thin handlers like web/console_cases.py:
every field is checked here for shape, and again by the controller, whose refusal is shown in words;
the rights are the case queue's (a social supervisor reads, never changes)."""
from __future__ import annotations

import re

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from . import console_words as cw
from . import words as w
from .accounts import may
from .console_kit import PREFIX, address_of, lang_of, message_of, page, route_on
from .presenters.console_applications import STATUSES, application_list
from .sessions import Session

router = APIRouter(prefix=PREFIX)
route = route_on(router)

APPLICATION_NO = re.compile(r"^[A-Za-z0-9-]{4,40}$")
TICKET_ID = re.compile(r"^\d{4}-\d{2}-\d{2}-[A-Z]\d{3,4}$")
ITEM = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


async def listing(request: Request, session: Session, *, error: str = "", done: str = "", status: int = 200):
    site, lang = request.app.state.site, lang_of(request)
    reply = await site.desk.ask(session, "applications", {})
    if not reply.get("ok"):
        error = error or w.fmt(cw.FAILED, lang, message=message_of(reply, lang))
    return page(request, session, "console/applications.html", cw.APPLICATIONS, status=status,
                listed=application_list(site.mirror, (reply.get("result") or {}).get("applications", []), lang,
                                        can_change=may(session.role, "change_cases"), error=error, done=done))


@route("GET", "/applications", "view_cases")
async def applications(request: Request, session: Session, done: str = "") -> Response:
    lang = lang_of(request)
    return await listing(request, session,
                         done=w.fmt(cw.APPLICATION_DONE, lang, no=done) if APPLICATION_NO.match(done) else "")


async def changed(request: Request, session: Session, action: str, fields: dict, key: str) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    reply = await site.desk.change(session, action, fields, address_of(request), key=key)
    if not reply.get("ok"):
        return await listing(request, session, error=w.fmt(cw.FAILED, lang, message=message_of(reply, lang)),
                             status=400)
    return RedirectResponse(f"{PREFIX}/applications?done={fields['application_no']}", status_code=303)


@route("POST", "/applications/{application_no}/step", "change_cases")
async def step(request: Request, session: Session, application_no: str, status: str = Form("", max_length=20),
               note: str = Form("", max_length=1000)) -> Response:
    if not APPLICATION_NO.match(application_no):
        raise HTTPException(404)
    note = note.strip()
    if status not in STATUSES or len(note) > 500:
        return await listing(request, session, error=w.say(cw.APPLICATION_BAD, lang_of(request)), status=400)
    return await changed(request, session, "progress_set",
                         {"application_no": application_no, "status": status, "note": note},
                         key=f"application-{session.user}-{application_no}-{status}-{hash(note)}")


@route("POST", "/applications/link", "change_cases")
async def link(request: Request, session: Session, application_no: str = Form("", max_length=40),
               ticket_id: str = Form("", max_length=20), item: str = Form("", max_length=32)) -> Response:
    application_no, ticket_id, item = application_no.strip().upper(), ticket_id.strip().upper(), item.strip()
    if not APPLICATION_NO.match(application_no) or not TICKET_ID.match(ticket_id) or (item and not ITEM.match(item)):
        return await listing(request, session, error=w.say(cw.APPLICATION_BAD, lang_of(request)), status=400)
    fields = {"application_no": application_no, "ticket_id": ticket_id, **({"item": item} if item else {})}
    return await changed(request, session, "application_link", fields,
                         key=f"application-link-{session.user}-{application_no}-{ticket_id}")

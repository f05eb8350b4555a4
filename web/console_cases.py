"""The console's case routes: the queue of open cases (差评 follow-ups, complaints, consultations —
controller/cases.py), a step of one case, and registering a complaint or a consultation. Thin
handlers on this module's router, whose `route` names each right (web/console_kit.py; web/console.py
adds the router): every field is checked here for length and shape, and again by the controller,
whose refusal is shown in words on the page. The person a case is given to is chosen from the same
list as an 电子监察 alert's (console_kit.people), never typed: the controller keeps any name (the CLI
writes one), the console sends only one of the list."""
from __future__ import annotations

import re

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from . import console_words as cw
from . import words as w
from .accounts import may
from .console_kit import PREFIX, address_of, lang_of, message_of, page, people, route_on
from .presenters.console_cases import case_queue
from .sessions import Session

router = APIRouter(prefix=PREFIX)
route = route_on(router)

CASE_ID = re.compile(r"^[A-Za-z0-9-]{1,80}$")
STATUSES = ("open", "visited", "rectifying", "explaining", "appealing", "closed")


async def queue(request: Request, session: Session, *, error: str = "", done: str = "", status: int = 200):
    site, lang = request.app.state.site, lang_of(request)
    reply = await site.desk.ask(session, "cases", {})
    stats = await site.desk.ask(session, "stats", {})
    asked = await site.desk.ask(session, "consultation_report", {})
    if not reply.get("ok"):
        error = error or w.fmt(cw.FAILED, lang, message=message_of(reply, lang))
    ratings = ((stats.get("result") or {}).get("ratings") or {}) if stats.get("ok") else {}
    found = (reply.get("result") or {}).get("cases", [])
    return page(request, session, "console/cases.html", cw.CASES, status=status,
                queue=case_queue(site.mirror, found, lang, can_change=may(session.role, "change_cases"),
                                 people=await people(request, session) if found else {},
                                 satisfaction=ratings.get("rectification_satisfaction_rate"),
                                 questions=(asked.get("result") or {}).get("questions", {}), error=error, done=done))


@route("GET", "/cases", "view_cases")
async def cases(request: Request, session: Session, done: str = "") -> Response:
    lang = lang_of(request)
    return await queue(request, session, done=w.fmt(cw.STEP_DONE, lang, id=done) if CASE_ID.match(done) else "")


async def changed(request: Request, session: Session, action: str, fields: dict, key: str) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    reply = await site.desk.change(session, action, fields, address_of(request), key=key)
    if not reply.get("ok"):
        return await queue(request, session, error=w.fmt(cw.FAILED, lang, message=message_of(reply, lang)), status=400)
    case_id = reply["result"]["case"]["id"]
    return RedirectResponse(f"{PREFIX}/cases?done={case_id}", status_code=303)


@route("POST", "/cases/{case_id}/step", "change_cases")
async def step(request: Request, session: Session, case_id: str, status: str = Form("", max_length=20),
               note: str = Form("", max_length=2000), verdict: str = Form("", max_length=20),
               reply: str = Form("", max_length=2000), assignee: str = Form("", max_length=80)) -> Response:
    lang = lang_of(request)
    note, reply = note.strip(), reply.strip()
    if not CASE_ID.match(case_id):
        raise HTTPException(404)
    if assignee and assignee not in await people(request, session):
        return await queue(request, session, error=w.say(cw.PICK_PERSON, lang), status=400)
    if assignee and not note:
        note = f"指派 {assignee} / assigned to {assignee}"
    if status not in STATUSES or not 1 <= len(note) <= 1000 or len(reply) > 1000 \
            or verdict not in ("", "satisfied", "unsatisfied", "anonymous"):
        return await queue(request, session, error=w.say(cw.TEXT_NEEDED, lang), status=400)
    fields = {"case_id": case_id, "status": status, "note": note}
    fields.update({k: v for k, v in (("verdict", verdict), ("reply", reply), ("assignee", assignee)) if v})
    return await changed(request, session, "case_update", fields,
                         key=f"case-{session.user}-{case_id}-{status}-{hash((note, verdict, reply, assignee))}")


@route("POST", "/cases/new", "change_cases")
async def new(request: Request, session: Session, kind: str = Form("", max_length=20),
              text: str = Form("", max_length=2000), channel: str = Form("console", max_length=20),
              item: str = Form("", max_length=40), phone: str = Form("", max_length=20),
              name_given: str = Form("", max_length=5), answer: str = Form("", max_length=2000),
              form_id: str = Form("", max_length=64)) -> Response:
    lang = lang_of(request)
    text, answer, phone = text.strip(), answer.strip(), phone.strip()
    if kind not in ("complaint", "undone", "consultation") or channel not in cw.CHANNELS or not 1 <= len(text) <= 1000 \
            or len(answer) > 1000 or (phone and not re.fullmatch(r"1\d{10}", phone)) \
            or not re.fullmatch(r"[0-9a-f]{16,64}", form_id):
        return await queue(request, session, error=w.say(cw.TEXT_NEEDED, lang), status=400)
    fields = {"kind": kind, "text": text, "channel": channel, "name_given": name_given == "1"}
    fields.update({k: v for k, v in (("item", item), ("phone", phone), ("answer", answer)) if v})
    return await changed(request, session, "case_open", fields, key=f"case-new-{session.user}-{form_id}")

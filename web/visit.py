"""One QR code for the whole visit: the routes of a ticket's page, `/t/<rating_token>` (public listener).

The printed slip's and the kiosk screen's QR code hold this address (contract/hall.py,
`ticket_url`). The page shows the ticket and follows it live (its SSE channel, fed by
web/tickets.py), and once the service is over it is the rating form, which posts (no JavaScript
needed) and is sent to the controller as `rate` with the token, through this process's `web-<name>`
login: stored with channel qr. A token the controller does not know — never issued, mistyped, or
older than `ratings.qr_days` — is the plain 404 of any missing page, whatever the reason.
"""
from __future__ import annotations

import re

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from . import words as w
from .live import Feed, Live
from .presenters.frame import Prefs
from .presenters.ticket import FOLLOWED, outcome_notice_page, ticket_now, ticket_page
from .tickets import TOKEN

router = APIRouter()
FOLLOWS = frozenset({"ticket", "config", "queues", "window", "online"})
PHONE = re.compile(r"^[0-9+\- ]{3,20}$")
MAX_COMMENT = 500


def feeds(site) -> dict[str, Feed]:
    """A ticket's live part, one channel per ticket and language: `ticket:<lang>:<ticket id>`. What
    it says of the hall is looked up once per hall change for all (`HallWords`, cleared by the site),
    and it is rendered again only when its record or those words changed (the key)."""
    words = site.ticket_words

    def key(argument: str):
        lang, _, ticket_id = argument.partition(":")
        record = site.tickets.by_id(ticket_id)
        if record is None:
            return None
        return (site.tickets.revision(ticket_id), words.of(record, lang), site.link.online, site.mirror.config_version)

    def render(argument: str) -> tuple[str, str]:
        lang, _, ticket_id = argument.partition(":")
        record = site.tickets.by_id(ticket_id)
        if record is None:  # forgotten meanwhile: the page reloads and asks again
            return "ticket", '<section class="card ticket" data-reload></section>'
        return "ticket", site.pages.render("ticket_now.html", now=ticket_now(record, site.mirror, lang,
                                                                              site.link.online, words))

    return {"ticket": Feed(FOLLOWS, render, key)}


def channel_of(lang: str, ticket_id: str) -> str:
    return Live.channel("ticket", f"{lang}:{ticket_id}")


async def record_of(request: Request, token: str, *, followed: bool = False) -> dict:
    """The ticket of the token, or the refusal: 404 for any token the controller does not know. With
    `followed`, a ticket still in the queue whose page is open somewhere is taken as that page has it
    (web/tickets.py); once it is done it is asked for, so that the page after a rating (whose event
    may come after the reply) says thank you rather than offering the form again."""
    if not TOKEN.match(token):
        raise HTTPException(404)
    record = request.app.state.site.tickets.followed(token) if followed else None
    if record is not None and record["status"] in FOLLOWED:
        return record
    found = await request.app.state.site.tickets.lookup(token)
    if found.record is None:
        raise HTTPException(404 if found.missing or found.error == "bad_request" else 503)
    return found.record


def show(request: Request, token: str, record: dict, *, status: int = 200, sent: dict | None = None,
         error: str = "") -> Response:
    site, lang = request.app.state.site, Prefs.of(request.cookies).lang
    page = ticket_page(record, site.mirror, lang, site.link.online, sent=sent, error=error, token=token)
    return site.pages.page(request, "ticket.html", w.MY_TICKET, status=status, page=page,
                           events=f"/t/{token}/events", rate_action=f"/t/{token}/rate")


@router.get("/t/{token}")
async def ticket(request: Request, token: str) -> Response:
    return show(request, token, await record_of(request, token, followed=True))


@router.get("/t/{token}/notice")
async def ticket_notice(request: Request, token: str) -> Response:
    """The ticket's 补正材料通知书 or 不予受理通知书, to read and print (the window's printer prints the same
    words where it has one). A ticket with no such notice (waiting, or served otherwise) is sent on to its
    item's 一次性告知单, or back to its own page."""
    record = await record_of(request, token)
    site, lang = request.app.state.site, Prefs.of(request.cookies).lang
    page = outcome_notice_page(record, site.mirror, lang, token)
    if page is None:
        item = record.get("item")
        where = f"/guides/{item}/notice" if site.mirror.item(item) is not None else f"/t/{token}"
        return RedirectResponse(where, status_code=303)
    return site.pages.page(request, "notice.html", w.OUTCOME_NOTICE, page=page)


@router.get("/t/{token}/events")
async def ticket_events(request: Request, token: str) -> Response:
    site = request.app.state.site
    record = site.tickets.by_token(token) if TOKEN.match(token) else None
    if record is None:  # the process restarted, or the record was let go: ask again
        record = await record_of(request, token)
    channel = channel_of(Prefs.of(request.cookies).lang, record["id"])
    stream = site.hub.open([channel])
    if stream is None:
        raise HTTPException(503)
    return site.hub.response(stream, [site.live.first(channel)])


@router.post("/t/{token}/rate")
async def rate(request: Request, token: str, level: str = Form(""), reasons: list[str] = Form([]),
               comment: str = Form(""), contact: str = Form("")) -> Response:
    site, lang = request.app.state.site, Prefs.of(request.cookies).lang
    record = await record_of(request, token)
    known = site.mirror.reasons()
    sent = {"level": int(level) if level in ("1", "2", "3", "4", "5") else None,
            "reasons": [r for r in dict.fromkeys(reasons) if r in known][:len(known)],
            "comment": comment.strip()[:MAX_COMMENT], "contact": contact.strip()[:20]}
    if not record.get("rateable"):
        return RedirectResponse(f"/t/{token}", status_code=303)
    problem = None
    if sent["level"] is None:
        problem = w.NEED_LEVEL
    elif sent["level"] <= 2 and not sent["reasons"]:
        problem = w.NEED_REASON
    elif sent["contact"] and not PHONE.match(sent["contact"]):
        problem = w.BAD_CONTACT
    if problem is not None:
        return show(request, token, record, status=400, sent=sent, error=w.say(problem, lang))
    fields = {"rating_token": token, "level": sent["level"], "reasons": sent["reasons"], "channel": "qr",
              **({"comment": sent["comment"]} if sent["comment"] else {}),
              **({"contact": sent["contact"]} if sent["contact"] else {})}
    reply = await site.link.public.send("rate", fields, key=f"rate:{token}")
    if reply.get("ok") or (reply.get("error") or {}).get("code") == "duplicate":
        return RedirectResponse(f"/t/{token}", status_code=303)  # the page now says thank you
    error = reply.get("error") or {}
    said = error.get("message_zh" if lang == "zh" else "message") if error.get("code") == "bad_request" else None
    return show(request, token, record, status=400 if said else 503, sent=sent,
                error=said or w.say(w.NOT_SENT, lang))

"""线上取号 on the phone, the routes (`/take…`, public listener): service → mobile number → the code
from the SMS → a redirect to the ticket's own page (`/t/<rating_token>`, web/visit.py).

Off by default: while the hall's `remote_ticket` is off, /take says so and is not in the menu.
Choosing a service reads only (links, GET). The mobile number and the code are posted and
answered in that response only (`Cache-Control: no-store`); the challenge id the controller
answers travels in the code form's hidden field, never in an address, and the code itself only to
the phone. Each form carries a request id made when it was shown; the command's id is that id
bound to the browser's CSRF token (as booking's, web/booking.py), so a form posted twice is one
command: one code sent, one wrong try counted, one ticket. Each client address may post `BURST`
of these forms and then one every `EVERY_S` seconds, on top of the listener's forms limit and of
the controller's own limits per phone and per challenge.
"""
from __future__ import annotations

import hashlib
import secrets

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from . import words as w
from .booking import REQUEST_ID, Tries, show
from .presenters import take as pages
from .presenters.frame import Prefs
from .ratelimit import retry_after

router = APIRouter()
BURST, EVERY_S = 8, 20.0
REFUSED = {"closed": 409, "blacklisted": 403, "forbidden": 403, "locked": 423, "invalid_state": 409,
           "not_found": 404, "bad_request": 400}


def context(request: Request):
    site = request.app.state.site
    if site.take is None:
        site.take = Tries(burst=BURST, every_s=EVERY_S)
    return site, Prefs.of(request.cookies).lang, site.take


def command_id(request: Request, request_id: str) -> str:
    return hashlib.sha256(f"{request.state.csrf}|take|{request_id}".encode()).hexdigest()[:32]


def slow_down(tries: Tries, request: Request) -> float:
    return tries.take(request.client.host if request.client else "unknown")


def not_offered(request: Request, site, lang: str, code: str) -> Response | None:
    """None for a category offered online; else the services page saying so (409), or 404 for a
    category the hall does not have."""
    if pages.offered(site.mirror, code):
        return None
    if site.mirror.category(code) is None:
        raise HTTPException(404)
    page = pages.category_list(site.mirror, lang) if pages.enabled(site.mirror) else pages.off_page(lang)
    return show(request, "take.html", w.TAKE, {**page, "error": w.say(w.TAKE_NOT_OFFERED, lang)}, 409)


@router.get("/take")
async def categories(request: Request) -> Response:
    site, lang, _ = context(request)
    if not pages.enabled(site.mirror):
        return show(request, "take.html", w.TAKE, pages.off_page(lang))
    return show(request, "take.html", w.TAKE, pages.category_list(site.mirror, lang))


@router.get("/take/{category}")
async def phone(request: Request, category: str) -> Response:
    site, lang, _ = context(request)
    refused = not_offered(request, site, lang, category)
    if refused is not None:
        return refused
    return show(request, "take_phone.html", w.TAKE, pages.phone_form(site.mirror, category, secrets.token_hex(16), lang))


@router.post("/take")
async def ticket(request: Request, challenge_id: str = Form(""), code: str = Form(""),
                 request_id: str = Form("")) -> Response:
    site, lang, tries = context(request)
    if not pages.enabled(site.mirror):
        return show(request, "take.html", w.TAKE, pages.off_page(lang), 409)
    challenge = {"challenge_id": challenge_id if pages.CHALLENGE.match(challenge_id) else "", "sent": True, "phone": ""}
    if not challenge["challenge_id"] or not REQUEST_ID.match(request_id):
        return show(request, "take_code.html", w.TAKE, pages.code_form(
            site.mirror, challenge, secrets.token_hex(16), lang, error=w.say(w.TAKE_FORM_OLD, lang), locked=True), 400)
    typed, problem = pages.code_of(site.mirror, code)
    if problem is not None:
        return show(request, "take_code.html", w.TAKE, pages.code_form(
            site.mirror, challenge, request_id, lang, error=w.fmt(problem, lang, n=pages.code_length(site.mirror))), 400)
    wait = slow_down(tries, request)
    if wait:
        page = pages.code_form(site.mirror, challenge, request_id, lang, error=w.say(w.BOOK_SLOW_DOWN, lang))
        return show(request, "take_code.html", w.TAKE, page, 429, {"Retry-After": str(retry_after(wait))})
    ident = command_id(request, request_id)
    reply = await site.link.public.send("remote_ticket", {"challenge_id": challenge_id, "code": typed, "lang": lang},
                                        key=f"take-{ident}", request_id=ident)
    taken = (reply.get("result") or {}).get("ticket") if reply.get("ok") else None
    if isinstance(taken, dict) and taken.get("rating_token"):
        response = RedirectResponse(f"/t/{taken['rating_token']}", status_code=303)
        response.headers["Cache-Control"] = "no-store"
        return response
    error = reply.get("error") or {}
    status = REFUSED.get(error.get("code"), 503)
    page = pages.code_form(site.mirror, challenge, secrets.token_hex(16), lang,  # refused: a new try
                           error=pages.refusal_text(error, lang), locked=status in (404, 409, 423))
    return show(request, "take_code.html", w.TAKE, page, status)


@router.post("/take/{category}")
async def send_code(request: Request, category: str, phone: str = Form(""), request_id: str = Form("")) -> Response:
    site, lang, tries = context(request)
    refused = not_offered(request, site, lang, category)
    if refused is not None:
        return refused
    if not REQUEST_ID.match(request_id):
        return show(request, "take_phone.html", w.TAKE, pages.phone_form(
            site.mirror, category, secrets.token_hex(16), lang, error=w.say(w.TAKE_FORM_OLD, lang)), 400)
    digits, problem = pages.phone_of(phone)
    if problem is not None:
        return show(request, "take_phone.html", w.TAKE, pages.phone_form(
            site.mirror, category, request_id, lang, error=w.say(problem, lang)), 400)
    wait = slow_down(tries, request)
    if wait:
        page = pages.phone_form(site.mirror, category, request_id, lang, error=w.say(w.BOOK_SLOW_DOWN, lang))
        return show(request, "take_phone.html", w.TAKE, page, 429, {"Retry-After": str(retry_after(wait))})
    ident = command_id(request, request_id)
    reply = await site.link.public.send("remote_code", {"phone": digits, "category": category, "lang": lang},
                                        key=f"take-{ident}", request_id=ident)
    challenge = reply.get("result") if reply.get("ok") else None
    if isinstance(challenge, dict) and challenge.get("challenge_id"):
        return show(request, "take_code.html", w.TAKE, pages.code_form(site.mirror, challenge, secrets.token_hex(16), lang))
    error = reply.get("error") or {}
    page = pages.phone_form(site.mirror, category, secrets.token_hex(16), lang, error=pages.refusal_text(error, lang))
    return show(request, "take_phone.html", w.TAKE, page, REFUSED.get(error.get("code"), 503))

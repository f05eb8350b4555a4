"""有诉即办 / 办不成事 on the phone, the routes (`/complain…`, public listener): the form, what the
hall promised once it is sent, and `/complain/<ref>`, a citizen's look-up of their own case.

The form goes to the controller as `case_open` (kind complaint or undone, channel web) through this
process's `web-<name>` login; what a web login may open is narrowed there (controller/cases.py).
Like a booking form, it carries a request id made when it was shown, and the command's id is that
id bound to the browser's CSRF token: a form posted twice (a double tap, a reload after a lost
answer) is one case, shown again. The phone left for the answer is posted, sealed at rest by the
controller and never shown again (the answer says only whether one was left).

Complaints are free text from anyone, so on top of the listener's forms limit each client address
may send `BURST` and then one every `EVERY_S` seconds, and each phone number `PHONE_BURST` and then
one every `PHONE_EVERY_S` (kept by a hash of the number, in this process only). A look-up spends
the same per-address allowance as a 办理进度 query (web/progress.py) and names the same `client`
(a keyed hash of the address): both count against the controller's budget of wrong second factors
for this device and that client (`progress_lock`).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from . import words as w
from .presenters import complain as pages
from .presenters.frame import Prefs
from .progress import address_of
from .ratelimit import Limiter, retry_after

router = APIRouter()
BURST, EVERY_S = 3, 600.0
PHONE_BURST, PHONE_EVERY_S = 3, 3600.0
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
SAID = {"not_found", "locked", "bad_request"}  # look-up refusals whose own words the visitor is shown
UNANSWERED = {"offline", "timeout"}  # the web process's own errors: the controller said nothing (web/link.py)


class Allowance:
    """The per-address and per-phone allowance of complaints sent from this process."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.addresses = Limiter(1 / EVERY_S, BURST)
        self.phones = Limiter(1 / PHONE_EVERY_S, PHONE_BURST)

    def take(self, client: str, phone: str | None) -> float:
        now = self.clock()
        wait = self.addresses.take(client, now)
        if not wait and phone:
            wait = self.phones.take(hashlib.sha256(f"complain|{phone}".encode()).hexdigest(), now)
        return wait


def context(request: Request):
    site = request.app.state.site
    if site.complaints is None:
        site.complaints = Allowance()
    return site, Prefs.of(request.cookies).lang, site.complaints


def show(request: Request, template: str, page: dict, status: int = 200, headers: dict | None = None):
    response = request.app.state.site.pages.page(request, template, w.COMPLAIN, status=status, page=page)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


@router.get("/complain")
async def form(request: Request, item: str = "", window: str = "") -> Response:
    """The form; `item` and `window` (from a ticket's page) are chosen already when they are the hall's."""
    site, lang, _ = context(request)
    item = item if site.mirror.item(item[:32]) is not None else ""
    window = window if window.isdigit() and int(window) in site.mirror.window_numbers() else ""
    return show(request, "complain.html", pages.form_page(site.mirror, lang, secrets.token_hex(16),
                                                          item=item, window=window))


@router.post("/complain")
async def send(request: Request, kind: str = Form(""), item: str = Form(""), window: str = Form(""),
               text: str = Form(""), phone: str = Form(""), request_id: str = Form("")) -> Response:
    site, lang, allowance = context(request)
    kept = {"kind": kind[:20], "item": item[:32], "window": window[:4], "text": text[:pages.MAX_TEXT]}
    if not REQUEST_ID.match(request_id):
        page = pages.form_page(site.mirror, lang, secrets.token_hex(16), **kept, error=w.say(w.BOOK_FORM_OLD, lang))
        return show(request, "complain.html", page, 400)
    fields, problem = pages.complaint_of(site.mirror, kind, item, window, text, phone)
    if problem is not None:
        error = w.fmt(problem, lang, n=pages.MAX_TEXT)
        return show(request, "complain.html", pages.form_page(site.mirror, lang, request_id, **kept, error=error), 400)
    wait = allowance.take(address_of(request), fields.get("phone"))
    if wait:
        page = pages.form_page(site.mirror, lang, request_id, **kept, error=w.say(w.COMPLAIN_SLOW_DOWN, lang))
        return show(request, "complain.html", page, 429, {"Retry-After": str(retry_after(wait))})
    command_id = hashlib.sha256(f"{request.state.csrf}|{request_id}".encode()).hexdigest()[:32]
    reply = await site.link.public.send("case_open", fields, key=f"complain-{command_id}", request_id=command_id)
    result = reply.get("result") if reply.get("ok") else None
    if isinstance(result, dict) and isinstance(result.get("case"), dict):
        return show(request, "complain_done.html",
                    pages.done_page(site.mirror, result["case"], str(result.get("query_code", "")), lang))
    code = (reply.get("error") or {}).get("code")
    # not sent or not answered: the same id again (the controller may have it); refused: a new try
    again = request_id if code in UNANSWERED else secrets.token_hex(16)
    page = pages.form_page(site.mirror, lang, again, **kept, error=w.say(w.COMPLAIN_NOT_SENT, lang))
    return show(request, "complain.html", page, 503)


@router.get("/complain/find")
async def find(request: Request, ref: str = "") -> Response:
    """The reference typed on the form's look-up part: its page, or the form with what is wrong."""
    site, lang, _ = context(request)
    shown = pages.clean_ref(ref)
    if pages.REF.match(shown):
        return RedirectResponse(f"/complain/{shown}", status_code=303)
    page = pages.form_page(site.mirror, lang, secrets.token_hex(16))
    page["find"] = pages.find_form(lang, shown, w.say(w.COMPLAIN_REF_BAD, lang))
    return show(request, "complain.html", page, 400)


def reference(ref: str) -> str:
    if not pages.REF.match(ref):
        raise HTTPException(404)
    return ref


@router.get("/complain/{ref}")
async def case(request: Request, ref: str) -> Response:
    site, lang, _ = context(request)
    return show(request, "complain_case.html", pages.case_page(site.mirror, reference(ref), lang))


@router.post("/complain/{ref}")
async def look_up(request: Request, ref: str, factor: str = Form("")) -> Response:
    site, lang, _ = context(request)
    ref = reference(ref)
    fields, problem = pages.lookup_of(ref, factor)
    if problem is not None:
        return show(request, "complain_case.html", pages.case_page(site.mirror, ref, lang, error=w.say(problem, lang)), 400)
    address = address_of(request)
    wait = site.progress_tries.take(address)
    if wait:
        page = pages.case_page(site.mirror, ref, lang, error=w.say(w.PROGRESS_SLOW_DOWN, lang))
        return show(request, "complain_case.html", page, 429, {"Retry-After": str(retry_after(wait))})
    reply = await site.link.public.send("case_lookup", {**fields, "client": site.progress_tries.client(address)})
    found = (reply.get("result") or {}).get("case") if reply.get("ok") else None
    if isinstance(found, dict):
        return show(request, "complain_case.html", pages.case_page(site.mirror, ref, lang, case=found))
    error = reply.get("error") or {}
    code = error.get("code")
    text = error.get("message_zh" if lang == "zh" else "message") if code in SAID else None
    status = {"not_found": 404, "locked": 429, "bad_request": 400}.get(code, 503)
    page = pages.case_page(site.mirror, ref, lang, error=text or w.say(w.COMPLAIN_LOOK_NOT_SENT, lang))
    return show(request, "complain_case.html", page, status)

"""预约 on the phone, the routes (`/book…`, public listener): item → day → time → mobile → the code;
`/book/cancel` with the code and the mobile's last four digits.

Choosing reads only (links, GET: nothing personal in those addresses — an item, a day, a slot's
start). The mobile number, the name, the code and the last four digits are posted and answered in
that response only (`Cache-Control: no-store`). A booking form carries a request id made when the
form was shown; the command's id is that id bound to the browser's CSRF token, so a form posted
twice (a double tap, a reload after a lost answer) is one command to the controller, which
answers the same id with the same reply: one booking, shown again. Another browser cannot replay
someone's id (its CSRF token differs).

The slots of a day are asked of the controller and kept for `SLOTS_TTL_S` seconds, so a crowd on
the days page costs a few commands, not one per phone per day. Each client address may post
`BURST` bookings or cancels and then one every `EVERY_S` seconds, on top of the listener's forms
limit: the controller's cancel answer is the same `not_found` for an unknown code and for wrong
last four digits, and this keeps anyone from trying last fours quickly.
"""
from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import Response

from . import words as w
from .presenters import booking as pages
from .presenters.frame import Prefs
from .ratelimit import Limiter, retry_after

router = APIRouter()
SLOTS_TTL_S = 5.0
BURST, EVERY_S = 5, 60.0
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


class Slots:
    """`appointment_slots` answers by (item, day), kept a few seconds; concurrent asks share one command."""

    def __init__(self, commands, clock=time.monotonic):
        self.commands, self.clock = commands, clock
        self.kept: dict[tuple[str, str], tuple[float, dict]] = {}

    async def day(self, item: str, day: str) -> dict | None:
        kept = self.kept.get((item, day))
        if kept is not None and self.clock() - kept[0] < SLOTS_TTL_S:
            return kept[1]
        reply = await self.commands.send("appointment_slots", {"item": item, "date": day},
                                         key=f"slots-{item}-{day}", wait_s=5)
        result = reply.get("result") if reply.get("ok") else None
        if not isinstance(result, dict):
            return None
        if len(self.kept) > 2000:
            self.kept.clear()
        self.kept[(item, day)] = (self.clock(), result)
        return result

    def forget(self, item: str, day: str) -> None:
        self.kept.pop((item, day), None)


class Tries:
    """The per-address allowance of booking and cancel posts from this process (and of 线上取号's,
    web/take.py, with its own numbers)."""

    def __init__(self, clock=time.monotonic, *, burst: int = BURST, every_s: float = EVERY_S):
        self.clock, self.limiter = clock, Limiter(1 / every_s, burst)

    def take(self, client: str) -> float:
        return self.limiter.take(client, self.clock())


def context(request: Request):
    site = request.app.state.site
    if site.booking is None:
        site.booking = (Slots(site.link.public), Tries())
    return site, Prefs.of(request.cookies).lang, *site.booking


def show(request: Request, template: str, title, page: dict, status: int = 200, headers: dict | None = None):
    response = request.app.state.site.pages.page(request, template, title, status=status, page=page)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


def bookable_item(site, item_id: str):
    if site.mirror.item(item_id) is None or not pages.bookable(site.mirror, item_id):
        raise HTTPException(404)
    return site.mirror.item(item_id)


def slow_down(tries: Tries, request: Request) -> float:
    return tries.take(request.client.host if request.client else "unknown")


@router.get("/book")
async def items(request: Request, q: str = "") -> Response:
    site, lang, _, _ = context(request)
    return show(request, "book_items.html", w.BOOK, pages.item_list(site.mirror, site.guides, lang, q))


@router.get("/book/cancel")
async def cancel_form(request: Request) -> Response:
    site, lang, _, _ = context(request)
    return show(request, "book_cancel.html", w.CANCEL, pages.cancel_page(site.mirror, lang))


@router.post("/book/cancel")
async def cancel(request: Request, code: str = Form(""), last4: str = Form("")) -> Response:
    site, lang, slots, tries = context(request)
    shown = re.sub(r"\s", "", code).upper()[:10]
    fields, problem = pages.cancel_of(code, last4)
    if problem is not None:
        return show(request, "book_cancel.html", w.CANCEL,
                    pages.cancel_page(site.mirror, lang, code=shown, error=w.say(problem, lang)), 400)
    wait = slow_down(tries, request)
    if wait:
        page = pages.cancel_page(site.mirror, lang, code=shown, error=w.say(w.BOOK_SLOW_DOWN, lang))
        return show(request, "book_cancel.html", w.CANCEL, page, 429, {"Retry-After": str(retry_after(wait))})
    reply = await site.link.public.send("cancel_appointment", fields)
    cancelled = (reply.get("result") or {}).get("appointment") if reply.get("ok") else None
    if isinstance(cancelled, dict):
        slots.forget(str(cancelled.get("item")), str(cancelled.get("day")))
        return show(request, "book_cancel.html", w.CANCEL, pages.cancel_page(site.mirror, lang, cancelled=cancelled))
    error = reply.get("error") or {}
    status = {"not_found": 404, "invalid_state": 409}.get(error.get("code"), 503)
    text = error.get("message_zh" if lang == "zh" else "message") if status != 503 else None
    return show(request, "book_cancel.html", w.CANCEL, pages.cancel_page(
        site.mirror, lang, code=shown, error=text or w.say(w.BOOK_NOT_SENT, lang)), status)


@router.get("/book/{item_id}")
async def days(request: Request, item_id: str) -> Response:
    site, lang, slots, _ = context(request)
    item = bookable_item(site, item_id)
    dates = pages.days_ahead(site.mirror)
    answers = await asyncio.gather(*(slots.day(item.id, day) for day in dates))
    return show(request, "book_days.html", item.name, pages.day_list(site.mirror, item.id, dict(zip(dates, answers)), lang))


async def day_of(request: Request, item_id: str, day: str):
    site, lang, slots, tries = context(request)
    item = bookable_item(site, item_id)
    if not pages.valid_day(site.mirror, day):
        raise HTTPException(404)
    return site, lang, slots, tries, item, await slots.day(item.id, day)


@router.get("/book/{item_id}/{day}")
async def times(request: Request, item_id: str, day: str) -> Response:
    site, lang, _, _, item, result = await day_of(request, item_id, day)
    return show(request, "book_slots.html", item.name, pages.slot_list(site.mirror, item.id, day, result, lang))


@router.get("/book/{item_id}/{day}/{start}")
async def phone(request: Request, item_id: str, day: str, start: int) -> Response:
    site, lang, _, _, item, result = await day_of(request, item_id, day)
    slot = pages.find_slot(result, start)
    if slot is None or int(slot.get("left") or 0) <= 0:
        page = pages.slot_list(site.mirror, item.id, day, result, lang, error=w.say(w.BOOK_TAKEN, lang))
        return show(request, "book_slots.html", item.name, page, 409)
    page = pages.phone_form(site.mirror, item.id, day, slot, secrets.token_hex(16), lang)
    return show(request, "book_phone.html", item.name, page)


@router.post("/book/{item_id}/{day}/{start}")
async def book(request: Request, item_id: str, day: str, start: int, phone: str = Form(""), name: str = Form(""),
               request_id: str = Form("")) -> Response:
    site, lang, slots, tries, item, result = await day_of(request, item_id, day)
    slot = pages.find_slot(result, start) or {"start": start, "time": ""}
    if not REQUEST_ID.match(request_id):
        return show(request, "book_phone.html", item.name, pages.phone_form(
            site.mirror, item.id, day, slot, secrets.token_hex(16), lang, error=w.say(w.BOOK_FORM_OLD, lang)), 400)
    applicant, problem = pages.applicant_of(phone, name)
    if problem is not None:
        return show(request, "book_phone.html", item.name, pages.phone_form(
            site.mirror, item.id, day, slot, request_id, lang, error=w.say(problem, lang), name=name), 400)
    wait = slow_down(tries, request)
    if wait:
        page = pages.phone_form(site.mirror, item.id, day, slot, request_id, lang,
                                error=w.say(w.BOOK_SLOW_DOWN, lang), name=name)
        return show(request, "book_phone.html", item.name, page, 429, {"Retry-After": str(retry_after(wait))})
    command_id = hashlib.sha256(f"{request.state.csrf}|{request_id}".encode()).hexdigest()[:32]
    reply = await site.link.public.send("book_appointment", {
        "item": item.id, "slot_start": start, "channel": "web", "applicant": applicant},
        key=f"book-{command_id}", request_id=command_id)
    appointment = (reply.get("result") or {}).get("appointment") if reply.get("ok") else None
    slots.forget(item.id, day)
    if isinstance(appointment, dict):
        return show(request, "book_done.html", w.BOOK_DONE, pages.done_page(
            site.mirror, appointment, lang, reminded=bool(reply["result"].get("notified"))))
    error = reply.get("error") or {}
    status = {"blacklisted": 403, "slot_full": 409, "duplicate": 409, "out_of_window": 409}.get(error.get("code"), 503)
    page = pages.phone_form(site.mirror, item.id, day, slot, secrets.token_hex(16), lang,  # refused: a new try
                            error=pages.refusal_text(error, lang), name=name)
    return show(request, "book_phone.html", item.name, page, status)

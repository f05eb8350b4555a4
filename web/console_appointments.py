"""The appointments desk of the console: a day's bookings (masked, as the controller's `appointments`
gives them to admins) and the blacklist in force; booking a caller on the phone (电话预约: item → day →
time → the caller's mobile, `book_appointment` with channel `phone`, in the console user's name);
cancelling with the code and the mobile's last four digits the caller reads out (`cancel_appointment`,
the proof the public page asks for too); lifting a bar with a reason (`appointment_unbar`, which
records the console user).

The booking steps are the public booking pages' (web/booking.py) with their presenters, under the
console's paths. A step naming an item, a day or a time that is not bookable answers 400 with its
words, not 404: the form is the desk's, and the desk says what is wrong. A booking form carries a
request id made when it was shown, sent as the command's id, so a form posted twice is one booking.
"""
from __future__ import annotations

import asyncio
import re
import secrets
from datetime import date as Date

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response


from . import console_words as cw
from . import words as w
from .accounts import may
from .booking import REQUEST_ID
from .console_kit import PREFIX, address_of, lang_of, message_of, page, route_on
from .presenters import booking as pages
from .presenters.console_appointments import day_desk
from .sessions import Session

router = APIRouter(prefix=PREFIX)
route = route_on(router)

BASE = f"{PREFIX}/appointments/book"
PERSON = re.compile(r"^[0-9a-f]{64}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def today(site) -> str:
    return site.mirror.hall_time().date().isoformat()


async def desk_page(request: Request, session: Session, day: str = "", *, error: str = "", done: str = "",
                    status: int = 200) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if not DAY.match(day or ""):
        day = today(site)
    try:
        Date.fromisoformat(day)
    except ValueError:
        day, error, status = today(site), error or w.say(cw.BAD_DAY, lang), 400
    reply = await site.desk.ask(session, "appointments", {"date": day})
    if not reply.get("ok"):
        error = error or w.fmt(cw.FAILED, lang, message=message_of(reply, lang))
    desk = day_desk(site.mirror, reply.get("result") or {}, lang, can_change=may(session.role, "change_appointments"),
                    day=day, error=error, done=done)
    return page(request, session, "console/appointments.html", cw.APPOINTMENTS, status=status, desk=desk,
                cancel=pages.cancel_page(site.mirror, lang))


@route("GET", "/appointments", "view_appointments")
async def appointments(request: Request, session: Session, day: str = "", cancelled: str = "",
                       lifted: str = "") -> Response:
    lang = lang_of(request)
    done = ""
    if pages.CODE.match(cancelled):
        done = w.fmt(cw.CANCELLED_DONE, lang, code=cancelled)
    elif re.fullmatch(r"[0-9*]{4,13}", lifted):
        done = w.fmt(cw.LIFTED_DONE, lang, phone=lifted)
    return await desk_page(request, session, day, done=done)


@route("POST", "/appointments/cancel", "change_appointments")
async def cancel(request: Request, session: Session, code: str = Form("", max_length=40),
                 last4: str = Form("", max_length=10)) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    fields, problem = pages.cancel_of(code, last4)
    if problem is not None:
        return await desk_page(request, session, error=w.say(problem, lang), status=400)
    reply = await site.desk.change(session, "cancel_appointment", fields, address_of(request),
                                   key=f"cancel-{session.user}-{fields['code']}")
    if not reply.get("ok"):
        return await desk_page(request, session, error=w.fmt(cw.FAILED, lang, message=message_of(reply, lang)),
                               status=400)
    day = str((reply["result"].get("appointment") or {}).get("day") or "")
    return RedirectResponse(f"{PREFIX}/appointments?day={day}&cancelled={fields['code']}", status_code=303)


@route("POST", "/appointments/unbar", "change_appointments")
async def unbar(request: Request, session: Session, person: str = Form("", max_length=80),
                reason: str = Form("", max_length=2000)) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    reason = reason.strip()
    if not PERSON.match(person) or not 1 <= len(reason) <= 200:
        return await desk_page(request, session, error=w.say(cw.REASON_NEEDED, lang), status=400)
    reply = await site.desk.change(session, "appointment_unbar", {"person": person, "reason": reason},
                                   address_of(request), key=f"unbar-{session.user}-{person}")
    if not reply.get("ok"):
        return await desk_page(request, session, error=w.fmt(cw.FAILED, lang, message=message_of(reply, lang)),
                               status=400)
    phone = str((reply["result"].get("lifted") or [{}])[0].get("phone") or "")
    return RedirectResponse(f"{PREFIX}/appointments?lifted={phone}", status_code=303)


# --- 电话预约: the public booking steps under the console's paths ------------------------------------


def step(request: Request, session: Session, template: str, title, book: dict, status: int = 200) -> Response:
    return page(request, session, template, title, status=status, book=book, base=BASE)


def not_bookable(request: Request, session: Session, lang: str) -> Response:
    site = request.app.state.site
    book = pages.item_list(site.mirror, site.guides, lang, base=BASE)
    book["error"] = w.say(w.BOOK_NO_SLOTS, lang)
    return step(request, session, "console/book_items.html", cw.PHONE_BOOKING, book, status=400)


def bookable(site, item_id: str) -> bool:
    return site.mirror.item(item_id) is not None and pages.bookable(site.mirror, item_id)


async def slots_of(site, session: Session, item_id: str, day: str) -> dict | None:
    reply = await site.desk.ask(session, "appointment_slots", {"item": item_id, "date": day})
    result = reply.get("result") if reply.get("ok") else None
    return result if isinstance(result, dict) else None


@route("GET", "/appointments/book", "change_appointments")
async def book_items(request: Request, session: Session, q: str = "") -> Response:
    site, lang = request.app.state.site, lang_of(request)
    book = pages.item_list(site.mirror, site.guides, lang, q, base=BASE)
    book["intro"] = w.say(cw.PHONE_BOOKING_INTRO, lang)
    return step(request, session, "console/book_items.html", cw.PHONE_BOOKING, book)


@route("GET", "/appointments/book/{item_id}", "change_appointments")
async def book_days(request: Request, session: Session, item_id: str) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if not bookable(site, item_id):
        return not_bookable(request, session, lang)
    dates = pages.days_ahead(site.mirror)
    answers = await asyncio.gather(*(slots_of(site, session, item_id, day) for day in dates))
    book = pages.day_list(site.mirror, item_id, dict(zip(dates, answers)), lang, base=BASE)
    return step(request, session, "console/book_days.html", cw.PHONE_BOOKING, book)


@route("GET", "/appointments/book/{item_id}/{day}", "change_appointments")
async def book_times(request: Request, session: Session, item_id: str, day: str) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if not bookable(site, item_id) or not pages.valid_day(site.mirror, day):
        return not_bookable(request, session, lang)
    book = pages.slot_list(site.mirror, item_id, day, await slots_of(site, session, item_id, day), lang, base=BASE)
    return step(request, session, "console/book_slots.html", cw.PHONE_BOOKING, book)


def phone_step(site, item_id: str, day: str, slot: dict, request_id: str, lang: str, *, error: str = "",
               name: str = "") -> dict:
    book = pages.phone_form(site.mirror, item_id, day, slot, request_id, lang, error=error, name=name, base=BASE)
    book["prompt"] = w.say(cw.CALLER_PHONE, lang)
    return book


@route("GET", "/appointments/book/{item_id}/{day}/{start}", "change_appointments")
async def book_phone(request: Request, session: Session, item_id: str, day: str, start: int) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if not bookable(site, item_id) or not pages.valid_day(site.mirror, day):
        return not_bookable(request, session, lang)
    result = await slots_of(site, session, item_id, day)
    slot = pages.find_slot(result, start)
    if slot is None or int(slot.get("left") or 0) <= 0:
        book = pages.slot_list(site.mirror, item_id, day, result, lang, error=w.say(w.BOOK_TAKEN, lang), base=BASE)
        return step(request, session, "console/book_slots.html", cw.PHONE_BOOKING, book, status=409)
    return step(request, session, "console/book_phone.html", cw.PHONE_BOOKING,
                phone_step(site, item_id, day, slot, secrets.token_hex(16), lang))


@route("POST", "/appointments/book/{item_id}/{day}/{start}", "change_appointments")
async def book(request: Request, session: Session, item_id: str, day: str, start: int,
               phone: str = Form("", max_length=40), name: str = Form("", max_length=80),
               request_id: str = Form("", max_length=64)) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if not bookable(site, item_id) or not pages.valid_day(site.mirror, day):
        return not_bookable(request, session, lang)
    slot = pages.find_slot(await slots_of(site, session, item_id, day), start) or {"start": start, "time": ""}
    if not REQUEST_ID.match(request_id):
        return step(request, session, "console/book_phone.html", cw.PHONE_BOOKING, phone_step(
            site, item_id, day, slot, secrets.token_hex(16), lang, error=w.say(w.BOOK_FORM_OLD, lang)), status=400)
    applicant, problem = pages.applicant_of(phone, name)
    if problem is not None:
        return step(request, session, "console/book_phone.html", cw.PHONE_BOOKING, phone_step(
            site, item_id, day, slot, request_id, lang, error=w.say(problem, lang), name=name), status=400)
    fields = {"item": item_id, "slot_start": start, "channel": "phone", "applicant": applicant}
    reply = await site.desk.change(session, "book_appointment", fields, address_of(request),
                                   key=f"book-{session.user}-{request_id}", request_id=request_id)
    appointment = (reply.get("result") or {}).get("appointment") if reply.get("ok") else None
    if isinstance(appointment, dict):
        done = pages.done_page(site.mirror, appointment, lang, reminded=bool(reply["result"].get("notified")))
        done.update(hint=w.say(cw.TELL_CALLER, lang), cancel_href=f"{PREFIX}/appointments?day={appointment.get('day')}",
                    cancel=w.say(cw.APPOINTMENTS, lang))
        return step(request, session, "console/book_done.html", cw.PHONE_BOOKING, done)
    book = phone_step(site, item_id, day, slot, secrets.token_hex(16), lang,
                      error=pages.refusal_text(reply.get("error") or {}, lang), name=name)
    return step(request, session, "console/book_phone.html", cw.PHONE_BOOKING, book, status=400)


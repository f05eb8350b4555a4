"""预约: appointments — a booked slot, and the ticket taken for it at a kiosk (预约签到).

Today the hall takes bookings made elsewhere (an online or phone booking
system hands over a code and a slot: `appointment_add`) and checks them in at
a kiosk (`check_in`): from `queue.appointment_grace_s` before the slot starts
until it ends, the booking gets a ticket that windows call before walk-ins
(controller/calling.py).

A booking outlives the service day, so it is a stored record (the
`appointments` table), not engine state. Every rule here is a plain function
of a booking row, the config and the time; the actions at the bottom only
read rows, apply a rule and record what it returns. Booking in the hall
itself — slots with a capacity, cancelling, no-shows and the 预约黑名单 — is
meant to grow the same way: a rule taking the rows it needs (the day's
bookings of a slot, a person's bookings of half a year) and `now`.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from contract.errors import CommandError
from contract.privacy import mask_name

from . import actions
from .model import Event


def category_of(config, category: str | None, item: str | None) -> str:
    """The category a booking queues in: the one given, or its item's."""
    if item is not None and item not in config.items:
        raise CommandError("not_found", f"no item {item!r}", "没有该事项")
    category = category or (config.items[item].category if item else None)
    if category not in config.categories:
        raise CommandError("bad_request", "category: give a known category or item", "请指定业务类别或事项")
    return category


def slot(slot_start: str, slot_end: str, timezone: str) -> tuple[float, float]:
    """A slot given as local "YYYY-MM-DDTHH:MM" times, as epoch seconds."""
    tz = ZoneInfo(timezone)
    start, end = (datetime.fromisoformat(text).replace(tzinfo=tz).timestamp() for text in (slot_start, slot_end))
    if end <= start:
        raise CommandError("bad_request", "slot_end: must be after slot_start", "预约时段无效")
    return start, end


def booking(code: str, category: str, item: str | None, start: float, end: float, applicant_name: str | None,
            phone: str | None, now: float) -> dict:
    """The row of a new booking (not checked in)."""
    return {"code": code, "category": category, "item": item, "slot_start": start, "slot_end": end,
            "applicant": mask_name(applicant_name) or None, "phone": phone, "created_at": now,
            "checked_in_at": None, "ticket_id": None}


def check_in_span(row: dict, grace_s: float) -> tuple[float, float]:
    """[opens, closes] of a booking's check-in: from `grace_s` before its slot to the slot's end."""
    return row["slot_start"] - grace_s, row["slot_end"]


def require_check_in_open(row: dict, now: float, grace_s: float, timezone: str) -> None:
    """Refuse a check-in made twice or outside its time."""
    if row["checked_in_at"] is not None:
        raise CommandError("duplicate", f"appointment {row['code']} has already checked in", "该预约已签到取号")
    opens, closes = check_in_span(row, grace_s)
    if not opens <= now <= closes:
        tz = ZoneInfo(timezone)
        shown = (f"{datetime.fromtimestamp(row['slot_start'], tz):%m-%d %H:%M}-"
                 f"{datetime.fromtimestamp(row['slot_end'], tz):%H:%M}")
        raise CommandError("invalid_state", f"check-in is open for the slot {shown} only", f"请在预约时段 {shown} 内签到")


def checked_in(row: dict, ticket_id: str, now: float) -> dict:
    return {**row, "checked_in_at": now, "ticket_id": ticket_id}


def public(row: dict) -> dict:
    """A booking as the admin who added it sees it (no phone)."""
    return {k: v for k, v in row.items() if k != "phone"}


# --- actions -----------------------------------------------------------------------------


def appointment_add(engine, change, code, slot_start, slot_end, category=None, item=None, applicant_name=None,
                    phone=None):
    """What an online or phone booking system hands the hall: a code and a slot."""
    config = engine.config
    category = category_of(config, category, item)
    start, end = slot(slot_start, slot_end, config.timezone)
    if change.stored.get("appointments", code):
        raise CommandError("duplicate", f"appointment {code} exists", "该预约号已存在")
    row = booking(code, category, item, start, end, applicant_name, phone, change.now)
    change.record("appointments", code, row)
    change.event(Event("appointment_added", change.now, change.device, after=row))
    change.out.result = {"appointment": public(row)}


def list_appointments(engine, change, date=None):
    """A service day's bookings (default today's), by slot: for the admin's `appointments` listing."""
    tz = ZoneInfo(engine.config.timezone)
    day = date or engine.day
    try:
        start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=tz).timestamp()
    except ValueError:
        raise CommandError("bad_request", f"date: {day!r} is not a day (YYYY-MM-DD)", "日期格式应为YYYY-MM-DD") from None
    rows = change.stored.appointments(start, start + 86400)
    change.out.result = {"day": day, "appointments": [public(row) for row in rows]}


def check_in(engine, change, appointment_code, lang="zh"):
    """预约签到: the booking's ticket, in the same command as the booking's new row."""
    row = change.stored.get("appointments", appointment_code)
    if row is None:
        raise CommandError("not_found", f"no appointment {appointment_code}", "未找到该预约，请核对预约码")
    require_check_in_open(row, change.now, engine.config.queue.appointment_grace_s, engine.config.timezone)
    applicant = {"name": row["applicant"], "phone": row["phone"]} if row["phone"] else None
    actions.new_ticket(engine, change, category=row["category"], item=row["item"], group="normal",
                       applicant=applicant, lang=lang, appointment_code=appointment_code)
    change.record("appointments", appointment_code, checked_in(row, change.out.result["ticket"]["id"], change.now))

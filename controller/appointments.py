"""预约: booking a slot, cancelling it, checking in for its ticket (预约签到), no-shows and the blacklist.

A booking outlives the service day, so it is a stored record (the
`appointments` table), not engine state; so is a bar of the 预约黑名单
(`appointment_bars`, one row per person key). What decides is in
controller/booking.py (slots, windows, capacity, the blacklist rule) as plain
functions of rows, config and time; the actions here read the rows a rule
needs through `change.stored`, apply it and record what it returns, with a
ledger event for every step: `appointment_booked`, `_cancelled`,
`_checked_in`, `_no_show`, `_barred`, `_unbarred`, `_reminded` (and `_added`
for a booking handed over by `appointment_add`); controller/notify.py turns
some of them into messages to the applicant.

A person is counted by salted hashes of their ID (the reader's `id_hash`) and
their phone (contract/privacy.py, `person_key`); the phone itself is sealed at
rest by the store and shown only masked. No-shows are settled by `settle` — the service runs it after each
batch's commands, at most every `appointments.settle_every_s` of hall time, so
the first batch of a controller that was down settles whatever fell due
meanwhile.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date as Date
from datetime import datetime
from zoneinfo import ZoneInfo

from contract.errors import CommandError
from contract.privacy import mask_name, mask_phone, person_key

from . import actions, remote
from . import booking as rules
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


def local_day(at: float, timezone: str) -> str:
    return datetime.fromtimestamp(at, ZoneInfo(timezone)).date().isoformat()


def keys_of(applicant: dict | None, salt: bytes) -> tuple[str | None, str | None]:
    """(id_key, phone_key) of an applicant: the salted hashes a person is counted by."""
    applicant = applicant or {}
    id_hash, phone = applicant.get("id_hash"), applicant.get("phone")
    return (person_key("id", id_hash, salt) if id_hash else None,
            person_key("phone", phone, salt) if phone and any(ch.isdigit() for ch in phone) else None)


def booking(code: str, category: str, item: str | None, start: float, end: float, applicant_name: str | None,
            phone: str | None, now: float, *, timezone: str = "Asia/Shanghai", pool: str | None = None,
            off_hours: bool = False, channel: str = "admin", device: str | None = None, id_key: str | None = None,
            phone_key: str | None = None, platform_id: str | None = None) -> dict:
    """The row of a new booking (not checked in). The phone is sealed at rest by the store
    (controller/datakey.py) and shown only masked (`public`)."""
    return {"code": code, "category": category, "item": item, "slot_start": start, "slot_end": end,
            "applicant": mask_name(applicant_name) or None, "phone": phone or None, "created_at": now,
            "checked_in_at": None, "ticket_id": None, "status": "booked", "day": local_day(start, timezone),
            "pool": pool or f"cat:{category}", "off_hours": int(off_hours), "channel": channel, "device": device,
            "id_key": id_key, "phone_key": phone_key, "cancelled_at": None, "no_show_at": None,
            "platform_id": platform_id}


def new_code(secret: bytes, *parts) -> str:
    """A booking code nobody can guess without the hall's secret: YY and 8 letters/digits."""
    digest = hmac.new(secret, "|".join(map(str, parts)).encode(), hashlib.sha256).digest()
    return "YY" + base64.b32encode(digest[:5]).decode()


def require_check_in_open(row: dict, now: float, config) -> None:
    """Refuse a check-in made twice, of a cancelled or missed booking, or outside its time."""
    if row["checked_in_at"] is not None:
        raise CommandError("duplicate", f"appointment {row['code']} has already checked in", "该预约已签到取号")
    if row.get("status") in ("cancelled", "no_show"):
        raise CommandError("invalid_state", f"appointment {row['code']} is {row['status']}",
                           "该预约已取消或已失约，请现场取号")
    opens, closes = rules.check_in_span(row, config)
    if not opens <= now <= closes:
        tz = ZoneInfo(config.timezone)
        shown = (f"{datetime.fromtimestamp(row['slot_start'], tz):%m-%d %H:%M}-"
                 f"{datetime.fromtimestamp(row['slot_end'], tz):%H:%M}")
        raise CommandError("invalid_state", f"check-in is open for the slot {shown} only", f"请在预约时段 {shown} 内签到")


def checked_in(row: dict, ticket_id: str, now: float) -> dict:
    return {**row, "checked_in_at": now, "ticket_id": ticket_id, "status": "checked_in"}


def materials(config, item: str | None) -> list[dict]:
    """一次性告知: what to bring, from the item's 办事指南."""
    if item is None or item not in config.items:
        return []
    return [{"name": m.name.model_dump(), "copies": m.copies, "original": m.original}
            for m in config.items[item].guide.materials]


def public(row: dict, config=None) -> dict:
    """A booking as its booker and the admins see it: the phone masked, no person keys."""
    out = {k: v for k, v in row.items() if k not in ("id_key", "phone_key", "pool")}
    out["phone"] = mask_phone(row.get("phone")) or None
    if "off_hours" in out:
        out["off_hours"] = bool(out["off_hours"])
    if config is not None:
        out["materials"] = materials(config, row.get("item"))
    return out


def public_bar(row: dict) -> dict:
    return {"person": row["key"], "since": row["since"], "until": row["until"], "phone": row["phone"],
            "no_shows": json.loads(row["no_shows"] or "[]")}


PERSONAL = ("applicant", "phone", "id_key", "phone_key")


def _snapshot(row: dict | None) -> dict | None:
    """A booking or bar as the ledger keeps it: the person is in the record, not copied into every step
    (so the retention setting forgets them in one place)."""
    return None if row is None else {k: v for k, v in row.items() if k not in PERSONAL}


def _event(kind: str, change, before: dict | None, after: dict, **data) -> None:
    change.event(Event(kind, change.now, change.device, before=_snapshot(before), after=_snapshot(after), data=data))


# --- actions -----------------------------------------------------------------------------


def appointment_add(engine, change, code, slot_start, slot_end, category=None, item=None, applicant_name=None,
                    phone=None):
    """What an online or phone booking system hands the hall: a code and a slot."""
    config = engine.config
    category = category_of(config, category, item)
    start, end = slot(slot_start, slot_end, config.timezone)
    if change.stored.get("appointments", code):
        raise CommandError("duplicate", f"appointment {code} exists", "该预约号已存在")
    row = booking(code, category, item, start, end, applicant_name, phone, change.now, timezone=config.timezone,
                  device=change.device)
    change.record("appointments", code, row)
    change.event(Event("appointment_added", change.now, change.device, after=row))
    change.out.result = {"appointment": public(row)}


def appointment_slots(engine, change, date, category=None, item=None):
    """The slots of a day that can be booked now, with the places left."""
    config = engine.config
    tgt = rules.target(config, category, item)
    day = Date.fromisoformat(date)
    out = []
    for s in rules.day_slots(config, tgt, day):
        try:
            rules.bookable_now(config, s, change.now)
        except CommandError:
            continue
        taken = len(change.stored.slot_bookings(s.pool, s.start))
        out.append({"start": int(s.start), "end": int(s.end), "time": rules.span_text(s, config.timezone),
                    "off_hours": s.off_hours, "capacity": s.capacity, "left": rules.left(s, taken)})
    change.out.result = {"date": date, "working_day": rules.working(config, day), "category": tgt.category,
                         "item": tgt.item, "slots": out}


def book_appointment(engine, change, slot_start, applicant, channel, category=None, item=None, platform_id=None):
    config = engine.config
    if platform_id is not None:
        if channel != "platform":
            raise CommandError("bad_request", "platform_id: only with channel platform", "platform_id 仅用于平台导入")
        known = change.stored.booking_of_platform(platform_id)
        if known is not None:  # an import sent again: the booking it made
            change.out.result = {"appointment": public(known, config), "again": True}
            return
    id_key, phone_key = keys_of(applicant, engine.secret)
    if id_key is None and phone_key is None:
        raise CommandError("bad_request", "applicant: give a phone or an id_hash", "请填写手机号或身份证")
    tgt = rules.target(config, category, item)
    s = rules.find_slot(config, tgt, float(slot_start))
    rules.bookable_now(config, s, change.now)
    keys = [k for k in (id_key, phone_key) if k]
    rules.require_not_barred([change.stored.get("appointment_bars", k) for k in keys], change.now,
                               config.timezone)
    day = local_day(s.start, config.timezone)
    rules.require_not_twice(change.stored.person_bookings(keys), tgt, day)
    rules.require_place(s, len(change.stored.slot_bookings(s.pool, s.start)))
    code = new_code(engine.secret, s.pool, s.start, *keys, change.now)
    while change.stored.get("appointments", code) is not None:
        code = new_code(engine.secret, code)
    row = booking(code, tgt.category, tgt.item, s.start, s.end, applicant.get("name"), applicant.get("phone"),
                  change.now, timezone=config.timezone, pool=s.pool, off_hours=s.off_hours, channel=channel,
                  device=change.device, id_key=id_key, phone_key=phone_key, platform_id=platform_id)
    change.record("appointments", code, row)
    _event("appointment_booked", change, None, row, code=code, channel=channel)
    # the notifier sends the confirmation of a booking with a phone (controller/notify.py): say so
    notified = config.appointments.notify.backend != "none" and bool(row["phone"])
    change.out.result = {"appointment": public(row, config), "notified": notified}


def cancel_appointment(engine, change, code, phone_last4=None, id_hash=None):
    row = change.stored.get("appointments", code)
    id_key = person_key("id", id_hash, engine.secret) if id_hash else None
    if row is None or not rules.proves(row, phone_last4, id_key):
        raise CommandError("not_found", f"no appointment {code} with that phone or ID", "未找到该预约，请核对预约码和手机号")
    rules.require_cancel_open(row, change.now, engine.config)
    after = {**row, "status": "cancelled", "cancelled_at": change.now}
    change.record("appointments", code, after)
    _event("appointment_cancelled", change, row, after, code=code)
    change.out.result = {"appointment": public(after)}


def appointments(engine, change, date=None, category=None, item=None, status=None):
    """Admin: a day's bookings (default today's service day) by slot, filtered, and the blacklist in force."""
    day = date or engine.day
    rows = [row for row in day_rows(change.stored, day, engine.config.timezone)
            if (category is None or row["category"] == category) and (item is None or row["item"] == item)
            and (status is None or row.get("status") == status)]
    change.out.result = {"day": day, "appointments": [public(row) for row in rows],
                         "blacklist": [public_bar(bar) for bar in change.stored.bars(change.now)]}


def day_rows(stored, day: str, timezone: str) -> list[dict]:
    """The bookings whose slot starts on a local day (also those stored before bookings had a `day`)."""
    start = datetime.combine(Date.fromisoformat(day), datetime.min.time(), ZoneInfo(timezone)).timestamp()
    return stored.appointments(start, start + 86400)


def appointment_unbar(engine, change, reason, person=None, applicant=None):
    keys = [person] if person else [k for k in keys_of(applicant, engine.secret) if k]
    if not person and keys and (applicant or {}).get("phone"):  # the phone's 线上取号 bar too (controller/remote.py)
        keys.append(remote.bar_key(keys_of(applicant, engine.secret)[1]))
    if not keys:
        raise CommandError("bad_request", "give person, or applicant with a phone or id_hash", "请指定被限制预约的人员")
    lifted = []
    for key in keys:
        bar = change.stored.get("appointment_bars", key)
        if rules.barred(bar, change.now):
            after = {**bar, "lifted_at": change.now, "lifted_by": change.actor, "reason": reason}
            change.record("appointment_bars", key, after)
            _event("appointment_unbarred", change, bar, after, reason=reason)
            lifted.append(public_bar(after))
    if not lifted:
        raise CommandError("not_found", "that person is not barred", "该人员不在预约黑名单中")
    change.out.result = {"lifted": lifted}


def check_in(engine, change, appointment_code, lang="zh"):
    """预约签到: the booking's ticket, in the same command as the booking's new row."""
    row = change.stored.get("appointments", appointment_code)
    if row is None:
        raise CommandError("not_found", f"no appointment {appointment_code}", "未找到该预约，请核对预约码")
    require_check_in_open(row, change.now, engine.config)
    applicant = {"name": row["applicant"], "phone": row["phone"]} if row["phone"] else None
    opens, until = rules.precedence(row, change.now, engine.config)
    actions.new_ticket(engine, change, category=row["category"], item=row["item"], group="normal",
                       applicant=applicant, lang=lang, appointment_code=appointment_code,
                       appointment_from=opens, appointment_until=until)
    ticket = engine.tickets[change.out.result["ticket"]["id"]]
    after = checked_in(row, ticket.id, change.now)
    change.record("appointments", appointment_code, after)
    _event("appointment_checked_in", change, row, after, code=appointment_code, ticket_id=ticket.id)


# --- time passing ------------------------------------------------------------------------


def settle(engine, change) -> None:
    """Bookings past their slot and late grace, neither checked in nor cancelled, become no-shows;
    the no-show that reaches the blacklist's count bars the person from that day. Bookings whose slot
    is `notify.reminder_minutes` away are marked reminded (the notifier sends the reminder)."""
    section = engine.config.appointments
    if not (change.now >= engine.settle_due or change.now < engine.settle_due - section.settle_every_s):
        return
    engine.settle_due = change.now + section.settle_every_s
    for row in change.stored.bookings_due(change.now - section.late_grace_s):
        if not rules.no_show_due(row, change.now, section.late_grace_s):
            continue
        after = {**row, "status": "no_show", "no_show_at": change.now}
        change.record("appointments", row["code"], after)
        _event("appointment_no_show", change, row, after, code=row["code"])
        for key in (row.get("id_key"), row.get("phone_key")):
            if key:
                bar_if_due(engine, change, key, after)
    lead = section.notify.reminder_minutes * 60
    if lead and section.notify.backend != "none":
        for row in change.stored.bookings_to_remind(change.now + lead, change.now):
            if row["created_at"] >= row["slot_start"] - lead:  # booked inside the lead: the confirmation says it
                continue
            after = {**row, "reminded_at": change.now}
            change.record("appointments", row["code"], after)
            _event("appointment_reminded", change, row, after, code=row["code"])


def bar_if_due(engine, change, key: str, row: dict) -> None:
    config, now = engine.config, change.now
    # this change's own rows first: settling writes several no-shows before the batch sees any
    bar = change.out.rows.get("appointment_bars", {}).get(key) or change.stored.get("appointment_bars", key)
    if rules.barred(bar, now):
        return
    mine = {code: r for code, r in change.out.rows.get("appointments", {}).items()
            if key in (r.get("id_key"), r.get("phone_key"))}
    rows = [mine.get(r["code"], r) for r in change.stored.person_bookings([key])]
    rows += [r for code, r in mine.items() if code not in {row["code"] for row in rows}]
    if bar is not None:  # the no-shows that made an earlier bar are spent
        rows = [r for r in rows if r["slot_start"] >= bar["since"]]
    if not rules.bar_due(rows, now, config.appointments.blacklist):
        return
    counted = rules.counted_no_shows(rows, now, config.appointments.blacklist.period_days)
    after = {"key": key, "since": now, "until": rules.bar_until(now, config),
             "no_shows": json.dumps([r["code"] for r in counted]), "phone": mask_phone(row.get("phone")) or None,
             "lifted_at": None, "lifted_by": None, "reason": None}
    change.record("appointment_bars", key, after)
    _event("appointment_barred", change, bar, after, no_shows=len(counted))

"""Actions answered from the store's records, beside the queue: 差评 follow-ups,
application progress, appointments, and what kiosks report of their devices.

These records outlive a service day, so the engine does not hold them; each
handler reads the store (and the batch not yet committed), checks, and puts
new rows and ledger events into the batch like any other command.
"""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from contract.errors import CommandError
from contract.privacy import mask_name

from . import ratings
from .change import Outcome
from .model import Event
from .store import RECORDS

PROGRESS: dict[str, tuple[str, str]] = {
    "submitted": ("已受理", "Accepted"),
    "reviewing": ("审核中", "Under review"),
    "supplement": ("需补正材料", "More documents needed"),
    "approved": ("已办结", "Completed"),
    "rejected": ("不予许可", "Refused"),
    "delivered": ("已送达", "Delivered"),
}


def _pending_or_stored(service, batch, table: str, key):
    return batch.rows.get(table, {}).get(key) or service.store.record(table, key)


def _record_event(service, batch, outcomes, event: Event, request_id: str, action: str, table: str, row: dict):
    outcome = Outcome(events=[event], rows={table: {row[RECORDS[table][0]]: row}})
    batch.add(outcome, day=service.engine.day, device=event.device, request_id=request_id, action=action)
    outcomes.append(outcome)


# --- 差评 follow-ups (admin) -------------------------------------------------------


def followup_update(service, device, request_id, fields, now, batch, outcomes) -> dict:
    current = _pending_or_stored(service, batch, "followups", fields["followup_id"])
    if current is None:
        raise CommandError("not_found", f"no follow-up {fields['followup_id']}", "未找到该回访记录")
    updated = ratings.advance(current, fields["status"], fields["note"], fields["verdict"], device, now)
    event = Event("followup_updated", now, device, ticket_id=updated["ticket_id"], window=updated["window"],
                  staff_id=updated["staff_id"], before=current, after=updated, data={"status": updated["status"]})
    _record_event(service, batch, outcomes, event, request_id, "followup_update", "followups", updated)
    return {"followup": ratings.public_followup(updated, now)}


def followups(service, device, request_id, fields, now, batch, outcomes) -> dict:
    where, params = "1", []
    if fields.get("status"):
        where, params = "status = ?", [fields["status"]]
    rows = [ratings.public_followup(row, now) for row in service.store.db.query(
        f"SELECT * FROM followups WHERE {where} ORDER BY deadline_at", params)]
    if fields.get("overdue"):
        rows = [row for row in rows if row["overdue"]]
    return {"followups": rows}


# --- application progress (kiosk asks, admin or the back office sets) -------------------


def _public_application(service, row: dict) -> dict:
    item = service.config.items.get(row["item"])
    zh, en = PROGRESS[row["status"]]
    history = [{**step, "status_text": dict(zip(("zh", "en"), PROGRESS[step["status"]]))}
               for step in json.loads(row["history"])]
    return {"application_no": row["application_no"], "item": row["item"],
            "item_name": item.name.model_dump() if item else {"zh": row["item"], "en": row["item"]},
            "applicant": row["applicant"] or "", "status": row["status"], "status_text": {"zh": zh, "en": en},
            "updated_at": row["updated_at"], "history": history}


def query_progress(service, device, request_id, fields, now, batch, outcomes) -> dict:
    row = _pending_or_stored(service, batch, "applications", fields["application_no"])
    if row is None:
        raise CommandError("not_found", f"no application {fields['application_no']}", "未查询到该申请，请核对申请编号")
    return {"application": _public_application(service, row)}


def progress_set(service, device, request_id, fields, now, batch, outcomes) -> dict:
    if fields["status"] not in PROGRESS:
        raise CommandError("bad_request", f"status: one of {', '.join(PROGRESS)}", "办理状态无效")
    if fields["item"] not in service.config.items:
        raise CommandError("not_found", f"no item {fields['item']!r}", "没有该事项")
    current = _pending_or_stored(service, batch, "applications", fields["application_no"])
    history = json.loads(current["history"]) if current else []
    history.append({"at": now, "status": fields["status"], "note": fields["note"]})
    row = {"application_no": fields["application_no"], "item": fields["item"],
           "applicant": mask_name(fields["applicant_name"]) if fields["applicant_name"] else
           (current or {}).get("applicant"), "status": fields["status"], "updated_at": now,
           "history": json.dumps(history, ensure_ascii=False)}
    event = Event("progress_set", now, device, before=current, after=row, data={"status": fields["status"]})
    _record_event(service, batch, outcomes, event, request_id, "progress_set", "applications", row)
    return {"application": _public_application(service, row)}


# --- appointments ------------------------------------------------------------------------


def _local(service, text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(service.config.timezone)).timestamp()


def appointment_add(service, device, request_id, fields, now, batch, outcomes) -> dict:
    """What an online or phone booking system hands the hall: a code and a slot."""
    config = service.config
    item, category = fields["item"], fields["category"]
    if item is not None and item not in config.items:
        raise CommandError("not_found", f"no item {item!r}", "没有该事项")
    category = category or (config.items[item].category if item else None)
    if category not in config.categories:
        raise CommandError("bad_request", "category: give a known category or item", "请指定业务类别或事项")
    start, end = _local(service, fields["slot_start"]), _local(service, fields["slot_end"])
    if end <= start:
        raise CommandError("bad_request", "slot_end: must be after slot_start", "预约时段无效")
    if _pending_or_stored(service, batch, "appointments", fields["code"]):
        raise CommandError("duplicate", f"appointment {fields['code']} exists", "该预约号已存在")
    row = {"code": fields["code"], "category": category, "item": item, "slot_start": start, "slot_end": end,
           "applicant": mask_name(fields["applicant_name"]) or None, "phone": fields["phone"], "created_at": now,
           "checked_in_at": None, "ticket_id": None}
    event = Event("appointment_added", now, device, after=row)
    _record_event(service, batch, outcomes, event, request_id, "appointment_add", "appointments", row)
    return {"appointment": {k: v for k, v in row.items() if k != "phone"}}


def check_in(service, device, request_id, fields, now, batch, outcomes) -> dict:
    """预约签到: a ticket for a booked slot, from shortly before it starts until it ends."""
    code = fields["appointment_code"]
    booking = _pending_or_stored(service, batch, "appointments", code)
    if booking is None:
        raise CommandError("not_found", f"no appointment {code}", "未找到该预约，请核对预约码")
    if booking["checked_in_at"] is not None:
        raise CommandError("duplicate", f"appointment {code} has already checked in", "该预约已签到取号")
    opens = booking["slot_start"] - service.config.queue.appointment_grace_s
    if not opens <= now <= booking["slot_end"]:
        tz = ZoneInfo(service.config.timezone)
        slot = (f"{datetime.fromtimestamp(booking['slot_start'], tz):%m-%d %H:%M}-"
                f"{datetime.fromtimestamp(booking['slot_end'], tz):%H:%M}")
        raise CommandError("invalid_state", f"check-in is open for the slot {slot} only", f"请在预约时段 {slot} 内签到")
    applicant = {"name": booking["applicant"], "phone": booking["phone"]} if booking["phone"] else None
    outcome = service.apply_engine("issue_ticket", device, request_id, {
        "category": booking["category"], "item": booking["item"], "group": "normal", "appointment_code": code,
        "applicant": applicant, "lang": fields["lang"]}, now, batch, outcomes)
    batch.put("appointments", [{**booking, "checked_in_at": now, "ticket_id": outcome.result["ticket"]["id"]}])
    return outcome.result


# --- devices of a kiosk ---------------------------------------------------------------------


def device_status(service, device, request_id, fields, now, batch, outcomes) -> dict:
    """A kiosk's printer or card reader changed state; anything but ok becomes an alert."""
    event = Event("device_reported", now, device, data={k: fields[k] for k in ("component", "status", "detail")})
    outcome = Outcome(events=[event])
    batch.add(outcome, day=service.engine.day, device=device, request_id=request_id, action="device_status")
    outcomes.append(outcome)
    return {}


HANDLERS = {"followup_update": followup_update, "followups": followups, "query_progress": query_progress,
            "progress_set": progress_set, "appointment_add": appointment_add, "check_in": check_in,
            "device_status": device_status}

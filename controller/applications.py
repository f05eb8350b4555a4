"""办理进度: the progress of an application, as the back office sets it and a kiosk shows it.

An application (办件) is handled outside the hall's queue, by the window's
business system; the hall keeps only its number, its item, the masked
applicant and the steps it went through, so a citizen can look it up at a
kiosk. It outlives the service day, so it is a stored record, not engine
state. The rules are plain functions of the row and the time; the actions
`progress_set` and `query_progress` apply them.
"""
from __future__ import annotations

import json

from contract.errors import CommandError
from contract.privacy import mask_name

from .model import Event

# status -> (zh, en), in the order an application usually goes
PROGRESS: dict[str, tuple[str, str]] = {
    "submitted": ("已受理", "Accepted"),
    "reviewing": ("审核中", "Under review"),
    "supplement": ("需补正材料", "More documents needed"),
    "approved": ("已办结", "Completed"),
    "rejected": ("不予许可", "Refused"),
    "delivered": ("已送达", "Delivered"),
}


def step(current: dict | None, items: dict, *, application_no: str, item: str, status: str, note: str,
         applicant_name: str | None, now: float) -> dict:
    """The application's row after one more step (the first step creates it); any status may follow
    any other, since the business system, not the hall, decides the order."""
    if status not in PROGRESS:
        raise CommandError("bad_request", f"status: one of {', '.join(PROGRESS)}", "办理状态无效")
    if item not in items:
        raise CommandError("not_found", f"no item {item!r}", "没有该事项")
    history = json.loads(current["history"]) if current else []
    history.append({"at": now, "status": status, "note": note})
    applicant = mask_name(applicant_name) if applicant_name else (current or {}).get("applicant")
    return {"application_no": application_no, "item": item, "applicant": applicant, "status": status,
            "updated_at": now, "history": json.dumps(history, ensure_ascii=False)}


def public(row: dict, items: dict) -> dict:
    """An application as a kiosk shows it: status and every step in both languages."""
    item = items.get(row["item"])
    zh, en = PROGRESS[row["status"]]
    history = [{**entry, "status_text": dict(zip(("zh", "en"), PROGRESS[entry["status"]]))}
               for entry in json.loads(row["history"])]
    return {"application_no": row["application_no"], "item": row["item"],
            "item_name": item.name.model_dump() if item else {"zh": row["item"], "en": row["item"]},
            "applicant": row["applicant"] or "", "status": row["status"], "status_text": {"zh": zh, "en": en},
            "updated_at": row["updated_at"], "history": history}


# --- actions -----------------------------------------------------------------------------


def query_progress(engine, change, application_no):
    row = change.stored.get("applications", application_no)
    if row is None:
        raise CommandError("not_found", f"no application {application_no}", "未查询到该申请，请核对申请编号")
    change.out.result = {"application": public(row, engine.config.items)}


def progress_set(engine, change, application_no, item, status, note="", applicant_name=None):
    current = change.stored.get("applications", application_no)
    row = step(current, engine.config.items, application_no=application_no, item=item, status=status, note=note,
               applicant_name=applicant_name, now=change.now)
    change.record("applications", application_no, row)
    change.event(Event("progress_set", change.now, change.device, before=current, after=row,
                       data={"status": status}))
    change.out.result = {"application": public(row, engine.config.items)}

"""办理进度: the progress of an application, as the back office sets it and a kiosk shows it.

An application (办件) is handled outside the hall's queue, by the window's
business system; the hall keeps only its number, its item, the masked
applicant, the applicant's phone (sealed at rest) and the steps it went
through, so a citizen can look it up at a kiosk. It outlives the service day,
so it is a stored record, not engine state. The rules are plain functions of
the rows and the time; the actions `progress_set` and `query_progress` apply
them.

Application numbers are printed, read out and often sequential, so a number
alone shows nothing: `query_progress` needs a second factor, the last four
digits of the applicant's phone or the query code printed on the receipt (made
from the hall's secret, so it cannot be worked out from the number). Four
digits fall to ten thousand tries, so wrong tries are counted in the store
(`progress_tries`) per application number and per device, and
`progress_lock` bounds both. An unknown number counts and is answered exactly
as a wrong factor is, so neither the answer nor a lock tells which numbers
exist.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime

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
         applicant_name: str | None, phone: str | None, now: float) -> dict:
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
            "updated_at": now, "history": json.dumps(history, ensure_ascii=False),
            "phone": phone or (current or {}).get("phone")}


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


def receipt_code(secret: bytes, application_no: str) -> str:
    """The query code printed on an application's receipt: 8 characters A-Z2-7, the same every time,
    not to be worked out without the hall's secret."""
    digest = hmac.new(secret, f"application:{application_no}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode()


def opens(row: dict | None, code: str, *, phone_last4: str | None, query_code: str | None) -> bool:
    """Whether the second factor opens this application (None: no such application, never)."""
    if row is None:
        return False
    if query_code is not None:
        return hmac.compare_digest(query_code, code)
    digits = re.sub(r"\D", "", row.get("phone") or "")
    return len(digits) >= 4 and phone_last4 is not None and hmac.compare_digest(digits[-4:], phone_last4)


def try_keys(subject: str, device: str) -> dict[str, str]:
    """The `progress_tries` rows a look-up counts against: its subject ("application:<no>",
    "case:<id>") and the sending device — one budget per device for every second-factor look-up."""
    return {"subject": subject, "device": f"device:{device}"}


def locked_until(rows, now: float) -> float | None:
    """The latest end of a lock still running at `now` among these tries rows, or None."""
    ends = [row["until"] for row in rows if row and row.get("until") and row["until"] > now]
    return max(ends) if ends else None


def after_wrong(key: str, row: dict | None, now: float, max_wrong: int, lock_s: float) -> dict:
    """The tries row after one more wrong try: tries count from the first within `lock_s`; the
    `max_wrong`-th locks the key for `lock_s` and the count starts again."""
    fresh = row is None or row.get("since") is None or now - row["since"] >= lock_s
    wrong, since = (0, now) if fresh else (row["wrong"], row["since"])
    if wrong + 1 >= max_wrong:
        return {"key": key, "wrong": 0, "since": None, "until": now + lock_s}
    return {"key": key, "wrong": wrong + 1, "since": since, "until": None}


def after_right(key: str) -> dict:
    """An application's count after its right factor: a citizen who mistyped starts again."""
    return {"key": key, "wrong": 0, "since": None, "until": None}


NOT_OPENED = ("no application with that number and query code (or phone digits)",
              "未查询到该申请，请核对申请编号和查询码（或手机号后四位）")


def locked_error(until: float, tz) -> CommandError:
    when = f"{datetime.fromtimestamp(until, tz):%H:%M}"
    return CommandError("locked", f"too many wrong tries: look-ups are locked until {when}",
                        f"查询错误次数过多，请于{when}后再试，或到窗口咨询")


def second_factor(engine, change, subject: str, opened: bool, not_opened: tuple[str, str]) -> None:
    """Return when the factor opened `subject`; else count the wrong try (per subject and per device,
    `progress_lock`) and refuse — `locked` once either is locked, whether the subject exists or
    not, and `not_found` with `not_opened` otherwise. A right factor resets the subject's count."""
    rules = engine.config.progress_lock
    keys = try_keys(subject, change.device)
    tries = {name: change.stored.get("progress_tries", key) for name, key in keys.items()}
    until = locked_until(tries.values(), change.now)
    if until is not None:
        raise locked_error(until, engine.tz)
    if opened:
        if tries["subject"] and tries["subject"]["wrong"]:
            change.record("progress_tries", keys["subject"], after_right(keys["subject"]))
        return
    limits = {"subject": rules.max_wrong, "device": rules.device_max_wrong}
    locks = []
    for name, key in keys.items():
        updated = after_wrong(key, tries[name], change.now, limits[name], rules.lock_s)
        change.record("progress_tries", key, updated)
        if updated["until"] is not None:
            locks.append(updated["until"])
            change.event(Event("progress_locked", change.now, change.device, after=updated,
                               data={"key": key, "max_wrong": limits[name], "lock_s": rules.lock_s}))
    if locks:
        raise locked_error(max(locks), engine.tz)
    raise CommandError("not_found", *not_opened)


# --- actions -----------------------------------------------------------------------------


def query_progress(engine, change, application_no, phone_last4=None, query_code=None):
    """An application's progress for whoever holds its second factor; wrong tries are bounded."""
    if (phone_last4 is None) == (query_code is None):
        raise CommandError("bad_request", "give phone_last4 or query_code (one of them)",
                           "请输入受理单上的查询码或申请人手机号后四位")
    row = change.stored.get("applications", application_no)
    opened = opens(row, receipt_code(engine.secret, application_no), phone_last4=phone_last4, query_code=query_code)
    second_factor(engine, change, f"application:{application_no}", opened, NOT_OPENED)
    change.out.result = {"application": public(row, engine.config.items)}


def progress_set(engine, change, application_no, item, status, note="", applicant_name=None, phone=None):
    """A step of an application from the back office; its result carries the receipt's query code."""
    current = change.stored.get("applications", application_no)
    row = step(current, engine.config.items, application_no=application_no, item=item, status=status, note=note,
               applicant_name=applicant_name, phone=phone, now=change.now)
    change.record("applications", application_no, row)
    change.event(Event("progress_set", change.now, change.device, before=current, after=row,
                       data={"status": status}))
    change.out.result = {"application": public(row, engine.config.items),
                         "query_code": receipt_code(engine.secret, application_no)}

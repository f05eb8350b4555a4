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

Every phone comes through the one web device (`web-<name>`), so a device budget
for it alone would let many addresses together lock every citizen's look-ups.
The web tier names the phone instead: `client`, a keyed hash of its address
(web/progress.py, never the address), and the device budget is then counted
per (device, client). Only a `web-` login may name a client; a kiosk's tries
are its own, as before.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from contract.errors import CommandError
from contract.privacy import mask_name

from . import figures, workdays
from .model import Event
from .rights import role_of

# status -> (zh, en), in the order an application usually goes: the clock runs from `accepted`,
# stops for a 补正 (`supplement`) and ends at 办结 (DONE)
PROGRESS: dict[str, tuple[str, str]] = {
    "accepted": ("已受理", "Accepted"),
    "in_progress": ("办理中", "In progress"),
    "supplement": ("需补正材料", "More documents needed"),
    "result_ready": ("已办结，请领取结果", "Completed: the result is ready to collect"),
    "collected": ("已领取", "Collected"),
    "refused": ("不予许可", "Refused"),
    "closed": ("已办结", "Completed"),
}
# the statuses before the time limits (stored rows are migrated by the store; a business system
# still sending them is understood)
LEGACY = {"submitted": "accepted", "reviewing": "in_progress", "approved": "result_ready", "rejected": "refused",
          "delivered": "collected"}
# 办结: the first step into one of these ends the clock; the on-time rate counts it (controller/figures.py)
DONE = ("result_ready", "collected", "refused", "closed")
SUPPLEMENT = "supplement"
CLOCK_PAUSED = ("计时暂停（补正中），补齐材料后顺延", "Clock paused for the supplement; the due date moves on")


def status_of(status: str) -> str:
    """The status a step names, the older names understood; a CommandError for any other."""
    status = LEGACY.get(status, status)
    if status not in PROGRESS:
        raise CommandError("bad_request", f"status: one of {', '.join(PROGRESS)}", "办理状态无效")
    return status


def _day(at: float, tz: str):
    return datetime.fromtimestamp(at, ZoneInfo(tz)).date()


def clock(row: dict, *, status: str, now: float, calendar, timezone: str) -> dict:
    """The time-limit fields of a row entering `status` at `now`: a 补正 stops the clock from its
    day; leaving it adds the working days after that day up to and including the day it resumes
    (a 补正 answered the same day costs nothing), so the due date moves by the paused working days;
    the first step into DONE is the 办结 and says whether it was on time."""
    out = {k: row.get(k) for k in ("accepted_at", "limit_days", "paused_at", "paused_days", "due_at", "closed_at",
                                   "on_time")}
    out["paused_days"] = out["paused_days"] or 0
    if out["paused_at"] is not None and status != SUPPLEMENT:
        out["paused_days"] += workdays.working_days_between(_day(out["paused_at"], timezone), _day(now, timezone),
                                                            calendar.holidays, calendar.workdays)
        out["paused_at"] = None
    if status == SUPPLEMENT and out["paused_at"] is None and out["closed_at"] is None:
        out["paused_at"] = now
    if out["limit_days"] is not None:
        out["due_at"] = workdays.deadline(out["accepted_at"], out["limit_days"] + out["paused_days"], calendar,
                                          timezone)
    if status in DONE and out["closed_at"] is None:
        out["closed_at"] = now
        out["on_time"] = None if out["due_at"] is None else int(figures.closed_on_time(now, out["due_at"]))
    return out


def step(current: dict | None, config, *, application_no: str, item: str | None, status: str, note: str,
         applicant_name: str | None, phone: str | None, now: float, by: str = "",
         ticket: dict | None = None) -> dict:
    """The application's row after one more step (the first step creates it and starts its clock);
    any status may follow any other, since the business system, not the hall, decides the order.
    `ticket` ({id, number, window, staff_id}) links a ticket to it; the first window linked is the
    window that accepted it (the on-time rate's window and staff)."""
    status = status_of(status)
    items = config.items
    item = item or (current or {}).get("item")
    if item is None:
        raise CommandError("bad_request", "item: the first step names the application's item",
                           "请指定办件的办理事项")
    if item not in items:
        raise CommandError("not_found", f"no item {item!r}", "没有该事项")
    if current and current.get("item") and current["item"] != item:
        raise CommandError("invalid_state", f"application {application_no} is for item {current['item']}",
                           f"该办件属于事项{current['item']}")
    row = dict(current or {})
    if current is None:
        row.update(accepted_at=now, limit_days=items[item].guide.promised_limit_days, tickets="[]")
    history = json.loads(row["history"]) if current else []
    entry = {"at": now, "status": status, "note": note, "by": by}
    tickets = json.loads(row.get("tickets") or "[]")
    if ticket is not None:
        entry["ticket"] = ticket["number"]
        if ticket["id"] not in tickets:
            tickets.append(ticket["id"])
        if row.get("window") is None and ticket.get("window") is not None:
            row.update(window=ticket["window"], staff_id=ticket.get("staff_id"))
    history.append(entry)
    applicant = mask_name(applicant_name) if applicant_name else row.get("applicant")
    row.update(application_no=application_no, item=item, applicant=applicant, status=status, updated_at=now,
               history=json.dumps(history, ensure_ascii=False), phone=phone or row.get("phone"),
               tickets=json.dumps(tickets))
    row.update(clock(row, status=status, now=now, calendar=config.calendar, timezone=config.timezone))
    return row


def warn_at(row: dict, warn_days: int, calendar, timezone: str) -> float:
    """When an application's due date comes within `warn_days` working days: the end of the working
    day that leaves that many before the due day (at once, when the limit is no longer than that)."""
    days = row["limit_days"] + (row.get("paused_days") or 0)
    if days <= warn_days:
        return row["accepted_at"]
    return workdays.deadline(row["accepted_at"], days - warn_days, calendar, timezone)


def watched(rows, config) -> tuple[dict, ...]:
    """What 电子监察 looks at (supervision.py, `application_due`): the applications whose clock runs —
    not 办结, with a due date, not paused for a 补正."""
    out = []
    for row in rows:
        if row.get("closed_at") is not None or row.get("due_at") is None or row.get("paused_at") is not None:
            continue
        item = config.items.get(row["item"])
        out.append({"application_no": row["application_no"], "window": row.get("window"), "due_at": row["due_at"],
                    "warn_at": warn_at(row, config.applications.warn_working_days, config.calendar, config.timezone),
                    "item_name": item.name.model_dump() if item else {"zh": row["item"], "en": row["item"]}})
    return tuple(out)


def public(row: dict, items: dict) -> dict:
    """An application as a kiosk shows it: status, due date and every step in both languages."""
    item = items.get(row["item"])
    status = LEGACY.get(row["status"], row["status"])
    zh, en = PROGRESS[status]
    history = []
    for entry in json.loads(row["history"]):
        name = LEGACY.get(entry["status"], entry["status"])
        text = dict(zip(("zh", "en"), PROGRESS[name]))
        if entry.get("ticket"):
            text = {"zh": f"{text['zh']}（关联{entry['ticket']}号）", "en": f"{text['en']} (ticket {entry['ticket']})"}
        history.append({"at": entry["at"], "status": name, "note": entry.get("note", ""), "status_text": text})
    paused = row.get("paused_at") is not None
    return {"application_no": row["application_no"], "item": row["item"],
            "item_name": item.name.model_dump() if item else {"zh": row["item"], "en": row["item"]},
            "applicant": row["applicant"] or "", "status": status, "status_text": {"zh": zh, "en": en},
            "updated_at": row["updated_at"], "history": history, "limit_days": row.get("limit_days"),
            "due_at": row.get("due_at"), "closed_at": row.get("closed_at"), "paused": paused,
            "paused_text": dict(zip(("zh", "en"), CLOCK_PAUSED)) if paused else None}


def reconciled(row: dict, items: dict, timezone: str) -> dict:
    """An application as its business system reconciles it (`application`): what `public` shows but
    the applicant, plus whether it was 办结 on time, the tickets linked (id and number) and who made
    each step (`by`: the device and the system or console user; the integration API leaves it out
    for the system asking, and reads it to tell whether that system took part)."""
    shown = public(row, items)
    shown.pop("applicant")
    for entry, stored in zip(shown["history"], json.loads(row["history"])):
        entry.update(ticket=stored.get("ticket"), by=stored.get("by", ""), at_hall=hall_time(entry["at"], timezone))
    on_time = row.get("on_time")
    tickets = json.loads(row.get("tickets") or "[]")
    shown.update(on_time=None if on_time is None else bool(on_time), window=row.get("window"),
                 tickets=[{"id": ticket_id, "number": ticket_id.rpartition("-")[2]} for ticket_id in tickets],
                 due_hall=hall_time(row.get("due_at"), timezone), closed_hall=hall_time(row.get("closed_at"), timezone))
    return shown


def hall_time(at: float | None, timezone: str) -> str | None:
    """Epoch seconds as the hall's clock reads them, ISO 8601 with its offset."""
    return None if at is None else datetime.fromtimestamp(at, ZoneInfo(timezone)).isoformat(timespec="seconds")


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


def try_keys(subject: str, device: str, client: str | None = None) -> dict[str, str]:
    """The `progress_tries` rows a look-up counts against: its subject ("application:<no>",
    "case:<id>") and the sending device — one budget per device for every second-factor look-up,
    or, when the web tier names the phone (`client`), one per device and client."""
    sender = f"device:{device}" if client is None else f"device:{device}:client:{client}"
    return {"subject": subject, "device": sender}


def check_client(device: str, client: str | None) -> None:
    """A `client` (its shape checked by the contract) comes only from the web tier, which alone
    speaks for many phones: from any other device it would split that device's own budget."""
    if client is not None and role_of(device)[0] != "web":
        raise CommandError("bad_request", "client: only a web-<name> login names a client",
                           "client 字段无效：仅网上服务可提供")


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


def second_factor(engine, change, subject: str, opened: bool, not_opened: tuple[str, str],
                  client: str | None = None) -> None:
    """Return when the factor opened `subject`; else count the wrong try (per subject, and per device
    or per device and `client`, `progress_lock`) and refuse — `locked` once either is locked,
    whether the subject exists or not, and `not_found` with `not_opened` otherwise. A right factor
    resets the subject's count."""
    check_client(change.device, client)
    rules = engine.config.progress_lock
    keys = try_keys(subject, change.device, client)
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


def query_progress(engine, change, application_no, phone_last4=None, query_code=None, client=None):
    """An application's progress for whoever holds its second factor; wrong tries are bounded."""
    if (phone_last4 is None) == (query_code is None):
        raise CommandError("bad_request", "give phone_last4 or query_code (one of them)",
                           "请输入受理单上的查询码或申请人手机号后四位")
    row = change.stored.get("applications", application_no)
    opened = opens(row, receipt_code(engine.secret, application_no), phone_last4=phone_last4, query_code=query_code)
    second_factor(engine, change, f"application:{application_no}", opened, NOT_OPENED, client)
    change.out.result = {"application": public(row, engine.config.items)}


def record_step(engine, change, *, application_no, item, status, note="", applicant_name=None, phone=None,
                ticket=None, kind="progress_set") -> dict:
    """One step of an application, stored and in the ledger (`result_ready` the first time it
    becomes so: the notifier's cue, controller/notify.py); the row as it is now."""
    current = change.stored.get("applications", application_no)
    row = step(current, engine.config, application_no=application_no, item=item, status=status, note=note,
               applicant_name=applicant_name, phone=phone, now=change.now, by=change.actor, ticket=ticket)
    change.record("applications", application_no, row)
    ticket = ticket or {}
    change.event(Event(kind, change.now, change.device, ticket_id=ticket.get("id"), window=ticket.get("window"),
                       staff_id=ticket.get("staff_id"), before=current, after=row,
                       data={"status": row["status"], "application_no": application_no}))
    if row["status"] == "result_ready" and (current or {}).get("status") != "result_ready":
        change.event(Event("application_result_ready", change.now, change.device, after=row,
                           data={"application_no": application_no, "item": row["item"]}))
    return row


def progress_set(engine, change, application_no, status, item=None, note="", applicant_name=None, phone=None):
    """A step of an application from the back office; its result carries the receipt's query code."""
    row = record_step(engine, change, application_no=application_no, item=item, status=status, note=note,
                      applicant_name=applicant_name, phone=phone)
    change.out.result = {"application": public(row, engine.config.items),
                         "query_code": receipt_code(engine.secret, application_no)}


def linked_ticket(engine, window, ticket_id) -> dict:
    """The ticket a link names: by id (today's, or an earlier day's kept by id alone), or the one
    being served at the window (else the one it served last)."""
    if ticket_id is not None:
        ticket = engine.tickets.get(ticket_id)
        if ticket is None:
            day, _, number = ticket_id.rpartition("-")
            if not day or day >= engine.day:
                raise CommandError("not_found", f"no ticket {ticket_id!r}", "没有该号码")
            return {"id": ticket_id, "number": number, "window": None, "staff_id": None, "item": None}
    else:
        if window is None:
            raise CommandError("bad_request", "give a ticket_id or a window", "请指定号码或窗口")
        current = window.current or window.last_served
        ticket = engine.tickets.get(current) if current else None
        if ticket is None:
            raise CommandError("invalid_state", f"window {window.number} has no ticket to link",
                               f"{window.number}号窗口没有可关联的号码")
    return {"id": ticket.id, "number": ticket.number, "window": ticket.window, "staff_id": ticket.staff_id,
            "item": ticket.item}


def application_link(engine, change, window=None, *, application_no, item=None, ticket_id=None, note="",
                     applicant_name=None, phone=None):
    """办件 linked to a ticket: the first link creates the application (accepted, its clock running),
    of the item given or else the ticket's; a later one adds a ticket (the citizen came back with a
    补正) and keeps the status."""
    ticket = linked_ticket(engine, window, ticket_id)
    current = change.stored.get("applications", application_no)
    item = item or (None if current else ticket["item"])
    status = current["status"] if current else "accepted"
    row = record_step(engine, change, application_no=application_no, item=item, status=status, note=note,
                      applicant_name=applicant_name, phone=phone, ticket=ticket, kind="application_linked")
    change.out.result = {"application": public(row, engine.config.items),
                         "query_code": receipt_code(engine.secret, application_no)}


# the outcome at the window -> the status a 办件 named at 办结 takes (a consultation is none)
AT_FINISH = {"accepted": "accepted", "on_the_spot": "closed", "supplement": "supplement", "refused": "refused"}


def check_finish_link(engine, change, window, outcome, application_no) -> str | None:
    """Before the 办结 (nothing is changed yet): the item of the ticket a 办件 is linked to at it, or a
    CommandError for a link that would fail after it."""
    if application_no is None:
        return None
    if outcome not in AT_FINISH:
        raise CommandError("bad_request", "application_no: a consultation makes no application", "咨询不产生办件")
    ticket = engine.tickets.get(window.current) if window.current else None
    if ticket is None or not ticket.item:
        raise CommandError("bad_request", "application_no: the ticket names no item; link it with application_link",
                           "该号码未选事项，请用办件关联指定事项")
    current = change.stored.get("applications", application_no) if change.stored is not None else None
    if current and current.get("item") != ticket.item:
        raise CommandError("invalid_state", f"application {application_no} is for item {current['item']}",
                           f"该办件属于事项{current['item']}")
    return ticket.item


def link_at_finish(engine, change, ticket, outcome, application_no, note="") -> dict:
    """The 办件 named at 办结, linked to the ticket just finished, in the status its outcome gives."""
    return record_step(engine, change, application_no=application_no, item=ticket.item, status=AT_FINISH[outcome],
                       note=note, ticket={"id": ticket.id, "number": ticket.number, "window": ticket.window,
                                          "staff_id": ticket.staff_id}, kind="application_linked")


def link_for_rating(engine, change, ticket, application_no: str) -> dict:
    """The 办件 a rating at a window is asked for (`invite_rating`), linked to the ticket rated so
    the rating is the application's: as `application_link` at the window does when not linked yet
    (creating it, accepted, of the ticket's item), and left as it is when it is."""
    current = change.stored.get("applications", application_no)
    if current is not None and ticket.id in json.loads(current.get("tickets") or "[]"):
        return current
    return record_step(engine, change, application_no=application_no, item=None if current else ticket.item,
                       status=current["status"] if current else "accepted", ticket={
                           "id": ticket.id, "number": ticket.number, "window": ticket.window,
                           "staff_id": ticket.staff_id}, kind="application_linked")


def list_applications(engine, change, overdue=False):
    """`applications`: the 办件 not yet 办结, the earliest due first, as the console's list shows them —
    with the accepting window and staff, the linked tickets, and whether they are past due now (a
    paused one is not: its due date moves on)."""
    out = []
    for row in change.stored.open_applications():
        late = row.get("paused_at") is None and change.now > row["due_at"]
        if overdue and not late:
            continue
        out.append({**public(row, engine.config.items), "window": row.get("window"), "staff_id": row.get("staff_id"),
                    "tickets": json.loads(row.get("tickets") or "[]"), "overdue": late})
    change.out.result = {"applications": out}

"""线上取号: a phone asks for a code (`remote_code`), enters it (`remote_ticket`) and gets its ticket.

The rules are in controller/remote.py; here they read the rows they need through `change.stored`
and record what they return, with a ledger event for each step: `remote_code_sent` (the
notifier sends the code, controller/notify.py), `remote_code_locked`, `remote_ticket_taken` (beside
the ticket's own `ticket_issued`, channel "remote") and `remote_barred`. The ticket is made by the
one way tickets are made (controller/actions.py, `new_ticket`), so the hall's ticketing hours, its
category's daily cap and its open windows count for it as for a walk-in's.
"""
from __future__ import annotations

import json

from contract.errors import CommandError
from contract.privacy import mask_phone

from . import actions
from . import remote as rules
from .model import Event

PERSONAL = ("phone", "phone_key")


def _snapshot(row: dict | None) -> dict | None:
    """A challenge as the ledger keeps it: without the phone (it is in the record, forgotten in one place)."""
    return None if row is None else {k: v for k, v in row.items() if k not in PERSONAL}


def _event(kind: str, change, before: dict | None, after: dict, **data) -> None:
    change.event(Event(kind, change.now, change.device, before=_snapshot(before), after=_snapshot(after), data=data))


def require_not_barred(engine, change, key: str, phone: str) -> None:
    """Refuse a barred phone; bar it now when its remote no-shows reach the rule (the bar is written
    though the command is refused)."""
    config, now = engine.config, change.now
    bar = change.stored.get("appointment_bars", rules.bar_key(key))
    if rules.barred(bar, now):
        raise rules.barred_error(bar, config.timezone)
    rule = config.remote_ticket.no_show
    since = now - rule.period_days * rules.DAY_S
    new = rules.bar_due(change.stored.remote_no_shows(key, since), bar, now, rule, key, phone, config.timezone)
    if new is not None:
        change.record("appointment_bars", new["key"], new)
        change.event(Event("remote_barred", now, change.device, before=bar, after=new,
                           data={"no_shows": len(json.loads(new["no_shows"]))}))
        raise rules.barred_error(new, config.timezone)


def require_room(engine, change, key: str, category: str, rows_today) -> None:
    section = engine.config.remote_ticket
    rules.require_phone_cap(rows_today, section)
    rules.require_category_cap(len(change.stored.remote_tickets_of(category, engine.day)), section, category)


def remote_code(engine, change, phone, category, lang="zh"):
    """Send a verification code to the phone for a ticket of the category; answers the challenge id
    (never the code). Asked again before `code.resend_s`, it answers the same challenge unsent."""
    config, now = engine.config, change.now
    section = config.remote_ticket
    rules.require_offered(config, category)
    rules.require_hours(engine.ticketing_open(now))
    rules.require_served(config, category, engine.open_windows(category))
    key = rules.phone_key(phone, engine.secret)
    require_not_barred(engine, change, key, phone)
    rows = change.stored.remote_challenges(key, engine.day)
    require_room(engine, change, key, category, rows)
    row = rules.open_challenge(rows, category, now)
    if row is not None and rules.resend_in(row, now, section):
        change.out.result = {"challenge_id": row["id"], "sent": False, "resend_in": rules.resend_in(row, now, section),
                             "expires_at": row["expires_at"], "phone": mask_phone(phone), "category": category}
        return
    rules.require_sends(rows, section)
    if row is None:
        cid = rules.challenge_id(engine.secret, key, category, now, len(rows))
        while change.stored.get("remote_challenges", cid) is not None:
            cid = rules.challenge_id(engine.secret, cid)
        after = rules.new_challenge(cid, phone, key, category, engine.day, now, section, change.device)
    else:
        after = rules.resent(row, now, section)
    change.record("remote_challenges", after["id"], after)
    _event("remote_code_sent", change, row, after, challenge_id=after["id"], lang=lang)
    change.out.result = {"challenge_id": after["id"], "sent": True, "resend_in": section.code.resend_s,
                         "expires_at": after["expires_at"], "phone": mask_phone(phone), "category": category}


def remote_ticket(engine, change, challenge_id, code, lang="zh"):
    """The code typed on the phone: a wrong one is counted (and locks the challenge at the limit), the
    right one issues the ticket. A spent challenge answers its ticket again, never a second one."""
    config, now = engine.config, change.now
    section = config.remote_ticket
    row = change.stored.get("remote_challenges", challenge_id)
    if row is not None and row.get("ticket_id"):
        ticket = engine.tickets.get(row["ticket_id"])
        if ticket is None:
            raise CommandError("invalid_state", "that ticket was of another day", "该号码已过期，请重新取号")
        change.out.result = {"ticket": engine.public_ticket(ticket), "again": True}
        return
    rules.require_usable(row, now)
    if not rules.right_code(engine.secret, row, code, section.code.length):
        after, refusal = rules.wrong_try(row, section)
        change.record("remote_challenges", row["id"], after)
        if after["status"] == rules.LOCKED:
            _event("remote_code_locked", change, row, after, challenge_id=row["id"], wrong=after["wrong"])
        raise refusal
    rules.require_offered(config, row["category"])
    require_not_barred(engine, change, row["phone_key"], row["phone"])
    require_room(engine, change, row["phone_key"], row["category"],
                 change.stored.remote_challenges(row["phone_key"], engine.day))
    actions.new_ticket(engine, change, category=row["category"], item=None, group="normal",
                       applicant={"phone": row["phone"]}, lang=lang, channel="remote")
    ticket = change.out.result["ticket"]
    after = {**row, "status": rules.USED, "ticket_id": ticket["id"], "used_at": now}
    change.record("remote_challenges", row["id"], after)
    _event("remote_ticket_taken", change, row, after, challenge_id=row["id"], ticket_id=ticket["id"])
    change.out.result = {"ticket": ticket, "again": False}

"""电子监察 alerts: from the rules' findings to stored rows and `event/alert` messages.

The Supervisor holds the open alerts (one per cause, by the finding's key)
and the first-seen times of causes the state does not date. Each review it
opens an alert when a cause is past its yellow limit, escalates it past the
red one, and closes it when the cause is gone — the ticket was called, the
window resumed, the follow-up closed. An admin acknowledges an alert with a
note (`alert_ack`); that does not close it, only its cause does. An admin may
also assign it to a person (`alert_assign`) and order it handled by a deadline
(督办, `alert_escalate`); a review past that deadline marks the alert overdue
(`alert_overdue`), once, so a 督办 not met shows by itself.

Each alert carries its trail: every step (opened, escalated, acked, assigned,
duban, overdue, closed) with who and when, in the row's `trail` (JSON), so the
board shows an alert's whole story without reading the ledger.

Pure like the engine: time comes in, rows and events go out. The engine holds
the Supervisor (the open alerts, rebuilt from the store at start); the service
runs `supervise` after each batch's commands, so alert rows and ledger events
are committed with the batch and published only once they are stored. The
simulator runs the same review and keeps the events in its ledger.
"""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from contract.errors import CommandError

from . import applications, workdays
from .model import AT_WINDOW, Event
from .supervision import AtWindow, Finding, HallView, Waiting, WindowView, findings

REVIEW_EVERY_S = 5.0
CHANGES = ("opened", "escalated", "closed", "acked", "assigned", "duban", "overdue")
MAX_DEADLINE_S = 90 * 86400  # a 督办 deadline further off than a quarter is a typing slip
CONTROLLER = "controller"
EVENT_KINDS = tuple(f"alert_{change}" for change in CHANGES)


def hall_view(engine, now: float, followups=(), open_applications=()) -> HallView:
    """What the rules look at, read from the engine (and the store's open follow-ups and 办件)."""
    waiting: dict[str, list] = {}
    sent: dict[int, int] = {}
    for ticket in engine.waiting.values():
        if ticket.target_window is not None:
            sent[ticket.target_window] = sent.get(ticket.target_window, 0) + 1
            continue
        entry = waiting.get(ticket.category)
        if entry is None:
            waiting[ticket.category] = [ticket, 1]
        else:
            entry[1] += 1
            if (ticket.issued_at, ticket.seq) < (entry[0].issued_at, entry[0].seq):
                entry[0] = ticket
    windows = []
    for number in sorted(engine.config.windows):
        window = engine.windows.get(number)
        if window is None:
            continue
        ticket = engine.tickets.get(window.current) if window.current else None
        current = None
        if ticket is not None and ticket.status in AT_WINDOW:
            current = AtWindow(ticket.id, ticket.number, ticket.category, ticket.started_at or ticket.called_at)
        primary, secondary = engine.lists(number)
        windows.append(WindowView(number, window.staff_id is not None, window.paused, window.paused_at,
                                  window.pause_reason, current, primary, secondary, sent.get(number, 0)))
    state = engine.tidal_state
    return HallView(
        waiting={code: Waiting(t.id, t.number, t.issued_at, n) for code, (t, n) in waiting.items()},
        windows=tuple(windows), open_now=engine.ticketing_open(now),
        names={code: cat.name.model_dump() for code, cat in engine.config.categories.items()},
        timezone=engine.config.timezone, followups=tuple(followups),
        tidal_short={code: (state.memory.unmet_since.get(code, now), wait) for code, wait in state.unmet.items()},
        staffed_windows=tuple(engine.config.supervision.staffed_windows),
        calendar_missing=calendar_gaps(engine.config, now),
        applications=applications.watched(open_applications, engine.config))


def calendar_gaps(config, now: float) -> tuple[int, ...]:
    """Years the working-day counts of the coming days reach (差评 deadlines, the booking horizon) that
    the holiday calendar does not cover."""
    cal, section = config.calendar, config.appointments
    ahead = config.ratings.followup_working_days
    if section.enabled:
        ahead = max(ahead, section.open_working_days, section.off_hours.max_working_days if section.off_hours.items
                    else 0)
    today = datetime.fromtimestamp(now, ZoneInfo(config.timezone)).date()
    return tuple(workdays.missing_years(today, workdays.add_working_days(today, ahead, cal.holidays, cal.workdays),
                                        cal))


class Supervisor:
    def __init__(self, open_rows=(), next_id: int = 1):
        self.open: dict[str, dict] = {row["key"]: dict(row) for row in open_rows}
        self.seen: dict[str, float] = {}
        self.next_id = next_id
        self.due = float("-inf")  # hall time of the next review by `supervise`

    def review(self, found: list[Finding], now: float, day: str) -> list[tuple[str, dict | None, dict]]:
        """(change, before, after) of every alert this review opens, escalates or closes."""
        changes = []
        due: dict[str, tuple[Finding, float, str]] = {}
        for finding in found:
            since = finding.since
            if since is None:
                since = self.seen.setdefault(finding.key, now)
            age = now - since
            level = "red" if age >= finding.red_s else "yellow" if age >= finding.yellow_s else None
            if level is not None:
                due[finding.key] = (finding, since, level)
        keys = {finding.key for finding in found}
        for key in [k for k in self.seen if k not in keys]:
            del self.seen[key]
        for key, row in list(self.open.items()):
            if key not in due:
                closed = step(row, {"status": "closed", "closed_at": now}, "closed", CONTROLLER, now)
                del self.open[key]
                changes.append(("closed", row, closed))
        for key, (finding, since, level) in due.items():
            row = self.open.get(key)
            if row is None:
                row = self._new(finding, since, level, now, day)
                self.open[key] = row
                changes.append(("opened", None, row))
            elif level == "red" and row["level"] == "yellow":
                zh, en = _texts(finding, since, now)
                escalated = step(row, {"level": "red", "escalated_at": now, "text_zh": zh, "text_en": en},
                                 "escalated", CONTROLLER, now, level="red")
                self.open[key] = escalated
                changes.append(("escalated", row, escalated))
        for key, row in list(self.open.items()):
            if overdue(row, now) and not row.get("overdue_at"):
                late = step(row, {"overdue_at": now}, "overdue", CONTROLLER, now, deadline=row["duban_deadline"])
                self.open[key] = late
                changes.append(("overdue", row, late))
        return changes

    def ack(self, row: dict, note: str, device: str, now: float) -> tuple[dict, dict]:
        """An admin's acknowledgement (open or closed alert); a second one replaces the note."""
        return self.act(row, "acked", device, now, {"acked_at": now, "acked_by": device, "note": note}, note=note)

    def assign(self, row: dict, to: str, note: str | None, device: str, now: float) -> tuple[dict, dict]:
        """Give an open alert to a person to handle; a second assignment replaces the first."""
        require_open(row)
        return self.act(row, "assigned", device, now, {"assigned_to": to, "assigned_at": now, "assigned_by": device},
                        to=to, note=note)

    def duban(self, row: dict, deadline: float, note: str, to: str | None, device: str,
              now: float) -> tuple[dict, dict]:
        """督办: order an open alert handled by `deadline` (hall time, ahead of now); a new order
        replaces the old one and its overdue mark, and may name whom it goes to."""
        require_open(row)
        if not now < deadline <= now + MAX_DEADLINE_S:
            raise CommandError("bad_request", "deadline: must be after now and within 90 days",
                               "督办期限须晚于现在且在90天内")
        fields = {"duban_deadline": deadline, "duban_at": now, "duban_by": device, "duban_note": note,
                  "overdue_at": None}
        if to is not None:
            fields.update(assigned_to=to, assigned_at=now, assigned_by=device)
        return self.act(row, "duban", device, now, fields, deadline=deadline, note=note, to=to)

    def act(self, row: dict, kind: str, device: str, now: float, fields: dict, **said) -> tuple[dict, dict]:
        """One admin step on an alert: its fields and its trail, in the held open alert too."""
        after = step(row, fields, kind, device, now, **said)
        if row["status"] == "open" and row["key"] in self.open:
            self.open[row["key"]] = step(self.open[row["key"]], fields, kind, device, now, **said)
        return row, after

    def _new(self, finding: Finding, since: float, level: str, now: float, day: str) -> dict:
        zh, en = _texts(finding, since, now)
        row = {"id": self.next_id, "key": finding.key, "kind": finding.kind, "level": level, "status": "open",
               "category": finding.category, "window": finding.window, "ticket_id": finding.ticket_id,
               "number": finding.number, "followup_id": finding.followup_id, "since": since, "opened_at": now,
               "escalated_at": None, "closed_at": None, "acked_at": None, "acked_by": None, "note": None,
               "text_zh": zh, "text_en": en, "day": day, "assigned_to": None, "assigned_at": None,
               "assigned_by": None, "duban_deadline": None, "duban_at": None, "duban_by": None, "duban_note": None,
               "overdue_at": None,
               "trail": json.dumps([{"step": "opened", "at": now, "by": CONTROLLER, "level": level}])}
        self.next_id += 1
        return row


def require_open(row: dict) -> None:
    if row["status"] != "open":
        raise CommandError("invalid_state", f"alert {row['id']} is closed", f"告警{row['id']}已消除")


def trail(row: dict) -> list[dict]:
    """The steps of an alert, the first first; a row stored before alerts kept a trail gets the steps
    its columns still date."""
    if row.get("trail"):
        return json.loads(row["trail"])
    steps = [{"step": "opened", "at": row["opened_at"], "by": CONTROLLER}]
    if row.get("escalated_at"):
        steps.append({"step": "escalated", "at": row["escalated_at"], "by": CONTROLLER, "level": "red"})
    if row.get("acked_at"):
        steps.append({"step": "acked", "at": row["acked_at"], "by": row.get("acked_by"), "note": row.get("note")})
    if row.get("closed_at"):
        steps.append({"step": "closed", "at": row["closed_at"], "by": CONTROLLER})
    return sorted(steps, key=lambda s: s["at"])


def step(row: dict, fields: dict, kind: str, by: str, now: float, **said) -> dict:
    """The row with `fields` changed and one more step in its trail (what was said beside who and
    when, None left out)."""
    entry = {"step": kind, "at": now, "by": by, **{k: v for k, v in said.items() if v is not None}}
    return {**row, **fields, "trail": json.dumps([*trail(row), entry], ensure_ascii=False)}


def overdue(row: dict, now: float) -> bool:
    """A 督办 not met: the alert still open past its deadline."""
    deadline = row.get("duban_deadline")
    return row["status"] == "open" and deadline is not None and now > deadline


def _texts(finding: Finding, since: float, now: float) -> tuple[str, str]:
    minutes = str(max(0, round((now - since) / 60)))
    return tuple(template.replace("{min}", minutes) for template in finding.text)


def event(change: str, before: dict | None, after: dict, now: float, device: str = "controller") -> Event:
    """The ledger's record of one step; the subject stays in `data`, so the ledger's ticket and
    window columns keep meaning "this row's before/after is that ticket's or window's"."""
    return Event(f"alert_{change}", now, device, before=before, after=after,
                 data={"id": after["id"], "kind": after["kind"], "level": after["level"],
                       "category": after["category"], "window": after["window"], "ticket_id": after["ticket_id"]})


def message(event: Event) -> dict:
    """The `event/alert` payload of one step (contract.messages.SupervisionAlert)."""
    row = event.after
    return {"kind": row["kind"], "change": event.kind.removeprefix("alert_"), "id": row["id"], "level": row["level"],
            "status": row["status"], "category": row["category"], "window": row["window"],
            "ticket_id": row["ticket_id"], "number": row["number"], "followup_id": row["followup_id"],
            "since": row["since"], "opened_at": row["opened_at"], "closed_at": row["closed_at"],
            "acked_at": row["acked_at"], "acked_by": row["acked_by"], "note": row["note"],
            "assigned_to": row.get("assigned_to"), "duban_deadline": row.get("duban_deadline"),
            "text": {"zh": row["text_zh"], "en": row["text_en"]}, "at": event.at}


def public(row: dict, now: float) -> dict:
    """An alert as the `alerts` action lists it: with its trail, and whether its 督办 is overdue at `now`."""
    return {**{k: v for k, v in row.items() if k not in ("text_zh", "text_en", "key", "trail")},
            "text": {"zh": row["text_zh"], "en": row["text_en"]}, "trail": trail(row), "overdue": overdue(row, now)}


def record(change, steps) -> None:
    """Put each (change, before, after) step of alerts into the command's change: the row and its event."""
    for step, before, after in steps:
        change.record("alerts", after["id"], after)
        change.event(event(step, before, after, change.now, change.device))


def supervise(engine, change) -> None:
    """The periodic review (every REVIEW_EVERY_S of hall time): open, escalate and close alerts."""
    supervisor, now = engine.supervisor, change.now
    if not (now >= supervisor.due or now < supervisor.due - REVIEW_EVERY_S):
        return
    supervisor.due = now + REVIEW_EVERY_S
    view = hall_view(engine, now, change.stored.open_followups(), change.stored.open_applications())
    record(change, supervisor.review(findings(view, engine.config.supervision), now, engine.day))


# --- actions -----------------------------------------------------------------------------


def list_alerts(engine, change, status="open", date=None, limit=200):
    rows = change.stored.alerts(None if status == "all" else status, date, limit)
    change.out.result = {"alerts": [public(row, change.now) for row in rows]}


def stored_alert(change, alert_id) -> dict:
    row = change.stored.get("alerts", alert_id)
    if row is None:
        raise CommandError("not_found", f"alert_id: no alert {alert_id}", f"没有编号为{alert_id}的告警")
    return row


def alert_ack(engine, change, alert_id, note):
    """An admin's note on an alert, open or closed (it closes only when its cause is gone)."""
    before, after = engine.supervisor.ack(stored_alert(change, alert_id), note, change.actor, change.now)
    record(change, [("acked", before, after)])
    change.out.result = {"alert": public(after, change.now)}


def alert_assign(engine, change, alert_id, to, note=None):
    """Give an open alert to a person (a console user or a member of staff) to handle."""
    before, after = engine.supervisor.assign(stored_alert(change, alert_id), to, note, change.actor, change.now)
    record(change, [("assigned", before, after)])
    change.out.result = {"alert": public(after, change.now)}


def alert_escalate(engine, change, alert_id, deadline, note, to=None):
    """督办: order an open alert handled by a deadline, given as hall-local "YYYY-MM-DDTHH:MM"."""
    try:
        at = datetime.fromisoformat(deadline).replace(tzinfo=ZoneInfo(engine.config.timezone)).timestamp()
    except ValueError:
        raise CommandError("bad_request", "deadline: not a date and time", "督办期限无效") from None
    before, after = engine.supervisor.duban(stored_alert(change, alert_id), at, note, to, change.actor, change.now)
    record(change, [("duban", before, after)])
    change.out.result = {"alert": public(after, change.now)}

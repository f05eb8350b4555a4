"""电子监察 and 潮汐窗口 in the running controller: a review each few seconds, and their admin actions.

The service calls `review()` with every batch; at most every REVIEW_EVERY_S of
hall time it builds the hall's view (the engine, plus the 差评 follow-ups the
store holds), runs the alert rules and writes what changed — alert rows and
ledger events — into the same batch as everything else, so an alert is
published only once it is stored. The tidal policy itself runs inside the
engine (controller/tidal_windows.py); here are only its admin switches that
change the config (`tidal_policy`).
"""
from __future__ import annotations

import logging
import sqlite3

from contract.errors import CommandError

from . import admin, alert_rules, alerts
from .change import Outcome

REVIEW_EVERY_S = 5.0
log = logging.getLogger("controller")


class Oversight:
    """The supervisor of one running controller, rebuilt from the store's open alerts."""

    def __init__(self, store):
        rows = list(store.db.query("SELECT * FROM alerts WHERE status = 'open'"))
        last = store.db.execute("SELECT MAX(id) FROM alerts").fetchone()[0] or 0
        self.supervisor = alerts.Supervisor(rows, last + 1)
        self.due = float("-inf")


def open_followups(store) -> list[dict]:
    """差评 follow-ups not yet closed; none when this store has no follow-up records."""
    try:
        return list(store.db.query("SELECT * FROM followups WHERE status != 'closed'"))
    except sqlite3.OperationalError:
        return []


def review(service, now: float, batch, outcomes) -> None:
    """Open, escalate and close alerts into this batch; a failing rule is logged, never fatal."""
    state = service.oversight
    if not (now >= state.due or now < state.due - REVIEW_EVERY_S):
        return
    state.due = now + REVIEW_EVERY_S
    engine = service.engine
    try:
        view = alerts.hall_view(engine, now, open_followups(service.store))
        changes = state.supervisor.review(alert_rules.findings(view, engine.config.supervision), now, engine.day)
    except Exception:
        log.exception("supervision review failed; alerts unchanged")
        return
    record(service, changes, now, batch, outcomes, device="controller", request_id=None, action="supervision")


def record(service, changes, now, batch, outcomes, *, device, request_id, action) -> None:
    if not changes:
        return
    events = [alerts.event(change, before, after, now, device) for change, before, after in changes]
    outcome = Outcome(events=events, rows={"alerts": {after["id"]: after for _, _, after in changes}})
    batch.add(outcome, day=service.engine.day, device=device, request_id=request_id, action=action)
    outcomes.append(outcome)


# --- admin actions ---------------------------------------------------------------------


def list_alerts(service, device, request_id, fields, now, batch, outcomes) -> dict:
    where, params = [], []
    if fields["status"] != "all":
        where.append("status = ?")
        params.append(fields["status"])
    if fields.get("date"):
        where.append("day = ?")
        params.append(fields["date"])
    rows = service.store.db.query(f"SELECT * FROM alerts WHERE {' AND '.join(where) or '1'} "
                                  "ORDER BY id DESC LIMIT ?", [*params, fields["limit"]])
    return {"alerts": [alerts.public(row) for row in rows]}


def alert_ack(service, device, request_id, fields, now, batch, outcomes) -> dict:
    alert_id = fields["alert_id"]
    row = batch.rows.get("alerts", {}).get(alert_id) or service.store.record("alerts", alert_id)
    if row is None:
        raise CommandError("not_found", f"alert_id: no alert {alert_id}", f"没有编号为{alert_id}的告警")
    before, after = service.oversight.supervisor.ack(row, fields["note"], device, now)
    record(service, [("acked", before, after)], now, batch, outcomes, device=device, request_id=request_id,
           action="alert_ack")
    return {"alert": alerts.public(after)}


def tidal_policy(service, device, request_id, fields, now, batch, outcomes) -> dict:
    """Turn the tidal policy on or off for the hall or one category: a config change, versioned.
    Switched windows stay as they are; `tidal_switch` sends them back by hand."""
    code = fields.get("category")
    if code is not None and code not in service.config.categories:
        raise CommandError("not_found", f"category: no category {code!r}", f"没有业务类别 {code}")
    patch = {"enabled": fields["enabled"]} if code is None else {"categories": {code: {"enabled": fields["enabled"]}}}
    version = admin.config_patch(service, device, request_id, {"patch": {"tidal": patch}}, now, batch, outcomes)
    tidal = service.config.tidal
    return {**version, "enabled": tidal.enabled,
            "categories": {c: tidal.rule(c)["enabled"] for c in service.config.categories},
            "switched": sorted(n for n, w in service.engine.windows.items() if w.tidal)}


HANDLERS = {"alerts": list_alerts, "alert_ack": alert_ack, "tidal_policy": tidal_policy}

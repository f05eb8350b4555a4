"""Admin actions: the live configuration and the day's figures.

A new config is validated as a whole — schema first, then against the live
queue (a window with staff logged in cannot vanish) — so a bad change changes
nothing and the reply names the offending key. An accepted one is versioned
in the store in the same transaction as the reply.
"""
from __future__ import annotations

import json

from config.loader import merge_patch
from config.schema import ConfigError, validate
from contract.errors import CommandError

from .change import Outcome
from .model import Event
from .stats import summarize
from .store import ledger_row


def _refuse(exc: ConfigError) -> CommandError:
    return CommandError("bad_request", f"{exc.key}: {exc.message}", f"配置有误（{exc.key}）：{exc.message}")


def apply_config(service, raw: dict, device: str, request_id: str, now: float, batch, outcomes) -> dict:
    try:
        new = validate(raw)
        if new.hall != service.config.hall:
            raise ConfigError("hall", "the hall id cannot change while the controller runs")
        old_windows = set(service.engine.windows)
        service.engine.replace_config(new)
    except ConfigError as exc:
        raise _refuse(exc) from None
    service.version += 1
    service.removed_windows = sorted(old_windows - set(new.windows))
    data = new.model_dump(mode="json")
    batch.configs.append((service.version, now, device, "admin", service.file_hash,
                          json.dumps(data, ensure_ascii=False)))
    event = Event("config_changed", now, device, data={"version": service.version})
    batch.ledger.append(ledger_row(event, day=service.engine.day, request_id=request_id, action="config"))
    outcomes.append(Outcome(events=[event]))
    return {"version": service.version}


def handle(service, action: str, device: str, request_id: str, fields: dict, now: float, batch, outcomes):
    """(result, config changed) of one admin action."""
    if action == "config_get":
        return {"version": service.version, "config": service.full_config()}, False
    if action == "config_set":
        return apply_config(service, fields["config"], device, request_id, now, batch, outcomes), True
    if action == "config_patch":
        merged = merge_patch(service.full_config(), fields["patch"])
        return apply_config(service, merged, device, request_id, now, batch, outcomes), True
    if action in ("stats", "report"):
        day = fields.get("date") or service.engine.day
        if day == service.engine.day:
            rows = [t.row() for t in service.engine.tickets.values()]
        else:
            rows = list(service.store.db.query("SELECT * FROM tickets WHERE day = ?", [day]))
        result = summarize(day, rows)
        if action == "report":
            result["ledger"] = {row["kind"]: row["n"] for row in service.store.db.query(
                "SELECT kind, COUNT(*) AS n FROM ledger WHERE day = ? GROUP BY kind ORDER BY kind", [day])}
        return result, False
    raise CommandError("unknown_action", f"no admin action {action!r}", f"不支持的操作 {action}")

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
from .report import day_figures, from_store as daily_report
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
    service.config_changed = True
    service.removed_windows = sorted(old_windows - set(new.windows))
    data = new.model_dump(mode="json")
    batch.configs.append((service.version, now, device, "admin", service.file_hash,
                          json.dumps(data, ensure_ascii=False)))
    event = Event("config_changed", now, device, data={"version": service.version})
    batch.ledger.append(ledger_row(event, day=service.engine.day, request_id=request_id, action="config"))
    outcomes.append(Outcome(events=[event]))
    return {"version": service.version}


def config_get(service, device, request_id, fields, now, batch, outcomes) -> dict:
    return {"version": service.version, "config": service.full_config()}


def config_set(service, device, request_id, fields, now, batch, outcomes) -> dict:
    return apply_config(service, fields["config"], device, request_id, now, batch, outcomes)


def config_patch(service, device, request_id, fields, now, batch, outcomes) -> dict:
    merged = merge_patch(service.full_config(), fields["patch"])
    return apply_config(service, merged, device, request_id, now, batch, outcomes)


def stats(service, device, request_id, fields, now, batch, outcomes) -> dict:
    return day_figures(service.store, service.engine, fields.get("date") or service.engine.day, now)


def report(service, device, request_id, fields, now, batch, outcomes) -> dict:
    result = stats(service, device, request_id, fields, now, batch, outcomes)
    result["ledger"] = service.store.ledger_counts(result["day"])
    result["daily"] = daily_report(service.store, result["day"], service.config, now)  # 日清日结, from the ledger
    return result


HANDLERS = {"config_get": config_get, "config_set": config_set, "config_patch": config_patch,
            "stats": stats, "report": report}

"""The live hall config: read, replaced or patched over MQTT, versioned.

A new config is validated as a whole — schema first, then against the live
queue (a window with staff logged in cannot vanish: `Engine.check_config`) —
so a bad change changes nothing and the reply names the offending key. An
accepted one is the engine's config at once (the next command of the same
batch sees it) and a new version in the store, committed with the reply; the
service then publishes the whole retained state again.
"""
from __future__ import annotations

from config.loader import as_json, merge_patch
from config.schema import ConfigError, validate
from contract.errors import CommandError

from .model import Event


def replace(engine, change, raw: dict) -> dict:
    """Make `raw` the hall's config, or refuse it naming the key."""
    try:
        new = validate(raw)
        if new.hall != engine.config.hall:
            raise ConfigError("hall", "the hall id cannot change while the controller runs")
        version = engine.replace_config(new)
    except ConfigError as exc:
        keys = "、".join(key for key, _ in exc.problems)
        raise CommandError("bad_request", str(exc), f"配置有误（{keys}）：{exc}") from None
    change.out.config = {"version": version, "at": change.now, "config": new.model_dump(mode="json")}
    change.event(Event("config_changed", change.now, change.device, data={"version": version}))
    return {"version": version}


def apply_patch(engine, change, changes: dict) -> dict:
    """The config with an RFC 7386 merge patch applied (config/loader.py, merge_patch)."""
    return replace(engine, change, merge_patch(as_json(engine.config), changes))


# --- actions -----------------------------------------------------------------------------


def config_get(engine, change):
    change.out.result = {"version": engine.version, "config": as_json(engine.config)}


def config_set(engine, change, config):
    change.out.result = replace(engine, change, config)


def config_patch(engine, change, patch):
    change.out.result = apply_patch(engine, change, patch)


def tidal_policy(engine, change, enabled, category=None):
    """Turn the tidal policy on or off for the hall or one category: a config change, versioned.
    Switched windows stay as they are; `tidal_switch` sends them back by hand."""
    if category is not None and category not in engine.config.categories:
        raise CommandError("not_found", f"category: no category {category!r}", f"没有业务类别 {category}")
    section = {"enabled": enabled} if category is None else {"categories": {category: {"enabled": enabled}}}
    version = apply_patch(engine, change, {"tidal": section})
    tidal = engine.config.tidal
    change.out.result = {**version, "enabled": tidal.enabled,
                         "categories": {code: tidal.rule(code)["enabled"] for code in engine.config.categories},
                         "switched": sorted(n for n, w in engine.windows.items() if w.tidal)}

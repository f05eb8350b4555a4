"""The live hall config: read, replaced or patched over MQTT, versioned.

A new config is validated as a whole — schema first, then against the live
queue (a window with staff logged in cannot vanish: `Engine.check_config`) —
so a bad change changes nothing and the reply names each offending key (`error.problems`, which
the console shows next to the field). An
accepted one is the engine's config at once (the next command of the same
batch sees it) and a new version in the store, committed with the reply; the
service then publishes the whole retained state again. Its `config_changed` event says what it
changed (`summary`, config/changes.py) and, through the Change, which console user asked: the
version history (`config_versions`) is read from those events, and `config_restore` makes an earlier
version the config again, as a new version.

Two directors editing the same entry would each save over the other unseen, so a change may carry
the version it was read at (`expect_version`, which every console form sends): when the live
config has moved on since, the change is refused whole as a `conflict` naming the version now, and
the one who asked reloads and decides. The command line may leave it out.
"""
from __future__ import annotations

from datetime import datetime

from config.changes import changes, summary
from config.loader import as_json, merge_patch
from config.schema import ConfigError, validate
from contract.errors import CommandError
from contract.privacy import hash_pin

from .model import Event


def replace(engine, change, raw: dict, restored: int | None = None) -> dict:
    """Make `raw` the hall's config, or refuse it naming each offending key."""
    before = as_json(engine.config)
    try:
        new = validate(raw)
        if new.hall != engine.config.hall:
            raise ConfigError("hall", "the hall id cannot change while the controller runs")
        version = engine.replace_config(new)
    except ConfigError as exc:
        keys = "、".join(key for key, _ in exc.problems)
        raise CommandError("bad_request", str(exc), f"配置有误（{keys}）：{exc}", problems=exc.problems) from None
    body = new.model_dump(mode="json")
    change.out.config = {"version": version, "at": change.now, "config": body}
    data = {"version": version, "summary": summary(changes(before, as_json(new)))}
    if restored is not None:
        data["restored"] = restored
    change.event(Event("config_changed", change.now, change.device, data=data))
    return {"version": version}


def apply_patch(engine, change, changes: dict) -> dict:
    """The config with an RFC 7386 merge patch applied (config/loader.py, merge_patch)."""
    return replace(engine, change, merge_patch(as_json(engine.config), changes))


def expect(engine, expect_version: int | None) -> None:
    """Refuse a change made against a version that is no longer the live one."""
    if expect_version is not None and expect_version != engine.version:
        now = engine.version
        raise CommandError("conflict", f"expect_version: the config is now version {now}, not {expect_version}: "
                                       f"someone changed it meanwhile; reload and change again",
                           f"配置已被他人修改（现为第{now}版），请刷新后再改")


# --- actions -----------------------------------------------------------------------------


def config_get(engine, change):
    change.out.result = {"version": engine.version, "config": as_json(engine.config)}


def config_set(engine, change, config, expect_version=None):
    expect(engine, expect_version)
    change.out.result = replace(engine, change, config)


def config_patch(engine, change, patch, expect_version=None):
    expect(engine, expect_version)
    change.out.result = apply_patch(engine, change, patch)


def staff_set(engine, change, staff_id, name=None, windows=(), pin=None, scope=None, expect_version=None):
    """A member of staff from the console's form: the PIN as typed is hashed here, into the config
    (contract.privacy.hash_pin), so nobody runs a hash step and no PIN is kept or recorded as typed.
    Without a PIN the one they have is kept; a new member of staff must be given one.

    With a `scope` (a window lead's windows, sent by the console) the change is held to it here as
    well as in the console, so a forged form or a console bug cannot reach past it: only a member
    of staff already at one of those windows, their name as it is, and their windows changed only
    within the scope (the others kept, never none, since none means every window)."""
    expect(engine, expect_version)
    known = engine.config.staff.get(staff_id)
    if scope is not None:
        out_of_scope(known, staff_id, name, list(windows), set(scope))
    if pin is not None and not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise CommandError("bad_request", "pin: the PIN must be 4-8 digits", "PIN 须为4-8位数字",
                           problems=[(f"staff.{staff_id}.pin_hash", "the PIN must be 4-8 digits")])
    if pin is None and known is None:
        raise CommandError("bad_request", f"staff.{staff_id}: a new member of staff needs a PIN", "新工作人员须设置 PIN",
                           problems=[(f"staff.{staff_id}.pin_hash", "a new member of staff needs a PIN")])
    if name is None:
        name = (known.name or "") if known is not None else ""
    entry = {"name": name.strip() or None, "windows": list(windows),
             "pin_hash": hash_pin(pin) if pin is not None else known.pin_hash}
    change.out.result = {**apply_patch(engine, change, {"staff": {staff_id: entry}}), "staff_id": staff_id}


def out_of_scope(known, staff_id: str, name, windows: list, scope: set[int]) -> None:
    """`forbidden` for a scoped staff_set that reaches outside the lead's windows."""
    had = set(known.windows) if known is not None else set()
    if known is None or not had & scope:
        raise CommandError("forbidden", f"staff.{staff_id}: not a member of staff of your windows",
                           f"工作人员 {staff_id} 不在您负责的窗口")
    if name is not None:
        raise CommandError("forbidden", "name: a window lead does not rename staff", "窗口负责人不能修改姓名")
    numbers = all(isinstance(n, int) and not isinstance(n, bool) for n in windows)
    if not windows or not numbers or {n for n in windows if n not in scope} != had - scope:
        raise CommandError("forbidden", "windows: only your windows may change, and at least one must stay",
                           "只能调整您负责的窗口，且至少保留一个窗口",
                           problems=[(f"staff.{staff_id}.windows", "outside the windows you lead")])


def config_versions(engine, change, limit=50, show=None, against=None):
    """The version history, newest first: each version's number, when in the hall's time, by whom
    (device and console user), from where (a file, kept at start, an admin command) and what it
    changed; with `show`, that version's differences from the one before it — or from `against`:
    from the live version, what a return to `show` would change — PIN hashes hidden."""
    def when(at: float) -> str:
        return datetime.fromtimestamp(at, engine.tz).strftime("%Y-%m-%d %H:%M")

    versions = [{**row, "when": when(row["at"])} for row in change.stored.config_history(limit)]
    change.out.result = {"current": engine.version, "versions": versions}
    if show is not None:
        body = change.stored.config_body(show)
        if body is None:
            raise CommandError("not_found", f"version: no config version {show}", f"没有第 {show} 版配置")
        before = show - 1 if against is None else against
        earlier = change.stored.config_body(before) if before >= 1 else None
        if earlier is None and against is not None:
            raise CommandError("not_found", f"against: no config version {against}", f"没有第 {against} 版配置")
        change.out.result["shown"] = {"version": show, "before": before if earlier is not None else None,
                                      "changes": changes(earlier or {}, body)}


def config_restore(engine, change, version, expect_version=None):
    """Back to an earlier version, as a new version (the history keeps every step), checked as
    every change is: a window with staff logged in cannot vanish by going back either."""
    expect(engine, expect_version)
    body = change.stored.config_body(version)
    if body is None:
        raise CommandError("not_found", f"version: no config version {version}", f"没有第 {version} 版配置")
    change.out.result = {**replace(engine, change, body, restored=version), "restored": version}


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

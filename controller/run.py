"""Starting the controller: which config wins, signals, logging."""
from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from config.loader import load_file, write_config
from config.schema import validate

from .clock import ScaledClock
from .datakey import DataKeyError, keep_owner
from .service import ControllerService
from .store import Batch, Store

log = logging.getLogger("controller")


WINS = ("file", "live")  # --config-wins: which config a controller starts from when both changed


class LiveChangesAtRisk(SystemExit):
    """The hall file changed and the live config has changes the file does not have."""


def config_at_start(store: Store, path: str, now: float, wins: str | None = None):
    """(config, version) to start from.

    The newest stored version wins while the file is the one it descends from (it may carry
    admin changes made over MQTT). An edited file wins when nothing changed live since the file
    was last read, or when it says what the live config says (written by `config-export`). When
    both changed, starting from either would silently drop the other's changes, so it refuses —
    LiveChangesAtRisk naming both versions and what differs — unless `wins` says which: "file"
    (the live changes are dropped, logged) or "live" (the live config is kept, recorded as
    descending from the edited file, so the next start does not ask again)."""
    raw, file_hash = load_file(path)
    latest = store.latest_config()
    if latest and latest["file_hash"] == file_hash and wins != "file":
        return validate(latest["config"]), latest["version"]
    config = validate(raw)
    body = json.loads(json.dumps(config.model_dump(mode="json")))  # as stored: window numbers as keys in text
    version = latest["version"] + 1 if latest else 1
    if latest and latest["source"] == "admin" and body != latest["config"] and wins != "file":
        if wins != "live":
            raise LiveChangesAtRisk(refusal(store, path, latest, body))
        live = validate(latest["config"])
        store.commit(Batch(configs=[(version, now, "controller", "kept", file_hash, json.dumps(
            latest["config"], ensure_ascii=False))]))
        log.warning("config: %s changed, the live config (version %d) kept as version %d (--config-wins live)",
                    path, latest["version"], version)
        return live, version
    if latest and latest["source"] == "admin" and body != latest["config"]:
        log.warning("config: %s wins (--config-wins file): the live changes of version %d are dropped "
                    "(still in the store's config history)", path, latest["version"])
    store.commit(Batch(configs=[(version, now, "controller", "file", file_hash,
                                 json.dumps(body, ensure_ascii=False))]))
    log.info("config version %d read from %s", version, path)
    return config, version


def refusal(store: Store, path: str, latest: dict, file_body: dict) -> str:
    """Why the controller will not start, in a hall manager's words: both versions, what differs, what to do."""
    log_rows = store.config_log()
    read = next((r for r in reversed(log_rows) if r["source"] in ("file", "kept")), None)
    live_rows = [r for r in log_rows if r["source"] == "admin" and (read is None or r["version"] > read["version"])]
    tz = ZoneInfo(str(latest["config"].get("timezone") or "Asia/Shanghai"))

    def when(at: float) -> str:
        return datetime.fromtimestamp(at, tz).strftime("%Y-%m-%d %H:%M")

    last = live_rows[-1] if live_rows else {"version": latest["version"], "at": 0, "device": "?"}
    lines = [f"controller: not started — {path} was edited, and the live config was changed over MQTT since the "
             f"file was last read; starting from either would silently lose the other's changes.",
             f"  live config:  version {latest['version']} ({len(live_rows)} live change(s) since version "
             f"{read['version'] if read else '?'}, the last by {last['device']} at {when(last['at'])})",
             f"  hall file:    {path} (edited since version {read['version'] if read else '?'} was read from it"
             + (f" at {when(read['at'])})" if read else ")"),
             "  they differ in:"]
    lines += [f"    - {line}" for line in differences(latest["config"], file_body)]
    lines += ["  Choose which wins:",
              "    --config-wins live   keep the live config (your edit to the file is not applied), or",
              "    --config-wins file   start from the file (the live changes above are dropped), or",
              f"    write the live config to a file first (./qms controller config-export --out FILE), merge your edit",
              "    into it and use that file: a file that says what the live config says starts without a question."]
    return "\n".join(lines)


def differences(live: dict, file: dict) -> list[str]:
    """Each top-level key where the live config and the file differ, with the entries that do."""
    out = []
    for key in sorted(set(live) | set(file)):
        a, b = live.get(key), file.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict) and not any(isinstance(v, dict) for v in (*a.values(), *b.values())):
            out += [f"{key}.{k}: live {_short(a.get(k))}, the file {_short(b.get(k))}"
                    for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        elif isinstance(a, dict) and isinstance(b, dict):
            only_live = [k for k in a if k not in b]
            only_file = [k for k in b if k not in a]
            changed = [k for k in a if k in b and a[k] != b[k]]
            parts = []
            if only_live:
                parts.append(f"{len(only_live)} only in the live config ({_names(only_live)})")
            if only_file:
                parts.append(f"{len(only_file)} only in the file ({_names(only_file)})")
            if changed:
                parts.append(f"{len(changed)} changed ({_names(changed)})")
            out.append(f"{key}: {len(a)} live, {len(b)} in the file; " + "; ".join(parts))
        else:
            out.append(f"{key}: live {_short(a)}, the file {_short(b)}")
    return out


def _names(keys: list) -> str:
    shown = ", ".join(str(k) for k in keys[:8])
    return shown + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def export_config(db_path: str, out: str | None, data_key: str | None = None) -> int:
    """The store's newest config version as YAML (to `out`, or stdout): the controller may be stopped."""
    store = open_store(db_path, data_key)
    try:
        latest = store.latest_config()
    finally:
        store.close()
    if latest is None:
        raise SystemExit(f"{db_path} holds no config yet")
    write_config(latest["config"], out, f"live config version {latest['version']} of {db_path}")
    return 0


def demo_clock(timezone: str, start_hhmm: str | None, speed: float):
    if not start_hhmm and speed == 1:
        return time.time
    tz = ZoneInfo(timezone)
    now = datetime.now(tz)
    if start_hhmm:
        hour, minute = map(int, start_hhmm.split(":"))
        now = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return ScaledClock(now.timestamp(), speed)


def hold_store(db_path: str) -> int:
    """An exclusive lock beside the database (`<db>.lock`), held while a controller or a key
    rotation has the store: the two never write it at once. SystemExit when someone holds it."""
    fd = os.open(f"{db_path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise SystemExit(f"{db_path} is in use by another controller or key rotation: stop it first") from None
    return fd


def open_store(db_path: str, data_key: str | None, synchronous: str = "FULL") -> Store:
    """The store, or SystemExit with what is wrong with its data key (missing, open to others, not its own)."""
    try:
        return Store(db_path, synchronous=synchronous, data_key=data_key)
    except DataKeyError as exc:
        raise SystemExit(f"controller: {exc}") from None


def rotate_key(db_path: str, data_key: str | None) -> int:
    """Seal every stored phone number with a new data key and drop the old one.

    The key file first gets the new key in front of the old (a store sealed with either opens),
    then one transaction reseals every value, then the old key goes: stopped at any step, nothing
    is lost, and running it again finishes the job."""
    lock = hold_store(db_path)
    try:
        store = open_store(db_path, data_key)
        both = store.key.with_new_key()
        both.save()
        count = store.reseal(both)
        both.newest_only().save()
        store.checkpoint()
        store.close()
        for suffix in ("-wal", "-shm", ".lock"):
            if os.path.exists(db_path + suffix):
                keep_owner(db_path + suffix, db_path)
    finally:
        os.close(lock)
    print(f"data key {both.path}: a new key; {count} stored values sealed with it, the old key dropped")
    return 0


def run_controller(config_path: str, db_path: str, broker, *, synchronous: str = "FULL",
                   clock_start: str | None = None, clock_speed: float = 1.0, data_key: str | None = None,
                   config_wins: str | None = None) -> int:
    """Serve the hall until SIGTERM; `broker` is appkit.cli.Broker (address, password, hall CA);
    `data_key` the file of the key that seals phone numbers (default `<db>.key`)."""
    lock = hold_store(db_path)
    store = open_store(db_path, data_key, synchronous)
    raw, _ = load_file(config_path)
    clock = demo_clock(validate(raw).timezone, clock_start, clock_speed)
    try:
        config, version = config_at_start(store, config_path, clock(), config_wins)
    except LiveChangesAtRisk:
        store.close()
        os.close(lock)
        raise
    service = ControllerService(config, store, broker.host, broker.port, version=version, clock=clock,
                                password=broker.password, tls_ca=broker.tls_ca)

    def stop(signum, frame):
        log.info("signal %d: stopping", signum)
        service.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("hall %s: %d categories, %d windows, day %s, serving on %s:%d", config.hall, len(config.categories),
             len(config.windows), service.engine.day, broker.host, broker.port)
    service.run()
    store.close()
    os.close(lock)
    return 0

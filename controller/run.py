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

from config.loader import load_file
from config.schema import validate

from .clock import ScaledClock
from .datakey import DataKeyError, keep_owner
from .service import ControllerService
from .store import Batch, Store

log = logging.getLogger("controller")


def config_at_start(store: Store, path: str, now: float):
    """(config, version): the file wins when it changed since it was last read, else the newest
    stored version (which may carry admin changes made over MQTT, stored with the hash of the
    file they descend from)."""
    raw, file_hash = load_file(path)
    latest = store.latest_config()
    if latest and latest["file_hash"] == file_hash:
        return validate(latest["config"]), latest["version"]
    config = validate(raw)
    version = latest["version"] + 1 if latest else 1
    store.commit(Batch(configs=[(version, now, "controller", "file", file_hash,
                                 json.dumps(config.model_dump(mode="json"), ensure_ascii=False))]))
    log.info("config version %d read from %s", version, path)
    return config, version


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
                   clock_start: str | None = None, clock_speed: float = 1.0, data_key: str | None = None) -> int:
    """Serve the hall until SIGTERM; `broker` is appkit.cli.Broker (address, password, hall CA);
    `data_key` the file of the key that seals phone numbers (default `<db>.key`)."""
    lock = hold_store(db_path)
    store = open_store(db_path, data_key, synchronous)
    raw, _ = load_file(config_path)
    clock = demo_clock(validate(raw).timezone, clock_start, clock_speed)
    config, version = config_at_start(store, config_path, clock())
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

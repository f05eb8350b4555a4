"""Starting the controller: which config wins, signals, logging."""
from __future__ import annotations

import json
import logging
import signal
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from config.loader import load_file
from config.schema import validate

from .clock import ScaledClock
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


def run_controller(config_path: str, db_path: str, broker, *, synchronous: str = "FULL",
                   clock_start: str | None = None, clock_speed: float = 1.0) -> int:
    """Serve the hall until SIGTERM; `broker` is appkit.cli.Broker (address, password, hall CA)."""
    store = Store(db_path, synchronous=synchronous)
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
    return 0

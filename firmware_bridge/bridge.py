"""The bridge loop: serial devices in, contract commands out, hall state back to the devices.

One thread owns everything that decides: the drivers, the hall view, the
requests in flight. Port threads and paho's network thread only put what
they received on `inbox` (paho callbacks never do work), so no driver is
ever called from two threads and a slow serial line never blocks MQTT.

Each device's availability is retained under `status/bridge-<name>/<device>`
(the bridge's own birth / last will is `status/bridge-<name>`); commands go
out as `bridge-<name>` with `"window": n` through the client's one requester
(contract/requester.py), whose callbacks come back through `inbox` too: a
command keeps its id until it is answered or its keypad gives it up.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable

from contract.client import HallClient, Incoming
from contract.requester import Request

from .config import BridgeConfig, read_salt
from .drivers import DRIVERS
from .hall import BridgeHall
from .transport import PortEvent

log = logging.getLogger("bridge")

TICK_S = 0.05
STATS_EVERY_S = 60.0
REPUBLISH = Incoming("", b"")  # put on the inbox by every (re)connect: a fresh broker has lost retained statuses


class Bridge:
    def __init__(self, config: BridgeConfig, host: str = "127.0.0.1", port: int = 1883, *,
                 password: str | None = None, tls_ca: str | None = None,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self.config = config
        self.device_id = config.device_id
        self.clock, self.wall = clock, wall
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.client = HallClient(self.device_id, config.hall, host, port, password=password, tls_ca=tls_ca,
                                 deliver=self.inbox.put, on_connected=lambda: self.inbox.put(REPUBLISH),
                                 dispatch=self.inbox.put, request_timeout_s=config.command_timeout_s, clock=clock)
        self.topics = self.client.topics
        self.hall = BridgeHall(self.topics, config.rating_window_s)
        self.salt = read_salt(config.id_salt_file) if config.id_salt_file else b""
        self.drivers = {name: DRIVERS[port.driver](name, port, self) for name, port in config.ports.items()}
        self.owner = {device: driver for driver in self.drivers.values() for device in driver.cfg.devices}
        self.statuses: dict[str, dict] = {}
        self.errors = 0
        self.stopping = threading.Event()
        self.client.watch_controller()
        self.client.listen_for_replies()
        for topic in self.hall.subscriptions() + [t for d in self.drivers.values() for t in d.subscriptions()]:
            self.client.subscribe(topic)

    # --- life cycle ---------------------------------------------------------------------

    def post(self, event: PortEvent) -> None:
        self.inbox.put(event)

    def run(self) -> None:
        """Serve until `stop()`; says goodbye (every device offline, then the bridge) on the way out."""
        for driver in self.drivers.values():
            for device in driver.cfg.devices:
                driver.publish_status(device)  # offline until it is heard (also replaces a stale "online")
        self.client.start(wait=0)
        for driver in self.drivers.values():
            driver.start()
        next_tick = next_stats = self.clock()
        last_stats: dict = {}
        while not self.stopping.is_set():
            try:
                self.handle(self.inbox.get(timeout=max(0.0, next_tick - self.clock())))
                while True:
                    self.handle(self.inbox.get_nowait())
            except queue.Empty:
                pass
            now = self.clock()
            if now >= next_tick:
                next_tick = now + TICK_S
                self.tick(now)
            if now >= next_stats:
                next_stats = now + STATS_EVERY_S
                last_stats = self.log_stats(last_stats)
        for driver in self.drivers.values():
            driver.stop()
        for device, payload in list(self.statuses.items()):
            self.statuses[device] = {**payload, "status": "offline", "at": self.wall()}
            self.client.publish(self.topics.bridge_device_status(self.device_id, device), self.statuses[device],
                                retain=True)
        self.log_stats(last_stats)
        self.client.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.inbox.put(PortEvent("", "wake"))

    # --- the loop's work ----------------------------------------------------------------

    def handle(self, item) -> None:
        now = self.clock()
        try:
            if isinstance(item, PortEvent):
                driver = self.drivers.get(item.port)
                if driver is None:
                    return
                if item.kind == "data":
                    driver.on_bytes(item.data, now)
                else:
                    driver.on_port(item.kind == "up", now)
            elif item is REPUBLISH:
                for device, payload in self.statuses.items():
                    self.client.publish(self.topics.bridge_device_status(self.device_id, device), payload,
                                        retain=True)
            elif isinstance(item, Incoming):
                self.message(item, now)
            else:  # a requester callback: a reply, or a command overdue
                item()
        except Exception:
            self.errors += 1
            what = getattr(item, "topic", None) or getattr(item, "port", item)
            log.exception("handling %s failed; carrying on", what)

    def message(self, item: Incoming, now: float) -> None:
        if item.topic == self.topics.reply(self.device_id):
            return  # a second answer to an id sent twice: the requester took the first
        target = self.topics.parse_bridge_device(item.topic)
        if target is not None:
            bridge, device, kind = target
            if bridge == self.device_id and device in self.owner:
                self.owner[device].on_device_message(device, kind, item.payload, now)
            return
        try:
            data = item.json() if item.payload else None
        except ValueError:
            log.warning("%s: not JSON; ignored", item.topic)
            return
        for change in self.hall.update(item.topic, data):
            for driver in self.drivers.values():
                driver.on_hall(change, now)

    def tick(self, now: float) -> None:
        self.client.requests.tick(now)
        for driver in self.drivers.values():
            self.safely(driver.tick, now)

    def safely(self, fn, arg) -> None:
        try:
            fn(arg)
        except Exception:
            self.errors += 1
            log.exception("%s failed; carrying on", getattr(fn, "__qualname__", fn))

    # --- what drivers use ---------------------------------------------------------------

    def send(self, action: str, fields: dict, done: Callable[[dict], None], *, key: str | None = None,
             on_overdue: Callable[[Request], None] | None = None) -> bool:
        """Send a command to the controller, or (under the `key` of an open one) that one again;
        `done(reply)` when it is answered, `on_overdue` each time `command_timeout_s` passes
        without. False when it cannot go (the controller is not online)."""
        return self.client.requests.send(action, fields, done, key=key, on_overdue=on_overdue) is not None

    def give_up(self, key: str) -> None:
        self.client.requests.give_up(key)

    def publish(self, topic: str, payload: dict, retain: bool = False) -> None:
        self.client.publish(topic, payload, retain=retain)

    def set_device_status(self, device: str, *, online: bool, kind: str, port: str, window: int | None = None,
                          paper: str | None = None) -> None:
        """Publish a device's retained availability when it changed (and all of them on every connect)."""
        payload = {"status": "online" if online else "offline", "kind": kind, "port": port, "window": window,
                   "paper": paper, "at": self.wall()}
        before = self.statuses.get(device)
        if before is not None and {**before, "at": 0} == {**payload, "at": 0}:
            return
        self.statuses[device] = payload
        if self.client.connected.is_set():  # else the next connect publishes them all: never a stale one late
            self.client.publish(self.topics.bridge_device_status(self.device_id, device), payload, retain=True)

    # --- counters -----------------------------------------------------------------------

    def stats(self) -> dict[str, dict[str, int]]:
        """Per port: frames, dropped bytes, bad checksums, unknown addresses, refusals… (only non-zero)."""
        return {name: driver.stats() for name, driver in self.drivers.items()}

    def log_stats(self, before: dict) -> dict:
        now = {port: counts for port, counts in self.stats().items() if counts}
        if now != before:
            log.info("counters: %s", json.dumps(now, sort_keys=True))
        return now

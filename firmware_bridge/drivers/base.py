"""What every driver shares: its port, its parser, the presence of its devices, counters and polling.

A driver is one port (one bus) and the devices on it. The bridge loop calls
it — bytes in, hall changes in, a tick — and it never blocks: requests to
the controller are answered later through a callback, and writes to a serial
port return at once (the kernel buffers them).
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING

from ..codecs.base import StreamParser
from ..transport import SerialPort

if TYPE_CHECKING:
    from ..bridge import Bridge
    from ..config import Port

log = logging.getLogger("bridge.driver")

MISSES_OFFLINE = 2  # unanswered polls in a row before a device counts as gone


class Presence:
    """Whether a device answers. `expect` when the host sent something it must answer; `heard` on any
    frame from it. Two unanswered expectations in a row make it offline; any frame makes it online."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.online: bool | None = None  # None: not known yet
        self.misses = 0
        self._expect_at: float | None = None

    def expect(self, now: float) -> None:
        if self._expect_at is None:
            self._expect_at = now

    def heard(self) -> bool:
        """True when this changed the device to online."""
        self._expect_at, self.misses = None, 0
        changed = self.online is not True
        self.online = True
        return changed

    def check(self, now: float) -> bool:
        """True when the device just went offline."""
        if self._expect_at is None or now - self._expect_at <= self.timeout_s:
            return False
        self._expect_at = None
        self.misses += 1
        if self.misses >= MISSES_OFFLINE and self.online is not False:
            self.online = False
            return True
        return False

    def lost(self) -> bool:
        self._expect_at = None
        changed = self.online is not False
        self.online = False
        return changed


class Driver:
    parser_class: type[StreamParser] = StreamParser

    def __init__(self, name: str, cfg: Port, bridge: Bridge):
        self.name, self.cfg, self.bridge = name, cfg, bridge
        self.port = SerialPort(name, cfg.path, cfg.speed, bridge.post, reopen_max_s=bridge.config.reopen_max_s)
        self.parser = self.parser_class()
        self.counts: Counter[str] = Counter()
        self.presence = {device: Presence(cfg.answer_timeout_s) for device in cfg.devices}
        self._last_rx = 0.0
        self._next_poll = 0.0
        self._unknown_logged: set = set()

    # --- life cycle and the loop's calls --------------------------------------------

    def start(self) -> None:
        self.port.start()

    def stop(self) -> None:
        self.port.stop()

    def subscriptions(self) -> list[str]:
        return []

    def on_port(self, up: bool, now: float) -> None:
        self.parser.flush()
        for device in self.cfg.devices:
            if up and self.cfg.poll_s == 0:
                self.heard(device, now)
            elif not up and self.presence[device].lost():
                self.publish_status(device)
        if up:
            self._next_poll = now  # poll at once: who is on the bus after a replug
            self.on_connected(now)

    def on_connected(self, now: float) -> None:
        """The port (re)opened: show the devices what they should be showing."""

    def on_bytes(self, data: bytes, now: float) -> None:
        self._last_rx = now
        for item in self.parser.feed(data):
            self.on_item(item, now)

    def on_item(self, item, now: float) -> None:
        raise NotImplementedError

    def on_hall(self, change: tuple[str, int | None], now: float) -> None:
        pass

    def on_device_message(self, device: str, kind: str, payload: bytes, now: float) -> None:
        pass

    def tick(self, now: float) -> None:
        if self.parser.buffer and now - self._last_rx > self.cfg.answer_timeout_s:
            size = self.parser.flush()
            log.info("port %s: dropped a truncated frame of %d bytes", self.name, size)
        for device, presence in self.presence.items():
            if presence.check(now):
                log.warning("port %s: %s does not answer; offline", self.name, device)
                self.publish_status(device)
        if self.cfg.poll_s and now >= self._next_poll and self.port.is_open:
            self._next_poll = now + self.cfg.poll_s
            self.poll(now)

    def poll(self, now: float) -> None:
        """Ask every device something it must answer (and re-show what it shows)."""

    # --- helpers ----------------------------------------------------------------------

    def write(self, data: bytes) -> bool:
        """False when the port is away (what it should show is sent again when it opens) or the write failed."""
        if not self.port.is_open:
            return False
        if self.port.write(data):
            return True
        self.counts["write_failed"] += 1
        return False

    def expect(self, device: str, now: float) -> None:
        if self.cfg.poll_s:
            self.presence[device].expect(now)

    def heard(self, device: str, now: float) -> None:
        if self.presence[device].heard():
            log.info("port %s: %s online", self.name, device)
            self.publish_status(device)

    def publish_status(self, device: str, **extra) -> None:
        cfg = self.cfg.devices[device]
        self.bridge.set_device_status(device, online=bool(self.presence[device].online), kind=cfg.kind,
                                      port=self.name, window=getattr(cfg, "window", None), **extra)

    def unknown_address(self, address: int) -> None:
        self.counts["unknown_address"] += 1
        if address not in self._unknown_logged:
            self._unknown_logged.add(address)
            log.warning("port %s: a frame from address %d, which no device in the config has (counted, "
                        "logged once)", self.name, address)

    def stats(self) -> dict[str, int]:
        """The non-zero counters of the parser and the driver (copied first: other threads may ask)."""
        counts = {**dict(self.parser.counts), **dict(self.counts)}
        return {key: value for key, value in counts.items() if value}

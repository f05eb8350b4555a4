"""The controller's heartbeat: its retained status/controller, beaten from the service loop.

Devices trust the controller only while they hear this beat live
(`contract/availability.py` says why the retained topic itself beats). It is
published from the loop that serves commands, never from a timer thread, so a
loop that hangs or a process that is frozen stops beating and devices stop
offering what needs the controller. A device's birth (its retained
`status/<device>` online, heard live) asks for a beat at once, at most one per
batch however many births come: a device that just connected need not wait a
whole period, and a flood of births costs one message.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from contract.availability import HEARTBEAT_S
from contract.client import Incoming
from contract.messages import decode_json
from contract.topics import Topics

MIN_GAP_S = 0.2  # beats asked for by births come at most this often


class Heartbeat:
    def __init__(self, topics: Topics, hall_clock: Callable[[], float], every_s: float = HEARTBEAT_S,
                 monotonic: Callable[[], float] = time.monotonic):
        self.topics, self.hall_clock, self.every_s, self.monotonic = topics, hall_clock, every_s, monotonic
        self.boot = uuid.uuid4().hex[:12]
        self._own = topics.status("controller")
        self._prefix = topics.status("controller")[: -len("controller")]
        self._next = self._last = 0.0
        self._asked = True

    def status(self) -> dict:
        """The payload of status/controller now (also the MQTT birth)."""
        return {"status": "online", "boot": self.boot, "at": self.hall_clock(), "every_s": self.every_s}

    def heard(self, item: Incoming) -> bool:
        """True for a message of status/<device> (consumed here); a live online birth asks for a beat."""
        if not item.topic.startswith(self._prefix) or "/" in item.topic[len(self._prefix):]:
            return False
        if item.topic != self._own and not item.retain and _is_online(item.payload):
            self._asked = True
        return True

    def ask(self) -> None:
        self._asked = True

    def wake_at(self) -> float:
        """When the loop must run next for the beat (on the monotonic clock), were nothing to come in."""
        return min(self._next, self._last + MIN_GAP_S) if self._asked else self._next

    def due(self) -> dict | None:
        """The payload to publish now, or None (called once per batch)."""
        now = self.monotonic()
        if now < self._next and not (self._asked and now >= self._last + MIN_GAP_S):
            return None
        self._asked, self._last, self._next = False, now, now + self.every_s
        return self.status()


def _is_online(payload: bytes) -> bool:
    try:
        data = decode_json(payload)
    except ValueError:  # a device's own status may be anything, nested past the stack too
        return False
    return isinstance(data, dict) and data.get("status") == "online"

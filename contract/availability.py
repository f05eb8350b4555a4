"""Whether the controller is there now: its retained status, trusted only while its heartbeat is live.

The controller keeps `status/controller` retained as
`{"status": "online", "boot": "<id of this run>", "at": <its clock>, "every_s": 3}`, publishes it
again every `every_s` seconds from its own loop (a loop that hangs stops beating), and once more
as soon as a device's birth (`status/<device>` online) reaches it, so a device that has just
connected hears a live beat within one round trip instead of waiting for the next one.

Why the retained status itself beats, rather than a separate heartbeat topic: every device
already watches this one topic, the last will still replaces it when the controller dies
uncleanly, and whoever (re)subscribes — a device, or an operator with `mosquitto_sub` — gets with
it which run of the controller it is and when it last beat. A retained re-publish every few
seconds is one message in the broker's memory; with `persistence true` Mosquitto writes it only at
its `autosave_interval`, not per message.

Why a device does not trust the retained copy by itself: a broker restarted from its persistence
file hands out the `online` of a controller that may have been frozen or dead for minutes (the
broker was not running to fire its will). MQTT marks such a copy: a message sent because a
subscription was just made carries the RETAIN flag, one sent to an established subscription
never does (MQTT 3.1.1, 3.3.1.3). So a device counts the controller online only from a beat it
heard live (RETAIN 0), and only for `STALE_BEATS` periods after it. The `at` inside is never
compared with the device's own clock (a box may have no NTP); it is there for people. A new
`boot` means the controller restarted: commands it had not yet taken are lost with the old run,
so the device's requester sends its open ones again.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

HEARTBEAT_S = 3.0  # how often the controller beats
STALE_BEATS = 3  # beats missed before a device stops trusting the controller
SLACK_S = 1.0  # on top: a beat delayed by a busy batch is not a dead controller
MIN_EVERY_S, MAX_EVERY_S = 0.5, 60.0


def stale_after(every_s: float) -> float:
    return STALE_BEATS * every_s + SLACK_S


class ControllerWatch:
    """What one device knows of the controller's status; safe to use from any thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.boot: str | None = None
        self.every_s = HEARTBEAT_S
        self._live_at: float | None = None  # our clock, when a live beat was last heard
        self._changed = threading.Condition()

    def heard(self, payload: bytes, retained: bool) -> bool:
        """Take one message of status/controller; True when it just came (back): the first live
        beat after none or a stale one, or a beat of a new run."""
        try:
            data = json.loads(payload.decode("utf-8")) if payload else {}
        except (UnicodeDecodeError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        with self._changed:
            was_online = self._online_locked()
            if data.get("status") != "online":
                self._live_at = None
                self._changed.notify_all()
                return False
            every = data.get("every_s")
            if isinstance(every, (int, float)) and not isinstance(every, bool) and MIN_EVERY_S <= every <= MAX_EVERY_S:
                self.every_s = float(every)
            if retained:  # old news, however recent it says it is
                return False
            boot = data.get("boot") if isinstance(data.get("boot"), str) and len(data["boot"]) <= 64 else None
            new_run = boot != self.boot
            self.boot, self._live_at = boot, self.clock()
            self._changed.notify_all()
            return not was_online or new_run

    def online(self) -> bool:
        with self._changed:
            return self._online_locked()

    def _online_locked(self) -> bool:
        return self._live_at is not None and self.clock() - self._live_at <= stale_after(self.every_s)

    def wait(self, timeout: float) -> bool:
        """Wait until a live beat has been heard (at most `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._online_locked():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
            return True

"""Topic builders for contract v1.

Every topic string in the project is spelled here and nowhere else, so a
change to the contract is a change to this one module (and its tests).
"""
from __future__ import annotations

import re

VERSION_PREFIX = "qms"
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

EVENT_KINDS = ("called", "ticket", "rating", "alert", "tidal", "config")
# topics of the devices a firmware bridge serves (docs/devices.md): a print job in, its result out, a card read out
BRIDGE_DEVICE_KINDS = ("print", "result", "card")


def check_segment(value: str, what: str) -> str:
    """Refuse segments that would break topic routing (+, #, /, empty)."""
    if not isinstance(value, str) or not _SEGMENT.match(value):
        raise ValueError(f"{what} {value!r} is not a valid topic segment")
    return value


def _bridge_kind(kind: str) -> str:
    if kind not in BRIDGE_DEVICE_KINDS:
        raise ValueError(f"unknown bridge device topic kind {kind!r}")
    return kind


class Topics:
    """All topics of one hall."""

    def __init__(self, hall: str):
        self.hall = check_segment(hall, "hall id")
        self.root = f"{VERSION_PREFIX}/{self.hall}"

    def cmd(self, device: str, action: str) -> str:
        return f"{self.root}/cmd/{check_segment(device, 'device')}/{check_segment(action, 'action')}"

    def cmd_all(self) -> str:
        return f"{self.root}/cmd/#"

    def reply(self, device: str) -> str:
        return f"{self.root}/reply/{check_segment(device, 'device')}"

    def state_queues(self) -> str:
        return f"{self.root}/state/queues"

    def state_window(self, number: int) -> str:
        return f"{self.root}/state/window/{int(number)}"

    def state_window_all(self) -> str:
        return f"{self.root}/state/window/+"

    def state_calls(self) -> str:
        return f"{self.root}/state/calls"

    def state_config(self) -> str:
        return f"{self.root}/state/config"

    def state_all(self) -> str:
        return f"{self.root}/state/#"

    def event(self, kind: str) -> str:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        return f"{self.root}/event/{kind}"

    def event_all(self) -> str:
        return f"{self.root}/event/+"

    def status(self, device: str) -> str:
        return f"{self.root}/status/{check_segment(device, 'device')}"

    def status_all(self) -> str:
        """Every device's own status (not a bridge's devices': one level only), as the controller hears births."""
        return f"{self.root}/status/+"

    def bridge_device_status(self, bridge: str, device: str) -> str:
        """Retained availability of one serial device behind a bridge: status/bridge-<name>/<device>."""
        return f"{self.status(bridge)}/{check_segment(device, 'bridge device')}"

    def bridge_device(self, bridge: str, device: str, kind: str) -> str:
        """device/bridge-<name>/<device>/<kind>: print jobs to a bridge's printer, results and card reads back."""
        return f"{self._bridge_devices(bridge)}/{check_segment(device, 'bridge device')}/{_bridge_kind(kind)}"

    def bridge_device_all(self, bridge: str, kind: str) -> str:
        return f"{self._bridge_devices(bridge)}/+/{_bridge_kind(kind)}"

    def _bridge_devices(self, bridge: str) -> str:
        return f"{self.root}/device/{check_segment(bridge, 'device')}"

    def parse_bridge_device(self, topic: str) -> tuple[str, str, str] | None:
        """(bridge, device, kind) of a device topic of this hall, or None."""
        parts = topic.split("/")
        if len(parts) != 6 or parts[:3] != [VERSION_PREFIX, self.hall, "device"]:
            return None
        if not _SEGMENT.match(parts[3]) or not _SEGMENT.match(parts[4]) or parts[5] not in BRIDGE_DEVICE_KINDS:
            return None
        return parts[3], parts[4], parts[5]

    def parse_cmd(self, topic: str) -> tuple[str, str] | None:
        """(device, action) of a command topic of this hall, or None."""
        parts = topic.split("/")
        if len(parts) != 5 or parts[0] != VERSION_PREFIX or parts[1] != self.hall or parts[2] != "cmd":
            return None
        device, action = parts[3], parts[4]
        if not _SEGMENT.match(device) or not _SEGMENT.match(action):
            return None
        return device, action

    def parse_window_state(self, topic: str) -> int | None:
        prefix = f"{self.root}/state/window/"
        if topic.startswith(prefix) and topic[len(prefix):].isdigit():
            return int(topic[len(prefix):])
        return None

    def parse_event(self, topic: str) -> str | None:
        prefix = f"{self.root}/event/"
        kind = topic[len(prefix):] if topic.startswith(prefix) else None
        return kind if kind in EVENT_KINDS else None

"""Helpers of the bridge tests (their fixtures are in tests/support/bridge_fixtures.py)."""
from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import yaml

from firmware_bridge.virtual.twins import KEYS
from testbed.controller import ROOT
from testbed.processes import die_with_parent, stop_process

# quick enough for tests, still the production logic: polls every 0.3 s, answers within 0.2 s
TEST_TUNING = {"poll_s": 0.3, "answer_timeout_s": 0.2, "key_holdoff_s": 0.3}
WINDOW = 3  # serves `social` (B…) first; staff 1003 and 1007 may work there
STAFF, PIN = "1003", "1234"


def until(predicate, timeout: float = 15.0, what: str = "condition"):
    """Poll `predicate` (state of another thread, nothing to wait on) until it holds."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.005)
    return result


def keys(rig, bridge, *pressed: str, window: int = WINDOW) -> None:
    """Press keys as staff do: an action key only once the keypad's last command was answered."""
    keypad = bridge.drivers["rs485"].by_address[window]
    for key in pressed:
        until(lambda: not bridge.client.requests.open_requests(), what="the keypad's last command answered")
        last_key, at = keypad.last_key  # the bridge's clock is time.monotonic
        if key in KEYS and last_key == bytes((KEYS[key],)) and not key.isdigit():  # at once again: a bounce
            time.sleep(max(0.0, at + TEST_TUNING["key_holdoff_s"] + 0.05 - time.monotonic()))
        assert rig.bus.type(window, key)


def login_on_keypad(rig, window: int = WINDOW, staff: str = STAFF, pin: str = PIN) -> None:
    assert rig.bus.type(window, staff, "confirm", pin, "confirm")
    rig.screens.wait_text(window, lambda text: text == "欢迎光临")


def issue(controller, category: str = "social", n: int = 1) -> list[str]:
    kiosk = controller.device(f"kiosk-T{len(controller.clients)}")
    numbers = []
    for _ in range(n):
        reply = kiosk.request("issue_ticket", {"category": category})
        assert reply["ok"], reply
        numbers.append(reply["result"]["ticket"]["number"])
    return numbers


def commands(inbox, action: str) -> list[dict]:
    """The payloads the bridge sent for one action, as the broker carried them."""
    with inbox.cond:
        return [m.json() for m in inbox.messages if m.topic.endswith(f"/cmd/bridge-virtual/{action}")]


def status_of(hall, device: str) -> dict:
    """The latest retained availability the hall heard for one device of the bridge ({} if none yet)."""
    with hall.cond:
        for message in reversed(hall.messages):
            if message.topic.endswith(f"/status/bridge-virtual/{device}"):
                return message.json()
    return {}


@contextmanager
def bridge_running(raw_config: dict, broker_port: int, workdir: Path):
    """`main.py bridge` as a hall runs it: its own process, this config, its log in workdir/bridge.log."""
    path = workdir / "bridge.yaml"
    path.write_text(yaml.safe_dump(raw_config, allow_unicode=True), encoding="utf-8")
    with open(workdir / "bridge.log", "wb") as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "bridge", "--config", str(path),
                                    "--broker", f"127.0.0.1:{broker_port}", "--log-level", "info"],
                                   cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   preexec_fn=die_with_parent)
    try:
        yield process
    finally:
        stop_process(process, 10)

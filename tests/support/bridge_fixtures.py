"""Fixtures of the bridge tests: real pty pairs (socat) with twins, the bridge on a thread or as its own
process with a printer, a listener on the hall.

Test modules load this with `pytest_plugins`; the controller and the broker come from conftest.py.
"""
from __future__ import annotations

import pytest

from firmware_bridge.config import validate
from firmware_bridge.virtual.rig import RunningBridge, VirtualRig
from tests.support.bridge import TEST_TUNING, WINDOW, bridge_running
from tests.support.hall import Inbox


@pytest.fixture
def rig(controller, tmp_path):
    running = VirtualRig(tmp_path / "tty", controller.hall, (WINDOW,), printer=True, reader=True,
                         port_tuning=TEST_TUNING).start()
    yield running
    running.stop()


@pytest.fixture
def bridge(controller, rig):
    raw = {**rig.config(), "reopen_max_s": 0.5}  # a replugged port is back within half a second
    running = RunningBridge(raw, controller.broker.port).start()
    yield running.bridge
    running.stop()


@pytest.fixture
def hall(controller):
    """A listener on the hall: every event, command, reply, bridge status and device topic."""
    inbox = Inbox()
    t = controller.service.topics
    controller.device("display-test", deliver=inbox,
                      watch=(t.event_all(), t.cmd_all(), f"{t.root}/reply/#", f"{t.root}/status/#",
                             f"{t.root}/device/#"))
    return inbox


@pytest.fixture
def printer_bridge(controller, tmp_path):
    """`main.py bridge` as its own process, its printer a twin on a pty pair; (rig, the bridge's device id)."""
    rig = VirtualRig(tmp_path / "tty", controller.hall, (3,), printer=True, port_tuning=TEST_TUNING).start()
    raw = {**rig.config(), "reopen_max_s": 0.5}
    try:
        with bridge_running(raw, controller.broker.port, tmp_path):
            yield rig, validate(raw).device_id
    finally:
        rig.stop()

"""Shared fixtures: one real Mosquitto per session, a real controller per test.

Each test gets its own hall id, so retained state of one test never leaks
into another while they share the broker. Fixtures only: the helpers tests
import live in tests/support/ (test-only) and testbed/ (shared with the demos).
"""
from __future__ import annotations

import copy
import os
import sys
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testbed.broker import PrivateBroker  # noqa: E402
from testbed.controller import DEMO_CONFIG, RunningController  # noqa: E402


@pytest.fixture(scope="session")
def broker():
    with PrivateBroker() as running:
        yield running


@pytest.fixture(scope="session")
def demo_raw() -> dict:
    return yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))


@pytest.fixture
def hall_raw(demo_raw) -> dict:
    """The demo hall under a fresh hall id, open all day."""
    raw = copy.deepcopy(demo_raw)
    raw["hall"] = f"t{uuid.uuid4().hex[:10]}"
    raw["ticketing_hours"] = []
    return raw


@pytest.fixture
def controller(broker, hall_raw, tmp_path):
    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    yield running
    running.stop()


@pytest.fixture
def kiosk(controller):
    return controller.device("kiosk-K1")


os.environ.setdefault("QMS_LOG_LEVEL", "warning")

"""Shared fixtures: one real Mosquitto per session, a real controller per test.

Each test gets its own hall id, so retained state of one test never leaks
into another while they share the broker.
"""
from __future__ import annotations

import copy
import os
import sys
import threading
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.schema import validate  # noqa: E402
from contract.client import HallClient  # noqa: E402
from controller.service import ControllerService  # noqa: E402
from controller.store import Store  # noqa: E402
from demo.broker import PrivateBroker  # noqa: E402

DEMO_CONFIG = ROOT / "config" / "hall.yaml"
PIN = "1234"


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


class RunningController:
    """A ControllerService on its own thread, as `main.py controller` runs it."""

    def __init__(self, raw: dict, db: Path, broker: PrivateBroker, clock=None):
        self.raw, self.db, self.broker = raw, db, broker
        self.config = validate(raw)
        self.store = Store(str(db))
        kwargs = {"clock": clock} if clock else {}
        self.service = ControllerService(self.config, self.store, "127.0.0.1", broker.port, **kwargs)
        self.thread = threading.Thread(target=self.service.run, daemon=True)
        self.thread.start()
        if not self.service.client.connected.wait(10):
            raise RuntimeError("controller did not connect")
        self.clients: list[HallClient] = []

    @property
    def hall(self) -> str:
        return self.config.hall

    def device(self, name: str, deliver=None, watch: tuple[str, ...] = ()) -> HallClient:
        client = HallClient(name, self.hall, "127.0.0.1", self.broker.port, deliver=deliver)
        client.listen_for_replies()
        for topic in watch:
            client.subscribe(topic)
        assert client.start(wait=10)
        assert client.wait_for_controller(10)
        self.clients.append(client)
        return client

    def stop(self) -> None:
        for client in self.clients:
            client.stop()
        self.service.stop()
        self.thread.join(10)
        self.store.close()


@pytest.fixture
def controller(broker, hall_raw, tmp_path):
    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    yield running
    running.stop()


@pytest.fixture
def kiosk(controller):
    return controller.device("kiosk-K1")


def staffed_window(controller, number: int) -> HallClient:
    """A window device with a staff member logged in (the first allowed for that window)."""
    busy = {w.staff_id for w in controller.service.engine.windows.values()}
    staff_id = next(sid for sid, s in sorted(controller.config.staff.items())
                    if sid not in busy and (not s.windows or number in s.windows))
    client = controller.device(f"window-{number}")
    reply = client.request("login", {"staff_id": staff_id, "pin": PIN})
    assert reply["ok"], reply
    return client


class Inbox:
    """Messages a test device received, with a wait for the one it expects."""

    def __init__(self):
        self.messages = []
        self.cond = threading.Condition()

    def __call__(self, incoming) -> None:
        with self.cond:
            self.messages.append(incoming)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout: float = 5.0):
        """The first (topic, decoded payload) matching predicate(topic, data)."""
        def find():
            for m in self.messages:
                data = m.json() if m.payload else None
                if predicate(m.topic, data):
                    return m.topic, data
            return None
        with self.cond:
            found = self.cond.wait_for(find, timeout)
        if not found:
            raise AssertionError(f"no matching message within {timeout} s; saw {[m.topic for m in self.messages]}")
        return found

    def latest(self, topic: str):
        with self.cond:
            for m in reversed(self.messages):
                if m.topic == topic:
                    return m.json() if m.payload else None
        return None


os.environ.setdefault("QMS_LOG_LEVEL", "warning")

"""The real controller on a thread of this process, on a private broker, with devices to talk to it.

As `main.py controller` runs it, minus the process: the tests, the
screenshot tool and the layout checks put a hall in a telling state through
it (tickets issued, windows staffed) before they look at a screen.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from config.schema import validate
from contract.client import HallClient
from controller.service import ControllerService
from controller.store import Store

from .broker import PrivateBroker

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "config" / "hall.yaml"
PIN = "1234"  # every member of staff's PIN in the demo hall


class RunningController:
    """A ControllerService on its own thread, as `main.py controller` runs it."""

    def __init__(self, raw: dict, db: Path, broker: PrivateBroker, clock=None,
                 password_of: Callable[[str], str] | None = None):
        """`password_of` gives a device's login on a broker that asks for one (the shipped ACL)."""
        self.raw, self.db, self.broker = raw, db, broker
        self.config = validate(raw)
        self.store = Store(str(db))
        self.password_of = password_of
        kwargs = {"clock": clock} if clock else {}
        self.service = ControllerService(self.config, self.store, "127.0.0.1", broker.port,
                                         password=self._password("controller"), **kwargs)
        self.thread = threading.Thread(target=self.service.run, daemon=True)
        self.thread.start()
        if not self.service.client.connected.wait(10):
            raise RuntimeError("controller did not connect")
        self.clients: list[HallClient] = []

    @property
    def hall(self) -> str:
        return self.config.hall

    def _password(self, device: str) -> str | None:
        return self.password_of(device) if self.password_of else None

    def device(self, name: str, deliver=None, watch: tuple[str, ...] = ()) -> HallClient:
        client = HallClient(name, self.hall, "127.0.0.1", self.broker.port, deliver=deliver,
                            password=self._password(name))
        client.listen_for_replies()
        for topic in watch:
            client.subscribe(topic)
        if not client.start(wait=10) or not client.wait_for_controller(10):
            raise RuntimeError(f"{name} did not reach the controller")
        self.clients.append(client)
        return client

    def stop(self) -> None:
        for client in self.clients:
            client.stop()
        self.service.stop()
        self.thread.join(10)
        self.store.close()


def staffed_window(controller: RunningController, number: int) -> HallClient:
    """A window device with a staff member logged in (the first allowed for that window)."""
    busy = {w.staff_id for w in controller.service.engine.windows.values()}
    staff_id = next(sid for sid, s in sorted(controller.config.staff.items())
                    if sid not in busy and (not s.windows or number in s.windows))
    client = controller.device(f"window-{number}")
    reply = client.request("login", {"staff_id": staff_id, "pin": PIN})
    if not reply["ok"]:
        raise RuntimeError(f"login at window {number} refused: {reply}")
    return client

"""A hall for the web tests: the real controller and `main.py web` as processes, and devices that
change the hall (a kiosk that takes tickets, windows that call them)."""
from __future__ import annotations

from pathlib import Path


from contract.client import HallClient
from testbed.controller import PIN
from testbed.web import WebProcess
from tests.support.live import ControllerProcess


class WebHall:
    def __init__(self, raw: dict, folder: Path, broker_port: int, *web_args: str):
        self.raw, self.hall, self.port = raw, raw["hall"], broker_port
        self.controller = ControllerProcess(raw, folder, broker_port)
        self.web = WebProcess(self.controller.config_path, broker_port, folder / "web.log", *web_args)
        self.devices: dict[str, HallClient] = {}
        self.logged_in: set[str] = set()  # staff ids at a window now
        try:
            self.web.wait_ready()
        except Exception:
            self.stop()
            raise

    def device(self, name: str) -> HallClient:
        if name not in self.devices:
            client = HallClient(name, self.hall, "127.0.0.1", self.port)
            client.listen_for_replies()
            if not client.start(wait=10) or not client.wait_for_controller(10):
                raise RuntimeError(f"{name} did not reach the controller")
            self.devices[name] = client
        return self.devices[name]

    def ask(self, device: str, action: str, fields: dict | None = None) -> dict:
        reply = self.device(device).request(action, fields or {})
        assert reply["ok"], reply
        return reply["result"]

    def take_ticket(self, category: str) -> dict:
        return self.ask("kiosk-T1", "issue_ticket", {"category": category, "group": "normal", "lang": "zh"})["ticket"]

    def staff(self, window: int) -> None:
        """Log the first member of staff allowed there, and not at another window, in at a window."""
        staff_id = next(sid for sid, person in sorted(self.raw["staff"].items())
                        if sid not in self.logged_in and (not person.get("windows") or window in person["windows"]))
        self.ask(f"window-{window}", "login", {"staff_id": staff_id, "pin": PIN})
        self.logged_in.add(staff_id)

    def url(self, path: str = "/", listener: str = "public") -> str:
        return self.web.url(path, listener)

    def stop(self) -> None:
        for client in self.devices.values():
            client.stop()
        self.web.stop()
        self.controller.stop()

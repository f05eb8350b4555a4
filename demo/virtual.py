"""Virtual kiosks and windows: real MQTT clients acting out a hall hour.

They speak the contract exactly as real devices do (one client per device,
request → durable reply), only their fingers are a random generator and
their clock runs `speed` times faster than the wall.
"""
from __future__ import annotations

import logging
import random
import threading

from contract.client import HallClient, RequestTimeout

log = logging.getLogger("demo")


class Actor(threading.Thread):
    def __init__(self, device: str, hall: str, host: str, port: int, speed: float, stop: threading.Event, seed: int):
        super().__init__(name=device, daemon=True)
        self.client = HallClient(device, hall, host, port)
        self.speed, self.stop_event, self.rng = speed, stop, random.Random(seed)
        self.refusals: dict[str, int] = {}

    def wait(self, hall_seconds: float) -> bool:
        """Sleep in hall time; False when the demo is ending."""
        return not self.stop_event.wait(hall_seconds / self.speed)

    def send(self, action: str, **fields) -> dict | None:
        try:
            reply = self.client.request(action, fields, timeout=10)
        except RequestTimeout:
            log.warning("%s: %s got no reply", self.name, action)
            return None
        if not reply["ok"]:
            code = reply["error"]["code"]
            self.refusals[code] = self.refusals.get(code, 0) + 1
            return None
        return reply["result"]

    def run(self) -> None:
        self.client.start(wait=10)
        try:
            self.act()
        except Exception:
            log.exception("%s stopped", self.name)
        finally:
            self.client.stop()


class VirtualKiosk(Actor):
    """Citizens arriving at a Poisson rate, choosing a category or an item."""

    def __init__(self, name: str, config, per_hour: float, **kw):
        super().__init__(f"kiosk-{name}", config.hall, **kw)
        self.per_hour = per_hour
        self.categories = sorted(config.categories)
        self.items = sorted(config.items)
        self.green = {c for c, cat in config.categories.items() if cat.allow_green}
        self.issued = 0

    def act(self) -> None:
        while self.wait(self.rng.expovariate(self.per_hour / 3600)):
            fields: dict = {"lang": "zh" if self.rng.random() < 0.85 else "en"}
            if self.rng.random() < 0.5:
                fields["item"] = self.rng.choice(self.items)
            else:
                fields["category"] = self.rng.choice(self.categories)
            roll = self.rng.random()
            category = fields.get("category")
            if roll < 0.12:
                fields["group"] = "priority"
            elif roll < 0.15 and category in self.green:
                fields["group"] = "green"
            if self.send("issue_ticket", **fields):
                self.issued += 1


class VirtualWindow(Actor):
    """A member of staff: logs in, calls, serves, sometimes recalls, holds, transfers or pauses."""

    def __init__(self, number: int, staff_id: str, pin: str, config, **kw):
        super().__init__(f"window-{number}", config.hall, **kw)
        self.number, self.staff_id, self.pin = number, staff_id, pin
        self.categories = sorted(config.categories)
        self.service_s = {c: cat.default_service_s for c, cat in config.categories.items()}
        self.held: list[str] = []
        self.served = 0
        self.current: str | None = None

    def act(self) -> None:
        if not self.send("login", staff_id=self.staff_id, pin=self.pin):
            log.error("%s: login of %s refused", self.name, self.staff_id)
            return
        while not self.stop_event.is_set():
            if self.held and self.rng.random() < 0.3:
                result = self.send("call_back", number=self.held.pop(0))
            else:
                result = self.send("call_next")
            if result is None:
                if not self.wait(45):
                    break
                continue
            self.current = result["ticket"]["number"]
            if not self.serve(result["ticket"]):
                break
            self.current = None
            if self.rng.random() < 0.04:
                self.send("pause", reason="休息 break")
                if not self.wait(self.rng.uniform(120, 300)):
                    break
                self.send("resume")
        if self.current:
            self.send("finish")
        self.send("logout")

    def serve(self, ticket: dict) -> bool:
        roll = self.rng.random()
        if roll < 0.06:
            for _ in range(3):
                if not self.wait(25):
                    return False
                result = self.send("recall")
                if result and result.get("no_show"):
                    break
            return True
        if not self.wait(self.rng.uniform(15, 40)):
            return False
        if roll < 0.09:
            self.send("hold")
            self.held.append(ticket["number"])
            return True
        self.send("start")
        if roll < 0.12:
            others = [c for c in self.categories if c != ticket["category"]]
            if not self.wait(60):
                return False
            self.send("transfer", category=self.rng.choice(others))
            return True
        if not self.wait(self.rng.expovariate(1 / self.service_s[ticket["category"]])):
            return False
        if self.rng.random() < 0.5:
            self.send("invite_rating")
        self.send("finish")
        self.served += 1
        return True

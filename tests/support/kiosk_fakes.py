"""Stand-ins for what a kiosk presenter talks to, for tests without Kivy, broker or printer.

Only the edges are replaced: the link (the real requester, recording instead of publishing,
with replies the test gives), the printer port (its paper state set by the test) and the clock. The hall is
the real demo config, published as the controller publishes state/config.
"""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from config.loader import public
from config.schema import validate
from contract.requester import Requester
from contract.topics import Topics
from firmware_bridge.codecs import escpos
from testbed.controller import DEMO_CONFIG


def demo_config_payload(**changes) -> dict:
    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    raw.update(changes)
    return {"version": 1, "config": public(validate(raw))}


def queues_payload(open_windows: dict[str, list[int]] | None = None, **waiting) -> dict:
    """state/queues with `waiting` tickets per category; only social is served (windows 3 and 4)
    unless `open_windows` says which windows are open for which category."""
    open_windows = {"social": [3, 4]} if open_windows is None else open_windows
    cats = []
    for code, prefix, zh in (("general", "A", "综合受理"), ("social", "B", "社保医保"), ("estate", "C", "不动产登记"),
                             ("business", "D", "企业开办"), ("tax", "E", "税务"), ("fund", "F", "公积金")):
        n = waiting.get(code, 0)
        cats.append({"code": code, "prefix": prefix, "name": {"zh": zh, "en": code}, "waiting": n,
                     "priority_waiting": 0, "est_wait_s": n * 240, "open_windows": open_windows.get(code, [])})
    return {"at": 0.0, "day": "2026-11-23", "categories": cats}


def window_payload(number: int, status: str = "open", current: dict | None = None, staff: str = "刘*燕",
                   staff_id: str | None = "1003", **extra) -> dict:
    """state/window/<n> as the controller publishes it."""
    return {"window": number, "name": {"zh": f"{number}号窗口", "en": f"Window {number}"}, "status": status,
            "staff": staff if status != "closed" else "", "staff_id": staff_id if status != "closed" else None,
            "categories": ["social"], "secondary": [], "current": current, "pause_reason": None, "tidal": False,
            "tidal_pinned": False, "home_categories": ["social"], "green_channel": False, "held": [],
            "last_served": None, "at": 1795400000.0, **extra}


def current_ticket(number: str = "B007", category: str = "social", status: str = "serving") -> dict:
    return {"id": f"2026-11-23-{number}", "number": number, "category": category, "status": status,
            "called_at": 1795400000.0, "started_at": 1795400060.0 if status == "serving" else None,
            "times_called": 1}


@dataclass
class Sent:
    """One command as it went out (a re-send of the same id is a second Sent with that id)."""

    link: FakeLink
    action: str
    fields: dict
    id: str

    def ok(self, result: dict) -> None:
        self.link.answer({"id": self.id, "action": self.action, "ok": True, "result": result})

    def error(self, code: str, message_zh: str = "", message: str = "") -> None:
        self.link.answer({"id": self.id, "action": self.action, "ok": False,
                          "error": {"code": code, "message": message or code, "message_zh": message_zh or code}})


class FakeLink:
    """A presenter's link without a broker: the real requester, its commands recorded instead of
    published, replies given by the test, the controller online or not as the test says."""

    def __init__(self, clock=None):
        self.topics = Topics("demo")
        self.sent: list[Sent] = []
        self.controller_online = True
        self.requests = Requester(self._record, lambda action: action, online=lambda: self.controller_online,
                                  clock=clock or FakeClock(), say_offline=True, name="fake")

    def _record(self, action: str, payload: dict) -> None:
        fields = {k: v for k, v in payload.items() if k != "id"}
        self.sent.append(Sent(self, action, fields, payload["id"]))

    def send(self, action: str, fields: dict | None, on_reply, *, key=None, on_overdue=None):
        return self.requests.send(action, fields, on_reply, key=key, on_overdue=on_overdue)

    def give_up(self, key: str) -> None:
        self.requests.give_up(key)

    def pending(self, key: str):
        return self.requests.open(key)

    def answer(self, reply: dict) -> bool:
        return self.requests.take(reply)

    def overdue(self) -> None:
        """The requester's timeout passes for every open command."""
        self.requests.clock.advance(self.requests.timeout_s)
        self.requests.tick()

    def actions(self) -> list[str]:
        return [s.action for s in self.sent]

    def last(self, action: str) -> Sent:
        return next(s for s in reversed(self.sent) if s.action == action)


class FakePrinter:
    """A printer port answering at once with the paper state the test set; `printed` holds the bytes sent."""

    enabled = True

    def __init__(self, status: str = "ok"):
        self.status = status
        self.printed: list[bytes] = []
        self.fail_next_print = False

    def check(self, done) -> None:
        done(self.status)

    def print(self, blocks: list[dict], done) -> None:
        if self.status in ("paper_out", "offline"):
            done(self.status, False)
        elif self.fail_next_print:
            self.fail_next_print = False
            done("paper_out", False)
        else:
            self.printed.append(escpos.encode_job(blocks))
            done(self.status, True)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def ticket_result(number: str = "B007", category: str = "social", item: str | None = None, group: str = "normal",
                  ahead: int = 2, est_wait_s: int = 840) -> dict:
    return {"ticket": {"id": f"2026-11-23-{number}", "number": number, "category": category, "item": item,
                       "group": group, "status": "waiting", "window": None, "issued_at": 1795400000.0,
                       "ahead": ahead, "est_wait_s": est_wait_s, "rating_token": "ABCDEFGHIJKLMNOP",
                       "times_called": 0}}

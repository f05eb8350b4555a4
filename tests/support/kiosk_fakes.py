"""Stand-ins for what a kiosk presenter talks to, for tests without Kivy, broker or printer.

Only the edges are replaced: the link (a recorder whose replies the test gives),
the printer port (its paper state set by the test) and the clock. The hall is
the real demo config, published as the controller publishes state/config.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from config.loader import public
from config.schema import validate
from firmware_bridge.codecs import escpos
from testbed.controller import DEMO_CONFIG


def demo_config_payload(**changes) -> dict:
    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    raw.update(changes)
    return {"version": 1, "config": public(validate(raw))}


def queues_payload(**waiting) -> dict:
    cats = []
    for code, prefix, zh in (("general", "A", "综合受理"), ("social", "B", "社保医保"), ("estate", "C", "不动产登记"),
                             ("business", "D", "企业开办"), ("tax", "E", "税务"), ("fund", "F", "公积金")):
        n = waiting.get(code, 0)
        cats.append({"code": code, "prefix": prefix, "name": {"zh": zh, "en": code}, "waiting": n,
                     "priority_waiting": 0, "est_wait_s": n * 240, "open_windows": [3, 4] if code == "social" else []})
    return {"at": 0.0, "day": "2026-11-23", "categories": cats}


@dataclass
class Sent:
    action: str
    fields: dict
    on_reply: Callable[[dict], None]
    answered: bool = False

    def ok(self, result: dict) -> None:
        self.answered = True
        self.on_reply({"id": "x", "action": self.action, "ok": True, "result": result})

    def error(self, code: str, message_zh: str = "", message: str = "") -> None:
        self.answered = True
        self.on_reply({"id": "x", "action": self.action, "ok": False,
                       "error": {"code": code, "message": message or code, "message_zh": message_zh or code}})


@dataclass
class FakeLink:
    sent: list[Sent] = field(default_factory=list)

    def __call__(self, action: str, fields: dict, on_reply) -> str:
        self.sent.append(Sent(action, fields, on_reply))
        return "x"

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

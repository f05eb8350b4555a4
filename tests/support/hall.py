"""Helpers of the tests that talk to a real controller over a real broker: what came in, what a reply says,
and a hall clock the test moves by hand."""
from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from contract.messages import ReplyError, ReplyOk


def ok(reply):
    assert reply["ok"], reply
    ReplyOk.model_validate(reply)
    return reply["result"]


def refused(reply, code):
    assert reply["ok"] is False, reply
    ReplyError.model_validate(reply)
    assert reply["error"]["code"] == code, reply
    assert reply["error"]["message"] and reply["error"]["message_zh"]
    return reply["error"]


class HallClock:
    """A clock the test moves by hand (the controller reads it; the engine never does)."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


def at(hhmm: str, day: str = "2026-11-23") -> float:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


class Inbox:
    """Messages a test device received, with a wait for the one it expects."""

    def __init__(self):
        self.messages = []
        self.cond = threading.Condition()

    def __call__(self, incoming) -> None:
        with self.cond:
            self.messages.append(incoming)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout: float = 15.0):
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

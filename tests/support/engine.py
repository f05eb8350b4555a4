"""A small hand-built hall for the pure engine's tests, and an engine with its clock and a memory store.

    categories  A (prefix A), B (prefix B), G (prefix G, no green channel)
    windows     1: A          2: A, helps B      3: B      4: G + green channel
    staff       s1 anywhere   s2 at 1-2          s3 at 3-4          (PIN 1234)
"""
from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

from config.schema import validate
from contract.messages import ACTIONS
from contract.privacy import hash_pin
from controller import dispatch
from controller.change import latest_calls
from controller.engine import Engine
from controller.model import Event, Session, Ticket, Window

TZ = ZoneInfo("Asia/Shanghai")
DAY = (2024, 3, 5)
PIN = "1234"
PIN_HASH = hash_pin(PIN, salt=b"fixedsal")
SECRET = b"engine-test-secret"


def local(hhmm: str, day_offset: int = 0) -> float:
    hour, minute = map(int, hhmm.split(":"))
    y, m, d = DAY
    return datetime(y, m, d + day_offset, hour, minute, tzinfo=TZ).timestamp()


T0 = local("08:00")


def _text(s: str) -> dict:
    return {"zh": s, "en": s}


def _item(category: str) -> dict:
    return {"name": _text(f"item of {category}"), "category": category, "guide": {
        "basis": _text("basis"), "conditions": _text("conditions"),
        "materials": [{"name": _text("ID card")}], "steps": [_text("apply")],
        "legal_limit_days": 5, "promised_limit_days": 1, "fees": _text("free"), "phone": "12345"}}


def base_raw() -> dict:
    return {
        "hall": "enginetest",
        "name": _text("test hall"),
        "timezone": "Asia/Shanghai",
        "day_rollover_hour": 3,
        "ticketing_hours": [],
        "queue": {"max_calls": 3, "priority_ratio": 2, "max_wait_s": 3600, "recent_services": 20, "calls_shown": 10},
        "categories": {
            "A": {"name": _text("general"), "prefix": "A", "default_service_s": 300},
            "B": {"name": _text("social"), "prefix": "B", "default_service_s": 600},
            "G": {"name": _text("business"), "prefix": "G", "allow_green": False, "default_service_s": 900},
        },
        "items": {"IA": _item("A"), "IB": _item("B")},
        "windows": {
            1: {"primary": ["A"]},
            2: {"primary": ["A"], "secondary": ["B"]},
            3: {"primary": ["B"]},
            4: {"primary": ["G"], "green_channel": True},
        },
        "staff": {
            "s1": {"name": "王丽华", "pin_hash": PIN_HASH},
            "s2": {"name": "陈建国", "pin_hash": PIN_HASH, "windows": [1, 2]},
            "s3": {"name": "刘晓燕", "pin_hash": PIN_HASH, "windows": [3, 4]},
        },
    }


def _merge(into: dict, changes: dict) -> dict:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


def make_config(changes: dict | None = None):
    return validate(_merge(base_raw(), changes or {}))


CONFIG = make_config()


def command_fields(action: str, fields: dict) -> dict:
    """The fields as the service hands them over: the contract model's dump, minus id and window."""
    if action not in ACTIONS:
        return dict(fields)
    model = ACTIONS[action][1]
    return model.model_validate({"id": "req", **fields}).model_dump(exclude={"id", "window", "user"})


class MemoryStore:
    """What the controller's store keeps of the outcomes: rows by key, the ledger's call events, and the
    records (bookings, applications) a command reads back through `change.stored`."""

    def __init__(self):
        self.tickets: dict[str, dict] = {}
        self.windows: dict[int, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.calls: list[tuple[str, Event]] = []     # (day, ticket_called / ticket_recalled event)
        self.records: dict[str, dict] = {}           # store.RECORDS table -> key -> row

    def add(self, out, day: str) -> None:
        self.tickets.update(out.tickets)
        self.windows.update(out.windows)
        self.sessions.update(out.sessions)
        self.calls += [(day, ev) for ev in out.events if ev.kind in ("ticket_called", "ticket_recalled")]
        for table, rows in out.rows.items():
            self.records.setdefault(table, {}).update(rows)

    def get(self, table: str, key) -> dict | None:
        """A stored record, as `controller.store.StoreView.get` reads it."""
        return self.records.get(table, {}).get(key)

    def recent_calls(self, day: str, limit: int) -> list[dict]:
        return latest_calls(((ev.after, ev.at) for ev_day, ev in reversed(self.calls) if ev_day == day), limit)

    def load(self, config, now: float, recent: dict | None = None) -> Engine:
        """An engine from these rows, as `controller.service.load_engine` makes one."""
        day = Engine(config, b"", now).day
        live = ("waiting", "called", "serving", "held", "no_show")
        return Engine(config, SECRET, now,
                      tickets=[Ticket(**r) for r in self.tickets.values() if r["day"] == day or r["status"] in live],
                      windows=[Window(**r) for r in self.windows.values()],
                      sessions=[Session(**{k: v for k, v in r.items() if k != "key"})
                                for r in self.sessions.values() if r["logout_at"] is None],
                      recent=recent, calls=self.recent_calls(day, config.queue.calls_shown),
                      next_seq=max((r["seq"] for r in self.tickets.values()), default=0) + 1)


class Hall:
    """One engine, its clock and what the store would hold."""

    def __init__(self, config=CONFIG, now: float = T0):
        self.config = config
        self.now = now
        self.engine = Engine(config, SECRET, now)
        self.store = MemoryStore()

    def do(self, action: str, window: int | None = None, *, by: str | None = None, **fields):
        """One command from `by` (default: window-<window>, or kiosk-K1)."""
        device = by or (f"window-{window}" if window is not None else "kiosk-K1")
        out = dispatch.handle(self.engine, action, device, command_fields(action, fields), self.now, window=window,
                              stored=self.store)
        self.store.add(out, self.engine.day)
        return out

    def ok(self, action: str, window: int | None = None, **fields):
        out = self.do(action, window, **fields)
        assert out.error is None, (action, window, fields, out.error)
        return out

    def issue(self, category: str = "A", group: str = "normal", **fields) -> str:
        return self.ok("issue_ticket", category=category, group=group, **fields).result["ticket"]["number"]

    def login(self, window: int, staff: str = "s1"):
        return self.ok("login", window, staff_id=staff, pin=PIN)

    def ticket(self, number: str) -> Ticket:
        return self.engine.by_number[number]

    def status(self, number: str) -> str:
        return self.ticket(number).status

    def snapshot(self) -> dict:
        e = self.engine
        return {"tickets": {i: t.row() for i, t in e.tickets.items()},
                "windows": {n: w.row() for n, w in e.windows.items()},
                "sessions": {n: s.row() for n, s in e.sessions.items()},
                "waiting": sorted(e.waiting), "counters": dict(e.counters), "next_seq": e.next_seq,
                "calls": [dict(c) for c in e.calls], "recent": {c: list(d) for c, d in e.recent.items()},
                "day": e.day}

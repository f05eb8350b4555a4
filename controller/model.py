"""The queue's state: tickets, windows and what happened to them.

Plain dataclasses so the engine stays pure and the store can write each one
as a row; `row()` is the one shape shared by the ledger's before/after
snapshots and the tables that a restart is rebuilt from.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Ticket statuses: the life of a ticket.
WAITING, CALLED, SERVING, HELD, NO_SHOW, DONE, EXPIRED = (
    "waiting", "called", "serving", "held", "no_show", "done", "expired")
AT_WINDOW = (CALLED, SERVING)
CALLABLE_BACK = (HELD, NO_SHOW)
PRIORITY_GROUPS = ("priority", "green")
RECALL_LIMIT = "recall limit reached"  # why a ticket called `queue.max_calls` times became a no-show


@dataclass
class Ticket:
    id: str
    day: str
    number: str
    seq: int
    category: str
    item: str | None
    group: str
    issued_at: float
    issued_by: str
    rating_token: str
    lang: str = "zh"
    status: str = WAITING
    window: int | None = None
    staff_id: str | None = None
    target_window: int | None = None
    called_at: float | None = None
    last_called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    times_called: int = 0
    transfers: int = 0
    origin_category: str | None = None
    appointment_code: str | None = None
    appointment_from: float | None = None   # a checked-in booking goes ahead of walk-ins from …
    appointment_until: float | None = None  # … until (controller/calling.py, booked); None: no bound
    applicant_id_hash: str | None = None
    applicant_name: str | None = None
    applicant_phone: str | None = None
    rating_level: int | None = None
    rated_at: float | None = None
    channel: str | None = None  # how it was taken: None at a kiosk, "remote" from a phone (controller/remote.py)

    @property
    def is_priority(self) -> bool:
        return self.group in PRIORITY_GROUPS

    def row(self) -> dict[str, Any]:
        return dict(self.__dict__)  # every field is a scalar: asdict() without its deep copy, ~20x faster


@dataclass
class Window:
    number: int
    staff_id: str | None = None
    login_at: float | None = None
    paused: bool = False
    pause_reason: str | None = None
    paused_at: float | None = None
    current: str | None = None
    last_served: str | None = None
    priority_streak: int = 0
    last_call_at: float | None = None
    tidal: bool = False                   # switched by the tidal policy or by hand (controller/tidal.py)
    tidal_category: str | None = None     # while switched: the category it serves first
    tidal_since: float | None = None      # when it was switched
    tidal_pinned: bool = False            # an admin pinned it: the policy leaves it as it is

    @property
    def status(self) -> str:
        if self.staff_id is None:
            return "closed"
        if self.paused:
            return "paused"
        if self.current is not None:
            return "serving"
        return "open"

    def row(self) -> dict[str, Any]:
        return dict(self.__dict__)  # every field is a scalar: asdict() without its deep copy, ~20x faster


@dataclass
class Event:
    """One state change: what the ledger records and the service publishes."""

    kind: str
    at: float
    device: str
    ticket_id: str | None = None
    window: int | None = None
    staff_id: str | None = None
    before: dict | None = None
    after: dict | None = None
    data: dict = field(default_factory=dict)


@dataclass
class Session:
    """A staff member's login at a window (closed when logout_at is set)."""

    staff_id: str
    window: int
    login_at: float
    logout_at: float | None = None
    device: str = ""

    @property
    def key(self) -> str:
        return f"{self.staff_id}@{self.window}@{self.login_at!r}"

    def row(self) -> dict[str, Any]:
        return {"key": self.key, **asdict(self)}

"""What one command changed: its events, the rows to write, and its reply."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract.errors import CommandError

from .model import Event, Session, Ticket, Window


@dataclass
class Outcome:
    result: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    error: CommandError | None = None
    tickets: dict[str, dict] = field(default_factory=dict)
    windows: dict[int, dict] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)
    rows: dict[str, dict[str, dict]] = field(default_factory=dict)  # store.RECORDS table -> key -> row
    config: dict | None = None  # a new config version: {"version", "at", "config"}

    def merge(self, other: "Outcome") -> None:
        self.events += other.events
        self.tickets.update(other.tickets)
        self.windows.update(other.windows)
        self.sessions.update(other.sessions)
        for table, rows in other.rows.items():
            self.rows.setdefault(table, {}).update(rows)
        if other.config is not None:
            self.config = other.config


class Change:
    """Collects the events and dirty rows of one command, and gives it the stored records to read.

    A window the command touches is snapshotted first; when the command is
    done, `close()` records any change not already told by an explicit event
    as `window_updated`, so the ledger holds every before/after state.
    `stored` is the store as the batch sees it (controller/store.py, StoreView);
    None where a command runs on the engine alone (the simulator, engine tests).
    `user` is the console user an admin command was sent for: every event of the command records
    it as `user` in its data, so the ledger says who did what, not only which login.
    """

    def __init__(self, now: float, device: str, stored=None, user: str | None = None):
        self.now = now
        self.device = device
        self.user = user
        self.stored = stored
        self.out = Outcome()
        self._recorded: dict[int, tuple[Window, dict]] = {}

    @property
    def actor(self) -> str:
        """Who a record says acted: the device, and its console user when there is one (admin-W1/zhang)."""
        return f"{self.device}/{self.user}" if self.user else self.device

    def touch(self, window: Window) -> None:
        self._recorded.setdefault(window.number, (window, window.row()))

    def ticket(self, kind: str, ticket: Ticket, before: dict | None, **data) -> None:
        after = ticket.row()
        self.out.tickets[ticket.id] = after
        self.out.events.append(Event(kind, self.now, self.device, ticket_id=ticket.id, window=ticket.window,
                                     before=before, after=after, data=data))

    def window(self, kind: str, window: Window, before: dict, **data) -> None:
        after = window.row()
        self.out.windows[window.number] = after
        self._recorded[window.number] = (window, after)
        self.out.events.append(Event(kind, self.now, self.device, window=window.number,
                                     staff_id=window.staff_id or before.get("staff_id"),
                                     before=before, after=after, data=data))

    def record(self, table: str, key, row: dict) -> None:
        self.out.rows.setdefault(table, {})[key] = row

    def event(self, event: Event) -> None:
        """An event that is no ticket's or window's change (a record's, the config's, a device's)."""
        self.out.events.append(event)

    def session(self, session: Session) -> None:
        self.out.sessions[session.key] = session.row()

    def close(self, windows: dict[int, Window]) -> Outcome:
        for number, (window, recorded) in self._recorded.items():
            if window.row() != recorded:
                self.window("window_updated", window, recorded)
        for event in self.out.events:
            if event.staff_id is None and event.window in windows:
                event.staff_id = windows[event.window].staff_id
            if self.user and event.device == self.device:
                event.data = {**event.data, "user": self.user}
        return self.out


def call_entry(ticket_row: dict, at: float) -> dict:
    """One line of the hall screen's latest calls, from a ticket's row as it was called."""
    return {"ticket_id": ticket_row["id"], "number": ticket_row["number"], "window": ticket_row["window"],
            "category": ticket_row["category"], "times_called": ticket_row["times_called"], "at": at}


def latest_calls(calls_newest_first, limit: int) -> list[dict]:
    """Engine.calls rebuilt from (ticket row, at) of call events, newest first: one entry
    per ticket, at most `limit`, oldest first — what the running engine held."""
    seen, calls = set(), []
    for ticket_row, at in calls_newest_first:
        if ticket_row["id"] not in seen:
            seen.add(ticket_row["id"])
            calls.append(call_entry(ticket_row, at))
            if len(calls) == limit:
                break
    return calls[::-1]

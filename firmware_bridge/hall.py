"""The hall as the bridge hears it: retained state plus the few recent events its devices need.

Keypads and screens are driven from the controller's retained state
(`state/window/<n>`, `state/queues`, `state/calls`), never from the bridge's
own guesses, so a keypad shows what the hall really is even when another
device (the window's touch app, an admin) changed it. Two things are not in
the retained state and are kept here from events: which ticket a window just
served (what its evaluator rates) and which tickets it set aside (held or
no-show, what "3 确认" calls back).
"""
from __future__ import annotations

import logging

from contract.topics import Topics

log = logging.getLogger("bridge.hall")

SET_ASIDE_KEPT = 20


class HallView:
    def __init__(self, topics: Topics, rating_window_s: float = 600.0):
        self.topics = topics
        self.rating_window_s = rating_window_s
        self.windows: dict[int, dict | None] = {}
        self.queues: dict | None = None
        self.calls: dict | None = None
        self.reason_codes: set[str] = set()
        self.served: dict[int, tuple[str, str, float]] = {}  # window -> (ticket id, number, when) to be rated
        self.set_aside: dict[int, dict[str, str]] = {}  # window -> {number: "held" / "no_show"}, oldest first

    def subscriptions(self) -> list[str]:
        t = self.topics
        return [t.state_window_all(), t.state_queues(), t.state_calls(), t.state_config(), t.event("ticket"),
                t.event("called"), t.event("rating")]

    def update(self, topic: str, data, now: float) -> list[tuple[str, int | None]]:
        """Take one message in; returns what changed: ("window", n), ("queues", None), ("calls", None)."""
        number = self.topics.parse_window_state(topic)
        if number is not None:
            self.windows[number] = data if isinstance(data, dict) else None
            return [("window", number)]
        if topic == self.topics.state_queues():
            self.queues = data if isinstance(data, dict) else None
            return [("queues", None)]
        if topic == self.topics.state_calls():
            self.calls = data if isinstance(data, dict) else None
            return [("calls", None)]
        if topic == self.topics.state_config():
            reasons = (((data or {}).get("config") or {}).get("ratings") or {}).get("reasons") or {}
            self.reason_codes = set(reasons) if isinstance(reasons, dict) else set()
            return []
        if isinstance(data, dict):
            self._event(self.topics.parse_event(topic), data, now)
        return []

    def _event(self, kind: str | None, data: dict, now: float) -> None:
        window, number, ticket_id = data.get("window"), data.get("number"), data.get("ticket_id")
        if kind == "ticket":
            what = data.get("kind")
            if what == "finished" and window:
                self.served[window] = (ticket_id, number, now)
            if what in ("held", "no_show") and window and isinstance(number, str):
                kept = self.set_aside.setdefault(window, {})
                kept[number] = what
                while len(kept) > SET_ASIDE_KEPT:
                    del kept[next(iter(kept))]
            if what in ("finished", "transferred", "closed_by_day_end"):
                self._forget(number)
        elif kind == "called":
            self._forget(number)
        elif kind == "rating" and data.get("kind") == "invited" and window:
            self.served[window] = (ticket_id, number, now)

    def _forget(self, number: str | None) -> None:
        if isinstance(number, str):
            for kept in self.set_aside.values():
                kept.pop(number, None)

    # --- what devices ask ----------------------------------------------------------

    def window(self, number: int) -> dict | None:
        return self.windows.get(number)

    def status(self, number: int) -> str:
        state = self.windows.get(number)
        return state.get("status", "closed") if state else "closed"

    def current_number(self, number: int) -> str | None:
        state = self.windows.get(number) or {}
        return (state.get("current") or {}).get("number")

    def waiting_for(self, number: int) -> int | None:
        """Tickets this window could call now: waiting in its primary and secondary categories."""
        state = self.windows.get(number)
        if not state or not self.queues:
            return None
        codes = set(state.get("categories") or []) | set(state.get("secondary") or [])
        return sum(entry.get("waiting", 0) for entry in self.queues.get("categories", []) if entry.get("code") in codes)

    def prefix_of(self, number: int) -> str | None:
        """The ticket prefix of the window's first primary category (keypads type digits only)."""
        state = self.windows.get(number) or {}
        codes = state.get("categories") or []
        for entry in (self.queues or {}).get("categories", []):
            if codes and entry.get("code") == codes[0]:
                return entry.get("prefix")
        return None

    def rating_target(self, number: int, now: float) -> tuple[str, str] | None:
        """(ticket id, number) the window's evaluator rates: the ticket it last finished or invited to rate,
        if that was within `rating_window_s`."""
        served = self.served.get(number)
        if served is None or now - served[2] > self.rating_window_s:
            return None
        return served[0], served[1]

"""The hall as the bridge's devices need it: the one client mirror, asked in the devices' terms.

Keypads and screens are driven from the controller's retained state
(contract/hall.py mirrors it), never from the bridge's own guesses, so a
keypad shows what the hall really is even when another device (the window's
touch app, an admin) changed it. What a keypad's "3 确认" calls back (the
tickets its window set aside) and what an evaluator rates (the ticket its
window served last) are in that state too, so a bridge that restarts has
them at once. The one thing kept here is a moment: 邀请评价 (event/rating
invited) names the ticket to rate now, which may still be at the window.
"""
from __future__ import annotations

import logging

from contract.hall import HallMirror
from contract.topics import Topics

log = logging.getLogger("bridge.hall")


class BridgeHall:
    def __init__(self, topics: Topics, rating_window_s: float = 600.0):
        self.mirror = HallMirror(topics)
        self.rating_window_s = rating_window_s
        self.invited: dict[int, tuple[str, str, float]] = {}  # window -> (ticket id, number, at: the hall's clock)

    def subscriptions(self) -> list[str]:
        return self.mirror.subscriptions("rating")

    def update(self, topic: str, data) -> list[tuple[str, int | None]]:
        """Take one message in; returns what changed: ("window", n), ("queues", None), ("calls", None)."""
        kind = self.mirror.apply(topic, data)
        if kind == "window":
            return [("window", self.mirror.topics.parse_window_state(topic))]
        if kind in ("queues", "calls"):
            return [(kind, None)]
        if kind == "rating" and data.get("kind") == "invited" and isinstance(data.get("window"), int) \
                and isinstance(data.get("ticket_id"), str) and isinstance(data.get("number"), str):
            self.invited[data["window"]] = (data["ticket_id"], data["number"], self.mirror.hall_now())
        return []

    # --- what devices ask ----------------------------------------------------------

    @property
    def windows(self):
        return self.mirror.windows

    @property
    def calls(self):
        """The latest calls, or None until state/calls has arrived (a strip then shows nothing new)."""
        return self.mirror.calls if "calls" in self.mirror.arrived else None

    @property
    def reason_codes(self) -> set[str]:
        return set(self.mirror.reasons())

    @property
    def set_aside(self) -> dict[int, dict[str, str]]:
        """window -> {number: "held" / "no_show"} set aside there, oldest first (what "3 确认" calls back)."""
        return {n: {t.number: t.status for t in state.held} for n, state in self.mirror.windows.items()}

    def window(self, number: int):
        return self.mirror.window(number)

    def status(self, number: int) -> str:
        return self.mirror.status(number)

    def current_number(self, number: int) -> str | None:
        state = self.mirror.window(number)
        return state.current.number if state and state.current else None

    def waiting_for(self, number: int) -> int | None:
        return self.mirror.waiting_for(number)

    def prefix_of(self, number: int) -> str | None:
        return self.mirror.prefix_of(number)

    def rating_target(self, number: int) -> tuple[str, str] | None:
        """(ticket id, number) the window's evaluator rates: whichever came last of the ticket it
        invited to rate and the one it served last, if that was within `rating_window_s`."""
        candidates = []
        if number in self.invited:
            candidates.append(self.invited[number])
        served = self.mirror.last_served(number)
        if served is not None and served.finished_at is not None:
            candidates.append((served.ticket_id, served.number, served.finished_at))
        if not candidates:
            return None
        ticket_id, ticket_number, at = max(candidates, key=lambda c: c[2])
        if self.mirror.hall_now() - at > self.rating_window_s:
            return None
        return ticket_id, ticket_number

"""The evaluator at a window (`--mode evaluator --window 3`): wakes for a rating, thanks, sleeps.

It wakes when the window's staff invite a rating (event/rating invited) or
finish a ticket (event/ticket finished), shows who served (masked name and 工号,
from the retained state/window/<n>) and takes one rating per ticket.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from contract.hall import HallMirror

from .base import Shell
from .rating import Rating, Thanks

IDLE, RATE, THANKS, PAUSED = "idle", "rate", "thanks", "paused"
REMEMBERED = 200  # tickets whose category and rating state are kept


class Evaluator(Shell):
    RATE_TIMEOUT_S = 60  # an unanswered prompt goes back to idle
    THANKS_TIMEOUT_S = 5

    def __init__(self, link, window: int, *, clock: Callable[[], float] = time.monotonic):
        super().__init__(clock)
        self.link, self.window = link, window
        self.hall = HallMirror(link.topics)
        self.online = False
        self.screen = PAUSED
        self.rated: OrderedDict[str, bool] = OrderedDict()
        self.categories: OrderedDict[str, str] = OrderedDict()
        self.rating = Rating(link, self.hall, self._done, channel="evaluator")
        self.thanks = Thanks(clock, self.THANKS_TIMEOUT_S)

    def go(self, screen: str) -> None:
        if screen == IDLE and not self.online:
            screen = PAUSED
        self.show(screen)

    def set_online(self, online: bool) -> None:
        self.online = online
        if not online and self.screen in (IDLE, RATE):
            self.go(PAUSED)
        elif online and self.screen == PAUSED:
            self.go(IDLE)

    def tick(self) -> None:
        now = self.clock()
        if self.screen == RATE and now - self.last_touch >= self.RATE_TIMEOUT_S or self.screen == THANKS and now >= self.thanks.deadline:
            self.go(IDLE)

    # --- the hall talking --------------------------------------------------------------------------

    @property
    def staff(self):
        name, staff_id = self.hall.staff_at(self.window)
        return name, staff_id

    def subscriptions(self) -> list[str]:
        t = self.link.topics
        return [t.state_config(), t.state_window(self.window), t.event("rating"), t.event("ticket")]

    def on_message(self, topic: str, data) -> None:
        """One message of the link (on the UI thread)."""
        t = self.link.topics
        if topic == t.state_config():
            self.on_config(data)
        elif topic == t.state_window(self.window):
            self.on_window(self.window, data)
        elif topic == t.event("rating"):
            self.on_rating_event(data)
        elif topic == t.event("ticket"):
            self.on_ticket_event(data)

    def on_config(self, payload: dict | None) -> None:
        if self.hall.apply_config(payload):
            self.changed()

    def on_window(self, number: int, payload: dict | None) -> None:
        if not self.hall.apply_window(number, payload) or number != self.window:
            return
        state = self.hall.window(number)
        if state is not None and state.current is not None:
            self._remember(self.categories, state.current.id, state.current.category)
        self.changed()

    def on_ticket_event(self, data: dict | None) -> None:
        if not isinstance(data, dict) or data.get("window") != self.window or not data.get("ticket_id"):
            return
        self._remember(self.categories, data["ticket_id"], data.get("category", ""))
        if data.get("kind") == "finished":
            self.prompt(data["ticket_id"], data.get("number"))

    def on_rating_event(self, data: dict | None) -> None:
        if not isinstance(data, dict) or data.get("window") != self.window or not data.get("ticket_id"):
            return
        if data.get("kind") == "invited":
            self.prompt(data["ticket_id"], data.get("number"))
        elif data.get("kind") == "rated":
            self._remember(self.rated, data["ticket_id"], True)
            if self.screen == RATE and self.rating.ticket_id == data["ticket_id"] and not self.rating.sending:
                self.go(IDLE)  # rated by QR code meanwhile

    def prompt(self, ticket_id: str, number: str | None) -> None:
        """Ask for a rating of this ticket, once."""
        if not self.online or ticket_id in self.rated:
            return
        if self.screen == RATE and self.rating.ticket_id == ticket_id:
            return
        self.rating.start(ticket_id=ticket_id, number=number, category=self.categories.get(ticket_id),
                          window=self.window)
        self.go(RATE)

    def _done(self, rating: dict | None, error_code: str | None) -> None:
        if self.rating.ticket_id:
            self._remember(self.rated, self.rating.ticket_id, True)
        self.thanks.show(rating, error_code)
        self.go(THANKS)

    @staticmethod
    def _remember(store: OrderedDict, key: str, value) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > REMEMBERED:
            store.popitem(last=False)

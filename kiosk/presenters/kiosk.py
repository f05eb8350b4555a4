"""The kiosk as a whole: which screen shows, online or paused, the printer, and getting a ticket.

Screens are named by the constants below; the app maps each to its widget.
Only a reply from the controller ever puts a number on screen, and a ticket
is asked for only once the printer is known to be able to print it — or the
citizen chose to see the number on screen instead.

A kiosk has one ticket request open at a time (key TICKET of the requester).
If the controller is slow, the request keeps its id: the screen says it is
still on its way, a second touch sends no second command (the same id goes
out again, or nothing), the controller going away and coming back does not
end it, and the ticket shows when its reply comes — noted as late. Only the
citizen ends it without a reply, by going back home (or by walking away: the
idle timeout); a reply after that is dropped, never shown to the next person.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from contract.hall import HallMirror
from contract.search import ItemIndex

from .. import words as w
from ..words import Bi, friendly_error
from .base import Shell

HOME, PAUSED, SEARCH, GROUP, PHONE, TICKET, PRINTER = "home", "paused", "search", "group", "phone", "ticket", "printer"
GUIDE, PROGRESS, STATUS, CHECKIN, RATE_CODE, RATE, THANKS, BOOK = (
    "guide", "progress", "status", "checkin", "rate_code", "rate", "thanks", "book")

# Screens that only make sense with the controller there; guides (cached config), a ticket
# already on screen and the thanks stay while it is away.
NEED_CONTROLLER = (HOME, GROUP, PHONE, PRINTER, PROGRESS, STATUS, CHECKIN, RATE_CODE, RATE, BOOK)
CANNOT_PRINT = ("paper_out", "offline")
TICKET_REQUEST = "ticket"  # the requester's key of the one ticket (issue_ticket or check_in) a kiosk asks for at a time


class Kiosk(Shell):
    TICKET_TIMEOUT_S = 30  # the ticket screen goes home by itself
    IDLE_TIMEOUT_S = 90  # any other screen left untouched goes home
    THANKS_TIMEOUT_S = 6
    PRINTER_POLL_S = 15

    def __init__(self, link, printer=None, *, clock: Callable[[], float] = time.monotonic,
                 id_salt: bytes | None = None, printer_width: int = 48, has_id_reader: bool = False):
        super().__init__(clock)
        from .booking import Booking
        from .guide import Guide
        from .home import Home, Search
        from .printer import PrinterWatch
        from .queries import HallStatus, Progress
        from .rating import RateCode, Rating, Thanks
        from .take import CheckIn, Take
        from .ticket import TicketView

        self.link, self.printer, self.clock, self.id_salt = link, printer, clock, id_salt
        self.printer_width = printer_width
        self.has_id_reader = has_id_reader  # an ID-card reader is configured (--id-reader): offered on screen
        self.hall = HallMirror(link.topics)
        self.index = ItemIndex([])
        self.screen = PAUSED
        self.online = False
        self.busy = False  # a ticket is being asked for (printer first, then the controller): further taps wait
        self.asking: tuple[str, Callable] | None = None  # (action, on_error) of the ticket request open
        self.slow = False  # the open ticket request passed its timeout unanswered
        self._printing = False  # the open ticket request's ticket is printed when it comes
        self._last_poll = -1e9
        self._pending: tuple[str, dict, Callable] | None = None
        self._return_to = HOME
        self.printer_watch = PrinterWatch(self)
        self.home, self.search = Home(self), Search(self)
        self.take, self.checkin = Take(self), CheckIn(self)
        self.ticket = TicketView(self)
        self.guide = Guide(self)
        self.progress, self.status = Progress(self), HallStatus(self)
        self.rate_code = RateCode(self)
        self.booking = Booking(self)  # 现场预约
        self.thanks = Thanks(clock)
        self.rating = Rating(link, self.hall, self._rated, channel="qr")

    # --- where we are -----------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Tickets can be taken: the controller is there and the hall's config has arrived."""
        return self.online and self.hall.ready

    @property
    def printing(self) -> bool:
        return bool(self.printer is not None and self.printer.enabled)

    def go(self, screen: str) -> None:
        if screen == HOME:
            self._forget_the_last_person()
        if screen in NEED_CONTROLLER and not self.available:
            screen = PAUSED
        self.show(screen)

    def _forget_the_last_person(self) -> None:
        """Nothing one citizen typed is left on screen for the next one."""
        for presenter in (self.take, self.checkin, self.progress, self.rate_code, self.search, self.booking):
            presenter.reset()
        self._pending = None
        if self.asking is not None:  # the citizen went back: whatever comes now is nobody's ticket
            self.link.give_up(TICKET_REQUEST)
            self.asking, self.busy, self.slow = None, False, False

    def tick(self) -> None:
        """Every half second: timeouts back home, the countdown, the printer's status."""
        now = self.clock()
        if self.screen == TICKET:
            if now >= self.ticket.deadline:
                self.go(HOME)
            else:
                self.ticket.changed()
        elif self.screen == PAUSED:
            self.changed()  # the paused screen's clock moves: not a frozen screen
        elif self.screen == THANKS:
            if now >= self.thanks.deadline:
                self.go(HOME)
        elif self.screen not in (HOME, PAUSED) and now - self.last_touch >= self.IDLE_TIMEOUT_S:
            self.go(HOME)
        if self.printing and not self.busy and now - self._last_poll >= self.PRINTER_POLL_S:
            self._last_poll = now
            self.printer.check(self.printer_watch.update)

    def set_online(self, online: bool) -> None:
        self.online = online
        if online:
            self.printer_watch.report()
        self._follow_availability()

    def _follow_availability(self) -> None:
        if self.asking is not None:
            self.changed()  # a ticket on its way stays on its screen: it comes when the controller is back
        elif not self.available and self.screen in NEED_CONTROLLER:
            self.busy = False
            self.go(PAUSED)
        elif self.available and self.screen == PAUSED:
            self.go(HOME)
        else:
            self.changed()

    # --- retained state ------------------------------------------------------------------------

    def subscriptions(self) -> list[str]:
        t = self.link.topics
        return [t.state_config(), t.state_queues(), t.state_window_all()]

    def on_message(self, topic: str, data) -> None:
        """One message of the link (on the UI thread)."""
        kind = self.hall.apply(topic, data)
        if kind == "config":
            self._config_changed()
        elif kind == "queues":
            self._queues_changed()

    def on_config(self, payload: dict | None) -> None:
        if self.hall.apply_config(payload):
            self._config_changed()

    def on_queues(self, payload: dict | None) -> None:
        if self.hall.apply_queues(payload):
            self._queues_changed()

    def _config_changed(self) -> None:
        self.index = ItemIndex(self.hall.items())
        self._follow_availability()
        self.refresh_all()

    def _queues_changed(self) -> None:
        self.home.changed()
        self.status.changed()

    def refresh_all(self) -> None:
        for presenter in (self.home, self.search, self.take, self.guide, self.status, self.ticket):
            presenter.changed()

    # --- getting a ticket: printer first, then the controller -------------------------------

    def obtain_ticket(self, action: str, fields: dict, on_error: Callable[[Bi, Bi | None], None]) -> None:
        """issue_ticket or check_in; the number shows only from the controller's reply."""
        if self.asking is not None:
            if self.link.pending(TICKET_REQUEST) is not None:  # the open one again (if overdue), never a new one
                self.link.send(action, fields, self._ticket_reply, key=TICKET_REQUEST)
            return
        if self.busy or not self.available:
            return
        self.busy = True
        if self.printing:
            self.printer.check(lambda status: self._checked(status, action, fields, on_error))
        else:
            self._request(action, fields, on_error, printing=False)

    def _checked(self, status: str, action: str, fields: dict, on_error) -> None:
        self.printer_watch.update(status)
        if status in CANNOT_PRINT:
            self.busy = False
            self._pending = (action, fields, on_error)
            self._return_to = self.screen
            self.go(PRINTER)
        else:
            self._request(action, fields, on_error, printing=True)

    def show_on_screen(self) -> None:
        """The printer cannot print: the citizen chose to see the number on screen."""
        if self._pending is None or self.busy:
            return
        action, fields, on_error = self._pending
        self._pending = None
        self.busy = True
        self._request(action, fields, on_error, printing=False)

    def printer_back(self) -> None:
        self._pending = None
        self.go(self._return_to)

    def _request(self, action: str, fields: dict, on_error, *, printing: bool) -> None:
        self.asking, self.slow, self._printing = (action, on_error), False, printing
        # Not sent (the controller just went away): the link's offline reply comes to _ticket_reply all the same.
        self.link.send(action, {**fields, "lang": self.lang}, self._ticket_reply, key=TICKET_REQUEST,
                       on_overdue=self._ticket_overdue)

    def _ticket_overdue(self, request) -> None:
        if self.asking is None:
            return
        self.slow = True
        self.asking[1](w.STILL_WAITING, w.TICKET_ON_ITS_WAY)

    def _ticket_reply(self, reply: dict) -> None:
        asked, late = self.asking, self.slow
        action, on_error = asked if asked else (reply.get("action") or "issue_ticket", None)
        self.asking, self.busy, self.slow = None, False, False
        if reply.get("ok") and isinstance((reply.get("result") or {}).get("ticket"), dict):
            self.ticket.show(reply["result"]["ticket"], printing=self._printing, late=late)
            return
        headline, detail = friendly_error(action, reply.get("error"))
        if self.screen == PRINTER:
            self.go(self._return_to)
        if on_error is not None:
            on_error(headline, detail)
        if not self.available and self.screen in NEED_CONTROLLER:
            self.go(PAUSED)

    # --- ratings by QR code ---------------------------------------------------------------------

    def _rated(self, rating: dict | None, error_code: str | None) -> None:
        self.thanks.show(rating, error_code)
        self.go(THANKS)

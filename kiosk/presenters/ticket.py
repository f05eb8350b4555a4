"""The ticket on screen (always) and on paper (when a printer is there)."""
from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from .. import words as w
from ..printing import slips
from ..words import Bi
from .base import Presenter


def hall_time(at: float | None, timezone: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not at:
        return ""
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone = ZoneInfo("Asia/Shanghai")
    return datetime.fromtimestamp(at, zone).strftime(fmt)


class TicketView(Presenter):
    def __init__(self, kiosk):
        super().__init__()
        self.kiosk = kiosk
        self.ticket: dict = {}
        self.print_state = "screen"  # screen / printing / printed / not_printed
        self.printer_status: str | None = None
        self.late = False  # its reply came after the request's timeout: said on screen
        self.deadline = 0.0

    def show(self, ticket: dict, *, printing: bool, late: bool = False) -> None:
        self.ticket, self.late = ticket, late
        self.print_state = "printing" if printing else "screen"
        self.printer_status = None
        self.deadline = self.kiosk.clock() + self.kiosk.TICKET_TIMEOUT_S
        self.kiosk.go("ticket")
        if printing:
            self.kiosk.printer.print(slips.ticket(self.slip(), self.kiosk.printer_width), self._printed)

    def _printed(self, status: str, printed: bool) -> None:
        self.kiosk.printer_watch.update(status)
        self.printer_status = status
        self.print_state = "printed" if printed else "not_printed"
        self.changed()

    # --- what the screen (and the slip) says ---------------------------------------------------------

    @property
    def number(self) -> str:
        return str(self.ticket.get("number", ""))

    @property
    def category(self) -> Bi:
        cat = self.kiosk.hall.category(self.ticket.get("category", ""))
        return cat.name if cat else Bi(str(self.ticket.get("category", "")), str(self.ticket.get("category", "")))

    @property
    def item(self) -> Bi | None:
        item = self.kiosk.hall.item(self.ticket.get("item"))
        return item.name if item else None

    @property
    def group(self) -> Bi | None:
        group = self.ticket.get("group", "normal")
        return w.GROUPS.get(group) if group != "normal" else None

    @property
    def ahead(self) -> Bi:
        return w.fmt(w.AHEAD, n=int(self.ticket.get("ahead", 0)))

    @property
    def wait(self) -> Bi:
        """The controller's estimate, unless no open window serves the ticket now: then none is promised."""
        if not self._open_windows():
            return w.NOT_SERVED_WAIT
        return w.wait_text(self.ticket.get("est_wait_s", 0))

    def _open_windows(self) -> list[int]:
        """Where the ticket will be called now: the category's open windows of state/queues (tidal
        switches included); a green ticket at the green-channel windows with staff at them."""
        hall = self.kiosk.hall
        if self.ticket.get("group") == "green":
            return [n for n in hall.green_windows() if hall.status(n) in ("open", "serving")]
        cat = hall.category(self.ticket.get("category", ""))
        return list(cat.open_windows) if cat else []

    @property
    def windows(self) -> Bi:
        hall = self.kiosk.hall
        numbers = self._open_windows()
        if numbers:
            return w.windows_text([hall.window_name(n) for n in sorted(numbers)])
        if self.ticket.get("group") == "green":
            usual = hall.green_windows()
        else:
            usual = hall.configured_windows(self.ticket.get("category", ""))
        return w.windows_text([hall.window_name(n) for n in usual], w.WINDOWS_NONE_OPEN)

    @property
    def rating_code(self) -> str:
        """The ticket's rating code, shown and printed under its QR code for typing in at a kiosk."""
        return str(self.ticket.get("rating_token") or "")

    @property
    def qr_text(self) -> str:
        """What the QR code on screen and on the slip holds: the ticket's page on the phone."""
        return self.kiosk.hall.ticket_url(self.rating_code)

    @property
    def issued(self) -> str:
        return hall_time(self.ticket.get("issued_at"), self.kiosk.hall.timezone)

    @property
    def message(self) -> Bi:
        said = self._print_message()
        if not self.late:
            return said
        return Bi(f"{w.LATE_TICKET.zh}。{said.zh}", f"{w.LATE_TICKET.en}. {said.en}")

    def _print_message(self) -> Bi:
        if self.print_state == "printing":
            # The paper was checked just before the ticket was asked for: the words the slip will
            # want are shown at once, and change only if it fails (each change of a label is a new
            # texture, tens of ms with a software renderer: docs/benchmarks.md, "Kiosk").
            return w.TAKE_YOUR_TICKET
        if self.print_state == "printed":
            low = self.printer_status == "paper_near_end"
            return Bi(w.TAKE_YOUR_TICKET.zh + ("。" + w.PAPER_LOW.zh if low else ""),
                      w.TAKE_YOUR_TICKET.en + (". " + w.PAPER_LOW.en if low else ""))
        if self.print_state == "not_printed":
            return w.NOT_PRINTED
        return w.SCREEN_ONLY

    @property
    def countdown(self) -> Bi:
        left = max(0, math.ceil(self.deadline - self.kiosk.clock()))
        return w.fmt(w.RETURNS_HOME, s=left)

    def done(self) -> None:
        self.kiosk.go("home")

    def slip(self) -> slips.TicketSlip:
        hall = self.kiosk.hall
        return slips.TicketSlip(hall=tuple(hall.name), number=self.number, category=tuple(self.category),
                                item=tuple(self.item) if self.item else None, ahead=tuple(self.ahead),
                                wait=tuple(self.wait), windows=tuple(self.windows), issued=self.issued,
                                qr=self.qr_text, rating_code=self.rating_code,
                                group=tuple(self.group) if self.group else None)

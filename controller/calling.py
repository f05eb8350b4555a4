"""Who a window calls next: the hall's calling rules as one pure function.

Order (docs/architecture.md, the queue's rules): tickets sent to this very
window, then appointment tickets inside their slot (a booking checks in only
around its slot, controller/appointments.py; one checked in early waits for
its slot to open, one checked in late queues as a walk-in), then anyone who
has waited past the aging limit (oldest first), then priority groups, and
arrival order. Appointments and priority groups share the anti-starvation
ratio: at most `priority_ratio` of them in a row while normal tickets wait,
so a hall with many bookings never stalls its walk-in queue. A window's
secondary categories are only helped when its primary ones are empty.
"""
from __future__ import annotations

from typing import Iterable

from .model import Ticket


def arrival(ticket: Ticket) -> tuple[float, int]:
    return (ticket.issued_at, ticket.seq)


def booked(ticket: Ticket, now: float) -> bool:
    """A checked-in booking inside the span where it goes ahead of walk-ins."""
    return bool(ticket.appointment_code) and (ticket.appointment_from is None or ticket.appointment_from <= now) \
        and (ticket.appointment_until is None or now <= ticket.appointment_until)


def waits_for_slot(ticket: Ticket, now: float) -> bool:
    """A booking checked in early: not called before its slot opens."""
    return ticket.appointment_from is not None and now < ticket.appointment_from


def pool_for(window_no: int, primary: Iterable[str], secondary: Iterable[str], green_channel: bool,
             waiting: Iterable[Ticket]) -> list[Ticket]:
    """The waiting tickets this window may call now."""
    primary, secondary = set(primary), set(secondary)
    mine, first, second = [], [], []
    for ticket in waiting:
        if ticket.target_window is not None:
            if ticket.target_window == window_no:
                mine.append(ticket)
        elif ticket.category in primary or (green_channel and ticket.group == "green"):
            first.append(ticket)
        elif ticket.category in secondary:
            second.append(ticket)
    return mine or first or second


def choose_next(pool: list[Ticket], *, priority_streak: int, priority_ratio: int,
                max_wait_s: float, now: float) -> Ticket | None:
    if not pool:
        return None
    targeted = [t for t in pool if t.target_window is not None]
    if targeted:
        return min(targeted, key=arrival)
    pool = [t for t in pool if not waits_for_slot(t, now)]
    if not pool:
        return None
    appointments = [t for t in pool if booked(t, now)]
    normal = [t for t in pool if not t.is_priority and not booked(t, now)]
    ratio_allows = not normal or priority_streak < priority_ratio
    if appointments and ratio_allows:
        return min(appointments, key=arrival)
    aged = [t for t in pool if now - t.issued_at >= max_wait_s]
    if aged:
        return min(aged, key=arrival)
    priority = [t for t in pool if t.is_priority and not booked(t, now)]
    if priority and ratio_allows:
        return min(priority, key=arrival)
    return min(normal or priority or appointments, key=arrival)

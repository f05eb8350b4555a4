"""Who a window calls next: the hall's calling rules as one pure function.

Order (docs/architecture.md, the queue's rules): tickets sent to this very
window, then appointment tickets (a booking checks in only around its slot,
controller/appointments.py), then anyone who has waited past the aging limit
(oldest first), then priority groups — at most `priority_ratio` in a row
while normal tickets wait — and arrival order. A window's secondary
categories are only helped when its primary ones are empty.
"""
from __future__ import annotations

from typing import Iterable

from .model import Ticket


def arrival(ticket: Ticket) -> tuple[float, int]:
    return (ticket.issued_at, ticket.seq)


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
    appointments = [t for t in pool if t.appointment_code]
    if appointments:
        return min(appointments, key=arrival)
    aged = [t for t in pool if now - t.issued_at >= max_wait_s]
    if aged:
        return min(aged, key=arrival)
    priority = [t for t in pool if t.is_priority]
    normal = [t for t in pool if not t.is_priority]
    if priority and (not normal or priority_streak < priority_ratio):
        return min(priority, key=arrival)
    return min(normal, key=arrival)

"""A ticket by its rating token: the one key a citizen's phone holds (the slip's QR code).

Today's tickets are the engine's; an earlier day's are read from the store for `ratings.qr_days`
service days (the day of service counted), the days its QR page takes a rating. After that a token
finds nothing, so an old slip is no key to anything.
"""
from __future__ import annotations

from datetime import date

from .model import Ticket


def days_since(day: str, today: str) -> int:
    return (date.fromisoformat(today) - date.fromisoformat(day)).days


def find_by_token(engine, stored, token: str) -> Ticket | None:
    ticket = engine.by_token.get(token)
    if ticket is None and stored is not None:
        ticket = stored.ticket_by_token(token)
        if ticket is not None and days_since(ticket.day, engine.day) >= engine.config.ratings.qr_days:
            return None
    return ticket

"""What a citizen's phone may ask the controller (`web-*` devices): its own ticket by the token on the
slip, and the hall's public 好差评.

The token is the only key a phone holds: a ticket id (`<day>-<number>`) can be guessed, the token
is an HMAC of it with the store's secret (`Engine.rating_token`), so holding it is holding the slip.
The answers carry what the slip's holder, or the public, may see — no name, no phone, no ID, no
staff member — and a ticket is found by its token for `ratings.qr_days` service days (the day of
service counted), the days its QR page takes a rating; after that it is not found at all.
"""
from __future__ import annotations

import json

from contract.errors import CommandError

from . import calling, cases, ratings, report
from .model import CALLED, DONE, SERVING, WAITING
from .tokens import days_since, find_by_token

RATEABLE = (CALLED, SERVING, DONE)
NOT_FOUND = CommandError("not_found", "no such ticket", "未找到该号码")


def ticket_by_token(engine, change, rating_token):
    """The slip's holder's view of the ticket: its place now, where it is called, and whether the
    phone may rate it."""
    ticket = find_by_token(engine, change.stored, rating_token)
    if ticket is None:
        raise NOT_FOUND
    today = ticket.day == engine.day
    waiting = today and ticket.status == WAITING
    ahead = engine.ahead_of(ticket) if waiting else 0
    change.out.result = {"ticket": {
        "id": ticket.id, "day": ticket.day, "number": ticket.number, "category": ticket.category,
        "item": ticket.item, "group": ticket.group, "status": ticket.status, "window": ticket.window,
        "issued_at": ticket.issued_at, "ahead": ahead,
        "est_wait_s": engine.est_wait_s(ticket.category, ahead) if waiting else 0,
        "times_called": ticket.times_called, "transfers": ticket.transfers, "finished_at": ticket.finished_at,
        "level": ticket.rating_level,
        "rateable": ticket.rating_level is None and ticket.status in RATEABLE,
        "rate_days_left": engine.config.ratings.qr_days - days_since(ticket.day, engine.day),
        # a 补正's missing materials or a refusal's reasons: the slip's holder reads (and prints) its notice
        "outcome": change.stored.ticket_outcome(ticket.id) if ticket.status == DONE and change.stored else None}}


def places(engine, change, rating_tokens):
    """The place now of each of these tickets still waiting (a web process's open pages in a queue
    that moved, asked in one go): `{token: {"ahead", "est_wait_s"}}`, the others left out. Each
    queue is put in calling order once (priority first, then by arrival, as `Engine.ahead_of`
    counts), so a thousand pages cost one sort, not a thousand counts."""
    orders: dict[str, dict[str, int]] = {}
    out = {}
    for token in dict.fromkeys(rating_tokens):
        ticket = engine.by_token.get(token)
        if ticket is None or ticket.status != WAITING:
            continue
        if ticket.target_window is not None:  # sent to one window: counted as ever
            ahead = engine.ahead_of(ticket)
        else:
            if ticket.category not in orders:
                queue = sorted((t for t in engine.waiting_in.get(ticket.category, {}).values()
                                if t.target_window is None), key=lambda t: (not t.is_priority, calling.arrival(t)))
                orders[ticket.category] = {t.id: i for i, t in enumerate(queue)}
            ahead = orders[ticket.category][ticket.id]
        out[token] = {"ahead": ahead, "est_wait_s": engine.est_wait_s(ticket.category, ahead)}
    change.out.result = {"places": out}


def public_ratings(engine, change, date=None):
    """The public 好差评 of a day: the `stats` figures' ratings (hall, items, windows) and every 差评,
    anonymised, with the hall's reply once its follow-up is closed (`cases.published_reply`)."""
    figures = report.day_figures(change.stored, engine, date or engine.day, change.now)
    keys = ("served", "rated", "by_level", "active_rating_rate", "good_rate", "bad_ratings")
    bad = []
    for row in change.stored.followups_of_day(figures["day"]):
        rating = change.stored.get("ratings", row["ticket_id"]) or {}
        zh, en, _ = ratings.FOLLOWUP_FLOW[row["status"]]
        bad.append({"at": row["opened_at"], "window": row["window"], "item": rating.get("item"),
                    "category": rating.get("category"), "level": row["level"], "reasons": json.loads(row["reasons"]),
                    "status": row["status"], "status_text": {"zh": zh, "en": en},
                    "reply": cases.published_reply(row),
                    "closed_at": row["closed_at"]})
    change.out.result = {
        "day": figures["day"],
        "hall": {key: figures["hall"][key] for key in keys},
        "items": {key: {k: value[k] for k in keys} for key, value in figures["items"].items()},
        "windows": {key: {k: value[k] for k in keys} for key, value in figures["windows"].items()},
        "bad": sorted(bad, key=lambda b: b["at"])}

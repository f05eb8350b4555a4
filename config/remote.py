"""Config section of 线上取号 (remote tickets): a ticket taken on the phone, and the rules against 号贩子.

Kept apart from `schema.py` like the booking rules; the hall config includes it as
`remote_ticket:`. Off by default, and offered only for the categories listed with `enabled`.
Strict like the rest: an unknown key or an out-of-range value is refused with the dotted key, at
start and on every live change. The rules themselves are in controller/remote.py.

Against scalping the hall has four levers: a verification code sent to the phone through the
notifier (`appointments.notify`, the SMS gateway's webhook) — so a number must be the caller's
own to get a ticket —, tickets per phone per day, tickets per category per day taken remotely,
and the no-show bar: `no_show.no_shows` remote tickets called and missed within
`no_show.period_days` bar the phone from remote tickets for `no_show.bar_days` days (walk-in
tickets at the kiosk stay open).
"""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RemoteCategory(_Strict):
    """One category's remote tickets: offered or not, and how many of the day's tickets may go remote
    (None: only the category's own `daily_cap` bounds them)."""

    enabled: bool = True
    daily_cap: Annotated[int, Field(ge=1, le=9999)] | None = None


class Code(_Strict):
    """The verification code sent to the phone: its digits, how long it is good for, how soon it may be
    sent again, how many wrong tries lock it, and how many codes one phone may ask for in a day."""

    length: Annotated[int, Field(ge=4, le=8)] = 6
    valid_s: Annotated[int, Field(ge=60, le=1800)] = 300
    resend_s: Annotated[int, Field(ge=10, le=600)] = 60
    max_tries: Annotated[int, Field(ge=1, le=10)] = 5
    sends_per_day: Annotated[int, Field(ge=1, le=50)] = 5

    @model_validator(mode="after")
    def _resend_within_validity(self):
        if self.resend_s >= self.valid_s:
            raise ValueError("resend_s must be below valid_s (a code may be sent again while it is good)")
        return self


class NoShowBar(_Strict):
    """Remote tickets called and missed (过号) bar the phone from remote tickets for a while."""

    enabled: bool = True
    no_shows: Annotated[int, Field(ge=1, le=20)] = 2
    period_days: Annotated[int, Field(ge=1, le=365)] = 30
    bar_days: Annotated[int, Field(ge=1, le=365)] = 30


class RemoteTicket(_Strict):
    enabled: bool = False
    categories: dict[str, RemoteCategory] = {}
    per_phone_per_day: Annotated[int, Field(ge=1, le=10)] = 1
    code: Code = Code()
    no_show: NoShowBar = NoShowBar()

    def offered(self, category: str) -> bool:
        """Whether a phone may take a ticket of this category remotely (the hall's switch and its own)."""
        own = self.categories.get(category)
        return self.enabled and own is not None and own.enabled


def remote_problems(config) -> list[tuple[str, str]]:
    """(key, message) for a `remote_ticket` section that names unknown categories, or is switched on
    with nothing to offer or no notifier to send its codes."""
    section, problems = config.remote_ticket, []
    for code in section.categories:
        if code not in config.categories:
            problems.append((f"remote_ticket.categories.{code}", f"unknown category {code!r}"))
    if section.enabled:
        if not any(own.enabled for own in section.categories.values()):
            problems.append(("remote_ticket.categories", "remote tickets are enabled but no category offers them: "
                             "list the categories with enabled: true"))
        if config.appointments.notify.backend == "none":
            problems.append(("remote_ticket.enabled", "remote tickets need a notifier to send the verification "
                             "code: set appointments.notify.backend to webhook (the SMS gateway) or log"))
    return problems

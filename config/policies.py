"""Config sections of tidal windows (潮汐窗口) and electronic supervision (电子监察).

Kept apart from `schema.py` so the two policies' knobs read as one page; the
hall config includes them as `tidal:` and `supervision:`. Strict like the rest:
an unknown key or an out-of-range value is refused with the dotted key.
Every threshold is in seconds of hall time.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

Seconds = Annotated[int, Field(ge=0, le=14 * 86400)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TidalCategory(_Strict):
    """One category's tidal rules; a key left out takes the hall's value (`tidal.<key>`)."""

    enabled: bool = True
    open_wait_s: Annotated[int, Field(ge=60, le=14400)] | None = None
    open_oldest_wait_s: Annotated[int, Field(ge=60, le=14400)] | None = None
    close_wait_s: Annotated[int, Field(ge=0, le=14400)] | None = None
    max_windows: Annotated[int, Field(ge=0, le=99)] | None = None


class Rota(_Strict):
    """The rota policy's knobs (`tidal.policy: rota`, controller/rota.py): loads are the next hour's forecast
    tickets plus the backlog, in window-hours per open window-hour."""

    every_s: Annotated[int, Field(ge=60, le=3600)] = 300          # how often it reviews
    need_above: Annotated[float, Field(gt=0, le=3)] = 0.9         # a category above this load borrows a window
    lend_below: Annotated[float, Field(gt=0, le=3)] = 0.8         # ... from one that stays under this without it
    return_below: Annotated[float, Field(ge=0, le=3)] = 0.7       # a lent window comes home under this without it
    min_hold_s: Annotated[int, Field(ge=1800, le=14400)] = 1800   # a lent window stays at least this long
    # the queue as it is has the last word over the forecast: a window is not lent from a category whose backlog
    # would wait this long without it, and a lent one comes home (after its hold) once its own backlog waits this long
    home_wait_s: Annotated[int, Field(ge=60, le=14400)] = 600

    @model_validator(mode="after")
    def _hysteresis(self):
        if self.lend_below >= self.need_above:
            raise ValueError("lend_below must be below need_above (a lender must not be the next borrower)")
        if self.return_below >= self.need_above:
            raise ValueError("return_below must be below need_above (hysteresis)")
        return self


class Tidal(_Strict):
    """When a queue stays long, a tidal-capable window switches to it; when it stays short, back.

    A category's queue is *long* when its predicted wait (waiting × recent service time
    ÷ open windows) reaches `open_wait_s` or its oldest ticket has waited
    `open_oldest_wait_s`; it is *short* when its predicted wait without the
    window in question is under `close_wait_s`. Both must hold `sustain_s`.
    """

    enabled: bool = True
    open_wait_s: Annotated[int, Field(ge=60, le=14400)] = 1200
    open_oldest_wait_s: Annotated[int, Field(ge=60, le=14400)] = 1800
    close_wait_s: Annotated[int, Field(ge=0, le=14400)] = 300
    sustain_s: Annotated[int, Field(ge=0, le=3600)] = 300
    min_hold_s: Annotated[int, Field(ge=0, le=14400)] = 900
    max_windows: Annotated[int, Field(ge=0, le=99)] = 3
    # 先本后他: every tidal-capable window helps the other categories when its own queue is empty, without a
    # switch (on even while `enabled` is off: it is how those windows call, not a policy that moves them)
    home_first: StrictBool = False
    # which policy moves the windows: "threshold" (the thresholds above) or "rota" (ahead of the forecast,
    # controller/rota.py; without a forecast for the day it falls back to the thresholds)
    policy: Literal["threshold", "rota"] = "threshold"
    rota: Rota = Rota()
    categories: dict[str, TidalCategory] = {}

    @model_validator(mode="after")
    def _hysteresis(self):
        if self.close_wait_s >= self.open_wait_s:
            raise ValueError("close_wait_s must be below open_wait_s (hysteresis)")
        for code in self.categories:
            if self.rule(code)["close_wait_s"] >= self.rule(code)["open_wait_s"]:
                raise ValueError(f"categories.{code}: close_wait_s must be below open_wait_s (hysteresis)")
        return self

    def rule(self, category: str) -> dict:
        """The thresholds that apply to one category: its own keys over the hall's."""
        own = self.categories.get(category)
        out = {"enabled": self.enabled and (own.enabled if own else True)}
        for key in ("open_wait_s", "open_oldest_wait_s", "close_wait_s", "max_windows"):
            value = getattr(own, key) if own else None
            out[key] = getattr(self, key) if value is None else value
        return out


Hour = Annotated[str, Field(pattern=r"^([01]\d|2[0-3])$")]


class Forecast(_Strict):
    """What the hall expects per category and hour, learned from its stored days (controller/forecast.py)."""

    enabled: StrictBool = True
    weeks: Annotated[int, Field(ge=1, le=52)] = 8           # stored days learned from: this many weeks back
    min_days: Annotated[int, Field(ge=1, le=60)] = 2        # a day type learned from fewer falls back
    # before enough days are stored: tickets per hour by local hour ("09" = 09:00-10:00), per category
    cold_start: dict[Hour, dict[str, Annotated[float, Field(ge=0, le=10000)]]] = {}


class Limit(_Strict):
    """A yellow card (黄牌, a warning) at `yellow_s`, a red card (红牌) at `red_s`."""

    yellow_s: Seconds
    red_s: Seconds

    @model_validator(mode="after")
    def _order(self):
        if self.red_s <= self.yellow_s:
            raise ValueError("red_s must be above yellow_s")
        return self


class SupervisionCategory(_Strict):
    wait: Limit | None = None
    service: Limit | None = None


class Supervision(_Strict):
    """电子监察: the limits behind each alert rule (docs/configuration.md, `supervision`)."""

    enabled: bool = True
    wait: Limit = Limit(yellow_s=1800, red_s=3600)           # a ticket waiting
    service: Limit = Limit(yellow_s=1800, red_s=3600)        # one service at a window
    no_call: Limit = Limit(yellow_s=300, red_s=900)          # an idle window while its tickets wait
    pause: Limit = Limit(yellow_s=900, red_s=1800)           # a paused window
    unstaffed: Limit = Limit(yellow_s=300, red_s=900)        # nobody at a window while its tickets wait
    tidal_short: Limit = Limit(yellow_s=0, red_s=900)        # the tidal policy found no window to switch
    followup_warn_s: Seconds = 86400                         # yellow this long before a 差评 follow-up is due
    staffed_windows: list[int] = []                          # windows the roster staffs in opening hours; [] = none
    categories: dict[str, SupervisionCategory] = {}

    def limit(self, rule: str, category: str | None = None) -> Limit:
        own = self.categories.get(category) if category else None
        return (getattr(own, rule, None) if own else None) or getattr(self, rule)


def unknown_categories(config) -> list[tuple[str, str]]:
    """(key, message) for tidal/supervision/forecast entries naming a category or window the hall does not have."""
    problems = []
    for section in ("tidal", "supervision"):
        for code in getattr(config, section).categories:
            if code not in config.categories:
                problems.append((f"{section}.categories.{code}", f"unknown category {code!r}"))
    for hour, rates in config.forecast.cold_start.items():
        for code in rates:
            if code not in config.categories:
                problems.append((f"forecast.cold_start.{hour}.{code}", f"unknown category {code!r}"))
    for number in config.supervision.staffed_windows:
        if number not in config.windows:
            problems.append(("supervision.staffed_windows", f"unknown window {number}"))
    return problems

"""The rota policy (排班式潮汐): tidal windows placed ahead of the hall's day from its forecast — a pure policy.

The threshold policy (controller/tidal.py) waits for a queue to grow before it
moves a window; this one looks ahead. Every `tidal.rota.every_s` it takes each
category's *load* over the next hour — the tickets the forecast expects in it
(controller/forecast.py) plus the backlog waiting now, times their service
time, over the hours its open windows have — and:

- lends a tidal-capable window to a category whose load is above `need_above`
  (about 0.9) from one whose load stays under `lend_below` (about 0.8) without
  it, the highest load first, as many as bring it under `need_above` (at most
  `tidal.max_windows` per category);
- brings a lent window home once it has held `min_hold_s` (at least 30 min) and
  either the category it helps would stay under `return_below` without it
  (hysteresis: below the lending threshold, so a window does not swing back and
  forth around one value) or its own category now needs it more: above
  `need_above`, and above the load the other would have without it.

A forecast can be wrong (a surge an hour late, a quiet day), so the queues as they
are have the last word: a window is not lent from a category whose backlog would
wait `long_wait_s` (`tidal.rota.home_wait_s`) without it, and a lent
window comes home (after its hold) when its own backlog waits that long, however
long the other's: a window is lent only from what its own category can spare, so
lending never makes a lender wait much longer than with no tidal window at all.

A window at a ticket is never moved: a move decided for a busy window waits for
its next call (between two citizens) and is dropped at the next review if it
no longer holds. Every move carries its reason — the forecast's basis and the
loads, expected tickets and backlog of the categories concerned — into the
ledger and the `event/tidal` (controller/tidal_windows.py makes the switch the
threshold policy's way: announced, on the screens, in the ledger).

Plain data in, plain data out: no engine, no clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .tidal import Window

INF = float("inf")


@dataclass(frozen=True)
class Need:
    """One category over the next hour, as the rota sees it."""

    code: str
    expected: float        # tickets the forecast expects in the next hour
    expected_service_s: float
    waiting: int           # the backlog now
    service_s: float       # recent average service time (the backlog's)
    windows: int           # staffed, unpaused windows serving it first

    def load(self, windows: int | None = None) -> float:
        n = self.windows if windows is None else windows
        work = self.expected * self.expected_service_s + self.waiting * self.service_s
        if n <= 0:
            return INF if work else 0.0
        return work / (n * 3600.0)

    def wait_s(self, windows: int | None = None) -> float:
        """The backlog's predicted wait now (the threshold policy's measure): what the forecast cannot hide."""
        n = self.windows if windows is None else windows
        return self.waiting * self.service_s / max(1, n)


@dataclass(frozen=True)
class Rule:
    lend_below: float
    need_above: float
    return_below: float
    min_hold_s: float


@dataclass(frozen=True)
class Move:
    window: int
    to: str | None          # the category it now serves first; None: back to its own
    category: str           # the category the decision is about
    reason: str             # "rota_lend", "rota_home" or "category_gone"
    detail: dict


@dataclass
class Plan:
    now: list[Move]                                       # free windows: switch at once
    at_call: dict[int, Move] = field(default_factory=dict)  # busy ones: at their next call
    unmet: dict[str, float] = field(default_factory=dict)  # above need_above, and no window could be lent


def _round(x: float) -> float | None:
    return None if x == INF else round(x, 2)


def plan(needs: dict[str, Need], windows: list[Window], rule: Rule, *, enabled, max_windows, long_wait_s, now: float,
         basis: dict) -> Plan:
    """The moves to make: `enabled(code)`, `max_windows(code)` and `long_wait_s(code)` are the tidal config's per
    category; `basis` (the forecast's basis and days) goes into every move's detail."""
    load = dict(needs)
    moves: list[Move] = []
    taken: set[int] = set()

    def detail(*codes: str) -> dict:
        return {**basis, "loads": {c: _round(load[c].load()) for c in codes if c in load},
                "expected": {c: round(load[c].expected, 1) for c in codes if c in load},
                "waiting": {c: load[c].waiting for c in codes if c in load}}

    def shift(window: Window, leaving: list[str], joining: list[str]) -> None:
        for code, step in [(c, -1) for c in leaving] + [(c, 1) for c in joining]:
            if code in load:
                load[code] = replace(load[code], windows=load[code].windows + step)

    # home first: the lent windows that have held and are not needed where they are, or are needed more at home
    for window in sorted((w for w in windows if w.switched_to and not w.pinned),
                         key=lambda w: (w.since or 0.0, w.number)):
        away = window.switched_to
        if away not in load:
            moves.append(Move(window.number, None, away, "category_gone", detail(*window.home)))
            taken.add(window.number)
            continue
        if now - (now if window.since is None else window.since) < rule.min_hold_s or not (window.staffed and not window.paused):
            continue
        there = load[away].load(load[away].windows - 1)
        home = max((load[h].load() for h in window.home if h in load), default=0.0)
        home_waits = any(load[h].wait_s() >= long_wait_s(h) for h in window.home if h in load)
        if there < rule.return_below or (home > rule.need_above and home > there) or home_waits:
            moves.append(Move(window.number, None, away, "rota_home", detail(away, *window.home)))
            taken.add(window.number)
            shift(window, [away], list(window.home))

    # then lend, the highest load first
    unmet: dict[str, float] = {}
    for code in sorted((c for c in load if enabled(c)), key=lambda c: (-load[c].load(), c)):
        lent = sum(1 for w in windows if w.switched_to == code and w.number not in taken) + sum(
            1 for m in moves if m.to == code)
        found = False
        while load[code].load() > rule.need_above and lent < max_windows(code):
            candidates = [w for w in windows if w.number not in taken and _may_lend(w, code, load, rule, long_wait_s)]
            if not candidates:
                break
            window = min(candidates, key=lambda w: (_home_load(w, load), w.busy, w.number))
            moves.append(Move(window.number, code, code, "rota_lend", detail(code, *window.home)))
            taken.add(window.number)
            shift(window, list(window.home), [code])
            lent += 1
            found = True
        if not found and load[code].load() > rule.need_above and lent < max_windows(code):
            need = load[code]
            unmet[code] = need.waiting * need.service_s / max(1, need.windows)
    busy = {w.number for w in windows if w.busy}
    return Plan([m for m in moves if m.window not in busy], {m.window: m for m in moves if m.window in busy}, unmet)


def _may_lend(window: Window, code: str, load: dict[str, Need], rule: Rule, long_wait_s) -> bool:
    """A staffed, unpaused, unpinned tidal window at home, not already serving `code`, whose own categories stay
    under `lend_below` without it, and whose backlogs would not wait `long_wait_s` without it."""
    if not (window.capable and window.staffed and not window.paused and not window.pinned
            and window.switched_to is None) or code in window.home:
        return False
    return all(h not in load or (load[h].load(load[h].windows - 1) < rule.lend_below
                                 and load[h].wait_s(load[h].windows - 1) < long_wait_s(h)) for h in window.home)


def _home_load(window: Window, load: dict[str, Need]) -> float:
    return max((load[h].load(load[h].windows - 1) for h in window.home if h in load), default=0.0)

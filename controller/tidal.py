"""潮汐窗口: which tidal-capable windows switch to which category — a pure policy.

The hall's rule, in its own words: when a category's queue stays long, tidal
windows that are staffed and free, and whose own queues are short, start
serving that category first; when the queue stays short again, they go back.
"Long" and "short" are the config's thresholds (`config/policies.py`, `Tidal`)
on the *predicted wait* — waiting × recent service time ÷ open windows, what a
citizen taking a ticket now would be told — or on the oldest ticket's wait.

How many and which: a long queue gets as many windows as bring its predicted
wait under the opening threshold; its own windows lent elsewhere come home
first when they are needed more at home than where they are; otherwise windows
are lent only from queues that have been short for as long as the window will
be away (`min_hold_s`), so a window is not taken from a queue that is about to
grow. Three things keep windows from flapping: the gap between the opening and
closing thresholds (hysteresis), the time long or short must hold (`sustain_s`;
after every move the clock starts again) and the shortest stay of a switched
window (`min_hold_s`).

A window is never switched in the middle of a service: only windows that are
free *now* are switched. The caller passes which ones are: at a periodic review
the idle windows; at the moment a window is about to call its next ticket,
that window — so a busy window serving a short queue switches between two
citizens, never under one. When a long queue cannot get a window (nobody
staffs one that could be lent), the decision says so (`short`) and
supervision asks the admin to staff one.

Everything here is plain data in, plain data out: no engine, no clock.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Queue:
    """One category as the policy sees it."""

    code: str
    waiting: int
    oldest_wait_s: float
    service_s: float          # recent average service time
    windows: int              # staffed, unpaused windows serving it first (switched ones included)

    def predicted_wait_s(self, windows: int | None = None) -> float:
        n = self.windows if windows is None else windows
        return self.waiting * self.service_s / max(1, n)


@dataclass(frozen=True)
class Window:
    """One window as the policy sees it."""

    number: int
    home: tuple[str, ...]     # the primary categories the config gives it
    capable: bool             # tidal_capable in the config
    staffed: bool
    paused: bool = False
    busy: bool = False        # a ticket is at the window (called or being served)
    pinned: bool = False      # an admin pinned it: the policy leaves it as it is
    switched_to: str | None = None
    since: float | None = None


@dataclass(frozen=True)
class Switch:
    window: int
    to: str | None            # the category it now serves first; None: back to its own
    category: str             # the category the decision is about
    reason: str               # "long_queue", "short_queue" or "category_gone"
    predicted_wait_s: float


@dataclass
class Memory:
    """Since when each category has been long, short, or unmet (long, with no window to lend it)."""

    long_since: dict[str, float] = field(default_factory=dict)
    short_since: dict[str, float] = field(default_factory=dict)
    unmet_since: dict[str, float] = field(default_factory=dict)

    def copy(self) -> Memory:
        return Memory(dict(self.long_since), dict(self.short_since), dict(self.unmet_since))


@dataclass
class Decision:
    switches: list[Switch]
    unmet: dict[str, float]   # category -> predicted wait, for categories no window could be found for
    memory: Memory


Rule = dict  # Tidal.rule(category): enabled, open_wait_s, open_oldest_wait_s, close_wait_s, max_windows


def serves(primary: Iterable[str], secondary: Iterable[str], switched_to: str | None) -> tuple[tuple, tuple]:
    """(primary, secondary) a window serves now: a switched window puts its tidal category
    first and still helps its own categories when that queue is empty."""
    primary, secondary = tuple(primary), tuple(secondary)
    if not switched_to:
        return primary, secondary
    rest = [code for code in (*primary, *secondary) if code != switched_to]
    return (switched_to,), tuple(dict.fromkeys(rest))


def is_long(queue: Queue, rule: Rule) -> bool:
    return rule["enabled"] and (queue.predicted_wait_s() >= rule["open_wait_s"]
                                or queue.oldest_wait_s >= rule["open_oldest_wait_s"])


def is_short_without_one(queue: Queue, rule: Rule) -> bool:
    """Short enough that it would stay short with one window fewer."""
    return queue.predicted_wait_s(queue.windows - 1) < rule["close_wait_s"] and not is_long(queue, rule)


def decide(queues: dict[str, Queue], windows: list[Window], rule: Callable[[str], Rule], *, sustain_s: float,
           min_hold_s: float, memory: Memory, now: float, free: set[int]) -> Decision:
    """The switches to make now among the `free` windows, and the categories short of a window."""
    memory = memory.copy()
    for code, queue in queues.items():
        _clock(memory.long_since, code, is_long(queue, rule(code)), now)
        _clock(memory.short_since, code, is_short_without_one(queue, rule(code)), now)
    for code in [c for c in memory.unmet_since if c not in queues]:
        del memory.unmet_since[code]

    step = _Round(dict(queues), windows, rule, sustain_s, min_hold_s, memory, now, free)
    _back_home(step)
    unmet = _to_long_queues(step)
    for code in list(memory.unmet_since):
        if code not in unmet:
            del memory.unmet_since[code]
    for code in unmet:
        memory.unmet_since.setdefault(code, now)
    return Decision(step.switches, unmet, memory)


@dataclass
class _Round:
    """One decision in the making; `load` holds the queues as its switches leave them."""

    load: dict[str, Queue]
    windows: list[Window]
    rule: Callable[[str], Rule]
    sustain_s: float
    min_hold_s: float
    memory: Memory
    now: float
    free: set[int]
    switches: list[Switch] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)

    def move(self, window: Window, to: str | None, category: str, reason: str) -> None:
        queue = self.load.get(category)
        self.switches.append(Switch(window.number, to, category, reason, queue.predicted_wait_s() if queue else 0.0))
        self.taken.add(window.number)
        if queue is not None:
            _move(self.load, window, to=to)


def _back_home(r: _Round) -> None:
    """Switched windows whose tidal queue has stayed short go back, the oldest switch first, one per
    category per sustained short spell (at once if their category no longer exists)."""
    for window in sorted((d for d in r.windows if d.switched_to and not d.pinned and d.number in r.free),
                         key=lambda d: (d.since or 0, d.number)):
        code = window.switched_to
        if code not in r.load:
            r.move(window, None, code, "category_gone")
            continue
        short_from = r.memory.short_since.get(code)
        if (r.rule(code)["enabled"] and short_from is not None and r.now - short_from >= r.sustain_s
                and r.now - (window.since or r.now) >= r.min_hold_s):
            r.move(window, None, code, "short_queue")
            r.memory.short_since[code] = r.now


def _to_long_queues(r: _Round) -> dict[str, float]:
    """Windows for the queues that have stayed long, the longest predicted wait first; returns the
    categories no window could be found for, with their predicted waits."""
    current = r.load.__getitem__
    long_queues = sorted((c for c, since in r.memory.long_since.items() if r.now - since >= r.sustain_s),
                         key=lambda c: (-current(c).predicted_wait_s(), c))
    unmet: dict[str, float] = {}
    for code in long_queues:
        queue, rule = current(code), r.rule(code)
        wanted = max(1, int(queue.waiting * queue.service_s // rule["open_wait_s"]) + 1 - queue.windows)
        moved = 0
        while moved < wanted:
            # its own windows lent elsewhere come back first, then windows of short queues are borrowed
            returning = [d for d in r.windows if d.number not in r.taken
                         and _may_return(d, code, r.load, r.now, r.min_hold_s)]
            room = sum(1 for d in r.windows if d.switched_to == code and d.number not in r.taken) + sum(
                1 for s in r.switches if s.to == code) < rule["max_windows"]
            lenders = [d for d in r.windows if room and d.number not in r.taken
                       and _may_leave(d, code, r, max(r.sustain_s, r.min_hold_s))]
            if not returning and not lenders:
                soon = room and any(d.number not in r.taken and _may_leave(d, code, r, 0) for d in r.windows)
                if not moved and not soon:  # (soon: a window is short now, not yet for long enough)
                    unmet[code] = current(code).predicted_wait_s()
                break
            ready = [d for d in returning if d.number in r.free] or [d for d in lenders if d.number in r.free]
            if not ready:
                break  # a busy one will be asked again when its service ends
            window = min(ready, key=lambda d: (_home_load(d, current), d.number))
            r.move(window, None if window.switched_to else code, code, "long_queue")
            moved += 1
        if moved:
            r.memory.long_since[code] = r.now
    return unmet


def _clock(since: dict[str, float], code: str, holds: bool, now: float) -> None:
    if holds:
        since.setdefault(code, now)
    else:
        since.pop(code, None)


def _may_leave(window: Window, code: str, r: _Round, short_for: float) -> bool:
    """A staffed, unpaused, unpinned tidal window at home, not already serving `code` first, whose own
    categories have been short for `short_for` — as long as it will be away at least — and would stay short
    without it."""
    if not (window.capable and window.staffed and not window.paused and not window.pinned
            and window.switched_to is None):
        return False
    return code not in window.home and all(
        r.now - r.memory.short_since.get(h, r.now) >= short_for and is_short_without_one(r.load[h], r.rule(h))
        for h in window.home)


def _may_return(window: Window, code: str, load: dict, now: float, min_hold_s: float) -> bool:
    """A window lent from `code`'s windows, held long enough, whose tidal queue would wait less without it
    than its own queue waits now: it is needed more at home."""
    if not (window.switched_to and code in window.home and window.staffed and not window.paused
            and not window.pinned):
        return False
    queue = load.get(window.switched_to)
    if queue is None or now - (window.since or now) < min_hold_s:
        return False
    return queue.predicted_wait_s(queue.windows - 1) < load[code].predicted_wait_s()


def _home_load(window: Window, current) -> float:
    return max((current(h).predicted_wait_s(current(h).windows - 1) for h in window.home), default=0.0)


def _move(load: dict[str, Queue], window: Window, to: str | None) -> None:
    """Count a switch in the open windows of the categories it leaves and joins."""
    leaving = [window.switched_to] if to is None else list(window.home)
    joining = list(window.home) if to is None else [to]
    for code, step in [(c, -1) for c in leaving] + [(c, 1) for c in joining]:
        if code in load:
            load[code] = replace(load[code], windows=load[code].windows + step)


def notice(number: int, categories: list, names: dict, back: bool) -> dict[str, str]:
    """The voice and screen notice of a switch: "10号窗口开始办理社保医保业务"."""
    zh = "、".join(names[c]["zh"] if c in names else c for c in categories)
    en = ", ".join(names[c]["en"] if c in names else c for c in categories)
    if back:
        return {"zh": f"{number}号窗口恢复办理{zh}业务", "en": f"Window {number} is back to {en}"}
    return {"zh": f"{number}号窗口开始办理{zh}业务", "en": f"Window {number} now serves {en}"}

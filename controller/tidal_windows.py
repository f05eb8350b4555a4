"""The tidal policy inside the engine: its inputs read from the queue, its switches made as window changes.

`controller/tidal.py` decides; this module feeds it (what each category's
queue and each window look like now) and carries out what it decides, so a
switch is like any other state change: a `tidal_switched` event in the
outcome (ledger entry with the window's before/after, `event/tidal` with the
voice notice, new retained window state). It also holds the admin's two
engine actions: switching a window by hand and pinning it.

The engine asks at two moments: every REVIEW_EVERY_S of hall time (the idle
windows may switch), and when a window is about to call its next ticket (that
window may switch, between two citizens). With `tidal.policy: rota` and a
forecast for the day, controller/rota.py decides instead, every
`tidal.rota.every_s`: its moves of idle windows are made at once, those of busy
ones wait in `TidalState.at_call` for the window's next call; the switch is the
same `switch` with the rota's reason attached. The policy's memory (since when
each queue has been long or short) lives in the engine and is not stored: after
a restart the clocks start again, which only delays the next switch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contract.errors import CommandError

from . import rota, tidal
from .model import AT_WINDOW

REVIEW_EVERY_S = 10.0


@dataclass
class TidalState:
    memory: tidal.Memory = field(default_factory=tidal.Memory)
    due: float = float("-inf")
    unmet: dict[str, float] = field(default_factory=dict)  # category -> predicted wait, none could take it
    rota_due: float = float("-inf")
    at_call: dict[int, rota.Move] = field(default_factory=dict)  # the rota's moves waiting for a busy window


def queues(engine, now: float) -> dict[str, tidal.Queue]:
    counts = {code: 0 for code in engine.config.categories}
    oldest = {code: now for code in engine.config.categories}
    for code, tickets in engine.waiting_in.items():
        if code in counts and tickets:
            issued = [t.issued_at for t in tickets.values() if t.target_window is None]
            counts[code], oldest[code] = len(issued), min(issued, default=now)
    open_windows = {code: 0 for code in engine.config.categories}
    for number, window in engine.windows.items():
        if window.staff_id and not window.paused and number in engine.config.windows:
            for code in engine.lists(number)[0]:
                if code in open_windows:
                    open_windows[code] += 1
    return {code: tidal.Queue(code, counts[code], now - oldest[code], engine.avg_service_s(code), open_windows[code])
            for code in engine.config.categories}


def policy_windows(engine) -> list[tidal.Window]:
    """The windows the policy may move: tidal-capable ones and any switched one (by hand too)."""
    out = []
    for number, window in sorted(engine.windows.items()):
        wcfg = engine.config.windows.get(number)
        if wcfg is None or not (wcfg.tidal_capable or window.tidal):
            continue
        out.append(tidal.Window(number, tuple(wcfg.primary), wcfg.tidal_capable, window.staff_id is not None,
                                window.paused, _busy(engine, window), window.tidal_pinned,
                                window.tidal_category if window.tidal else None, window.tidal_since))
    return out


def _busy(engine, window) -> bool:
    ticket = engine.tickets.get(window.current) if window.current else None
    return ticket is not None and ticket.status in AT_WINDOW


def review(engine, change, free: set[int] | None = None) -> None:
    """Run the policy and carry out its switches; `free` defaults to every window with no ticket at it."""
    config = engine.config
    state = engine.tidal_state
    if not (config.tidal.enabled and any(w.tidal_capable for w in config.windows.values())) and not any(
            w.tidal for w in engine.windows.values()):
        state.unmet = {}  # nothing can switch, nothing is switched: nothing to decide
        return
    all_windows = policy_windows(engine)
    if config.tidal.policy == "rota" and config.tidal.enabled:
        expected = engine.expected_today()
        if expected is not None:
            if free is None:  # the periodic review (the call moments are `at_call`'s)
                review_rota(engine, change, expected, all_windows)
            return
        state.at_call = {}  # no forecast for today: the thresholds decide (below)
    if free is None:
        free = {d.number for d in all_windows if not d.busy}
    rules = {code: config.tidal.rule(code) for code in config.categories}
    decision = tidal.decide(queues(engine, change.now), all_windows, rules.__getitem__,
                            sustain_s=config.tidal.sustain_s, min_hold_s=config.tidal.min_hold_s,
                            memory=state.memory, now=change.now, free=free)
    state.memory, state.unmet = decision.memory, decision.unmet
    for step in decision.switches:
        switch(engine, change, engine.windows[step.window], step.to, reason=step.reason, by="policy",
               category=step.category, predicted_wait_s=step.predicted_wait_s)


def needs(engine, expected, now: float) -> dict[str, rota.Need]:
    """Each category's next hour: the forecast's tickets and service time, the backlog and its open windows."""
    local = datetime.fromtimestamp(now, engine.tz)
    hour = local.hour + local.minute / 60 + local.second / 3600
    ahead = expected.between(hour, hour + 1)
    out = {}
    for code, queue in queues(engine, now).items():
        count, service_s = ahead.get(code, (0.0, queue.service_s))
        out[code] = rota.Need(code, count, service_s or queue.service_s, queue.waiting, queue.service_s,
                              queue.windows)
    return out


def review_rota(engine, change, expected, windows: list[tidal.Window]) -> None:
    """Every `tidal.rota.every_s`: plan from the forecast; free windows switch now, busy ones at their call."""
    config, state = engine.config.tidal, engine.tidal_state
    if change.now < state.rota_due and change.now >= state.rota_due - config.rota.every_s:
        return
    state.rota_due = change.now + config.rota.every_s
    knobs = config.rota
    plan = rota.plan(needs(engine, expected, change.now), windows,
                     rota.Rule(knobs.lend_below, knobs.need_above, knobs.return_below, knobs.min_hold_s),
                     enabled=lambda c: config.rule(c)["enabled"], max_windows=lambda c: config.rule(c)["max_windows"],
                     long_wait_s=lambda c: knobs.home_wait_s,
                     now=change.now, basis={"policy": "rota", "basis": expected.basis, "days": expected.days})
    state.unmet, state.at_call = plan.unmet, plan.at_call
    for move in plan.now:
        _rota_switch(engine, change, move)


def _rota_switch(engine, change, move: rota.Move) -> None:
    switch(engine, change, engine.windows[move.window], move.to, reason=move.reason, by="policy",
           category=move.category, rota=move.detail)


def at_call(engine, change, window) -> None:
    """A window is between two citizens: the moment it may switch (never under one).

    Only asks the policy when the last review saw a reason: a long queue held long
    enough (for a window at home), or its tidal queue short long enough (switched)."""
    wcfg = engine.config.windows.get(window.number)
    if wcfg is None or window.tidal_pinned or not (wcfg.tidal_capable or window.tidal):
        return
    move = engine.tidal_state.at_call.pop(window.number, None)
    if move is not None:  # the rota's move for this window, if it still fits the window
        tidal_cfg = engine.config.tidal
        if tidal_cfg.enabled and tidal_cfg.policy == "rota" and (window.tidal and move.to is None
                                                                  or not window.tidal and move.to):
            _rota_switch(engine, change, move)
        return
    if engine.config.tidal.policy == "rota" and engine.expected_today() is not None:
        return
    memory, sustain = engine.tidal_state.memory, engine.config.tidal.sustain_s

    def held(clock: dict, code) -> bool:
        return code in clock and change.now - clock[code] >= sustain

    if window.tidal:  # its tidal queue short, or its own long, for long enough
        reason = window.tidal_category not in engine.config.categories or held(
            memory.short_since, window.tidal_category) or any(held(memory.long_since, c) for c in wcfg.primary)
    else:  # some queue long for long enough, and this window's own ones short
        reason = any(held(memory.long_since, c) for c in memory.long_since) and all(
            code in memory.short_since for code in wcfg.primary)
    if reason:
        review(engine, change, free={window.number})


def switch(engine, change, window, to: str | None, *, reason: str, by: str, category: str,
           predicted_wait_s: float | None = None, rota: dict | None = None) -> None:
    """Put a window on `to` first (None: back to its own categories) and tell everyone; a rota move carries its
    reason (`rota`: the forecast's basis, the loads, expected tickets and backlog it decided on)."""
    before = window.row()
    window.tidal, window.tidal_category = to is not None, to
    window.tidal_since = change.now if to is not None else None
    primary, secondary = engine.lists(window.number)
    home = list(engine.config.windows[window.number].primary)
    names = {code: cat.name.model_dump() for code, cat in engine.config.categories.items()}
    # announced only where someone is there to serve (screens list only staffed tidal windows too)
    text = tidal.notice(window.number, primary if to is not None else home, names, back=to is None) \
        if window.staff_id is not None else None
    change.window("tidal_switched", window, before, to=to, category=category,
                  categories=list(primary), secondary=list(secondary), home=home, reason=reason, by=by,
                  pinned=window.tidal_pinned,
                  predicted_wait_s=None if predicted_wait_s is None else round(predicted_wait_s), text=text,
                  **({"rota": rota} if rota is not None else {}))


def go_home(window) -> None:
    """The day is over: every window starts the next one on its own categories, unpinned."""
    window.tidal, window.tidal_category, window.tidal_since, window.tidal_pinned = False, None, None, False


# --- admin actions (contract: tidal_switch, tidal_pin) ------------------------------------


def _target(engine, number: int):
    if number not in engine.windows or number not in engine.config.windows:
        raise CommandError("not_found", f"target_window: window {number} does not exist", f"没有{number}号窗口")
    return engine.windows[number]


def tidal_switch(engine, change, target_window, category=None, pin=True):
    """Switch a window by hand (to `category`, or back to its own with null); pinned unless pin=false."""
    window = _target(engine, target_window)
    if category is not None and category not in engine.config.categories:
        raise CommandError("not_found", f"category: no category {category!r}", f"没有业务类别 {category}")
    if category is None and not window.tidal:
        raise CommandError("invalid_state", f"window {target_window} already serves its own categories",
                           f"{target_window}号窗口已在办理本窗口业务")
    if category is not None and window.tidal and window.tidal_category == category:
        raise CommandError("invalid_state", f"window {target_window} already serves {category} first",
                           f"{target_window}号窗口已在办理该业务")
    if _busy(engine, window):
        raise CommandError("invalid_state", f"window {target_window} is serving a ticket: switch it after this "
                           "service", f"{target_window}号窗口正在办理业务，请办结后再切换")
    window.tidal_pinned = bool(pin)
    switch(engine, change, window, category, reason="by_hand", by=change.device,
           category=category or window.tidal_category)
    change.out.result = public(engine, window)


def tidal_pin(engine, change, target_window, pinned):
    """Pin a window as it is (switched or not) so the policy leaves it alone, or release it."""
    window = _target(engine, target_window)
    if window.tidal_pinned != pinned:
        before = window.row()
        window.tidal_pinned = pinned
        primary, secondary = engine.lists(window.number)
        change.window("tidal_pinned", window, before, to=window.tidal_category,
                      category=window.tidal_category, categories=list(primary), secondary=list(secondary),
                      home=list(engine.config.windows[window.number].primary), reason="by_hand", by=change.device,
                      pinned=pinned, predicted_wait_s=None, text=None)
    change.out.result = public(engine, window)


def public(engine, window) -> dict:
    primary, secondary = engine.lists(window.number)
    return {"window": window.number, "tidal": window.tidal, "pinned": window.tidal_pinned,
            "categories": list(primary), "secondary": list(secondary),
            "home": list(engine.config.windows[window.number].primary)}

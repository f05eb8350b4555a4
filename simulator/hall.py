"""One simulated hall: citizens and staff acting on the real engine, in simulated time.

Everything the hall decides is decided by the code that runs it for real:
`dispatch.handle` issues and calls tickets (with the tidal policy inside), the
Supervisor raises alerts, and the day's report is computed from the ledger the
outcomes make. Only the people are simulated:

- citizens arrive as a Poisson process per category with an hourly rate,
  some in the priority group; each brings a service time drawn for its
  category, and a few never come when called (recalled, then 过号) or need a
  second service in another category (transferred);
- staff log in at their shift, call the next ticket as soon as they are free,
  serve, and at the end of a shift serve whoever their window can still call
  before they log out.

The demand is drawn before the hall runs (`draw_demand`), so static, tidal and
pooled windows can be compared on exactly the same citizens.
"""
from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contract.privacy import hash_pin
from controller import alerts, dispatch, supervision
from controller.engine import Engine

PIN = "0000"
TICK_S = 15.0            # the engine's clock ticks at least this often (tidal reviews)
SUPERVISE_S = 60.0       # the Supervisor reviews this often (the service: every few seconds)


@dataclass(frozen=True)
class Citizen:
    at: float
    category: str
    group: str
    service_s: float
    no_show: bool = False
    walk_s: float = 0.0
    transfer_to: str | None = None
    second_service_s: float = 0.0


def _service(rng: random.Random, spec) -> float:
    if spec.dist == "fixed" or spec.cv == 0:
        return spec.mean_s
    if spec.dist == "exponential":
        return rng.expovariate(1 / spec.mean_s)
    sigma2 = math.log(1 + spec.cv ** 2)
    return rng.lognormvariate(math.log(spec.mean_s) - sigma2 / 2, math.sqrt(sigma2))


def next_day(day: str, n: int = 1) -> str:
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()


def day_start(day: str, timezone: str) -> float:
    return datetime.combine(date.fromisoformat(day), time(0), ZoneInfo(timezone)).timestamp()


def draw_demand(profile, config, day: str, rng: random.Random) -> list[Citizen]:
    """The day's citizens in arrival order: Poisson arrivals hour by hour, each with its needs."""
    midnight = day_start(day, config.timezone)
    behaviour, categories = profile.behaviour, sorted(config.categories)
    out = []
    for hour in sorted(profile.arrivals):
        start = midnight + int(hour) * 3600
        for code in sorted(profile.arrivals[hour]):
            rate = profile.arrivals[hour][code] / 3600
            t = start
            while rate > 0:
                t += rng.expovariate(rate)
                if t >= start + 3600:
                    break
                group = "priority" if rng.random() < behaviour.priority_share else "normal"
                others = [c for c in categories if c != code]
                transfer = rng.choice(others) if others and rng.random() < behaviour.transfer_share else None
                out.append(Citizen(
                    t, code, group, _service(rng, profile.service_of(config, code)),
                    no_show=rng.random() < behaviour.no_show_share,
                    walk_s=rng.expovariate(1 / behaviour.walk_s) if behaviour.walk_s else 0.0,
                    transfer_to=transfer,
                    second_service_s=_service(rng, profile.service_of(config, transfer)) if transfer else 0.0))
    out.sort(key=lambda c: c.at)
    return out


def sim_staff(config, windows) -> dict:
    """One simulated member of staff per staffed window, PIN 0000 (cheap to check)."""
    pin_hash = hash_pin(PIN, salt=b"simulate", iterations=1)
    return {f"sim-{n}": {"name": f"模拟{n}", "pin_hash": pin_hash, "windows": [n]} for n in windows}


@dataclass
class Window:
    """A staffed window of the simulated hall: its member of staff, their shifts, the ticket at it."""

    number: int
    staff_id: str
    shifts: list[tuple[float, float]]
    on: bool = False          # logged in
    idle_since: float | None = None
    ticket: str | None = None  # the number at the window
    ending: bool = False      # the shift is over: serve what is left, then log out


@dataclass
class SimResult:
    day: str
    issued: int = 0
    refused: int = 0
    ledger: list[dict] = field(default_factory=list)
    # category -> every wait in call order, on the citizens' own stopwatch: what checks the engine
    # against queueing theory one citizen at a time, also when no ledger is kept; the day's figures
    # are its ledger's (controller/figures.py), and agree with these
    waits: dict[str, list[float]] = field(default_factory=dict)
    end_at: float = 0.0


class HallSim:
    """Plays one or more days of citizens on one engine."""

    def __init__(self, config, profile, *, record: bool = True, supervise: bool = True, close_day: bool = True,
                 secret: bytes = b"sim"):
        self.config, self.profile = config, profile
        self.record, self.supervise, self.close_day = record, supervise and record, close_day
        self.secret = secret
        self.heap: list = []
        self.seq = 0
        self.future = 0  # arrivals and shift starts still to come
        self.ledger_seq = 0

    # --- the event queue ------------------------------------------------------------

    def at(self, when: float, kind: str, arg=None) -> None:
        self.seq += 1
        self.future += kind in ("arrive", "shift_start")
        heapq.heappush(self.heap, (when, self.seq, kind, arg))

    # --- running ------------------------------------------------------------------------

    def run_day(self, day: str, demand: list[Citizen], engine: Engine | None = None) -> tuple[SimResult, Engine]:
        config = self.config
        midnight = day_start(day, config.timezone)
        self.engine = engine or Engine(config, self.secret, midnight + config.day_rollover_hour * 3600 + 1)
        self.result = SimResult(day)
        self.citizens: dict[str, Citizen] = {}
        self.waiting_since: dict[str, float] = {}
        self.supervisor = alerts.Supervisor()
        self._review_due = float("-inf")
        staffed = self.profile.staff.windows or sorted(config.windows)
        self.windows = {}
        for number in staffed:
            shifts = [(midnight + _secs(a), midnight + _secs(b)) for a, b in self.profile.staff.shifts]
            self.windows[number] = Window(number, f"sim-{number}", shifts)
            self.at(shifts[0][0], "shift_start", number)
        for citizen in demand:
            self.at(citizen.at, "arrive", citizen)
        starts = [d.shifts[0][0] for d in self.windows.values()] + [c.at for c in demand[:1]]
        if self.supervise or any(w.tidal_capable for w in config.windows.values()):
            self.at(min(starts), "tick")  # periodic reviews; otherwise the commands' own ticks suffice
        self.last_event = min(starts)
        while self.heap:
            when, _, kind, arg = heapq.heappop(self.heap)
            self.future -= kind in ("arrive", "shift_start")
            if kind == "tick":
                if not (self.future or any(d.on for d in self.windows.values())):
                    continue  # nobody left to serve and nobody to come
                self.at(when + TICK_S, "tick")
            self.last_event = max(self.last_event, when)
            getattr(self, f"_{kind}")(when, arg)
        self.result.end_at = self.last_event
        if self.close_day:  # the day ends at the rollover hour: what is left expires, alerts close
            self._review_due = float("-inf")
            self._tick(day_start(next_day(day), config.timezone) + config.day_rollover_hour * 3600, None)
        return self.result, self.engine

    # --- handling one command ---------------------------------------------------------------

    def do(self, action: str, now: float, fields: dict, window: int | None = None, device: str | None = None,
           settle=None):
        """One command; `settle(out)` books what it made (a new citizen, a ticket waiting again) before a
        window the policy switched inside the same command is woken, since that window may call it at once."""
        device = device or (f"window-{window}" if window is not None else "kiosk-sim")
        out = dispatch.handle(self.engine, action, device, fields, now, window=window)
        self.keep(out, device, action)
        if settle is not None:
            settle(out)
        for event in out.events:  # a window switched by the policy may have tickets to call now
            if event.kind == "tidal_switched" and event.window != window:
                self._poke_window(event.window, now)
        return out

    def keep(self, out, device: str, action: str) -> None:
        if not self.record:
            return
        day = self.engine.day
        for event in out.events:
            self.ledger_seq += 1
            self.result.ledger.append({"seq": self.ledger_seq, "at": event.at, "day": day, "device": event.device,
                                       "request_id": None, "action": action, "kind": event.kind,
                                       "ticket_id": event.ticket_id, "window": event.window,
                                       "staff_id": event.staff_id, "before": event.before, "after": event.after,
                                       "data": event.data})

    # --- events ------------------------------------------------------------------------------

    def _tick(self, now: float, _) -> None:
        out = self.engine.tick(now)
        self.keep(out, "controller", "tick")
        for event in out.events:
            if event.kind == "tidal_switched":
                self._poke_window(event.window, now)
        if self.supervise and now >= getattr(self, "_review_due", 0):
            self._review_due = now + SUPERVISE_S
            view = alerts.hall_view(self.engine, now)
            changes = self.supervisor.review(supervision.findings(view, self.config.supervision), now,
                                             self.engine.day)
            for change, before, after in changes:
                self.keep(_Out([alerts.event(change, before, after, now)]), "controller", "supervision")

    def _arrive(self, now: float, citizen: Citizen) -> None:
        def settle(out) -> None:
            if out.error is None:
                number = out.result["ticket"]["number"]
                self.citizens[number], self.waiting_since[number] = citizen, now

        out = self.do("issue_ticket", now, {"category": citizen.category, "item": None, "group": citizen.group,
                                            "applicant": None, "lang": "zh"}, settle=settle)
        if out.error is not None:
            self.result.refused += 1
            return
        self.result.issued += 1
        self._poke(citizen.category, now)

    def _shift_start(self, now: float, number: int) -> None:
        window = self.windows[number]
        if window.on:
            window.ending = False
        else:
            out = self.do("login", now, {"staff_id": window.staff_id, "pin": PIN}, window=number)
            if out.error is not None:
                raise RuntimeError(f"simulated login at window {number} refused: {out.error}")
            window.on, window.ending, window.idle_since = True, False, now
        end = next(b for a, b in window.shifts if a <= now < b or a == now)
        self.at(end, "shift_end", number)
        if window.ticket is None:
            self._call(window, now)

    def _shift_end(self, now: float, number: int) -> None:
        window = self.windows[number]
        window.ending = True
        later = [a for a, _ in window.shifts if a > now]
        if later:
            self.at(later[0], "shift_start", number)
        if window.on and window.ticket is None:
            self._call(window, now)

    def _call(self, window: Window, now: float) -> None:
        """The window is free: call the next ticket (which finishes the one at the window)."""
        out = self.do("call_next", now, {}, window=window.number)
        if out.error is not None:
            window.ticket, window.idle_since = None, now
            if window.ending:
                self.do("logout", now, {}, window=window.number)
                window.on = False
            return
        number = out.result["ticket"]["number"]
        window.ticket, window.idle_since = number, None
        ticket, citizen = self.engine.by_number[number], self.citizens[number]
        self.result.waits.setdefault(ticket.category, []).append(now - self.waiting_since.pop(number))
        first = ticket.transfers == 0
        mine = (window.number, number)  # what happens next at this window is about this ticket only
        if citizen.no_show and first:
            self.at(now + self.profile.behaviour.recall_s, "recall", mine)
        elif citizen.walk_s:
            self.at(now + citizen.walk_s, "start", mine)
        else:
            self.at(now + (citizen.service_s if first else citizen.second_service_s), "done", mine)

    def _window(self, arg) -> Window | None:
        """The window of a (window, ticket) event, if that ticket is still the one at it."""
        number, ticket = arg
        window = self.windows[number]
        return window if window.ticket == ticket else None

    def _start(self, now: float, arg) -> None:
        if (window := self._window(arg)) is not None:
            self.do("start", now, {}, window=window.number)
            citizen, first = self.citizens[window.ticket], self.engine.by_number[window.ticket].transfers == 0
            self.at(now + (citizen.service_s if first else citizen.second_service_s), "done", arg)

    def _recall(self, now: float, arg) -> None:
        if (window := self._window(arg)) is None:
            return
        out = self.do("recall", now, {}, window=window.number)
        if out.error is None and not out.result["no_show"]:
            self.at(now + self.profile.behaviour.recall_s, "recall", arg)
            return
        window.ticket = None
        self._call(window, now)

    def _done(self, now: float, arg) -> None:
        if (window := self._window(arg)) is None:
            return
        citizen, ticket = self.citizens[window.ticket], self.engine.by_number[window.ticket]
        if citizen.transfer_to and ticket.transfers == 0:
            number = window.ticket

            def settle(_) -> None:
                self.waiting_since[number], window.ticket = now, None

            self.do("transfer", now, {"category": citizen.transfer_to, "to_window": None}, window=window.number,
                    settle=settle)
            self._call(window, now)
            self._poke(citizen.transfer_to, now)
            return
        self._call(window, now)

    # --- waking idle staff ------------------------------------------------------------------------

    def _poke(self, category: str, now: float) -> None:
        """Idle staff who serve this category call: those serving it first before those helping."""
        ranked = []
        for window in self.windows.values():
            if window.on and window.ticket is None and not self.engine.windows[window.number].paused:
                primary, secondary = self.engine.lists(window.number)
                rank = 0 if category in primary else 1 if category in secondary else None
                if rank is not None:
                    ranked.append((rank, window.idle_since or 0, window.number))
        for _, _, number in sorted(ranked):
            if not self.engine.waiting_in.get(category):
                break
            self._poke_window(number, now)  # still idle? a tidal switch on the way may have busied it

    def _poke_window(self, number: int, now: float) -> None:
        window = self.windows.get(number)
        if window is not None and window.on and window.ticket is None and not self.engine.windows[number].paused:
            self._call(window, now)


class _Out:
    """Just enough of an Outcome to keep alert events in the ledger."""

    def __init__(self, events):
        self.events = events


def _secs(hhmm: str) -> int:
    hour, minute = map(int, hhmm.split(":"))
    return hour * 3600 + minute * 60


def simulate(config, profile, day: str, *, seed: int | None = None, record: bool = True,
             supervise: bool = True, demand: list[Citizen] | None = None) -> SimResult:
    """One day of the hall (a config from `variants.hall_for`); the same seed or demand, the same citizens."""
    rng = random.Random(profile.seed if seed is None else seed)
    demand = draw_demand(profile, config, day, rng) if demand is None else demand
    result, _ = HallSim(config, profile, record=record, supervise=supervise).run_day(day, demand)
    return result



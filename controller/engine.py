"""The queue engine: the hall's state in memory, and what the actions change in it.

Pure: no SQLite, no MQTT, no clock. Time comes in as `now` (epoch seconds)
with every command and every tick, so the same commands always give the same
state; the store can rebuild the engine from its tables and tests can run
thousands of scenarios a second. The actions themselves are named in
controller/dispatch.py; the methods here are what they share.

Every handler validates before it mutates; a refusal raises CommandError and
leaves the state as it was. The one exception is `call_next` on an empty
queue, which still finishes the current ticket (docs/architecture.md, the
queue's rules) and reports `queue_empty` through `Outcome.error`.

Every call action first ends the window's current ticket (`before_call`),
the same for a keypad's 呼叫 and the caller app's button: served, because a
keypad has no start key and its clerk serves a called ticket without one —
unless the ticket was recalled up to `queue.max_calls` and never started or
rated, which is a no-show ("recall limit reached"), as one more 重呼 would
have made it: a citizen who never came is not counted as served.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections import deque
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from config.schema import ConfigError, HallConfig
from contract.calls import call_text
from contract.errors import CommandError

from . import alerts, calling, forecast, remote, tidal, tidal_windows
from .change import Change, Outcome, call_entry
from .figures import DayFigures
from .pins import PinGuard
from .model import (AT_WINDOW, CALLED, DONE, EXPIRED, HELD, NO_SHOW, RECALL_LIMIT, SERVING,
                    WAITING, Event, Session, Ticket, Window)


class Engine:
    def __init__(self, config: HallConfig, secret: bytes, now: float, *, tickets: Iterable[Ticket] = (),
                 windows: Iterable[Window] = (), sessions: Iterable[Session] = (),
                 recent: dict[str, list[float]] | None = None, calls: Iterable[dict] = (), next_seq: int = 1,
                 version: int = 1, open_alerts: Iterable[dict] = (), next_alert_id: int = 1):
        self.config = config
        self.version = version  # of the config, as stored in config_versions
        self.secret = secret
        self.tz = ZoneInfo(config.timezone)
        tickets, sessions = list(tickets), [s for s in sessions if s.logout_at is None]
        # The day the stored state belongs to: a restart after midnight-and-rollover
        # starts on that old day, so the first tick closes it like a running hall would.
        self.day = max([t.day for t in tickets] + [self.service_day(s.login_at) for s in sessions],
                       default=self.service_day(now))
        self.day = min(self.day, self.service_day(now))
        self.tickets: dict[str, Ticket] = {}
        self.waiting: dict[str, Ticket] = {}
        # the same tickets by category: a new ticket's place is counted in its own queue only
        self.waiting_in: dict[str, dict[str, Ticket]] = {}
        self.by_number: dict[str, Ticket] = {}
        self.by_token: dict[str, Ticket] = {}
        self.counters: dict[str, int] = {}
        self.next_seq = next_seq
        for ticket in sorted(tickets, key=calling.arrival):
            self.index(ticket)
        self.windows: dict[int, Window] = {n: Window(n) for n in config.windows}
        for window in windows:
            if window.number in self.windows:
                self.windows[window.number] = window
        self.sessions: dict[int, Session] = {s.window: s for s in sessions if s.window in self.windows}
        self.recent: dict[str, deque] = {}
        for code, durations in (recent or {}).items():
            self._recent(code).extend(durations)
        self.calls: deque[dict] = deque(calls, maxlen=config.queue.calls_shown)
        self.tidal_state = tidal_windows.TidalState()
        # what the hall expects (controller/forecast.py): the config's cold start until the service has learned
        # it from the store (controller/service.py, learn_forecast); None: nothing to go on
        self.forecast: forecast.Forecast | None = forecast.learn((), config) if config.forecast.enabled else None
        self._expected: tuple[str, forecast.Expected | None] | None = None
        self.supervisor = alerts.Supervisor(open_alerts, next_alert_id)  # 电子监察: the open alerts
        self.pins = PinGuard()  # PIN lock-outs (controller/pins.py); the service restores the stored ones
        self.settle_due = float("-inf")  # hall time of the next settling of 预约 no-shows (controller/appointments.py)
        self._day_span = (float("inf"), float("-inf"))  # [start, end) of self.day, once known
        # Today's figures, fed every event as it is made: every change to a ticket or a staff session
        # is made here, so they are the ledger's figures live (a restart replays the day's rows into them).
        self.figures = DayFigures(self.day)

    # --- bookkeeping -----------------------------------------------------------

    def service_day(self, now: float) -> str:
        local = datetime.fromtimestamp(now, self.tz) - timedelta(hours=self.config.day_rollover_hour)
        return local.date().isoformat()

    def index(self, ticket: Ticket) -> None:
        self.tickets[ticket.id] = ticket
        if ticket.day == self.day:
            self.by_number[ticket.number] = ticket
            self.by_token[ticket.rating_token] = ticket
            prefix, n = ticket.number[0], int(ticket.number[1:])
            self.counters[prefix] = max(self.counters.get(prefix, 0), n)
        self.next_seq = max(self.next_seq, ticket.seq + 1)
        if ticket.status == WAITING:
            self.waiting[ticket.id] = ticket
            self.waiting_in.setdefault(ticket.category, {})[ticket.id] = ticket
        else:
            self._stop_waiting(ticket)

    def _stop_waiting(self, ticket: Ticket) -> None:
        if self.waiting.pop(ticket.id, None) is not None:
            for queue in self.waiting_in.values():
                if queue.pop(ticket.id, None) is not None:
                    break

    def _recent(self, category: str) -> deque:
        if category not in self.recent:
            self.recent[category] = deque(maxlen=self.config.queue.recent_services)
        return self.recent[category]

    def avg_service_s(self, category: str) -> float:
        sample = self.recent.get(category)
        if sample:
            return sum(sample) / len(sample)
        return float(self.config.categories[category].default_service_s)

    def open_windows(self, category: str) -> list[int]:
        """Staffed, unpaused windows that serve this category as primary (tidal switches included)."""
        windows = self.config.windows
        return [n for n, w in sorted(self.windows.items()) if w.staff_id and not w.paused and n in windows
                and category in ((w.tidal_category,) if w.tidal else windows[n].primary)]

    def lists(self, number: int) -> tuple[tuple, tuple]:
        """(primary, secondary) categories a window serves now: its config's, or as a tidal switch put them;
        a home-first window (`HallConfig.helps_others`) helps every other category after its own."""
        wcfg, window = self.config.windows[number], self.windows.get(number)
        if window is None or not window.tidal:
            primary, secondary = tuple(wcfg.primary), tuple(wcfg.secondary)
        else:
            primary, secondary = tidal.serves(wcfg.primary, wcfg.secondary, window.tidal_category)
        if self.config.helps_others(number):  # home-first: then every other category, in the hall's order
            secondary = (*secondary, *self.config.others_of((*primary, *secondary)))
        return primary, secondary

    def expected_today(self) -> forecast.Expected | None:
        """Today's forecast (its profile by category and hour), once per day and forecast."""
        key = (self.day, id(self.forecast))
        if self._expected is None or self._expected[0] != key:
            today = self.forecast.for_day(self.day, self.config.calendar) if self.forecast else None
            self._expected = (key, today)
        return self._expected[1]

    def ticketing_open(self, now: float) -> bool:
        """Inside the hall's ticketing hours (all day when it lists none)."""
        spans = self.config.ticketing_hours
        if not spans:
            return True
        hhmm = datetime.fromtimestamp(now, self.tz).strftime("%H:%M")
        return any(start <= hhmm < end for start, end in spans)

    def est_wait_s(self, category: str, ahead: int) -> int:
        return round(ahead * self.avg_service_s(category) / max(1, len(self.open_windows(category))))

    def ahead_of(self, ticket: Ticket) -> int:
        """Waiting tickets of the same category likely to be called first."""
        mine = calling.arrival(ticket)

        def before(t: Ticket) -> bool:
            if ticket.is_priority:
                return t.is_priority and calling.arrival(t) < mine
            return t.is_priority or calling.arrival(t) < mine

        return sum(1 for t in self.waiting_in.get(ticket.category, {}).values()
                   if t.id != ticket.id and t.target_window is None and before(t))

    def remember_call(self, ticket: Ticket, at: float) -> None:
        """The hall screen's list: the latest calls, newest last, one entry per ticket."""
        for entry in self.calls:
            if entry["ticket_id"] == ticket.id:
                self.calls.remove(entry)
                break
        self.calls.append(call_entry(ticket.row(), at))

    def rating_token(self, ticket_id: str) -> str:
        digest = hmac.new(self.secret, ticket_id.encode(), hashlib.sha256).digest()
        return base64.b32encode(digest[:10]).decode().rstrip("=")

    # --- entry points ----------------------------------------------------------

    def tick(self, now: float) -> Outcome:
        """Time passing, once per batch of commands (they all share its `now`): the day rolls over
        at the configured hour, and every few seconds the tidal policy looks at the queues
        (controller/tidal_windows.py)."""
        change = Change(now, "controller")
        if not self._day_span[0] <= now < self._day_span[1]:
            day = self.service_day(now)
            if day != self.day:
                self._close_day(change, day)
            self._day_span = self._span(day)
        out = self.tally(change.close(self.windows))
        if self.figures.day != self.day:  # the closing went into the old day's figures
            self.figures = DayFigures(self.day)
        state = self.tidal_state
        if now >= state.due or now < state.due - tidal_windows.REVIEW_EVERY_S:
            state.due = now + tidal_windows.REVIEW_EVERY_S
            policy = Change(now, "controller")
            tidal_windows.review(self, policy)
            out.merge(self.tally(policy.close(self.windows)))
        return out

    def tally(self, out: Outcome) -> Outcome:
        """Feed an outcome's events to today's figures (every outcome passes here: ticks and commands)."""
        for event in out.events:
            self.figures.add(vars(event))
        return out

    def _span(self, day: str) -> tuple[float, float]:
        """[start, end) of a service day in epoch seconds, so most ticks need no date arithmetic."""
        first, hour = date.fromisoformat(day), time(self.config.day_rollover_hour)
        return (datetime.combine(first, hour, self.tz).timestamp(),
                datetime.combine(first + timedelta(days=1), hour, self.tz).timestamp())

    def _close_day(self, change: Change, day: str) -> None:
        closed = {"expired": 0, "finished": 0}
        for ticket in list(self.tickets.values()):
            if ticket.status in (WAITING, HELD, NO_SHOW, CALLED, SERVING):
                before = ticket.row()
                if ticket.status in AT_WINDOW:
                    ticket.status, ticket.finished_at = DONE, change.now
                    closed["finished"] += 1
                else:
                    ticket.status = EXPIRED
                    closed["expired"] += 1
                change.ticket("ticket_closed_by_day_end", ticket, before)
        for window in self.windows.values():
            if window.staff_id or window.current or window.paused or window.priority_streak or window.tidal \
                    or window.tidal_pinned:
                before = window.row()
                if window.staff_id:
                    self.end_session(change, window)
                window.current = window.last_served = None
                window.paused, window.pause_reason, window.paused_at = False, None, None
                window.priority_streak = 0
                tidal_windows.go_home(window)
                change.window("window_closed_by_day_end", window, before)
        self.tidal_state.at_call = {}  # the rota's moves waiting for a call belonged to the old day
        old_day = self.day
        self.day = day
        self.tickets, self.waiting, self.waiting_in, self.by_number, self.by_token = {}, {}, {}, {}, {}
        self.counters = {}
        self.calls.clear()
        change.out.events.append(Event("day_rollover", change.now, change.device,
                                       data={"closed_day": old_day, "new_day": day, **closed}))

    # --- config ----------------------------------------------------------------

    def check_config(self, new: HallConfig) -> None:
        """Refuse a config that would strand live state (ConfigError names the key)."""
        for number, window in self.windows.items():
            if number not in new.windows and (window.staff_id or window.current):
                raise ConfigError(f"windows.{number}", "window is open; log its staff out before removing it")
        live = {t.category for t in self.tickets.values() if t.status in (WAITING, CALLED, SERVING, HELD, NO_SHOW)}
        for code in live - set(new.categories):
            raise ConfigError(f"categories.{code}", "category has tickets today; it can be removed after the day ends")
        for window in self.windows.values():
            if window.staff_id and window.staff_id not in new.staff:
                raise ConfigError(f"staff.{window.staff_id}", "staff member is logged in; log out first")
        if new.timezone != self.config.timezone or new.day_rollover_hour != self.config.day_rollover_hour:
            if self.tickets:
                raise ConfigError("timezone" if new.timezone != self.config.timezone else "day_rollover_hour",
                                  "can only change before the first ticket of the day")
        for code, category in new.categories.items():
            old = self.config.categories.get(code)
            if old and old.prefix != category.prefix and any(t.category == code for t in self.tickets.values()):
                raise ConfigError(f"categories.{code}.prefix", "prefix is in use today; change it after the day ends")

    def replace_config(self, new: HallConfig) -> int:
        """Swap in a checked config; returns its version."""
        self.check_config(new)
        self.config = new
        self.version += 1
        self.tz = ZoneInfo(new.timezone)
        self._day_span = (float("inf"), float("-inf"))
        for number in new.windows:
            self.windows.setdefault(number, Window(number))
        for number in [n for n in self.windows if n not in new.windows]:
            del self.windows[number]
        for code, sample in self.recent.items():
            self.recent[code] = deque(sample, maxlen=new.queue.recent_services)
        self.calls = deque(self.calls, maxlen=new.queue.calls_shown)
        return self.version

    # --- helpers for window actions --------------------------------------------

    def window(self, number: int) -> Window:
        if number not in self.windows:
            raise CommandError("not_found", f"window {number} does not exist", f"没有{number}号窗口")
        return self.windows[number]

    def require_staff(self, window: Window) -> None:
        if window.staff_id is None:
            raise CommandError("closed", f"window {window.number} is closed: log in first", "窗口未登录，请先登录")

    def current_ticket(self, window: Window, statuses=AT_WINDOW) -> Ticket:
        self.require_staff(window)
        ticket = self.tickets.get(window.current) if window.current else None
        if ticket is None or ticket.status not in statuses:
            raise CommandError("invalid_state", "no ticket at this window", "当前没有正在呼叫或办理的号码")
        return ticket

    def finish(self, change: Change, window: Window, ticket: Ticket, outcome: str = "accepted",
               detail: dict | None = None) -> None:
        """办结: the outcome is in the ledger (`ticket_finished`'s data), with a 补正's materials or a
        refusal's reasons in `detail`; a ticket ended by the next call is accepted."""
        before = ticket.row()
        if ticket.started_at is None:
            ticket.started_at = ticket.called_at
        ticket.status, ticket.finished_at = DONE, change.now
        service_s = max(0.0, ticket.finished_at - ticket.started_at)
        self._recent(ticket.category).append(service_s)
        window.current, window.last_served = None, ticket.id
        change.ticket("ticket_finished", ticket, before, service_s=service_s, outcome=outcome, **(detail or {}))

    def no_show(self, change: Change, window: Window, ticket: Ticket, reason: str) -> None:
        before = ticket.row()
        ticket.status = NO_SHOW
        window.current = None
        change.ticket("ticket_no_show", ticket, before, reason=reason)
        if ticket.channel == "remote":  # counted against the phone (the no-show bar of remote tickets)
            remote.missed(self, change, ticket)

    def call(self, change: Change, window: Window, ticket: Ticket, how: str) -> None:
        before = ticket.row()
        ticket.status, ticket.window, ticket.target_window = CALLED, window.number, None
        ticket.staff_id = window.staff_id
        ticket.called_at = ticket.last_called_at = change.now
        ticket.started_at = ticket.finished_at = None
        ticket.times_called = 1
        self._stop_waiting(ticket)
        window.current, window.last_call_at = ticket.id, change.now
        if how == "call_next":
            ahead = ticket.is_priority or calling.booked(ticket, change.now)  # both count towards the ratio
            window.priority_streak = window.priority_streak + 1 if ahead else 0
        self.remember_call(ticket, change.now)
        change.ticket("ticket_called", ticket, before, how=how, text=call_text(ticket.number, window.number))
        change.out.result = {"ticket": self.public_ticket(ticket)}

    def end_session(self, change: Change, window: Window) -> None:
        session = self.sessions.pop(window.number, None)
        if session is not None:
            session.logout_at = change.now
            change.session(session)
        window.staff_id = window.login_at = None

    def ticket_by_number(self, number: str) -> Ticket:
        ticket = self.by_number.get(number)
        if ticket is None:
            raise CommandError("not_found", f"no ticket {number} today", f"今天没有{number}号")
        return ticket

    def before_call(self, change: Change, window: Window) -> None:
        """Every call action first ends whatever the window is doing (the rule is in the module docstring)."""
        self.require_staff(window)
        if window.paused:
            raise CommandError("invalid_state", "window is paused: resume first", "窗口已暂停，请先恢复")
        if window.current:
            current = self.tickets.get(window.current)
            if current is not None and current.status in AT_WINDOW:
                if self._recalled_in_vain(current):
                    self.no_show(change, window, current, RECALL_LIMIT)
                else:
                    self.finish(change, window, current)
            window.current = None
        tidal_windows.at_call(self, change, window)

    def _recalled_in_vain(self, ticket: Ticket) -> bool:
        """Called as often as the hall allows, recalled at least once, and nobody started or rated it."""
        return (ticket.status == CALLED and ticket.rating_level is None
                and ticket.times_called >= max(2, self.config.queue.max_calls))

    def public_ticket(self, ticket: Ticket) -> dict[str, Any]:
        ahead = self.ahead_of(ticket) if ticket.status == WAITING else 0
        return {"id": ticket.id, "number": ticket.number, "category": ticket.category, "item": ticket.item,
                "group": ticket.group, "status": ticket.status, "window": ticket.window,
                "issued_at": ticket.issued_at, "ahead": ahead,
                "est_wait_s": self.est_wait_s(ticket.category, ahead) if ticket.status == WAITING else 0,
                "rating_token": ticket.rating_token, "times_called": ticket.times_called}

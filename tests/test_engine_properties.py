"""Property tests of the queue engine: random halls, checked after every step.

Random interleavings of kiosk tickets and window actions across five windows,
with the clock moving on by random steps (sometimes not at all, as inside one
batch, and sometimes past the day's rollover hour). The engine must keep its
invariants after every command, keep the priority ratio, and an engine
rebuilt from the rows it handed out must be the same engine.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from config.schema import validate
from contract.messages import ACTIONS
from contract.privacy import hash_pin
from controller import appointments, calling, dispatch
from controller.change import latest_calls
from controller.engine import Engine
from controller.model import AT_WINDOW, Session, Ticket, Window

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 3, 5, 8, 0, tzinfo=TZ).timestamp()
SECRET = b"property-secret"
PIN = "1234"
# Few PBKDF2 rounds: the same check_pin path, fast enough for thousands of logins.
PIN_HASH = hash_pin(PIN, salt=b"fixedsal", iterations=1)
STATUSES = {"waiting", "called", "serving", "held", "no_show", "done", "expired"}
LIVE = ("waiting", "called", "serving", "held", "no_show")

# No shrinking: a failure reports its example as found, and the assertion carries the
# readable trace of the last commands (shrinking these scripts can take minutes).
SETTINGS = settings(max_examples=200, derandomize=True, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _text(s: str) -> dict:
    return {"zh": s, "en": s}


def make_config(priority_ratio: int = 2, max_wait_s: int = 1800, g_cap: int = 12):
    return validate({
        "hall": "proptest", "name": _text("property hall"), "timezone": "Asia/Shanghai",
        "day_rollover_hour": 3, "ticketing_hours": [],
        "queue": {"max_calls": 3, "priority_ratio": priority_ratio, "max_wait_s": max_wait_s,
                  "recent_services": 5, "calls_shown": 6},
        "categories": {
            "A": {"name": _text("A"), "prefix": "A", "default_service_s": 300},
            "B": {"name": _text("B"), "prefix": "B", "default_service_s": 600},
            "G": {"name": _text("G"), "prefix": "G", "allow_green": False, "daily_cap": g_cap},
        },
        "windows": {
            1: {"primary": ["A"]},
            2: {"primary": ["A"], "secondary": ["B"]},
            3: {"primary": ["B"], "secondary": ["A"]},
            4: {"primary": ["G"], "green_channel": True},
            5: {"primary": ["B", "G"], "secondary": ["A"]},
        },
        "staff": {
            "s1": {"name": "王丽华", "pin_hash": PIN_HASH},
            "s2": {"name": "陈建国", "pin_hash": PIN_HASH, "windows": [1, 2]},
            "s3": {"name": "刘晓燕", "pin_hash": PIN_HASH, "windows": [3, 4, 5]},
            "s4": {"name": "张伟明", "pin_hash": PIN_HASH},
            "s5": {"name": "赵静怡", "pin_hash": PIN_HASH, "windows": [1, 5]},
        },
    })


CONFIG = make_config()
WINDOWS = sorted(CONFIG.windows)
STAFF = sorted(CONFIG.staff)


def command_fields(action: str, fields: dict) -> dict:
    model = ACTIONS[action][1]
    return model.model_validate({"id": "req", **fields}).model_dump(exclude={"id", "window", "user"})


# --- the random script ----------------------------------------------------------------------------

ALL_ACTIONS = (["issue_ticket"] * 6 + ["call_next"] * 5 + ["login"] * 3 + ["finish"] * 2 + ["recall"] * 2
               + ["call_back"] * 2 + ["start", "no_show", "hold", "call_specific", "transfer", "pause", "resume",
                                      "logout", "invite_rating"])
RATIO_ACTIONS = (["issue_ticket"] * 7 + ["call_next"] * 3 + ["serve"] * 3 + ["finish"]
                 + ["start", "recall", "no_show", "hold", "call_back", "call_specific", "pause", "resume"])
# Seconds between commands: often none (one batch shares its `now`), now and then past the rollover hour.
STEPS_S = [0] * 6 + [1, 2, 5, 10, 20, 45, 60, 120, 240, 400, 600, 900, 1500] + [9 * 3600]

op = st.tuples(
    st.sampled_from(ALL_ACTIONS),
    st.sampled_from(WINDOWS),
    st.sampled_from(["A", "A", "B", "G"]),
    st.sampled_from(["normal", "normal", "priority", "green"]),
    st.sampled_from(STAFF),
    st.integers(0, 1000),
    st.sampled_from(STEPS_S),
)


def _numbers(engine: Engine, statuses) -> list[str]:
    return sorted(t.number for t in engine.by_number.values() if t.status in statuses)


NEEDS_CURRENT = ("recall", "no_show", "hold", "start", "finish", "transfer")


def to_command(engine: Engine, step) -> tuple[str, int | None, dict]:
    """(action, window, fields) of one random step, mostly aimed at something the engine can do now."""
    action, window, category, group, staff, pick, _ = step
    if action == "issue_ticket":
        if pick % 9 == 0:                # an appointment checked in, now and then one that already was
            return "check_in", None, {"appointment_code": f"YY{engine.next_seq:05d}" if pick % 2 else f"YY{pick % 4:04d}"}
        return action, None, {"category": category, "group": group}
    aim = pick % 5 != 0                  # one step in five goes to the random window as drawn
    if aim and action != "login" and not any(w.staff_id for w in engine.windows.values()):
        action = "login"                 # a hall with nobody logged in (after the day ended) opens again
    if action == "login":
        closed = [n for n, w in sorted(engine.windows.items()) if not w.staff_id]
        if aim and closed and pick % 3:
            window = closed[pick % len(closed)]
        allowed = [sid for sid in STAFF if not engine.config.staff[sid].windows
                   or window in engine.config.staff[sid].windows]
        if aim:
            staff = allowed[pick % len(allowed)]
        return action, window, {"staff_id": staff, "pin": PIN if pick % 13 else "0000"}
    if aim:
        busy = [n for n, w in sorted(engine.windows.items()) if w.current]
        staffed = [n for n, w in sorted(engine.windows.items()) if w.staff_id]
        idle = [n for n in staffed if n not in busy]
        targets = busy if action in NEEDS_CURRENT and busy else idle if action == "logout" and idle else staffed
        if targets:
            window = targets[(pick // 5) % len(targets)]
    if action in ("call_back", "call_specific"):
        wanted = ("held", "no_show") if action == "call_back" else ("waiting",)
        candidates = _numbers(engine, wanted) if aim else sorted(engine.by_number)
        return action, window, {"number": candidates[pick % len(candidates)] if candidates else "A999"}
    if action == "transfer":
        if pick % 3 == 0:
            return action, window, {"to_window": WINDOWS[pick % len(WINDOWS)]}
        return action, window, {"category": category}
    if action == "pause":
        return action, window, {"reason": "break"}
    return action, window, {}


class Bookings:
    """The stored bookings as `change.stored` gives them: every code is a booking of A due all the run,
    and a check-in is kept, so a code checks in once."""

    def __init__(self):
        self.rows: dict[str, dict] = {}

    def get(self, table: str, key) -> dict | None:
        if table != "appointments":
            return None
        return self.rows.get(key) or appointments.booking(key, "A", None, T0 - 86400, T0 + 30 * 86400, None, None, T0)

    def add(self, out) -> None:
        self.rows.update(out.rows.get("appointments", {}))


class Run:
    """An engine, its clock, and what the store would hold of its outcomes."""

    def __init__(self, config=CONFIG, now: float = T0):
        self.config = config
        self.now = now
        self.engine = Engine(config, SECRET, now)
        self.tickets: dict[str, dict] = {}
        self.windows: dict[int, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.calls: list[tuple[str, object]] = []
        self.issued: dict[str, set[str]] = {}          # day -> ticket ids issued that day
        self.trace: list[str] = []
        self.bookings = Bookings()

    def do(self, action: str, window: int | None, fields: dict):
        device = f"window-{window}" if window is not None else "kiosk-K1"
        out = dispatch.handle(self.engine, action, device, command_fields(action, fields), self.now, window=window,
                              stored=self.bookings)
        self.bookings.add(out)
        self.tickets.update(out.tickets)
        self.windows.update(out.windows)
        self.sessions.update(out.sessions)
        self.calls += [(self.engine.day, ev) for ev in out.events if ev.kind in ("ticket_called", "ticket_recalled")]
        if action in ("issue_ticket", "check_in") and out.error is None:
            self.issued.setdefault(self.engine.day, set()).add(out.result["ticket"]["id"])
        ticket = out.result.get("ticket") or {}
        said = out.error.code if out.error else f"ok {ticket.get('number', '')} {ticket.get('group', '')}".strip()
        self.trace.append(f"{self.now - T0:>8.0f}s {device:<9} {action} {fields or ''} -> {said}")
        return out

    def tail(self, n: int = 25, window: int | None = None) -> str:
        lines = [line for line in self.trace if window is None or f" window-{window} " in line]
        return "\n" + "\n".join(lines[-n:])

    def recent_calls(self, day: str, limit: int) -> list[dict]:
        return latest_calls(((ev.after, ev.at) for ev_day, ev in reversed(self.calls) if ev_day == day), limit)

    def reload(self) -> Engine:
        """The engine as `controller.service.load_engine` rebuilds it from the stored rows."""
        day = Engine(self.config, b"", self.now).day
        return Engine(self.config, SECRET, self.now,
                      tickets=[Ticket(**r) for r in self.tickets.values() if r["day"] == day or r["status"] in LIVE],
                      windows=[Window(**r) for r in self.windows.values()],
                      sessions=[Session(**{k: v for k, v in r.items() if k != "key"})
                                for r in self.sessions.values() if r["logout_at"] is None],
                      recent={c: list(d) for c, d in self.engine.recent.items()},
                      calls=self.recent_calls(day, self.config.queue.calls_shown),
                      next_seq=max((r["seq"] for r in self.tickets.values()), default=0) + 1)


def fast_state(engine: Engine) -> tuple:
    """A cheap copy of everything a command may change."""
    return ({i: dict(vars(t)) for i, t in engine.tickets.items()},
            {n: dict(vars(w)) for n, w in engine.windows.items()},
            {n: dict(vars(s)) for n, s in engine.sessions.items()},
            list(engine.waiting), dict(engine.counters), engine.next_seq, [dict(c) for c in engine.calls],
            {c: list(d) for c, d in engine.recent.items()}, engine.day)


def check_invariants(run: Run, out, before_ids: set[str], before_day: str) -> None:
    e = run.engine
    tickets, windows = e.tickets, e.windows
    # Each ticket has exactly one known status, and today's numbers are unique and indexed.
    assert all(t.status in STATUSES for t in tickets.values())
    today = [t for t in tickets.values() if t.day == e.day]
    assert len({t.number for t in today}) == len(today)
    assert {n: t.id for n, t in e.by_number.items()} == {t.number: t.id for t in today}
    for t in today:
        prefix = run.config.categories[t.origin_category].prefix
        assert t.number[0] == prefix and t.id == f"{t.day}-{t.number}"
    # Nothing issued today is lost, and within a day the set of tickets never shrinks.
    assert run.issued.get(e.day, set()) <= set(tickets)
    if e.day == before_day:
        assert before_ids <= set(tickets)
    else:
        assert all(t.day == e.day for t in tickets.values())
        assert any(ev.kind == "day_rollover" for ev in out.events)
    # The waiting index is exactly the waiting tickets.
    assert set(e.waiting) == {i for i, t in tickets.items() if t.status == "waiting"}
    assert all(e.waiting[i] is tickets[i] for i in e.waiting)
    assert {(c, i) for c, queue in e.waiting_in.items() for i in queue} == {(t.category, i) for i, t in e.waiting.items()}
    # Two windows never hold the same ticket; called/serving tickets are held by their window.
    currents = [w.current for w in windows.values() if w.current is not None]
    assert len(currents) == len(set(currents))
    for t in tickets.values():
        if t.status in AT_WINDOW:
            assert t.window is not None and windows[t.window].current == t.id, (t.number, t.status, t.window)
    for n, w in windows.items():
        if w.current is not None:
            t = tickets[w.current]
            assert t.status in AT_WINDOW and t.window == n
            assert w.staff_id is not None
        if w.paused:
            assert w.staff_id is not None and w.current is None
    # Staff: one open session per staffed window, and a person at one window at most.
    assert {n: s.staff_id for n, s in e.sessions.items()} == {n: w.staff_id for n, w in windows.items() if w.staff_id}
    staffed = [w.staff_id for w in windows.values() if w.staff_id]
    assert len(staffed) == len(set(staffed))
    # The outcome is the change: every event at `now`, every row handed out is the state now.
    assert all(ev.at == run.now for ev in out.events)
    for tid, row in out.tickets.items():
        if tid in tickets:
            assert row == tickets[tid].row()
    for n, row in out.windows.items():
        assert row == windows[n].row()


def _open_hall(run: Run) -> None:
    for window, staff in ((1, "s2"), (3, "s3"), (4, "s1")):
        assert run.do("login", window, {"staff_id": staff, "pin": PIN}).error is None


@SETTINGS
@given(st.lists(op, min_size=20, max_size=80))
def test_invariants_hold_after_every_step(steps):
    run = Run()
    _open_hall(run)
    for step in steps:
        action, window, fields = to_command(run.engine, step)
        before_ids, before_day = set(run.engine.tickets), run.engine.day
        before = fast_state(run.engine)
        run.now += step[-1]
        rolls = run.engine.service_day(run.now) != before_day
        out = run.do(action, window, fields)
        try:
            check_invariants(run, out, before_ids, before_day)
        except AssertionError as exc:
            raise AssertionError(f"{exc}{run.tail()}") from exc
        if out.error is not None and out.error.code != "queue_empty" and not rolls:
            # a refused command changes nothing and reports nothing
            assert fast_state(run.engine) == before, f"refused {out.error.code} but changed state" + run.tail()
            assert out.events == [] and out.tickets == {} and out.windows == {} and out.sessions == {}
        if out.error is None and action in ("issue_ticket", "check_in"):
            t = run.engine.tickets[out.result["ticket"]["id"]]
            assert t.status == "waiting" and t.issued_at == run.now


def _login_everyone(run: Run) -> None:
    for window, staff in ((1, "s1"), (2, "s2"), (3, "s3"), (4, "s4"), (5, "s5")):
        assert run.do("login", window, {"staff_id": staff, "pin": PIN}).error is None


ratio_op = st.tuples(
    st.sampled_from(RATIO_ACTIONS),
    st.sampled_from(WINDOWS),
    st.sampled_from(["A", "A", "B", "G"]),
    st.sampled_from(["normal", "priority", "priority", "green"]),
    st.sampled_from(STAFF),
    st.integers(0, 1000),
    st.sampled_from([0, 0, 1, 10, 60, 300]),
)
RATIO_CONFIGS = {ratio: make_config(priority_ratio=ratio, max_wait_s=86400, g_cap=999) for ratio in (1, 2, 3)}


def _ratio_commands(engine: Engine, step) -> list[tuple[str, int | None, dict]]:
    """The commands of one step: `serve` calls and finishes, `relog` logs the window's staff out and in."""
    action, window, pick = step[0], step[1], step[5]
    if action == "serve":
        return [("call_next", window, {}), ("finish", window, {})]
    if action == "relog":
        allowed = [sid for sid in STAFF if not engine.config.staff[sid].windows
                   or window in engine.config.staff[sid].windows]
        staff = engine.windows[window].staff_id or allowed[pick % len(allowed)]
        return [("logout", window, {}), ("login", window, {"staff_id": staff, "pin": PIN})]
    action, window, fields = to_command(engine, step)
    if action == "check_in":                               # no appointments: they go first by rule
        action, fields = "issue_ticket", {"category": step[2], "group": step[3]}
    if action == "login":
        fields["pin"] = PIN
    return [(action, window, fields)]


def _check_ratio(steps, ratio: int) -> None:
    run = Run(RATIO_CONFIGS[ratio])
    _login_everyone(run)
    in_a_row = {n: 0 for n in WINDOWS}    # priority calls by call_next in a row while a normal ticket was in the pool
    for step in steps:
        run.now += step[-1]
        for action, window, fields in _ratio_commands(run.engine, step):
            wcfg = run.config.windows.get(window)
            waiting = run.engine.waiting.values()
            pool = calling.pool_for(window, wcfg.primary, wcfg.secondary, wcfg.green_channel, waiting) if wcfg else []
            priority = [t for t in pool if t.is_priority]
            normal = [t for t in pool if not t.is_priority]
            out = run.do(action, window, fields)
            assert run.engine.day == "2024-03-05"                # one day, far from the aging limit
            if action != "call_next" or out.error is not None:
                continue
            called = run.engine.tickets[out.result["ticket"]["id"]]
            # whoever is called is the first of its group in this window's pool
            first = min(priority if called.is_priority else normal, key=calling.arrival)
            assert called.id == first.id, f"called {called.number}, not {first.number}" + run.tail()
            if not called.is_priority:
                in_a_row[window] = 0
            elif normal:
                in_a_row[window] += 1
                assert in_a_row[window] <= ratio, (
                    f"window {window}: {in_a_row[window]} priority calls in a row (ratio {ratio}) while "
                    f"{[t.number for t in normal]} waited; this window's commands:" + run.tail(window=window))


@SETTINGS
@given(st.lists(ratio_op, min_size=20, max_size=100), st.sampled_from([1, 2, 3]))
def test_priority_never_more_than_ratio_in_a_row_while_normal_waits(steps, ratio):
    _check_ratio(steps, ratio)


ratio_staff_op = st.tuples(
    st.sampled_from(RATIO_ACTIONS + ["relog"] * 2 + ["logout", "login"]),
    st.sampled_from(WINDOWS),
    st.sampled_from(["A", "A", "B", "G"]),
    st.sampled_from(["normal", "priority", "priority", "green"]),
    st.sampled_from(STAFF),
    st.integers(0, 1000),
    st.sampled_from([0, 0, 1, 10, 60, 300]),
)


@SETTINGS
@given(st.lists(ratio_staff_op, min_size=20, max_size=100), st.sampled_from([1, 2, 3]))
def test_priority_ratio_per_window_across_staff_changes(steps, ratio):
    """The ratio is about the window's calls: a logout and login at the window does not reset it."""
    _check_ratio(steps, ratio)


def assert_same_state(again: Engine, live: Engine, run: Run) -> None:
    assert again.day == live.day, run.tail()
    assert {i: t.row() for i, t in again.tickets.items()} == {i: t.row() for i, t in live.tickets.items()}, run.tail()
    assert {n: w.row() for n, w in again.windows.items()} == {n: w.row() for n, w in live.windows.items()}, run.tail()
    assert {n: s.row() for n, s in again.sessions.items()} == {n: s.row() for n, s in live.sessions.items()}
    assert set(again.waiting) == set(live.waiting), run.tail()
    assert set(again.by_number) == set(live.by_number)
    assert (again.counters, again.next_seq) == (live.counters, live.next_seq), run.tail()


@SETTINGS
@given(st.lists(op, min_size=20, max_size=80))
def test_engine_rebuilt_from_its_rows_is_the_same(steps):
    run = Run()
    _open_hall(run)
    for index, step in enumerate(steps):
        action, window, fields = to_command(run.engine, step)
        run.now += step[-1]
        run.do(action, window, fields)
        if index % 7 == 3:
            assert_same_state(run.reload(), run.engine, run)
    live = run.engine
    again = run.reload()
    assert_same_state(again, live, run)
    live_calls, again_calls = list(live.calls), list(again.calls)
    # the rebuilt engine behaves the same: the next ticket of each category, the next call of each window
    for category in sorted(run.config.categories):
        a = dispatch.handle(live, "issue_ticket", "kiosk-K1", command_fields("issue_ticket", {"category": category}), run.now)
        b = dispatch.handle(again, "issue_ticket", "kiosk-K1", command_fields("issue_ticket", {"category": category}), run.now)
        assert (a.error and a.error.code, a.result) == (b.error and b.error.code, b.result)
    for n in WINDOWS:
        a = dispatch.handle(live, "call_next", f"window-{n}", {}, run.now, window=n)
        b = dispatch.handle(again, "call_next", f"window-{n}", {}, run.now, window=n)
        assert (a.error and a.error.code, a.result, a.tickets) == (b.error and b.error.code, b.result, b.tickets)
    assert again_calls == live_calls, run.tail()

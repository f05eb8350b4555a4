"""潮汐窗口: the pure policy by tables (open, hold, close, no flapping, never mid-service, no window),
then the same policy inside the engine (switch events, calls, state, restart, day end, admin actions)."""
from __future__ import annotations

import itertools

import pytest

from contract.messages import TidalEvent
from controller import tidal
from controller.publish import event_messages, window_state
from controller.tidal import Memory, Queue, Window
from tests.support.engine import Hall, local, make_config

RULE = {"enabled": True, "open_wait_s": 1200, "open_oldest_wait_s": 1800, "close_wait_s": 300, "max_windows": 3}
SUSTAIN, HOLD = 300, 900


class Policy:
    """The policy played over time on a few windows, switches applied as the engine would."""

    def __init__(self, windows: list[Window], rules: dict | None = None, codes=("A", "B")):
        self.windows = {d.number: d for d in windows}
        self.rules = rules or {}
        self.memory = Memory()
        self.log: list[tuple[float, int, str | None]] = []
        self.unmet: dict = {}
        self.step(-HOLD, {code: (0, 0) for code in codes})  # a quiet start: a window is lent only from a
        self.log.clear()                                      # queue short for as long as it will be away

    def rule(self, code):
        return {**RULE, **self.rules.get(code, {})}

    def step(self, now: float, waiting: dict[str, tuple[int, float]], free=None, service=600.0):
        """waiting: category -> (count, oldest wait s)."""
        counts = {code: 0 for code in waiting}
        for d in self.windows.values():
            if d.staffed and not d.paused:
                for code in ((d.switched_to,) if d.switched_to else d.home):
                    counts[code] = counts.get(code, 0) + 1
        queues = {code: Queue(code, n, oldest, service, counts[code]) for code, (n, oldest) in waiting.items()}
        free = {n for n, d in self.windows.items() if not d.busy} if free is None else free
        decision = tidal.decide(queues, list(self.windows.values()), self.rule, sustain_s=SUSTAIN, min_hold_s=HOLD,
                                memory=self.memory, now=now, free=free)
        self.memory, self.unmet = decision.memory, decision.unmet
        for s in decision.switches:
            d = self.windows[s.window]
            self.windows[s.window] = Window(d.number, d.home, d.capable, d.staffed, d.paused, d.busy, d.pinned,
                                        s.to, now if s.to else None)
            self.log.append((now, s.window, s.to))
        return decision.switches


def window(n, home=("A",), capable=True, staffed=True, **kw) -> Window:
    return Window(n, tuple(home), capable, staffed, **kw)


LONG_B = {"A": (0, 0), "B": (6, 600)}       # B: 6 × 600 s ÷ 1 window = 3600 s predicted
SHORT_B = {"A": (0, 0), "B": (0, 0)}


def hall():
    return [window(1), window(2, capable=False), window(3, home=("B",), capable=False)]


@pytest.mark.parametrize("name, script, expected", [
    # (t, waiting) steps; expected: the (t, window, to) switches
    ("opens once the long queue has held sustain_s", [(0, LONG_B), (200, LONG_B), (300, LONG_B)], [(300, 1, "B")]),
    ("a long queue that does not hold opens nothing", [(0, LONG_B), (200, SHORT_B), (400, LONG_B), (600, LONG_B)],
     []),
    ("the oldest wait alone opens too", [(0, {"A": (0, 0), "B": (1, 1900)}), (300, {"A": (0, 0), "B": (1, 2200)})],
     [(300, 1, "B")]),
    ("holds min_hold_s though short at once", [(0, LONG_B), (300, LONG_B), (400, SHORT_B), (800, SHORT_B),
                                              (1100, SHORT_B)], [(300, 1, "B")]),
    ("closes after the hold once short has held", [(0, LONG_B), (300, LONG_B), (400, SHORT_B), (1199, SHORT_B),
                                                   (1200, SHORT_B)], [(300, 1, "B"), (1200, 1, None)]),
    ("a queue between the thresholds keeps it (hysteresis)",
     [(0, LONG_B), (300, LONG_B), *((t, {"A": (0, 0), "B": (2, 300)}) for t in range(400, 4000, 300))],
     [(300, 1, "B")]),
])
def test_policy_table(name, script, expected):
    policy = Policy(hall())
    for t, waiting in script:
        policy.step(t, waiting)
    assert policy.log == expected, name


def test_as_many_windows_as_the_queue_needs_then_the_clock_starts_again():
    policy = Policy([window(1), window(2), window(4), window(5), window(3, home=("B",), capable=False)])
    very_long = {"A": (0, 0), "B": (8, 900)}             # 8 × 600 s: 3 windows bring it under 1200 s
    policy.step(0, very_long)
    assert [(w, to) for _, w, to in [(t, w, to) for t, w, to in policy.log]] == []
    policy.step(300, very_long)
    assert [(w, to) for _, w, to in policy.log] == [(1, "B"), (2, "B"), (4, "B")]
    policy.step(400, very_long)
    assert len(policy.log) == 3                          # the next one only after sustain_s more


def test_a_lent_window_comes_home_when_it_is_needed_more_there():
    policy = Policy([window(1), window(2, capable=False), window(3, home=("B",), capable=False)])
    policy.step(0, LONG_B)
    policy.step(300, LONG_B)
    assert policy.log == [(300, 1, "B")]
    home_long = {"A": (9, 100), "B": (3, 400)}           # A: 9 × 600 ÷ 1 = 5400 s; B without it: 1800 s
    policy.step(600, home_long)
    policy.step(900, home_long)
    assert policy.log == [(300, 1, "B")]                 # not before the hold is over
    policy.step(1200, home_long)
    assert policy.log == [(300, 1, "B"), (1200, 1, None)]


def test_a_window_is_lent_only_from_a_queue_short_for_as_long_as_it_will_be_away():
    policy = Policy([window(1), window(3, home=("B",), capable=False)])
    policy.step(0, {"A": (1, 60), "B": (6, 600)})        # A not short (1 × 600 without window 1)
    policy.step(300, LONG_B)                             # A short from now on
    policy.step(900, LONG_B)
    assert policy.log == [] and policy.unmet == {}       # a candidate, not yet: no alert either
    policy.step(1200, LONG_B)
    assert policy.log == [(1200, 1, "B")]


def test_no_flapping_when_the_queue_swings_every_minute():
    policy = Policy(hall())
    for minute in range(240):
        policy.step(minute * 60, LONG_B if minute % 2 == 0 else SHORT_B)
    assert policy.log == []  # neither long nor short ever holds for sustain_s
    for minute in range(240, 480):  # long for 10 min, short for 10 min, over and over
        policy.step(minute * 60, LONG_B if (minute // 10) % 2 == 0 else SHORT_B)
    times = [t for t, _, _ in policy.log]
    assert policy.log and all(b - a >= min(SUSTAIN, HOLD) for a, b in itertools.pairwise(times))
    assert all(b - a >= HOLD for (a, _, to_a), (b, _, to_b) in zip(policy.log, policy.log[1:]) if to_a and not to_b)


def test_never_mid_service_a_busy_window_switches_between_two_citizens():
    policy = Policy([window(1, busy=True), window(3, home=("B",), capable=False)])
    for t in (0, 300, 600):
        assert policy.step(t, LONG_B) == []
    assert policy.unmet == {}  # a window will come free: nobody is asked to staff one
    switches = policy.step(610, LONG_B, free={1})  # its call moment: between two services
    assert [(s.window, s.to) for s in switches] == [(1, "B")]


def test_idle_windows_go_before_busy_ones_and_the_lightest_home_first():
    windows = [window(1, home=("A",), busy=True), window(2, home=("C",)), window(4, home=("A",)),
             window(3, home=("B",), capable=False)]
    policy = Policy(windows, codes=("A", "B", "C"))
    waiting = {"A": (1, 60), "B": (6, 600), "C": (0, 0)}
    policy.step(0, waiting)
    assert [(s.window, s.to) for s in policy.step(300, waiting)] == [(2, "B")]  # C is empty, A has one waiting


@pytest.mark.parametrize("name, windows, rules, waiting", [
    ("nobody staffs a tidal window", [window(1, staffed=False), window(3, home=("B",), capable=False)], {}, LONG_B),
    ("the only tidal window is paused", [window(1, paused=True), window(3, home=("B",), capable=False)], {}, LONG_B),
    ("the only tidal window is pinned", [window(1, pinned=True), window(3, home=("B",), capable=False)], {}, LONG_B),
    ("its own queue is not short", [window(1), window(3, home=("B",), capable=False)], {},
     {"A": (1, 700), "B": (6, 600)}),
    ("max_windows reached", [window(1, switched_to="B", since=0), window(5), window(3, home=("B",), capable=False)],
     {"B": {"max_windows": 1}}, LONG_B),
])
def test_no_window_can_take_it_asks_for_staff(name, windows, rules, waiting):
    policy = Policy(windows, rules)
    policy.step(0, waiting)
    assert policy.step(300, waiting) == [] and "B" in policy.unmet, name
    assert policy.memory.unmet_since == {"B": 300}
    policy.step(400, {"A": (0, 0), "B": (0, 0)})
    assert policy.unmet == {} and policy.memory.unmet_since == {}


def test_a_disabled_category_neither_opens_nor_closes():
    policy = Policy([window(1, switched_to="B", since=0), window(2), window(3, home=("B",), capable=False)],
                    {"B": {"enabled": False}})
    for t in range(0, 3000, 300):
        policy.step(t, LONG_B if t < 1500 else SHORT_B)
    assert policy.log == [] and policy.unmet == {}


def test_a_removed_category_sends_its_windows_home_at_once():
    decision = tidal.decide({"A": Queue("A", 0, 0, 600, 0)}, [window(1, switched_to="gone", since=0, pinned=False)],
                            lambda code: RULE, sustain_s=SUSTAIN, min_hold_s=HOLD, memory=Memory(), now=10, free={1})
    assert [(s.window, s.to, s.reason) for s in decision.switches] == [(1, None, "category_gone")]


def test_serves_and_notice():
    assert tidal.serves(("A",), ("B", "C"), None) == (("A",), ("B", "C"))
    assert tidal.serves(("A",), ("B", "C"), "B") == (("B",), ("A", "C"))
    names = {"B": {"zh": "社保医保", "en": "Social Insurance"}, "A": {"zh": "综合受理", "en": "General"}}
    assert tidal.notice(10, ["B"], names, back=False) == {"zh": "10号窗口开始办理社保医保业务",
                                                          "en": "Window 10 now serves Social Insurance"}
    assert tidal.notice(10, ["A"], names, back=True)["zh"] == "10号窗口恢复办理综合受理业务"


# --- inside the engine --------------------------------------------------------------------------

TIDAL_HALL = {"windows": {2: {"primary": ["A"], "secondary": ["B"], "tidal_capable": True}},
              "tidal": {"open_wait_s": 1200, "close_wait_s": 300, "sustain_s": 300, "min_hold_s": 900}}


def tidal_hall():
    """Window 2 (tidal, at home on A) and window 3 (B) staffed, after a quiet quarter of an hour: a window
    is lent only from a queue that has been short for as long as it will be away (min_hold_s)."""
    hall = Hall(make_config(TIDAL_HALL), now=local("09:00"))
    hall.login(2, "s2")
    hall.login(3, "s3")
    later(hall, 10)
    later(hall, 900)
    return hall


def switches(out):
    return [e for e in out.events if e.kind == "tidal_switched"]


def later(hall, seconds):
    """Hall time passing; the engine reviews the queues at most every REVIEW_EVERY_S."""
    hall.now += seconds
    out = hall.engine.tick(hall.now)
    hall.store.add(out, hall.engine.day)
    return out


def test_engine_switches_an_idle_tidal_window_and_calls_from_its_new_queue():
    hall = tidal_hall()
    for _ in range(4):
        hall.issue("B")                                   # 4 × 600 s ÷ 1 window = 2400 s predicted
    assert not switches(later(hall, 10))                  # long, but not for sustain_s yet
    assert not switches(later(hall, 290))
    [event] = switches(later(hall, 10))
    assert event.window == 2 and event.device == "controller" and event.data["to"] == "B"
    assert event.data["text"] == {"zh": "2号窗口开始办理social业务", "en": "Window 2 now serves social"}
    assert event.before["tidal"] is False and event.after["tidal_category"] == "B"
    [(kind, payload)] = event_messages(event)
    assert kind == "tidal" and TidalEvent.model_validate(payload).kind == "switched"
    state = window_state(hall.engine, 2, hall.now)
    assert state["categories"] == ["B"] and state["secondary"] == ["A"] and state["tidal"] is True
    assert state["home_categories"] == ["A"]
    assert hall.engine.open_windows("B") == [2, 3] and hall.engine.open_windows("A") == []
    hall.issue("A")
    assert hall.ok("call_next", 2).result["ticket"]["number"] == "B001"   # its tidal queue first


def test_engine_switches_a_busy_window_only_between_two_citizens_and_back_when_short():
    hall = tidal_hall()
    hall.issue("A")
    hall.ok("call_next", 2)
    hall.ok("start", 2)                                   # window 2 is serving A001
    for _ in range(4):
        hall.issue("B")
    for _ in range(3):
        hall.now += 300
        assert not switches(hall.engine.tick(hall.now))   # never under a citizen
    out = hall.ok("finish", 2)
    assert not switches(out)                              # finishing is not calling
    out = hall.ok("call_next", 2)                         # its call moment: switch first, then call
    kinds = [e.kind for e in out.events]
    assert kinds.index("tidal_switched") < kinds.index("ticket_called")
    assert out.result["ticket"]["number"] == "B001" and switches(out)[0].device == "window-2"
    for _ in range(3):
        hall.ok("call_next", 3)
    assert hall.do("call_next", 2).error.code == "queue_empty"  # finishes B001; B is empty now
    hall.ok("finish", 3)
    assert not switches(later(hall, 600))                 # short, but held less than min_hold_s
    [back] = switches(later(hall, 700))
    assert back.data["to"] is None and back.data["text"]["zh"] == "2号窗口恢复办理general业务"
    assert back.data["reason"] == "short_queue" and window_state(hall.engine, 2, hall.now)["categories"] == ["A"]


def test_a_switch_survives_a_restart_and_ends_with_the_day():
    hall = tidal_hall()
    for _ in range(4):
        hall.issue("B")
    later(hall, 10)
    assert switches(later(hall, 300))
    again = hall.store.load(hall.config, hall.now)
    assert again.lists(2) == (("B",), ("A",)) and again.windows[2].tidal_since == hall.now
    out = again.tick(local("03:00", day_offset=1))
    closed = [e for e in out.events if e.kind == "window_closed_by_day_end" and e.window == 2]
    assert closed and closed[0].after["tidal"] is False and again.lists(2) == (("A",), ("B",))


def test_admin_switch_pin_and_refusals():
    hall = tidal_hall()
    out = hall.ok("tidal_switch", target_window=2, category="B", pin=True)
    assert out.result == {"window": 2, "tidal": True, "pinned": True, "categories": ["B"], "secondary": ["A"],
                          "home": ["A"]}
    event = switches(out)[0]
    assert event.data["by"] == "kiosk-K1" and event.data["reason"] == "by_hand"
    hall.now += 3600                                      # pinned: the policy never sends it back
    assert not switches(hall.engine.tick(hall.now))
    assert hall.do("tidal_switch", target_window=2, category="B").error.code == "invalid_state"
    assert hall.do("tidal_switch", target_window=99, category="B").error.code == "not_found"
    assert hall.do("tidal_switch", target_window=2, category="nope").error.code == "not_found"
    assert hall.do("tidal_switch", target_window=1, category=None).error.code == "invalid_state"
    out = hall.ok("tidal_pin", target_window=2, pinned=False)
    assert out.result["pinned"] is False and [e.kind for e in out.events] == ["tidal_pinned"]
    [back] = switches(later(hall, 30))                    # released: B has long been empty, the hold is over
    assert back.data["to"] is None and back.data["by"] == "policy"
    hall.issue("A")
    hall.ok("call_next", 2)
    error = hall.do("tidal_switch", target_window=2, category="B").error
    assert error.code == "invalid_state" and "serving" in error.message  # never mid-service, by hand either


def test_no_tidal_window_and_a_long_queue_is_remembered_for_supervision():
    hall = Hall(make_config({"windows": {2: {"primary": ["A"], "tidal_capable": True}}}), now=local("09:00"))
    hall.login(3, "s3")                                   # window 2 (the tidal one) is not staffed
    later(hall, 10)
    later(hall, 900)
    for _ in range(4):
        hall.issue("B")
    later(hall, 10)
    later(hall, 300)
    state = hall.engine.tidal_state
    assert set(state.unmet) == {"B"} and state.memory.unmet_since == {"B": hall.now}
    hall.login(2, "s2")
    assert switches(later(hall, 10)) and state.unmet == {}

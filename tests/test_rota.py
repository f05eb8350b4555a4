"""The rota policy (controller/rota.py): tables with time passed in (lend, hold, come home, hysteresis, never
mid-service), then inside the engine (announced, in the ledger, on the screens, its reason recorded; no
forecast → the thresholds)."""
from __future__ import annotations

import pytest

from config.schema import ConfigError
from contract.messages import TidalEvent
from controller import rota
from controller.publish import event_messages, window_state
from controller.rota import Need, Rule
from controller.tidal import Window
from tests.support.engine import Hall, local, make_config

RULE = Rule(lend_below=0.8, need_above=0.9, return_below=0.7, min_hold_s=1800)
HOUR = 3600.0


def need(code, expected, windows, waiting=0, service=600.0) -> Need:
    return Need(code, expected, service, waiting, service, windows)


def w(n, home="A", capable=True, **kw) -> Window:
    return Window(n, (home,), capable, True, **kw)


def plan(needs, windows, now=0.0, max_windows=3):
    return rota.plan({n.code: n for n in needs}, windows, RULE, enabled=lambda c: True,
                     max_windows=lambda c: max_windows, long_wait_s=lambda c: 1200, now=now,
                     basis={"policy": "rota", "basis": "mon", "days": 4})


HALL = [w(1), w(2, capable=False), w(3, home="B", capable=False)]


@pytest.mark.parametrize("name, needs, windows, moves", [
    # B: 8 × 600 s in the next hour on 1 window = 1.33; A: 2 × 600 s on 2 windows, 0.33 on the one left
    ("lends to a category above 0.9 from one under 0.8 without it",
     [need("A", 2, 2), need("B", 8, 1)], HALL, [(1, "B", "rota_lend")]),
    ("the backlog counts as much as the forecast",
     [need("A", 2, 2), need("B", 0, 1, waiting=8)], HALL, [(1, "B", "rota_lend")]),
    ("not from a category that would reach 0.8 without it",
     [need("A", 5, 2), need("B", 8, 1)], HALL, []),
    ("not to a category at 0.9 or under", [need("A", 0, 2), need("B", 5.4, 1)], HALL, []),
    ("as many as bring it under 0.9, within max_windows",
     [need("A", 0, 3), need("B", 20, 1)], [w(1), w(2), w(4), w(3, home="B", capable=False)],
     [(1, "B", "rota_lend"), (2, "B", "rota_lend")]),
    ("a pinned window stays", [need("A", 2, 2), need("B", 8, 1)], [w(1, pinned=True), *HALL[1:]], []),
    # the forecast says A is quiet, but 3 wait: 3 × 600 s on the one window left is 1800 s ≥ 1200 s
    ("not from a category whose backlog would wait long without it",
     [need("A", 0, 2, waiting=3), need("B", 8, 1)], HALL, []),
    ("a window is not lent to its own category", [need("A", 20, 2), need("B", 0, 1)], HALL, []),
])
def test_lend_table(name, needs, windows, moves):
    got = plan(needs, windows, max_windows=2)
    assert [(m.window, m.to, m.reason) for m in got.now] == moves, name


LENT = [w(1, switched_to="B", since=0.0), w(2, capable=False), w(3, home="B", capable=False)]


@pytest.mark.parametrize("name, now, needs, moves", [
    # window 1 lent to B at 0: B counts it (2 windows), A has one left
    ("holds 30 minutes though B is quiet", 1799, [need("A", 0, 1), need("B", 0, 2)], []),
    ("comes home after the hold once B stays under 0.7 without it", 1800, [need("A", 0, 1), need("B", 0, 2)],
     [(1, None, "rota_home")]),
    ("stays while B without it is between 0.7 and 0.9 (hysteresis)", 7200, [need("A", 0, 1), need("B", 4.8, 2)], []),
    ("comes home when its own category needs it more", 1800, [need("A", 8, 1), need("B", 6, 2)],
     [(1, None, "rota_home")]),
    ("not when the other would need it even more", 1800, [need("A", 6, 1), need("B", 12, 2)], []),
    # the forecast was wrong: A expects nothing, but 3 wait 1800 s at home; B would wait 600 s without it
    ("comes home when its own backlog waits long, whatever the forecast said", 1800,
     [need("A", 0, 1, waiting=3), need("B", 12, 2, waiting=2)], [(1, None, "rota_home")]),
    ("its own come first, though the other's backlog would wait longer", 1800,
     [need("A", 0, 1, waiting=3), need("B", 12, 2, waiting=8)], [(1, None, "rota_home")]),
    ("but not before the hold", 1799, [need("A", 0, 1, waiting=3), need("B", 12, 2, waiting=8)], []),
])
def test_come_home_table(name, now, needs, moves):
    got = plan(needs, LENT, now=now)
    assert [(m.window, m.to, m.reason) for m in got.now] == moves, name


def test_never_mid_service_a_busy_window_moves_at_its_next_call():
    got = plan([need("A", 2, 2), need("B", 8, 1)], [w(1, busy=True), *HALL[1:]])
    assert got.now == [] and [(m.window, m.to) for m in got.at_call.values()] == [(1, "B")]
    assert got.unmet == {}


def test_no_lender_is_unmet_and_every_move_says_why():
    got = plan([need("A", 5, 2), need("B", 8, 1, waiting=3)], HALL)
    assert got.now == [] and got.unmet == {"B": 1800}
    lend = plan([need("A", 2, 2), need("B", 8, 1, waiting=1)], HALL).now[0]
    assert lend.detail == {"policy": "rota", "basis": "mon", "days": 4, "loads": {"B": 1.5, "A": 0.17},
                           "expected": {"B": 8, "A": 2}, "waiting": {"B": 1, "A": 0}}


@pytest.mark.parametrize("rota_cfg, key", [
    ({"min_hold_s": 600}, "tidal.rota.min_hold_s"),
    ({"lend_below": 0.95}, "tidal.rota"),
    ({"return_below": 0.9}, "tidal.rota"),
    ({"every": 60}, "tidal.rota.every"),
    ({"home_wait_s": 30}, "tidal.rota.home_wait_s"),
])
def test_the_rota_config_is_strict(rota_cfg, key):
    with pytest.raises(ConfigError) as caught:
        make_config({"tidal": {"policy": "rota", "rota": rota_cfg}})
    assert caught.value.key.startswith(key), caught.value
    with pytest.raises(ConfigError) as caught:
        make_config({"tidal": {"policy": "forecast"}})
    assert caught.value.key == "tidal.policy"


# --- inside the engine: windows 1 (A, tidal-capable), 2 (A, helps B), 3 (B), 4 (G) ----------------------

def rota_hall(cold_start=None, **tidal):
    forecast = {"cold_start": cold_start} if cold_start is not None else {}
    config = make_config({"windows": {1: {"tidal_capable": True}},
                          "tidal": {"policy": "rota", "sustain_s": 0, "open_wait_s": 600, "close_wait_s": 60,
                                    **tidal}, "forecast": forecast})
    hall = Hall(config, now=local("08:50"))          # the first review (nobody staffed yet) is now
    for n, staff in ((1, "s1"), (2, "s2"), (3, "s3")):
        hall.login(n, staff)
    return hall


SURGE = {"09": {"A": 2, "B": 12}, "10": {"A": 2}}   # B: 12 × 600 s in 09:00-10:00 on one window


def tick(hall, hhmm):
    hall.now = local(hhmm)
    out = hall.engine.tick(hall.now)
    return [e for e in out.events if e.kind == "tidal_switched"]


def test_the_engine_lends_ahead_of_the_surge_announces_it_and_records_why():
    hall = rota_hall(SURGE)
    switches = tick(hall, "09:00")                  # nobody waits yet: the forecast alone moves it
    assert [(e.window, e.data["to"], e.data["reason"]) for e in switches] == [(1, "B", "rota_lend")]
    event = switches[0]
    assert event.data["rota"]["basis"] == "config" and event.data["rota"]["loads"]["B"] == 2.0
    assert event.data["text"]["zh"] == "1号窗口开始办理social业务" and event.before["tidal"] is False
    assert TidalEvent.model_validate(dict(event_messages(event))["tidal"]).reason == "rota_lend"
    assert window_state(hall.engine, 1, hall.now)["categories"] == ["B"]
    b = hall.issue("B")
    assert hall.ok("call_next", 1).result["ticket"]["number"] == b
    assert tick(hall, "09:20") == []                # reviewed every 5 min, held 30


def test_the_engine_brings_it_home_after_the_hold_when_the_surge_is_over():
    hall = rota_hall(SURGE)
    tick(hall, "09:00")
    assert tick(hall, "09:25") == []                # held 25 min
    assert tick(hall, "09:30") == []                # held 30, but 09:30-10:30 B expects 6 × 600 s: 1.0 without it
    back = tick(hall, "09:45")                      # 09:45-10:45: 3 tickets, 0.5 without it: under 0.7
    assert [(e.window, e.data["to"], e.data["reason"]) for e in back] == [(1, None, "rota_home")]
    assert back[0].data["text"]["en"] == "Window 1 is back to general" and window_state(
        hall.engine, 1, hall.now)["categories"] == ["A"]


def test_the_engine_never_moves_a_window_under_a_citizen():
    hall = rota_hall(SURGE)
    hall.issue("A")
    hall.ok("call_next", 1)                         # window 1 serves an A ticket
    assert tick(hall, "09:00") == [] and not hall.engine.windows[1].tidal
    b = hall.issue("B")
    out = hall.ok("call_next", 1)                   # between two citizens: the move, then the call
    kinds = [e.kind for e in out.events]
    assert kinds.index("ticket_finished") < kinds.index("tidal_switched") < kinds.index("ticket_called")
    assert out.result["ticket"]["number"] == b


def test_without_a_forecast_the_thresholds_decide():
    hall = rota_hall(None, min_hold_s=0)            # no cold start, nothing stored: no forecast for today
    assert hall.engine.expected_today() is None
    assert tick(hall, "09:00") == []
    hall.issue("B"), hall.issue("B")                # 2 × 600 s on one window: 1200 s ≥ open_wait_s
    switches = tick(hall, "09:01")
    assert [(e.window, e.data["to"], e.data["reason"]) for e in switches] == [(1, "B", "long_queue")]
    assert "rota" not in switches[0].data


def test_a_move_waiting_for_a_call_does_not_outlive_the_day():
    hall = rota_hall(SURGE)
    hall.issue("A")
    hall.ok("call_next", 1)
    tick(hall, "09:00")
    assert set(hall.engine.tidal_state.at_call) == {1}
    hall.now = local("03:30", day_offset=1)
    hall.engine.tick(hall.now)
    assert hall.engine.tidal_state.at_call == {} and not hall.engine.windows[1].tidal

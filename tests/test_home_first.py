"""先本后他 (home-first): a window marked so, or a tidal-capable one in a hall with `tidal.home_first`,
serves its own categories first and helps every other one when none of its own waits — no switch."""
from __future__ import annotations

import pytest

from config.schema import ConfigError
from controller.publish import window_state
from tests.support.engine import Hall, make_config

# windows 1: A, 2: A (helps B), 3: B, 4: G + green (tests/support/engine.py)


def test_a_home_first_window_calls_its_own_first_then_anyone_in_arrival_order():
    hall = Hall(make_config({"windows": {1: {"home_first": True}}}))
    hall.login(1)
    g, b, a = hall.issue("G"), hall.issue("B"), hall.issue("A")
    calls = [hall.ok("call_next", 1).result["ticket"]["number"] for _ in range(3)]
    assert calls == [a, g, b]                         # its own A first, then the others oldest first
    assert hall.do("call_next", 1).error.code == "queue_empty"
    assert not [e for e in hall.store.calls if e[1].kind == "tidal_switched"]


def test_the_tidal_key_makes_every_tidal_capable_window_home_first_even_with_the_policy_off():
    config = make_config({"windows": {1: {"tidal_capable": True}}, "tidal": {"home_first": True, "enabled": False}})
    hall = Hall(config)
    for n, staff in ((1, "s1"), (3, "s3")):
        hall.login(n, staff)
    assert hall.engine.lists(1) == (("A",), ("B", "G")) and hall.engine.lists(3) == (("B",), ())
    assert hall.engine.lists(2) == (("A",), ("B",))    # not tidal-capable, not marked: as configured
    b = hall.issue("B")
    out = hall.ok("call_next", 1)
    assert out.result["ticket"]["number"] == b and not [e for e in out.events if e.kind == "tidal_switched"]
    state = window_state(hall.engine, 1, hall.now)             # what the screens and the caller app are told
    assert state["categories"] == ["A"] and state["secondary"] == ["B", "G"]


def test_a_switched_home_first_window_helps_everyone_after_its_tidal_category():
    config = make_config({"windows": {1: {"tidal_capable": True, "home_first": True}}})
    hall = Hall(config)
    hall.login(1)
    hall.ok("tidal_switch", target_window=1, category="B")
    assert hall.engine.lists(1) == (("B",), ("A", "G"))


@pytest.mark.parametrize("changes, key", [
    ({"windows": {1: {"home_first": "yes"}}}, "windows.1.home_first"),
    ({"windows": {1: {"home_first": 1}}}, "windows.1.home_first"),
    ({"tidal": {"home_first": "true"}}, "tidal.home_first"),
    ({"tidal": {"home_frist": True}}, "tidal.home_frist"),
])
def test_home_first_is_a_strict_bool_named_by_its_key(changes, key):
    with pytest.raises(ConfigError) as caught:
        make_config(changes)
    assert caught.value.key == key

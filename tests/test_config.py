"""The hall config: the demo hall is realistic and the schema is strict."""
from __future__ import annotations

import copy

import pytest

from config.loader import load, merge_patch, public
from config.schema import ConfigError, validate
from testbed.controller import DEMO_CONFIG


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_demo_hall_is_a_real_hall():
    config, digest = load(DEMO_CONFIG)
    assert len(digest) == 64
    names = {c.name.zh for c in config.categories.values()}
    assert {"综合受理", "社保医保", "不动产登记", "企业开办", "税务"} <= names
    assert len(config.items) >= 30 and len(config.windows) == 12 and len(config.staff) == 8
    assert sum(w.green_channel for w in config.windows.values()) >= 1
    assert sum(w.tidal_capable for w in config.windows.values()) >= 2
    for item in config.items.values():
        guide = item.guide
        assert has_cjk(item.name.zh) and item.name.en.isascii()
        assert guide.materials and guide.steps and has_cjk(guide.basis.zh)
        assert guide.promised_limit_days <= guide.legal_limit_days
    served = {c for w in config.windows.values() for c in w.primary}
    assert served == set(config.categories), "every category has a window that serves it first"


def test_public_config_hides_staff_and_pins():
    config, _ = load(DEMO_CONFIG)
    shown = public(config)
    assert "staff" not in shown and "pin_hash" not in str(shown)
    assert set(shown["windows"]) == {str(n) for n in config.windows}


@pytest.fixture
def raw(demo_raw):
    return copy.deepcopy(demo_raw)


@pytest.mark.parametrize("patch, key", [
    ({"bogus": 1}, "bogus"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"day_rollover_hour": 24}, "day_rollover_hour"),
    ({"ticketing_hours": [["12:00", "08:30"]]}, "ticketing_hours"),
    ({"ticketing_hours": [["8:30", "12:00"]]}, "ticketing_hours"),
    ({"queue": {"priority_ratio": 0}}, "queue.priority_ratio"),
    ({"categories": {"general": {"daily_cap": 1000}}}, "categories.general.daily_cap"),
    ({"categories": {"tax": {"prefix": "A"}}}, "categories.tax.prefix"),
    ({"categories": {"tax": {"name": {"en": None}}}}, "categories.tax.name.en"),
    ({"items": {"A01": {"category": "nope"}}}, "items.A01.category"),
    ({"items": {"A01": {"guide": {"promised_limit_days": 400}}}}, "items.A01.guide.promised_limit_days"),
    ({"windows": {"1": {"primary": []}}}, "windows.1.primary"),
    ({"windows": {"1": {"secondary": ["ghost"]}}}, "windows.1.secondary"),
    ({"windows": {"1": {"primary": ["general"], "secondary": ["general"]}}}, "windows.1.secondary"),
    ({"windows": {"1": {"printer": "printer"}}}, "windows.1.printer"),  # a bridge's printer: bridge-<name>/<device>
    ({"windows": {"1": {"printer": "kiosk-K1/printer"}}}, "windows.1.printer"),
    ({"windows": {"1": {"printer": "bridge-W1/printer/x"}}}, "windows.1.printer"),
    ({"windows": {"1": {"printer": "bridge-W+/printer"}}}, "windows.1.printer"),
    ({"staff": {"1001": {"pin_hash": "1234"}}}, "staff.1001.pin_hash"),
    ({"staff": {"1001": {"windows": [99]}}}, "staff.1001.windows"),
])
def test_bad_configs_are_refused_naming_the_key(raw, patch, key):
    with pytest.raises(ConfigError) as exc:
        validate(merge_patch(raw, patch))
    assert exc.value.key == key, exc.value


def test_merge_patch_follows_rfc_7386():
    target = {"a": {"b": 1, "c": 2}, "windows": {1: {"x": 1}}, "list": [1, 2]}
    assert merge_patch(target, {"a": {"b": None, "d": 3}}) == {"a": {"c": 2, "d": 3}, "windows": {1: {"x": 1}},
                                                              "list": [1, 2]}
    assert merge_patch(target, {"windows": {"1": {"y": 2}}})["windows"] == {1: {"x": 1, "y": 2}}
    assert merge_patch(target, {"list": [3]})["list"] == [3]
    assert target["a"] == {"b": 1, "c": 2}, "the target is not modified"


def test_a_refusal_names_every_offending_key_in_plain_words(raw):
    bad = merge_patch(raw, {"queue": {"max_calls": 0}, "categories": {"tax": {"colour": "red", "daily_cap": "many"}}})
    with pytest.raises(ConfigError) as exc:
        validate(bad)
    said = str(exc.value)
    assert {key for key, _ in exc.value.problems} == {"queue.max_calls", "categories.tax.colour",
                                                      "categories.tax.daily_cap"}
    assert "queue.max_calls: must be at least 1, not 0" in said
    assert "categories.tax.colour: unknown key: not a setting of the hall file (a typo?)" in said
    assert "categories.tax.daily_cap: must be a whole number, not 'many'" in said

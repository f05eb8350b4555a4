"""The bridge config is strict: the example file loads, mistakes are refused naming the key, and
`main.py bridge` says so and exits before touching a port."""
from __future__ import annotations

import copy
import subprocess
import sys

import pytest
import yaml

from config.schema import ConfigError
from firmware_bridge.config import load, validate
from testbed.controller import ROOT

EXAMPLE = ROOT / "config" / "bridge.yaml"


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def test_the_example_config_loads():
    config = load(EXAMPLE)
    assert config.device_id == "bridge-floor1"
    assert config.ports["rs485-a"].speed == 9600 and config.ports["idreader-k1"].speed == 115200
    assert config.ports["rs485-a"].devices["evaluator-3"].levels == {1: 5, 2: 4, 3: 3, 4: 2}


def test_an_ff68_bus_is_not_polled_unless_told_and_shows_the_display_style_it_is_given(raw):
    del raw["ports"]["rs485-a"]["poll_s"], raw["ports"]["rs485-a"]["keypad_display"]
    ports = validate(raw).ports
    assert ports["rs485-a"].poll_s == 0 and ports["rs485-led"].poll_s == 10  # deployed keypads answer no poll
    assert ports["rs485-a"].keypad_display == "combined"
    for style in ("ticket", "count"):
        assert validate(change(raw, "ports.rs485-a.keypad_display", style)).ports["rs485-a"].keypad_display == style
    assert validate(change(raw, "ports.rs485-a.poll_s", 10)).ports["rs485-a"].poll_s == 10


def change(raw: dict, path: str, value) -> dict:
    data = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key) if isinstance(node, dict) and key.isdigit() and int(key) in node else key]
    node[last] = value
    return data


@pytest.mark.parametrize("path, value, key, words", [
    ("colour", "red", "colour", "unknown key"),
    ("ports.rs485-a.devices.keypad-1.windw", 1, "ports.rs485-a.devices.keypad-1.windw", "unknown key"),
    ("ports.rs485-a.devices.keypad-1.window", 0, "ports.rs485-a.devices.keypad-1.window", "greater than"),
    ("ports.rs485-a.devices.keypad-2.address", 1, "ports.rs485-a.devices.keypad-2.address", "already used"),
    ("ports.rs485-a.devices.keypad-2.window", 1, "ports.rs485-a.devices.keypad-2.window", "already has a keypad"),
    ("ports.rs485-a.devices.keypad-1.kind", "window_screen", "ports.rs485-a.devices.keypad-1.kind", "ff68 port"),
    ("ports.rs485-a.devices.keypad-1.kind", "toaster", "ports.rs485-a.devices.keypad-1", "kind"),
    ("ports.rs485-a.baud", 9601, "ports.rs485-a.baud", "one of"),
    ("ports.rs485-a.driver", "modbus", "ports.rs485-a.driver", "ff68"),
    ("ports.strip.devices.hall-strip.address", 100, "ports.strip.devices.hall-strip.address", "less than"),
    ("ports.printer-k1.devices.printer-2", {"kind": "printer"}, "ports.printer-k1.devices", "exactly one"),
    ("ports.rs485-led.devices.keypad-3", {"kind": "window_screen", "address": 9, "window": 9},
     "ports.rs485-led.devices.keypad-3", "already used on port rs485-a"),
    ("ports.rs485-a.keypad_display", "both", "ports.rs485-a.keypad_display", "'combined', 'ticket' or 'count'"),
    ("ports.rs485-led.keypad_display", "ticket", "ports.rs485-led.keypad_display", "only an ff68 port"),
    ("id_salt_file", None, "id_salt_file", "required"),
    ("name", "floor 1", "name", "pattern"),
])
def test_mistakes_are_refused_naming_the_key(raw, path, value, key, words):
    with pytest.raises(ConfigError) as exc:
        validate(change(raw, path, value))
    assert exc.value.key == key
    assert words in exc.value.message


def test_main_bridge_refuses_a_bad_file_and_names_the_key(tmp_path, raw):
    bad = tmp_path / "bridge.yaml"
    bad.write_text(yaml.safe_dump(change(raw, "ports.rs485-a.devices.keypad-1.adress", 1), allow_unicode=True))
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "bridge", "--config", str(bad),
                             "--broker", "127.0.0.1:1"], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert result.returncode == 2
    assert "ports.rs485-a.devices.keypad-1.adress: unknown key" in result.stderr


def test_main_bridge_help_names_its_options():
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "bridge", "--help"], capture_output=True,
                            text=True, timeout=30, cwd=ROOT)
    assert result.returncode == 0
    for word in ("--config", "config/bridge.yaml", "QMS_BRIDGE_CONFIG", "--broker", "--password-file"):
        assert word in result.stdout

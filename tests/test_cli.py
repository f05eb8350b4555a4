"""The command line as a person uses it: --help, the admin wrapper, env overrides, the demo."""
from __future__ import annotations

import json
import os
import re
import socket

import pytest

from tests.support.cli import run

@pytest.mark.parametrize("command, words", [
    (["--help"], ["controller", "admin", "demo"]),
    (["controller", "--help"], ["--config", "--broker", "--db", "--synchronous"]),
    (["admin", "--help"], ["config-get", "config-set", "config-patch", "stats", "report", "hash-pin", "--broker"]),
    (["admin", "config-patch", "--help"], ["merge patch"]),
    (["demo", "--help"], ["--minutes", "--speed", "--broker"]),
])
def test_help(command, words):
    result = run(*command)
    assert result.returncode == 0, result.stderr
    for word in words:
        assert word in result.stdout


def test_admin_cli_against_a_running_controller(controller, kiosk):
    kiosk.request("issue_ticket", {"category": "general"})
    env = {"QMS_BROKER": f"127.0.0.1:{controller.broker.port}"}
    result = run("admin", "--hall", controller.hall, "stats", env=env)
    assert result.returncode == 0, result.stderr
    assert "hall" in result.stdout and "general" in result.stdout
    result = run("admin", "--hall", controller.hall, "--json", "stats", env=env)
    assert json.loads(result.stdout)["hall"]["issued"] == 1
    result = run("admin", "--hall", controller.hall, "config-patch",
                 '{"categories": {"general": {"daily_cap": 5}}}', env=env)
    assert result.returncode == 0 and json.loads(result.stdout) == {"version": 2}
    result = run("admin", "--hall", controller.hall, "config-patch", '{"categories": {"general": {"prefix": "a"}}}',
                 env=env)
    assert result.returncode == 1 and "categories.general.prefix" in result.stderr
    result = run("admin", "--hall", controller.hall, "config-get", env=env)
    assert json.loads(result.stdout)["config"]["categories"]["general"]["daily_cap"] == 5
    result = run("admin", "--hall", controller.hall, "send", "call_next", env=env)
    assert result.returncode == 1 and "forbidden" in result.stderr


def test_admin_cli_says_when_nothing_answers():
    result = run("admin", "--hall", "nobody", "--broker", "127.0.0.1:1", "--timeout", "1", "stats")
    assert result.returncode == 2 and "cannot reach the broker" in result.stderr


def test_hash_pin_is_accepted_by_the_schema():
    result = run("admin", "hash-pin", "--pin", "9876")
    from contract.privacy import check_pin
    assert result.returncode == 0 and check_pin("9876", result.stdout.strip())


def test_controller_refuses_a_bad_config_file(tmp_path):
    bad = tmp_path / "hall.yaml"
    bad.write_text("hall: x\nname: {zh: 厅, en: Hall}\ncategories: {}\nwindows: {1: {primary: [A]}}\n")
    result = run("controller", "--config", str(bad), "--db", str(tmp_path / "x.db"), "--broker", "127.0.0.1:1")
    assert result.returncode != 0
    assert "categories" in result.stderr


def test_headless_demo_plays_and_leaves_nothing_behind():
    result = run("demo", "--minutes", "20", "--speed", "240", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "叫号 called" in out and "取号 issued" in out and "办结 finished" in out
    assert "演示小结 summary" in out and "virtual kiosks issued" in out
    port = int(re.search(r"broker 127\.0\.0\.1:(\d+)", out).group(1))
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the demo's broker is still listening"
    # every process of this demo named its own broker's port; other halls on the machine do not
    assert not processes_with(f"127.0.0.1:{port}\x00"), "a process of the demo is still running"


def processes_with(fragment: str) -> list[int]:
    """Pids whose command line contains fragment (arguments joined by NUL, as /proc has them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if fragment.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found

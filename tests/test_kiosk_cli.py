"""`main.py kiosk` as an operator starts it, and the systemd units that start it on boot."""
from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys
import time

import pytest

from testbed.controller import ROOT

MAIN = [sys.executable, str(ROOT / "main.py")]


def run(*args, timeout=60):
    return subprocess.run([*MAIN, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          stdin=subprocess.DEVNULL)


def test_help_names_every_option():
    result = run("kiosk", "--help")
    assert result.returncode == 0, result.stderr
    for word in ("--name", "--mode", "--window", "--printer", "serial:", "usb:VID:PID", "network:", "--fullscreen",
                 "--id-reader", "--hall"):
        assert word in result.stdout


@pytest.mark.parametrize("args, said", [
    (["--mode", "evaluator"], "evaluator mode needs --window"),
    (["--printer", "lpt1"], "unknown printer 'lpt1'"),
    (["--size", "big"], "bad --size"),
])
def test_bad_options_are_refused_with_a_reason(args, said):
    result = run("kiosk", "--hall", "demo", *args)
    assert result.returncode != 0 and said in result.stderr


def test_the_kiosk_process_starts_off_screen_and_stops_on_sigterm(broker, tmp_path):
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path)}
    env.pop("DISPLAY", None)
    process = subprocess.Popen([*MAIN, "kiosk", "--name", "Kcli", "--hall", "tcli", "--broker",
                                f"127.0.0.1:{broker.port}", "--size", "800x480"], cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    from contract.client import HallClient

    seen = []
    watcher = HallClient("display-cliwatch", "tcli", "127.0.0.1", broker.port,
                         deliver=lambda m: seen.append(m.json().get("status")))
    watcher.subscribe(watcher.topics.status("kiosk-Kcli"))
    watcher.start(wait=10)
    try:
        deadline = time.monotonic() + 60
        while "online" not in seen and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "online" in seen, process.stdout.read() if process.poll() is not None else "not online"
        process.terminate()
        assert process.wait(20) == 0
        deadline = time.monotonic() + 5
        while seen[-1] != "offline" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen[-1] == "offline"  # a clean goodbye, not only the last will
    finally:
        if process.poll() is None:
            process.kill()
        watcher.stop()


@pytest.mark.parametrize("unit", ["qms-kiosk.service", "qms-evaluator@.service"])
def test_the_units_start_the_kiosk_full_screen_with_valid_options(unit):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(ROOT / "systemd" / unit)
    service = parser["Service"]
    assert service["Restart"] == "always" and "--fullscreen" in service["ExecStart"]
    argv = shlex.split(service["ExecStart"].replace("%i", "3"))
    assert argv[:2] == ["/opt/qms/.venv/bin/python", "/opt/qms/main.py"]
    sys.path.insert(0, str(ROOT))
    from main import build_parser

    args = build_parser().parse_args(argv[2:])
    assert args.command == "kiosk" and args.fullscreen
    assert parser["Install"]["WantedBy"] == "graphical.target"

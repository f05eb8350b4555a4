#!/usr/bin/env python3
"""Benchmark of the firmware bridge: a key press on the wire → `event/called`, and → the LED screen's bytes.

Run: `.venv/bin/python bench/bridge.py [--presses 200]`. See docs/benchmarks.md ("Firmware bridge").

Why it measures what it measures:

- What a clerk waits for after pressing 呼叫 is the number on the LED window screen and the call in the
  hall (screen, voice). So the clock starts when the press frame is written to the keypad's end of the
  pty and stops (a) when `event/called` for that window reaches a separate MQTT listener, as the hall
  screen and the voice hear it, (b) when the LED twin has read the whole text frame with the number,
  and (c) when the keypad twin has read the display frame with the number.
- Everything runs as in a hall: a private Mosquitto, `main.py controller` (SQLite, synchronous=FULL) and
  `main.py bridge` as their own processes, the keypad and the LED screen as twins on socat pty pairs.
  The press goes through the bridge's parser and decision, MQTT to the controller, the durable commit,
  MQTT back (reply, event, retained window state) and the bridge's LED driver.
- A pty has no baud rate: bytes cross at once. On a real RS-485 line at 9600 8N1 each byte takes
  1.04 ms, so the wire time of the frames (printed, computed, not measured) adds to the figures there.
- One press at a time, the next after the previous one is fully shown (a clerk does not press faster), so
  the figures are latency, not throughput. The repeat guard (`key_holdoff_s`) is set to 0 here, else the
  same key could not be pressed twice within 0.8 s. The first presses are a warm-up and not counted.
No figure is asserted: this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.controller import cpu_seconds, first_line, machine_busy_seconds, percentiles  # noqa: E402
from contract.client import HallClient  # noqa: E402
from firmware_bridge.codecs import ff68  # noqa: E402
from firmware_bridge.virtual.rig import VirtualRig  # noqa: E402
from testbed.broker import PrivateBroker  # noqa: E402
from testbed.processes import die_with_parent, stop_process  # noqa: E402

WINDOW, STAFF, PIN = 3, "1003", "1234"
BYTE_S_9600 = 10 / 9600  # one byte on the wire at 9600 8N1


def hall_config(path: Path) -> None:
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = "benchbridge", []
    for category in raw["categories"].values():
        category["daily_cap"] = 999
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


class Watch:
    """When each number was called (MQTT), shown on the LED screen and on the keypad (pty)."""

    def __init__(self):
        self.cond = threading.Condition()
        self.called: dict[str, float] = {}
        self.led: dict[str, float] = {}
        self.keypad: dict[str, float] = {}

    def on_event(self, incoming) -> None:
        at = time.monotonic()
        data = incoming.json()
        if data.get("window") == WINDOW:
            with self.cond:
                self.called.setdefault(data["number"], at)
                self.cond.notify_all()

    def on_screen(self, what, value, at) -> None:
        address, row, text = value
        if address == WINDOW and row == 1 and text.endswith(f"请到{WINDOW}号窗口"):
            with self.cond:
                self.led.setdefault(text.split(" ")[0], at)
                self.cond.notify_all()

    def on_keypad(self, what, value, at) -> None:
        if what == "display" and value[0] == WINDOW and not value[1].endswith("_"):
            with self.cond:
                self.keypad.setdefault(value[1].split(" ")[1], at)
                self.cond.notify_all()


def run(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="qms-bench-bridge-"))
    hall_file = work / "hall.yaml"
    hall_config(hall_file)
    processes: list[subprocess.Popen] = []
    broker = PrivateBroker().start()
    rig = VirtualRig(work / "tty", "benchbridge", (WINDOW,), name="bench",
                     port_tuning={"key_holdoff_s": 0, "poll_s": 10}).start()
    watch = Watch()
    rig.screens.listeners.append(watch.on_screen)
    rig.bus.listeners.append(watch.on_keypad)
    clients: list[HallClient] = []
    try:
        address = f"127.0.0.1:{broker.port}"
        bridge_file = work / "bridge.yaml"
        bridge_file.write_text(yaml.safe_dump(rig.config(), allow_unicode=True), encoding="utf-8")
        for command, log in ((["controller", "--config", str(hall_file), "--db", str(work / "hall.db")], "controller"),
                             (["bridge", "--config", str(bridge_file)], "bridge")):
            with open(work / f"{log}.log", "w") as handle:
                processes.append(subprocess.Popen(
                    [sys.executable, str(ROOT / "main.py"), *command, "--broker", address, "--log-level", "warning"],
                    stdin=subprocess.DEVNULL, stdout=handle, stderr=handle, cwd=ROOT, preexec_fn=die_with_parent))
        listener = HallClient("display-bench", "benchbridge", "127.0.0.1", broker.port, deliver=watch.on_event)
        listener.subscribe(listener.topics.event("called"))
        kiosk = HallClient("kiosk-bench", "benchbridge", "127.0.0.1", broker.port)
        clients += [listener, kiosk]
        for client in clients:
            client.start(wait=10)
        if not kiosk.wait_for_controller(30):
            raise RuntimeError(f"the controller did not come up; see {work / 'controller.log'}")
        total = args.warmup + args.presses
        for _ in range(total + 1):
            assert kiosk.request("issue_ticket", {"category": "social"}, timeout=10)["ok"]
        rig.bus.wait_for(lambda: rig.bus.displays.get(WINDOW), 30, "the bridge's first display")
        rig.bus.type(WINDOW, STAFF, "confirm", PIN, "confirm")
        rig.screens.wait_for(lambda: rig.screens.rows[WINDOW].get(1) == "欢迎光临", 10, "the login")

        press = ff68.encode(ff68.key_press(WINDOW, ff68.KEY_CALL))
        samples = {"called": [], "led": [], "keypad": [], "called_to_led": []}
        cpu_before = {p.pid: cpu_seconds(p.pid) for p in processes}
        busy_before, wall_before = machine_busy_seconds(), time.monotonic()
        for i in range(total):
            number = f"B{i + 1:03d}"
            t0 = time.monotonic()
            rig.bus.write(press)
            with watch.cond:
                ok = watch.cond.wait_for(lambda n=number: n in watch.called and n in watch.led
                                         and n[1:] in watch.keypad, 10)
            if not ok:
                raise RuntimeError(f"press {i}: {number} not called and shown within 10 s")
            if i >= args.warmup:
                samples["called"].append(watch.called[number] - t0)
                samples["led"].append(watch.led[number] - t0)
                samples["keypad"].append(watch.keypad[number[1:]] - t0)
                samples["called_to_led"].append(watch.led[number] - watch.called[number])
            time.sleep(args.gap)
        wall = time.monotonic() - wall_before
        cpu = {name: round(100 * (cpu_seconds(p.pid) - cpu_before[p.pid]) / wall, 1)
               for name, p in zip(("controller", "bridge"), processes)}
        led_frame_bytes = len(f"B001 请到{WINDOW}号窗口".encode("gb2312")) + 3 + 6
        return {
            "when": datetime.now().isoformat(timespec="seconds"), "presses": args.presses, "warmup": args.warmup,
            "gap_s": args.gap,
            "press_to_event_called": percentiles(samples["called"]),
            "press_to_led_text_read": percentiles(samples["led"]),
            "press_to_keypad_display_read": percentiles(samples["keypad"]),
            "event_called_to_led_text_read": percentiles(samples["called_to_led"]),
            "wire_ms_at_9600": {"press_frame": round(len(press) * BYTE_S_9600 * 1000, 1),
                                "led_row_1_frame": round(led_frame_bytes * BYTE_S_9600 * 1000, 1),
                                "keypad_display_frame": round(15 * BYTE_S_9600 * 1000, 1)},
            "cpu_pct": cpu, "other_processes_cpu_pct": round(
                100 * (machine_busy_seconds() - busy_before) / wall - sum(cpu.values()), 1),
            "machine": {"nproc": len(os.sched_getaffinity(0)), "python": platform.python_version(),
                        "mosquitto": first_line([broker.binary, "-h"]), "kernel": platform.release(),
                        "loadavg_at_end": os.getloadavg()},
            "commit": first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        }
    finally:
        for client in clients:
            client.stop()
        for process in reversed(processes):
            stop_process(process)
        rig.stop()
        broker.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=200, help="measured presses (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="presses not counted (default 10)")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between presses (default 0.05)")
    args = parser.parse_args()
    result = run(args)
    out = ROOT / "bench" / "results" / f"bridge-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print("| figure | count | median ms | p90 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |")
    for key, label in (("press_to_event_called", "key press → `event/called` heard"),
                       ("press_to_led_text_read", "key press → LED screen has read its text"),
                       ("press_to_keypad_display_read", "key press → keypad has read its display"),
                       ("event_called_to_led_text_read", "`event/called` heard → LED screen has read its text")):
        f = result[key]
        print(f"| {label} | {f['count']} | {f['median']} | {f['p90']} | {f['p99']} | {f['max']} |")
    print(f"\nwire time at 9600 8N1 not in these figures (a pty has no baud rate): {result['wire_ms_at_9600']}")
    print(f"CPU % during the presses: {result['cpu_pct']}, other processes {result['other_processes_cpu_pct']} %")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

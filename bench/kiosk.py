#!/usr/bin/env python3
"""Benchmark of the kiosk: touch → ticket on screen, start-up time and memory.

Run: `.venv/bin/python bench/kiosk.py [--touches 200]`. See docs/benchmarks.md ("Kiosk").

Why it measures what it measures:

- Touch → ticket on screen is what a citizen waits for. It is timed from a simulated finger
  going down and up on the 普通取号 button (Kivy's own touch dispatch, as testbed.screens.tap
  does) until the frame after the ticket screen shows the number: the presenter, the MQTT
  request, the controller's durable reply (a separate `main.py controller` process with
  SQLite synchronous=FULL), the hand-over to Kivy's clock and one rendered frame. With a
  printer, the paper status is asked first (DLE EOT 4 over a pty to the virtual printer),
  so that path is measured both ways: printing off, and printing on.
- Kivy draws at most 60 frames a second, so figures include up to a frame of waiting.
- Start-up is a fresh `main.py kiosk` process, off-screen, until the controller sees its
  retained `online` birth (imports, window, screens, connection); memory is its resident set
  (VmRSS, VmHWM) 5 s later, once the home screen has been drawn.

Everything runs on this machine (broker, controller, kiosk) and is reported with its CPU
neighbours; nothing here is asserted: this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.controller import percentiles, start_controller
from testbed.broker import PrivateBroker
from testbed.processes import die_with_parent, stop_process

HALL = "benchkiosk"
CATEGORIES = ("general", "social", "estate", "business", "tax", "fund")


def hall_config() -> dict:
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = HALL, []
    for category in raw["categories"].values():
        category["daily_cap"] = 999
    return raw


TICKET_TEXTS = ("number", "category", "ahead", "wait", "windows", "message", "token")


def shown(app) -> list:
    ids = app.root.get_screen("ticket").ids
    return [ids[name] for name in TICKET_TEXTS]


def touch_to_screen(app, touches: int, label: str) -> list[float]:
    """Seconds from a tap on 普通取号 to the frame that shows the number."""
    from kivy.base import EventLoop
    from kivy.tests.common import UnitTestTouch

    from testbed.screens import settle

    kiosk = app.presenter
    times = []
    for index in range(touches):
        kiosk.take.start(category=CATEGORIES[index % len(CATEGORIES)])
        settle(3)
        button = next(w for w in app.root.current_screen.walk(restrict=True)
                      if getattr(w, "key", None) == "normal")
        x, y = button.to_window(*button.center)
        before = app.root.current_screen.manager.get_screen("ticket").ids.number.text
        start = time.perf_counter()
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        number = app.root.get_screen("ticket").ids.number
        deadline = start + 10
        # Until every text of the ticket screen has its texture (Kivy renders a label's texture on a
        # later frame than its text is set; Label._label is the core label it renders), then the frame
        # that draws them: the whole ticket — number, category, people ahead, wait, windows, QR — is shown.
        while not (app.root.current == "ticket" and number.text and (number.text != before or index == 0)
                   and all(w._label is not None and w.text in w._label.text for w in shown(app))):
            EventLoop.idle()
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{label}: no ticket on screen after 10 s (touch {index})")
        EventLoop.idle()
        times.append(time.perf_counter() - start)
        kiosk.ticket.done()
    return times


def start_up(port: int, work: Path) -> dict:
    """A fresh kiosk process: seconds until its birth reaches the broker, and its memory once settled."""
    from contract.client import HallClient

    seen: dict[str, float] = {}
    watcher = HallClient("display-benchwatch", HALL, "127.0.0.1", port,
                         deliver=lambda m: seen.setdefault("online", time.perf_counter())
                         if b"online" in m.payload and not m.retain else None)
    watcher.subscribe(watcher.topics.status("kiosk-KB"))
    watcher.start(wait=10)
    env = {**os.environ, "KIVY_HOME": str(work / "kivyhome"), "SDL_VIDEODRIVER": "offscreen"}
    (work / "kivyhome").mkdir(exist_ok=True)
    begun = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "kiosk", "--name", "KB", "--hall", HALL,
                                "--broker", f"127.0.0.1:{port}", "--size", "1280x800", "--log-level", "warning"],
                               cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
    try:
        while "online" not in seen:
            if process.poll() is not None or time.perf_counter() - begun > 60:
                raise RuntimeError("the kiosk did not come online")
            time.sleep(0.005)
        online_s = seen["online"] - begun
        time.sleep(5)
        status = Path(f"/proc/{process.pid}/status").read_text()
        memory = {line.split(":")[0]: int(line.split()[1]) // 1024 for line in status.splitlines()
                  if line.startswith(("VmRSS", "VmHWM"))}
    finally:
        stop_process(process)
        watcher.stop()
    return {"to_online_s": round(online_s, 3), "rss_mb": memory.get("VmRSS"), "peak_rss_mb": memory.get("VmHWM")}


def printer_process(work: Path):
    """The virtual printer in a process of its own, as a real printer is: its parsing of each slip
    (pure Python) then does not compete with the kiosk's UI thread for this process's GIL."""
    process = subprocess.Popen([sys.executable, "-m", "firmware_bridge.virtual.printer"], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    line = process.stdout.readline()
    return process, line.rsplit("serial:", 1)[1].strip()


def profiled(app, touches: int, label: str, out: Path) -> list[float]:
    """touch_to_screen under cProfile (the UI thread); the 25 costliest functions go to `out`."""
    import cProfile
    import io
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    times = touch_to_screen(app, touches, label)
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(40)
    out.write_text(text.getvalue())
    return times


def run(touches: int, startups: int, profile_dir: Path | None = None) -> dict:
    from appkit import boot

    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
    boot.prepare(headless=True, size=(1280, 800))
    from kivy.core.window import Window

    from firmware_bridge.virtual.printer import VirtualPrinter
    from kiosk.ui.app import KioskApp
    from testbed.screens import settle

    work = Path(tempfile.mkdtemp(prefix="qms-bench-kiosk-"))
    config_path = work / "hall.yaml"
    config_path.write_text(yaml.safe_dump(hall_config(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    results: dict = {"started": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "touches": touches,
                     "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "kernel": platform.release(), "load_avg_1m_at_start": os.getloadavg()[0]}}
    with PrivateBroker() as broker:
        controller = start_controller(config_path, work / "hall.db", broker.port)
        printer = VirtualPrinter().start_on_pty(work / "printer")
        separate, separate_device = printer_process(work)
        try:
            for label, spec in (("printing off", "none"),
                                ("printing on (virtual serial printer)", f"serial:{printer.device}"),
                                ("printing on (virtual printer in its own process)", f"serial:{separate_device}")):
                app = KioskApp(name=f"K{len(results)}", hall=HALL, host="127.0.0.1", port=broker.port,
                               printer=spec)
                app._run_prepare()
                settle(until=lambda: app.presenter.screen == "home", timeout=30)
                touch_to_screen(app, 5, label)  # warm-up: first textures, first QR
                if profile_dir is not None:
                    times = profiled(app, touches, label, profile_dir / f"kiosk-profile-{len(results)}.txt")
                else:
                    times = touch_to_screen(app, touches, label)
                results[label] = percentiles(times)
                if spec == f"serial:{printer.device}":
                    results[label]["slips_printed"] = len(printer.slips)
                app.shutdown()
                Window.remove_widget(app.root)
            runs = [start_up(broker.port, work) for _ in range(startups)]
            results["start_up"] = {"runs": runs,
                                   "to_online_s_median": sorted(r["to_online_s"] for r in runs)[len(runs) // 2],
                                   "rss_mb_median": sorted(r["rss_mb"] for r in runs)[len(runs) // 2]}
        finally:
            printer.stop()
            stop_process(separate)
            stop_process(controller)
    results["machine"]["load_avg_1m_at_end"] = os.getloadavg()[0]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description="kiosk benchmark: touch → ticket on screen, start-up, memory")
    parser.add_argument("--touches", type=int, default=200)
    parser.add_argument("--startups", type=int, default=3)
    parser.add_argument("--profile", help="a folder: cProfile of the UI thread per mode goes there")
    args = parser.parse_args()
    results = run(args.touches, args.startups, Path(args.profile) if args.profile else None)
    out = ROOT / "bench" / "results" / f"kiosk-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

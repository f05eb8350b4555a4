#!/usr/bin/env python3
"""What a flood of wrong PINs costs everyone else: a kiosk's ticket round trips while a window device
sends 300 logins with wrong PINs at once (issue 9, item 6).

Run: `.venv/bin/python bench/pins.py [--floods 300]`. The real controller on a thread of this process,
a private Mosquitto, SQLite with the production settings. The kiosk takes a ticket every 20 ms and
times each reply; the figures are its round trips before the flood and while the flood is being
answered, and how long the 300 refusals took in all. Each check of a wrong PIN is a PBKDF2 of
`contract/privacy.py` (20,000 iterations); a locked staff number or window is refused without one.
Nothing is asserted: this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testbed.broker import PrivateBroker  # noqa: E402
from testbed.controller import DEMO_CONFIG, RunningController  # noqa: E402


def round_trips(kiosk, stop: threading.Event, out: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        kiosk.request("issue_ticket", {"category": "general"}, timeout=30)
        out.append(time.perf_counter() - started)
        time.sleep(0.02)


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "median_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(values[int(len(values) * 0.95) - 1] * 1000, 1) if len(values) > 1 else None,
            "max_ms": round(values[-1] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floods", type=int, default=300)
    args = parser.parse_args()
    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = f"b{uuid.uuid4().hex[:8]}", []
    with PrivateBroker() as broker, tempfile.TemporaryDirectory() as folder:
        running = RunningController(raw, Path(folder) / "hall.db", broker)
        try:
            kiosk, window = running.device("kiosk-K1"), running.device("window-3")
            replies = threading.Semaphore(0)
            window.deliver = lambda incoming: replies.release()
            staff = sorted(running.config.staff)[0]
            quiet: list[float] = []
            stop = threading.Event()
            thread = threading.Thread(target=round_trips, args=(kiosk, stop, quiet))
            thread.start()
            time.sleep(1.0)
            stop.set()
            thread.join()
            during: list[float] = []
            stop = threading.Event()
            thread = threading.Thread(target=round_trips, args=(kiosk, stop, during))
            thread.start()
            time.sleep(0.2)
            started = time.perf_counter()
            for n in range(args.floods):
                window.publish(window.topics.cmd("window-3", "login"),
                               {"id": f"guess-{n}", "staff_id": staff, "pin": f"{n:04d}"})
            for _ in range(args.floods):
                replies.acquire(timeout=60)
            flood_s = time.perf_counter() - started
            time.sleep(0.2)
            stop.set()
            thread.join()
        finally:
            running.stop()
    print(json.dumps({"wrong_pins": args.floods, "flood_answered_s": round(flood_s, 2),
                      "kiosk_quiet": summary(quiet), "kiosk_during_flood": summary(during)}, indent=1))


if __name__ == "__main__":
    main()

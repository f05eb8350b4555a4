#!/usr/bin/env python3
"""Benchmark of a call as the hall sees and hears it: call_next → hall screen, call_next → loudspeaker.

Run: `.venv/bin/python bench/calls.py [--quick]`. See docs/benchmarks.md ("Calls seen and heard").

Why it measures what it measures:

- A citizen waits for two things after staff press 呼叫下一位: the number on the hall screen and
  the voice. Both are measured from the window's `publish()` of `call_next`, through the real
  controller process (SQLite synchronous=FULL, the production setting) and a private Mosquitto.
- Hall screen: the real HallScreen (Kivy, off-screen through Mesa, 1920×1080, 60 fps cap) in this
  process. Two times: when the call panel's label was set (the app's own latency: broker, link,
  presenter) and the first `on_flip` of a frame showing it, after glFinish — a frame that has been
  rendered, not merely submitted. Off-screen rendering is software (llvmpipe), so the frame figure
  is mostly this machine's CPU drawing 1920×1080; the cost of one full redraw is measured too.
- Voice: the real announcer as its own `main.py voice` process (as deployed: no Kivy in it), writing
  WAV files, with `--timing-log`: one JSON line per announcement with its times on the system-wide
  monotonic clock, the one `time.perf_counter` reads here. "First audio" is when the first sample
  (the chime) was written to the WAV file; "first speech" is when the first spoken sample was
  handed to the sink, after the chime. Both with the clip cache (a call joined from clips
  synthesized at start-up) and without it (`--no-cache`: the sentence synthesized by espeak-ng
  when the call comes — the fallback).
- Calls go one at a time (the next after both are done, plus 50 ms), so the figures are latency,
  not queueing. Windows 1-6 take turns; every call is a new ticket.

Nothing is asserted: this is a benchmark, not a test. The JSON in bench/results/ keeps every figure
and the machine's load while it ran.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
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

from appkit import boot  # noqa: E402

boot.prepare(headless=True, size=(1920, 1080))

from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.graphics.opengl import GL_RENDERER, glFinish, glGetString  # noqa: E402

from appkit.link import HallLink  # noqa: E402
from contract.client import HallClient  # noqa: E402
from display.hall_screen import HallScreen  # noqa: E402
from testbed.broker import PrivateBroker  # noqa: E402
from testbed.processes import die_with_parent, stop_process  # noqa: E402
from appkit.software_gl import pace_software_frames  # noqa: E402

HALL = "benchcalls"
PIN = "1234"
WINDOWS = {1: ("general", "1001"), 2: ("general", "1002"), 3: ("social", "1003"), 4: ("social", "1007"),
           5: ("estate", "1004"), 6: ("estate", "1006")}


def percentiles(seconds: list[float]) -> dict:
    """count, median, p90, p99, max in ms (nearest-rank)."""
    values = sorted(seconds)
    if not values:
        return {"count": 0}
    rank = lambda p: values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]  # noqa: E731
    return {"count": len(values), "median": round(statistics.median(values) * 1000, 2),
            "p90": round(rank(90) * 1000, 2), "p99": round(rank(99) * 1000, 2), "max": round(values[-1] * 1000, 2)}


def busy_cores_since(start: tuple[float, float]) -> float:
    """Cores the whole machine kept busy since `start` (from /proc/stat)."""
    busy, wall = _busy(), time.monotonic()
    return round((busy - start[0]) / max(1e-9, wall - start[1]), 2)


def _busy() -> float:
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class Bench:
    def __init__(self, port: int, calls: int):
        self.port, self.calls = port, calls
        self.paced = pace_software_frames()  # as `main.py display` does
        self.link = HallLink("display-bench", HALL, "127.0.0.1", port)
        self.screen = HallScreen(self.link)
        self.screen.size_hint = (None, None)
        self.screen.size = (1920, 1080)  # the window already is (setting Window.size again slows software GL)
        Window.add_widget(self.screen)
        self.link.start()
        self.first_flip: dict[str, float] = {}  # number -> the first frame that showed it
        Window.bind(on_flip=lambda *a: self._on_flip(*a))
        self.spoken: dict[str, dict] = {}  # number -> its line of the voice's timing log

    def _on_flip(self, *_):
        number = self.screen.shown_number
        if number and number not in self.first_flip:  # every number: the reply may come after the frame
            glFinish()  # the frame is rendered, not only submitted to the (software) GL
            self.first_flip[number] = time.perf_counter()

    def frame_cost(self, frames: int = 20) -> dict:
        """What one full redraw of this screen costs here (draw + glFinish): the floor under every update."""
        costs = []
        for _ in range(frames):
            start = time.perf_counter()
            Window.dispatch("on_draw")
            glFinish()
            costs.append(time.perf_counter() - start)
        return percentiles(costs)

    def pump(self, until, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            EventLoop.idle()
            if until():
                return True
        return False

    def _read_timings(self, path: Path, offset: list) -> None:
        """New lines of the voice process's timing log (number -> its timing)."""
        try:
            with open(path, encoding="utf-8") as handle:
                handle.seek(offset[0])
                for line in handle:
                    if line.endswith("\n"):
                        entry = json.loads(line)
                        self.spoken[entry["number"]] = entry
                        offset[0] += len(line.encode("utf-8"))
        except FileNotFoundError:
            pass

    def run_mode(self, windows: dict, use_cache: bool, work: Path) -> dict:
        """One mode: the voice as its own `main.py voice` process (as deployed: no Kivy, no GIL shared)."""
        name = "cache" if use_cache else "whole"
        timing = work / f"voice-{name}.jsonl"
        online = threading.Event()
        watcher = HallClient("display-bench-watch", HALL, "127.0.0.1", self.port,
                             deliver=lambda m: online.set() if m.payload and m.json().get("status") == "online"
                             else online.clear())
        watcher.subscribe(watcher.topics.status(f"voice-bench{name}"))
        watcher.start(wait=10)
        warm = time.perf_counter()
        voice = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "voice", "--hall", HALL, "--broker", f"127.0.0.1:{self.port}",
             "--name", f"bench{name}", "--output", "wav", "--wav-dir", str(work / f"wav-{name}"),
             "--timing-log", str(timing), "--log-level", "warning", *([] if use_cache else ["--no-cache"])],
            cwd=ROOT, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.pump(online.is_set, 30)
        warm_s = time.perf_counter() - warm
        offset = [0]
        set_s, screen_s, audio_s, speech_s, missed, fallbacks = [], [], [], [], 0, 0
        started = (_busy(), time.monotonic())
        try:
            for i in range(self.calls):
                client, replies = windows[1 + i % len(windows)]
                request_id = f"bench-{use_cache}-{i}"
                box = replies.setdefault(request_id, [])
                t0 = time.perf_counter()
                client.publish(client.topics.cmd(client.device, "call_next"), {"id": request_id})
                called = self._await_call(box)
                if called is None:
                    missed += 1
                    continue

                def done(n=called) -> bool:
                    self._read_timings(timing, offset)
                    return n in self.first_flip and n in self.spoken

                if not self.pump(done):
                    missed += 1
                    continue
                spoken = self.spoken[called]
                fallbacks += bool(spoken["fallback"])
                set_s.append(self.screen.shown_at - t0)
                screen_s.append(self.first_flip[called] - t0)
                audio_s.append(spoken["first_audio_at"] - t0)
                speech_s.append(spoken["first_speech_at"] - t0)
                end = time.monotonic() + 0.05
                self.pump(lambda t=end: time.monotonic() >= t, 1)
        finally:
            stop_process(voice)
            watcher.stop()
        return {"clip_cache": use_cache, "voice_start_up_to_online_s": round(warm_s, 2), "missed": missed,
                "whole_phrase_announcements": fallbacks, "machine_busy_cores": busy_cores_since(started),
                "call_next_to_hall_screen_label_set": percentiles(set_s),
                "call_next_to_hall_screen_frame": percentiles(screen_s),
                "call_next_to_first_audio_sample": percentiles(audio_s),
                "call_next_to_first_speech_sample": percentiles(speech_s)}

    def _await_call(self, box: list) -> str | None:
        """The number the controller called (from its reply), while Kivy keeps drawing."""
        self.pump(lambda: bool(box), 10)
        reply = box[0] if box else None
        if not reply or not reply.get("ok"):
            return None
        return reply["result"]["ticket"]["number"]


def window_client(port: int, number: int, staff: str) -> tuple[HallClient, dict]:
    """A logged-in window, and the replies to its commands by request id (filled on paho's thread)."""
    replies: dict[str, list] = {}

    def deliver(incoming):
        try:
            data = incoming.json()
        except ValueError:
            return
        if isinstance(data, dict) and data.get("id") in replies:
            replies[data["id"]].append(data)

    client = HallClient(f"window-{number}", HALL, "127.0.0.1", port, deliver=deliver)
    client.listen_for_replies()
    client.start(wait=10)
    if not client.wait_for_controller(20):
        raise RuntimeError("the controller did not come up")
    reply = client.request("login", {"staff_id": staff, "pin": PIN})
    if not reply["ok"]:
        raise RuntimeError(f"login at window {number}: {reply}")
    return client, replies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=150, help="calls per mode (default 150)")
    parser.add_argument("--quick", action="store_true", help="40 calls per mode")
    args = parser.parse_args()
    calls = 40 if args.quick else args.calls
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw.update(hall=HALL, ticketing_hours=[])
    work = Path(tempfile.mkdtemp(prefix="qms-bench-calls-"))
    (work / "hall.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    broker = PrivateBroker().start()
    controller = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "controller", "--config", str(work / "hall.yaml"), "--db",
         str(work / "hall.db"), "--broker", f"127.0.0.1:{broker.port}", "--synchronous", "FULL",
         "--log-level", "warning"], cwd=ROOT, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
    clients: list[HallClient] = []
    results: dict = {"started": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "calls_per_mode": calls,
                     "machine": {"nproc": os.cpu_count(), "loadavg_at_start": os.getloadavg()}}
    try:
        bench = Bench(broker.port, calls)
        windows = {n: window_client(broker.port, n, staff) for n, (_, staff) in WINDOWS.items()}
        clients += [client for client, _ in windows.values()]
        kiosk = HallClient("kiosk-bench", HALL, "127.0.0.1", broker.port)
        kiosk.start(wait=10)
        clients.append(kiosk)
        per_window = math.ceil(2 * calls / len(WINDOWS)) + 1
        for category in sorted({c for c, _ in WINDOWS.values()}):
            for _ in range(2 * per_window):
                kiosk.request("issue_ticket", {"category": category}, timeout=10)
        bench.pump(lambda: bench.link.online and bench.screen.presenter.hall.queues, 10)
        bench.pump(lambda: False, 0.5)
        results["machine"]["gl_renderer"] = glGetString(GL_RENDERER).decode(errors="replace")
        results["hall_screen_full_redraw"] = bench.frame_cost()
        results["modes"] = [bench.run_mode(windows, True, work), bench.run_mode(windows, False, work)]
    finally:
        for client in clients:
            client.stop()
        stop_process(controller)
        broker.stop()
    print_results(results)
    out = ROOT / "bench" / "results" / f"calls-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten {out.relative_to(ROOT)} (WAVs in {work})")
    return 0


def print_results(results: dict) -> None:
    print(f"\n{results['calls_per_mode']} calls per mode, one at a time\n")
    print("| figure | voice | count | median ms | p90 ms | p99 ms | max ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for mode in results["modes"]:
        name = "clip cache" if mode["clip_cache"] else "whole-phrase synthesis"
        for figure in ("call_next_to_hall_screen_label_set", "call_next_to_hall_screen_frame",
                       "call_next_to_first_audio_sample",
                       "call_next_to_first_speech_sample"):
            p = mode[figure]
            print(f"| {figure.replace('_', ' ')} | {name} | {p['count']} | {p.get('median')} | {p.get('p90')} | "
                  f"{p.get('p99')} | {p.get('max')} |")
    frame = results["hall_screen_full_redraw"]
    print(f"\none full redraw of the hall screen (draw + glFinish, {results['machine']['gl_renderer']}): "
          f"median {frame['median']} ms, p90 {frame['p90']} ms")
    for mode in results["modes"]:
        print(f"clip cache {mode['clip_cache']}: voice start-up to online {mode['voice_start_up_to_online_s']} s, "
              f"missed {mode['missed']}, whole-phrase announcements {mode['whole_phrase_announcements']}, "
              f"machine busy {mode['machine_busy_cores']} cores")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark of the hall controller: latency under a steady load, and its ceiling of durable commands/s.

Run: `.venv/bin/python bench/controller.py [--quick]` (or `make bench`). See docs/benchmarks.md.

Why it measures what it measures:

- A reply means "committed to SQLite" (docs/protocol.md), so the request → reply time of a command is what
  a citizen at a kiosk or a clerk at a window waits for: two broker hops, the controller's batch loop,
  the SQLite transaction and its fsync (synchronous=FULL, the production setting). It is measured
  from the `publish()` of the command to the reply arriving in the device's `deliver` callback.
- call_next → `event/called` is what the hall screen and the voice wait for before the number is
  shown and spoken, so it is measured too, by a separate listener client, as a display would hear it.
- The steady phase offers 50 commands/s from 20 kiosks and 100 staffed windows, each on its own MQTT
  connection as in a hall. That is far more than a real hall (100 windows calling every few minutes),
  so it shows latency with headroom. It is open loop — commands go out at scheduled times whatever
  the replies do — so a slow reply cannot hide itself by slowing the offered load.
- The throughput phase keeps DEPTH issue_ticket commands outstanding per kiosk (closed loop with
  pipelining) to find how many durable commands/s the controller sustains with group commit. Latency
  there is mostly queueing (Little's law: outstanding / rate), reported to show the cost of the ceiling.
  Each category's daily cap (999) bounds the tickets one day can hold; the phase stops early when
  they are all issued, and says so.
- Afterwards the SQLite file is read: as many tickets as ok replies, the same ids, none twice.
- A one-row SQLite commit (WAL, synchronous=FULL) is timed on the same disk first: the floor that
  the disk alone puts under every reply, since fsync costs differ by orders of magnitude between a
  VM's cached disk, an SSD and a spinning disk.

The broker, the controller and this script (121 MQTT connections, one thread each) share the
machine, so the figures include the load generator's own cost; the CPU used per phase by each of
them, and by every other process on the (possibly shared) machine, is reported to show where the
time goes and how noisy the run was. No figure is asserted: this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import signal
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

from config.schema import validate  # noqa: E402
from contract.client import HallClient, Incoming  # noqa: E402
from controller.store import SQLITE_VERSION, Store, time_commits  # noqa: E402
from testbed.broker import PrivateBroker  # noqa: E402
from testbed.processes import die_with_parent, stop_process  # noqa: E402

HALL = "bench"
KIOSKS, WINDOWS = 20, 100
PIN = "1234"  # every demo staff PIN
RATE = 50.0  # steady phase: commands/s offered
ISSUE_SHARE = 0.6  # steady phase: the rest are call_next
DEPTH = 20  # throughput phase: outstanding commands per kiosk
CAP = 999  # the schema's highest daily cap per category
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- set-up ------------------------------------------------------------------------------------


def bench_config() -> dict:
    """The demo hall as 'bench': open all day, caps at 999, windows 1-100 each with its own staff."""
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"] = HALL
    raw["ticketing_hours"] = []
    for category in raw["categories"].values():
        category["daily_cap"] = CAP
    codes = list(raw["categories"])
    pin_hash = next(iter(raw["staff"].values()))["pin_hash"]  # PIN 1234; the salt is inside the hash
    raw["windows"] = {n: {"name": {"zh": f"{n}号窗口", "en": f"Window {n}"},
                          "primary": [codes[(n - 1) % len(codes)]], "secondary": [codes[n % len(codes)]]}
                      for n in range(1, WINDOWS + 1)}
    raw["staff"] = {staff_id(n): {"name": f"测试员{n}", "pin_hash": pin_hash, "windows": [n]}
                    for n in range(1, WINDOWS + 1)}
    validate(raw)
    return raw


def staff_id(window: int) -> str:
    return str(2000 + window)


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one when pid is None), all threads."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine spent busy (from /proc/stat), to see others' load."""
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK  # all but idle and iowait


def first_line(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def machine_info(broker: PrivateBroker, data_dir: str) -> dict:
    model = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_model": model,
            "python": platform.python_version(), "mosquitto": first_line([broker.binary, "-h"]),
            "sqlite": SQLITE_VERSION, "kernel": platform.release(),
            "db_filesystem": first_line(["findmnt", "-n", "-o", "FSTYPE", "--target", data_dir]),
            "sqlite_one_row_commit_ms": commit_probe(data_dir), "loadavg_at_start": os.getloadavg()}


def commit_probe(data_dir: str) -> dict:
    """The floor under every reply on this disk: a one-row SQLite commit in WAL mode with
    synchronous=FULL (the controller's settings), i.e. a WAL append and its fsync."""
    return percentiles(time_commits(data_dir))


def percentiles(seconds: list[float]) -> dict:
    """count, median, p90, p99, max in ms (nearest-rank percentiles)."""
    if not seconds:
        return {"count": 0, "median": None, "p90": None, "p99": None, "max": None}
    values = sorted(seconds)

    def rank(p: float) -> float:
        return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]

    return {"count": len(values), "median": round(statistics.median(values) * 1000, 2),
            "p90": round(rank(90) * 1000, 2), "p99": round(rank(99) * 1000, 2), "max": round(values[-1] * 1000, 2)}


# --- the devices ---------------------------------------------------------------------------------


class Bench:
    """All device connections, what they sent and when, and what came back."""

    def __init__(self, port: int):
        self.port = port
        self.lock = threading.Lock()
        self.clients: dict[str, HallClient] = {}
        self.seq = 0
        self.sent: dict[tuple[str, str], tuple[str, str, float]] = {}  # (device, id) → (phase, action, t)
        self.replies: list[dict] = []  # phase, action, device, latency_s, at, reply
        self.calls: dict[tuple[int, str], float] = {}  # (window, number) of an ok call_next → its send time
        self.called: dict[tuple[int, str], float] = {}  # (window, number) → arrival of event/called
        self.on_reply = None  # the throughput phase's "send the next one"

    def connect(self, device: str) -> HallClient:
        client = HallClient(device, HALL, "127.0.0.1", self.port,
                            deliver=lambda message, d=device: self.deliver(d, message))
        client.listen_for_replies()
        self.clients[device] = client
        if not client.start(10) or not client.wait_for_controller(30):
            raise RuntimeError(f"{device} could not reach the broker or the controller")
        return client

    def listen_for_calls(self) -> HallClient:
        client = HallClient("display-bench", HALL, "127.0.0.1", self.port, deliver=self.heard_call)
        client.subscribe(client.topics.event("called"))
        self.clients[client.device] = client
        if not client.start(10) or not client.wait_for_controller(30):
            raise RuntimeError("the event listener could not connect")
        return client

    def send(self, device: str, action: str, fields: dict, phase: str) -> None:
        client = self.clients[device]
        with self.lock:
            self.seq += 1
            request_id = f"{phase[:2]}{self.seq}"
            self.sent[(device, request_id)] = (phase, action, time.perf_counter())
        client.publish(client.topics.cmd(device, action), {"id": request_id, **fields})

    def deliver(self, device: str, message: Incoming) -> None:
        now = time.perf_counter()
        if "/reply/" not in message.topic:
            return
        reply = message.json()
        with self.lock:
            sent = self.sent.pop((device, reply.get("id")), None)
            if sent is None:
                return
            phase, action, t0 = sent
            self.replies.append({"phase": phase, "action": action, "device": device, "latency": now - t0,
                                 "at": now, "reply": reply})
            if action == "call_next" and reply.get("ok"):
                ticket = reply["result"]["ticket"]
                self.calls[(ticket["window"], ticket["number"])] = t0
        hook = self.on_reply
        if hook is not None:
            hook(device, phase)

    def heard_call(self, message: Incoming) -> None:
        now = time.perf_counter()
        if message.topic.endswith("/event/called"):
            event = message.json()
            self.called.setdefault((event["window"], event["number"]), now)

    def outstanding(self, phase: str) -> int:
        with self.lock:
            return sum(1 for p, _, _ in self.sent.values() if p == phase)

    def drain(self, phase: str, timeout: float = 30.0) -> int:
        """Wait for the phase's replies; the number still missing."""
        deadline = time.monotonic() + timeout
        while self.outstanding(phase) and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.outstanding(phase)

    def of(self, phase: str, action: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.replies if r["phase"] == phase and (action is None or r["action"] == action)]

    def stop(self) -> None:
        for client in self.clients.values():
            try:
                client.stop()
            except Exception as exc:  # cleanup goes on whatever one client does
                print(f"stopping {client.device}: {exc}", file=sys.stderr)


class CpuMeter:
    """CPU seconds of the controller, the broker and this script over one phase."""

    def __init__(self, pids: dict[str, int | None]):
        self.pids = pids
        self.start = {name: cpu_seconds(pid) for name, pid in pids.items()}
        self.machine0, self.t0 = machine_busy_seconds(), time.perf_counter()

    def read(self) -> dict:
        wall = time.perf_counter() - self.t0
        used = {name: cpu_seconds(pid) - self.start[name] for name, pid in self.pids.items()}
        others = machine_busy_seconds() - self.machine0 - sum(used.values())
        return {"wall_s": round(wall, 2), **{f"{name}_cpu_pct": round(100 * s / wall, 1) for name, s in used.items()},
                "other_processes_cpu_pct": round(100 * max(0.0, others) / wall, 1)}


# --- the phases ------------------------------------------------------------------------------------


def steady_phase(bench: Bench, codes: list[str], duration: float, pids: dict, rng: random.Random) -> dict:
    """Open loop: RATE commands/s at scheduled times, ~60 % issue_ticket, ~40 % call_next."""
    kiosks = [f"kiosk-B{i}" for i in range(KIOSKS)]
    windows = [f"window-{n}" for n in range(1, WINDOWS + 1)]
    issued = {code: 0 for code in codes}
    lateness, k = [], 0
    meter = CpuMeter(pids)
    t0 = time.perf_counter()
    for i in range(int(duration * RATE)):
        at = t0 + i / RATE
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        lateness.append(time.perf_counter() - at)
        if rng.random() < ISSUE_SHARE:
            code = codes[k % len(codes)]
            issued[code] += 1
            bench.send(kiosks[k % KIOSKS], "issue_ticket", {"category": code}, "steady")
            k += 1
        else:
            bench.send(rng.choice(windows), "call_next", {}, "steady")
    missing = bench.drain("steady")
    cpu = meter.read()
    time.sleep(0.5)  # the last events/called
    issue, call = bench.of("steady", "issue_ticket"), bench.of("steady", "call_next")
    call_event = [bench.called[key] - t for key, t in bench.calls.items() if key in bench.called]
    return {
        "offered_per_s": RATE, "duration_s": duration, "sent": int(duration * RATE), "unanswered": missing,
        "scheduler_lateness_ms": percentiles(lateness),
        "issue_ticket_reply_ms": {**percentiles([r["latency"] for r in issue]),
                                  "ok": sum(r["reply"]["ok"] for r in issue)},
        "call_next_reply_ms": {**percentiles([r["latency"] for r in call]), "ok": sum(r["reply"]["ok"] for r in call)},
        "call_next_to_event_called_ms": {**percentiles(call_event),
                                         "calls_without_event": len(bench.calls) - len(call_event)},
        "cpu": cpu, "issued_per_category": issued,
    }


def throughput_phase(bench: Bench, codes: list[str], duration: float, pids: dict, room: dict[str, int]) -> dict:
    """Closed loop with pipelining: each kiosk keeps DEPTH issue_ticket commands outstanding."""
    kiosks = [f"kiosk-B{i}" for i in range(KIOSKS)]
    tokens = [code for round_ in range(max(room.values(), default=0)) for code in codes if room[code] > round_]
    state = {"next": 0, "deadline": math.inf}
    lock = threading.Lock()

    def take() -> str | None:
        with lock:
            if state["next"] >= len(tokens) or time.perf_counter() >= state["deadline"]:
                return None
            state["next"] += 1
            return tokens[state["next"] - 1]

    def next_command(device: str, phase: str) -> None:
        if phase == "throughput" and (code := take()) is not None:
            bench.send(device, "issue_ticket", {"category": code}, "throughput")

    meter = CpuMeter(pids)
    t0 = time.perf_counter()
    state["deadline"] = t0 + duration
    bench.on_reply = next_command
    for _ in range(DEPTH):
        for kiosk in kiosks:
            next_command(kiosk, "throughput")
    while time.perf_counter() < state["deadline"] and state["next"] < len(tokens):
        time.sleep(0.05)
    missing = bench.drain("throughput")
    bench.on_reply = None
    cpu = meter.read()
    replies = bench.of("throughput")
    if not replies:
        return {"replies": 0, "unanswered": missing}
    last = max(r["at"] for r in replies)
    elapsed = last - t0
    per_second = [0] * (int(elapsed) + 1)
    for r in replies:
        per_second[int(r["at"] - t0)] += 1
    full = per_second[:-1] or per_second
    half = len(full) // 2 or 1
    return {
        "outstanding": DEPTH * KIOSKS, "duration_asked_s": duration, "elapsed_s": round(elapsed, 2),
        "stopped_by_daily_caps": state["next"] >= len(tokens), "replies": len(replies),
        "ok": sum(r["reply"]["ok"] for r in replies), "unanswered": missing,
        "replies_per_s": round(len(replies) / elapsed, 1),
        "per_second": per_second,
        "first_half_per_s": round(statistics.mean(full[:half]), 1),
        "second_half_per_s": round(statistics.mean(full[half:] or full[:half]), 1),
        "issue_ticket_reply_ms": percentiles([r["latency"] for r in replies]),
        "waiting_tickets_at_end": sum(r["reply"]["ok"] for r in bench.replies if r["action"] == "issue_ticket")
        - sum(r["reply"]["ok"] for r in bench.replies if r["action"] == "call_next"),
        "cpu": cpu,
    }


def check_store(db: Path, bench: Bench) -> dict:
    """The tickets table against the ok issue_ticket replies: no loss, no duplicates."""
    ok_ids = [r["reply"]["result"]["ticket"]["id"] for r in bench.replies
              if r["action"] == "issue_ticket" and r["reply"]["ok"]]
    store = Store(str(db))  # the controller has stopped: nothing else writes
    try:
        stored, twice = store.ticket_ids(), store.numbers_given_twice()
    finally:
        store.close()
    result = {"ok_issue_replies": len(ok_ids), "tickets_in_db": len(stored),
              "duplicate_reply_ids": len(ok_ids) - len(set(ok_ids)),
              "duplicate_numbers_in_db": twice,
              "replied_but_not_stored": len(set(ok_ids) - set(stored)),
              "stored_but_not_replied": len(set(stored) - set(ok_ids))}
    result["passed"] = (len(stored) == len(ok_ids) and set(stored) == set(ok_ids)
                        and not result["duplicate_reply_ids"] and not result["duplicate_numbers_in_db"])
    return result


# --- report --------------------------------------------------------------------------------------------


def rows(results: dict) -> list[tuple[str, dict]]:
    steady, load = results["steady"], results["throughput"]
    return [("issue_ticket → reply (steady 50/s)", steady["issue_ticket_reply_ms"]),
            ("call_next → reply (steady 50/s)", steady["call_next_reply_ms"]),
            ("call_next → event/called (steady 50/s)", steady["call_next_to_event_called_ms"]),
            (f"issue_ticket → reply (throughput, {load.get('outstanding')} outstanding)",
             load.get("issue_ticket_reply_ms", {}))]


def markdown(results: dict) -> str:
    load, machine = results["throughput"], results["machine"]
    commit = machine["sqlite_one_row_commit_ms"]
    lines = ["| figure | count | median ms | p90 ms | p99 ms | max ms |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, s in rows(results):
        lines.append(f"| {name} | {s.get('count')} | {s.get('median')} | {s.get('p90')} | {s.get('p99')} | {s.get('max')} |")
    lines += ["", f"Throughput: **{load.get('replies_per_s')} durable commands/s** "
                  f"({load.get('replies')} issue_ticket replies in {load.get('elapsed_s')} s, "
                  f"{load.get('outstanding')} outstanding; first half {load.get('first_half_per_s')}/s, "
                  f"second half {load.get('second_half_per_s')}/s"
                  + ("; stopped early: all daily caps issued" if load.get("stopped_by_daily_caps") else "") + ").",
              f"Store check: {results['store_check']['tickets_in_db']} tickets in SQLite for "
              f"{results['store_check']['ok_issue_replies']} ok replies — "
              + ("no loss, no duplicates." if results["store_check"]["passed"] else "**MISMATCH**."),
              f"Machine: {machine['nproc']} × {machine['cpu_model']}, Python {machine['python']}, "
              f"{machine['mosquitto']}, SQLite {machine['sqlite']} on {machine['db_filesystem']}, "
              f"synchronous=FULL (a one-row commit alone: median {commit['median']} ms, p99 {commit['p99']} ms); "
              f"{results['started']}."]
    return "\n".join(lines)


def print_table(results: dict) -> None:
    print(f"\n{'figure':<52}{'count':>7}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}  (ms)")
    for name, s in rows(results):
        print(f"{name:<52}{s.get('count', 0):>7}" + "".join(
            f"{s.get(k):>9}" if s.get(k) is not None else f"{'-':>9}" for k in ("median", "p90", "p99", "max")))
    load = results["throughput"]
    print(f"\nthroughput: {load.get('replies_per_s')} durable commands/s over {load.get('elapsed_s')} s "
          f"(per second: {load.get('per_second')})")
    for phase in ("steady", "throughput"):
        cpu = results[phase].get("cpu", {})
        print(f"CPU during {phase} (100 % = one core): "
              + ", ".join(f"{k[:-8]} {v} %" for k, v in cpu.items() if k.endswith("_cpu_pct")))
    probe = results["machine"]["sqlite_one_row_commit_ms"]
    print(f"one-row SQLite commit (WAL, FULL) on {results['machine']['db_filesystem']}: median {probe['median']} ms, "
          f"p99 {probe['p99']} ms, max {probe['max']} ms")
    print(f"store check: {results['store_check']}")


# --- main -------------------------------------------------------------------------------------------------


def start_controller(config_path: Path, db: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "controller", "--config", str(config_path),
                             "--db", str(db), "--broker", f"127.0.0.1:{port}", "--synchronous", "FULL",
                             "--log-level", "warning"], cwd=ROOT, stdin=subprocess.DEVNULL,
                            preexec_fn=die_with_parent)


def run(quick: bool) -> dict:
    steady_s, load_s = (10.0, 5.0) if quick else (20.0, 10.0)
    raw = bench_config()
    results: dict = {"started": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "quick": quick,
                     "settings": {"kiosks": KIOSKS, "windows": WINDOWS, "steady_rate_per_s": RATE,
                                  "issue_share": ISSUE_SHARE, "steady_s": steady_s, "throughput_s": load_s,
                                  "depth_per_kiosk": DEPTH, "synchronous": "FULL"}}
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "controller", "contract"],
                           capture_output=True, text=True).stdout.strip()
    results["code"] = {"commit": first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
                       "controller_or_contract_modified": bool(dirty)}
    work = Path(tempfile.mkdtemp(prefix="qms-bench-"))
    try:
        config_path, db = work / "hall.yaml", work / "hall.db"
        config_path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        broker, controller, bench = PrivateBroker(), None, None
        try:
            broker.start()
            results["machine"] = machine_info(broker, str(work))
            controller = start_controller(config_path, db, broker.port)
            bench = Bench(broker.port)
            print(f"broker on {broker.port}, controller pid {controller.pid}; "
                  f"connecting {KIOSKS + WINDOWS + 1} clients")
            bench.listen_for_calls()
            for name in [f"kiosk-B{i}" for i in range(KIOSKS)] + [f"window-{n}" for n in range(1, WINDOWS + 1)]:
                bench.connect(name)
            for n in range(1, WINDOWS + 1):
                bench.send(f"window-{n}", "login", {"staff_id": staff_id(n), "pin": PIN}, "setup")
            unanswered = bench.drain("setup")
            refused = [r["reply"] for r in bench.of("setup") if not r["reply"]["ok"]]
            if unanswered or refused:
                raise RuntimeError(f"logins failed: {unanswered} unanswered, refused: {refused[:3]}")
            pids = {"controller": controller.pid, "broker": broker.process.pid, "bench": None}

            print(f"steady phase: {RATE:.0f} commands/s for {steady_s:.0f} s")
            results["steady"] = steady_phase(bench, list(raw["categories"]), steady_s, pids, random.Random(20240601))
            room = {code: CAP - n for code, n in results["steady"]["issued_per_category"].items()}
            print(f"throughput phase: {DEPTH} outstanding × {KIOSKS} kiosks for {load_s:.0f} s")
            results["throughput"] = throughput_phase(bench, list(raw["categories"]), load_s, pids, room)
        finally:
            if bench is not None:
                bench.stop()
            stop_process(controller)
            broker.stop()
        if controller.returncode != 0:
            results["controller_exit_code"] = controller.returncode
        results["store_check"] = check_store(db, bench)
        results["machine"]["loadavg_at_end"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s steady + 5 s throughput instead of 20 s + 10 s")
    args = parser.parse_args()

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    try:
        results = run(args.quick)
    except KeyboardInterrupt:
        print("interrupted; everything stopped", file=sys.stderr)
        return 130
    print_table(results)
    out = ROOT / "bench" / "results" / f"controller-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT)}\n\n{markdown(results)}")
    return 0 if results["store_check"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())

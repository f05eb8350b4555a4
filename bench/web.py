#!/usr/bin/env python3
"""Benchmark of the citizens' web tier: ticket pages live on Server-Sent Events, page GETs, memory, bytes.

Run: `.venv/bin/python bench/web.py [--clients 500] [--rounds 20] [--rate 200] [--get-s 20] [--get-keepalive]
[--client epoll|asyncio]`.
See docs/benchmarks.md ("Web tier").

Why it measures what it measures:

- What a citizen waits for is their phone saying that the queue moved or that they are called. So
  the clock starts just before a window's `call_next` is sent and stops, for every open ticket page,
  when its next SSE frame has arrived at that page's socket: the called ticket's page says "请到3号窗口",
  every other page waiting in that queue its new place (the web process asks the controller for the
  places of all of them in one `places` request, renders each page's fragment, and sends it). The
  figure is over every page of every round: N pages × R rounds.
- Everything runs as in a hall: a private Mosquitto, `main.py controller` (SQLite, synchronous=FULL)
  and `main.py web` as their own processes (the web one at its default log level, access log on);
  the pages are bare sockets on one epoll loop in a process of their own (bench/web_client.py: an
  EventSource is one long GET), on the same machine: the phones' CPU is on the same two cores, so it
  is measured and reported beside the server's. `--client asyncio` runs the first version of this
  script instead (asyncio streams in this process, beside the MQTT clients), to show what the
  client itself added.
- A category holds at most 999 tickets a day (`daily_cap`), so past 999 pages a ticket has two
  pages, one in Chinese and one in English (two channels, each rendered), as a family might open it.
- Page GETs: open loop at `--rate` requests a second (a request is started on schedule whether or
  not the previous ones have finished, each on its own connection, as phones come through a proxy;
  with `--get-keepalive` on an idle connection of a pool, as a proxy's upstream keepalive does),
  with the N event streams still open; the time is from the scheduled start to the last byte, so
  falling behind shows. The mix is ticket pages (which ask the controller for the ticket), the hall
  page and a guide.
- Memory is the web process's resident set (VmRSS) before the pages, with them open, after the
  GETs, and its peak (VmHWM). Bytes per page: the HTML and every script, style and icon it links, as
  sent (no compression in the process) and gzip -6 (what nginx's `gzip on` would send).
No figure is asserted: this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.controller import cpu_seconds, machine_busy_seconds, percentiles, start_controller  # noqa: E402
from contract.client import HallClient  # noqa: E402
from testbed.broker import PrivateBroker  # noqa: E402
from testbed.controller import PIN  # noqa: E402
from testbed.processes import stop_process  # noqa: E402
from testbed.web import WebProcess  # noqa: E402

HALL, CATEGORY, WINDOW = "benchweb", "social", 3
MAX_TICKETS = 999  # daily_cap's ceiling
PAGES = ("/hall", "/guides", "/guides/C03", "/guides/C03/notice", "/progress", "/ratings")
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def hall_config(path: Path, keepalive_s: int) -> dict:
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = HALL, []
    for category in raw["categories"].values():
        category["daily_cap"] = MAX_TICKETS
    # every page and request of this script comes from 127.0.0.1: per-address limits would refuse it
    raw["web"] = {"rate_limits": {"requests": {"per_s": 1000, "burst": 10000}, "forms": {"per_s": 1000, "burst": 10000}},
                  "max_streams": 10000, "stream_keepalive_s": keepalive_s}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return raw


def web_loop() -> bool:
    """Whether the web process runs on uvloop (it does when uvloop is installed: web/run.py)."""
    import importlib.util

    return importlib.util.find_spec("uvloop") is not None


def commit() -> str:
    import subprocess

    out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip()


def memory_kb(pid: int) -> dict:
    found = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                found[key] = int(value.split()[0])
    return {"rss_mb": round(found["VmRSS"] / 1024, 1), "peak_mb": round(found["VmHWM"] / 1024, 1)}


def device(name: str, port: int) -> HallClient:
    client = HallClient(name, HALL, "127.0.0.1", port)
    client.listen_for_replies()
    if not client.start(wait=10) or not client.wait_for_controller(15):
        raise RuntimeError(f"{name} did not reach the controller")
    return client


def ask(client: HallClient, action: str, fields: dict | None = None) -> dict:
    reply = client.request(action, fields or {})
    if not reply.get("ok"):
        raise RuntimeError(f"{action}: {reply}")
    return reply["result"]


# --- the pages: one socket each ----------------------------------------------------------------------


class Page:
    """One open ticket page's event stream: when each of its frames arrived."""

    def __init__(self, ticket: int, path: str, lang: str):
        self.ticket, self.path, self.lang = ticket, path, lang  # ticket: its place in the queue at the start
        self.frames = 0
        self.expected = False  # this round changes what the page shows
        self.arrived: float | None = None  # first frame since the round began
        self.writer = None

    async def open(self, port: int, ready: asyncio.Event, bench: "Fanout") -> None:
        reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        self.writer.write((f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                           f"Cookie: qms_lang={self.lang}\r\n\r\n").encode())
        await self.writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"{self.path}: {head[:80]!r}")
        tail = b""
        while True:
            data = await reader.read(65536)
            if not data:
                return
            now = time.monotonic()
            seen = tail + data
            new = seen.count(b"event: ") - tail.count(b"event: ")
            tail = seen[-16:]
            if new:
                self.frames += new
                if self.frames == new:
                    if bench.first_frame():
                        ready.set()
                elif self.expected and self.arrived is None and bench.round_started is not None:
                    self.arrived = now
                    bench.arrived(self)


class Fanout:
    def __init__(self, pages: list[Page]):
        self.pages = pages
        self.firsts = 0
        self.round_started: float | None = None
        self.waiting = 0
        self.all_arrived = asyncio.Event()

    def first_frame(self) -> bool:
        self.firsts += 1
        return self.firsts == len(self.pages)

    def start_round(self, at: float, called: int) -> list[Page]:
        """Round `called` calls the ticket at that place: its pages and those of every ticket behind it
        change; pages of tickets called in earlier rounds do not."""
        expected = []
        for page in self.pages:
            page.arrived, page.expected = None, page.ticket >= called
            if page.expected:
                expected.append(page)
        self.waiting = len(expected)
        self.all_arrived.clear()
        self.round_started = at
        return expected

    def arrived(self, page: Page) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.all_arrived.set()


async def quiet(pages: list[Page], for_s: float = 0.4, limit_s: float = 10.0) -> None:
    """Until no page has had a frame for `for_s` (what a round left behind has arrived)."""
    deadline = time.monotonic() + limit_s
    before = sum(p.frames for p in pages)
    while time.monotonic() < deadline:
        await asyncio.sleep(for_s)
        now = sum(p.frames for p in pages)
        if now == before:
            return
        before = now


async def fanout_phase(web: WebProcess, window: HallClient, tokens: list[str], clients: int, rounds: int,
                       pids: dict) -> dict:
    loop = asyncio.get_running_loop()
    pages = [Page(i % len(tokens), f"/t/{tokens[i % len(tokens)]}/events",
                  "zh" if (i // len(tokens)) % 2 == 0 else "en")
             for i in range(clients)]
    bench = Fanout(pages)
    ready = asyncio.Event()
    opening = asyncio.Semaphore(100)
    tasks = []
    started = time.monotonic()

    async def open_one(page: Page) -> None:
        async with opening:
            task = asyncio.ensure_future(page.open(web.ports["public"], ready, bench))
            tasks.append(task)
            while page.frames == 0 and not task.done():
                await asyncio.sleep(0.01)
            if task.done():
                task.result()

    await asyncio.gather(*(open_one(p) for p in pages))
    await asyncio.wait_for(ready.wait(), 60)
    opened_s = time.monotonic() - started
    await quiet(pages)
    memory_open = memory_kb(pids["web"])
    latencies, per_round, missing = [], [], 0
    cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    busy0, wall0 = machine_busy_seconds(), time.monotonic()

    for called in range(rounds):
        t0 = time.monotonic()  # the executor's hand-over to its thread is in the figure too
        open_pages = bench.start_round(t0, called)
        await loop.run_in_executor(None, ask, window, "call_next")
        try:
            await asyncio.wait_for(bench.all_arrived.wait(), 10)
        except asyncio.TimeoutError:
            pass
        got = [p.arrived - t0 for p in open_pages if p.arrived is not None]
        missing += len(open_pages) - len(got)
        latencies += got
        per_round.append(percentiles(got))
        bench.round_started = None
        await loop.run_in_executor(None, ask, window, "finish")
        await quiet(pages)
    wall = time.monotonic() - wall0
    web_cpu_s = cpu_seconds(pids["web"]) - cpu0["web"]
    cpu = {name: round(100 * (cpu_seconds(pid) - cpu0[name]) / wall, 1) for name, pid in pids.items()}
    cpu["machine_busy_pct_of_one_core"] = round(100 * (machine_busy_seconds() - busy0) / wall, 1)
    for page in pages:
        if page.writer is not None:
            page.writer.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"clients": clients, "tickets": len(tokens), "rounds": rounds, "opened_s": round(opened_s, 2),
            "call_to_every_page": percentiles(latencies), "pages_without_a_frame": missing,
            "slowest_round_p99_ms": max((r["p99"] or 0) for r in per_round),
            # what the web process spent per round (a call and a finish), whatever the machine's load
            "web_cpu_ms_per_round": round(1000 * web_cpu_s / rounds, 1),
            "memory_with_pages_open": memory_open, "cpu_pct_during_rounds": cpu}


# --- page GETs at a rate ---------------------------------------------------------------------------


async def get_once(port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    body = await reader.read()
    writer.close()
    return int(body[9:12]) if body[:5] == b"HTTP/" else 0


async def get_phase(web: WebProcess, tokens: list[str], rate: float, seconds: float, pids: dict) -> dict:
    rng = random.Random(7)
    kinds = {"ticket": [], "hall": [], "guide": []}
    statuses: dict[int, int] = {}
    port, count = web.ports["public"], int(rate * seconds)
    cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    start = time.monotonic() + 0.1

    async def one(i: int) -> None:
        kind = "ticket" if i % 2 == 0 else ("hall" if i % 4 == 1 else "guide")
        path = {"ticket": f"/t/{rng.choice(tokens)}", "hall": "/hall", "guide": "/guides/C03"}[kind]
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        status = await get_once(port, path)
        kinds[kind].append(time.monotonic() - due)
        statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(one(i) for i in range(count)))
    wall = time.monotonic() - start
    web_cpu_s = cpu_seconds(pids["web"]) - cpu0["web"]
    every = [t for times in kinds.values() for t in times]
    return {"rate_per_s": rate, "seconds": seconds, "requests": count, "achieved_per_s": round(count / wall, 1),
            "statuses": statuses, "all": percentiles(every),
            "web_cpu_ms_per_request": round(1000 * web_cpu_s / count, 2), **{k: percentiles(v) for k, v in kinds.items()},
            "cpu_pct": {name: round(100 * (cpu_seconds(pid) - cpu0[name]) / wall, 1) for name, pid in pids.items()}}


# --- the same with the phones in their own process (bench/web_client.py) ------------------------------


class Phones:
    """bench/web_client.py as a process, asked one JSON line at a time."""

    def __init__(self):
        import subprocess

        self.process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "web_client.py")], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, op: str, **fields) -> dict:
        self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError("bench/web_client.py ended")
        return json.loads(answer)

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


def fanout_phones(web: WebProcess, window: HallClient, tokens: list[str], clients: int, rounds: int,
                  pids: dict, phones: Phones) -> dict:
    pages = [[f"/t/{tokens[i % len(tokens)]}/events", "zh" if (i // len(tokens)) % 2 == 0 else "en", i % len(tokens)]
             for i in range(clients)]
    opened_s = phones.ask("open", port=web.ports["public"], pages=pages)["opened_s"]
    phones.ask("quiet")
    memory_open = memory_kb(pids["web"])
    latencies, per_round, missing = [], [], 0
    cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    calling = ThreadPoolExecutor(1)
    calling.submit(time.monotonic).result()  # its thread is started before the first round
    busy0, wall0 = machine_busy_seconds(), time.monotonic()
    for called in range(rounds):
        phones.ask("arm", called=called)
        t0 = time.monotonic()  # the hand-over to the thread is in the figure too
        reply = calling.submit(ask, window, "call_next")
        got = phones.ask("go", t0=t0)
        reply.result()
        missing += got["missing"]
        latencies += got["latencies"]
        per_round.append(percentiles(got["latencies"]))
        ask(window, "finish")
        phones.ask("quiet")
    calling.shutdown()
    wall = time.monotonic() - wall0
    web_cpu_s = cpu_seconds(pids["web"]) - cpu0["web"]
    cpu = {name: round(100 * (cpu_seconds(pid) - cpu0[name]) / wall, 1) for name, pid in pids.items()}
    cpu["machine_busy_pct_of_one_core"] = round(100 * (machine_busy_seconds() - busy0) / wall, 1)
    return {"clients": clients, "tickets": len(tokens), "rounds": rounds, "opened_s": round(opened_s, 2),
            "call_to_every_page": percentiles(latencies), "pages_without_a_frame": missing,
            "slowest_round_p99_ms": max((r["p99"] or 0) for r in per_round),
            "web_cpu_ms_per_round": round(1000 * web_cpu_s / rounds, 1),
            "pages_client_cpu_ms_per_round": round(1000 * (cpu_seconds(pids["pages_client"]) - cpu0["pages_client"])
                                                   / rounds, 1),
            "memory_with_pages_open": memory_open, "cpu_pct_during_rounds": cpu}


def get_phones(web: WebProcess, tokens: list[str], rate: float, seconds: float, pids: dict, phones: Phones,
               keepalive: bool) -> dict:
    rng = random.Random(7)
    count = int(rate * seconds)
    kinds = ["ticket" if i % 2 == 0 else ("hall" if i % 4 == 1 else "guide") for i in range(count)]
    paths = [{"ticket": f"/t/{rng.choice(tokens)}", "hall": "/hall", "guide": "/guides/C03"}[k] for k in kinds]
    cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    wall0 = time.monotonic()
    done = phones.ask("gets", port=web.ports["public"], paths=paths, rate=rate, keepalive=keepalive)["done"]
    wall = time.monotonic() - wall0
    web_cpu_s = cpu_seconds(pids["web"]) - cpu0["web"]
    times = {"ticket": [], "hall": [], "guide": []}
    statuses: dict[int, int] = {}
    for index, seconds_taken, status in done:
        times[kinds[index]].append(seconds_taken)
        statuses[status] = statuses.get(status, 0) + 1
    every = [t for ts in times.values() for t in ts]
    return {"rate_per_s": rate, "seconds": seconds, "requests": count, "keepalive": keepalive,
            "achieved_per_s": round(count / wall, 1), "statuses": statuses, "all": percentiles(every),
            "web_cpu_ms_per_request": round(1000 * web_cpu_s / count, 2), **{k: percentiles(v) for k, v in times.items()},
            "cpu_pct": {name: round(100 * (cpu_seconds(pid) - cpu0[name]) / wall, 1) for name, pid in pids.items()}}


# --- bytes -------------------------------------------------------------------------------------------


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def page_bytes(web: WebProcess, token: str) -> dict:
    sizes = {}
    for path in (*PAGES, f"/t/{token}"):
        html = fetch(web.url(path))
        assets = sorted(set(ASSET.findall(html.decode("utf-8"))))
        bodies = [html] + [fetch(web.url(asset)) for asset in assets]
        key = "/t/<token>" if path.startswith("/t/") else path
        sizes[key] = {"html": len(html), "with_assets": sum(map(len, bodies)),
                      "with_assets_gzip": sum(len(gzip.compress(b, 6)) for b in bodies), "assets": assets}
    return sizes


# --- main ----------------------------------------------------------------------------------------------


def run(args) -> dict:
    load_at_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="qms-benchweb-"))
    config = work / "hall.yaml"
    raw = hall_config(config, args.keepalive_s)
    staff = next(sid for sid, person in sorted(raw["staff"].items())
                 if not person.get("windows") or WINDOW in person["windows"])
    with PrivateBroker() as broker:
        controller = start_controller(config, work / "hall.db", broker.port)
        web = None
        clients: list[HallClient] = []
        try:
            kiosk, window = device("kiosk-B1", broker.port), device(f"window-{WINDOW}", broker.port)
            clients += [kiosk, window]
            ask(window, "login", {"staff_id": staff, "pin": PIN})
            tickets = min(args.clients, MAX_TICKETS)
            tokens = [ask(kiosk, "issue_ticket", {"category": CATEGORY, "group": "normal"})["ticket"]["rating_token"]
                      for _ in range(tickets)]
            web = WebProcess(config, broker.port, work / "web.log").wait_ready()
            pids = {"web": web.process.pid, "controller": controller.pid, "broker": broker.process.pid,
                    "bench": os.getpid()}
            memory_idle = memory_kb(pids["web"])
            # round r calls the r-th ticket: its page says the window, the pages behind it their new place
            if args.client == "asyncio":
                fanout = asyncio.run(fanout_phase(web, window, tokens, args.clients, args.rounds, pids))
                gets = asyncio.run(get_phase(web, tokens, args.rate, args.get_s, pids))
            else:
                phones = Phones()
                try:
                    pids["pages_client"] = phones.process.pid
                    fanout = fanout_phones(web, window, tokens, args.clients, args.rounds, pids, phones)
                    gets = get_phones(web, tokens, args.rate, args.get_s, pids, phones, args.get_keepalive)
                finally:
                    phones.stop()
            memory_after = memory_kb(pids["web"])
            sizes = page_bytes(web, tokens[-1])
        finally:
            for client in clients:
                client.stop()
            if web is not None:
                web.stop()
            stop_process(controller)
    return {"when": datetime.now().isoformat(timespec="seconds"), "nproc": len(os.sched_getaffinity(0)),
            "niceness": os.nice(0), "keepalive_s": args.keepalive_s, "client": args.client,
            "uvloop": web_loop(), "commit": commit(), "loadavg_at_start": load_at_start, "loadavg_at_end": os.getloadavg(), "fanout": fanout, "gets": gets,
            "memory": {"idle": memory_idle, "pages_open": fanout.pop("memory_with_pages_open"),
                       "after_gets": memory_after},
            "bytes": sizes}


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark of the web tier (see docs/benchmarks.md)")
    parser.add_argument("--clients", type=int, default=500, help="ticket pages open on SSE at once")
    parser.add_argument("--rounds", type=int, default=20, help="call_next rounds measured")
    parser.add_argument("--rate", type=float, default=200.0, help="page GETs a second")
    parser.add_argument("--get-s", type=float, default=20.0, help="seconds of page GETs")
    parser.add_argument("--keepalive-s", type=int, default=20,
                        help="web.stream_keepalive_s (default as deployed: pages opened together send their "
                             "keepalives together)")
    parser.add_argument("--client", choices=("epoll", "asyncio"), default="epoll",
                        help="the phones: bench/web_client.py's epoll loop in its own process (default), or "
                             "this process's asyncio streams (the first version, for comparison)")
    parser.add_argument("--get-keepalive", action="store_true",
                        help="page GETs reuse idle connections (as a proxy's upstream keepalive) instead of "
                             "a new connection each (epoll client only)")
    args = parser.parse_args()
    result = run(args)
    out = ROOT / "bench" / "results" / f"web-{args.clients}-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    f = result["fanout"]
    print(f"{f['clients']} ticket pages on SSE ({f['tickets']} tickets), {f['rounds']} rounds, opened in {f['opened_s']} s")
    print("| figure | count | median ms | p90 ms | p99 ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |")
    rows = [("call_next → frame at every page", f["call_to_every_page"])]
    rows += [(f"GET {kind} at {result['gets']['rate_per_s']:g}/s", result["gets"][kind])
             for kind in ("all", "ticket", "hall", "guide")]
    for label, p in rows:
        print(f"| {label} | {p['count']} | {p['median']} | {p['p90']} | {p['p99']} | {p['max']} |")
    print(f"pages without a frame: {f['pages_without_a_frame']}; slowest round's p99: {f['slowest_round_p99_ms']} ms")
    if "pages_client_cpu_ms_per_round" in f:
        print(f"the phones' own CPU per round: {f['pages_client_cpu_ms_per_round']} ms (bench/web_client.py)")
    print(f"web CPU per round (call + finish): {f['web_cpu_ms_per_round']} ms; per GET: "
          f"{result['gets']['web_cpu_ms_per_request']} ms")
    print(f"nice {result['niceness']}, load average at start {result['loadavg_at_start']}, at end {result['loadavg_at_end']}")
    print(f"GETs achieved {result['gets']['achieved_per_s']}/s, statuses {result['gets']['statuses']}")
    print(f"CPU % during rounds: {f['cpu_pct_during_rounds']}; during GETs: {result['gets']['cpu_pct']}")
    print(f"web process memory: {result['memory']}")
    for path, size in result["bytes"].items():
        print(f"{path}: html {size['html']} B, with scripts/styles {size['with_assets']} B, gzip {size['with_assets_gzip']} B")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

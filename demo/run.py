"""`main.py demo`: a private broker, the controller and a scripted hall hour.

Everything runs for real — Mosquitto, the controller process with its SQLite
file, one MQTT client per virtual device — only the hall clock runs faster.
It prints one line per event and a closing summary, and ends by itself.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from admin.cli import print_stats
from config.loader import load
from contract.client import HallClient
from simulator.morning import show_busy_morning
from display.demo import DemoScreens
from display.demo import add_options as add_screens_options
from firmware_bridge.demo import DemoBridge
from firmware_bridge.demo import add_options as add_bridge_options
from kiosk.demo import DemoKiosk
from kiosk.demo import add_options as add_kiosk_options
from testbed.broker import PrivateBroker
from testbed.processes import die_with_parent, stop_process

from .virtual import VirtualKiosk, VirtualWindow

ROOT = Path(__file__).resolve().parent.parent
DEMO_PIN = "1234"


class EventLog:
    """Prints each event as one line, in hall time."""

    def __init__(self, config):
        self.tz = ZoneInfo(config.timezone)
        self.names = {code: cat.name for code, cat in config.categories.items()}
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, incoming) -> None:
        parts = incoming.topic.split("/")
        if incoming.retain or len(parts) < 4:
            return
        try:
            data = incoming.json()
        except ValueError:
            return
        line = self.describe(parts[2], parts[3], data)
        if line:
            with self.lock:
                print(line, flush=True)

    def describe(self, family: str, kind: str, data: dict) -> str | None:
        if family == "status":
            return f"{'':8}  设备 device   {kind} {data.get('status')}"
        stamp = datetime.fromtimestamp(data.get("at", time.time()), self.tz).strftime("%H:%M:%S")
        self.counts[kind if kind != "ticket" else data.get("kind")] = self.counts.get(
            kind if kind != "ticket" else data.get("kind"), 0) + 1
        if kind == "called":
            again = f" (第{data['times_called']}次 call {data['times_called']})" if data["times_called"] > 1 else ""
            return f"{stamp}  叫号 called   {data['number']} → {data['window']:>2}号窗口  {data['text']['zh']}{again}"
        if kind == "ticket":
            name = self.names.get(data["category"])
            label = {"issued": "取号 issued ", "finished": "办结 finished", "no_show": "过号 no-show",
                     "held": "挂起 held   ", "transferred": "转移 transfer", "started": "开始 started "}.get(
                         data["kind"], data["kind"])
            where = f" @{data['window']}号窗口" if data.get("window") else ""
            return f"{stamp}  {label} {data['number']}  {name.zh if name else data['category']}{where}"
        if kind == "rating":
            return f"{stamp}  评价 rating   {data['number']} 邀请评价 @{data['window']}号窗口"
        if kind == "config":
            return f"{stamp}  配置 config   version {data['version']} by {data['device']}"
        if kind in ("tidal", "alert") and data.get("text"):
            step = f" {data['change']}" if data.get("change") else ""
            label = "潮汐 tidal   " if kind == "tidal" else f"监察 alert    {data.get('level', '')}{step}"
            return f"{stamp}  {label} {data['text']['zh']}"
        return f"{stamp}  {kind} {data}"


def run_demo(args) -> int:
    config, _ = load(args.config)
    show_busy_morning(config)  # the tidal policy at work, in simulated time, before the live hour
    broker = PrivateBroker().start()
    workdir = Path(tempfile.mkdtemp(prefix="qms-demo-"))
    db, controller_log = workdir / "hall.db", workdir / "controller.log"
    address = f"127.0.0.1:{broker.port}"
    print(f"demo hall {config.name.zh} / {config.name.en}: broker {address}, data in {workdir}", flush=True)
    with open(controller_log, "w") as log_file:
        controller = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "controller", "--config", args.config, "--broker", address,
             "--db", str(db), "--clock-start", args.start, "--clock-speed", str(args.speed)],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, cwd=ROOT, preexec_fn=die_with_parent)
    stop = threading.Event()
    bridge = DemoBridge(config, args, broker.port, workdir)  # a virtual keypad and LED screen for one window
    kiosk = DemoKiosk(config, args, broker.port, workdir)  # kiosk windows, or a scripted visit when headless
    screens = DemoScreens(config, args, broker.port, workdir)  # caller app, hall/window screens, voice
    listener = HallClient("display-demo-log", config.hall, "127.0.0.1", broker.port, deliver=EventLog(config))
    actors = []
    try:
        listener.subscribe(listener.topics.event_all())
        listener.subscribe(listener.topics.status("controller"))
        listener.start(wait=10)
        admin = HallClient("admin-demo", config.hall, "127.0.0.1", broker.port)
        admin.start(wait=10)
        if not admin.wait_for_controller(30):
            print(f"the controller did not come up; see {controller_log}", file=sys.stderr)
            return 1
        common = {"host": "127.0.0.1", "port": broker.port, "speed": args.speed, "stop": stop}
        taken: set[int] = set()
        for index, (staff_id, person) in enumerate(sorted(config.staff.items())):
            number = next((n for n in person.windows or sorted(config.windows) if n not in taken), None)
            if number is None:
                continue
            taken.add(number)
            if number == bridge.window:
                bridge.take_staff(staff_id, DEMO_PIN)  # this clerk works the virtual keypad
                continue
            if number == screens.window:
                screens.take_staff(staff_id, DEMO_PIN)  # this clerk works the caller app, by touch
                continue
            actors.append(VirtualWindow(number, staff_id, DEMO_PIN, config, seed=args.seed + index, **common))
        per_kiosk = args.arrivals / args.kiosks
        actors += [VirtualKiosk(f"K{i + 1}", config, per_kiosk, seed=args.seed + 100 + i, **common)
                   for i in range(args.kiosks)]
        bridge.start(stop)
        kiosk.start()
        screens.start()
        for actor in actors:
            actor.start()
        deadline = time.monotonic() + args.minutes * 60 / args.speed
        while time.monotonic() < deadline and controller.poll() is None:
            time.sleep(0.2)
        kiosk.finish()
        stop.set()
        bridge.stop()
        for actor in actors:
            actor.join(15)
        screens.finish()  # after the last call: the voice has said it, the screens show the end
        reply = admin.request("stats", timeout=10)
        admin.stop()
        print("\n=== 演示小结 summary ===", flush=True)
        print_stats(reply["result"])
        issued = sum(a.issued for a in actors if isinstance(a, VirtualKiosk))
        served = sum(a.served for a in actors if isinstance(a, VirtualWindow))
        refusals: dict[str, int] = {}
        for actor in actors:
            for code, n in actor.refusals.items():
                refusals[code] = refusals.get(code, 0) + n
        print(f"virtual kiosks issued {issued} tickets, windows served {served}; "
              f"refusals seen by devices: {refusals or 'none'}")
        print(f"controller log: {controller_log}; ledger: {db}")
        return 0 if controller.poll() is None else 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 130
    finally:
        stop.set()
        bridge.stop()
        kiosk.stop()
        screens.stop()
        listener.stop()
        stop_process(controller)
        broker.stop()
        if not args.keep:
            for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                path.unlink(missing_ok=True)


def add_parser(sub, common) -> None:
    p = sub.add_parser("demo", help="the whole hall on this machine, with a scripted hour",
                       description="Start a private Mosquitto, the controller and virtual devices; "
                                   "play an hour of the hall in accelerated time.")
    common(p)
    p.add_argument("--minutes", type=float, default=60, help="hall minutes to play (default 60)")
    p.add_argument("--speed", type=float, default=90, help="hall clock speed-up (default 90: an hour in 40 s)")
    p.add_argument("--start", default="09:00", help="hall time the demo starts (default 09:00)")
    p.add_argument("--arrivals", type=float, default=90, help="tickets per hall hour (default 90)")
    p.add_argument("--kiosks", type=int, default=3, help="virtual kiosks (default 3)")
    p.add_argument("--seed", type=int, default=int(os.environ.get("QMS_DEMO_SEED", "7")))
    p.add_argument("--keep", action="store_true", help="keep the demo's SQLite ledger")
    add_bridge_options(p)
    add_kiosk_options(p)
    add_screens_options(p)
    p.set_defaults(func=run_demo)

"""The bridge in `make demo`: a keypad, an evaluator, an LED window screen and a hall strip as twins on pty
pairs, the real `main.py bridge` process between them and the broker, and the keypad's presses scripted
during the hall hour — or typed by you with `main.py demo --keypad`.

The demo prints what the twins show, so the LED text and the keypad display can be watched next to the
hall's events. The staff member of the keypad's window logs in on the keypad (staff number, 确认, PIN, 确认).
"""
from __future__ import annotations

import logging
import os
import random
import select
import subprocess
import sys
import termios
import threading
import time
import tty
from pathlib import Path

import yaml

from testbed.processes import die_with_parent, stop_process

from .virtual.rig import EVALUATOR_OFFSET, VirtualRig
from .virtual.twins import display_text

log = logging.getLogger("demo.bridge")
ROOT = Path(__file__).resolve().parent.parent
PAD = " " * 8
CLERK_PACE_S = 1.0  # real seconds between two action keys: slower than a bounce (key_holdoff_s)
TERMINAL_KEYS = {"c": "call", "r": "recall", "e": "rate", "p": "pause", "t": "transfer", "x": "cancel",
                 "\n": "confirm", "\r": "confirm", **{str(d): str(d) for d in range(10)}}
EVALUATOR_KEYS = {"a": 1, "s": 2, "d": 3, "f": 4}
HELP = ("键盘 keypad: c 呼叫 call · r 重呼 recall · e 评价 invite rating · p 暂停/恢复 pause · t 转移 transfer · "
        "x 取消 cancel · 0-9 · 回车 确认 confirm\n"
        "评价器 evaluator: a 非常满意 · s 满意 · d 基本满意 · f 不满意      登录 login: 工号 回车 密码 回车      "
        "Ctrl-C 结束 end")


def add_options(parser) -> None:
    parser.add_argument("--keypad", action="store_true",
                        help="press the virtual keypad yourself from this terminal (c call, r recall, Enter confirm…)")
    parser.add_argument("--keypad-window", type=int, default=1, help="the window of the virtual keypad (default 1)")


class DemoBridge:
    def __init__(self, config, args, broker_port: int, workdir: Path):
        self.window = args.keypad_window
        self.interactive = args.keypad and sys.stdin.isatty()
        self.speed, self.broker_port, self.workdir = args.speed, broker_port, Path(workdir)
        self.rig = VirtualRig(self.workdir / "tty", config.hall, (self.window,), name="demo")
        self.rng = random.Random(args.seed + 500)
        self.login: tuple[str, str] | None = None
        self.process: subprocess.Popen | None = None
        self.thread: threading.Thread | None = None
        self.stop_event = threading.Event()
        self.shown: dict[str, str] = {}
        self.presses = 0
        self.stopped = False
        self.lock = threading.Lock()
        self.last_press = 0.0

    def take_staff(self, staff_id: str, pin: str) -> None:
        """The staff member who works the keypad's window (instead of a virtual window app)."""
        self.login = (staff_id, pin)

    # --- life cycle ---------------------------------------------------------------------------

    def start(self, stop_event: threading.Event) -> None:
        self.stop_event = stop_event
        try:
            self.rig.start()
        except (RuntimeError, OSError) as exc:
            print(f"no virtual keypad and LED screen: {exc}", file=sys.stderr, flush=True)
            self.stopped = True  # the hall plays on without them; nothing to stop
            return
        raw = self.rig.config()
        raw["reopen_max_s"] = 1
        for port in raw["ports"].values():
            port["poll_s"] = 3
        path = self.workdir / "bridge.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        self.rig.bus.listeners.append(self.keypad_shows)
        self.rig.screens.listeners.append(self.screen_shows)
        with open(self.workdir / "bridge.log", "w") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "bridge", "--config", str(path),
                 "--broker", f"127.0.0.1:{self.broker_port}"],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file, cwd=ROOT, preexec_fn=die_with_parent)
        target = self.by_hand if self.interactive else self.scripted
        self.thread = threading.Thread(target=self.run_safely, args=(target,), name="demo-keypad", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(5)
        stop_process(self.process)
        self.rig.stop()
        print(f"virtual keypad of window {self.window}: {self.presses} key presses; bridge log: "
              f"{self.workdir / 'bridge.log'}", flush=True)

    def run_safely(self, target) -> None:
        try:
            self.rig.bus.wait_for(lambda: self.rig.bus.displays, 30, "the bridge")
            target()
        except AssertionError:
            print(f"the bridge did not show up; see {self.workdir / 'bridge.log'}", file=sys.stderr, flush=True)
        except Exception:
            log.exception("the virtual keypad stopped")

    # --- what the twins show ------------------------------------------------------------------

    def say(self, key: str, shown: str, line: str) -> None:
        """Print a line when what a device shows changed (one write: lines of other threads do not mix in)."""
        if self.shown.get(key) != shown:
            self.shown[key] = shown
            with self.lock:
                sys.stdout.write(f"{PAD}  {line}\n")
                sys.stdout.flush()

    def keypad_shows(self, what: str, value, at: float) -> None:
        if what == "display" and value[0] == self.window:
            waiting, number = value[1].split(" ")  # the waiting count changes all the time: shown, not printed
            self.say("keypad", number, f"键盘 keypad  {self.window}号窗口 显示 等候 {waiting} · 当前 {number}")
        elif what == "beep":
            self.shown.pop("keypad", None)
            self.say("beep", str(at), f"键盘 keypad  {self.window}号窗口 嘀 beep")

    def screen_shows(self, what: str, value, at: float) -> None:
        address, row, _ = value
        if what == "text" and address == self.window and row == 2:
            rows = self.rig.screens.rows[address]
            text = f"「{rows.get(1, '')}」 / 「{rows.get(2, '')}」"
            self.say("screen", text, f"LED屏 screen {self.window}号窗口 {text}")

    # --- the presses -----------------------------------------------------------------------------

    def wait(self, hall_seconds: float) -> bool:
        return not self.stop_event.wait(hall_seconds / self.speed)

    def press(self, *keys: str) -> None:
        for key in keys:
            if not self.interactive and not key.isdigit():  # a clerk's pace, whatever the hall clock's speed
                if self.stop_event.wait(max(0.0, self.last_press + CLERK_PACE_S - time.monotonic())):
                    return
                self.last_press = time.monotonic()
            self.presses += 1
            self.rig.bus.type(self.window, key)

    def scripted(self) -> None:
        """A clerk at the keypad: log in, call, serve, sometimes recall, invite a rating, pause."""
        if self.login is None:
            return
        staff_id, pin = self.login
        self.press(staff_id, "confirm", pin, "confirm")
        while self.wait(5):
            self.press("call")
            if not self.wait(20):
                break
            if display_text(self.rig.bus.displays.get(self.window, b"")).endswith("___"):
                self.wait(45)  # nobody was waiting (the keypad beeped)
                continue
            if self.rng.random() < 0.1:
                self.press("recall")
                if not self.wait(20):
                    break
            if not self.wait(self.rng.uniform(120, 420)):
                break
            if self.rng.random() < 0.6:
                self.press("rate")
                if self.wait(10):
                    self.rig.bus.rate(EVALUATOR_OFFSET + self.window, self.rng.choice([1, 1, 1, 2, 2, 3, 4]))
            if self.rng.random() < 0.05:
                self.press("pause")
                self.wait(self.rng.uniform(120, 300))
                self.press("pause")

    def by_hand(self) -> None:
        print(HELP, flush=True)
        if self.login:
            print(f"{PAD}  {self.window}号窗口 工号 staff {self.login[0]}, 密码 PIN {self.login[1]}", flush=True)
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd)
            while not self.stop_event.is_set():
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                char = os.read(fd, 1).decode(errors="ignore").lower()
                if char in TERMINAL_KEYS:
                    self.press(TERMINAL_KEYS[char])
                elif char in EVALUATOR_KEYS:
                    self.rig.bus.rate(EVALUATOR_OFFSET + self.window, EVALUATOR_KEYS[char])
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

"""The hall's real parts for the tests that freeze and restart them: the controller as its own
process (`main.py controller`), and presenters on a real link without a window.

A presenter runs here as its app runs it, minus Kivy: what the link hands to Kivy's thread goes on
a queue that the test's thread drains (`pump`), and every half second the link is asked whether the
controller is still there and the presenter ticks — the two things the apps' clocks do.
"""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from appkit.link import HallLink
from caller.presenter import CallerPresenter
from contract.hall import HallMirror
from kiosk.presenters.kiosk import Kiosk
from testbed.controller import ROOT
from testbed.processes import stop_process

POLL_S = 0.5  # the apps' clock: link.check_online() and presenter.tick()


def start_controller(config_path, db, broker_port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "controller", "--config", str(config_path),
                             "--db", str(db), "--broker", f"127.0.0.1:{broker_port}", "--log-level", "warning",
                             *extra], cwd=ROOT, stdin=subprocess.DEVNULL)


class ControllerProcess:
    """`main.py controller` for one hall, frozen (SIGSTOP) and thawed (SIGCONT) at will."""

    def __init__(self, hall_raw: dict, tmp_path: Path, broker_port: int):
        self.config_path, self.db = tmp_path / "hall.yaml", tmp_path / "hall.db"
        self.config_path.write_text(yaml.safe_dump(hall_raw, allow_unicode=True), encoding="utf-8")
        self.process = start_controller(self.config_path, self.db, broker_port)

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.thaw()  # a stopped process would not see the SIGTERM
        stop_process(self.process)


class LivePresenter:
    """A presenter on a real HallLink; `pump()` is the app's loop."""

    def __init__(self, device: str, hall: str, port: int):
        self.calls: queue.SimpleQueue = queue.SimpleQueue()
        self.link = HallLink(device, hall, "127.0.0.1", port, schedule=self.calls.put)
        self.presenter = None
        self._next_poll = 0.0

    def wire(self, presenter, subscriptions) -> None:
        self.presenter = presenter
        self.link.on_message = presenter.on_message
        self.link.on_online = presenter.set_online
        for topic in subscriptions:
            self.link.subscribe(topic)
        self.link.start()

    def pump(self, until=None, timeout: float = 10.0, what: str = "condition"):
        """Run the app's loop for `timeout` seconds, or until `until()` holds (AssertionError if it never does)."""
        deadline = time.monotonic() + timeout
        while True:
            while True:
                try:
                    self.calls.get_nowait()()
                except queue.Empty:
                    break
            if time.monotonic() >= self._next_poll:
                self._next_poll = time.monotonic() + POLL_S
                self.link.check_online()
                self.presenter.tick()
            if until is not None and (found := until()):
                return found
            if time.monotonic() > deadline:
                if until is None:
                    return None
                raise AssertionError(f"{what} not reached within {timeout} s")
            time.sleep(0.02)

    def stop(self) -> None:
        self.link.stop()


def live_kiosk(name: str, hall: str, port: int) -> tuple[LivePresenter, Kiosk]:
    live = LivePresenter(f"kiosk-{name}", hall, port)
    kiosk = Kiosk(live.link, None)
    live.wire(kiosk, kiosk.subscriptions())
    return live, kiosk


def live_caller(window: int, hall: str, port: int) -> tuple[LivePresenter, CallerPresenter]:
    live = LivePresenter(f"window-{window}", hall, port)
    caller = CallerPresenter(window, HallMirror(live.link.topics), live.link)
    live.wire(caller, caller.subscriptions())
    return live, caller

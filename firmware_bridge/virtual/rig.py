"""A virtual hall's serial side: pty pairs, the twins on them, and the bridge config that matches.

Used the same way by the tests, the benchmark and `make demo`. For each window
given: a keypad at address n and an evaluator at address 100 + n on one
FF 68 bus, a window screen at address n on one LED bus; plus a hall strip,
and optionally a printer and an ID reader, each on its own port. The keypads
type in either key style of the twin, and `rs485` adds keys to the FF 68
port's config (`keypad_display`, `poll_s`).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from contract.privacy import make_salt

from .printer import VirtualPrinter
from .pty import PtyPair
from .twins import VirtualFf68Bus, VirtualIdReader, VirtualLedScreens, VirtualStrip

EVALUATOR_OFFSET = 100


class VirtualRig:
    def __init__(self, directory: str | Path, hall: str, windows: tuple[int, ...] = (3,), *, name: str = "virtual",
                 printer: bool = False, reader: bool = False, port_tuning: dict | None = None,
                 key_style: str = "separate", echo: bool = True, rs485: dict | None = None):
        self.dir = Path(directory)
        self.hall, self.name, self.windows = hall, name, tuple(windows)
        self.port_tuning, self.rs485 = port_tuning or {}, rs485 or {}
        self.bus = VirtualFf68Bus("bus", set(self.windows) | {EVALUATOR_OFFSET + n for n in self.windows},
                                  key_style, echo)
        self.screens = VirtualLedScreens("screens", set(self.windows))
        self.strip = VirtualStrip("strip", 1)
        self.twins = {"rs485": self.bus, "led": self.screens, "strip": self.strip}
        if printer:
            self.printer = self.twins["printer"] = VirtualPrinter("printer")
        if reader:
            self.reader = self.twins["idreader"] = VirtualIdReader("idreader")
        self.ptys = {port: PtyPair(self.dir, port) for port in self.twins}
        self.salt_file = self.dir / "id-salt"

    def config(self) -> dict:
        """The bridge config (raw, as config/bridge.yaml would hold it) for these ports."""
        def port(name: str, driver: str, devices: dict) -> dict:
            return {"path": self.ptys[name].host, "driver": driver, **self.port_tuning, "devices": devices}

        devices = {}
        for n in self.windows:
            devices[f"keypad-{n}"] = {"kind": "keypad", "address": n, "window": n}
            devices[f"evaluator-{n}"] = {"kind": "evaluator", "address": EVALUATOR_OFFSET + n, "window": n}
        ports = {"rs485": {**port("rs485", "ff68", devices), **self.rs485},
                 "led": port("led", "led_frame", {f"screen-{n}": {"kind": "window_screen", "address": n, "window": n}
                                                  for n in self.windows}),
                 "strip": port("strip", "led_line", {"hall-strip": {"kind": "hall_strip", "address": 1, "rows": 2}})}
        raw = {"hall": self.hall, "name": self.name, "ports": ports}
        if "printer" in self.twins:
            ports["printer"] = port("printer", "escpos", {"printer": {"kind": "printer"}})
        if "idreader" in self.twins:
            ports["idreader"] = port("idreader", "ga467", {"reader": {"kind": "id_reader", "search_s": 0.1}})
            raw["id_salt_file"] = str(self.salt_file)
        return raw

    def start(self) -> VirtualRig:
        self.dir.mkdir(parents=True, exist_ok=True)
        make_salt(str(self.salt_file))
        for pty in self.ptys.values():
            pty.plug()
        for name, twin in self.twins.items():
            twin.attach(self.ptys[name].device)
        for twin in self.twins.values():
            twin.wait_attached()
        return self

    def stop(self) -> None:
        for twin in self.twins.values():
            twin.detach()
        for pty in self.ptys.values():
            pty.unplug()


class RunningBridge:
    """The bridge on its own thread, as `main.py bridge` runs it (tests, benchmark)."""

    def __init__(self, raw_config: dict, broker_port: int, host: str = "127.0.0.1"):
        from ..bridge import Bridge
        from ..config import validate

        self.config = validate(raw_config)
        self.bridge = Bridge(self.config, host, broker_port)
        self.thread = threading.Thread(target=self.bridge.run, name="bridge", daemon=True)

    def start(self, timeout: float = 10.0) -> RunningBridge:
        self.thread.start()
        if not self.bridge.client.connected.wait(timeout) or not self.bridge.client.wait_for_controller(timeout):
            raise RuntimeError("the bridge did not reach the broker and the controller")
        deadline = time.monotonic() + timeout
        while not all(driver.port.is_open for driver in self.bridge.drivers.values()):
            if time.monotonic() > deadline:
                raise RuntimeError("the bridge did not open its ports")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.bridge.stop()
        self.thread.join(10)

"""A private Mosquitto on a free loopback port (demo, tests, benchmarks).

Started as root, Mosquitto drops to the `mosquitto` user, so its files live
in a directory that user can read.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .processes import die_with_parent, free_port, stop_process


class PrivateBroker:
    def __init__(self, port: int | None = None, extra_conf: str = "", binary: str | None = None):
        self.port = port or free_port()
        self.binary = binary or shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.dir = Path(tempfile.mkdtemp(prefix="qms-broker-"))
        os.chmod(self.dir, 0o755)
        self.conf = self.dir / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence false\n"
            "set_tcp_nodelay true\n"
            "max_queued_messages 100000\n"
            "max_inflight_messages 1000\n"
            "log_dest stderr\n"
            "log_type error\n"
            "log_type warning\n" + extra_conf)
        os.chmod(self.conf, 0o644)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> "PrivateBroker":
        if not os.path.exists(self.binary):
            raise RuntimeError("mosquitto is not installed: run `make setup` (apt-get install mosquitto)")
        self.process = subprocess.Popen([self.binary, "-c", str(self.conf)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not listen on port {self.port}")

    def stop(self) -> None:
        stop_process(self.process, 5)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PrivateBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

"""A pty pair made by socat: one end for the bridge (`host`), one for a virtual device (`device`).

Why socat and not os.openpty(): socat gives both ends stable path names
(symlinks, like udev's /dev/qms-* names), and ending socat makes both ends
vanish at once, exactly what pulling a USB–RS-485 adapter does to the bridge.
`replug()` makes them again under the same names.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Self

from testbed.processes import die_with_parent, stop_process


class PtyPair:
    def __init__(self, directory: str | Path, name: str):
        self.host = str(Path(directory) / name)
        self.device = str(Path(directory) / f"{name}.dev")
        self.process: subprocess.Popen | None = None

    def plug(self, timeout: float = 5.0) -> Self:
        socat = shutil.which("socat")
        if socat is None:
            raise RuntimeError("socat is not installed: run `make setup` (apt-get install socat)")
        self.process = subprocess.Popen(
            [socat, f"PTY,raw,echo=0,link={self.host}", f"PTY,raw,echo=0,link={self.device}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while not (os.path.exists(self.host) and os.path.exists(self.device)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"socat did not make {self.host} and {self.device}")
            time.sleep(0.01)
        return self

    def unplug(self) -> None:
        stop_process(self.process, 5)
        self.process = None
        for path in (self.host, self.device):
            if os.path.islink(path):
                os.unlink(path)

    replug = plug

    def __enter__(self) -> Self:
        return self.plug()

    def __exit__(self, *exc) -> None:
        self.unplug()

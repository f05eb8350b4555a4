"""Clocks the service reads; the engine itself never reads one."""
from __future__ import annotations

import time


class ScaledClock:
    """Wall time that runs `speed` times faster from `start` (demo and simulation)."""

    def __init__(self, start: float, speed: float):
        self.start, self.speed = start, speed
        self._origin = time.monotonic()

    def __call__(self) -> float:
        return self.start + (time.monotonic() - self._origin) * self.speed

"""The blink of a new call: a widget's `glow` switched on and off until a deadline.

Discrete on/off (2.5 times a second) rather than a smooth fade: a fade redraws the whole
screen every frame, a blink twice a second. On a hall's small TV box — or in software
rendering, as off-screen and in CI — that is the difference between an idle CPU and a
busy one that delays the next call on screen.
"""
from __future__ import annotations

from kivy.clock import Clock

PERIOD_S = 0.4


class Blinker:
    def __init__(self, widget, *, level: float, on_end=None):
        self.widget, self.level, self.on_end = widget, level, on_end
        self._toggle = None
        self._end = None

    def start(self, seconds: float) -> None:
        self.stop(quiet=True)
        if seconds <= 0:
            return
        self.widget.glow = self.level
        self._toggle = Clock.schedule_interval(self._flip, PERIOD_S)
        self._end = Clock.schedule_once(lambda dt: self.stop(), seconds)

    def _flip(self, dt) -> None:
        self.widget.glow = 0.0 if self.widget.glow else self.level

    def stop(self, quiet: bool = False) -> None:
        for event in (self._toggle, self._end):
            if event is not None:
                event.cancel()
        self._toggle = self._end = None
        self.widget.glow = 0.0
        if self.on_end and not quiet:
            self.on_end()

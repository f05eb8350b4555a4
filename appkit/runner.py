"""Running one of the hall's Kivy screens as a process (`main.py caller`, `main.py display`).

What every such process needs and tests do not: a Kivy App around the
screen, a clean stop on SIGTERM (systemd, the demo), and optionally a PNG of
the last frame on the way out — how a headless demo shows what its screens
showed. `boot.prepare()` must have run before this module is imported.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock

from .software_gl import pace_software_frames

log = logging.getLogger("appkit")


class ScreenApp(App):
    """A Kivy App around one screen: builds it, starts its link, stops on `stop_event`.

    Kivy's settings panel and its keys are off (appkit/boot.py), so every key reaches the screen."""

    def __init__(self, title: str, build: Callable[[], object], *, link, snapshot: str | None = None,
                 after_build: Callable[[object], None] | None = None, stop_event: threading.Event | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self._title, self._build, self.link, self.snapshot = title, build, link, snapshot
        self._after_build = after_build
        self.stop_event = stop_event or threading.Event()
        self._stopped = False

    def build(self):
        self.title = self._title
        root = self._build()
        if pace_software_frames():
            log.info("software OpenGL: every frame is finished before the next (no queue of frames)")
        self.link.start()
        Clock.schedule_interval(self._check_stop, 0.2)
        if self._after_build:
            self._after_build(root)
        return root

    def _check_stop(self, dt):
        if self.stop_event.is_set():
            self.stop_event.clear()
            self.stop()
            return False  # once

    def on_stop(self):  # Kivy dispatches it twice (stop(), then again as run() returns)
        if self._stopped:
            return
        self._stopped = True
        if self.snapshot:
            try:
                Path(self.snapshot).parent.mkdir(parents=True, exist_ok=True)
                self.root.export_to_png(self.snapshot)  # through an Fbo: the screen as it is now
                log.info("last frame: %s", self.snapshot)
            except Exception:
                log.exception("could not write %s", self.snapshot)
        close = getattr(self.root, "close", None)
        if close:
            close()
        self.link.stop()


def run_screen(title: str, build: Callable[[], object], *, link, snapshot: str | None = None,
               after_build: Callable[[object], None] | None = None) -> int:
    """Run the screen `build()` makes until the window closes or SIGTERM; returns the exit code."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        ScreenApp(title, build, link=link, snapshot=snapshot, after_build=after_build, stop_event=stop).run()
    except KeyboardInterrupt:
        return 130
    return 0

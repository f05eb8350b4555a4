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


def run_screen(title: str, build: Callable[[], object], *, link, snapshot: str | None = None,
               after_build: Callable[[object], None] | None = None) -> int:
    """Run the screen `build()` makes until the window closes or SIGTERM; returns the exit code."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    class ScreenApp(App):
        def build(self):
            self.title = title
            root = build()
            if pace_software_frames():
                log.info("software OpenGL: every frame is finished before the next (no queue of frames)")
            link.start()
            Clock.schedule_interval(self._check_stop, 0.2)
            if after_build:
                after_build(root)
            return root

        def _check_stop(self, dt):
            if stop.is_set():
                stop.clear()
                self.stop()
                return False  # once

        _stopped = False

        def on_stop(self):  # Kivy dispatches it twice (stop(), then again as run() returns)
            if self._stopped:
                return
            self._stopped = True
            if snapshot:
                try:
                    Path(snapshot).parent.mkdir(parents=True, exist_ok=True)
                    self.root.export_to_png(snapshot)  # through an Fbo: the screen as it is now
                    log.info("last frame: %s", snapshot)
                except Exception:
                    log.exception("could not write %s", snapshot)
            close = getattr(self.root, "close", None)
            if close:
                close()
            link.stop()

    try:
        ScreenApp().run()
    except KeyboardInterrupt:
        return 130
    return 0

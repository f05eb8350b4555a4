"""The kiosk app off-screen: Kivy is prepared at import, before anything imports kivy."""
from __future__ import annotations

import os

from appkit import boot

os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
boot.prepare(headless=True, size=(1280, 800))

from kivy.app import App  # noqa: E402
from kivy.base import EventLoop  # noqa: E402
from kivy.core.window import Window  # noqa: E402

from testbed.screens import settle  # noqa: E402

EventLoop.ensure_window()
SIZE = (1280, 800)


def start(app):
    Window.size = SIZE
    app._run_prepare()
    return app


def stop(app) -> None:
    app.shutdown()
    if app.root is not None and app.root.parent is not None:
        Window.remove_widget(app.root)
    App._running_app = None
    settle(2)

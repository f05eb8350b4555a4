"""Kivy off-screen for the screen tests: one window, resized per screen, and a mount fixture.

Kivy reads its environment when first imported, so this module prepares it at import
(off-screen SDL, private KIVY_HOME, the CJK font) before anything imports kivy.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from appkit import boot

boot.prepare(headless=True, size=(1920, 1080))

from kivy.base import EventLoop
from kivy.core.window import Window

from appkit.link import HallLink
from testbed.screens import settle

ROOT = Path(__file__).resolve().parent.parent
# Screenshots go to a temporary folder, so a test run leaves the tree clean;
# `QMS_SCREENSHOTS=docs/screenshots make test` refreshes the ones in the docs.
SHOTS = Path(os.environ.get("QMS_SCREENSHOTS") or tempfile.mkdtemp(prefix="qms-shots-")).resolve()

EventLoop.ensure_window()


def link_for(controller, device: str) -> HallLink:
    return HallLink(device, controller.hall, "127.0.0.1", controller.broker.port)


@pytest.fixture
def mount():
    """mount(screen, (w, h)): the screen alone in a window of that size, its link started;
    closed, unmounted and disconnected after the test."""
    mounted = []

    def _mount(screen, size):
        Window.size = size
        screen.size_hint = (None, None)
        screen.size, screen.pos = size, (0, 0)
        Window.add_widget(screen)
        mounted.append(screen)
        screen.link.start()
        settle(until=lambda: screen.link.online, timeout=10)
        return screen

    yield _mount
    for screen in mounted:
        screen.close()
        Window.remove_widget(screen)
        screen.link.stop()
    settle(2)


def texts(root) -> str:
    """Every text the screen shows, joined: what a person could read on it."""
    parts = []
    for widget in root.walk(restrict=False):
        for attr in ("text", "zh", "en"):
            value = getattr(widget, attr, None)
            if isinstance(value, str) and value:
                parts.append(value)
    return "\n".join(parts)

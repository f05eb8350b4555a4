"""Driving a Kivy app in tests and screenshots: frames, touches, PNGs.

Tests call `appkit.boot.prepare(headless=True)` first. The first frame is
black, so `settle()` renders a few before anything is looked at.
"""
from __future__ import annotations

import time
from pathlib import Path


def settle(frames: int = 4, until=None, timeout: float = 5.0) -> None:
    """Let Kivy run; with `until`, until it returns true (or AssertionError after timeout)."""
    from kivy.base import EventLoop

    deadline = time.monotonic() + timeout
    done = 0
    while True:
        EventLoop.idle()
        done += 1
        if until is None and done >= frames:
            return
        if until is not None and until():
            for _ in range(2):
                EventLoop.idle()
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.01)


def tap(widget) -> None:
    """A finger on the widget's centre, down and up, through Kivy's touch dispatch."""
    from kivy.tests.common import UnitTestTouch

    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()


def find(root, predicate):
    """The first widget in the tree (depth first) for which predicate holds."""
    for widget in root.walk(restrict=True):
        if predicate(widget):
            return widget
    return None


def find_text(root, text: str):
    """A widget whose .text contains `text`."""
    return find(root, lambda w: text in str(getattr(w, "text", "")))


def screenshot(path: str | Path) -> Path:
    """The whole window as a PNG (after a settle, so the frame is not the black first one)."""
    from kivy.core.window import Window

    settle(3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Window.screenshot(name=str(path))
    # Window.screenshot appends a counter to the name; move it to the exact path.
    produced = sorted(path.parent.glob(path.stem + "*" + path.suffix), key=lambda p: p.stat().st_mtime)[-1]
    if produced != path:
        produced.replace(path)
    return path



def snapshot(path: str | Path, widget=None) -> Path:
    """The window as rendered — dialogs included — or one widget, as a PNG, through an Fbo.

    Unlike screenshot() it still works after the off-screen window has been resized (reading
    the window's own buffer back then returns garbage), so screens of several sizes — a
    1920×1080 hall screen, a 1024×600 caller — are shot in one test process.
    """
    from kivy.core.window import Window
    from kivy.graphics import ClearBuffers, ClearColor, Fbo

    settle(3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if widget is not None:
        widget.export_to_png(str(path))
        return path
    canvas, context = Window.canvas, Window.render_context
    index = context.indexof(canvas)
    context.remove(canvas)
    try:
        fbo = Fbo(size=Window.size, with_stencilbuffer=True)
        with fbo:
            ClearColor(0, 0, 0, 1)
            ClearBuffers()
        fbo.add(canvas)
        fbo.draw()
        fbo.texture.save(str(path), flipped=True)
        fbo.remove(canvas)
    finally:
        context.insert(index, canvas)
    return path

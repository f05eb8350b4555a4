"""Driving a Kivy app off-screen in tests, demos and screenshots: frames, touches, PNGs, layout checks.

The layout check reads a label's text from what Kivy laid out, not from the widget's size: a
label that shortens its text ("B…") or wraps it fits its box by construction, so only the
laid-out lines tell that the text is not whole.

Tests call `appkit.boot.prepare(headless=True)` first. The first frame is
black, so `settle()` renders a few before anything is looked at.
"""
from __future__ import annotations

import re
import time
from pathlib import Path


def settle(frames: int = 4, until=None, timeout: float = 5.0) -> None:
    """Let Kivy run `frames` frames, however long a busy machine takes to draw them; with `until`,
    until it returns true (or AssertionError after timeout)."""
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
        if until is not None and time.monotonic() > deadline:
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


LATIN = re.compile(r"[0-9A-Za-z]")  # a break between two of these is inside a word


def layout_problems(root, *, strict: bool = False, thorough: bool = False) -> list[str]:
    """Touch targets under 15 mm, texts cut off, shortened, wrapped inside a word or outside the
    window, and widgets overlapping or sticking out of the window, on the screen showing now.

    strict, for a screen read from afar that nobody scrolls (a hall TV): every text is on one
    line, and every widget inside its parent. thorough: texts with markup (the kiosk's two-language
    labels) and texts inside a scroll view are read line by line too (a scrolled text may lie
    outside the window, but not outside its own box)."""
    from kivy.core.window import Window
    from kivy.metrics import mm
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.gridlayout import GridLayout
    from kivy.uix.label import Label
    from kivy.uix.stencilview import StencilView

    problems = []
    least = mm(15) - 1
    # what a scroll view or a clipping view (a scrolling notice) holds may lie outside it
    scrolled = {id(w) for s in root.walk(restrict=True) if isinstance(s, StencilView) for w in s.walk(restrict=True)
                if w is not s}

    def outside(widget) -> bool:
        x, y = widget.to_window(widget.x, widget.y)
        return x < -1 or y < -1 or x + widget.width > Window.width + 1 or y + widget.height > Window.height + 1

    for layout in root.walk(restrict=True):
        if isinstance(layout, (BoxLayout, GridLayout)) and _shown(layout):
            shown = [c for c in layout.children if c.opacity > 0 and c.width > 1 and c.height > 1]
            for i, a in enumerate(shown):
                if id(a) in scrolled:
                    continue
                if outside(a):
                    problems.append(f"{type(a).__name__} {_name(a)!r} sticks out of the window")
                elif strict and _beyond(a, layout):
                    problems.append(f"{type(a).__name__} {_name(a)!r} sticks out of its "
                                    f"{type(layout).__name__} {_name(layout)!r}")
                for b in shown[i + 1:]:
                    if min(a.right, b.right) - max(a.x, b.x) > 2 and min(a.top, b.top) - max(a.y, b.y) > 2:
                        problems.append(f"{type(a).__name__} {_name(a)!r} overlaps {type(b).__name__} {_name(b)!r}")
    if thorough:  # a scroll view squeezed to nothing hides what it holds
        from kivy.uix.scrollview import ScrollView

        for view in root.walk(restrict=True):
            if isinstance(view, ScrollView) and _shown(view) and not view.disabled and view.children \
                    and view.children[0].height > 1 and view.height < least:
                problems.append(f"scroll view of {_name(view)!r} is {view.height:.0f} px tall, under 15 mm")
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Label) or not _shown(widget) or widget.height < 1 or not widget.text.strip():
            continue
        name = _name(widget)
        if isinstance(widget, ButtonBehavior) and not widget.disabled and min(widget.size) < least:
            problems.append(f"button {name!r} is {widget.width:.0f}×{widget.height:.0f} px, under 15 mm ({least:.0f} px)")
        if id(widget) in scrolled and not thorough:
            continue
        if id(widget) not in scrolled and outside(widget):
            problems.append(f"text {name!r} is outside the window")
        tw, th = widget.texture_size
        if th > widget.height + 2 or tw > widget.width + 2:
            problems.append(f"text {name!r} needs {tw:.0f}×{th:.0f} px, has {widget.width:.0f}×{widget.height:.0f}")
        problems += _text_problems(widget, name, strict, thorough)
    return problems


MARKUP_TAG = re.compile(r"\[/?(?:b|i|u|s|sub|sup|font|font_context|font_family|font_features|size|color|ref|anchor|"
                        r"text_language)(?:=[^\]]*)?\]")


def _plain(markup: str) -> str:
    """The text a markup string shows: its tags dropped, its escapes undone."""
    return MARKUP_TAG.sub("", markup).replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


def _text_problems(widget, name: str, one_line: bool, thorough: bool = False) -> list[str]:
    """What Kivy's layout did to the text: shortened it, dropped lines, wrapped it."""
    core = widget._label
    if core is None or (widget.markup and not thorough):
        return []
    if widget.is_shortened:
        return [f"text {name!r} is shortened to fit"]
    lines = ["".join(word.text for word in line.words) for line in core._cached_lines]
    wanted = _plain(widget.text) if widget.markup else widget.text
    wanted = wanted.strip() if core.options.get("strip") else wanted
    if "".join(lines).replace(" ", "") != wanted.replace("\n", "").replace(" ", ""):
        return [f"text {name!r} is cut: only {' / '.join(lines)!r} is shown"]
    width, height = getattr(core, "_internal_size", (0, 0))
    box_w, box_h = widget.text_size
    if (box_h is not None and height > box_h + 2) or (box_w is not None and width > box_w + 2):
        return [f"text {name!r} needs {width:.0f}×{height:.0f} px, its box is "
                f"{box_w or 0:.0f}×{box_h or 0:.0f}"]
    if len(lines) <= wanted.count("\n") + 1:
        return []
    if one_line:
        return [f"text {name!r} is wrapped onto {len(lines)} lines"]
    at = 0
    for before, after in zip(lines, lines[1:]):
        # where the two lines meet in the text: a break at a space or a line feed is between words
        found = wanted.find(before, at) if before else -1
        end = found + len(before) if found >= 0 else -1
        at = max(at, end)
        joined = end >= 0 and wanted[end:end + 1] not in (" ", "\n", "\t")
        if before and after and LATIN.match(before[-1]) and LATIN.match(after[0]) and (end < 0 or joined):
            return [f"text {name!r} is wrapped inside a word: {before!r} / {after!r}"]
    return []


def _shown(widget) -> bool:
    """Visible: neither it nor a parent is transparent."""
    while widget is not None:
        if getattr(widget, "opacity", 1) <= 0:
            return False
        parent = getattr(widget, "parent", None)
        widget = parent if parent is not widget else None  # the Window is its own parent
    return True


def _beyond(child, layout) -> bool:
    return (child.x < layout.x - 1 or child.y < layout.y - 1 or child.right > layout.right + 1
            or child.top > layout.top + 1)


def _name(widget) -> str:
    text = str(getattr(widget, "text", "") or "")
    if not text:
        inner = next((w for w in widget.walk(restrict=True) if str(getattr(w, "text", "") or "").strip()), None)
        text = str(inner.text) if inner is not None else ""
    return _plain(text).split("\n")[0][:24]


MARKUP_COLOR = re.compile(r"\[color=#?([0-9a-fA-F]{6})\]")


def contrast_problems(root, least: float = 4.5) -> list[str]:
    """Texts of buttons (solid colour, no image) on the screen showing now whose WCAG 2 contrast with
    their button is under `least`: the button's text colour and every [color=…] of its markup."""
    from kivy.uix.button import Button

    from kiosk.ui.palette import contrast

    problems = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, Button) or not _shown(widget) or not widget.text.strip() or widget.disabled:
            continue
        if widget.background_normal:  # an image behind the text: not a colour to measure
            continue
        back = widget.background_color
        colours = [tuple(widget.color)] + [tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (1,)
                                          for h in MARKUP_COLOR.findall(widget.text)]
        for colour in colours:
            ratio = contrast(colour, back)
            if ratio < least:
                problems.append(f"text {_name(widget)!r} is {ratio:.2f}:1 on its button "
                                f"(text {tuple(round(c, 2) for c in colour[:3])}, button "
                                f"{tuple(round(c, 2) for c in back[:3])}), under {least}:1")
    return problems

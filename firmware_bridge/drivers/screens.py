"""LED window screens (窗口屏, framed protocol) and hall LED strips (综合条屏, line mode), driven by retained state.

The text comes only from the controller's retained state, so a screen shows
the hall as it is, also after the bridge or the screen restarts; a strip shows
each call's sentence as state/calls says it (the controller's words, as the
voice and event/called have them). Each poll
re-sends what a screen should show: an LED controller that lost power comes
back blank and would otherwise stay blank until the next call.
"""
from __future__ import annotations

import logging

from contract.messages import CallEntry, WindowState

from ..codecs import led_frame, led_line
from .base import Driver

log = logging.getLogger("bridge.screens")


def window_texts(state: WindowState | None, window: int) -> tuple[str, str]:
    """(Chinese, English) a window screen shows for `state/window/<n>`; blank when the window was removed."""
    if state is None:
        return "", ""
    if state.current is not None:
        number = state.current.number
        return f"{number} 请到{window}号窗口", f"{number} to window {window}"
    if state.status in ("paused", "closed"):
        return "暂停服务", "Paused" if state.status == "paused" else "Closed"
    return "欢迎光临", "Welcome"


def strip_texts(calls: list[CallEntry] | None, rows: int) -> list[str]:
    """One line per row for a hall strip: the newest calls of `state/calls`, newest first, in their words."""
    lines = [f"{c.text.zh}  {c.text.en}" for c in (calls or [])[:rows]]
    if not lines:
        lines = ["欢迎光临  Welcome"]
    return lines + [""] * (rows - len(lines))


class _Screen:
    def __init__(self, name: str, cfg):
        self.name, self.cfg = name, cfg
        self.shown: list[str] | None = None


class _ShowingDriver(Driver):
    """A port of screens that are told their whole text again after a replug and at every poll."""

    def __init__(self, name, cfg, bridge):
        super().__init__(name, cfg, bridge)
        self.screens = {dcfg.address: _Screen(device, dcfg) for device, dcfg in cfg.devices.items()}

    def lines(self, screen: _Screen) -> list[str] | None:
        """What the screen should show, row by row; None while the hall's state has not arrived."""
        raise NotImplementedError

    def encode_row(self, screen: _Screen, row: int, text: str) -> bytes:
        raise NotImplementedError

    def show(self, screen: _Screen, now: float, force: bool = False) -> None:
        lines = self.lines(screen)
        if lines is None or (lines == screen.shown and not force):
            return
        screen.shown = lines
        for row, text in enumerate(lines, start=1):
            self.counts["unshowable_chars"] += led_frame.unshowable(text, screen.cfg.encoding)
            if self.write(self.encode_row(screen, row, text)):
                self.expect(screen.name, now)

    def on_connected(self, now: float) -> None:
        self.poll(now)

    def poll(self, now: float) -> None:
        for screen in self.screens.values():
            self.show(screen, now, force=True)

    def screen_at(self, address: int) -> _Screen | None:
        screen = self.screens.get(address)
        if screen is None:
            self.unknown_address(address)
        return screen


class LedFrameBus(_ShowingDriver):
    """Window screens on one bus, each at its own address, each showing one window."""

    parser_class = led_frame.Parser

    def lines(self, screen: _Screen) -> list[str] | None:
        if screen.cfg.window not in self.bridge.hall.windows:
            return None
        zh, en = window_texts(self.bridge.hall.window(screen.cfg.window), screen.cfg.window)
        return ([zh, en] + [""] * 4)[:screen.cfg.rows]

    def encode_row(self, screen: _Screen, row: int, text: str) -> bytes:
        return led_frame.encode(led_frame.text(screen.cfg.address, row, text, screen.cfg.encoding))

    def on_hall(self, change, now: float) -> None:
        kind, window = change
        if kind == "window":
            for screen in self.screens.values():
                if screen.cfg.window == window:
                    self.show(screen, now)

    def on_item(self, frame: led_frame.Frame, now: float) -> None:
        screen = self.screen_at(frame.address)
        if screen is None:
            return
        if frame.cmd == led_frame.CMD_NAK:
            self.counts["nak"] += 1
            log.warning("port %s: %s refused a frame (command 0x%02X, reason %d); shown again at the next poll",
                        self.name, screen.name, frame.data[0] if frame.data else 0,
                        frame.data[1] if len(frame.data) > 1 else 0)
            screen.shown = None
        elif frame.cmd != led_frame.CMD_ACK:
            self.counts["unexpected"] += 1
            return
        self.heard(screen.name, now)


class LedLineStrip(_ShowingDriver):
    """Hall LED strips in line mode, showing the newest calls."""

    parser_class = led_line.ReplyParser

    def lines(self, screen: _Screen) -> list[str] | None:
        if self.bridge.hall.calls is None:
            return None
        return strip_texts(self.bridge.hall.calls, screen.cfg.rows)

    def encode_row(self, screen: _Screen, row: int, text: str) -> bytes:
        return led_line.text_line(screen.cfg.address, row, text, screen.cfg.encoding)

    def on_hall(self, change, now: float) -> None:
        if change[0] == "calls":
            for screen in self.screens.values():
                self.show(screen, now)

    def on_item(self, reply: led_line.Reply, now: float) -> None:
        strip = self.screen_at(reply.address)
        if strip is None:
            return
        if not reply.ok:
            self.counts["refused"] += 1
            log.warning("port %s: %s refused a line (reason %d); shown again at the next poll", self.name,
                        strip.name, reply.reason)
            strip.shown = None
        self.heard(strip.name, now)

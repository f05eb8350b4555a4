"""The window screen's (窗口屏) logic, without Kivy: the screen above one window.

It says which window this is and what it serves, and then one of four
things: the ticket being served (or called), 暂停服务, 欢迎光临 (open, nobody
at the window yet) or 窗口关闭 — all from this window's retained state, so a
reassignment or a tidal switch by the controller shows at once.
"""
from __future__ import annotations

import time

from contract.hall import HallMirror

BLINK_S = 6.0

MODES = {
    "closed": ("窗口关闭", "Window closed"),
    "paused": ("暂停服务", "Service paused"),
    "open": ("欢迎光临", "Welcome"),
}


class WindowPresenter:
    def __init__(self, window: int, hall: HallMirror, monotonic=time.monotonic):
        self.window = window
        self.hall = hall
        self.monotonic = monotonic
        self.blink_until = 0.0

    def on_message(self, topic: str, data) -> str | None:
        kind = self.hall.apply(topic, data)
        if kind == "called" and isinstance(data, dict) and data.get("window") == self.window:
            self.blink_until = self.monotonic() + BLINK_S
        return kind

    def blinking(self) -> bool:
        return self.monotonic() < self.blink_until and self.mode() == "serving"

    @property
    def state(self):
        return self.hall.window(self.window)

    def mode(self) -> str:
        """serving (a ticket is at the window), paused, open or closed."""
        state = self.state
        if state is None:
            return "closed"
        return "serving" if state.current else state.status if state.status in MODES else "closed"

    def screen(self) -> dict:
        state = self.state
        name = self.hall.window_name(self.window)
        primary, secondary = self.hall.serves(self.window)
        names = [self.hall.category_name(c) for c in primary]
        helps = [self.hall.category_name(c) for c in secondary] if state else []
        mode = self.mode()
        view = {"window_zh": name.zh, "window_en": name.en, "mode": mode,
                "serves_zh": "、".join(n.zh for n in names), "serves_en": ", ".join(n.en for n in names),
                "helps_zh": ("兼办 " + "、".join(n.zh for n in helps)) if helps else "",
                "helps_en": ("also " + ", ".join(n.en for n in helps)) if helps else "",
                "badges": [b for b, on in (("潮汐窗口 Tidal", state and state.tidal),
                                           ("绿色通道 Green channel", state and state.green_channel)) if on],
                "staff": "", "number": "", "big_zh": "", "big_en": "", "line_zh": "", "line_en": ""}
        if mode != "closed" and state.staff_id:
            view["staff"] = f"工作人员 Staff：{state.staff}  工号 ID：{state.staff_id}"
        if mode == "serving":
            view["number"] = state.current.number
            if state.current.status == "serving":
                view["line_zh"], view["line_en"] = "正在办理", "Now serving"
            else:
                view["line_zh"], view["line_en"] = "请到本窗口办理", "Please come to this window"
        else:
            view["big_zh"], view["big_en"] = MODES[mode]
            if mode == "paused" and state.pause_reason:
                view["line_zh"] = f"原因：{state.pause_reason}"
                view["line_en"] = "Please wait or ask at another window"
        return view

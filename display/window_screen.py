"""The window screen's widgets: the presenter's view of one window, on a TV or a small HDMI panel."""
from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from appkit import fit  # noqa: F401 - registers FitLabel, which window.kv uses
from contract.hall import HallMirror

from .blink import Blinker
from .window_presenter import WindowPresenter

Builder.load_file(str(Path(__file__).with_name("window.kv")))


class WindowScreen(FloatLayout):
    u = NumericProperty(1.0)
    glow = NumericProperty(0.0)
    mode = StringProperty("closed")

    def __init__(self, window: int, link, **kwargs):
        super().__init__(**kwargs)
        self.link = link
        self.presenter = WindowPresenter(window, HallMirror(link.topics))
        link.on_message = self._on_message
        link.on_online = lambda online: None
        for topic in (link.topics.state_config(), link.topics.state_queues(), link.topics.state_window(window),
                      link.topics.event("called")):
            link.subscribe(topic)
        self._refresh_later = Clock.create_trigger(lambda dt: self.refresh(), 0)
        self._timers = [Clock.schedule_interval(self._tick, 1.0)]
        self._blinker = Blinker(self, level=0.35)
        self.refresh()

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._blinker.stop(quiet=True)

    def _on_message(self, topic, data) -> None:
        kind = self.presenter.on_message(topic, data)
        if kind is not None:
            self._refresh_later()
        if kind == "called" and self.presenter.blink_until > self.presenter.monotonic():
            self._blink()

    def _tick(self, dt) -> None:
        self.link.check_online()
        self.ids.clock.text = self.presenter.hall.hall_time().strftime("%H:%M")

    def _blink(self) -> None:
        self._blinker.start(self.presenter.blink_until - self.presenter.monotonic())

    def refresh(self) -> None:
        view, ids = self.presenter.screen(), self.ids
        self.mode = view["mode"]
        ids.window_zh.text, ids.window_en.text = view["window_zh"], view["window_en"]
        ids.badges.text = "  ".join(view["badges"])
        ids.serves_zh.text = f"办理业务：{view['serves_zh']}  {view['helps_zh']}".strip()
        ids.serves_en.text = f"Serving: {view['serves_en']}  {view['helps_en']}".strip()
        if view["mode"] == "serving":
            ids.big.text, ids.big_en.text = view["number"], ""
        else:
            ids.big.text, ids.big_en.text = view["big_zh"], view["big_en"]
        ids.line_zh.text, ids.line_en.text = view["line_zh"], view["line_en"]
        ids.staff.text = view["staff"]
        self._tick(0)

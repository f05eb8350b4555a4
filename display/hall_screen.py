"""The hall screen's widgets: the presenter's views onto a 1920×1080 layout.

Updates come from the link's messages only (no polling). The few timers here
are the screen's own motion — the clock, the blink of a new call, the
scrolling notice and the page turn of a very large hall — not requests.
"""
from __future__ import annotations

import time
from pathlib import Path

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.stencilview import StencilView

from appkit import fit  # noqa: F401 - registers FitLabel, which hall.kv uses
from contract.hall import HallMirror

from .blink import Blinker
from .hall_presenter import PAGE_S, HallPresenter

Builder.load_file(str(Path(__file__).with_name("hall.kv")))

TILE_TONES = {"serving": (0.07, 0.32, 0.22, 1), "open": (0.09, 0.20, 0.36, 1), "paused": (0.40, 0.26, 0.05, 1),
              "closed": (0.12, 0.14, 0.18, 1)}
NOTICE_SPEED = 140  # px per second at 1080 lines
CALL_FIRST_S = 0.15  # the windows, queues and list follow a new call this much later


class WindowTile(BoxLayout):
    u = NumericProperty(1.0)
    grow = NumericProperty(1.0)
    tone = ColorProperty(TILE_TONES["open"])
    flash = BooleanProperty(False)
    dim = BooleanProperty(False)
    name_zh = StringProperty("")
    name_en = StringProperty("")
    number = StringProperty("")
    big = StringProperty("")
    line = StringProperty("")
    categories = StringProperty("")
    badge = StringProperty("")


class QueueRow(BoxLayout):
    u = NumericProperty(1.0)
    scale = NumericProperty(1.0)
    zh = StringProperty("")
    en = StringProperty("")
    waiting = StringProperty("")
    wait_zh = StringProperty("")
    wait_en = StringProperty("")
    windows = StringProperty("")


class CallRow(BoxLayout):
    u = NumericProperty(1.0)
    number = StringProperty("")
    window_zh = StringProperty("")
    window_en = StringProperty("")


class NoticeBar(StencilView):
    """The admin's notice, scrolling right to left for as long as it is set."""

    text = StringProperty("")
    u = NumericProperty(1.0)

    def on_text(self, *_):
        Clock.schedule_once(self.restart, 0)

    def on_size(self, *_):
        Clock.schedule_once(self.restart, 0)

    def restart(self, *_):
        line = self.ids.line
        Animation.cancel_all(line)
        if not self.text or self.width <= 0:
            return
        line.texture_update()
        distance = self.width + line.texture_size[0]
        line.x = self.right

        def again(*_):
            line.x = self.right
            slide.start(line)

        slide = Animation(x=self.x - line.texture_size[0], duration=distance / (NOTICE_SPEED * self.u))
        slide.bind(on_complete=again)
        slide.start(line)


class HallScreen(FloatLayout):
    u = NumericProperty(1.0)
    portrait = BooleanProperty(False)  # a TV on its side: the queues go under the windows
    glow = NumericProperty(0.0)  # the red of a new call, blinking

    def __init__(self, link, **kwargs):
        super().__init__(**kwargs)
        self.link = link
        self.hall = HallMirror(link.topics)
        self.presenter = HallPresenter(self.hall)
        self.shown_number = ""  # what the call panel shows, and since when (the benchmark watches it)
        self.shown_at = 0.0
        link.on_message = self._on_message
        link.on_online = lambda online: None
        for topic in (link.topics.state_all(), link.topics.event("called")):
            link.subscribe(topic)
        self._refresh_later = Clock.create_trigger(lambda dt: self.refresh(), 0)
        # after a call the rest of the screen waits a moment: the frame that shows the number
        # then carries a handful of new labels, not the forty a full update re-renders
        self._refresh_after_call = Clock.create_trigger(lambda dt: self.refresh(), CALL_FIRST_S)
        self._call_shown_at = -1.0
        self._timers = [Clock.schedule_interval(self._tick, 1.0), Clock.schedule_interval(self._page, PAGE_S)]
        self._blinker = Blinker(self, level=0.55, on_end=self.show_tiles)  # the tile's gold frame goes too
        self.ids.calls.bind(height=lambda *_: self.show_calls())
        self.refresh()

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._blinker.stop(quiet=True)
        Animation.cancel_all(self.ids.notice.ids.line)

    def _on_message(self, topic, data) -> None:
        kind = self.presenter.on_message(topic, data)
        if kind == "called":
            self.show_call()  # at once: this is what people wait for
            self._blink()
            self._call_shown_at = Clock.get_boottime()
        if kind is None:
            return
        if Clock.get_boottime() - self._call_shown_at < CALL_FIRST_S:
            self._refresh_after_call()
        else:
            self._refresh_later()  # once per frame, however many state messages came

    def _tick(self, dt) -> None:
        self.link.check_online()
        header = self.presenter.header()
        self.ids.time.text = header["time"]
        self.ids.date.text = f"{header['date_zh']}   {header['date_en']}"

    def _page(self, dt) -> None:
        if len(self.presenter.tiles()) > self.presenter.layout()["tiles"]:
            self.show_tiles()

    def _blink(self) -> None:
        self._blinker.start(self.presenter.blink_until - self.presenter.monotonic())

    # --- the presenter's views onto the widgets ------------------------------------------

    def refresh(self) -> None:
        header = self.presenter.header()
        self.ids.hall_zh.text, self.ids.hall_en.text = header["name_zh"], header["name_en"]
        self._tick(0)
        self.show_call()
        self.show_tiles()
        self.show_queues()
        self.show_calls()
        tidal = self.presenter.tidal_line()
        self.ids.tidal.text = f"{tidal['zh']}    {tidal['en']}" if tidal else ""
        self.ids.notice.text = self.presenter.notice()

    def show_call(self) -> None:
        call = self.presenter.current_call()
        ids = self.ids
        if call is None:
            ids.call_number.text, ids.call_window.text, ids.call_window_en.text = "—", "", ""
            ids.call_text.text, ids.call_text_en.text, ids.call_again.text = "欢迎光临", "Welcome", ""
            self.shown_number = ""
            return
        ids.call_number.text = call["number"]
        ids.call_window.text = call["window_zh"]
        ids.call_window_en.text = call["window_en"]
        ids.call_text.text = call["zh"]
        ids.call_text_en.text = call["en"]
        ids.call_again.text = f"{call['again_zh']} {call['again_en']}".strip()
        if call["number"] != self.shown_number:
            self.shown_at = time.perf_counter()
        self.shown_number = call["number"]

    def show_tiles(self) -> None:
        presenter = self.presenter
        grid = self.ids.tiles
        grid.cols = presenter.layout(self.portrait)["cols"]
        tiles = presenter.tiles()
        page, pages = presenter.page_number(tiles)
        self.ids.tiles_caption.text = "窗口  Windows" + (f"    第{page}/{pages}页  page {page} of {pages}"
                                                         if pages > 1 else "")
        _fill(grid, WindowTile, [dict(
            u=self.u, tone=TILE_TONES.get(tile["status"], TILE_TONES["closed"]), flash=tile["flash"],
            dim=tile["dim"], name_zh=tile["name_zh"], name_en=tile["name_en"], number=tile["number"],
            big=tile["number"] or tile["line_zh"],
            line=f"{tile['line_zh']} {tile['line_en']}" if tile["number"] else tile["line_en"],
            categories=tile["categories_zh"], badge=tile["badge"]) for tile in presenter.page(tiles)])

    def show_queues(self) -> None:
        scale = self.presenter.layout()["category_scale"]
        _fill(self.ids.queues, QueueRow, [dict(
            u=self.u, scale=scale, zh=row["zh"], en=row["en"], waiting=f"{row['waiting']}人", wait_zh=row["wait_zh"],
            wait_en=row["wait_en"], windows=row["windows"]) for row in self.presenter.queue_rows()])

    def show_calls(self) -> None:
        """As many of the latest calls as fit the space left under the queues."""
        grid = self.ids.calls
        rows = int((grid.height + grid.spacing[1]) // (grid.row_default_height + grid.spacing[1]))
        calls = self.presenter.latest_calls()[:max(0, rows) * grid.cols]
        _fill(grid, CallRow, [dict(u=self.u, number=row["number"], window_zh=row["window_zh"],
                                   window_en=row["window_en"]) for row in calls])

    def on_portrait(self, *_):
        self.on_u()

    def on_u(self, *_):
        if hasattr(self, "presenter"):  # the kv rule sets u before __init__ has built the rest
            self._refresh_later()


def _fill(container, kind, rows: list[dict]) -> None:
    """Show `rows` in `container`, one `kind` widget each: existing widgets get the new values,
    so a state message costs property updates, not a rebuilt layout."""
    widgets = list(reversed(container.children))
    for widget in widgets[len(rows):]:
        container.remove_widget(widget)
    for i, values in enumerate(rows):
        if i < len(widgets):
            for name, value in values.items():
                setattr(widgets[i], name, value)
        else:
            container.add_widget(kind(**values))

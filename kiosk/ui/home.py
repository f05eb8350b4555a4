"""Home (categories and the way into everything), item search, and the paused state."""
from __future__ import annotations

import time

from kivy.metrics import dp, mm

from ..presenters.base import LETTERS
from ..presenters.ticket import hall_time
from ..words import Bi
from .widgets import COLORS, BiButton, BiLabel, KioskScreen, load_kv

load_kv("widgets.kv")
load_kv("home.kv")


class HomeScreen(KioskScreen):
    def refresh(self) -> None:
        home = self.presenter
        self.ids.top.title_zh, self.ids.top.title_en = home.title
        self.ids.banner.set_pair(home.banner())
        grid = self.ids.tiles
        tiles = home.tiles()
        buttons = list(reversed(grid.children))
        if [b.key for b in buttons] != [t.code for t in tiles]:  # the categories changed: build them anew
            grid.clear_widgets()
            buttons = []
            for tile in tiles:
                button = BiButton(key=tile.code, base=27, on_release=lambda b: home.choose_category(b.key))
                button.bind(texture_size=self._fit_rows)
                grid.add_widget(button)
                buttons.append(button)
        for button, tile in zip(buttons, tiles):  # only texts that changed are drawn again
            note = Bi(f"{tile.waiting.zh}  {tile.wait.zh}", f"{tile.waiting.en}, {tile.wait.en}")
            button.set_pair(tile.name, note)
            button.tint = COLORS["button"] if tile.takes_tickets else COLORS["quiet"]
        self._fit_rows()

    def on_kv_post(self, base_widget) -> None:
        self.ids.tiles_view.bind(height=self._fit_rows)
        self.ids.tiles.bind(cols=self._fit_rows, width=self._fit_rows)

    def _fit_rows(self, *args) -> None:
        """Rows share the room, but are never lower than the tallest tile's words need."""
        grid, view = self.ids.tiles, self.ids.tiles_view
        buttons = grid.children
        if not buttons:
            return
        rows = -(-len(buttons) // grid.cols)
        share = (view.height - grid.spacing[1] * (rows - 1)) / rows
        needed = max(b.texture_size[1] for b in buttons) + dp(16)
        grid.row_default_height = max(mm(18), share, needed)


class PausedScreen(KioskScreen):
    """Ticketing paused: said plainly, with a clock that moves so nobody thinks the screen froze."""

    def refresh(self) -> None:
        self.ids.top.title_zh, self.ids.top.title_en = self.kiosk.hall.name
        self.ids.clock.text = hall_time(time.time(), self.kiosk.hall.timezone, "%H:%M:%S")
        self.ids.guides.disabled = not self.kiosk.hall.ready


class SearchScreen(KioskScreen):
    def refresh(self) -> None:
        search = self.presenter
        self.ids.top.title_zh, self.ids.top.title_en = search.title
        query = search.query
        self.ids.query.set_pair(Bi(query, query) if query else search.hint())
        self.ids.query.color = COLORS["accent"] if query else COLORS["text"]
        chips = self.ids.filters
        chips.clear_widgets()
        for code, name in search.filters():
            chips.add_widget(BiButton(zh=name.zh, en=name.en, base=15, key=code or "",
                                      tint=COLORS["chosen"] if code == search.category else COLORS["quiet"],
                                      on_release=lambda b: search.set_category(b.key or None)))
        results = self.ids.results
        results.clear_widgets()
        found = search.results()
        for item_id, name, category in found:
            button = BiButton(zh=name.zh, en=name.en, note_zh=category.zh, note_en=category.en, base=20,
                              key=item_id, size_hint_y=None, height=self.ids.keypad.row_height * 1.5,
                              on_release=lambda b: search.choose(b.key))
            least = button.height
            button.bind(texture_size=lambda b, size, least=least: setattr(b, "height", max(least, size[1] + dp(12))))
            results.add_widget(button)
        if query and not found:
            results.add_widget(BiLabel(zh=search.hint().zh, en=search.hint().en, size_hint_y=None, height=120))

    def typed(self, text: str) -> None:
        self.presenter.set_text(self.presenter.query + text)

    def key(self, key: str) -> None:
        if key == "DEL":
            self.presenter.delete()
        elif key == "CLEAR":
            self.presenter.clear()
        elif key in LETTERS:
            self.presenter.press(key)

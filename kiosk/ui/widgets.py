"""The kiosk's building blocks: two-language labels and buttons, keypads, the screen base.

Every text is a (zh, en) pair shown in the order the citizen chose, the
second language smaller under the first. Buttons are never smaller than
15 mm either way (a fingertip on a touch screen, and the elderly's).
"""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.metrics import sp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from ..words import Bi
from .palette import COLORS

SECOND = 0.66  # the second language's size against the first



def font_px(base: float, scale: float = 1.0) -> int:
    """A font size in pixels on a 4 px grid.

    Kivy's SDL2 text keeps only 64 open (font, size) pairs; a CJK font file is megabytes,
    so every size beyond those means opening it again (tens of ms a label). Few sizes keep
    every label's text fast to draw.
    """
    return max(8, round(sp(base) * scale / 4.0) * 4)


def _px(size: float) -> int:
    return max(8, round(size / 4.0) * 4)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def compose(zh: str, en: str, lang: str, size: float, note: tuple[str, str] | None = None,
            one_line: bool = False, note_color: str = "ffd200") -> str:
    """Markup of a pair: the chosen language first, the other smaller; an optional note line.

    Every part carries its own size: Kivy gives each line of a markup label at least the height of
    the label's own font_size, so the label is set to the smallest size used (`smallest`) and the
    first line is sized up in markup, else each small line would take a large line's height."""
    first, second = (zh, en) if lang == "zh" else (en, zh)
    out = f"[size={_px(size)}]{escape(first)}[/size]"
    if second and second != first:
        out += (" " if one_line else "\n") + f"[size={_px(size * SECOND)}]{escape(second)}[/size]"
    if note and (note[0] or note[1]):
        n1, n2 = (note[0], note[1]) if lang == "zh" else (note[1], note[0])
        out += f"\n[color={note_color}][size={_px(size * 0.75)}]{escape(n1)}[/size]"
        if n2 and n2 != n1:
            out += f"\n[size={_px(size * SECOND * 0.9)}]{escape(n2)}[/size]"
        out += "[/color]"
    return out


def smallest(zh: str, en: str, size: float, note: tuple[str, str] | None = None) -> int:
    """The least size `compose` uses for this pair: the label's font_size."""
    sizes = [_px(size)]
    if en and zh and en != zh:
        sizes.append(_px(size * SECOND))
    if note and (note[0] or note[1]):
        sizes.append(_px(size * 0.75))
        if note[0] and note[1] and note[0] != note[1]:
            sizes.append(_px(size * SECOND * 0.9))
    return min(sizes)


class BiText:
    """Mixin: zh/en (and an optional note pair) → markup, kept up to date with language and size.

    Its Kivy properties work on the Label or Button it is mixed into (as Kivy's own behaviours do).
    """

    zh = StringProperty("")
    en = StringProperty("")
    note_zh = StringProperty("")
    note_en = StringProperty("")
    lang = StringProperty("zh")
    base = NumericProperty(20)  # sp before the app's scale
    one_line = BooleanProperty(False)
    note_color = StringProperty("ffd200")  # hex; a button sets the one that reads on its tint
    text_px = NumericProperty(20)  # the first line's size in pixels (the kv rule: base × the app's scale)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._bind_pair()

    def _compose(self, *args) -> None:
        note = (self.note_zh, self.note_en) if (self.note_zh or self.note_en) else None
        self.font_size = smallest(self.zh, self.en, self.text_px, note)
        self.text = compose(self.zh, self.en, self.lang, self.text_px, note, self.one_line, self.note_color)

    def _bind_pair(self) -> None:
        for name in ("zh", "en", "note_zh", "note_en", "lang", "text_px", "note_color"):
            self.fbind(name, self._compose)
        self._compose()

    def set_pair(self, pair: Bi | None, note: Bi | None = None) -> None:
        pair = pair or Bi("", "")
        self.zh, self.en = pair.zh, pair.en
        self.note_zh, self.note_en = (note.zh, note.en) if note else ("", "")


class BiLabel(BiText, Label):
    pass


class BiButton(BiText, Button):
    tint = ListProperty(COLORS["button"])
    key = StringProperty("")  # what a keypad key types, or a code the screen needs back
    fit = BooleanProperty(False)  # its lines unwrapped, its width made for them (the top bar's switches)


class Keypad(BoxLayout):
    """Keys for codes and initials; `on_key` gets the key, or 'DEL' / 'OK'.

    The characters are a grid of `cols`; the word keys (delete, OK…) a row of their own under
    them, as wide as the keypad, so their words are never squeezed into a letter's key."""

    keys = StringProperty("")
    extra = ListProperty([])  # [(key, Bi)] after the characters: delete, OK…
    cols = NumericProperty(7)
    row_height = NumericProperty(64)
    target = ObjectProperty(None, allownone=True)

    def __init__(self, **kw):
        self.register_event_type("on_key")
        super().__init__(**kw)
        for name in ("keys", "extra", "cols", "row_height"):
            self.fbind(name, self._build)
        self._build()

    def _build(self, *args) -> None:
        self.clear_widgets()
        grid = GridLayout(cols=int(self.cols), spacing=self.spacing, size_hint_y=None, row_force_default=True,
                          row_default_height=self.row_height)
        grid.bind(minimum_height=grid.setter("height"))
        for ch in self.keys:
            grid.add_widget(BiButton(zh=ch, en=ch, key=ch, base=26, on_release=self._pressed))
        self.add_widget(grid)
        if self.extra:
            row = BoxLayout(spacing=self.spacing, size_hint_y=None, height=self.row_height)
            for key, pair in self.extra:
                tint = COLORS["good"] if key == "OK" else COLORS["quiet"]
                row.add_widget(BiButton(zh=pair.zh, en=pair.en, key=key, base=18, tint=tint, on_release=self._pressed))
            self.add_widget(row)

    def _pressed(self, button) -> None:
        self.dispatch("on_key", button.key)

    def on_key(self, key: str) -> None:
        pass


class KioskScreen(Screen):
    """A screen drawn from its presenter: `refresh()` whenever the presenter changes and it is shown."""

    presenter = ObjectProperty(None)
    kiosk = ObjectProperty(None)

    def __init__(self, kiosk, presenter=None, **kw):
        super().__init__(**kw)
        self.kiosk = kiosk
        self.presenter = presenter
        if presenter is not None and presenter is not kiosk:
            presenter.bind(self._changed)
        kiosk.bind(self._changed)

    def _changed(self) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.refresh()

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Redraw what changes; the kv rules draw the rest."""

    def typed(self, text: str) -> None:
        """Text from a hardware keyboard or a scanner (screens with an entry take it)."""

    def key(self, key: str) -> None:
        """A keypad key, or DEL / OK from a keyboard."""


def show_error(notice, error) -> None:
    """A (headline, detail) error under a form, or nothing."""
    if not error:
        notice.set_pair(None)
        return
    headline, detail = error
    notice.set_pair(headline, detail)


class EntryScreen(KioskScreen):
    """A screen around one typed code (kiosk.presenters.base.EntryPresenter): keypad, scanner, keyboard."""

    def typed(self, text: str) -> None:
        self.presenter.set_text(self.presenter.entry.text + text)

    def key(self, key: str) -> None:
        if key == "DEL":
            self.presenter.delete()
        elif key == "OK":
            self.presenter.submit()
        elif len(key) == 1:
            self.presenter.press(key)

    def show_entry(self) -> None:
        """The code as typed and the error of the last try (ids `code` and `error`)."""
        self.ids.code.text = self.presenter.entry.text or " "
        show_error(self.ids.error, self.presenter.error)


def pair(widget, value: Bi | None, note: Bi | None = None) -> None:
    widget.set_pair(value, note)


LARGE_TEXT = 1.5  # 大字模式: every text half as large again


_WORD_WIDTHS: dict[tuple[str, int], float] = {}


def widest_word(pairs, px: int) -> float:
    """Pixels of the widest word of these pairs (the first language at `px`, the second smaller):
    what a button must be wide enough for so that no word is broken (measured once per size)."""
    from kivy.core.text import Label as CoreLabel

    widest = 0.0
    for pair in pairs:
        for text, size in ((pair.zh, px), (pair.en, _px(px * SECOND)), (pair.en, px), (pair.zh, _px(px * SECOND))):
            for word in text.split():
                key = (word, size)
                if key not in _WORD_WIDTHS:
                    _WORD_WIDTHS[key] = CoreLabel(font_size=size).get_extents(word)[0]
                widest = max(widest, _WORD_WIDTHS[key])
    return widest


def font_scale_for(width: float, height: float, elderly: bool) -> float:
    """Text grows with the screen (a 1080p kiosk is read from the same distance) and in elderly mode."""
    scale = max(1.0, min(width, height) / 800)
    return scale * (LARGE_TEXT if elderly else 1.0)


def load_kv(name: str) -> None:
    """Load a screen's .kv once per process (Kivy would apply twice-loaded rules twice)."""
    path = str(Path(__file__).with_name(name))
    if path not in Builder.files:
        Builder.load_file(path)


def app():
    return App.get_running_app()


__all__ = ["COLORS", "BiButton", "BiLabel", "Keypad", "KioskScreen", "compose", "load_kv", "sp"]

"""A one-line label that always shows its whole text: its font shrinks from `fit_size` until
the text fits its box.

A hall's names are as long as the hall makes them ("不动产登记24号窗口", "Window 24 · Real
Estate") and a TV may show 4 windows or 24: a fixed font either wastes the space of a small
hall or cuts the text of a big one ("B…"). A screen gives each text the size it wants and
the room it has; the text keeps the size wanted when it fits and is never cut.
"""
from __future__ import annotations

from functools import lru_cache

from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.label import Label

STEP = 0.5  # px: sizes are tried in these steps below the first estimate


@lru_cache(maxsize=4096)
def extents(text: str, size: float, font_name: str, bold: bool) -> tuple[int, int]:
    """(width, height) of `text` on one line at `size` px (a state update re-asks the same texts)."""
    from kivy.core.text import Label as CoreLabel

    return CoreLabel(font_size=size, font_name=font_name, bold=bold).get_extents(text)


def fitted_size(text: str, wanted: float, width: float, height: float, font_name: str, bold: bool) -> float:
    """The largest size up to `wanted` at which `text` fits width × height on one line."""
    if not text or wanted <= 0 or width <= 0 or height <= 0:
        return wanted
    w, h = extents(text, wanted, font_name, bold)
    if w <= width and h <= height:
        return wanted
    size = max(STEP, int(wanted * min(width / max(w, 1), height / max(h, 1)) / STEP) * STEP)
    while size > STEP:
        w, h = extents(text, size, font_name, bold)
        if w <= width and h <= height:
            break
        size -= STEP
    return size


class FitLabel(Label):
    fit_size = NumericProperty(15.0)  # the font size wanted; font_size is what fits

    def __init__(self, **kwargs):
        self._refit = Clock.create_trigger(self.refit, -1)
        super().__init__(**kwargs)
        self.fbind("text", self._refit)
        self.fbind("fit_size", self._refit)
        self.fbind("size", self._refit)
        self.fbind("bold", self._refit)
        self.fbind("font_name", self._refit)
        self.refit()

    def refit(self, *_) -> None:
        px, py = _padding(self.padding)
        self.font_size = fitted_size(self.text, self.fit_size, self.width - px - 2, self.height - py,
                                     self.font_name, self.bold)


def _padding(padding) -> tuple[float, float]:
    """Horizontal and vertical padding together, from Kivy's 1, 2 or 4-value forms."""
    values = list(padding) if isinstance(padding, (list, tuple)) else [padding]
    if len(values) == 1:
        return 2 * values[0], 2 * values[0]
    if len(values) == 2:
        return 2 * values[0], 2 * values[1]
    return values[0] + values[2], values[1] + values[3]

"""Rating a service (kiosk by QR code, or the evaluator at a window), the thanks, the evaluator's rest."""
from __future__ import annotations

from kivy.app import App
from kivy.metrics import dp, mm
from kivy.properties import BooleanProperty

from ..presenters.rating import TOKEN_CHARS
from .. import words as w
from ..words import Bi
from .palette import LEVEL_TINT
from .widgets import COLORS, BiButton, EntryScreen, KioskScreen, font_px, load_kv, show_error, widest_word

load_kv("widgets.kv")
load_kv("take.kv")
load_kv("rating.kv")



class RateScreen(KioskScreen):
    with_bottom = BooleanProperty(True)  # the kiosk has Back/Home; the evaluator waits for its timeout
    def refresh(self) -> None:
        rating = self.presenter
        self.ids.subject.set_pair(rating.subject if rating.subject.zh else None)
        # While asking why, the reasons need the room (an evaluator's screen is small).
        self.ids.staff.set_pair(None if rating.asking_why else rating.staff)
        levels = self.ids.levels
        levels.clear_widgets()
        levels.cols = self._level_columns(rating)
        # While asking why, the levels shrink to one row of buttons as tall as their words and the
        # reasons get the room: where five do not fit across, only the two bad levels and a way back.
        levels.size_hint_y = None if rating.asking_why else 1
        shown = rating.levels()
        if rating.asking_why and levels.cols != 5:
            shown = [(level, name) for level, name in shown if level in (2, 1)]
            levels.cols = 3
            back = BiButton(zh=w.CHANGE_RATING.zh, en=w.CHANGE_RATING.en, base=20, tint=COLORS["quiet"],
                            disabled=rating.sending, on_release=lambda b: rating.change_level())
            back.bind(texture_size=self._fit_levels)
            levels.add_widget(back)
        for level, name in shown:
            chosen = rating.level == level
            button = BiButton(zh=name.zh, en=name.en, key=str(level), base=24,
                              tint=COLORS["chosen"] if chosen else LEVEL_TINT[level],
                              disabled=rating.sending, on_release=lambda b: rating.choose_level(int(b.key)))
            button.bind(texture_size=self._fit_levels)
            levels.add_widget(button)
        self._fit_levels()
        why = self.ids.why
        why.opacity = 1 if rating.asking_why else 0
        why.disabled = not rating.asking_why
        why.size_hint_y = 1 if rating.asking_why else None
        if not rating.asking_why:
            why.height = 0
        reasons, phrases = self.ids.reasons, self.ids.phrases
        reasons.clear_widgets()
        phrases.clear_widgets()
        if rating.asking_why:
            for code, text, chosen in rating.reason_options():
                reasons.add_widget(chip(text, code, chosen,
                                        lambda b: rating.toggle_reason(b.key)))
            for index, text, chosen in rating.phrase_options():
                phrases.add_widget(chip(text, str(index), chosen,
                                        lambda b: rating.toggle_phrase(int(b.key))))
        comment = rating.comment_shown
        self.ids.comment.set_pair(comment if comment.zh else w.COMMENT_HINT)
        self.ids.clear_comment.disabled = not comment.zh
        show_error(self.ids.error, rating.error)

    def _fit_levels(self, *args) -> None:
        """Rows of levels as tall as the tallest level's words, while they shrink for the reasons."""
        levels = self.ids.levels
        if levels.size_hint_y is not None or not levels.children:
            return
        rows = -(-len(levels.children) // levels.cols)
        row = max(mm(16), max(b.texture_size[1] for b in levels.children) + dp(12))
        levels.height = rows * row + (rows - 1) * levels.spacing[1]

    def on_size(self, *args) -> None:
        self._changed()

    def _level_columns(self, rating) -> int:
        """Five across where the longest word of a level fits its button (a landscape screen), else
        three (two rows) while asking why, one a row on a portrait screen: no word broken in two."""
        wanted = widest_word([name for _, name in rating.levels()], font_px(24, self.font_scale())) + dp(20)
        room = self.width - dp(24)
        if self.width > self.height and (room - 4 * dp(8)) / 5 >= wanted:
            return 5
        if rating.asking_why or self.width > self.height:
            return 3
        return 1

    @staticmethod
    def font_scale() -> float:
        app = App.get_running_app()
        return getattr(app, "font_scale", 1.0)

    def typed(self, text: str) -> None:
        """A hardware keyboard, where there is one: typed words join the comment."""
        if self.presenter.asking_why:
            self.presenter.type_comment(text)

    def key(self, key: str) -> None:
        if key == "DEL" and self.presenter.asking_why:
            self.presenter.type_comment(None)


def chip(text: Bi, key: str, chosen: bool, on_release) -> BiButton:
    """A choice to touch (a reason, a phrase): as tall as its words, never under 15 mm; a chosen one
    is ticked in whichever language comes first."""
    mark = "✓ " if chosen else ""
    button = BiButton(zh=mark + text.zh, en=mark + text.en, key=key, base=18, tint=COLORS["chosen"] if chosen else COLORS["quiet"],
                      size_hint_y=None, height=mm(15), on_release=on_release)
    button.bind(texture_size=lambda b, size: setattr(b, "height", max(mm(15), size[1] + dp(12))))
    return button


class RateCodeScreen(EntryScreen):
    def refresh(self) -> None:
        self.show_entry()


class ThanksScreen(KioskScreen):
    def refresh(self) -> None:
        self.ids.text.set_pair(self.presenter.text)
        self.ids.detail.set_pair(self.presenter.detail)


class IdleScreen(KioskScreen):
    """The evaluator between ratings: who serves at this window."""

    def refresh(self) -> None:
        evaluator = self.kiosk
        self.ids.top.title_zh, self.ids.top.title_en = evaluator.hall.name
        self.ids.window.set_pair(evaluator.hall.window_name(evaluator.window))
        name, staff_id = evaluator.staff
        self.ids.staff.set_pair(Bi(f"工作人员 {name}  工号 {staff_id}", f"Staff {name}  No. {staff_id}")
                                if staff_id else Bi("暂无工作人员", "No staff at this window"))


class EvaluatorPausedScreen(KioskScreen):
    """Rating unavailable while the controller or the broker is away."""


__all__ = ["TOKEN_CHARS"]

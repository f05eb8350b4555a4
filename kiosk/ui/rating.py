"""Rating a service (kiosk by QR code, or the evaluator at a window), the thanks, the evaluator's rest."""
from __future__ import annotations

from kivy.app import App
from kivy.metrics import dp, mm
from kivy.properties import BooleanProperty

from ..presenters.rating import TOKEN_CHARS
from ..words import Bi
from .palette import LEVEL_TINT
from .widgets import COLORS, BiButton, EntryScreen, KioskScreen, load_kv, show_error

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
        # While asking why, the levels shrink to one row of buttons and the reasons get the room.
        levels.size_hint_y = None if rating.asking_why else 1
        levels.height = max(mm(16), dp(76) * self.font_scale())
        for level, name in rating.levels():
            chosen = rating.level == level
            levels.add_widget(BiButton(zh=name.zh, en=name.en, key=str(level), base=24,
                                       tint=COLORS["chosen"] if chosen else LEVEL_TINT[level],
                                       disabled=rating.sending, on_release=lambda b: rating.choose_level(int(b.key))))
        why = self.ids.why
        why.opacity = 1 if rating.asking_why else 0
        why.disabled = not rating.asking_why
        why.size_hint_y = 1 if rating.asking_why else None
        if not rating.asking_why:
            why.height = 0
        reasons = self.ids.reasons
        reasons.clear_widgets()
        if rating.asking_why:
            for code, text, chosen in rating.reason_options():
                reasons.add_widget(BiButton(zh=("✓ " if chosen else "") + text.zh, en=text.en, key=code, base=20,
                                            tint=COLORS["chosen"] if chosen else COLORS["quiet"],
                                            on_release=lambda b: rating.toggle_reason(b.key)))
        show_error(self.ids.error, rating.error)

    @staticmethod
    def font_scale() -> float:
        app = App.get_running_app()
        return getattr(app, "font_scale", 1.0)

    def comment_changed(self, text: str) -> None:
        self.presenter.set_comment(text)


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

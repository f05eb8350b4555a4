"""现场预约's screen: the step's choices (days, times) as buttons, the mobile keypad, the code when booked."""
from __future__ import annotations

from kivy.factory import Factory
from kivy.metrics import dp, mm
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from .. import words as w
from ..presenters.base import DIGITS
from ..presenters.booking import DAY, DONE, PHONE, SLOT
from .widgets import COLORS, BiButton, Keypad, KioskScreen, app, load_kv, show_error

load_kv("widgets.kv")
load_kv("take.kv")
load_kv("booking.kv")


class BookScreen(KioskScreen):
    _drawn = None  # what the middle shows now: rebuilt only when that changes

    def refresh(self) -> None:
        booking = self.presenter
        self.ids.title.set_pair(booking.title if booking.step != PHONE else None)  # the keypad needs the room
        self.ids.prompt.set_pair(booking.prompt)
        self.ids.chosen.set_pair(booking.chosen() if booking.step in (SLOT, PHONE) else None)
        show_error(self.ids.error, booking.error)
        if booking.step == DAY:
            drawn = (DAY, tuple(booking.day_choices()), self.kiosk.lang, self.width > self.height)
        elif booking.step == SLOT:
            drawn = (SLOT, booking.day, tuple(booking.slot_choices()), self.kiosk.lang, self.width > self.height)
        elif booking.step == PHONE:
            drawn = (PHONE, self.width > self.height)
        else:
            drawn = (DONE, (booking.booked or {}).get("code"), tuple(booking.done_lines()), self.kiosk.lang)
        if drawn != self._drawn:
            self._drawn = drawn
            self._draw(booking)
        if booking.step == PHONE:
            self._typed.text = booking.phone_shown or " "

    def on_size(self, *args) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.refresh()

    def _draw(self, booking) -> None:
        body = self.ids.body
        body.clear_widgets()
        if booking.step in (DAY, SLOT):
            choices = booking.day_choices() if booking.step == DAY else booking.slot_choices()
            body.add_widget(self._choices(booking, choices))
        elif booking.step == PHONE:
            wide = self.width > self.height
            row = BoxLayout(orientation="horizontal" if wide else "vertical", spacing=dp(12))
            self._typed = Factory.Typed()
            typed = AnchorLayout(anchor_y="center") if wide else self._typed
            if wide:
                typed.add_widget(self._typed)
            row.add_widget(typed)
            keys = AnchorLayout(anchor_y="top")
            keys.add_widget(Keypad(keys="1234567890", cols=3, size_hint_x=None,
                                   width=min((self.width / 2 if wide else self.width) - dp(32), max(mm(70), dp(420))),
                                   extra=[("DEL", w.DELETE), ("OK", w.OK)], on_key=lambda pad, key: self.key(key)))
            row.add_widget(keys)
            body.add_widget(row)
        else:
            code = Factory.BookCode(text=(booking.booked or {}).get("code", ""))
            body.add_widget(Factory.Para(zh=w.BOOK_CODE.zh, en=w.BOOK_CODE.en, base=20, halign="center"))
            body.add_widget(code)
            scroll = ScrollView(do_scroll_x=False, bar_width=dp(10))
            lines = GridLayout(cols=1, spacing=dp(4), padding=dp(8), size_hint_y=None)
            lines.bind(minimum_height=lines.setter("height"))
            for line in booking.done_lines():
                lines.add_widget(Factory.Para(zh=line.zh, en=line.en, base=22))
            materials = booking.materials()
            if materials:
                lines.add_widget(Factory.Heading(zh=w.BOOK_MATERIALS.zh, en=w.BOOK_MATERIALS.en))
                for item in materials:
                    lines.add_widget(Factory.Para(zh=item.zh, en=item.en, base=18))
            scroll.add_widget(lines)
            body.add_widget(scroll)

    def _choices(self, booking, choices) -> ScrollView:
        wide = self.width > self.height
        cols = (4 if wide else 2) if booking.step == DAY else (5 if wide else 3)
        scroll = ScrollView(do_scroll_x=False, bar_width=dp(10))
        grid = GridLayout(cols=cols, spacing=dp(8), size_hint_y=None, row_force_default=True,
                          row_default_height=max(mm(22), dp(118) * app().font_scale))
        grid.bind(minimum_height=grid.setter("height"))
        for choice in choices:
            key = choice.date if booking.step == DAY else str(choice.start)
            button = BiButton(zh=choice.label.zh, en=choice.label.en, note_zh=choice.state.zh,
                              note_en=choice.state.en, key=key, base=22, one_line=True, disabled=not choice.open,
                              tint=COLORS["button"] if choice.open else COLORS["quiet"])
            if booking.step == DAY:
                button.bind(on_release=lambda b: booking.choose_day(b.key))
            else:
                button.bind(on_release=lambda b: booking.choose_slot(int(b.key)))
            grid.add_widget(button)
        if not choices and booking.step == SLOT:
            grid.add_widget(Factory.Para(zh=w.BOOK_NO_SLOTS.zh, en=w.BOOK_NO_SLOTS.en))
        scroll.add_widget(grid)
        return scroll

    def typed(self, text: str) -> None:
        if self.presenter.step == PHONE:
            for ch in text:
                self.presenter.press(ch)

    def key(self, key: str) -> None:
        booking = self.presenter
        if booking.step != PHONE:
            return
        if key == "DEL":
            booking.delete()
        elif key == "OK":
            booking.submit()
        elif key in DIGITS:
            booking.press(key)

"""Taking a ticket: the queue group, the phone number, the printer's trouble, the ticket, check-in."""
from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout

from ..presenters.base import DIGITS
from ..words import GROUPS, PRINTER_STATUS, Bi
from .palette import GROUP_TINT
from .qr import qr_texture
from .widgets import (
    COLORS,
    BiButton,
    BiLabel,
    EntryScreen,
    KioskScreen,
    load_kv,
    show_error,
)

load_kv("widgets.kv")
load_kv("take.kv")



class GroupScreen(KioskScreen):
    _drawn = None  # what the choice buttons show now: rebuilt only when that changes

    def refresh(self) -> None:
        take = self.presenter
        self.ids.target.set_pair(take.target)
        self.ids.queue.set_pair(take.queue_line())
        # A second tap while the ticket is being asked for is ignored by the presenter; the buttons
        # are not redrawn as disabled (re-rendering their text costs a frame on a small board).
        drawn = (take.confirming, tuple(take.groups()), self.kiosk.lang, self.width > self.height)
        if drawn != self._drawn:
            self._drawn = drawn
            self._draw_choices(take)
        self.ids.real_name.set_pair(take.shown_applicant or Bi("实名登记（可选）", "Register your name (optional)"))
        show_error(self.ids.error, take.error)

    def on_size(self, *args) -> None:
        self._changed()  # turned to landscape or portrait: the choices are laid out again

    def _draw_choices(self, take) -> None:
        box = self.ids.choices
        box.clear_widgets()
        # Side by side on a landscape screen: each choice gets the whole height for its words.
        box.orientation = "horizontal" if self.width > self.height and not take.confirming else "vertical"
        if take.confirming:
            box.add_widget(BiLabel(zh=take.confirm_text().zh, en=take.confirm_text().en, base=22))
            answers = BoxLayout(spacing=dp(12))
            answers.add_widget(BiButton(zh="确认取号", en="Yes, take it", tint=COLORS["good"], base=26,
                                        on_release=lambda b: take.confirm()))
            answers.add_widget(BiButton(zh="取消", en="Cancel", tint=COLORS["quiet"], base=22,
                                        on_release=lambda b: take.cancel()))
            box.add_widget(answers)
        else:
            for code, name in take.groups():
                box.add_widget(BiButton(zh=name.zh, en=name.en, key=code, base=28, tint=GROUP_TINT[code],
                                        on_release=lambda b: take.choose(b.key)))


class PhoneScreen(KioskScreen):
    def refresh(self) -> None:
        take = self.presenter
        self.ids.hint.set_pair(take.phone_hint)
        self.ids.phone.text = take.phone_shown or " "
        show_error(self.ids.error, (take.phone_error, None) if take.phone_error else None)

    def typed(self, text: str) -> None:
        for ch in text:
            self.presenter.press(ch)

    def key(self, key: str) -> None:
        if key == "DEL":
            self.presenter.delete()
        elif key == "OK":
            self.presenter.phone_done()
        elif key in DIGITS:
            self.presenter.press(key)


class PrinterScreen(KioskScreen):
    def refresh(self) -> None:
        status = self.kiosk.printer_watch.status or "offline"
        self.ids.status.set_pair(PRINTER_STATUS.get(status, PRINTER_STATUS["offline"]))


class TicketScreen(KioskScreen):
    _qr_for = None

    def refresh(self) -> None:
        ticket = self.presenter
        ids = self.ids
        ids.number.text = ticket.number
        ids.category.set_pair(ticket.category)
        ids.item.set_pair(ticket.item)
        ids.group.set_pair(ticket.group)
        ids.ahead.set_pair(ticket.ahead)
        ids.wait.set_pair(ticket.wait)
        ids.windows.set_pair(ticket.windows)
        ids.issued.text = ticket.issued
        ids.message.set_pair(ticket.message)
        ids.message.color = COLORS["accent"] if ticket.print_state != "not_printed" else COLORS["alarm"]
        ids.countdown.set_pair(ticket.countdown)
        ids.token.text = ticket.rating_code
        if ticket.qr_text and ticket.qr_text != self._qr_for:
            ids.qr.texture = qr_texture(ticket.qr_text)
            self._qr_for = ticket.qr_text


class CheckInScreen(EntryScreen):
    def refresh(self) -> None:
        self.show_entry()


__all__ = ["GROUPS"]

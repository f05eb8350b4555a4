"""The Kivy app: screens wired to the presenters, the MQTT link, the printer, the half-second poll.

Kiosk mode is the citizen's touch kiosk; evaluator mode is the small rating
screen at a window. Both share the link handling: retained state and events
go to the presenter on Kivy's thread, and every half second the link is asked
whether the controller is still there (a lost broker sends no message).
"""
from __future__ import annotations

import logging

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.screenmanager import NoTransition, ScreenManager

from appkit.link import HallLink

from ..presenters import evaluator as ev
from ..presenters import kiosk as k
from ..presenters.evaluator import Evaluator
from ..presenters.kiosk import Kiosk
from ..printing.service import PrinterService
from .booking import BookScreen
from .home import HomeScreen, PausedScreen, SearchScreen
from .queries import GuideScreen, ProgressScreen, StatusScreen
from .rating import (
    EvaluatorPausedScreen,
    IdleScreen,
    RateCodeScreen,
    RateScreen,
    ThanksScreen,
)
from .take import CheckInScreen, GroupScreen, PhoneScreen, PrinterScreen, TicketScreen
from .widgets import COLORS, font_scale_for

log = logging.getLogger(__name__)
POLL_S = 0.5

ENTER, BACKSPACE = 13, 8


class HallApp(App):
    """What both modes share; `presenter` is the Kiosk or the Evaluator."""

    lang = StringProperty("zh")
    elderly = BooleanProperty(False)
    font_scale = NumericProperty(1.0)
    presenter = ObjectProperty(None, allownone=True)

    def __init__(self, *, device: str, hall: str, host: str, port: int, password: str | None = None,
                 tls_ca: str | None = None, **kw):
        super().__init__(**kw)
        self.device, self.hall_id, self.host, self.port, self.password = device, hall, host, port, password
        self.tls_ca = tls_ca
        self.link: HallLink | None = None

    def build(self):
        Window.clearcolor = COLORS["bg"]
        self.link = HallLink(self.device, self.hall_id, self.host, self.port, password=self.password,
                             tls_ca=self.tls_ca, on_message=self.on_hall_message, on_online=self.on_online)
        self.presenter = self.make_presenter(self.link)
        for topic in self.topics():
            self.link.subscribe(topic)
        self.manager = ScreenManager(transition=NoTransition())
        for screen in self.make_screens():
            self.manager.add_widget(screen)
        self.presenter.on_screen = self._show
        self.presenter.bind(self._follow_presenter)
        self._show(self.presenter.screen)
        Window.bind(size=self._rescale, on_textinput=self._typed, on_key_down=self._key,
                    on_touch_down=self._touched)
        self._rescale()
        self._poll_event = Clock.schedule_interval(self.poll, POLL_S)
        self.link.start()
        return self.manager

    # --- wiring --------------------------------------------------------------------------------------

    def topics(self) -> list[str]:
        return self.presenter.subscriptions()

    def on_hall_message(self, topic: str, data) -> None:
        self.presenter.on_message(topic, data)

    def on_online(self, online: bool) -> None:
        self.presenter.set_online(online)

    def poll(self, dt=None) -> None:
        self.link.check_online()
        self.presenter.tick()

    def _show(self, name: str) -> None:
        if self.manager.current != name:
            self.manager.current = name

    def _follow_presenter(self) -> None:
        self.lang = self.presenter.lang
        if self.elderly != self.presenter.elderly:
            self.elderly = self.presenter.elderly
            self._rescale()

    def _rescale(self, *args) -> None:
        self.font_scale = font_scale_for(Window.width, Window.height, self.elderly)

    def _touched(self, *args) -> None:
        self.presenter.touched()

    def _current(self):
        return self.manager.current_screen if self.manager else None

    def _typed(self, window, text: str) -> None:
        screen = self._current()
        if screen is not None and not self._text_input_focused():
            screen.typed(text)

    def _key(self, window, key, scancode, codepoint, modifiers) -> None:
        screen = self._current()
        if screen is None or self._text_input_focused():
            return
        if key == ENTER:
            screen.key("OK")
        elif key == BACKSPACE:
            screen.key("DEL")

    def _text_input_focused(self) -> bool:
        from kivy.uix.textinput import TextInput

        screen = self._current()
        return any(isinstance(w, TextInput) and w.focus for w in screen.walk(restrict=True)) if screen else False

    def on_stop(self) -> None:
        self.cleanup()

    def shutdown(self) -> None:
        """Stop without closing the window (tests, screenshots): on_stop also makes kv forget this app."""
        self.dispatch("on_stop")

    def cleanup(self) -> None:
        """Stop the poll, the link and the printer; safe to call twice."""
        Window.unbind(size=self._rescale, on_textinput=self._typed, on_key_down=self._key,
                      on_touch_down=self._touched)
        if getattr(self, "_poll_event", None) is not None:
            self._poll_event.cancel()
            self._poll_event = None
        if self.link is not None:
            self.link.stop()
            self.link = None


class KioskApp(HallApp):
    title = "叫号系统 取号机 / Kiosk"

    def __init__(self, *, name: str, printer: str = "none", id_salt: bytes | None = None, printer_width: int = 48,
                 id_reader: str | None = None, **kw):
        super().__init__(device=f"kiosk-{name}", **kw)
        self.printer_spec, self.id_salt, self.printer_width = printer, id_salt, printer_width
        self.id_reader = id_reader  # "bridge-<name>/<device>": whose card reads are this kiosk's
        self.printer: PrinterService | None = None

    def topics(self) -> list[str]:
        topics = super().topics()
        if self.id_reader:
            bridge, _, device = self.id_reader.partition("/")
            topics.append(self.link.topics.bridge_device(bridge, device, "card"))
        return topics + self.printer.topics()

    def on_hall_message(self, topic: str, data) -> None:
        if self.link is None:  # stopped: a message already handed to the clock is nobody's now
            return
        heard = self.printer.on_message(topic, data)
        if heard == "status":  # a printer behind a bridge: what it says now, not at the next poll
            self.printer.check(self.presenter.printer_watch.update)
        if heard:
            return
        found = self.link.topics.parse_bridge_device(topic)
        if found and found[2] == "card":
            self.presenter.take.card_read(data)
        else:
            super().on_hall_message(topic, data)

    def make_presenter(self, link) -> Kiosk:
        self.printer = PrinterService(self.printer_spec, deliver=lambda fn: Clock.schedule_once(lambda dt: fn()),
                                      client=self.link.client)
        return Kiosk(link, self.printer, id_salt=self.id_salt, printer_width=self.printer_width,
                     has_id_reader=bool(self.id_reader))

    def make_screens(self):
        kiosk = self.presenter
        return [
            HomeScreen(kiosk, kiosk.home, name=k.HOME), PausedScreen(kiosk, name=k.PAUSED),
            SearchScreen(kiosk, kiosk.search, name=k.SEARCH), GroupScreen(kiosk, kiosk.take, name=k.GROUP),
            PhoneScreen(kiosk, kiosk.take, name=k.PHONE), PrinterScreen(kiosk, name=k.PRINTER),
            TicketScreen(kiosk, kiosk.ticket, name=k.TICKET), GuideScreen(kiosk, kiosk.guide, name=k.GUIDE),
            ProgressScreen(kiosk, kiosk.progress, name=k.PROGRESS), StatusScreen(kiosk, kiosk.status, name=k.STATUS),
            CheckInScreen(kiosk, kiosk.checkin, name=k.CHECKIN), RateCodeScreen(kiosk, kiosk.rate_code, name=k.RATE_CODE),
            RateScreen(kiosk, kiosk.rating, name=k.RATE), ThanksScreen(kiosk, kiosk.thanks, name=k.THANKS),
            BookScreen(kiosk, kiosk.booking, name=k.BOOK),
        ]

    def cleanup(self) -> None:
        super().cleanup()
        if self.printer is not None:
            self.printer.stop()


class EvaluatorApp(HallApp):
    title = "叫号系统 评价器 / Evaluator"

    def __init__(self, *, window: int, **kw):
        # The evaluator logs in as evaluator-<window>: the controller lets that login rate, by ticket id,
        # only what its own window served (a kiosk must give the ticket's rating token).
        super().__init__(device=f"evaluator-{window}", **kw)
        self.window = window

    def make_presenter(self, link) -> Evaluator:
        return Evaluator(link, self.window)

    def make_screens(self):
        evaluator = self.presenter
        rate = RateScreen(evaluator, evaluator.rating, name=ev.RATE)
        rate.with_bottom = False
        return [IdleScreen(evaluator, name=ev.IDLE), rate, ThanksScreen(evaluator, evaluator.thanks, name=ev.THANKS),
                EvaluatorPausedScreen(evaluator, name=ev.PAUSED)]

"""现场预约 on the kiosk rendered off-screen against a real controller and Mosquitto, driven by simulated
touches: home → the item → a day → a time → the mobile number on the keypad → the code on screen, in
the store, and on the slip the virtual printer received."""
from __future__ import annotations

from tests.support.kiosk_app import start, stop  # first: it prepares Kivy off-screen  # isort: skip

from kivy.uix.behaviors import ButtonBehavior  # noqa: E402

from firmware_bridge.virtual.printer import VirtualPrinter  # noqa: E402
from kiosk.ui.app import KioskApp  # noqa: E402
from testbed.screens import find, settle, tap  # noqa: E402


def button(app, predicate):
    return find(app.root, lambda w: isinstance(w, ButtonBehavior) and w.opacity > 0 and predicate(w))


def touch(app, text: str) -> None:
    widget = button(app, lambda w: text in str(getattr(w, "text", "")) and not w.disabled)
    assert widget is not None, f"no button saying {text!r} on screen {app.root.current}"
    tap(widget)
    settle(2)


def test_book_a_time_by_touch_and_get_the_code_printed(controller, tmp_path):
    printer = VirtualPrinter().start_on_pty(tmp_path / "printer")
    app = start(KioskApp(name="K1", hall=controller.hall, host="127.0.0.1", port=controller.broker.port,
                         printer=f"serial:{printer.device}"))
    try:
        settle(until=lambda: app.root.current == "home", timeout=15)
        touch(app, "现场预约")
        assert app.root.current == "search"
        for letter in "YBYD":  # its pinyin initials on the letter keypad
            tap(button(app, lambda w, k=letter: getattr(w, "key", "") == k))
        settle(2)
        touch(app, "医保异地就医备案")
        booking = app.presenter.booking
        settle(until=lambda: app.root.current == "book" and all(r is not None for r in booking.days.values()),
               timeout=10)
        greyed = [d for d in booking.day_choices() if not d.open]
        day = next(d for d in booking.day_choices() if d.open)
        if greyed:  # a day without slots is shown but cannot be chosen
            widget = button(app, lambda w: getattr(w, "key", "") == greyed[0].date)
            assert widget is not None and widget.disabled
        touch(app, day.label.zh)
        assert booking.step == "slot" and booking.day == day.date
        slot = next(s for s in booking.slot_choices() if s.open)
        touch(app, slot.label.zh)
        assert booking.step == "phone"
        for digit in "13812345678":
            tap(button(app, lambda w, d=digit: getattr(w, "key", "") == d))
        settle(1)
        assert "138 1234 5678" in app.root.current_screen._typed.text  # in full while typed
        touch(app, "确定")
        settle(until=lambda: booking.step == "done", timeout=10)
        code = booking.booked["code"]
        assert app.root.current_screen.ids.body.children and find(
            app.root, lambda w: str(getattr(w, "text", "")) == code) is not None, "the code is on screen"
        stored = controller.store.record("appointments", code)
        assert stored["channel"] == "kiosk" and stored["item"] == "B02" and stored["slot_start"] == slot.start
        slip = printer.wait_for_slips(1)[0]
        assert code.encode() in slip and "请携带".encode("gb18030") in slip
        touch(app, "首页")
        assert app.root.current == "home" and booking.booked is None
    finally:
        stop(app)
        printer.stop()

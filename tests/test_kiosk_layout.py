"""Every kiosk and evaluator screen fits: touch targets of 15 mm, no text cut off, nothing overlapping.

The same tour that makes docs/screenshots (kiosk/shots.py), against a real
controller and a virtual printer, checked in landscape and portrait.
"""
from __future__ import annotations

from tests.support.kiosk_app import SIZE, start, stop  # first: it prepares Kivy off-screen  # isort: skip

import pytest
from kivy.core.window import Window
from kivy.metrics import mm

from firmware_bridge.virtual.printer import VirtualPrinter
from kiosk.shots import EVALUATOR_SIZE, evaluator_tour, kiosk_tour
from kiosk.ui.app import EvaluatorApp, KioskApp
from testbed.screens import layout_problems, settle


def test_every_kiosk_screen_fits_landscape_and_portrait(controller, tmp_path):
    printer = VirtualPrinter().start_on_pty(tmp_path / "printer")
    app = start(KioskApp(name="K1", hall=controller.hall, host="127.0.0.1", port=controller.broker.port,
                         printer=f"serial:{printer.device}"))
    try:
        settle(until=lambda: app.presenter.screen == "home", timeout=15)
        tour = kiosk_tour(app, controller, printer)
        seen = set()
        for size in ((1280, 800), (1080, 1920)):
            Window.size = size
            for name, prepare in tour:
                prepare()
                settle(4)
                seen.add(app.root.current)
                assert layout_problems(app.root) == [], f"{name} at {size}"
        assert seen == set(app.root.screen_names)  # the tour saw every screen
    finally:
        stop(app)
        printer.stop()
        Window.size = SIZE


def test_every_evaluator_screen_fits_a_seven_inch_screen(controller):
    Window.size = EVALUATOR_SIZE
    app = start(EvaluatorApp(window=3, hall=controller.hall, host="127.0.0.1",
                             port=controller.broker.port))
    Window.size = EVALUATOR_SIZE
    try:
        settle(until=lambda: app.presenter.screen == "idle", timeout=15)
        for name, prepare in evaluator_tour(app, controller):
            prepare()
            settle(4)
            assert layout_problems(app.root) == [], name
    finally:
        stop(app)
        Window.size = SIZE


@pytest.mark.parametrize("elderly", [False, True])
def test_the_least_button_is_fifteen_millimetres(controller, elderly):
    app = start(KioskApp(name="K1", hall=controller.hall, host="127.0.0.1", port=controller.broker.port))
    try:
        settle(until=lambda: app.presenter.screen == "home", timeout=15)
        if elderly:
            app.presenter.toggle_elderly()
        app.presenter.search.open("ticket")
        settle(4)
        keys = [w for w in app.root.walk(restrict=True) if getattr(w, "key", "") == "A"]
        assert keys and min(keys[0].size) >= mm(15) - 1
    finally:
        stop(app)

"""Every kiosk and evaluator screen fits: touch targets of 15 mm, no text cut off, nothing overlapping.

The same tour that makes docs/screenshots (kiosk/shots.py), against a real
controller and a virtual printer, checked in landscape and portrait.
"""
from __future__ import annotations

from tests.support.kiosk_app import SIZE, start, stop  # first: it prepares Kivy off-screen  # isort: skip

import pytest
from kivy.core.window import Window
from kivy.metrics import mm

from display.shots import large_hall
from firmware_bridge.virtual.printer import VirtualPrinter
from kiosk.shots import EVALUATOR_SIZE, KIOSK_SIZES, evaluator_tour, kiosk_tour
from kiosk.ui.app import EvaluatorApp, KioskApp
from kiosk.ui.widgets import LARGE_TEXT
from testbed.controller import RunningController
from testbed.screens import contrast_problems, layout_problems, settle


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
                assert problems_on_screen(app) == [], f"{name} at {size}"
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
            assert problems_on_screen(app) == [], name
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


def problems_on_screen(app) -> list[str]:
    return layout_problems(app.root, thorough=True) + contrast_problems(app.root)


def test_a_large_hall_in_large_text_and_english_fits_every_size(broker, hall_raw, tmp_path):
    """24 windows and 12 categories, 大字模式 and English first, at every kiosk size: every text whole,
    never wrapped inside a word, nothing overlapping or off screen, every text readable on its button."""
    running = RunningController(large_hall(hall_raw, 24), tmp_path / "hall.db", broker)
    printer = VirtualPrinter().start_on_pty(tmp_path / "printer")
    app = start(KioskApp(name="K1", hall=running.hall, host="127.0.0.1", port=broker.port,
                         printer=f"serial:{printer.device}"))
    try:
        settle(until=lambda: app.presenter.screen == "home", timeout=15)
        found = []
        for lang, large in (("en", True), ("zh", True)):
            tour = kiosk_tour(app, running, printer, lang=lang, large=large)
            for size in KIOSK_SIZES:
                Window.size = size
                for name, prepare in tour:
                    prepare()
                    settle(4)
                    found += [f"{name} {lang} {'large' if large else ''} {size}: {p}" for p in problems_on_screen(app)]
        assert not found, "\n".join(found)
        kiosk = app.presenter
        kiosk.go("home")
        sizes = {}
        for large in (False, True):
            kiosk.elderly = large
            kiosk.changed()
            settle(4)
            tiles = app.root.get_screen("home").ids.tiles.children
            sizes[large] = (len(tiles), tiles[0].text_px)
        assert sizes[False][0] == sizes[True][0] == 12
        assert sizes[True][1] >= LARGE_TEXT * sizes[False][1] - 4  # really larger (on Kivy's 4 px grid)
    finally:
        stop(app)
        printer.stop()
        running.stop()
        Window.size = SIZE


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_evaluator_in_large_text_fits_and_reads(controller, lang):
    Window.size = EVALUATOR_SIZE
    app = start(EvaluatorApp(window=3, hall=controller.hall, host="127.0.0.1",
                             port=controller.broker.port))
    Window.size = EVALUATOR_SIZE
    try:
        settle(until=lambda: app.presenter.screen == "idle", timeout=15)
        found = []
        for name, prepare in evaluator_tour(app, controller, lang=lang, large=True):
            prepare()
            settle(4)
            found += [f"{name}: {p}" for p in problems_on_screen(app)]
        assert not found, "\n".join(found)
    finally:
        stop(app)
        Window.size = SIZE

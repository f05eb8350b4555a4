"""The caller fits its 1024×600 terminal in a large hall, at the normal text size and in large text.

Every scene of caller/shots.py — login, a ticket called and served with tickets set aside and
alerts, the no-show confirmation, the transfer dialog of a 24-window, 12-category hall, call
back, pause — checked by testbed.screens.layout_problems: no text cut, shortened, wrapped inside
a word or off screen, nothing overlapping, every button at least 15 mm. Every text of the
caller is bilingual, so the English is checked in the same pass.
"""
from __future__ import annotations

# first: it prepares Kivy (off-screen) before anything imports kivy
from tests.support.screens import SHOTS  # isort: skip

from caller.shots import LARGE_TEXT, prepare_hall, run
from display.shots import large_hall
from testbed.controller import RunningController
from testbed.screens import snapshot


def test_every_caller_scene_fits_1024x600_in_a_large_hall_also_in_large_text(broker, hall_raw, tmp_path):
    controller = RunningController(large_hall(hall_raw, 24), tmp_path / "hall.db", broker)
    try:
        prepare_hall(controller)
        assert run(controller, SHOTS, 1.0, snapshot) == []
        assert run(controller, SHOTS, LARGE_TEXT, snapshot, "-large-text") == []
    finally:
        controller.stop()

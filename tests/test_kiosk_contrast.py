"""Every text of the kiosk and the evaluator reads at least 4.5:1 against what it is drawn on (WCAG 2.1 AA).

The colours are computed, not eyeballed: every button tint the screens use (and its pressed
shade) with the text colour the buttons give it and the note yellow, and the labels' colours on
the backgrounds they sit on. The layout tests check the same on every rendered screen
(`testbed.screens.contrast_problems`).
"""
from __future__ import annotations

import pytest

from kiosk.ui.palette import COLORS, GROUP_TINT, LEVEL_TINT, contrast, note_on, pressed, text_on

TINTS = {**{name: COLORS[name] for name in ("button", "good", "bad", "priority", "quiet", "chosen")},
         **{f"level {n}": tint for n, tint in LEVEL_TINT.items()}, **{f"group {g}": t for g, t in GROUP_TINT.items()}}


def hex_colour(value: str) -> tuple:
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))


def test_the_wcag_formula():
    assert contrast((1, 1, 1), (0, 0, 0)) == pytest.approx(21)
    assert contrast((1, 1, 1), (1, 1, 1)) == pytest.approx(1)
    assert contrast((0.4627, 0.4627, 0.4627), (1, 1, 1)) == pytest.approx(4.54, abs=0.02)  # #767676 on white


@pytest.mark.parametrize("name", sorted(TINTS))
def test_every_button_text_reads_on_its_tint_and_pressed(name):
    for tint in (TINTS[name], pressed(TINTS[name])):
        assert contrast(text_on(tint), tint) >= 4.5, name
        assert contrast(hex_colour(note_on(tint)), tint) >= 4.5, name


def test_the_priority_orange_and_the_chosen_button_were_what_failed():
    assert contrast(COLORS["text"], (0.85, 0.55, 0.0)) < 4.5  # the old priority orange with white
    assert contrast(COLORS["text"], COLORS["chosen"]) < 4.5  # so a chosen (yellow) button gets dark text
    assert text_on(COLORS["chosen"]) == COLORS["bg"] and text_on(COLORS["priority"]) == COLORS["text"]


@pytest.mark.parametrize("text, background", [
    ("text", "bg"), ("text", "panel"), ("text", "bad"), ("accent", "bg"), ("accent", "panel"), ("accent", "bad"),
    ("warn", "bg"), ("alarm", "bg")])
def test_labels_read_on_their_backgrounds(text, background):
    assert contrast(COLORS[text], COLORS[background]) >= 4.5

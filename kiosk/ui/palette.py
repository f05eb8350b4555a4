"""The kiosk's colours, and the rule that keeps every text readable on its button (WCAG 2 contrast).

Plain Python (no Kivy): the tests compute the contrast of every pair used. A text is at least
4.5:1 against what it is drawn on (WCAG 2.1 AA for normal text); a button's text takes white or
the deep blue of the background, whichever reads better on its tint, so a light tint (the yellow
of a chosen button) gets dark text instead of white that a citizen cannot read.
"""
from __future__ import annotations

# High contrast: white on deep blue, yellow for what matters most (numbers, headings).
COLORS = {
    "bg": (0.04, 0.11, 0.22, 1), "panel": (0.08, 0.20, 0.38, 1), "button": (0.05, 0.28, 0.63, 1),
    "good": (0.07, 0.42, 0.16, 1), "bad": (0.62, 0.10, 0.10, 1),
    "warn": (0.85, 0.55, 0.0, 1),  # amber text of a warning on the background (a printer banner)
    "priority": (0.70, 0.30, 0.0, 1),  # the orange of the priority button: dark enough for white text
    "quiet": (0.22, 0.27, 0.34, 1), "chosen": (0.85, 0.65, 0.0, 1), "text": (1, 1, 1, 1),
    "accent": (1, 0.84, 0.0, 1), "alarm": (1, 0.55, 0.45, 1),
}
NOTE = (1, 0xD2 / 255, 0, 1)  # the yellow note line under a button's words (waiting, the wait)
LEVEL_TINT = {5: COLORS["good"], 4: (0.12, 0.52, 0.22, 1), 3: COLORS["button"], 2: (0.75, 0.33, 0.05, 1),
              1: COLORS["bad"]}
GROUP_TINT = {"normal": COLORS["button"], "priority": COLORS["priority"], "green": COLORS["good"]}
LEAST_CONTRAST = 4.5


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(rgba) -> float:
    """WCAG 2 relative luminance of an sRGB colour (channels 0-1)."""
    r, g, b = (_linear(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(tint) -> tuple:
    """White or deep blue, whichever reads better on this background."""
    light, dark = COLORS["text"], COLORS["bg"]
    return light if contrast(light, tint) >= contrast(dark, tint) else dark


def note_on(tint) -> str:
    """The markup colour (hex) of a note line on this background: the yellow where it reads, else the text's."""
    colour = NOTE if contrast(NOTE, tint) >= LEAST_CONTRAST else text_on(tint)
    return "".join(f"{round(c * 255):02x}" for c in colour[:3])


def pressed(tint) -> list:
    """A button's colour while a finger is on it: away from its text colour, so it reads better still
    (darker under white text, lighter under dark text)."""
    if text_on(tint) == COLORS["text"]:
        return [c * 0.7 for c in tint[:3]] + [1]
    return [c + (1 - c) * 0.3 for c in tint[:3]] + [1]

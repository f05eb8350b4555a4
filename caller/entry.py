"""Typing on the caller's touch keypad (or a PC keyboard): ticket numbers and the login.

Plain Python so the keypad's rules are tested without a window: a number is a
prefix letter and up to three digits, and "A5" means A005 — staff type what
they hear, not the padding.
"""
from __future__ import annotations

import re

_NUMBER = re.compile(r"^([A-Z])(\d{1,3})$")
BACKSPACE, CLEAR = "退格", "清除"  # words: the CJK font has no ⌫ glyph


class NumberEntry:
    def __init__(self):
        self.text = ""

    def press(self, key: str) -> str:
        """One key: a letter starts a new number, digits follow it (three at most)."""
        if key == BACKSPACE:
            self.text = self.text[:-1]
        elif key == CLEAR:
            self.text = ""
        elif len(key) == 1 and key.isascii() and key.isalpha():
            self.text = key.upper()
        elif len(key) == 1 and key.isascii() and key.isdigit() and self.text[:1].isalpha() and len(self.text) < 4:
            self.text += key
        return self.text

    @property
    def value(self) -> str | None:
        return self.normalize(self.text)

    @staticmethod
    def normalize(text: str) -> str | None:
        """'a5' → 'A005'; None if it is not a ticket number."""
        match = _NUMBER.match((text or "").strip().upper())
        if not match:
            return None
        return f"{match.group(1)}{int(match.group(2)):03d}"


class ApplicationEntry:
    """办件 number typed (or scanned: a scanner types like a keyboard) at the window: letters, digits and
    '-', up to 40; the contract's shape, in capitals."""

    SHAPE = re.compile(r"^[A-Z0-9-]{4,40}$")

    def __init__(self):
        self.text = ""

    def press(self, key: str) -> str:
        if key == BACKSPACE:
            self.text = self.text[:-1]
        elif key == CLEAR:
            self.text = ""
        elif len(key) == 1 and key.isascii() and (key.isalnum() or key == "-") and len(self.text) < 40:
            self.text += key.upper()
        return self.text

    @property
    def value(self) -> str | None:
        return self.normalize(self.text)

    @classmethod
    def normalize(cls, text: str) -> str | None:
        """The number as sent, or None when it is not one."""
        text = (text or "").strip().upper()
        return text if cls.SHAPE.match(text) else None


class LoginEntry:
    """工号 and PIN typed on one keypad; `field` is the one the keys go to."""

    MAX = 16

    def __init__(self):
        self.staff_id = ""
        self.pin = ""
        self.field = "staff_id"

    def press(self, key: str) -> None:
        value = getattr(self, self.field)
        if key == BACKSPACE:
            value = value[:-1]
        elif key == CLEAR:
            value = ""
        elif len(key) == 1 and key.isascii() and key.isalnum() and len(value) < self.MAX:
            value += key
        setattr(self, self.field, value)

    def next_field(self) -> None:
        self.field = "pin" if self.field == "staff_id" else "staff_id"

    @property
    def pin_shown(self) -> str:
        return "●" * len(self.pin)

    def clear(self) -> None:
        self.staff_id, self.pin, self.field = "", "", "staff_id"

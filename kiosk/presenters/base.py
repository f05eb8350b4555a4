"""What every presenter shares: change listeners, a keypad entry, the app's shell."""
from __future__ import annotations

import time
from collections.abc import Callable


class Presenter:
    def __init__(self):
        self._listeners: list[Callable[[], None]] = []

    def bind(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()


class Entry:
    """Text typed on an on-screen keypad (a kiosk has no keyboard): allowed characters, a length cap."""

    def __init__(self, allowed: str, max_length: int, upper: bool = True):
        self.allowed, self.max_length, self.upper = allowed, max_length, upper
        self.text = ""

    def press(self, key: str) -> None:
        key = key.upper() if self.upper else key
        if len(key) == 1 and key in self.allowed and len(self.text) < self.max_length:
            self.text += key

    def delete(self) -> None:
        self.text = self.text[:-1]

    def clear(self) -> None:
        self.text = ""

    def set(self, text: str) -> None:
        """Text from a hardware keyboard or a scanner: the allowed characters only."""
        text = text.upper() if self.upper else text
        self.text = "".join(ch for ch in text if ch in self.allowed)[: self.max_length]



class PhoneEntry(Entry):
    """A mobile number typed on the keypad, the one way every kiosk screen shows it."""

    def __init__(self, max_length: int = 11):
        super().__init__(DIGITS, max_length)

    @property
    def shown(self) -> str:
        """In full while it is typed, so a wrong digit is seen (a mobile in groups of 3-4-4); once it is
        done it is only ever shown masked."""
        digits = self.text
        if digits.startswith("1"):
            return " ".join(part for part in (digits[:3], digits[3:7], digits[7:]) if part)
        return digits

class EntryPresenter(Presenter):
    """A screen built around one typed code: keypad keys, a scanner or keyboard, an error line."""

    def __init__(self, kiosk, entry: Entry):
        super().__init__()
        self.kiosk, self.entry = kiosk, entry
        self.error = None  # (headline, detail) of the last try
        self.reset()

    def reset(self) -> None:
        self.entry.clear()
        self.error = None

    def press(self, key: str) -> None:
        self.entry.press(key)
        self.error = None
        self.changed()

    def delete(self) -> None:
        self.entry.delete()
        self.changed()

    def set_text(self, text: str) -> None:
        self.entry.set(text)
        self.changed()

    def show_error(self, headline, detail=None) -> None:
        self.error = (headline, detail)
        self.changed()

    def submit(self) -> None:
        raise NotImplementedError


class Shell(Presenter):
    """The app around the screens: which one shows, the language, large text, the last touch."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.clock = clock
        self.lang = "zh"
        self.elderly = False
        self.last_touch = clock()
        self.on_screen: Callable[[str], None] = lambda name: None

    def show(self, screen: str) -> None:
        self.screen = screen
        self.last_touch = self.clock()
        self.on_screen(screen)
        self.changed()

    def touched(self) -> None:
        self.last_touch = self.clock()

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.changed()

    def toggle_elderly(self) -> None:
        self.elderly = not self.elderly
        self.changed()


DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE_CHARS = LETTERS + DIGITS + "-"

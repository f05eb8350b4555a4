"""The home screen (categories with their queues, the way into everything else) and item search."""
from __future__ import annotations

from dataclasses import dataclass

from .. import words as w
from ..words import Bi
from .base import LETTERS, Entry, Presenter
from .booking import bookable


@dataclass(frozen=True)
class Tile:
    code: str
    name: Bi
    waiting: Bi
    wait: Bi
    takes_tickets: bool = True  # False: no window serves it now and the config refuses tickets then


class Home(Presenter):
    def __init__(self, kiosk):
        super().__init__()
        self.kiosk = kiosk

    @property
    def title(self) -> Bi:
        return self.kiosk.hall.name

    def tiles(self) -> list[Tile]:
        return [Tile(c.code, c.name, w.fmt(w.WAITING, n=c.waiting), w.category_wait(c), c.takes_tickets)
                for c in self.kiosk.hall.categories()]

    def banner(self) -> Bi | None:
        """A printer problem, said on the home screen before anyone tries to print."""
        return self.kiosk.printer_watch.banner()

    def choose_category(self, code: str) -> None:
        cat = self.kiosk.hall.category(code)
        if cat is not None and cat.takes_tickets:
            self.kiosk.take.start(category=code)

    def find_item(self) -> None:
        self.kiosk.search.open("ticket")

    def guides(self) -> None:
        self.kiosk.search.open("guide")

    def book(self) -> None:
        """现场预约: find the item first."""
        self.kiosk.search.open("book")

    def open(self, screen: str) -> None:
        """progress, status, checkin, rate_code: screens that start empty."""
        self.kiosk.go(screen)


class Search(Presenter):
    """Items by pinyin initials typed on the letter keypad, by name from a keyboard, or by category."""

    MAX_RESULTS = 40

    def __init__(self, kiosk):
        super().__init__()
        self.kiosk = kiosk
        self.mode = "ticket"  # or "guide": what choosing an item does
        self.entry = Entry(LETTERS, 12)
        self.typed_name = ""  # Chinese typed on a real keyboard, matched as it is
        self.category: str | None = None

    def reset(self) -> None:
        self.entry.clear()
        self.typed_name = ""
        self.category = None

    def open(self, mode: str) -> None:
        self.reset()
        self.mode = mode
        self.kiosk.go("search")

    @property
    def title(self) -> Bi:
        return w.GUIDES if self.mode == "guide" else w.BOOK if self.mode == "book" else w.SEARCH_ITEMS

    @property
    def query(self) -> str:
        return self.typed_name or self.entry.text

    def press(self, key: str) -> None:
        self.typed_name = ""
        self.entry.press(key)
        self.changed()

    def delete(self) -> None:
        self.entry.delete()
        self.changed()

    def clear(self) -> None:
        self.reset()
        self.changed()

    def set_text(self, text: str) -> None:
        """From a hardware keyboard: Chinese names as typed, Latin letters as initials."""
        text = text.strip()
        if any(ord(ch) > 127 for ch in text):
            self.typed_name = text[:20]
        else:
            self.typed_name = ""
            self.entry.set(text)
        self.changed()

    def filters(self) -> list[tuple[str | None, Bi]]:
        return [(None, w.ALL)] + [(c.code, c.name) for c in self.kiosk.hall.categories()]

    def set_category(self, code: str | None) -> None:
        self.category = code
        self.changed()

    def results(self) -> list[tuple[str, Bi, Bi]]:
        """(item id, item name, category name) of the matches."""
        found = self.kiosk.index.search(self.query, self.category)
        hall = self.kiosk.hall
        if self.mode == "book":
            found = [item for item in found if bookable(hall, item.id)]
        found = found[: self.MAX_RESULTS]
        out = []
        for item in found:
            cat = hall.category(item.category)
            out.append((item.id, item.name, cat.name if cat else Bi("", "")))
        return out

    def hint(self) -> Bi:
        return w.NO_MATCH if self.query and not self.results() else w.SEARCH_HINT

    def choose(self, item_id: str) -> None:
        if self.kiosk.hall.item(item_id) is None:
            return
        if self.mode == "guide":
            self.kiosk.guide.open(item_id)
        elif self.mode == "book":
            self.kiosk.booking.start(item_id)
        else:
            self.kiosk.take.start(item=item_id)

"""Text in the hall's two languages: Chinese first, English second.

One type for every pair a person reads, whether it came from the wire (a
`{"zh", "en"}` object of the config or the state) or from a screen's own
words, so no client keeps names in two shapes.
"""
from __future__ import annotations

from typing import NamedTuple


class Bi(NamedTuple):
    zh: str
    en: str

    def join(self, sep: str = " / ") -> str:
        return f"{self.zh}{sep}{self.en}" if self.en and self.en != self.zh else self.zh


def bi(value) -> Bi:
    """A {zh, en} mapping (as in the hall config), a `BilingualName` model or a plain string as a Bi."""
    if isinstance(value, Bi):
        return value
    if hasattr(value, "zh") and hasattr(value, "en"):
        value = {"zh": value.zh, "en": value.en}
    if isinstance(value, dict):
        zh = str(value.get("zh") or value.get("en") or "")
        return Bi(zh, str(value.get("en") or zh))
    return Bi(str(value or ""), str(value or ""))

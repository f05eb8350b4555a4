"""What the loudspeaker says for a call, as a list of phrases made of fixed clips.

"请A001号到3号窗口办理": a ticket number is read letter by name and digit by
digit (A 零 零 一 — nobody hears "one" for 001), a window number as a number
(十二号窗口), then optionally the same in English. A recall says so: "再次呼叫
A001号到3号窗口办理", "Calling again: A001 to window 3". Every word comes from a
small fixed set (digits, letters, 十, 百, the words between them), so start-up
can make all of them once — synthesized, or a hall's own recordings — and a call
is spoken by joining clips, with no synthesis while people wait. Text outside
the set (a number format this module does not know) is marked for whole-phrase
synthesis instead.

Pure Python: no audio, no MQTT; unit-tested by table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from config.schema import TICKET_LETTERS
from contract.calls import (EN_AGAIN, EN_GO_TO_WINDOW, EN_NUMBER, EN_TO_WINDOW, ZH_AGAIN, ZH_NUMBER, ZH_PLEASE,
                            ZH_SERVE, ZH_TO, ZH_WINDOW)

ZH_DIGITS = "零一二三四五六七八九"
EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen")
EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
LETTERS = tuple(sorted(TICKET_LETTERS))

TICKET = re.compile(r"^([A-Z]{1,2})(\d{1,4})$")
MAX_WINDOW = 999


@dataclass(frozen=True)
class Phrase:
    """One language's sentence: clip keys to join, or None when only whole synthesis can say it."""

    lang: str
    tokens: tuple[str, ...] | None
    text: str


def zh_numeral(n: int) -> list[str]:
    """A number as spoken in Mandarin, one clip per character: 12 → 十 二, 105 → 一 百 零 五."""
    if not 0 <= n <= MAX_WINDOW:
        raise ValueError(f"{n} is outside 0-{MAX_WINDOW}")
    if n < 10:
        return [ZH_DIGITS[n]]
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out: list[str] = []
    if hundreds:
        out += [ZH_DIGITS[hundreds], "百"]
        if tens == 0 and ones:
            return out + ["零", ZH_DIGITS[ones]]
    if tens:
        if tens > 1 or hundreds:
            out.append(ZH_DIGITS[tens])
        out.append("十")
    if ones:
        out.append(ZH_DIGITS[ones])
    return out


def en_numeral(n: int) -> list[str]:
    """A number as spoken in English, one clip per word: 12 → twelve, 105 → one hundred five."""
    if not 0 <= n <= MAX_WINDOW:
        raise ValueError(f"{n} is outside 0-{MAX_WINDOW}")
    if n < 10:
        return [EN_DIGITS[n]]
    out: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        out += [EN_DIGITS[hundreds], "hundred"]
    if 10 <= rest < 20:
        out.append(EN_TEENS[rest - 10])
    elif rest >= 20:
        out.append(EN_TENS[rest // 10])
        if rest % 10:
            out.append(EN_DIGITS[rest % 10])
    elif rest:
        out.append(EN_DIGITS[rest])
    return out


def ticket_tokens(number: str, lang: str) -> list[str] | None:
    """A001 → A 零 零 一 (zh) or A zero zero one (en); None for a number of another shape."""
    match = TICKET.match(number)
    if not match:
        return None
    letters, digits = match.groups()
    spoken = ZH_DIGITS if lang == "zh" else EN_DIGITS
    return list(letters) + [spoken[int(d)] for d in digits]


def call_phrases(number: str, window: int, *, english: bool = True, again: bool = False,
                 event_text: dict | None = None) -> list[Phrase]:
    """The sentences of one call (a recall when `again`): Chinese first, then English if wanted.

    The words are the controller's (`text` of event/called, the one sentence screens show too);
    the clips say them, and a call whose number the clips cannot say is synthesized from that
    text whole, or left unsaid in a language it has no text for."""
    event_text = event_text or {}
    phrases = []
    for lang in ("zh", "en") if english else ("zh",):
        ticket = ticket_tokens(number, lang)
        text = str(event_text.get(lang) or "")
        if ticket is None or not isinstance(window, int) or not 0 < window <= MAX_WINDOW:
            if text:
                phrases.append(Phrase(lang, None, text))
        elif lang == "zh":
            phrases.append(Phrase(lang, (ZH_AGAIN if again else ZH_PLEASE, *ticket, ZH_NUMBER, ZH_TO,
                                         *zh_numeral(window), ZH_NUMBER, ZH_WINDOW, ZH_SERVE), text))
        elif again:
            phrases.append(Phrase(lang, (EN_AGAIN, *ticket, EN_TO_WINDOW, *en_numeral(window)), text))
        else:
            phrases.append(Phrase(lang, (EN_NUMBER, *ticket, EN_GO_TO_WINDOW, *en_numeral(window)), text))
    return phrases


def fixed_tokens(lang: str) -> list[str]:
    """Every clip key call_phrases can produce in a language: what start-up makes."""
    if lang == "zh":
        return [*ZH_DIGITS, "十", "百", *LETTERS, ZH_PLEASE, ZH_AGAIN, ZH_NUMBER, ZH_TO, ZH_WINDOW, ZH_SERVE]
    return [*EN_DIGITS, *EN_TEENS, *EN_TENS[2:], "hundred", *LETTERS, EN_NUMBER, EN_GO_TO_WINDOW, EN_AGAIN,
            EN_TO_WINDOW]

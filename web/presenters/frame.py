"""What every public page has around its content: the hall's name, the menu, the language and
text-size switches (forms: they work without JavaScript), the notice that the controller is away."""
from __future__ import annotations

from dataclasses import dataclass

from contract.bilingual import Bi
from contract.hall import HallMirror

from .. import words as w
from ..words import say

LANG_COOKIE, SIZE_COOKIE = "qms_lang", "qms_size"
PREF_MAX_AGE = 365 * 86400
MENU = (("/hall", w.HALL_NOW), ("/take", w.TAKE), ("/guides", w.GUIDES), ("/book", w.BOOK), ("/progress", w.PROGRESS),
        ("/ratings", w.RATINGS), ("/complain", w.COMPLAIN))


@dataclass(frozen=True)
class Prefs:
    """The visitor's choices, kept in two cookies: Chinese first, normal text by default."""

    lang: str = "zh"
    large: bool = False

    @classmethod
    def of(cls, cookies: dict[str, str]) -> Prefs:
        lang = cookies.get(LANG_COOKIE)
        return cls(lang=lang if lang in w.LANGS else "zh", large=cookies.get(SIZE_COOKIE) == "large")


def safe_next(path: str | None) -> str:
    """Where a switch goes back to: a path of this site only (never //elsewhere or a scheme)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 300:
        return "/"
    return path


def takes_remote(hall: HallMirror) -> bool:
    """The hall gives tickets on the phone (线上取号, `remote_ticket.enabled`): only then is it in the menu."""
    return bool((hall.config.get("remote_ticket") or {}).get("enabled"))


def frame(hall: HallMirror, prefs: Prefs, *, title: Bi, path: str, csrf: str, online: bool) -> dict:
    lang = prefs.lang
    other = "en" if lang == "zh" else "zh"
    hall_name = say(hall.name, lang)
    return {
        "lang": w.HTML_LANG[lang],
        "title": f"{say(title, lang)} · {hall_name}",
        "hall_name": hall_name,
        "size_class": "large" if prefs.large else "normal",
        "menu": [{"href": href, "label": say(label, lang), "current": path.startswith(href)} for href, label in MENU
                 if href != "/take" or takes_remote(hall)],
        "csrf": csrf,
        "next": safe_next(path),
        "switches": say(w.SWITCHES, lang),
        "lang_value": other,
        "lang_label": say(w.LANG_NAMES[other], other),
        "size_value": "normal" if prefs.large else "large",
        "size_label": say(w.NORMAL_TEXT if prefs.large else w.LARGE_TEXT, lang),
        "offline": "" if online else say(w.OFFLINE, lang),
        "skip": say(w.SKIP, lang),
        "footer": say(w.FOOTER, lang),
    }

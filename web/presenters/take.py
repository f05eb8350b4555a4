"""线上取号 on the phone: service → mobile number → the code from the SMS → the ticket's own page.

The controller decides everything that matters (`remote_code`: the category offered, the ticketing
hours, the caps per phone and per category, the no-show bar; `remote_ticket`: the code, its tries,
one ticket per challenge). These page models say its answers in the visitor's language, offer only
the categories the hall's config gives tickets online for, and check the shapes of what was typed,
so a typo is said at once and costs no command.
"""
from __future__ import annotations

import re

from contract.hall import HallMirror

from .. import words as w
from ..words import fmt, say
from .booking import MOBILE

CHALLENGE = re.compile(r"^RC[A-Z2-7]{16}$")


def section(hall: HallMirror) -> dict:
    return hall.config.get("remote_ticket") or {}


def enabled(hall: HallMirror) -> bool:
    return bool(section(hall).get("enabled"))


def offered(hall: HallMirror, code: str) -> bool:
    """Whether the config gives tickets of this category online (the controller checks again)."""
    own = (section(hall).get("categories") or {}).get(code)
    return enabled(hall) and own is not None and own.get("enabled", True) and hall.category(code) is not None


def code_length(hall: HallMirror) -> int:
    return int((section(hall).get("code") or {}).get("length") or 6)


def off_page(lang: str) -> dict:
    return {"heading": say(w.TAKE_HEADING, lang), "off": say(w.TAKE_OFF, lang), "categories": [],
            "intro": "", "rules": "", "empty": "", "error": ""}


def category_list(hall: HallMirror, lang: str) -> dict:
    """The categories offered, in the hall's order, each with its queue now."""
    found = [c for c in hall.categories() if offered(hall, c.code)]
    return {"heading": say(w.TAKE_HEADING, lang), "intro": say(w.TAKE_INTRO, lang), "off": "",
            "rules": fmt(w.TAKE_RULES, lang, n=int(section(hall).get("per_phone_per_day") or 1)),
            "categories": [{"href": f"/take/{c.code}", "name": say(c.name, lang),
                            "state": fmt(w.TAKE_WAITING, lang, n=c.waiting)} for c in found],
            "empty": "" if found else say(w.TAKE_NONE_NOW, lang), "error": ""}


def phone_form(hall: HallMirror, code: str, request_id: str, lang: str, *, error: str = "") -> dict:
    return {"heading": say(hall.category_name(code), lang), "prompt": say(w.TAKE_PHONE, lang),
            "phone_label": say(w.BOOK_PHONE_LABEL, lang), "send": say(w.TAKE_SEND_CODE, lang),
            "action": f"/take/{code}", "request_id": request_id, "error": error,
            "back_href": "/take", "back": say(w.TAKE_BACK, lang)}


def phone_of(phone: str) -> tuple[str | None, object]:
    digits = re.sub(r"[\s-]", "", phone)
    return (digits, None) if MOBILE.match(digits) else (None, w.BOOK_PHONE_BAD)


def code_form(hall: HallMirror, challenge: dict, request_id: str, lang: str, *, error: str = "",
              locked: bool = False) -> dict:
    """The code's form: where it was sent (masked), how long it is good, when to ask again."""
    category = str(challenge.get("category") or "")
    valid_s = int((section(hall).get("code") or {}).get("valid_s") or 300)
    if not challenge.get("phone"):  # a form posted again: the reply that said where went with the last page
        sent = ""
    elif challenge.get("sent", True):
        sent = fmt(w.TAKE_CODE_SENT, lang, phone=challenge.get("phone", ""), minutes=max(1, valid_s // 60))
    else:
        sent = fmt(w.TAKE_CODE_WAIT, lang, phone=challenge.get("phone", ""), seconds=int(challenge.get("resend_in") or 0))
    n = code_length(hall)
    return {"heading": say(hall.category_name(category), lang) if category else say(w.TAKE_HEADING, lang),
            "sent": sent, "code_label": say(w.TAKE_CODE_LABEL, lang), "length": n,
            "send": say(w.TAKE_GET, lang), "challenge_id": str(challenge.get("challenge_id", "")),
            "category": category, "request_id": request_id, "error": error, "locked": locked,
            "again_href": f"/take/{category}" if category else "/take", "again": say(w.TAKE_AGAIN, lang)}


def code_of(hall: HallMirror, code: str) -> tuple[str | None, object]:
    code = code.strip()
    n = code_length(hall)
    return (code, None) if re.fullmatch(rf"\d{{{n}}}", code) else (None, w.TAKE_CODE_BAD)


def refusal_text(error: dict, lang: str) -> str:
    """The controller's own words for the reasons a citizen can act on; a lost answer, ours."""
    if error.get("code") in ("closed", "blacklisted", "forbidden", "locked", "invalid_state", "not_found",
                             "bad_request"):
        return str(error.get("message_zh" if lang == "zh" else "message") or say(w.TAKE_NOT_SENT, lang))
    return say(w.TAKE_NOT_SENT, lang)

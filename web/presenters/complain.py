"""有诉即办 / 办不成事 on the phone: the complaint form, what the hall promised once it is sent, and
a citizen's look-up of their own case.

The controller decides (`case_open`: the reference, the due date in the hall's working days;
`case_lookup`: the second factor, the wrong-try locks). These page models check only the shapes
the contract allows, so a slip is said at once and costs no command, and say the answers in the
visitor's language. Nothing typed comes back in an address: the form and the look-up are posts.
"""
from __future__ import annotations

import re

from contract.bilingual import Bi
from contract.hall import HallMirror

from .. import words as w
from ..words import fmt, say
from .progress import said

MAX_TEXT = 500
KINDS = ("complaint", "undone")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
REF = re.compile(r"^[A-Z]{2}-\d{4}-\d{2}-\d{2}-\d{3,5}$")
LAST4 = re.compile(r"^[0-9]{4}$")
CODE = re.compile(r"^[A-Z2-7]{8}$")


def limit_days(hall: HallMirror) -> int:
    """The working days a complaint is answered in (the config's `cases`; a 办不成事 report's too)."""
    days = (hall.config.get("cases") or {}).get("complaint_working_days")
    return int(days) if isinstance(days, int) else 5


def complaint_of(hall: HallMirror, kind: str, item: str, window: str, text: str,
                 phone: str) -> tuple[dict | None, Bi | None]:
    """The `case_open` fields of the form, or what is wrong with it. A phone is taken without spaces
    or dashes; none left is an anonymous complaint."""
    text, phone = text.strip(), re.sub(r"[\s-]", "", phone)
    if kind not in KINDS:
        return None, w.COMPLAIN_KIND_BAD
    if not text or len(text) > MAX_TEXT:
        return None, w.COMPLAIN_TEXT_BAD
    if phone and not MOBILE.match(phone):
        return None, w.BOOK_PHONE_BAD
    fields: dict = {"kind": kind, "text": text, "channel": "web"}
    if item:
        if hall.item(item) is None:
            return None, w.COMPLAIN_CHOICE_BAD
        fields["item"] = item
    if window:
        if not window.isdigit() or int(window) not in hall.window_numbers():
            return None, w.COMPLAIN_CHOICE_BAD
        fields["about_window"] = int(window)
    if phone:
        fields["phone"] = phone
    return fields, None


def lookup_of(ref: str, factor: str) -> tuple[dict | None, Bi | None]:
    """The `case_lookup` fields of a reference and what was typed as its factor."""
    ref, factor = clean_ref(ref), re.sub(r"\s", "", factor).upper()
    if not REF.match(ref):
        return None, w.COMPLAIN_REF_BAD
    if LAST4.match(factor):
        return {"case_id": ref, "phone_last4": factor}, None
    if CODE.match(factor):
        return {"case_id": ref, "query_code": factor}, None
    return None, w.COMPLAIN_FACTOR_BAD


def clean_ref(ref: str) -> str:
    return re.sub(r"\s", "", ref).upper()[:24]


def form_page(hall: HallMirror, lang: str, request_id: str, *, kind: str = "complaint", item: str = "",
              window: str = "", text: str = "", error: str = "") -> dict:
    """The form, as it was filled when it comes back with an error (never the phone: it is typed again)."""
    return {"heading": say(w.COMPLAIN_HEADING, lang), "intro": fmt(w.COMPLAIN_INTRO, lang, days=limit_days(hall)),
            "error": error, "request_id": request_id,
            "kind_label": say(w.COMPLAIN_KIND, lang),
            "kinds": [{"value": k, "label": say(w.COMPLAIN_KINDS[k], lang), "checked": k == kind} for k in KINDS],
            "item_label": say(w.COMPLAIN_ITEM, lang), "none": say(w.COMPLAIN_NONE, lang),
            "item_options": [{"value": i.id, "label": say(i.name, lang), "selected": i.id == item} for i in hall.items()],
            "window_label": say(w.COMPLAIN_WINDOW, lang),
            "window_options": [{"value": str(n), "label": say(hall.window_name(n), lang), "selected": str(n) == window}
                        for n in hall.window_numbers()],
            "text_label": say(w.COMPLAIN_TEXT, lang), "text_hint": fmt(w.COMPLAIN_TEXT_HINT, lang, n=MAX_TEXT),
            "text": text[:MAX_TEXT], "max_text": MAX_TEXT,
            "phone_label": say(w.COMPLAIN_PHONE, lang), "phone_hint": say(w.COMPLAIN_PHONE_HINT, lang),
            "send": say(w.COMPLAIN_SEND, lang),
            "find": find_form(lang)}


def find_form(lang: str, ref: str = "", error: str = "") -> dict:
    return {"heading": say(w.COMPLAIN_FIND, lang), "ref_label": say(w.COMPLAIN_REF, lang), "ref": ref,
            "go": say(w.COMPLAIN_FIND_GO, lang), "error": error}


def _date(hall: HallMirror, at) -> str:
    return hall.hall_time(at).strftime("%Y-%m-%d") if isinstance(at, (int, float)) else ""


def _when(hall: HallMirror, at) -> str:
    return hall.hall_time(at).strftime("%Y-%m-%d %H:%M") if isinstance(at, (int, float)) else ""


def _about(hall: HallMirror, case: dict, lang: str) -> list[dict]:
    rows = [{"label": say(w.COMPLAIN_KIND, lang), "value": said(case.get("kind_text"), lang)}]
    item = hall.item(case.get("item"))
    if item is not None:
        rows.append({"label": say(w.BOOK_WHAT, lang), "value": say(item.name, lang)})
    if isinstance(case.get("window"), int):
        rows.append({"label": say(w.WINDOWS_FOR, lang), "value": say(hall.window_name(case["window"]), lang)})
    return rows


def due_text(hall: HallMirror, case: dict, lang: str) -> str:
    return fmt(w.COMPLAIN_DUE_TEXT, lang, days=case.get("limit_days") or limit_days(hall),
               date=_date(hall, case.get("deadline_at")))


def done_page(hall: HallMirror, case: dict, code: str, lang: str) -> dict:
    """What the hall promised: the reference and its code, the answer date in working days (hall time)."""
    ref = str(case.get("id", ""))
    return {"heading": say(w.COMPLAIN_DONE, lang), "ref_label": say(w.COMPLAIN_REF, lang), "ref": ref,
            "code_label": say(w.COMPLAIN_CODE, lang), "code": code,
            "rows": [*_about(hall, case, lang),
                     {"label": say(w.COMPLAIN_SENT_AT, lang), "value": _when(hall, case.get("opened_at"))},
                     {"label": say(w.COMPLAIN_DUE, lang), "value": due_text(hall, case, lang)}],
            "how": say(w.COMPLAIN_BY_PHONE if case.get("reply_by_phone") else w.COMPLAIN_NO_PHONE, lang),
            "look_href": f"/complain/{ref}", "look": say(w.COMPLAIN_LOOK, lang)}


def case_page(hall: HallMirror, ref: str, lang: str, *, case: dict | None = None, error: str = "") -> dict:
    """The look-up of one case: the factor's form, and the case once a factor opened it."""
    page = {"heading": say(w.COMPLAIN_LOOK, lang), "ref_label": say(w.COMPLAIN_REF, lang), "ref": ref,
            "action": f"/complain/{ref}", "factor_label": say(w.COMPLAIN_FACTOR, lang),
            "go": say(w.COMPLAIN_FIND_GO, lang), "private": say(w.COMPLAIN_PRIVATE, lang), "error": error,
            "back_href": "/complain", "back": say(w.COMPLAIN_HEADING, lang), "result": None}
    if case is None:
        return page
    closed = case.get("status") == "closed"
    page["result"] = {
        "status_label": say(w.COMPLAIN_STATUS, lang), "status": said(case.get("status_text"), lang),
        "status_code": "closed" if closed else "open",
        "rows": [*_about(hall, case, lang),
                 {"label": say(w.COMPLAIN_SENT_AT, lang), "value": _when(hall, case.get("opened_at"))},
                 {"label": say(w.COMPLAIN_DUE, lang), "value": due_text(hall, case, lang)}],
        "late": say(w.COMPLAIN_LATE, lang) if case.get("overdue") and not closed else "",
        "reply_label": say(w.COMPLAIN_REPLY, lang),
        "reply": str(case.get("reply") or "") if closed else "",
        "no_reply": "" if closed and case.get("reply") else say(w.COMPLAIN_NO_REPLY, lang),
    }
    return page

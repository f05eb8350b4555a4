"""办理进度: the application number on the receipt and a second factor in, the application's steps out.

The controller decides (`query_progress`: the factor, the wrong-try locks, the masked applicant);
this page checks only the shapes the contract allows, so a typo is said at once and costs no try,
and says the answer. The number and the factor are posted, never in an address, and the answer is
this one response's (no-store), not a page to come back to.
"""
from __future__ import annotations

import re

from contract.bilingual import Bi
from contract.hall import HallMirror

from .. import words as w
from ..words import fmt, say

APPLICATION_NO = re.compile(r"^[A-Za-z0-9-]{4,40}$")
PHONE_LAST4 = re.compile(r"^[0-9]{4}$")
QUERY_CODE = re.compile(r"^[A-Z2-7]{8}$")


def query_of(number: str, factor: str) -> tuple[dict | None, Bi | None]:
    """The `query_progress` fields of what was typed, or what is wrong with it. The number is taken
    in capitals (receipts print it so), the factor without spaces."""
    number, factor = number.strip().upper(), re.sub(r"\s", "", factor).upper()
    if not APPLICATION_NO.match(number):
        return None, w.NUMBER_BAD
    if PHONE_LAST4.match(factor):
        return {"application_no": number, "phone_last4": factor}, None
    if QUERY_CODE.match(factor):
        return {"application_no": number, "query_code": factor}, None
    return None, w.FACTOR_BAD


def said(pair, lang: str) -> str:
    """A {zh, en} pair from the controller's answer, in the visitor's language."""
    if isinstance(pair, dict):
        return str(pair.get(lang) or pair.get("zh") or "")
    return str(pair or "")


def _due(hall: HallMirror, application: dict, lang: str) -> list[dict]:
    """The promised 办结 date, and whether a 补正 has stopped its clock; none for an application
    without a time limit."""
    due = application.get("due_at")
    if not isinstance(due, (int, float)) or isinstance(due, bool):
        return []
    value = fmt(w.DUE_DATE, lang, due=hall.hall_time(due).strftime("%Y-%m-%d"))
    if application.get("paused_text"):
        value += (f"（{said(application['paused_text'], lang)}）" if lang == "zh"
                  else f" ({said(application['paused_text'], lang)})")
    return [{"label": say(w.DUE_BY, lang), "value": value, "key": "due"}]


def progress_page(hall: HallMirror, lang: str, *, number: str = "", application: dict | None = None,
                  error: str = "") -> dict:
    page = {"heading": say(w.PROGRESS, lang), "intro": say(w.PROGRESS_INTRO, lang),
            "number_label": say(w.APPLICATION_NO, lang), "factor_label": say(w.FACTOR, lang),
            "factor_hint": say(w.FACTOR_HINT, lang), "query": say(w.QUERY, lang),
            "private": say(w.PROGRESS_PRIVATE, lang), "number": number[:40], "error": error, "result": None}
    if application is None:
        return page

    def when(at) -> str:
        return hall.hall_time(at).strftime("%Y-%m-%d %H:%M") if isinstance(at, (int, float)) else ""

    page["number"] = ""  # the next look-up starts empty
    page["result"] = {
        "rows": [{"label": say(w.APPLICATION_NO, lang), "value": str(application.get("application_no", "")),
                  "key": "number"},
                 {"label": say(w.MATTER, lang), "value": said(application.get("item_name"), lang), "key": "item"},
                 {"label": say(w.APPLICANT, lang), "value": str(application.get("applicant") or ""),
                  "key": "applicant"},
                 *_due(hall, application, lang),
                 {"label": say(w.UPDATED_AT, lang), "value": when(application.get("updated_at")), "key": "updated"}],
        "status_label": say(w.STATUS_NOW, lang), "status": said(application.get("status_text"), lang),
        "status_code": str(application.get("status", "")),
        "history_label": say(w.HISTORY, lang),
        "history": [{"at": when(step.get("at")), "status": said(step.get("status_text"), lang),
                     "note": str(step.get("note") or "")}
                    for step in reversed(application.get("history") or []) if isinstance(step, dict)],
        "again": say(w.ANOTHER_QUERY, lang),
    }
    return page

"""预约 on the phone: item → day → time → mobile number → the code, the time, the windows and the
materials; and cancelling with the code and the mobile's last four digits.

The controller decides everything that matters (`appointment_slots`: the working days of the hall's
calendar, the off-hours list, the places left; `book_appointment`: the blacklist, one booking per
person and day, a full slot). These page models only say its answers in the visitor's language and
check the shapes of what was typed, so a typo is said at once and costs no command.
"""
from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from contract import guide as guides
from contract.hall import HallMirror
from kiosk.presenters.booking import bookable

from .. import words as w
from ..words import fmt, say

DAYS = 14  # the days offered, today first, like the kiosk's 现场预约
MOBILE = re.compile(r"^1[3-9]\d{9}$")
CODE = re.compile(r"^YY[A-Z2-7]{8}$")
LAST4 = re.compile(r"^\d{4}$")
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
MAX_NAME = 20


def days_ahead(hall: HallMirror) -> list[str]:
    today = hall.hall_time().date()
    return [(today + timedelta(days=n)).isoformat() for n in range(DAYS)]


def valid_day(hall: HallMirror, day: str) -> bool:
    return day in days_ahead(hall)


def day_label(day: str, lang: str) -> str:
    when = Date.fromisoformat(day)
    return f"{when.month}月{when.day}日 周{WEEKDAYS[when.weekday()]}" if lang == "zh" else f"{when:%a %d %b}"


def item_list(hall: HallMirror, index, lang: str, query: str = "", base: str = "/book") -> dict:
    """The items the hall takes bookings for, found by name or pinyin initials like the guides. `base`:
    where the steps live (the public `/book`, or the console's phone desk: web/console_appointments.py)."""
    query = query.strip()[:40]
    found = [item for item in index.get().search(query, None) if bookable(hall, item.id)]
    return {"heading": say(w.BOOK_HEADING, lang), "intro": say(w.BOOK_INTRO, lang),
            "search_label": say(w.SEARCH, lang), "hint": say(w.SEARCH_HINT, lang), "go": say(w.SEARCH_GO, lang),
            "query": query, "count": fmt(w.FOUND, lang, n=len(found)),
            "results": [{"href": f"{base}/{item.id}", "name": say(item.name, lang),
                         "category": say(hall.category_name(item.category), lang)} for item in found],
            "empty": "" if found else say(w.NO_MATCH if query else w.BOOK_NO_ITEMS, lang),
            "cancel_href": f"{base}/cancel", "cancel": say(w.CANCEL_LINK, lang)}


def state_of(slots: list[dict], lang: str) -> tuple[str, bool]:
    left = sum(int(s.get("left") or 0) for s in slots)
    if not slots:
        return say(w.BOOK_NONE, lang), False
    if left <= 0:
        return say(w.BOOK_FULL, lang), False
    return fmt(w.BOOK_LEFT, lang, n=left), True


def day_list(hall: HallMirror, item_id: str, answers: dict[str, dict | None], lang: str, base: str = "/book") -> dict:
    """The days ahead: each with the places left, a day with none (not a working day, not on the
    off-hours list, past, full) shown but not chosen. `answers`: date -> `appointment_slots` result
    (None: not answered)."""
    item = hall.item(item_id)
    days = []
    for day, result in answers.items():
        state, open_ = state_of((result or {}).get("slots") or [], lang)
        days.append({"href": f"{base}/{item_id}/{day}", "label": day_label(day, lang), "state": state,
                     "open": open_ and result is not None})
    return {"heading": say(item.name, lang), "category": say(hall.category_name(item.category), lang),
            "prompt": say(w.BOOK_DAY, lang), "days": days, "back_href": base, "back": say(w.BOOK_BACK_ITEMS, lang),
            "error": "" if all(a is not None for a in answers.values()) else say(w.BOOK_NOT_SENT, lang)}


def slot_list(hall: HallMirror, item_id: str, day: str, result: dict | None, lang: str, error: str = "",
              base: str = "/book") -> dict:
    """A day's times with the places left; a full one is shown disabled."""
    item = hall.item(item_id)
    slots = []
    for s in (result or {}).get("slots") or []:
        left = int(s.get("left") or 0)
        state = say(w.BOOK_FULL, lang) if left <= 0 else fmt(w.BOOK_LEFT, lang, n=left)
        if s.get("off_hours"):
            state = f"{state} · {say(w.BOOK_OFF_HOURS, lang)}"
        slots.append({"href": f"{base}/{item_id}/{day}/{int(s['start'])}", "time": str(s.get("time", "")),
                      "state": state, "open": left > 0})
    if result is None and not error:
        error = say(w.BOOK_NOT_SENT, lang)
    return {"heading": say(item.name, lang), "chosen": fmt(w.BOOK_CHOSEN, lang, what=day_label(day, lang)),
            "prompt": say(w.BOOK_SLOT, lang), "slots": slots, "error": error,
            "empty": say(w.BOOK_NO_SLOTS, lang) if result is not None and not slots else "",
            "back_href": f"{base}/{item_id}", "back": say(w.BOOK_BACK_DAYS, lang)}


def find_slot(result: dict | None, start: int) -> dict | None:
    return next((s for s in (result or {}).get("slots") or [] if int(s.get("start", -1)) == start), None)


def phone_form(hall: HallMirror, item_id: str, day: str, slot: dict, request_id: str, lang: str, *,
               error: str = "", name: str = "", base: str = "/book") -> dict:
    item = hall.item(item_id)
    return {"heading": say(item.name, lang),
            "chosen": fmt(w.BOOK_CHOSEN, lang, what=f"{day_label(day, lang)} {slot.get('time', '')}"),
            "prompt": say(w.BOOK_PHONE, lang), "phone_label": say(w.BOOK_PHONE_LABEL, lang),
            "name_label": say(w.BOOK_NAME_LABEL, lang), "name": name[:MAX_NAME], "send": say(w.BOOK_SEND, lang),
            "action": f"{base}/{item_id}/{day}/{int(slot['start'])}", "request_id": request_id, "error": error,
            "back_href": f"{base}/{item_id}/{day}", "back": say(w.BOOK_BACK_SLOTS, lang)}


def applicant_of(phone: str, name: str) -> tuple[dict | None, object]:
    """The `applicant` of what was typed, or what is wrong with it (a `Bi`)."""
    digits = re.sub(r"[\s-]", "", phone)
    name = name.strip()
    if not MOBILE.match(digits):
        return None, w.BOOK_PHONE_BAD
    if len(name) > MAX_NAME or any(not ch.isprintable() for ch in name):
        return None, w.BOOK_NAME_BAD
    return ({"phone": digits, "name": name} if name else {"phone": digits}), None


def when_text(appointment: dict, timezone: str) -> str:
    tz = ZoneInfo(timezone)
    start, end = (datetime.fromtimestamp(float(appointment[k]), tz) for k in ("slot_start", "slot_end"))
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"


def material_line(material: dict, lang: str) -> str:
    name = material.get("name") or {}
    text = str(name.get(lang) or name.get("zh") or "") if isinstance(name, dict) else str(name)
    copies = int(material.get("copies") or 1)
    return fmt(w.BOOK_COPIES, lang, name=text, copies=copies) if copies > 1 else text


def done_page(hall: HallMirror, appointment: dict, lang: str, reminded: bool) -> dict:
    """The confirmation: the code, the time, the service and its windows, what to bring (the reply's
    materials, else the guide's), and that the notifier has sent it to the phone."""
    item = hall.item(appointment.get("item"))
    category = str(appointment.get("category") or (item.category if item else ""))
    what = say(item.name if item else hall.category_name(category), lang)
    windows = [say(hall.window_name(n), lang) for n in sorted(hall.configured_windows(category))]
    materials = [material_line(m, lang) for m in appointment.get("materials") or [] if isinstance(m, dict)]
    if not materials and item is not None:
        materials = [say(line, lang) for line in guides.materials(item)]
    rows = [{"label": say(w.BOOK_WHAT, lang), "value": what},
            {"label": say(w.BOOK_WHEN, lang), "value": when_text(appointment, hall.timezone)
             + (f" · {say(w.BOOK_OFF_HOURS, lang)}" if appointment.get("off_hours") else "")},
            {"label": say(w.BOOK_WHERE, lang), "value": w.list_of(windows, lang) if windows else "—"},
            {"label": say(w.BOOK_PHONE_SHOWN, lang), "value": str(appointment.get("phone") or "")}]
    return {"heading": say(w.BOOK_DONE, lang), "code_label": say(w.BOOK_CODE, lang),
            "code": str(appointment.get("code", "")), "rows": rows,
            "materials_label": say(w.BOOK_MATERIALS, lang), "materials": materials,
            "reminder": say(w.BOOK_REMINDER if reminded else w.BOOK_NO_REMINDER, lang),
            "hint": say(w.BOOK_HINT, lang), "cancel_href": "/book/cancel", "cancel": say(w.CANCEL_LINK, lang)}


def cancel_of(code: str, last4: str) -> tuple[dict | None, object]:
    code, last4 = re.sub(r"\s", "", code).upper(), last4.strip()
    if not CODE.match(code) or not LAST4.match(last4):
        return None, w.CANCEL_BAD
    return {"code": code, "phone_last4": last4}, None


def cancel_page(hall: HallMirror, lang: str, *, code: str = "", error: str = "",
                cancelled: dict | None = None) -> dict:
    page = {"heading": say(w.CANCEL, lang), "intro": say(w.CANCEL_INTRO, lang),
            "code_label": say(w.CANCEL_CODE, lang), "last4_label": say(w.CANCEL_LAST4, lang),
            "send": say(w.CANCEL_SEND, lang), "code": code[:10], "error": error, "done": "",
            "back_href": "/book", "back": say(w.BOOK_BACK_ITEMS, lang)}
    if cancelled is not None:
        item = hall.item(cancelled.get("item"))
        what = say(item.name if item else hall.category_name(str(cancelled.get("category", ""))), lang)
        page["done"], page["code"] = fmt(w.CANCEL_DONE, lang, what=what,
                                         when=when_text(cancelled, hall.timezone)), ""
    return page


def refusal_text(error: dict, lang: str) -> str:
    """What a refused booking says: the hall's own words for the reasons a citizen can act on."""
    code = error.get("code")
    if code == "blacklisted":
        theirs = str(error.get("message_zh" if lang == "zh" else "message") or "")
        return f"{say(w.BOOK_BARRED, lang)}{'：' if lang == 'zh' else ': '}{theirs}" if theirs else say(w.BOOK_BARRED, lang)
    if code == "slot_full":
        return say(w.BOOK_TAKEN, lang)
    if code in ("duplicate", "out_of_window", "closed", "not_found", "invalid_state", "bad_request"):
        return str(error.get("message_zh" if lang == "zh" else "message") or say(w.BOOK_NOT_SENT, lang))
    return say(w.BOOK_NOT_SENT, lang)

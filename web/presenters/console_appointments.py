"""The appointments desk: plain dicts of what the controller's `appointments` answered — the day's
bookings by slot (applicant and phone masked by the controller, as it gives them to admins) and the
blacklist in force — in the hall's clock, in one language. The phone booking's steps are the public
booking pages' presenters (web/presenters/booking.py) with the console's paths."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from contract.hall import HallMirror

from .. import console_words as cw
from ..words import fmt, say


def service_name(hall: HallMirror, row: dict, lang: str) -> str:
    item = hall.item(row.get("item"))
    if item is not None:
        return say(item.name, lang)
    return say(hall.category_name(str(row.get("category") or "")), lang)


def day_desk(hall: HallMirror, result: dict, lang: str, *, can_change: bool, day: str, error: str = "",
             done: str = "") -> dict:
    tz = ZoneInfo(hall.timezone)

    def clock(at, pattern: str) -> str:
        return datetime.fromtimestamp(float(at), tz).strftime(pattern) if isinstance(at, (int, float)) else ""

    rows = []
    for row in result.get("appointments") or []:
        if not isinstance(row, dict):
            continue
        status = cw.BOOKING_STATUS.get(row.get("status"))
        channel = cw.BOOKING_CHANNEL.get(row.get("channel"))
        rows.append({"code": str(row.get("code") or ""), "status_code": str(row.get("status") or ""),
                     "time": f"{clock(row.get('slot_start'), '%H:%M')}-{clock(row.get('slot_end'), '%H:%M')}",
                     "service": service_name(hall, row, lang), "applicant": str(row.get("applicant") or "—"),
                     "phone": str(row.get("phone") or "—"), "status": say(status, lang) if status else "",
                     "channel": say(channel, lang) if channel else str(row.get("channel") or ""),
                     "ticket": str(row.get("ticket_id") or "").rpartition("-")[2]})
    bars = []
    for bar in result.get("blacklist") or []:
        if not isinstance(bar, dict):
            continue
        bars.append({"person": str(bar.get("person") or ""), "phone": str(bar.get("phone") or "—"),
                     "since": clock(bar.get("since"), "%Y-%m-%d"), "until": clock(bar.get("until"), "%Y-%m-%d"),
                     "missed": len(bar.get("no_shows") or [])})
    return {"heading": fmt(cw.DAY_LIST, lang, day=str(result.get("day") or day)), "day": day, "rows": rows,
            "bars": bars, "can_change": can_change, "error": error, "done": done,
            "empty": say(cw.NO_BOOKINGS, lang), "no_bars": say(cw.NO_BARS, lang),
            "day_label": say(cw.DAY_LABEL, lang), "show": say(cw.SHOW_DAY, lang),
            "book_href": "/console/appointments/book", "book": say(cw.PHONE_BOOKING, lang),
            "columns": [say(text, lang) for text in (cw.SLOT, cw.SERVICE, cw.APPLICANT, cw.PHONE, cw.CHANNEL,
                                                     cw.STATUS, cw.CODE)],
            "cancel_heading": say(cw.CANCEL_BOOKING, lang), "blacklist": say(cw.BLACKLIST, lang),
            "bar_columns": [say(text, lang) for text in (cw.PHONE, cw.BARRED_SINCE, cw.BARRED_UNTIL, cw.MISSED)],
            "reason": say(cw.LIFT_REASON, lang), "lift": say(cw.LIFT, lang)}

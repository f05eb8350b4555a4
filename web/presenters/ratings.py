"""好差评公开: a day's ratings by window and by item, and every 差评 with the hall's reply.

The figures are the controller's (`public_ratings`: the very buckets of `stats`, one definition in
controller/figures.py); this page only says them. Nothing in the answer names a citizen or a member
of staff, and the page adds nothing: windows and items are named from the config.
"""
from __future__ import annotations

from contract.hall import HallMirror

from .. import words as w
from ..words import fmt, say

LEVEL_ORDER = ("5", "4", "3", "2", "1")


def percent(value) -> str:
    return "—" if value is None else f"{value:g}%"


def block(key: str, name: str, figures: dict, lang: str) -> dict:
    """One window's, item's or the hall's figures, said."""
    by_level = figures.get("by_level") or {}
    return {"key": key, "name": name, "rated": fmt(w.RATED_N, lang, n=figures["rated"]),
            "served": fmt(w.SERVED_N, lang, n=figures["served"]),
            "active": fmt(w.ACTIVE_RATE, lang, rate=percent(figures["active_rating_rate"])),
            "good": fmt(w.GOOD_RATE, lang, rate=percent(figures["good_rate"])),
            "levels": [{"level": level, "label": say(w.LEVELS[int(level)], lang), "n": by_level.get(level, 0)}
                       for level in LEVEL_ORDER]}


def ratings_page(hall: HallMirror, result: dict | None, lang: str, day: str) -> dict:
    page = {"heading": say(w.RATINGS, lang), "intro": say(w.RATINGS_INTRO, lang), "day": day,
            "day_label": say(w.EARLIER_DAY, lang), "show": say(w.SHOW, lang)}
    if result is None:
        return {**page, "ready": False, "unavailable": say(w.RATINGS_UNAVAILABLE, lang)}
    windows = [block(n, say(hall.window_name(int(n)), lang), f, lang)
               for n, f in sorted(result["windows"].items(), key=lambda kv: int(kv[0])) if f["served"] or f["rated"]]
    items = []
    for item_id, figures in sorted(result["items"].items()):
        item = hall.item(item_id)
        if figures["served"] or figures["rated"]:
            items.append(block(item_id, say(item.name, lang) if item else item_id, figures, lang))
    reasons = hall.reasons()
    bad = []
    for entry in result["bad"]:
        item = hall.item(entry.get("item"))
        words = [say(reasons[r], lang) if r in reasons else r for r in entry["reasons"]]
        status = entry["status_text"]["en" if lang == "en" else "zh"]
        bad.append({"time": hall.hall_time(entry["at"]).strftime("%H:%M"),
                    "window": say(hall.window_name(entry["window"]), lang) if entry.get("window") else "",
                    "item": say(item.name, lang) if item else (
                        say(hall.category_name(entry["category"]), lang) if entry.get("category") else ""),
                    "level": say(w.LEVELS[int(entry["level"])], lang),
                    "reasons": fmt(w.BAD_REASONS, lang, reasons=w.list_of(words, lang)),
                    "closed": entry["reply"] is not None,
                    "reply": fmt(w.HALL_REPLY, lang, reply=entry["reply"]) if entry["reply"] is not None
                    else fmt(w.IN_PROGRESS, lang, status=status)})
    return {**page, "ready": True, "title": fmt(w.RATINGS_OF, lang, day=result["day"]),
            "hall": block("hall", say(w.HALL_TOTAL, lang), result["hall"], lang),
            "by_window": say(w.BY_WINDOW, lang), "window_blocks": windows,
            "by_item": say(w.BY_ITEM, lang), "item_blocks": items,
            "bad_heading": say(w.BAD_LIST, lang), "bad": bad, "no_bad": say(w.NO_BAD, lang),
            "no_ratings": say(w.NO_RATINGS, lang)}

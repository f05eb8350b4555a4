"""A ticket's page on the phone (`/t/<rating_token>`): its place while it waits, where to go when it
is called, and after the service the rating.

`ticket_now` is the live part, rendered again whenever the ticket or its queue changes (web/live.py,
web/tickets.py) and the same for every page of the ticket in a language; `ticket_page` is the whole
page. Both take the controller's record of the ticket (`ticket_by_token`), which has no name, no
phone and no staff member in it, and show nothing of the token but the page's own address.
"""
from __future__ import annotations

from urllib.parse import urlencode

from appkit.texts import wait_text
from contract import guide as guides
from contract.bilingual import Bi, bi
from contract.hall import HallMirror
from contract.messages import REFUSAL_REASONS

from .. import words as w
from ..words import fmt, say

# statuses a page follows live (a held or missed ticket may be called back); after them it stands still
FOLLOWED = ("waiting", "called", "serving", "held", "no_show")
LEVEL_ORDER = (5, 4, 3, 2, 1)


class HallWords:
    """What a ticket's live part says of the hall — its category's and item's names, the windows that
    call its queue, its window's name — looked up in the mirror once for every ticket they are the
    same for, until the hall changes (`clear`): a queue that moves re-renders the pages of every
    ticket in it, and 2,000 of them would otherwise ask the mirror the same 2,000 times."""

    def __init__(self, hall: HallMirror):
        self.hall = hall
        self._said: dict[tuple, tuple[str, str, str, str]] = {}
        self._times: dict[tuple[float, str], str] = {}  # (issued_at, time zone) -> HH:MM, whatever changes

    def taken_at(self, at: float) -> str:
        """When a ticket was taken, HH:MM in the hall's time zone (it never changes for a ticket)."""
        key = (at, self.hall.timezone)
        found = self._times.get(key)
        if found is None:
            if len(self._times) > 50_000:
                self._times.clear()
            found = self._times[key] = self.hall.hall_time(at).strftime("%H:%M")
        return found

    def clear(self) -> None:
        self._said.clear()

    def of(self, record: dict, lang: str) -> tuple[str, str, str, str]:
        """(category, item, the windows line, the window) in the language; the line only while it waits."""
        key = (lang, record["category"], record.get("item"), record.get("window"),
               record.get("group") == "green" if record["status"] == "waiting" else None)
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = self._say(record, lang)
        return said

    def _say(self, record: dict, lang: str) -> tuple[str, str, str, str]:
        hall = self.hall
        window = say(hall.window_name(record["window"]), lang) if record.get("window") else ""
        item = hall.item(record.get("item"))
        windows = ""
        if record["status"] == "waiting":
            numbers = hall.green_windows() if record.get("group") == "green" else hall.serving_windows(record["category"])
            names = [say(hall.window_name(n), lang) for n in sorted(numbers)]
            windows = fmt(w.WINDOWS_ARE, lang, windows=w.list_of(names, lang)) if names else say(w.NO_WINDOW_YET, lang)
        return say(hall.category_name(record["category"]), lang), say(item.name, lang) if item else "", windows, window


def ticket_now(record: dict, hall: HallMirror, lang: str, online: bool = True, words: HallWords | None = None) -> dict:
    status = record["status"]
    words = words or HallWords(hall)
    category, item, windows, window = words.of(record, lang)
    lines: list[str] = []
    headline, alert = "", ""
    if status == "waiting":
        ahead = int(record.get("ahead") or 0)
        headline = fmt(w.AHEAD, lang, n=ahead) if ahead else say(w.AHEAD_NONE, lang)
        lines.append(fmt(w.EXPECTED, lang, wait=say(bi(wait_text(record.get("est_wait_s") or 0)), lang)))
        lines.append(windows)
        if record.get("transfers"):
            lines.append(fmt(w.TRANSFERRED, lang, category=category))
    elif status == "called":
        again = int(record.get("times_called") or 1) > 1
        headline = fmt(w.CALLED_AGAIN if again else w.GO_TO, lang, window=window)
        alert = f"{record.get('window')}-{record.get('times_called')}"
    elif status == "serving":
        headline = fmt(w.SERVING, lang, window=window)
    elif status == "held":
        headline = say(w.HELD, lang)
    elif status == "no_show":
        headline = say(w.NO_SHOW, lang)
    elif status == "done":
        headline = say(w.DONE, lang)
    else:
        headline = say(w.EXPIRED, lang)
    return {"number": record["number"], "category": category, "item": item,
            "state": status if status in FOLLOWED + ("done",) else "expired",
            "headline": headline, "lines": lines, "alert": alert,
            "reload": status not in FOLLOWED,  # the page becomes the rating page (web.js reloads it)
            "taken": fmt(w.TAKEN_AT, lang, time=words.taken_at(record["issued_at"])),
            "offline": "" if online else say(w.OFFLINE, lang)}


def rating_form(record: dict, hall: HallMirror, lang: str, sent: dict | None = None, error: str = "") -> dict | None:
    """The rating form, once the service is over and while the phone may rate it; None otherwise."""
    if record["status"] != "done" or not record.get("rateable") or int(record.get("rate_days_left") or 0) < 1:
        return None
    sent = sent or {}
    chosen = {str(code) for code in sent.get("reasons", ())}
    return {"title": say(w.RATE_TITLE, lang), "days": fmt(w.RATE_DAYS, lang, n=record["rate_days_left"]),
            "level_label": say(w.LEVEL, lang),
            "levels": [{"value": level, "label": say(w.LEVELS[level], lang), "checked": sent.get("level") == level}
                       for level in LEVEL_ORDER],
            "reasons_label": say(w.REASONS, lang),
            "reasons": [{"code": code, "label": say(text, lang), "checked": code in chosen}
                        for code, text in hall.reasons().items() if code != "evaluator"],
            "comment_label": say(w.COMMENT, lang), "comment": sent.get("comment", ""),
            "contact_label": say(w.CONTACT, lang), "contact": sent.get("contact", ""),
            "send": say(w.SEND, lang), "error": error}


NOTICED = ("supplement", "refused")  # outcomes told in writing


def notice_links(record: dict, hall: HallMirror, lang: str, token: str) -> list[dict]:
    """The written notice of the ticket's 补正 or refusal (its own page, to print), else the item's
    一次性告知单 — a window without a printer still hands the citizen the notice this way."""
    outcome = (record.get("outcome") or {}).get("outcome")
    if outcome in NOTICED:
        title = Bi(*guides.OUTCOME_NOTICES[outcome]["title"])
        return [{"href": f"/t/{token}/notice", "label": fmt(w.OUTCOME_NOTICE_LINK, lang, name=say(title, lang))}]
    if hall.item(record.get("item")) is not None:
        return [{"href": f"/guides/{record['item']}/notice", "label": say(w.NOTICE_LINK, lang)}]
    return []


def outcome_notice_page(record: dict, hall: HallMirror, lang: str, token: str) -> dict | None:
    """The 补正材料通知书 or the 不予受理通知书 of the ticket on a page that prints on A4: the words printed
    at a window's printer (contract/guide.py), the ticket's number, window and date; no name, no phone.
    None for a ticket whose service ended otherwise."""
    detail = record.get("outcome") or {}
    outcome = detail.get("outcome")
    if outcome not in NOTICED:
        return None
    words = guides.OUTCOME_NOTICES[outcome]
    item = hall.item(record.get("item"))
    if outcome == "supplement":
        views = ([item] if item else []) + hall.items()
        lines = [guides.material_line(views, name) for name in detail.get("materials", ())]
    else:
        english = dict(REFUSAL_REASONS)
        lines = [Bi(reason, english.get(reason, "")) for reason in detail.get("reasons", ())]
    facts = []
    if outcome == "refused" and item is not None and item.guide.get("basis"):
        facts.append({"label": say(w.OUTCOME_BASIS, lang), "lines": [say(bi(item.guide["basis"]), lang)]})
    facts.append({"label": say(w.OUTCOME_NOTE[outcome], lang), "lines": [say(Bi(*note), lang) for note in words["tail"]]})
    finished = hall.hall_time(record.get("finished_at") or record["issued_at"])
    window = say(hall.window_name(record["window"]), lang) if record.get("window") else ""
    return {
        "heading": say(Bi(*words["title"]), lang), "hall_name": say(hall.name, lang),
        "name": say(item.name, lang) if item else say(hall.category_name(record["category"]), lang),
        "intro": fmt(w.OUTCOME_NOTICE_FACTS, lang, number=record["number"], window=window,
                     day=finished.strftime("%Y-%m-%d")) + " — " + say(Bi(*words["heading"]), lang),
        "materials": [line.en if lang == "en" and line.en else line.zh for line in lines],
        "facts": facts, "share": "",
        "printed": fmt(w.PRINTED_AT, lang, time=hall.hall_time().strftime("%Y-%m-%d %H:%M")),
        "print": say(w.PRINT, lang), "back_href": f"/t/{token}", "back": say(w.BACK_TO_TICKET, lang),
    }


def ticket_page(record: dict, hall: HallMirror, lang: str, online: bool, *, sent: dict | None = None,
                error: str = "", token: str = "") -> dict:
    level = record.get("level")
    rated = ""
    if level is not None:
        rated = fmt(w.RATED_AS, lang, level=say(w.LEVELS[int(level)], lang))
    return {"now": ticket_now(record, hall, lang, online), "follow": record["status"] in FOLLOWED,
            "heading": say(w.TICKET_NO, lang), "follow_note": say(w.FOLLOW_NOTE, lang),
            "no_script": say(w.NO_SCRIPT_TICKET, lang),
            "form": rating_form(record, hall, lang, sent, error), "rated": rated,
            "notices": notice_links(record, hall, lang, token) if token else [],
            "thanks": say(w.THANKS, lang) if level is not None else "",
            "thanks_bad": say(w.THANKS_BAD, lang) if level is not None and int(level) <= 2 else "",
            "complain": complain_link(record, lang)}


def complain_link(record: dict, lang: str) -> dict | None:
    """After the visit, the way to 有诉即办 / 办不成事, with the ticket's item and window chosen already
    (not the ticket itself: a complaint page is not tied to the ticket's token)."""
    if record["status"] in FOLLOWED:
        return None
    chosen = {k: v for k, v in (("item", record.get("item")), ("window", record.get("window"))) if v}
    return {"href": "/complain" + (f"?{urlencode(chosen)}" if chosen else ""), "label": say(w.COMPLAIN_LINK, lang)}

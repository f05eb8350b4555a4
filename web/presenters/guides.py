"""办事指南: every item's guide with all its sections, found by name or pinyin initials, and its
一次性告知单 as a page to print or share. The wording is the kiosk's (contract/guide.py)."""
from __future__ import annotations

from contract import guide as guides
from contract.hall import HallMirror
from contract.search import ItemIndex

from .. import words as w
from ..words import fmt, say

MAX_QUERY = 40


class GuideIndex:
    """The search index of the live config, rebuilt when its version changes."""

    def __init__(self, hall: HallMirror):
        self.hall = hall
        self._version: int | None = None
        self._index = ItemIndex([])

    def get(self) -> ItemIndex:
        if self._version != self.hall.config_version:
            self._version, self._index = self.hall.config_version, ItemIndex(self.hall.items())
        return self._index


def guide_list(hall: HallMirror, index: GuideIndex, lang: str, query: str = "", category: str = "") -> dict:
    query = query.strip()[:MAX_QUERY]
    category = category if hall.category(category) is not None else ""
    found = index.get().search(query, category or None)
    return {
        "heading": say(w.GUIDES, lang), "search_label": say(w.SEARCH, lang), "hint": say(w.SEARCH_HINT, lang),
        "go": say(w.SEARCH_GO, lang), "query": query, "category": category,
        "categories": [{"href": "/guides", "label": say(w.ALL, lang), "current": not category}] + [
            {"href": f"/guides?category={cat.code}", "label": say(cat.name, lang), "current": cat.code == category}
            for cat in hall.categories()],
        "results": [{"href": f"/guides/{item.id}", "name": say(item.name, lang),
                   "category": say(hall.category_name(item.category), lang)} for item in found],
        "count": fmt(w.FOUND, lang, n=len(found)),
        "empty": "" if found else say(w.NO_MATCH, lang),
    }


def guide_page(hall: HallMirror, item_id: str, lang: str) -> dict | None:
    item = hall.item(item_id)
    if item is None:
        return None
    return {
        "name": say(item.name, lang), "category": say(hall.category_name(item.category), lang),
        "sections": [{"key": key, "heading": say(heading, lang), "lines": [say(line, lang) for line in lines]}
                     for key, heading, lines in guides.sections(hall, item)],
        "notice_href": f"/guides/{item.id}/notice", "notice_link": say(w.NOTICE_LINK, lang),
        "back": say(w.BACK_TO_GUIDES, lang),
    }


def notice_page(hall: HallMirror, item_id: str, lang: str) -> dict | None:
    """The 一次性告知单 (一次性告知: everything the citizen needs, told once): the materials first, then
    every other section of the guide, on a page that prints on A4 and says its own address, so a
    printed or forwarded copy leads back to the current one."""
    item = hall.item(item_id)
    if item is None:
        return None
    public_url = str((hall.config.get("web") or {}).get("public_url") or "").rstrip("/")
    return {
        "heading": say(w.NOTICE, lang), "hall_name": say(hall.name, lang), "name": say(item.name, lang),
        "intro": say(w.NOTICE_INTRO, lang),
        "materials": [say(line, lang) for line in guides.materials(item)],
        "facts": [{"label": say(heading, lang), "lines": [say(line, lang) for line in lines]}
                  for key, heading, lines in guides.sections(hall, item) if key != "materials"],
        "share": fmt(w.NOTICE_SHARE, lang, url=f"{public_url}/guides/{item.id}/notice") if public_url else "",
        "printed": fmt(w.PRINTED_AT, lang, time=hall.hall_time().strftime("%Y-%m-%d %H:%M")),
        "print": say(w.PRINT, lang), "back_href": f"/guides/{item.id}", "back": say(w.BACK_TO_GUIDE, lang),
    }

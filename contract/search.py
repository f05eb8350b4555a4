"""Finding an item (事项) by its name or by the pinyin initials of its name.

A kiosk has no Chinese input method, and a phone's visitor may not want to
switch to one, so "BDC" must find 不动产登记; a hall worker's hardware keyboard
or a scanner may still type Chinese, so names match too. The kiosk and the
web pages search with this one index, rebuilt when the config changes (a few
ms for a hall).
"""
from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

from .hall import ItemView

_NOT_LETTERS = re.compile(r"[^a-z0-9]")


def initials(text: str) -> str:
    """不动产登记 → 'bdcdj'; Latin letters and digits are kept, punctuation dropped."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return _NOT_LETTERS.sub("", "".join(letters).lower())


class ItemIndex:
    def __init__(self, items: list[ItemView]):
        self.entries = [(item, initials(item.name.zh), item.name.zh, item.name.en.lower()) for item in items]

    def search(self, query: str, category: str | None = None) -> list[ItemView]:
        """Items whose initials, name or id contain the query; initials that start with it first."""
        query = query.strip()
        wanted = query.lower().replace(" ", "")
        scored = []
        for order, (item, letters, zh, en) in enumerate(self.entries):
            if category and item.category != category:
                continue
            if not query:
                rank = 2
            elif letters.startswith(wanted) or zh.startswith(query):
                rank = 0
            elif wanted in letters or query in zh or (len(wanted) > 2 and query.lower() in en) \
                    or wanted == item.id.lower():
                rank = 1
            else:
                continue
            scored.append((rank, order, item))
        return [item for _, _, item in sorted(scored, key=lambda t: (t[0], t[1]))]

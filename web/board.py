"""好差评公开, the route of the public ratings page (`/ratings`, public listener), and its short cache.

The page asks the controller (`public_ratings`, through this process's `web-<name>` login) for the
day's figures and 差评; every visitor of the next `FRESH_S` seconds is shown the same answer, so a
crowd on the page is one request to the controller every few seconds, not one per visit.
"""
from __future__ import annotations

import re
import time

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import words as w
from .presenters.frame import Prefs
from .presenters.ratings import ratings_page

router = APIRouter()
FRESH_S = 5.0
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Board:
    """The controller's latest `public_ratings` answer of each day asked for."""

    def __init__(self, commands, clock=time.monotonic, max_days: int = 64):
        self.commands, self.clock, self.max_days = commands, clock, max_days
        self._answers: dict[str, tuple[float, dict]] = {}

    async def day(self, day: str) -> dict | None:
        held = self._answers.get(day)
        if held is not None and self.clock() - held[0] < FRESH_S:
            return held[1]
        reply = await self.commands.send("public_ratings", {"date": day} if day else {}, key=f"ratings:{day}")
        if not reply.get("ok"):
            return held[1] if held else None
        if len(self._answers) >= self.max_days:
            self._answers.clear()
        self._answers[day] = (self.clock(), reply["result"])
        return reply["result"]


@router.get("/ratings")
async def ratings(request: Request, date: str = "") -> Response:
    site, lang = request.app.state.site, Prefs.of(request.cookies).lang
    day = date if DAY.match(date) else ""
    result = await site.board.day(day)
    page = ratings_page(site.mirror, result, lang, result["day"] if result else day)
    return site.pages.page(request, "ratings.html", w.RATINGS, status=200 if result else 503, page=page)

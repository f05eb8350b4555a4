"""The public listener's routes: what a citizen's phone may open. Thin handlers: the request's few
inputs, the page's presenter (web/presenters/), its template (web/templates/)."""
from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from . import board, booking, complain, progress, take, visit
from . import words as w
from .live import Feed, Live
from .presenters.frame import LANG_COOKIE, PREF_MAX_AGE, SIZE_COOKIE, Prefs, safe_next
from .presenters.guides import guide_list, guide_page, notice_page
from .presenters.hall import hall_now

OPENAPI_URL = None
router = APIRouter()
router.routes.extend(visit.router.routes)  # /t/<rating_token>: a ticket's page (web/visit.py)
router.routes.extend(board.router.routes)  # /ratings: 好差评公开 (web/board.py)
router.routes.extend(progress.router.routes)  # /progress: 办理进度 (web/progress.py)
router.routes.extend(booking.router.routes)  # /book: 预约 (web/booking.py)
router.routes.extend(complain.router.routes)  # /complain: 有诉即办 / 办不成事 (web/complain.py)
router.routes.extend(take.router.routes)  # /take: 线上取号 (web/take.py)
HALL_FOLLOWS = frozenset({"config", "queues", "window", "calls", "online"})


def feeds(site) -> dict[str, Feed]:
    """The live pages of this listener, by feed name (web/live.py)."""
    return {"hall": Feed(HALL_FOLLOWS, lambda lang: ("hall", site.pages.render(
        "hall_now.html", now=hall_now(site.mirror, lang, site.link.online)))), **visit.feeds(site)}


def site_of(request: Request):
    return request.app.state.site


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/hall", status_code=303)


@router.get("/hall")
async def hall(request: Request) -> Response:
    site, lang = site_of(request), Prefs.of(request.cookies).lang
    return site.pages.page(request, "hall.html", w.HALL_NOW, heading=w.say(w.HALL_NOW, lang),
                           no_script=w.say(w.NO_SCRIPT, lang), now=hall_now(site.mirror, lang, site.link.online),
                           complain=w.say(w.COMPLAIN_LINK, lang))


@router.get("/hall/events")
async def hall_events(request: Request) -> Response:
    site = site_of(request)
    channel = Live.channel("hall", Prefs.of(request.cookies).lang)
    stream = site.hub.open([channel])
    if stream is None:
        raise HTTPException(503)
    return site.hub.response(stream, [site.live.first(channel)])


@router.get("/guides")
async def guides(request: Request, q: str = "", category: str = "") -> Response:
    site, lang = site_of(request), Prefs.of(request.cookies).lang
    return site.pages.page(request, "guides.html", w.GUIDES, page=guide_list(site.mirror, site.guides, lang, q, category))


@router.get("/guides/{item_id}")
async def guide(request: Request, item_id: str) -> Response:
    return item_page(request, item_id, guide_page, "guide.html")


@router.get("/guides/{item_id}/notice")
async def notice(request: Request, item_id: str) -> Response:
    return item_page(request, item_id, notice_page, "notice.html", w.NOTICE)


def item_page(request: Request, item_id: str, present, template: str, title=None) -> Response:
    """A page of one item (its guide, its notice); 404 for an item the config does not have."""
    site, lang = site_of(request), Prefs.of(request.cookies).lang
    page = present(site.mirror, item_id, lang)
    if page is None:
        raise HTTPException(404)
    return site.pages.page(request, template, title or site.mirror.item(item_id).name, page=page)


@router.post("/prefs")
async def prefs(request: Request, next: str = Form("/"), lang: str = Form(""), size: str = Form("")) -> Response:
    """The language and text-size switches (a form in every page's header)."""
    policy = request.app.state.policy
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in w.LANGS:
        response.headers.append("set-cookie", policy.cookie(LANG_COOKIE, lang, max_age=PREF_MAX_AGE))
    if size in ("normal", "large"):
        response.headers.append("set-cookie", policy.cookie(SIZE_COOKIE, size, max_age=PREF_MAX_AGE))
    return response


@router.get("/healthz")
async def health(request: Request) -> Response:
    site = site_of(request)
    return JSONResponse({"listener": "public", "broker": site.link.public.client.connected.is_set(),
                         "controller": site.link.online, "hall": site.mirror.ready, "streams": site.hub.streams})

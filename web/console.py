"""The console listener's routes (the manager console, on the hall LAN only): its shell so far —
a page under /console/ and its health check. Its pages come next; every route lives under
/console/, so a reverse proxy that forwards only the public paths can never reach one."""
from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from . import words as w
from .presenters.frame import Prefs

OPENAPI_URL = None
router = APIRouter(prefix="/console")


def feeds(site) -> dict:
    return {}


@router.get("/")
async def shell(request: Request) -> Response:
    site, lang = request.app.state.site, Prefs.of(request.cookies).lang
    return HTMLResponse(site.pages.render("console/shell.html", lang=w.HTML_LANG[lang], title=w.say(w.CONSOLE, lang),
                                          hall_name=w.say(site.mirror.name, lang), text=w.say(w.CONSOLE_SHELL, lang)))


@router.get("/healthz")
async def health(request: Request) -> Response:
    site = request.app.state.site
    commands = site.link.admin
    return JSONResponse({"listener": "console", "broker": bool(commands and commands.client.connected.is_set()),
                         "controller": site.link.online, "hall": site.mirror.ready})

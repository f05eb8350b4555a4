"""The web process's listeners: one ASGI app each, with its own routes and its own security.

`public` (citizens' phones, through the reverse proxy), `console` (staff on the hall LAN) and `api`
(business systems) share the process's one view of the hall (`Site`: the link's mirror, the live
hub, the templates) and nothing else: each app has only its own router, so no route of one is
reachable on another, and each sits behind its own `Guard` (web/security.py) with its policy.
A listener's router is one plain dict entry below.
"""
from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from config.web import Web

from . import api, console, public
from .board import Board
from . import words as w
from .hub import Hub
from .link import WebLink
from .live import Live
from .pages import STATIC, Pages
from .presenters.guides import GuideIndex
from .presenters.ticket import HallWords
from .progress import Tries
from .ratelimit import Limiter
from .security import API_CSP, CSP, Guard, Policy
from .tickets import TicketBook
from .visit import channel_of

LISTENERS = {"public": public, "console": console, "api": api}  # listener -> its routes (router, feeds)
STATUS_TEXT = {400: w.BAD_INPUT, 404: w.NOT_FOUND, 503: w.BUSY}
ERROR_CODES = {400: "bad_request", 404: "not_found", 503: "busy"}


class Site:
    """What every listener of the process shares: the hall (mirror and commands), live pages, templates."""

    def __init__(self, settings: Web, link: WebLink, loop: asyncio.AbstractEventLoop):
        self.settings, self.link, self.mirror = settings, link, link.mirror
        self.hub = Hub(settings.max_streams, keepalive_s=settings.stream_keepalive_s)
        self.pages = Pages(self)
        self.guides = GuideIndex(self.mirror)
        self.ticket_words = HallWords(self.mirror)  # what ticket pages say of the hall, until it changes
        feeds = {}
        for module in LISTENERS.values():
            feeds.update(module.feeds(self))
        self.live = Live(self.hub, feeds, loop)
        link.on_change = self.hall_changed
        self.tickets = TicketBook(link.public, self.tickets_changed, self.ticket_open)
        link.on_event = self.tickets.event
        self.board = Board(link.public)
        self.desk = None  # the console's people and figures (web/desk.py): made by run.py when it listens
        self.progress_tries = Tries()
        self.booking = None  # 预约's slots kept a moment and its per-address allowance (web/booking.py)
        self.complaints = None  # 有诉即办's per-address and per-phone allowance (web/complain.py)
        self.take = None  # 线上取号's per-address allowance (web/take.py)
        self.integration = None  # the API's keys, limits and request ids (web/api.py): made by run.py

    def hall_changed(self, kind: str) -> None:
        """The mirror took a change: what ticket pages said of the hall is looked up again."""
        self.ticket_words.clear()
        self.live.changed(kind)

    def tickets_changed(self, kind: str, ticket_ids: set[str]) -> None:
        """These tickets' records changed: only their pages are rendered again (in every language)."""
        self.live.changed(kind, [channel_of(lang, tid) for tid in ticket_ids for lang in w.LANGS])

    def ticket_open(self, ticket_id: str) -> bool:
        """A page of the ticket is open (in any language)."""
        return any(self.hub.listeners(Live.channel("ticket", f"{lang}:{ticket_id}")) for lang in w.LANGS)


def policy(settings: Web, name: str) -> Policy:
    url = {"public": settings.public_url, "console": settings.console_url}.get(name) or ""
    limits = settings.rate_limits
    return Policy(name=name, secure=url.startswith("https://"), csrf=name != "api",
                  max_body_bytes=settings.max_body_bytes,
                  requests=Limiter(limits.requests.per_s, limits.requests.burst, limits.max_clients),
                  forms=Limiter(limits.forms.per_s, limits.forms.burst, limits.max_clients),
                  json_errors=name == "api", csp=API_CSP if name == "api" else CSP)


def routes(name: str) -> FastAPI:
    """One listener's routes as a FastAPI app, nothing else: what `build` serves, and what the API's
    OpenAPI schema is made from without a hall (`python -m web.api --openapi`)."""
    module = LISTENERS[name]
    # no OpenTelemetry here: FastAPI would otherwise look for its providers on every request
    app = FastAPI(openapi_url=module.OPENAPI_URL, docs_url=None, redoc_url=None, title=f"qms web {name}",
                  telemetry={"tracing": False, "metrics": False, "logs": False}, **getattr(module, "APP_INFO", {}))
    app.include_router(module.router)
    return app


def build(site: Site, name: str) -> Guard:
    """The ASGI app of one listener, its guard in front."""
    rules = policy(site.settings, name)
    app = routes(name)
    app.state.site, app.state.policy = site, rules
    if name != "api":
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def refused(request: Request, exc: HTTPException):
        status = exc.status_code if exc.status_code in STATUS_TEXT else 404
        text = STATUS_TEXT[status]
        if rules.json_errors:
            return JSONResponse({"error": {"code": ERROR_CODES[status], "message": text.en, "message_zh": text.zh}},
                                status_code=status)
        return HTMLResponse(site.pages.refusal(status, text), status_code=status)

    async def invalid(request: Request, exc: RequestValidationError):
        if rules.json_errors:  # a system is told which field
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            return JSONResponse({"error": {"code": "bad_request", "message": f"{where}: {first.get('msg')}",
                                           "message_zh": w.BAD_INPUT.zh}}, status_code=422)
        return await refused(request, HTTPException(400))

    app.add_exception_handler(HTTPException, refused)
    app.add_exception_handler(RequestValidationError, invalid)
    for kind, handler in getattr(LISTENERS[name], "HANDLERS", {}).items():  # a listener's own refusals (the console's)
        app.add_exception_handler(kind, handler)
    return Guard(app, rules, page=site.pages.refusal)

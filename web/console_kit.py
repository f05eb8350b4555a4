"""What every console page module shares (web/console.py assembles their routers): the prefix, the
right's check before a handler, the console's page frame and its refusal, whom an alert or a case
may be given to, a request's address and language, a reply's error words, the session cookie. It
imports no page module, so each page module imports it like any other and web/console.py imports
them all at its top.

A page module makes its own router and its decorator, `router = APIRouter(prefix=PREFIX)` and
`route = route_on(router)`; `@route(method, path, right)` adds the handler to that router with the
right's check before it and marks the handler with its right (`RIGHT`), and web/console.py reads
the marks of the assembled routes into `RIGHT_OF`: no table is filled when a module is imported.
"""
from __future__ import annotations

import inspect
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from contract.bilingual import Bi

from . import console_words as cw
from . import words as w
from .accounts import may
from .presenters.console_frame import console_frame
from .presenters.console_people import people_choices
from .presenters.frame import Prefs
from .sessions import COOKIE, Session

PREFIX = "/console"
RIGHT = "console_right"  # the attribute of a handler naming the right its route needs
DESK_FOLLOWS = frozenset({"config", "queues", "window", "calls", "online", "stats"})


class NotAllowed(Exception):
    def __init__(self, response: Response):
        self.response = response


async def not_allowed(request: Request, exc: NotAllowed) -> Response:
    return exc.response


def address_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def lang_of(request: Request) -> str:
    return Prefs.of(request.cookies).lang


def service_day(site) -> str:
    """The controller's service day, as the hall's retained queues say: it turns at
    `day_rollover_hour` (03:00 by default), not at midnight, so at 00:30 "today" is still the day
    being served. The calendar day only until the queues have arrived."""
    return site.mirror.day or site.mirror.hall_time().date().isoformat()


def message_of(reply: dict, lang: str) -> str:
    error = reply.get("error") or {}
    return str(error.get("message_zh" if lang == "zh" else "message") or error.get("code") or "")


def needs(right: str):
    async def check(request: Request) -> Session:
        desk = request.app.state.site.desk
        session = desk.session(request.cookies.get(COOKIE))
        if session is None:
            if request.method == "GET":
                raise NotAllowed(RedirectResponse(f"{PREFIX}/login?next={request.url.path}", status_code=303))
            raise NotAllowed(forbidden(request, None, cw.EXPIRED))
        if not may(session.role, right):
            desk.refused(session, request.url.path, address_of(request))
            raise NotAllowed(forbidden(request, session, cw.FORBIDDEN))
        return session
    return check


def route_on(router: APIRouter):
    """The `route(method, path, right)` decorator of one module's router: the route is checked for
    `right` before its handler, and the handler carries the right for web/console.py's RIGHT_OF."""
    def route(method: str, path: str, right: str):
        def wrap(handler):
            setattr(handler, RIGHT, right)
            return router.api_route(path, methods=[method])(handler_with(handler, right))
        return wrap
    return route


def handler_with(handler, right):
    """The handler with its session argument given by the right's check (FastAPI reads the signature)."""
    signature = inspect.signature(handler)
    params = [p.replace(annotation=Annotated[Session, Depends(needs(right))]) if name == "session" else p
              for name, p in signature.parameters.items()]
    handler.__signature__ = signature.replace(parameters=params)
    return handler


def rights_of(routes) -> dict[tuple[str, str], str]:
    """(method, path) -> the right it needs, for every route whose handler carries one."""
    return {(method, r.path): getattr(r.endpoint, RIGHT) for r in routes if hasattr(getattr(r, "endpoint", None), RIGHT)
            for method in sorted(r.methods) if method != "HEAD"}


async def people(request: Request, session: Session) -> dict:
    """Whom an alert or a case may be given to (presenters/console_people.py): the console's
    accounts and the hall's staff from the config. A page posts only a value of this list and
    refuses any other (cw.PICK_PERSON)."""
    site, lang = request.app.state.site, lang_of(request)
    reply = await site.desk.ask(session, "config_get", {})
    staff = ((reply.get("result") or {}).get("config") or {}).get("staff") or {} if reply.get("ok") else {}
    return people_choices(site.desk.accounts.all(), staff if isinstance(staff, dict) else {}, lang)


def page(request: Request, session: Session | None, template: str, title: Bi, status: int = 200,
         **context) -> HTMLResponse:
    site, lang = request.app.state.site, lang_of(request)
    around = console_frame(site.mirror, session, lang, title=title, path=request.url.path,
                           csrf=request.state.csrf, online=site.link.online)
    return HTMLResponse(site.pages.render(template, frame=around, **context), status_code=status,
                        headers={"Cache-Control": "no-store"})


def forbidden(request: Request, session: Session | None, text: Bi) -> HTMLResponse:
    lang = lang_of(request)
    return page(request, session, "console/refused.html", cw.CONSOLE, status=403, text=w.say(text, lang),
                login=w.say(cw.LOGIN, lang) if session is None else "")


def session_cookie(request: Request, token: str, max_age: int) -> str:
    parts = [f"{COOKIE}={token}", f"Path={PREFIX}", "HttpOnly", "SameSite=Strict", f"Max-Age={max_age}"]
    if request.app.state.policy.secure:
        parts.append("Secure")
    return "; ".join(parts)


def safe_console_path(path: str | None) -> str:
    if not path or not path.startswith(PREFIX + "/") or "//" in path or "\\" in path or len(path) > 200 \
            or path.startswith(f"{PREFIX}/login"):
        return f"{PREFIX}/hall"
    return path

"""The console listener's routes (the manager console, on the hall LAN only). Every route lives
under /console/, so a reverse proxy that forwards only the public paths can never reach one.

Every route but the login, the language switch and the health check names the right it needs
(`route(method, path, right)`, rights by role in web/accounts.py RIGHTS) and is refused without
it: no session → to the login page (a GET) or 403 (a post); a session whose role lacks the right
→ 403 with its words, in the audit. This module holds the sign-in, the live hall and the audit;
each page module (`PAGES`) has its own router and `route` (web/console_kit.py `route_on`), and
this router is built from theirs as web/public.py builds its own: nothing registers itself by being
imported. `RIGHT_OF` is read from the assembled routes' handlers, each marked with its right, and
the tests of every route read it. Every form carries the CSRF token (the listener's guard refuses a
post without it: web/security.py). Thin handlers as in web/public.py: the request's inputs, a
presenter, a template.
"""
from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from . import (console_accounts, console_alerts, console_applications, console_appointments, console_cases,
               console_config, console_outbox, console_reports, console_team)
from . import console_words as cw
from . import words as w
from .accounts import MAX_PASSWORD, NAME
from .console_kit import (DESK_FOLLOWS, PREFIX, NotAllowed, address_of, lang_of, not_allowed, page, rights_of, route_on,
                          safe_console_path, session_cookie)
from .desk import FEED
from .live import Feed, Live
from .presenters.console_alerts import audit_list
from .presenters.console_frame import login_page
from .presenters.console_hall import desk_now
from .presenters.frame import LANG_COOKIE, PREF_MAX_AGE
from .sessions import COOKIE, MAX_S, Session

OPENAPI_URL = None
router = APIRouter(prefix=PREFIX)
route = route_on(router)
OPEN_ROUTES = {("GET", "/console/"), ("GET", "/console/login"), ("POST", "/console/login"), ("POST", "/console/logout"),
               ("POST", "/console/prefs"), ("GET", "/console/healthz")}
HANDLERS = {NotAllowed: not_allowed}  # installed on this listener's app by web/apps.py


def feeds(site) -> dict[str, Feed]:
    def render(lang: str) -> tuple[str, str]:
        desk = site.desk
        return "desk", site.pages.render("console/hall_now.html", now=desk_now(
            site.mirror, desk.stats, desk.stats_at, lang if lang in w.LANGS else "zh", site.link.online))
    return {FEED: Feed(DESK_FOLLOWS, render), **console_team.feeds(site)}


# --- logging in and out ------------------------------------------------------------------------


@router.get("/")
async def home() -> Response:
    return RedirectResponse(f"{PREFIX}/hall", status_code=303)


@router.get("/login")
async def login_form(request: Request, next: str = "") -> Response:
    site, lang = request.app.state.site, lang_of(request)
    return page(request, None, "console/login.html", cw.LOGIN,
                login=login_page(lang, next_path=safe_console_path(next), no_accounts=not site.desk.accounts.all()))


@router.post("/login")
async def login(request: Request, name: str = Form("", max_length=64), password: str = Form("", max_length=MAX_PASSWORD + 1),
                next: str = Form("")) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    name = name.strip().lower()
    token, account, locked = await site.desk.login(name, password, address_of(request))
    if token is None:
        error = w.fmt(cw.LOCKED, lang, minutes=max(1, int(locked // 60) + 1)) if locked else w.say(cw.WRONG_LOGIN, lang)
        return page(request, None, "console/login.html", cw.LOGIN, status=429 if locked else 401,
                    login=login_page(lang, error=error, name=name if NAME.match(name) else "",
                                     next_path=safe_console_path(next)))
    response = RedirectResponse(safe_console_path(next), status_code=303)
    response.headers.append("set-cookie", session_cookie(request, token, MAX_S))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    request.app.state.site.desk.logout(request.cookies.get(COOKIE), address_of(request))
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.headers.append("set-cookie", session_cookie(request, "", 0))
    return response


@router.post("/prefs")
async def prefs(request: Request, next: str = Form(""), lang: str = Form("")) -> Response:
    response = RedirectResponse(safe_console_path(next) if next != f"{PREFIX}/login" else next, status_code=303)
    if lang in w.LANGS:
        response.headers.append("set-cookie", request.app.state.policy.cookie(LANG_COOKIE, lang, max_age=PREF_MAX_AGE))
    return response


# --- the live hall -------------------------------------------------------------------------------


@route("GET", "/hall", "view_hall")
async def hall(request: Request, session: Session) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if site.desk.stats is None:
        await site.desk.refresh()
    desk = site.desk
    return page(request, session, "console/hall.html", cw.LIVE_HALL, events=f"{PREFIX}/hall/events",
                now=desk_now(site.mirror, desk.stats, desk.stats_at, lang, site.link.online))


@route("GET", "/hall/events", "view_hall")
async def hall_events(request: Request, session: Session) -> Response:
    site = request.app.state.site
    channel = Live.channel(FEED, lang_of(request))
    stream = site.hub.open([channel])
    if stream is None:
        raise HTTPException(503)
    site.desk.follow(stream, request.cookies.get(COOKIE, ""))
    return site.hub.response(stream, [site.live.first(channel)])


# --- the audit list ------------------------------------------------------------------------------


@route("GET", "/audit", "view_audit")
async def audit(request: Request, session: Session) -> Response:
    site = request.app.state.site
    return page(request, session, "console/audit.html", cw.AUDIT,
                audit=audit_list(site.mirror, site.desk.audit.latest(), lang_of(request)))


@router.get("/healthz")
async def health(request: Request) -> Response:
    site = request.app.state.site
    commands = site.link.admin
    return JSONResponse({"listener": "console", "broker": bool(commands and commands.client.connected.is_set()),
                         "controller": site.link.online, "hall": site.mirror.ready})



PAGES = (  # each page module's routes, after the sign-in, the hall and the audit above
    console_reports,  # 统计报表: the day, a range, a month, as a page or CSV
    console_cases,  # the case routes (差评 follow-ups, complaints, consultations)
    console_config,  # the configuration forms, versions and export
    console_outbox,  # the 好差评 reports' backlog
    console_team,  # a window lead's staff and live view (我的窗口)
    console_applications,  # the 办件 routes (time limits, links, progress)
    console_alerts,  # 电子监察: note, assign, 督办, the trail
    console_appointments,  # 电话预约, the day's bookings, the blacklist
    console_accounts,  # the director's page of console accounts
)
for module in PAGES:
    router.routes.extend(module.router.routes)
RIGHT_OF = rights_of(router.routes)  # (method, path) -> the right it needs, read by the tests of every route

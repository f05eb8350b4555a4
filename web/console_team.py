"""我的窗口: a window lead's page (right `manage_team`) — the staff of their windows, a PIN reset and
their windows changed within the lead's scope, and the live view of those windows only (SSE, as
/console/hall). The scope is the account's windows (`Account.windows`, `main.py web add-user
--windows`); a lead without one is refused, as for the reports. A director leads every window.

A form is not trusted to stay within the scope: the handler looks the member of staff up in the
live config and refuses with 403, sending nothing, a member of staff none of whose windows is the
lead's or a window outside the scope; and the command carries the scope (`staff_set` with `scope`),
so the controller refuses the same again. Every change is an admin command in the user's name.
"""
from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from . import console_words as cw
from .console_kit import DESK_FOLLOWS, PREFIX, address_of, forbidden, lang_of, message_of, page, route_on
from .live import Feed, Live
from .presenters import console_team as pt
from .sessions import COOKIE, Session
from .words import fmt, say

router = APIRouter(prefix=PREFIX)
route = route_on(router)

FEED = "team"
STAFF_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def feeds(site) -> dict[str, Feed]:
    def render(argument: str) -> tuple[str, str]:
        parsed = pt.parse_argument(argument)
        lang, scope = parsed if parsed else ("zh", frozenset())
        desk = site.desk
        return "team", site.pages.render("console/hall_now.html", now=pt.team_now(
            site.mirror, desk.stats, desk.stats_at, lang, site.link.online, scope))
    return {FEED: Feed(DESK_FOLLOWS, render)}


def scope_of(request: Request, session: Session) -> frozenset[int]:
    """The windows this user leads: a lead's account's, every window for a director; empty: none."""
    site = request.app.state.site
    if session.role == "director":
        return frozenset(site.mirror.window_numbers())
    account = site.desk.accounts.get(session.user)
    return frozenset(getattr(account, "windows", ()) or ())


def refuse(request: Request, session: Session) -> Response:
    request.app.state.site.desk.refused(session, request.url.path, address_of(request))
    return forbidden(request, session, cw.FORBIDDEN)


async def staff_now(request: Request, session: Session) -> tuple[dict | None, str, int | None]:
    """The members of staff of the live config (the web process keeps no copy) and its version, or
    why not. A change is computed from this read and sent with its version (`expect_version`), so
    a change another lead or the director made in between is never overwritten."""
    reply = await request.app.state.site.desk.ask(session, "config_get", {})
    if not reply.get("ok"):
        lang = lang_of(request)
        return None, fmt(pt.NO_CONFIG, lang, message=message_of(reply, lang)), None
    return reply["result"]["config"].get("staff", {}), "", reply["result"].get("version")


async def team_page(request: Request, session: Session, scope: frozenset[int], *, chosen: str = "",
                    error: str = "", field_errors: dict | None = None, done: str = "", status: int = 200) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if site.desk.stats is None:
        await site.desk.refresh()
    staff, unread, _ = await staff_now(request, session)
    view = pt.team_page(site.mirror, staff, scope, lang, chosen=chosen, error=error or unread,
                        field_errors=field_errors, done=done)
    desk = site.desk
    return page(request, session, "console/team.html", pt.TEAM, status=status, view=view,
                events=f"{PREFIX}/team/events",
                now=pt.team_now(site.mirror, desk.stats, desk.stats_at, lang, site.link.online, scope))


@route("GET", "/team", "manage_team")
async def team(request: Request, session: Session, staff: str = "", done: str = "", version: int = 0) -> Response:
    scope = scope_of(request, session)
    if not scope:
        return refuse(request, session)
    said = fmt(pt.SAVED, lang_of(request), id=done, version=version) if version > 0 and STAFF_ID.match(done) else ""
    return await team_page(request, session, scope, chosen=staff if STAFF_ID.match(staff) else "", done=said)


@route("GET", "/team/events", "manage_team")
async def team_events(request: Request, session: Session) -> Response:
    site = request.app.state.site
    scope = scope_of(request, session)
    if not scope:
        return refuse(request, session)
    channel = Live.channel(FEED, pt.scope_argument(lang_of(request), scope))
    stream = site.hub.open([channel])
    if stream is None:
        raise HTTPException(503)
    site.desk.follow(stream, request.cookies.get(COOKIE, ""))
    return site.hub.response(stream, [site.live.first(channel)])


@route("POST", "/team/staff", "manage_team")
async def set_staff(request: Request, session: Session) -> Response:
    """A PIN reset and the windows of one member of the team, as `staff_set` with the lead's scope."""
    site, lang = request.app.state.site, lang_of(request)
    scope = scope_of(request, session)
    if not scope:
        return refuse(request, session)
    form = await request.form()
    staff_id = str(form.get("staff_id", ""))
    posted = [str(value) for value in form.getlist("window")]
    pin, form_id = str(form.get("pin", "")).strip()[:64], str(form.get("form_id", ""))[:64]
    if not STAFF_ID.match(staff_id) or not all(re.fullmatch(r"[1-9]\d{0,2}", n) for n in posted):
        raise HTTPException(400)
    chosen = {int(n) for n in posted}
    staff, unread, version = await staff_now(request, session)
    if staff is None:
        return await team_page(request, session, scope, chosen=staff_id, error=unread, status=503)
    person = pt.team_of(staff, scope).get(staff_id)
    if person is None or not chosen <= scope:  # a forged form: another lead's staff, or a window not theirs
        return refuse(request, session)
    had = list(person.get("windows") or ())
    windows = pt.new_windows(had, chosen, scope)
    errors = {}
    if pin and not pt.PIN.match(pin):
        errors["pin"] = say(pt.BAD_PIN, lang)
    if not windows:
        errors["windows"] = say(pt.NO_WINDOW, lang)
    if not errors and not pin and windows == sorted(had):
        errors["pin"] = say(pt.NOTHING, lang)
    if errors:
        return await team_page(request, session, scope, chosen=staff_id, field_errors=errors, status=400)
    fields = {"staff_id": staff_id, "windows": windows, "scope": sorted(scope), **({"pin": pin} if pin else {}),
              **({"expect_version": version} if isinstance(version, int) and version > 0 else {})}
    reply = await site.desk.change(session, "staff_set", fields, address_of(request),
                                   key=f"team-{session.user}-{staff_id}-{form_id}")
    if not reply.get("ok"):
        if (reply.get("error") or {}).get("code") == "forbidden":
            return refuse(request, session)
        return await team_page(request, session, scope, chosen=staff_id, status=400,
                               error=fmt(pt.NOT_SAVED, lang, message=message_of(reply, lang)))
    made = reply["result"]["version"]
    return RedirectResponse(f"{PREFIX}/team?staff={staff_id}&done={staff_id}&version={made}", status_code=303)

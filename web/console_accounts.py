"""The director's page of console accounts: the accounts with their roles, making one, giving one a
new password (which enables it again), disabling one. Over web/accounts.py's store — the accounts
are the web process's own file, not the controller's (why: web/accounts.py) — so these changes go
to the console's audit (never a password), not to the ledger. A reset or a disable ends the
account's sessions at their next request (web/desk.py `session`). A director cannot disable
themselves, so the hall is never left without a way in from here; `main.py web add-user` remains.
"""
from __future__ import annotations

import asyncio
import re

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from . import console_words as cw
from . import words as w
from .accounts import MAX_PASSWORD, NAME, ROLES
from .console_kit import PREFIX, address_of, lang_of, page, route_on
from .presenters.console_accounts import account_list
from .sessions import Session

router = APIRouter(prefix=PREFIX)
route = route_on(router)

WINDOWS = re.compile(r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$")


def said(error: ValueError, lang: str) -> str:
    """web/accounts.py's reasons are "english / 中文": the half in the page's language."""
    english, _, chinese = str(error).partition(" / ")
    return (chinese or english) if lang == "zh" else english


async def listing(request: Request, session: Session, *, error: str = "", done: str = "", status: int = 200):
    site, lang = request.app.state.site, lang_of(request)
    return page(request, session, "console/accounts.html", cw.ACCOUNTS, status=status,
                accounts=account_list(site.mirror, site.desk.accounts.all(), session.user, lang, error=error,
                                      done=done))


def audited(request: Request, session: Session, action: str, name: str, ok: bool, **fields) -> None:
    site = request.app.state.site
    site.desk.audit.add(site.desk.wall(), "change", session.user, address_of(request), role=session.role,
                        action=action, ok=ok, fields={"name": name, **fields})


@route("GET", "/accounts", "view_accounts")
async def accounts(request: Request, session: Session, made: str = "", reset: str = "",
                   disabled: str = "") -> Response:
    lang = lang_of(request)
    done = next((w.fmt(words, lang, name=name) for words, name in ((cw.ACCOUNT_MADE, made), (cw.ACCOUNT_RESET, reset),
                                                                   (cw.ACCOUNT_DISABLED, disabled))
                 if NAME.match(name)), "")
    return await listing(request, session, done=done)


@route("POST", "/accounts/new", "change_accounts")
async def create(request: Request, session: Session, name: str = Form("", max_length=64),
                 role: str = Form("", max_length=40), password: str = Form("", max_length=MAX_PASSWORD + 1),
                 again: str = Form("", max_length=MAX_PASSWORD + 1),
                 windows: str = Form("", max_length=100)) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    name = name.strip().lower()
    if password != again:
        return await listing(request, session, error=w.say(cw.PASSWORDS_DIFFER, lang), status=400)
    if windows.strip() and not WINDOWS.match(windows):
        return await listing(request, session, error=w.say(cw.BAD_WINDOWS, lang), status=400)
    numbers = tuple(int(n) for n in windows.split(",") if n.strip()) if role == "window_lead" else ()
    try:
        await asyncio.to_thread(site.desk.accounts.add, name, role if role in ROLES else "", password, numbers)
    except ValueError as refused:
        return await listing(request, session, error=said(refused, lang), status=400)
    audited(request, session, "account_create", name, True, account_role=role)
    return RedirectResponse(f"{PREFIX}/accounts?made={name}", status_code=303)


def existing(request: Request, name: str):
    return request.app.state.site.desk.accounts.get(name) if NAME.match(name) else None


@route("POST", "/accounts/{name}/reset", "change_accounts")
async def reset(request: Request, session: Session, name: str, password: str = Form("", max_length=MAX_PASSWORD + 1),
                again: str = Form("", max_length=MAX_PASSWORD + 1)) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    account = existing(request, name)
    if account is None:
        return await listing(request, session, error=w.say(cw.NO_SUCH_ACCOUNT, lang), status=400)
    if password != again:
        return await listing(request, session, error=w.say(cw.PASSWORDS_DIFFER, lang), status=400)
    try:
        await asyncio.to_thread(site.desk.accounts.add, name, account.role, password, account.windows, replace=True)
    except ValueError as refused:
        return await listing(request, session, error=said(refused, lang), status=400)
    audited(request, session, "account_reset", name, True)
    return RedirectResponse(f"{PREFIX}/accounts?reset={name}", status_code=303)


@route("POST", "/accounts/{name}/disable", "change_accounts")
async def disable(request: Request, session: Session, name: str) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    if existing(request, name) is None:
        return await listing(request, session, error=w.say(cw.NO_SUCH_ACCOUNT, lang), status=400)
    if name == session.user:
        return await listing(request, session, error=w.say(cw.NOT_YOURSELF, lang), status=400)
    site.desk.accounts.disable(name)
    audited(request, session, "account_disable", name, True)
    return RedirectResponse(f"{PREFIX}/accounts?disabled={name}", status_code=303)

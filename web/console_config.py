"""The console's configuration routes: each section of the hall config as a form (web/config_forms.py
says what each holds), the version history with one version's differences and the return to it
(asked first on a page of what it will change),
and the config as a YAML file. Thin handlers on this module's router (web/console.py adds it),
whose `route` (web/console_kit.py) names each right:
a director changes (`change_config`), a supervisor reads (`view_config`), the YAML with its PIN
hashes is the director's (`export_config`).

Every change is an admin command in the user's name (`config_patch`, `staff_set` with the PIN as
typed, `config_restore`); the controller validates the whole config, and its refusal comes back
next to each field in words (`error.problems`), the form keeping what was typed. A refused change
changes nothing: the controller keeps the config it had. Each form carries the version it was read
at (`expect_version`): when another director saved in between, the controller refuses it as a
`conflict` and the form says so, keeping what was typed, now at the version that is live — saving
it again is a choice made knowing the config moved on.
"""
from __future__ import annotations

import hashlib
import time

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from config.loader import config_yaml

from . import config_forms as cf
from . import words as w
from .accounts import may
from .console_kit import PREFIX, address_of, lang_of, message_of, page, route_on
from .presenters import console_config as pc
from .sessions import Session

router = APIRouter(prefix=PREFIX)
route = route_on(router)

MAX_FIELD = 8000  # a guide's long text is at most 4,000 characters; twice that is no form's


async def current(request: Request, session: Session) -> tuple[dict | None, int | None, str]:
    """The live config, its version and, when it cannot be read, why (in the user's language)."""
    reply = await request.app.state.site.desk.ask(session, "config_get", {})
    if not reply.get("ok"):
        return None, None, w.fmt(pc.NO_CONFIG, lang_of(request), message=message_of(reply, lang_of(request)))
    return reply["result"]["config"], reply["result"]["version"], ""


def form_digest(posted: dict) -> str:
    """The same form posted twice is one open command: its fields' digest (SHA-256, not `hash()`, whose
    value is salted per process and says nothing stable) keys it in the requester."""
    return hashlib.sha256(repr(sorted(posted.items())).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def expected(posted) -> dict:
    """The version a form was read at, as the command's `expect_version` (nothing for a form without it)."""
    raw = str(posted.get("expect_version", ""))
    return {"expect_version": int(raw)} if raw.isdigit() and 1 <= int(raw) <= 2**31 else {}


async def section_page(request: Request, session: Session, section: str, *, key: str = "", done: str = "",
                       posted: dict | None = None, errors: dict | None = None, refusal: str = "",
                       status: int = 200) -> Response:
    lang = lang_of(request)
    config, version, error = await current(request, session)
    if errors:
        error = w.say(pc.NOT_SAVED, lang)
    error = refusal or error
    view = pc.config_page(config, version, section, lang, key=key, posted=posted, errors=errors, done=done,
                          error=error, can_change=may(session.role, "change_config"),
                          can_export=may(session.role, "export_config"))
    return page(request, session, "console/config.html", pc.CONFIG, status=status, view=view)


@route("GET", "/config", "view_config")
async def config_home(request: Request, session: Session) -> Response:
    return RedirectResponse(f"{PREFIX}/config/categories", status_code=303)


@route("GET", "/config/export.yaml", "export_config")
async def export(request: Request, session: Session) -> Response:
    """The live config as a hall file (what `controller config-export` writes), to keep or to edit."""
    config, version, error = await current(request, session)
    if config is None:
        return Response(error, status_code=503, media_type="text/plain; charset=utf-8")
    stamp = time.strftime("%Y%m%d-%H%M")
    text = config_yaml(config, f"live config version {version} of hall {config['hall']}, by {session.user}")
    return Response(text.encode("utf-8"), media_type="application/yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="hall-{config["hall"]}-v{version}-{stamp}.yaml"',
        "Cache-Control": "no-store"})


@route("GET", "/config/versions", "view_config")
async def versions(request: Request, session: Session, show: int = 0, restored: int = 0, version: int = 0) -> Response:
    return await versions_page(request, session, show=show, done=w.fmt(
        pc.RESTORE_DONE, lang_of(request), restored=restored, version=version) if restored > 0 and version > 0 else "")


async def versions_page(request: Request, session: Session, *, show: int = 0, done: str = "", error: str = "",
                        status: int = 200) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    fields = {"limit": 100, **({"show": show} if 1 <= show <= 2**31 else {})}
    reply = await site.desk.ask(session, "config_versions", fields)
    history = reply.get("result") if reply.get("ok") else None
    if history is None:
        error = error or w.fmt(pc.NO_CONFIG, lang, message=message_of(reply, lang))
        status = 400 if status == 200 and reply.get("error", {}).get("code") == "not_found" else status
    return page(request, session, "console/config_versions.html", pc.CONFIG, status=status,
                view=pc.versions_page(history, lang, can_change=may(session.role, "change_config"), error=error,
                                      done=done))


@route("GET", "/config/versions/restore", "change_config")
async def confirm_restore(request: Request, session: Session, version: int = 0) -> Response:
    """The return to a version asked first, without JavaScript: what it will change is shown, and
    only the form on this page (POST, CSRF, the version it was read at) does it."""
    if not 1 <= version <= 2**31:
        return await versions_page(request, session, error=w.say(pc.BAD_VERSION, lang_of(request)), status=400)
    return await restore_page(request, session, version)


async def restore_page(request: Request, session: Session, version: int, *, error: str = "",
                       status: int = 200) -> Response:
    """The confirmation page: the live version's differences from `version`, read at the live version."""
    lang = lang_of(request)
    _, now, unread = await current(request, session)
    history = None
    if now is not None:
        reply = await request.app.state.site.desk.ask(session, "config_versions",
                                                      {"limit": 1, "show": version, "against": now})
        history = reply.get("result") if reply.get("ok") else None
        unread = "" if history else w.fmt(pc.NO_CONFIG, lang, message=message_of(reply, lang))
        status = 400 if status == 200 and reply.get("error", {}).get("code") == "not_found" else status
    error = error or unread
    return page(request, session, "console/config_restore.html", pc.CONFIG, status=status,
                view=pc.restore_page(history, lang, error=error))


@route("POST", "/config/versions/restore", "change_config")
async def restore(request: Request, session: Session) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    posted = await request.form()
    raw = str(posted.get("version", ""))
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31:
        return await versions_page(request, session, error=w.say(pc.BAD_VERSION, lang), status=400)
    version = int(raw)
    reply = await site.desk.change(session, "config_restore", {"version": version, **expected(posted)},
                                   address_of(request),
                                   key=f"config-restore-{session.user}-{version}-{posted.get('expect_version', '')}")
    if reply.get("error", {}).get("code") == "conflict":  # asked again, with what it would change now
        return await restore_page(request, session, version, error=message_of(reply, lang), status=409)
    if not reply.get("ok"):
        problems = cf.problems_of(reply)
        words = [f"{key}: {cf.problem_words(message, lang)}" if key else cf.problem_words(message, lang)
                 for key, message in problems]
        return await versions_page(request, session, error="；".join(words) if lang == "zh" else "; ".join(words),
                                   status=400)
    made = reply["result"]["version"]
    return RedirectResponse(f"{PREFIX}/config/versions?restored={version}&version={made}&show={made}", status_code=303)


@route("GET", "/config/{section}", "view_config")
async def section(request: Request, session: Session, section: str, key: str = "", done: str = "",
                  version: int = 0, removed: int = 0) -> Response:
    lang = lang_of(request)
    if section not in cf.SECTIONS:
        return RedirectResponse(f"{PREFIX}/config/categories", status_code=303)
    key = key if cf.KEY.get(section, cf.ANY_KEY).match(key) else ""
    said = ""
    if version > 0:
        words = pc.REMOVED if removed else pc.SAVED if cf.KEY.get(section) else pc.SAVED_HALL
        said = w.fmt(words, lang, key=done if cf.KEY.get(section, cf.ANY_KEY).match(done) else "", version=version)
    return await section_page(request, session, section, key="" if removed else key, done=said)


@route("POST", "/config/{section}", "change_config")
async def save(request: Request, session: Session, section: str) -> Response:
    """One entry (or the hall's settings) from its form, as a merge patch or, for staff, staff_set."""
    site, lang = request.app.state.site, lang_of(request)
    if section not in cf.SECTIONS:
        raise HTTPException(400)
    form = await request.form()
    posted = {name: str(value)[:MAX_FIELD] for name, value in form.items() if isinstance(value, str)}
    base, fields = cf.SECTIONS[section]
    key = posted.get("key", "").strip()
    if base and not cf.KEY[section].match(key):
        return await section_page(request, session, section, key=key, posted=posted,
                                  errors={"key": w.say(pc.KEY_WORDS, lang)}, status=400)
    remove = posted.get("remove") == "1"
    if section == "staff" and not remove:
        action, command = "staff_set", cf.staff_fields(key, posted)
    else:
        # a table by category replaces the one the config has: its rows no longer listed go
        was = (await current(request, session))[0] if any(f.kind in cf.MAPS for f in fields) else None
        entry = None if remove else cf.patch_of(fields, posted, was)
        action, command = "config_patch", {"patch": {base: {key: entry}} if base else entry}
    reply = await site.desk.change(session, action, {**command, **expected(posted)}, address_of(request),
                                   key=f"config-{session.user}-{section}-{key}-{form_digest(posted)}")
    if reply.get("error", {}).get("code") == "conflict":
        return await section_page(request, session, section, key=key, posted=None if remove else posted,
                                  refusal=message_of(reply, lang), status=409)
    if not reply.get("ok"):
        where = f"{base}.{key}" if base else ""
        errors = cf.errors_by_field(fields, cf.problems_of(reply), where, lang)
        return await section_page(request, session, section, key=key, posted=None if remove else posted,
                                  errors=errors or {"": message_of(reply, lang)}, status=400)
    made = reply["result"]["version"]
    query = f"done={key}&key={key}&version={made}" + ("&removed=1" if remove else "")
    return RedirectResponse(f"{PREFIX}/config/{section}?{query}", status_code=303)

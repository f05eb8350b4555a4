"""办理进度, the routes of the application progress query (`/progress`, public listener).

The form posts the application number and its second factor (the receipt's query code or the
applicant's phone's last four digits); they go to the controller as `query_progress` through this
process's `web-<name>` login, and the answer is shown in the response to that post only
(`Cache-Control: no-store`), so neither the number nor the factor is ever in an address or a log.

The controller counts wrong tries per application number and per sending device
(`progress_lock`), and every phone comes through this one device: so that one visitor cannot spend
the whole web tier's tries and lock it for everyone, each client address may ask only
`BURST` times and then once every `EVERY_S` seconds (a right answer costs a try too: a person
needs one or two).
"""
from __future__ import annotations

import time

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from . import words as w
from .presenters.frame import Prefs
from .presenters.progress import progress_page, query_of
from .ratelimit import Limiter, retry_after

router = APIRouter()
BURST, EVERY_S = 5, 120.0
SAID = {"not_found", "locked", "bad_request"}  # refusals whose own words the visitor is shown


class Tries:
    """The per-address allowance of progress queries from this process."""

    def __init__(self, clock=time.monotonic):
        self.clock, self.limiter = clock, Limiter(1 / EVERY_S, BURST)

    def take(self, client: str) -> float:
        return self.limiter.take(client, self.clock())


def show(request: Request, page: dict, status: int = 200, headers: dict | None = None) -> Response:
    response = request.app.state.site.pages.page(request, "progress.html", w.PROGRESS, status=status, page=page)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers or {})
    return response


@router.get("/progress")
async def progress(request: Request) -> Response:
    site = request.app.state.site
    return show(request, progress_page(site.mirror, Prefs.of(request.cookies).lang))


@router.post("/progress")
async def query(request: Request, application_no: str = Form(""), factor: str = Form("")) -> Response:
    site, lang = request.app.state.site, Prefs.of(request.cookies).lang
    number = application_no.strip().upper()[:40]
    fields, problem = query_of(application_no, factor)
    if problem is not None:
        return show(request, progress_page(site.mirror, lang, number=number, error=w.say(problem, lang)), 400)
    wait = site.progress_tries.take(request.client.host if request.client else "unknown")
    if wait:
        page = progress_page(site.mirror, lang, number=number, error=w.say(w.PROGRESS_SLOW_DOWN, lang))
        return show(request, page, 429, {"Retry-After": str(retry_after(wait))})
    reply = await site.link.public.send("query_progress", fields)
    application = (reply.get("result") or {}).get("application") if reply.get("ok") else None
    if isinstance(application, dict):
        return show(request, progress_page(site.mirror, lang, application=application))
    error = reply.get("error") or {}
    code = error.get("code")
    text = error.get("message_zh" if lang == "zh" else "message") if code in SAID else None
    status = {"not_found": 404, "locked": 429, "bad_request": 400}.get(code, 503)
    return show(request, progress_page(site.mirror, lang, number=number,
                                       error=text or w.say(w.PROGRESS_NOT_SENT, lang)), status)

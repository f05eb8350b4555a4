"""The console's 好差评 reporting page: the outbox of reports to the provincial platform
(controller/outbox.py) as the controller's `outbox` answers it — a read, so nothing is audited.
Thin, on this module's router, whose `route` (web/console_kit.py) names the right; web/console.py
adds the router."""
from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import console_words as cw
from . import words as w
from .console_kit import PREFIX, lang_of, message_of, page, route_on
from .presenters.console_outbox import OUTBOX, outbox_page
from .sessions import Session

router = APIRouter(prefix=PREFIX)
route = route_on(router)


@route("GET", "/outbox", "view_outbox")
async def backlog(request: Request, session: Session) -> Response:
    site, lang = request.app.state.site, lang_of(request)
    reply = await site.desk.ask(session, "outbox", {})
    error = "" if reply.get("ok") else w.fmt(cw.FAILED, lang, message=message_of(reply, lang))
    return page(request, session, "console/outbox.html", OUTBOX,
                outbox=outbox_page(site.mirror, (reply.get("result") or {}).get("outbox"), lang, error=error))

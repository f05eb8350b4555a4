"""The reports routes (统计报表, right `view_reports`, on this module's router: web/console.py adds
it): the period asked, the controller's `period_report` in the user's name, the page or the CSV. A
window lead reads only the windows of their account's scope (`Account.windows`); without a scope
they are refused, since every line of the hall's report is someone else's windows too."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import report_words as rw
from . import console_words as cw
from .console_kit import PREFIX, address_of, forbidden, lang_of, message_of, page, route_on, service_day
from .presenters.console_reports import period_of, report_csv, report_page, visible
from .sessions import Session
from .words import fmt, say

router = APIRouter(prefix=PREFIX)
route = route_on(router)


@route("GET", "/reports", "view_reports")
async def reports(request: Request, session: Session, kind: str = "day", day: str = "", first: str = "",
                  last: str = "", month: str = "") -> Response:
    return await answer(request, session, kind, day, first, last, month, csv=False)


@route("GET", "/reports.csv", "view_reports")
async def reports_csv(request: Request, session: Session, kind: str = "day", day: str = "", first: str = "",
                      last: str = "", month: str = "") -> Response:
    return await answer(request, session, kind, day, first, last, month, csv=True)


async def answer(request, session, kind: str, day: str, first: str, last: str, month: str, *, csv: bool) -> Response:
    site = request.app.state.site
    lang = request.query_params.get("lang") if request.query_params.get("lang") in ("zh", "en") else lang_of(request)
    windows: tuple[int, ...] = ()
    if session.role == "window_lead":
        account = site.desk.accounts.get(session.user)
        windows = tuple(getattr(account, "windows", ()) or ())
        if not windows:
            site.desk.refused(session, request.url.path, address_of(request))
            return forbidden(request, session, cw.FORBIDDEN)
    kind = kind if kind in rw.KIND else "day"
    today = service_day(site)
    day, first, last, month = day[:10], first[:10], last[:10], month[:7]
    period = period_of(kind, day, first, last, month, today)
    asked = {"day": day or today, "first": first or today, "last": last or today, "month": month or today[:7]}
    report, error = None, ""
    if period is None:
        error = say(rw.BAD_DATE, lang)
    else:
        reply = await site.desk.ask(session, "period_report", {"first": period[0], "last": period[1]})
        if reply.get("ok"):
            report = visible(reply["result"], windows)
        else:
            error = fmt(rw.FAILED, lang, message=message_of(reply, lang))
    if csv:
        if report is None:
            return Response(error, status_code=400, media_type="text/plain; charset=utf-8")
        name = f"report-{report['first']}-{report['last']}.csv"
        return Response(report_csv(report, lang), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    query = urlencode({"kind": kind, "day": asked["day"], "first": asked["first"], "last": asked["last"],
                       "month": asked["month"]})
    return page(request, session, "console/reports.html", rw.REPORTS, status=200 if report or not error else 400,
                view=report_page(report, lang, kind=kind, asked=asked, error=error, query=query))

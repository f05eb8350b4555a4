"""The integration API's routes, for the windows' business systems (the 一窗受理 platform): set an
application's progress, link it to a ticket, record the outcome at a window and show a window's
evaluator (both for a 办件 if named), read ratings by day or by 办件, read a 办件 back to reconcile.
docs/integration.md is the integrator's guide; the schema is served at /api/v1/openapi.json, and a copy
is checked in as docs/openapi.json (`python -m web.api --openapi docs/openapi.json` writes it again;
tests/test_web_api.py holds the copy to what the app serves).

JSON only, no cookies, no CSRF: a caller shows its key (web/apikeys.py) in `Authorization: Bearer`
on every request but the health check. The route checks the key's rights and windows, then sends
the command over the API's admin login with the key's system as `user`, so the ledger records
which system did what; the controller stays the hall's single writer.

Every write is idempotent by the caller's request id (`Idempotency-Key` header, or `request_id`
in the body): it becomes the contract's command id (a hash of system and request id), and the
controller answers a repeated id with its stored reply, across restarts of either process. So a
retry gets the same answer and never does the thing twice. A request id reused for a different
request is refused (409) while this process remembers the first.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections import OrderedDict
from datetime import date as Date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from .apikeys import ApiKey, ApiKeys
from .ratelimit import Limiter, retry_after

OPENAPI_URL = "/api/v1/openapi.json"
OPENAPI_COPY = "docs/openapi.json"
APP_INFO = {"version": "1", "description": "The integration API of the hall's queue system for the windows' "
                                           "business systems (一窗受理): docs/integration.md."}


class ErrorBody(BaseModel):
    code: str = Field(description="stable: unauthorized, forbidden, bad_request, not_found, request_id_reused, "
                                  "invalid_state, too_large, unsupported, rate_limited, offline, timeout, ...")
    message: str = Field(description="English, naming the offending field or key")
    message_zh: str = Field(description="for people")


class ErrorReply(BaseModel):
    error: ErrorBody


def _errors(*statuses: int) -> dict:
    said = {400: "no request id, a bad range, or the controller's refusal", 401: "no, malformed, unknown or revoked key",
            403: "a right or window the key does not have", 404: "not found", 409: "request id reused, or invalid state",
            413: "body over web.max_body_bytes", 415: "not JSON (Content-Type: application/json)",
            422: "a field of the wrong type or value, named in message",
            429: "too many requests from the address or for the key: Retry-After says when",
            503: "the controller is away: retry with the same request id",
            504: "the controller answered late: retry with the same request id"}
    return {status: {"model": ErrorReply, "description": said[status]} for status in statuses}


router = APIRouter(prefix="/api/v1")
KEYED = _errors(401, 429, 503, 504)  # every call with a key
WRITE_ERRORS = {**KEYED, **_errors(400, 403, 404, 409, 413, 415, 422)}
REQUEST_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_DAYS = 31  # a ratings query's range
REMEMBERED = 10_000  # request ids whose request this process remembers (the 409 on reuse)
# the controller's error codes (contract/errors.py) -> HTTP status
STATUS = {"bad_request": 400, "not_found": 404, "forbidden": 403, "invalid_state": 409, "locked": 423,
          "offline": 503, "timeout": 504, "unknown_action": 501}
ApplicationNo = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{4,40}$", description="the 办件 number")]
WindowNo = Annotated[int, Path(ge=1, le=999)]


def feeds(site) -> dict:
    return {}


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, message_zh: str, headers: dict | None = None):
        self.status, self.code, self.message, self.message_zh, self.headers = status, code, message, message_zh, headers


async def refused(request: Request, exc: Refusal) -> JSONResponse:
    return JSONResponse({"error": {"code": exc.code, "message": exc.message, "message_zh": exc.message_zh}},
                        status_code=exc.status, headers=exc.headers)


HANDLERS = {Refusal: refused}


class Integration:
    """What the API keeps between requests: the keys, a rate limit per key, the request ids seen."""

    def __init__(self, keys_path, per_s: float, burst: int, clock=time.monotonic):
        self.keys = ApiKeys(keys_path)
        self.limiter = Limiter(per_s, burst)
        self.clock = clock
        self.seen: OrderedDict[str, str] = OrderedDict()  # contract id -> the request's fingerprint

    def same_as_before(self, command_id: str, fingerprint: str) -> bool:
        """False when this request id came before with another request."""
        first = self.seen.setdefault(command_id, fingerprint)
        self.seen.move_to_end(command_id)
        while len(self.seen) > REMEMBERED:
            self.seen.popitem(last=False)
        return first == fingerprint


def caller(request: Request, authorization: Annotated[str | None, Header(
        description="`Bearer qms_<id>_<secret>`: the key of the integrating system")] = None) -> ApiKey:
    """The calling system's live key; 401 for a missing, malformed, unknown or revoked one."""
    integration: Integration = request.app.state.site.integration
    scheme, _, presented = (authorization or "").partition(" ")
    key = integration.keys.verify(presented.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise Refusal(401, "unauthorized", "a valid API key is required (Authorization: Bearer ...)",
                      "需要有效的接口密钥", {"www-authenticate": "Bearer"})
    wait = integration.limiter.take(key.key_id, integration.clock())
    if wait:
        raise Refusal(429, "rate_limited", "too many requests for this key: wait and try again",
                      "请求过于频繁，请稍后再试", {"retry-after": str(retry_after(wait))})
    return key


Caller = Annotated[ApiKey, Depends(caller)]


def allow(key: ApiKey, right: str, window: int | None = None) -> None:
    if right not in key.rights:
        raise Refusal(403, "forbidden", f"this key has no right {right!r}", "该密钥无此权限")
    if window is not None and window not in key.windows:
        raise Refusal(403, "forbidden", f"this key may not act on window {window}", f"该密钥不能操作{window}号窗口")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    request_id: Annotated[str, Field(pattern=REQUEST_ID.pattern)] | None = Field(
        None, description="the caller's request id, if not in the Idempotency-Key header")


class ProgressBody(Body):
    item: Annotated[str, Field(min_length=1, max_length=32, description="the 事项's code in the hall")]
    status: Literal["accepted", "in_progress", "supplement", "result_ready", "collected", "refused", "closed",
                    "submitted", "reviewing", "approved", "rejected", "delivered"] = Field(
        description="a 补正 (supplement) stops the clock; result_ready tells the applicant; the last five are "
                    "the older names of accepted, in_progress, result_ready, refused, collected")
    note: Annotated[str, Field(max_length=500)] = ""
    applicant_name: Annotated[str, Field(max_length=64, description="kept masked")] | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{3,20}$",
                                description="sealed at rest; its last four digits open the citizen's progress page")] | None = None


class LinkBody(Body):
    item: Annotated[str, Field(min_length=1, max_length=32, description="the 事项's code; required by the first link")] | None = None
    ticket_id: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}-[A-Z]\d{3,4}$",
                                    description="the ticket's id (day-number); or give window")] | None = None
    window: Annotated[int, Field(ge=1, le=999, description="the window whose ticket (being served, else "
                                                         "the last served) is linked; one of the key's windows")] | None = None
    note: Annotated[str, Field(max_length=500)] = ""
    applicant_name: Annotated[str, Field(max_length=64, description="kept masked")] | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{3,20}$",
                                description="sealed at rest; the result-ready notice goes to it")] | None = None


ApplicationField = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")]


class OutcomeBody(Body):
    application_no: ApplicationField | None = Field(None, description=(
        "the 办件 made for this service: linked to the ticket, its status from the outcome (accepted, "
        "supplement, refused; on_the_spot closes it); not with consultation"))
    outcome: Literal["accepted", "supplement", "refused", "on_the_spot", "consultation"] = "accepted"
    materials: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(
        max_length=30, description="补正: the missing materials (required then, only then)")] = []
    reasons: Annotated[list[Annotated[str, Field(min_length=1, max_length=500)]], Field(
        max_length=10, description="不予受理: the written reasons (required then, only then)")] = []


class EvaluationBody(Body):
    application_no: ApplicationField | None = Field(None, description=(
        "the 办件 the rating is for: the ticket rated is linked to it first (created, accepted, of the "
        "ticket's item, when new), so GET /ratings?application_no= finds the rating"))


def json_only(request: Request) -> None:
    """415 for a write that is not JSON — before its body is read as fields, which would say 422 instead."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Refusal(415, "unsupported", "send JSON (Content-Type: application/json)", "请以 JSON 提交")


JSON_ONLY = [Depends(json_only)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="the caller's request id")]


async def write(request: Request, key: ApiKey, action: str, fields: dict, body: Body, idempotency: str | None):
    """Send one write under the caller's request id; its answer, the same however often it is sent."""
    request_id = idempotency if idempotency is not None else body.request_id
    if request_id is None or not REQUEST_ID.match(request_id):
        raise Refusal(400, "bad_request", "request id: Idempotency-Key header or request_id, 1-64 of A-Z a-z 0-9 _ . : -",
                      "缺少或无效的请求编号（Idempotency-Key 或 request_id）")
    if idempotency is not None and body.request_id is not None and body.request_id != idempotency:
        raise Refusal(400, "bad_request", "request id: the header and request_id differ", "请求编号不一致")
    command_id = "api-" + hashlib.sha256(f"{key.system}\n{request_id}".encode()).hexdigest()[:40]
    fingerprint = hashlib.sha256(json.dumps([action, fields], sort_keys=True).encode()).hexdigest()
    site = request.app.state.site
    if not site.integration.same_as_before(command_id, fingerprint):
        raise Refusal(409, "request_id_reused", "this request id was used for another request",
                      "该请求编号已用于另一请求")
    reply = await site.link.admin.send(action, {**fields, "user": key.system}, key=command_id, request_id=command_id)
    return answer(reply, request_id)


def answer(reply: dict, request_id: str | None = None) -> dict:
    if not reply.get("ok"):
        error = reply.get("error") or {}
        code = error.get("code", "error")
        raise Refusal(STATUS.get(code, 502), code, error.get("message", ""), error.get("message_zh", ""))
    found = {"ok": True, "result": reply.get("result") or {}}
    if request_id is not None:
        found["request_id"] = request_id
    return found


@router.get("/health")
async def health(request: Request) -> dict:
    """No key needed: whether the API can reach the hall."""
    site = request.app.state.site
    commands = site.link.admin
    return {"listener": "api", "broker": bool(commands and commands.client.connected.is_set()),
            "controller": site.link.online, "hall": site.mirror.ready}


@router.post("/applications/{application_no}/progress", responses=WRITE_ERRORS, dependencies=JSON_ONLY)
async def set_progress(request: Request, application_no: ApplicationNo, body: ProgressBody, key: Caller,
                       idempotency: IdempotencyKey = None) -> dict:
    """A step of an application (the first creates it): the citizen's progress page shows it. The
    result carries the receipt's query code (the second factor of that page)."""
    allow(key, "progress")
    fields = {"application_no": application_no, **body.model_dump(exclude={"request_id"}, exclude_none=True)}
    return await write(request, key, "progress_set", fields, body, idempotency)


@router.post("/applications/{application_no}/link", responses=WRITE_ERRORS, dependencies=JSON_ONLY)
async def link_application(request: Request, application_no: ApplicationNo, body: LinkBody, key: Caller,
                           idempotency: IdempotencyKey = None) -> dict:
    """办件 linked to a ticket, by its id or as the one at a window: the first link creates the
    application, accepted, with its item's promised time limit and due date; the result carries the
    receipt's query code."""
    if (body.ticket_id is None) == (body.window is None):
        raise Refusal(400, "bad_request", "give ticket_id or window (one of them)", "请指定号码或窗口（二选一）")
    allow(key, "progress", body.window)
    fields = {"application_no": application_no, **body.model_dump(exclude={"request_id"}, exclude_none=True)}
    return await write(request, key, "application_link", fields, body, idempotency)


@router.post("/windows/{window}/outcome", responses=WRITE_ERRORS, dependencies=JSON_ONLY)
async def record_outcome(request: Request, window: WindowNo, body: OutcomeBody, key: Caller,
                         idempotency: IdempotencyKey = None) -> dict:
    """办结 of the ticket being served at the window, with its outcome."""
    allow(key, "outcome", window)
    fields = {"window": window, "outcome": body.outcome}
    if body.materials:
        fields["materials"] = body.materials
    if body.reasons:
        fields["reasons"] = body.reasons
    if body.application_no is not None:
        fields["application_no"] = body.application_no
    return await write(request, key, "finish", fields, body, idempotency)


@router.post("/windows/{window}/evaluation", responses=WRITE_ERRORS, dependencies=JSON_ONLY)
async def show_evaluation(request: Request, window: WindowNo, body: EvaluationBody, key: Caller,
                          idempotency: IdempotencyKey = None) -> dict:
    """评价器显示评价页面: the window's evaluator asks the citizen just served (or being served) to rate."""
    allow(key, "evaluate", window)
    fields = {"window": window}
    if body.application_no is not None:
        fields["application_no"] = body.application_no
    return await write(request, key, "invite_rating", fields, body, idempotency)


def not_yours() -> Refusal:
    return Refusal(404, "not_found", "no application with that number for this key", "未找到该办件")


async def application_of(request: Request, key: ApiKey, application_no: str) -> dict:
    """The `application` read of a 办件 this key may see: one a step of which its system made, or
    accepted or rated at one of its windows. Any other — unknown, or another system's — is the same
    404, so a key cannot tell which numbers exist elsewhere."""
    reply = await request.app.state.site.link.admin.send(
        "application", {"application_no": application_no, "user": key.system}, key=f"api-application:{application_no}")
    if not reply.get("ok") and (reply.get("error") or {}).get("code") == "not_found":
        raise not_yours()
    found = answer(reply)["result"]
    application = found["application"]
    # a step through the API is by `admin-<web's name>/<system>` (the API's login, the system as user)
    systems = {by.rpartition("/")[2] for by in (entry.get("by", "") for entry in application["history"])
               if by.startswith("admin-") and "/" in by}
    windows = {application.get("window")} | {rating["window"] for rating in found["ratings"]}
    if key.system not in systems and not windows & set(key.windows):
        raise not_yours()
    for entry in application["history"]:
        entry.pop("by", None)
    return found


@router.get("/applications/{application_no}", responses={**KEYED, **_errors(403, 404, 422)})
async def application(request: Request, application_no: ApplicationNo, key: Caller) -> dict:
    """One 办件 to reconcile with: its status, due date (epoch `due_at` and the hall's clock `due_hall`),
    `on_time` once 办结 (null before), the tickets linked and every step (without who made it)."""
    allow(key, "progress")
    return {"ok": True, "result": {"application": (await application_of(request, key, application_no))["application"]}}


@router.get("/ratings", responses={**KEYED, **_errors(400, 403, 404, 422)})
async def ratings(request: Request, key: Caller,
                  start: Annotated[Date | None, Query(alias="from", description="first day, YYYY-MM-DD "
                                                                                "(required without application_no)")] = None,
                  end: Annotated[Date | None, Query(alias="to", description="last day (default: the first)")] = None,
                  window: Annotated[int | None, Query(ge=1, le=999, description="one of the key's windows")] = None,
                  application_no: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9-]{4,40}$", description=(
                      "a 办件: the ratings of its tickets at the key's windows, one by one, instead of the "
                      "figures by day"))] = None) -> dict:
    """The ratings of the key's windows (or one of them), day by day: how many, the average, the
    bad ones (levels 1-2) and each level's count. With `application_no`: each rating of that 办件's
    tickets (level, reasons, channel, time, window, item, and the rectification once its 差评
    follow-up is closed; never the citizen's phone, name or comment)."""
    allow(key, "ratings", window)
    if application_no is not None:
        if start is not None or end is not None:
            raise Refusal(400, "bad_request", "application_no: not with from/to", "按办件查询时不指定日期")
        windows = {window} if window is not None else set(key.windows)
        found = await application_of(request, key, application_no)
        return {"ok": True, "result": {"application_no": application_no,
                                       "ratings": [r for r in found["ratings"] if r["window"] in windows]}}
    if start is None:
        raise Refusal(400, "bad_request", "from: required (or application_no)", "请指定起始日期或办件编号")
    end = end or start
    if not 0 <= (end - start).days < MAX_DAYS:
        raise Refusal(400, "bad_request", f"to: on or after from, at most {MAX_DAYS} days", f"日期范围须在{MAX_DAYS}天内")
    windows = {window} if window is not None else set(key.windows)
    days = []
    commands = request.app.state.site.link.admin
    for n in range((end - start).days + 1):
        day = (start + timedelta(days=n)).isoformat()
        figures = answer(await commands.send("stats", {"date": day, "user": key.system}, key=f"api-stats:{day}"))["result"]
        by_window = figures.get("windows") or {}  # `stats` keys its windows by number, as text
        days.append({"date": day, "windows": [rated(int(n), row) for n, row in sorted(by_window.items(), key=lambda kv: int(kv[0]))
                                              if str(n).isdigit() and int(n) in windows]})
    return {"ok": True, "result": {"days": days}}


def rated(window: int, row: dict) -> dict:
    return {"window": window, "rated": row.get("rated", 0), "avg_rating": row.get("avg_rating"),
            "bad_ratings": row.get("bad_ratings", 0), "by_level": row.get("by_level", {})}


def openapi() -> dict:
    """The API's OpenAPI schema, as the API listener serves it (web/apps.py `routes`)."""
    from .apps import routes

    return routes("api").openapi()


def openapi_text() -> str:
    return json.dumps(openapi(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m web.api --openapi [FILE]`: the schema to FILE (the checked-in copy is docs/openapi.json), or
    to stdout."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m web.api", description=main.__doc__)
    parser.add_argument("--openapi", nargs="?", const="-", metavar="FILE", required=True,
                        help=f"write the OpenAPI schema (the checked-in copy: {OPENAPI_COPY}; - for stdout)")
    where = parser.parse_args(argv).openapi
    if where == "-":
        sys.stdout.write(openapi_text())
    else:
        with open(where, "w", encoding="utf-8") as out:
            out.write(openapi_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""办理进度, the routes of the application progress query (`/progress`, public listener).

The form posts the application number and its second factor (the receipt's query code or the
applicant's phone's last four digits); they go to the controller as `query_progress` through this
process's `web-<name>` login, and the answer is shown in the response to that post only
(`Cache-Control: no-store`), so neither the number nor the factor is ever in an address or a log.

The controller counts wrong tries per application number and per sending device
(`progress_lock`), and every phone comes through this one device: so that visitors cannot spend
the whole web tier's tries together and lock it for everyone, each query names its phone —
`client`, HMAC-SHA256 of the client address under a secret this process draws at start, 16 hex
digits (`Tries.client`), never the address — and the controller counts the device's budget per
(device, client). On top of that each client address may ask only `BURST` times and then once
every `EVERY_S` seconds (a right answer costs a try too: a person needs one or two). An IPv6
address counts by its /64, the network one subscriber is given (any address in it is theirs to
pick). The complaint look-ups (web/complain.py) share both.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
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


def network_of(address: str) -> str:
    """Who a client address is, for the allowance and the `client` hash: an IPv6 address its /64,
    an IPv4 one (also written IPv4-mapped) itself, anything else (a test client's name) as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def address_of(request: Request) -> str:
    """The client's address (behind the proxy its X-Forwarded-For, from `web.trusted_proxies` only)."""
    return request.client.host if request.client else "unknown"


class Tries:
    """The per-address allowance of second-factor look-ups from this process, and the `client`
    each one names to the controller."""

    def __init__(self, clock=time.monotonic, secret: bytes | None = None):
        self.clock, self.limiter = clock, Limiter(1 / EVERY_S, BURST)
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def take(self, address: str) -> float:
        return self.limiter.take(network_of(address), self.clock())

    def client(self, address: str) -> str:
        """The `client` field of a look-up from this address: 16 hex digits of a keyed hash, the same
        for one address while this process runs, not to be turned back into the address."""
        key = network_of(address).encode("utf-8", "replace")
        return hmac.new(self._secret, b"second-factor|" + key, hashlib.sha256).hexdigest()[:16]


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
    address = address_of(request)
    wait = site.progress_tries.take(address)
    if wait:
        page = progress_page(site.mirror, lang, number=number, error=w.say(w.PROGRESS_SLOW_DOWN, lang))
        return show(request, page, 429, {"Retry-After": str(retry_after(wait))})
    reply = await site.link.public.send("query_progress", {**fields, "client": site.progress_tries.client(address)})
    application = (reply.get("result") or {}).get("application") if reply.get("ok") else None
    if isinstance(application, dict):
        return show(request, progress_page(site.mirror, lang, application=application))
    error = reply.get("error") or {}
    code = error.get("code")
    text = error.get("message_zh" if lang == "zh" else "message") if code in SAID else None
    status = {"not_found": 404, "locked": 429, "bad_request": 400}.get(code, 503)
    return show(request, progress_page(site.mirror, lang, number=number,
                                       error=text or w.say(w.PROGRESS_NOT_SENT, lang)), status)

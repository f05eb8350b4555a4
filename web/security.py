"""What every listener does to every request before a route sees it, and to every response.

One ASGI middleware (`Guard`, pure ASGI: it does not buffer the live pages' streams) in front of
each listener's app, so no route can forget it:

- **Rate limits** per client address (web/ratelimit.py): every request takes a token of
  `requests`, a form post one of `forms` too; refused with 429, Retry-After and a message in both
  languages. Behind the reverse proxy the address is the proxy's X-Forwarded-For, believed only
  from `web.trusted_proxies` (uvicorn's proxy headers).
- **Request size**: a body above `web.max_body_bytes` (Content-Length, or counted as it comes)
  is refused with 413 before it is read.
- **CSRF** (signed double submit): each browser gets a random cookie; every form carries
  HMAC(process secret, cookie) in its `csrf` field (or an X-CSRF-Token header) and a post
  without it, or with another browser's, is refused with 403; a cross-site Origin is refused too.
  Not on the API listener, which takes no cookies (its callers use API keys).
- **Headers** on every response: a strict Content-Security-Policy (no inline script or style,
  nothing from elsewhere, no framing), nosniff, no Referer to other sites (a ticket's URL is its token), a
  closed Permissions-Policy, HSTS behind https; cookies HttpOnly, SameSite=Lax, Secure behind
  https.

And the access log says no personal data: `AccessLogFilter` takes query strings off, the secret
path segments (a ticket's token) and any long run of digits (a phone, an ID number) out, and the
last part of the client's address.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from contract.bilingual import Bi

from .ratelimit import Limiter, retry_after

log = logging.getLogger(__name__)

CSRF_COOKIE = "qms_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FORM_TYPES = ("application/x-www-form-urlencoded",)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"

REFUSALS = {
    403: Bi("页面已过期或来源不明，请返回刷新后重试", "This page has expired or came from elsewhere: go back, reload and try again"),
    413: Bi("提交的内容过大", "What was sent is too large"),
    415: Bi("不支持的提交格式", "This kind of form is not accepted"),
    429: Bi("请求过于频繁，请稍后再试", "Too many requests: please wait a moment and try again"),
}
REFUSAL_CODES = {403: "forbidden", 413: "too_large", 415: "unsupported", 429: "rate_limited"}


@dataclass(frozen=True)
class Policy:
    """The security of one listener."""

    name: str  # public / console / api
    secure: bool  # served to browsers over https (through the proxy): Secure cookies, HSTS
    csrf: bool  # forms with cookies: CSRF tokens and the Origin check
    max_body_bytes: int
    requests: Limiter
    forms: Limiter
    json_errors: bool = False  # refusals as JSON (the API) rather than a page
    csp: str = CSP
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def token(self, cookie: str) -> str:
        """The form token of a browser's CSRF cookie."""
        return hmac.new(self.secret, cookie.encode("ascii", "replace"), hashlib.sha256).hexdigest()[:40]

    def cookie(self, name: str, value: str, *, max_age: int | None = None) -> str:
        """A Set-Cookie value with this listener's flags."""
        parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)

    def headers(self) -> list[tuple[bytes, bytes]]:
        found = [(b"content-security-policy", self.csp.encode()), (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                 (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
                 (b"cross-origin-opener-policy", b"same-origin"),
                 (b"cross-origin-resource-policy", b"same-origin")]
        if self.secure:
            found.append((b"strict-transport-security", b"max-age=31536000"))
        return found


def cookies_of(scope) -> dict[str, str]:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a broken cookie header is a browser's problem, not a crash
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class Guard:
    """The middleware of one listener (see the module's docstring)."""

    def __init__(self, app, policy: Policy, *, clock: Callable[[], float] = time.monotonic,
                 page: Callable[[int, Bi], str] | None = None):
        self.app, self.policy, self.clock = app, policy, clock
        self.page = page or (lambda status, text: f"<!doctype html><p>{text.zh}</p><p>{text.en}</p>")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        policy = self.policy
        method = scope["method"]
        client = (scope.get("client") or ("unknown", 0))[0]
        now = self.clock()
        wait = policy.requests.take(client, now)
        if not wait and method not in SAFE_METHODS:
            wait = policy.forms.take(client, now)
        if wait:
            log.info("rate limit: %s %s refused for %s", method, scope["path"], mask_address(client))
            return await self.refuse(send, 429, [(b"retry-after", str(retry_after(wait)).encode())])

        length = header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > policy.max_body_bytes):
            return await self.refuse(send, 413)

        cookies = cookies_of(scope) if policy.csrf else {}
        csrf_cookie = cookies.get(CSRF_COOKIE, "")
        new_cookie = None
        if policy.csrf and not _TOKEN.match(csrf_cookie):
            csrf_cookie = new_cookie = secrets.token_urlsafe(32)
        state = scope.setdefault("state", {})
        state["csrf"] = policy.token(csrf_cookie) if policy.csrf else ""
        state["secure"] = policy.secure

        if method not in SAFE_METHODS:
            body = await self.read_body(receive)
            if body is None:
                return await self.refuse(send, 413)
            if policy.csrf:
                status = self.check_csrf(scope, body, csrf_cookie if new_cookie is None else None)
                if status:
                    return await self.refuse(send, status)
            receive = replay(body, receive)
        else:
            receive = self.limited(receive)

        extra = policy.headers()
        if new_cookie is not None:
            extra.append((b"set-cookie", policy.cookie(CSRF_COOKIE, new_cookie).encode()))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()),
                                      *((k, v) for k, v in extra if k not in present or k == b"set-cookie")]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def check_csrf(self, scope, body: bytes, cookie: str | None) -> int:
        """0 when the post carries this browser's token and no foreign Origin, else the refusal's status."""
        origin = header(scope, b"origin")
        host = header(scope, b"host")
        if origin is not None and (origin == "null" or urlsplit(origin).netloc != host):
            log.info("csrf: %s from origin %s refused (host %s)", scope["path"], origin, host)
            return 403
        if cookie is None:  # no cookie of ours: this browser never got a form from us
            log.info("csrf: %s without a cookie refused", scope["path"])
            return 403
        sent = header(scope, CSRF_HEADER)
        if sent is None:
            kind = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
            if kind not in FORM_TYPES:
                return 415
            values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=100).get(CSRF_FIELD) or [""]
            sent = values[0]
        if not hmac.compare_digest(sent.encode("utf-8", "replace"), self.policy.token(cookie).encode()):
            log.info("csrf: %s with a wrong or missing token refused", scope["path"])
            return 403
        return 0

    async def read_body(self, receive) -> bytes | None:
        """The whole body, or None past the limit."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.policy.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    def limited(self, receive):
        """A body on a safe method is counted too (and the app is told the request ended)."""
        budget = [self.policy.max_body_bytes]

        async def wrapped():
            message = await receive()
            if message["type"] == "http.request":
                budget[0] -= len(message.get("body", b""))
                if budget[0] < 0:
                    return {"type": "http.disconnect"}
            return message
        return wrapped

    async def refuse(self, send, status: int, headers: list[tuple[bytes, bytes]] = ()) -> None:
        text = REFUSALS[status]
        if self.policy.json_errors:
            body = json.dumps({"error": {"code": REFUSAL_CODES[status], "message": text.en, "message_zh": text.zh}},
                              ensure_ascii=False).encode()
            kind = b"application/json"
        else:
            body = self.page(status, text).encode("utf-8")
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store"), *headers, *self.policy.headers()]})
        await send({"type": "http.response.body", "body": body})


def replay(body: bytes, receive):
    """The body read once, handed to the app as if it came now; then the connection's own messages."""
    sent = [False]

    async def wrapped():
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return wrapped


# --- the access log ---------------------------------------------------------------------------------

# Path segments that follow these are secrets or personal (a ticket's page is its rating token):
# a page that puts one in its path adds its first segment here.
SECRET_AFTER = {"t"}
_DIGITS = re.compile(r"\d{6,}")


def redact_path(path: str) -> str:
    """/t/Ab12Cd34?x=1 → /t/…; /x/13800138000 → /x/138…; queries never."""
    path = path.split("?", 1)[0]
    parts = path.split("/")
    for i in range(1, len(parts)):
        if parts[i - 1] in SECRET_AFTER and parts[i]:
            parts[i] = "…"
        else:
            parts[i] = _DIGITS.sub(lambda m: m.group()[:3] + "…", parts[i])
    return "/".join(parts)


def mask_address(address: str) -> str:
    """203.0.113.7 → 203.0.113.x; an IPv6 address keeps its first three groups."""
    if address.count(".") == 3:
        return address.rsplit(".", 1)[0] + ".x"
    if ":" in address:
        return ":".join(address.split(":")[:3]) + ":…"
    return address


class AccessLogFilter(logging.Filter):
    """uvicorn's access lines (`%s - "%s %s HTTP/%s" %d`) with the path and the address redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            address, method, path, version, status = args
            host = str(address).rpartition(":")[0] or str(address)  # uvicorn writes host:port
            record.args = (mask_address(host), method, redact_path(str(path)), version, status)
        return True

"""What every listener of `main.py web` does to every request, over real HTTP against the real
process (the real broker and controller behind it): headers, CSRF, rate limits, sizes, which
listener serves which route, and what its access log says."""
from __future__ import annotations

import re
from datetime import date, timedelta
import urllib.parse

import pytest

from testbed.web import get
from tests.support.web import inline_code
from web import api, console, public

pytest_plugins = ("tests.support.web_fixtures",)
# Buckets that barely refill while a test runs: what a test sees does not depend on its speed.
WEB_CONFIG = {"rate_limits": {"requests": {"per_s": 0.2, "burst": 120}, "forms": {"per_s": 0.05, "burst": 20}}}

PAGES = ["/hall", "/guides", "/guides?q=BDC", "/guides?category=fund", "/guides/C03", "/guides/C03/notice",
         "/ratings", "/ratings?date=2026-01-05", "/book", "/book/C01", "/book/cancel", "/complain",
         "/complain/TS-2026-11-23-001", "/no/such/page"]
MISSING = {"/no/such/page", "/console/nothing"}
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def test_every_page_of_every_listener_has_the_strict_csp_and_no_inline_code(web_hall):
    pages = [(path, "public") for path in PAGES] + [("/console/login", "console"), ("/console/nothing", "console")]
    for path, listener in pages:
        status, headers, body = get(web_hall.url(path, listener))
        assert status == (404 if path in MISSING else 200), path
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "default-src 'none'" in csp, path
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY" and "server" not in headers
        assert inline_code(body) == [], path
    status, headers, _ = get(web_hall.url("/api/v1/health", "api"))
    assert status == 200 and headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_cookies_are_httponly_and_samesite_and_not_secure_over_plain_http(web_hall):
    _, headers, _ = get(web_hall.url("/hall"))
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("qms_csrf=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test hall's public_url is http; https makes it Secure (below)


def visitor(web_hall, path="/guides", address="198.51.100.20"):
    """A browser's first visit: its CSRF cookie and the token of the page's forms."""
    _, headers, body = get(web_hall.url(path), {"X-Forwarded-For": address})
    cookie = headers["Set-Cookie"].split(";")[0]
    return cookie, CSRF_FIELD.search(body).group(1)


def post(web_hall, fields: dict, cookie: str | None, address: str, **headers):
    data = urllib.parse.urlencode(fields).encode()
    sent = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address, **headers}
    if cookie:
        sent["Cookie"] = cookie
    return get(web_hall.url("/prefs"), sent, data, "POST")


def test_a_form_without_its_csrf_token_is_refused_and_with_it_accepted(web_hall):
    address = "198.51.100.21"
    cookie, token = visitor(web_hall, address=address)
    for fields, with_cookie, extra in (
            ({"lang": "en", "next": "/guides"}, True, {}),  # no token
            ({"lang": "en", "next": "/guides", "csrf": "0" * 40}, True, {}),  # a wrong one
            ({"lang": "en", "next": "/guides", "csrf": token}, False, {}),  # another browser (no cookie)
            ({"lang": "en", "next": "/guides", "csrf": token}, True, {"Origin": "https://evil.example"})):
        status, headers, body = post(web_hall, fields, cookie if with_cookie else None, address, **extra)
        assert status == 403, fields
        assert "页面已过期" in body and "This page has expired" in body
        assert "Set-Cookie" not in headers or "qms_lang" not in headers["Set-Cookie"]
    status, headers, _ = post(web_hall, {"lang": "en", "next": "/guides", "csrf": token}, cookie, address,
                              Origin=web_hall.url("").rstrip("/"))
    assert status == 303 and headers["Location"] == "/guides"
    assert "qms_lang=en" in headers["Set-Cookie"]
    status, _, body = get(web_hall.url("/guides"), {"Cookie": f"{cookie}; qms_lang=en", "X-Forwarded-For": address})
    assert status == 200 and '<html lang="en"' in body and "Service guides" in body


def test_a_switch_sends_nobody_to_another_site(web_hall):
    address = "198.51.100.22"
    cookie, token = visitor(web_hall, address=address)
    status, headers, _ = post(web_hall, {"size": "large", "next": "//evil.example/x", "csrf": token}, cookie, address)
    assert status == 303 and headers["Location"] == "/" and "qms_size=large" in headers["Set-Cookie"]


def test_too_many_requests_from_one_address_get_429_in_both_languages(web_hall):
    flood, other = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "203.0.113.10"}
    statuses = [get(web_hall.url("/guides/C03"), flood)[0] for _ in range(125)]  # burst 120
    assert statuses[:120] == [200] * 120 and statuses[-1] == 429
    status, headers, body = get(web_hall.url("/guides/C03"), flood)
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert "请求过于频繁" in body and "Too many requests" in body
    assert get(web_hall.url("/guides/C03"), other)[0] == 200  # one address's flood is its own


def test_form_posts_have_their_own_smaller_bucket(web_hall):
    address = "203.0.113.11"
    cookie, token = visitor(web_hall, address=address)
    statuses = [post(web_hall, {"lang": "zh", "csrf": token}, cookie, address)[0] for _ in range(25)]
    assert statuses[:19] == [303] * 19 and statuses[-1] == 429  # burst 20 (the page visited took one request)
    assert get(web_hall.url("/hall"), {"X-Forwarded-For": address})[0] == 200  # pages still open


def test_a_body_above_the_limit_is_refused_unread(web_hall):
    address = "203.0.113.12"
    cookie, token = visitor(web_hall, address=address)
    status, _, body = post(web_hall, {"lang": "zh", "csrf": token, "pad": "x" * 20_000}, cookie, address)
    assert status == 413 and "提交的内容过大" in body


def paths(router, listener, token: str = "") -> list[tuple[str, str]]:
    """(method, path) of every route of a listener's router, its parameters filled in (a ticket's
    token with a real one: any other is 404)."""
    found = []
    for route in router.routes:
        filled = {"token": token, "day": (date.today() + timedelta(days=2)).isoformat(), "start": "0",  # 预约: a day ahead
                  "ref": "TS-2026-11-23-001",  # a complaint's reference (its look-up's form)
                  "category": "social"}  # 线上取号: a category (off in this hall: it says so)
        path = re.sub(r"\{([^}]+)\}", lambda m: filled.get(m.group(1), "C03"), route.path)
        found += [(method, path) for method in sorted(route.methods) if method != "HEAD"]
    assert found, listener
    return found


def test_no_route_of_one_listener_is_reachable_on_another(web_hall):
    token = web_hall.take_ticket("fund")["rating_token"]
    routes = {"public": paths(public.router, "public", token), "console": paths(console.router, "console"),
              "api": paths(api.router, "api")}
    assert get(web_hall.url("/api/v1/openapi.json", "api"))[0] == 200
    routes["api"].append(("GET", "/api/v1/openapi.json"))
    addresses = (f"198.18.{n // 250}.{n % 250 + 1}" for n in range(60_000))  # each try its own: no rate limit between
    for owner, found in routes.items():
        for method, path in found:
            status, _, _ = get(web_hall.url(path, owner), {"X-Forwarded-For": next(addresses)}, method=method,
                               data=b"" if method == "POST" else None, body=False)
            assert status != 404, (owner, method, path)  # it is there on its own listener
            for other in routes:
                if other == owner:
                    continue
                status, _, _ = get(web_hall.url(path, other), {"X-Forwarded-For": next(addresses)}, method=method,
                                   data=b"" if method == "POST" else None)
                # a post meets the other listener's CSRF check first (403); nothing else is there
                assert status == 404 or (method == "POST" and other != "api" and status == 403), \
                    (owner, method, path, other, status)
    assert get(web_hall.url("/static/web.css", "api"))[0] == 404  # the API serves no pages' files


def test_each_listener_reports_its_health(web_hall):
    for listener in ("public", "console", "api"):
        health = web_hall.web.health(listener)
        assert health["listener"] == listener and health["controller"] and health["hall"] and health["broker"]


def test_the_access_log_carries_no_token_no_query_and_no_full_address(web_hall):
    get(web_hall.url("/guides?q=13800138000"), {"X-Forwarded-For": "192.0.2.77"})
    get(web_hall.url("/t/Zk3mQ8rT2vB7nW4xYy"), {"X-Forwarded-For": "192.0.2.77"})
    log = web_hall.web.log()
    assert re.search(r'192\.0\.2\.x - "GET /guides HTTP/1\.1" 200', log)
    assert re.search(r'192\.0\.2\.x - "GET /t/… HTTP/1\.1" 404', log)
    assert "13800138000" not in log and "Zk3mQ8rT2vB7nW4xYy" not in log and "192.0.2.77" not in log


# --- a ticket's page (/t/<rating_token>) ---------------------------------------------------------

def served_ticket(web_hall, category: str = "estate") -> dict:
    ticket = web_hall.take_ticket(category)
    window = 5  # estate
    if not any(f"window-{window}" == name for name in web_hall.devices):
        web_hall.staff(window)
    web_hall.ask(f"window-{window}", "call_specific", {"number": ticket["number"]})
    web_hall.ask(f"window-{window}", "finish")
    return ticket


def rate_post(web_hall, token: str, fields: dict, cookie: str | None, address: str, **headers):
    data = urllib.parse.urlencode(fields, doseq=True).encode()
    sent = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address, **headers}
    if cookie:
        sent["Cookie"] = cookie
    return get(web_hall.url(f"/t/{token}/rate"), sent, data, "POST")


def test_the_ticket_page_has_the_strict_csp_and_no_inline_code(web_hall):
    token = served_ticket(web_hall)["rating_token"]
    status, headers, body = get(web_hall.url(f"/t/{token}"))
    assert status == 200 and 'form class="card rating"' in body
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert headers["Referrer-Policy"] == "same-origin" and inline_code(body) == []
    waiting = web_hall.take_ticket("estate")["rating_token"]
    status, headers, body = get(web_hall.url(f"/t/{waiting}"))
    assert status == 200 and "sse-connect" in body and inline_code(body) == []


def test_a_rating_without_its_csrf_token_is_refused_and_nothing_is_rated(web_hall):
    address = "198.51.100.31"
    ticket = served_ticket(web_hall)
    cookie, csrf = visitor(web_hall, f"/t/{ticket['rating_token']}", address)
    for fields, with_cookie, extra in (({"level": "5"}, True, {}), ({"level": "5", "csrf": "0" * 40}, True, {}),
                                       ({"level": "5", "csrf": csrf}, False, {}),
                                       ({"level": "5", "csrf": csrf}, True, {"Origin": "https://evil.example"})):
        status, _, body = rate_post(web_hall, ticket["rating_token"], fields, cookie if with_cookie else None,
                                    address, **extra)
        assert status == 403 and "页面已过期" in body, fields
    assert web_hall.ask("web-T9", "ticket_by_token", {"rating_token": ticket["rating_token"]})["ticket"]["level"] is None
    status, headers, _ = rate_post(web_hall, ticket["rating_token"], {"level": "4", "csrf": csrf}, cookie, address)
    assert status == 303 and headers["Location"] == f"/t/{ticket['rating_token']}"
    assert web_hall.ask("web-T9", "ticket_by_token", {"rating_token": ticket["rating_token"]})["ticket"]["level"] == 4
    status, _, body = get(web_hall.url(f"/t/{ticket['rating_token']}"), {"Cookie": cookie, "X-Forwarded-For": address})
    assert status == 200 and "感谢您的评价" in body and 'class="card rating"' not in body  # all without a script


def test_rating_posts_from_one_address_hit_the_form_limit(web_hall):
    address = "203.0.113.31"
    ticket = served_ticket(web_hall)
    cookie, csrf = visitor(web_hall, f"/t/{ticket['rating_token']}", address)
    statuses = [rate_post(web_hall, ticket["rating_token"], {"level": "1", "csrf": csrf}, cookie, address)[0]
                for _ in range(22)]  # no reason: refused on the page each time (400), until the bucket is empty
    assert statuses[:19] == [400] * 19 and statuses[-1] == 429
    status, headers, body = rate_post(web_hall, ticket["rating_token"], {"level": "5", "csrf": csrf}, cookie, address)
    assert status == 429 and int(headers["Retry-After"]) >= 1 and "Too many requests" in body


def test_a_token_says_nothing_of_another_tickets_token(web_hall):
    """Tokens are an HMAC with the store's secret: consecutive tickets' tokens share nothing, none is
    the ticket's id or number in any plain encoding, and a token one letter off is a plain 404 like
    any other — no hint that it is nearly right."""
    import base64
    import hashlib

    tickets = [web_hall.take_ticket("fund") for _ in range(12)]
    tokens = [t["rating_token"] for t in tickets]
    assert len(set(tokens)) == len(tokens) and all(re.fullmatch(r"[A-Z2-7]{16}", t) for t in tokens)
    for a, b in zip(tokens, tokens[1:]):
        assert sum(x == y for x, y in zip(a, b)) <= 5  # 16 base32 letters: ~0.5 the same by chance
    for ticket in tickets:
        plain = {base64.b32encode(hashlib.sha256(ticket[key].encode()).digest()[:10]).decode()
                 for key in ("id", "number")} | {base64.b32encode(ticket["id"].encode()).decode()[:16]}
        assert ticket["rating_token"] not in plain and ticket["number"] not in ticket["rating_token"]
    missing = get(web_hall.url("/t/" + "A" * 16))
    for token in tokens[:3]:
        near = ("A" if token[0] != "A" else "B") + token[1:]  # the first letter changed: never the token itself
        status, _, body = get(web_hall.url(f"/t/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}"))
        assert (status, body) == (missing[0], missing[2]) == (404, missing[2]), near
        assert get(web_hall.url(f"/t/{near}"))[:3:2] == (404, missing[2])

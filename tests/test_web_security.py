"""What every listener of `main.py web` does to every request, over real HTTP against the real
process (the real broker and controller behind it): headers, CSRF, rate limits, sizes, which
listener serves which route, and what its access log says."""
from __future__ import annotations

import re
import urllib.parse
from html.parser import HTMLParser

import pytest

from testbed.web import get
from web import api, console, public

pytest_plugins = ("tests.support.web_fixtures",)
# Buckets that barely refill while a test runs: what a test sees does not depend on its speed.
WEB_CONFIG = {"rate_limits": {"requests": {"per_s": 0.2, "burst": 120}, "forms": {"per_s": 0.05, "burst": 20}}}

PAGES = ["/hall", "/guides", "/guides?q=BDC", "/guides?category=fund", "/guides/C03", "/guides/C03/notice",
         "/no/such/page"]
MISSING = {"/no/such/page", "/console/nothing"}
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')


class Inline(HTMLParser):
    """Script or style written into the page itself, which the CSP forbids."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]


def inline_code(html: str) -> list[str]:
    parser = Inline()
    parser.feed(html)
    return parser.found


def test_every_page_of_every_listener_has_the_strict_csp_and_no_inline_code(web_hall):
    pages = [(path, "public") for path in PAGES] + [("/console/", "console"), ("/console/nothing", "console")]
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


def paths(router, listener) -> list[tuple[str, str]]:
    """(method, path) of every route of a listener's router, its parameters filled in."""
    found = []
    for route in router.routes:
        path = re.sub(r"\{[^}]+\}", "C03", route.path)
        found += [(method, path) for method in sorted(route.methods) if method != "HEAD"]
    assert found, listener
    return found


def test_no_route_of_one_listener_is_reachable_on_another(web_hall):
    routes = {"public": paths(public.router, "public"), "console": paths(console.router, "console"),
              "api": paths(api.router, "api")}
    assert get(web_hall.url("/api/v1/openapi.json", "api"))[0] == 200
    routes["api"].append(("GET", "/api/v1/openapi.json"))
    for owner, found in routes.items():
        for method, path in found:
            status, _, _ = get(web_hall.url(path, owner), method=method, data=b"" if method == "POST" else None,
                               body=False)
            assert status != 404, (owner, method, path)  # it is there on its own listener
            for other in routes:
                if other == owner:
                    continue
                status, _, _ = get(web_hall.url(path, other), method=method, data=b"" if method == "POST" else None)
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

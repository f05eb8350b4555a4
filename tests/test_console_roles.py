"""The console's people over real HTTP against the real `main.py web` (real broker and controller
behind it): accounts made with `main.py web add-user`, every route tried by every role and by
nobody, CSRF on every form, throttled logins, sessions that end, and the audit of it all."""
from __future__ import annotations

import os
import re
import stat

import pytest

from tests.support.console import PASSWORD, ROLE_USERS, ConsoleUser
from web import console
from web.accounts import RIGHTS

pytest_plugins = ("tests.support.web_fixtures",)


@pytest.fixture(scope="module")
def people(web_hall):
    for role, name in ROLE_USERS.items():
        web_hall.web.add_user(name, role, PASSWORD, *(("--windows", "3,4") if role == "window_lead" else ()))
    return web_hall


def routes() -> list[tuple[str, str]]:
    found = []
    for route in console.router.routes:
        found += [(method, route.path) for method in sorted(route.methods) if method != "HEAD"]
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "987654", path)


def test_every_route_names_its_right_or_is_one_of_the_open_few():
    for key in routes():
        assert key in console.RIGHT_OF or key in console.OPEN_ROUTES, key
    assert set(console.RIGHT_OF.values()) <= set(RIGHTS)


def test_the_accounts_file_is_its_owners_only_and_add_user_refuses_bad_accounts(people):
    mode = stat.S_IMODE(os.stat(people.web.accounts).st_mode)
    assert mode == 0o600
    assert "argon2id" in people.web.accounts.read_text()
    assert PASSWORD not in people.web.accounts.read_text()
    with pytest.raises(ValueError, match="password"):
        people.web.add_user("zhou.xin", "director", "short")
    with pytest.raises(ValueError, match="exists"):
        people.web.add_user("li.ming", "director", PASSWORD)
    with pytest.raises(ValueError, match="name"):
        people.web.add_user("Robert'); DROP", "director", PASSWORD)


def test_every_role_gets_exactly_its_rights_on_every_route(people):
    for n, (role, name) in enumerate(ROLE_USERS.items()):
        user = ConsoleUser(people, address=f"198.51.100.{40 + n}")
        status, headers, _ = user.login(name)
        assert status == 303 and headers["Location"] == "/console/hall", (role, status)
        for (method, path), right in console.RIGHT_OF.items():
            allowed = role in RIGHTS[right]
            if method == "GET":
                status, _, body = user.get(concrete(path), body=not path.endswith("/events"))
            else:
                user.get("/console/hall")
                status, _, body = user.post(concrete(path), {"note": "已处理"})
            if allowed:
                assert status in (200, 303, 400), (role, method, path, status)  # 400: no alert 987654
            else:
                assert status == 403, (role, method, path, status)
                assert "您的角色无权进行此操作" in body or "Your role may not do this" in body


def test_a_social_supervisor_is_refused_every_change(people):
    user = ConsoleUser(people, address="198.51.100.50")
    user.login(ROLE_USERS["social_supervisor"])
    changes = [key for key, right in console.RIGHT_OF.items() if key[0] == "POST"]
    assert changes
    for method, path in changes:
        user.get("/console/hall")
        status, _, _ = user.post(concrete(path), {"note": "想改"})
        assert status == 403, path
    assert all(not RIGHTS[right] & {"social_supervisor"} for key, right in console.RIGHT_OF.items()
               if key[0] == "POST")


def test_nobody_logged_in_is_sent_to_the_login_page_and_refused_every_post(people):
    user = ConsoleUser(people, address="198.51.100.51")
    for method, path in console.RIGHT_OF:
        if method == "GET":
            status, headers, _ = user.get(concrete(path), body=False)
            assert status == 303 and headers["Location"].startswith("/console/login?next="), path
        else:
            user.get("/console/login")
            assert user.post(concrete(path), {"note": "x"})[0] == 403, path


def test_every_form_needs_its_csrf_token(people):
    user = ConsoleUser(people, address="198.51.100.52")
    user.get("/console/login")
    status, _, _ = user.post("/console/login", {"name": "li.ming", "password": PASSWORD}, csrf=False)
    assert status == 403 and "qms_console" not in user.cookies
    assert user.login("li.ming")[0] == 303
    for path in ("/console/alerts/1/ack", "/console/logout", "/console/prefs"):
        assert user.post(path, {"note": "x", "lang": "en"}, csrf=False)[0] == 403, path
    assert user.get("/console/hall")[0] == 200  # the refused logout did not log out


def test_the_session_cookie_is_httponly_strict_and_ends_at_logout(people):
    user = ConsoleUser(people, address="198.51.100.53")
    _, headers, _ = user.login("zhao.min")
    cookie = [c for c in headers.get_all("Set-Cookie") if c.startswith("qms_console=")][0]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "Max-Age=36000" in cookie and "Secure" not in cookie  # plain http in the test; https adds Secure
    token = user.cookies["qms_console"]
    assert user.get("/console/hall")[0] == 200
    assert user.post("/console/logout", {})[0] == 303
    user.cookies["qms_console"] = token  # the old cookie kept back: it opens nothing any more
    assert user.get("/console/hall", body=False)[0] == 303


def test_wrong_passwords_lock_the_name_even_for_the_right_one(people):
    people.web.add_user("wu.gang", "supervisor", PASSWORD)
    for n in range(5):
        user = ConsoleUser(people, address=f"203.0.113.{n + 1}")  # five addresses: the name is what is locked
        status, _, body = user.login("wu.gang", "wrong-password-1")
        assert status == 401 and "用户名或密码错误" in body
    status, _, body = ConsoleUser(people, address="203.0.113.9").login("wu.gang")
    assert status == 429 and "尝试次数过多" in body
    assert ConsoleUser(people, address="203.0.113.10").login("zhao.min")[0] == 303  # others are not locked


def test_the_audit_lists_logins_failures_refusals_and_changes_for_the_director_only(people):
    social = ConsoleUser(people, address="198.51.100.54")
    social.login("qian.jun")
    social.get("/console/hall")
    social.post("/console/alerts/987654/ack", {"note": "x"})
    ConsoleUser(people, address="198.51.100.55").login("li.ming", "not-his-password")
    director = ConsoleUser(people, address="198.51.100.56")
    director.login("li.ming")
    assert social.get("/console/audit")[0] == 403
    status, _, body = director.get("/console/audit")
    assert status == 200
    for words in ("登录失败", "被拒绝", "qian.jun", "li.ming", "alert_ack"):
        assert words in body, words
    assert "198.51.100.x" in body and "198.51.100.54" not in body
    assert "not-his-password" not in people.web.accounts.with_name("console-accounts.audit.jsonl").read_text()


def test_hostile_form_values_are_refused_in_words_and_change_nothing(people):
    nobody = ConsoleUser(people, address="198.51.100.60")
    nobody.get("/console/login")
    status, _, body = nobody.post("/console/login", {"name": "li.ming", "password": "x" * 5000})
    assert status in (400, 401) and "qms_console" not in nobody.cookies
    status, _, _ = nobody.post("/console/login", {"name": "é" * 300, "password": PASSWORD})
    assert status in (400, 401) and "qms_console" not in nobody.cookies
    status, headers, _ = nobody.post("/console/login", {"name": "LI.MING ", "password": PASSWORD,
                                                       "next": "//evil.example/console/x"})
    assert status == 303 and headers["Location"] == "/console/hall"  # never elsewhere
    user = ConsoleUser(people, address="198.51.100.61")
    user.login("zhao.min")
    user.get("/console/alerts")
    for path, note, expected in (("/console/alerts/1/ack", "", "请填写处理说明"),
                                 ("/console/alerts/1/ack", "长" * 501, "请填写处理说明"),
                                 ("/console/alerts/987654/ack", "ok", "没有编号为987654的告警")):
        status, _, body = user.post(path, {"note": note})
        assert status == 400 and expected in body, (path, len(note))
    for path in ("/console/alerts/0/ack", f"/console/alerts/{2**60}/ack", "/console/alerts/abc/ack"):
        assert user.post(path, {"note": "ok"})[0] in (400, 404), path
    assert "qms_console" in user.cookies and user.get("/console/hall")[0] == 200


def test_a_reset_password_ends_the_accounts_sessions(people):
    people.web.add_user("zheng.yi", "window_lead", PASSWORD, "--windows", "3,4")
    user = ConsoleUser(people, address="198.51.100.62")
    assert user.login("zheng.yi")[0] == 303 and user.get("/console/hall")[0] == 200
    people.web.add_user("zheng.yi", "window_lead", "a-new-password-9", "--reset")
    assert user.get("/console/hall", body=False)[0] == 303  # to the login page
    assert ConsoleUser(people, address="198.51.100.63").login("zheng.yi")[0] == 401
    assert ConsoleUser(people, address="198.51.100.64").login("zheng.yi", "a-new-password-9")[0] == 303

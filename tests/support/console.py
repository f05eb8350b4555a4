"""A console user over plain HTTP (no browser): the login form as a browser posts it, cookies kept,
every form with its CSRF token. For the tests of every route and role; the browser tests use chromium."""
from __future__ import annotations

import re
import urllib.parse
from http.cookies import SimpleCookie

from contract.hall import HallMirror
from contract.topics import Topics
from testbed.web import get
from tests.support.kiosk_fakes import demo_config_payload, queues_payload, window_payload

CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')
PASSWORD = "hall-console-2026"
ROLE_USERS = {"director": "li.ming", "supervisor": "zhao.min", "window_lead": "sun.li",
              "social_supervisor": "qian.jun"}
OFFICE = (1366, 768)  # the browser tests' desk screen
CJK = re.compile(r"[\u3400-\u9fff]")


def log_in(browser, hall, name: str, password: str = PASSWORD, wait: bool = True) -> None:
    """The login form filled in and sent in a real browser; `wait`: until the console has let it in."""
    from selenium.webdriver.common.by import By

    browser.open(hall.url("/console/login", "console"))
    browser.driver.find_element(By.ID, "name").send_keys(name)
    browser.driver.find_element(By.ID, "password").send_keys(password)
    browser.driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    if wait:
        browser.wait_for(lambda: "/console/login" not in browser.driver.current_url, what="logged in")


def poor_rating(hall, contact: str | None) -> dict:
    """A ticket served at window 3 and rated 1 on the citizen's phone, with or without a phone to call back."""
    if 3 not in getattr(hall, "staffed", set()):
        try:
            hall.staff(3)
        except AssertionError:
            pass  # staffed by an earlier test of the module
        hall.staffed = {3}
    ticket = hall.take_ticket("social")
    hall.ask("window-3", "call_specific", {"number": ticket["number"]})
    hall.ask("window-3", "finish")
    fields = {"rating_token": ticket["rating_token"], "level": 1, "reasons": ["slow"]}
    rating = hall.ask("web-T9", "rate", {**fields, **({"contact": contact} if contact else {})})["rating"]
    return {**ticket, "followup_id": rating["followup_id"]}


class ConsoleUser:
    def __init__(self, web_hall, address: str = "198.51.100.30"):
        self.hall, self.address = web_hall, address
        self.cookies: dict[str, str] = {}
        self.token = ""

    def url(self, path: str) -> str:
        return self.hall.url(path, "console")

    def _keep(self, headers) -> None:
        for value in headers.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def _headers(self, extra: dict | None = None) -> dict:
        sent = {"X-Forwarded-For": self.address, **(extra or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return sent

    def get(self, path: str, body: bool = True):
        status, headers, text = get(self.url(path), self._headers(), body=body)
        self._keep(headers)
        found = CSRF_FIELD.search(text)
        if found:
            self.token = found.group(1)
        return status, headers, text

    def post(self, path: str, fields: dict, *, csrf: bool = True):
        data = dict(fields)
        if csrf:
            data["csrf"] = self.token
        status, headers, text = get(self.url(path), self._headers(
            {"Content-Type": "application/x-www-form-urlencoded"}), data=urllib.parse.urlencode(data).encode(),
            method="POST")
        self._keep(headers)
        return status, headers, text

    def login(self, name: str, password: str = PASSWORD):
        self.get("/console/login")
        return self.post("/console/login", {"name": name, "password": password, "next": "/console/hall"})


# The console's presenters' hall: the demo config, three waiting in social, window 1 closed.
T = Topics("demo")
NOW = 1795400000.0
CLOCK = [NOW]  # the mirror's clock: NOW while the state arrives (it is fresh), moved on by a test


def demo_hall() -> HallMirror:
    CLOCK[0] = NOW
    hall = HallMirror(T, clock=lambda: CLOCK[0])
    hall.apply(T.state_config(), demo_config_payload())
    hall.apply(T.state_queues(), queues_payload(social=3))
    hall.apply(T.state_window(1), window_payload(1, "closed"))  # retained at NOW: the controller's clock
    return hall

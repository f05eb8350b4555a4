"""A hall for the web tests: the real controller and `main.py web` as processes, and devices that
change the hall (a kiosk that takes tickets, windows that call them)."""
from __future__ import annotations

import json
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import yaml

from contract.client import HallClient
from testbed.controller import PIN, RunningController
from testbed.web import WebProcess, get
from tests.support.live import ControllerProcess

CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')
REQUEST_FIELD = re.compile(r'name="request_id" value="([0-9a-f]+)"')


def api_call(web_hall, path, key=None, body=None, request_id=None,
             content_type="application/json") -> tuple[int, dict]:
    """(status, JSON answer) of the integration API at `/api/v1<path>`: a POST of `body` (a GET
    without one), with the key and the request id (Idempotency-Key) given."""
    headers = {"Content-Type": content_type}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if request_id:
        headers["Idempotency-Key"] = request_id
    data = json.dumps(body).encode() if body is not None else None
    status, _, raw = get(web_hall.url(f"/api/v1{path}", "api"), headers, data, "POST" if data is not None else "GET")
    return status, json.loads(raw)


def ask_in_browser(browser, number: str, factor: str) -> None:
    """办理进度 asked on the page open in the browser: the number, the second factor, the button."""
    from selenium.webdriver.common.by import By

    browser.driver.find_element(By.ID, "application_no").clear()
    browser.driver.find_element(By.ID, "application_no").send_keys(number)
    browser.driver.find_element(By.ID, "factor").send_keys(factor)
    browser.driver.find_element(By.CSS_SELECTOR, "form.query button[type=submit]").click()


class WebHall:
    def __init__(self, raw: dict, folder: Path, broker, *web_args: str, clock=None):
        """`broker`: the session's PrivateBroker. With a `clock` (tests/support/hall.py, HallClock) the
        controller runs on a thread of the test, on that clock, so a test can let days pass; else
        it is `main.py controller`, its own process."""
        self.raw, self.hall, self.port = raw, raw["hall"], broker.port
        if clock is None:
            self.controller = ControllerProcess(raw, folder, broker.port)
            config_path = self.controller.config_path
        else:
            config_path = folder / "hall.yaml"
            config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
            self.controller = RunningController(raw, folder / "hall.db", broker, clock=clock)
        self.web = WebProcess(config_path, broker.port, folder / "web.log", *web_args)
        self.devices: dict[str, HallClient] = {}
        self.logged_in: set[str] = set()  # staff ids at a window now
        try:
            self.web.wait_ready()
        except Exception:
            self.stop()
            raise

    def device(self, name: str) -> HallClient:
        if name not in self.devices:
            client = HallClient(name, self.hall, "127.0.0.1", self.port)
            client.listen_for_replies()
            if not client.start(wait=10) or not client.wait_for_controller(10):
                raise RuntimeError(f"{name} did not reach the controller")
            self.devices[name] = client
        return self.devices[name]

    def ask(self, device: str, action: str, fields: dict | None = None) -> dict:
        reply = self.device(device).request(action, fields or {})
        assert reply["ok"], reply
        return reply["result"]

    def take_ticket(self, category: str) -> dict:
        return self.ask("kiosk-T1", "issue_ticket", {"category": category, "group": "normal", "lang": "zh"})["ticket"]

    def staff(self, window: int) -> None:
        """Log the first member of staff allowed there, and not at another window, in at a window."""
        staff_id = next(sid for sid, person in sorted(self.raw["staff"].items())
                        if sid not in self.logged_in and (not person.get("windows") or window in person["windows"]))
        self.ask(f"window-{window}", "login", {"staff_id": staff_id, "pin": PIN})
        self.logged_in.add(staff_id)

    def url(self, path: str = "/", listener: str = "public") -> str:
        return self.web.url(path, listener)

    def stop(self) -> None:
        for client in self.devices.values():
            client.stop()
        self.web.stop()
        self.controller.stop()


def form(web_hall: WebHall, path: str, address: str) -> tuple[str, str, str]:
    """A form page as one client address gets it: (its CSRF cookie, the form's token, its request id)."""
    status, headers, body = get(web_hall.url(path), {"X-Forwarded-For": address})
    assert status == 200, body
    found = REQUEST_FIELD.search(body)
    return headers["Set-Cookie"].split(";")[0], CSRF_FIELD.search(body).group(1), found.group(1) if found else ""


def post(web_hall: WebHall, path: str, fields: dict, cookie: str | None, address: str):
    """A form posted from one client address, with that browser's cookie (or none)."""
    sent = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address}
    if cookie:
        sent["Cookie"] = cookie
    return get(web_hall.url(path), sent, urllib.parse.urlencode(fields).encode(), "POST")


# The contrast of every text against what is behind it (WCAG's relative luminance), in the page.
CONTRAST = """
function lum(c) {
  const v = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(x => x / 255)
    .map(x => x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4));
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}
function behind(el) {
  for (; el; el = el.parentElement) {
    const bg = getComputedStyle(el).backgroundColor;
    const m = bg.match(/[\\d.]+/g);
    if (m && (m.length < 4 || Number(m[3]) > 0)) return bg;
  }
  return "rgb(255, 255, 255)";
}
const worst = [];
for (const el of document.querySelectorAll("body *")) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.offsetParent) continue;
  const a = lum(getComputedStyle(el).color), b = lum(behind(el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  worst.push([ratio, el.tagName + "." + el.className + ": " + el.textContent.trim().slice(0, 30)]);
}
worst.sort((x, y) => x[0] - y[0]);
return worst.slice(0, 3);
"""


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

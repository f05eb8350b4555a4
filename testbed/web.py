"""The web tier for tests and screenshots: `main.py web` as its own process, and a real browser.

The browser is Debian's chromium driven by Selenium through Debian's chromium-driver (its own
download is not reachable from the hall's CI), headless, at a phone's viewport or a desktop's.
One browser serves a whole test session: starting chromium costs about a second.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .controller import ROOT
from .processes import die_with_parent, free_port, stop_process

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--lang=zh-CN")
PHONE, DESKTOP = (360, 640), (1280, 800)


class WebProcess:
    """`main.py web` for one hall, its public, console and API listeners on free loopback ports."""

    def __init__(self, config_path: Path, broker_port: int, log_path: Path, *extra: str, name: str = "T1"):
        self.ports = {"public": free_port(), "console": free_port(), "api": free_port()}
        self.log_path = log_path
        self.accounts = log_path.parent / "console-accounts.json"  # the console's people (web/accounts.py)
        self.api_keys = log_path.parent / "api-keys.json"  # the integration API's callers (web/apikeys.py)
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "web", "--config", str(config_path), "--name", name,
             "--broker", f"127.0.0.1:{broker_port}", "--log-level", "info",
             "--listen", f"127.0.0.1:{self.ports['public']}", "--console", f"127.0.0.1:{self.ports['console']}",
             "--api", f"127.0.0.1:{self.ports['api']}", "--accounts", str(self.accounts),
             "--api-keys", str(self.api_keys), *extra],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

    def url(self, path: str = "/", listener: str = "public") -> str:
        return f"http://127.0.0.1:{self.ports[listener]}{path}"

    def health(self, listener: str = "public") -> dict | None:
        path = {"public": "/healthz", "console": "/console/healthz", "api": "/api/v1/health"}[listener]
        try:
            with urllib.request.urlopen(self.url(path, listener), timeout=2) as response:
                return json.loads(response.read())
        except (OSError, ValueError):
            return None

    def wait_ready(self, timeout: float = 30.0) -> "WebProcess":
        """Until every listener answers and the hall's state and a live controller beat have arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"main.py web exited:\n{self.log()}")
            found = [self.health(name) for name in self.ports]
            if all(h and h.get("hall") and h.get("controller") for h in found):
                return self
            time.sleep(0.1)
        raise RuntimeError(f"main.py web was not ready within {timeout} s:\n{self.log()}")

    def add_user(self, name: str, role: str, password: str, *options: str) -> str:
        """A console account made as a hall's operator makes one: `main.py web add-user`, the password
        on standard input; what it printed (ValueError with its words when it refused)."""
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "web", "add-user", "--accounts",
                               str(self.accounts), "--role", role, *options, name], cwd=ROOT, input=password + "\n",
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise ValueError(done.stderr.strip())
        return done.stdout

    def add_key(self, system: str, rights: str, windows: str = "") -> str:
        """An integration API key made as an operator makes one (`main.py web add-key`): its text."""
        done = subprocess.run([sys.executable, str(ROOT / "main.py"), "web", "add-key", "--api-keys",
                               str(self.api_keys), "--rights", rights, "--windows", windows, system], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise ValueError(done.stderr.strip())
        return done.stdout.strip().splitlines()[-1]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


class Browser:
    """One headless chromium; `view()` sets the viewport (a phone's by default)."""

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(20)
        self.view(*PHONE)

    def view(self, width: int, height: int) -> None:
        """The viewport in CSS pixels; a phone's (under 600 px wide) with touch and a mobile layout."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def fresh(self) -> None:
        """A visitor who has never been here: no cookies."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def open(self, url: str) -> None:
        self.driver.get(url)

    def console(self) -> list[dict]:
        """What the page's console said since last asked (CSP refusals are errors there)."""
        return self.driver.get_log("browser")

    def text(self, css: str) -> str:
        """The text of the first element the selector finds; "" while there is none (yet)."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        for _ in range(5):  # a live part swapped between finding the element and reading it: read again
            found = self.driver.find_elements(By.CSS_SELECTOR, css)
            try:
                return found[0].text if found else ""
            except StaleElementReferenceException:
                continue
        return ""

    def wait_for(self, condition, timeout: float = 15.0, what: str = "condition"):
        deadline = time.monotonic() + timeout
        while True:
            found = condition()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {timeout} s")
            time.sleep(0.02)

    def screenshot(self, path: Path, full: bool = False) -> None:
        """What the viewport shows; with `full`, the whole page at the viewport's width."""
        if not full:
            self.driver.save_screenshot(str(path))
            return
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        height = int(metrics["cssContentSize"]["height"])
        width = self.driver.execute_script("return window.innerWidth")
        view_height = self.driver.execute_script("return window.innerHeight")
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": max(height, view_height), "deviceScaleFactor": 1, "mobile": width < 600})
        try:
            self.driver.save_screenshot(str(path))
        finally:
            self.view(width, view_height)

    def quit(self) -> None:
        self.driver.quit()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, headers: dict | None = None, data: bytes | None = None, method: str | None = None,
        body: bool = True):
    """(status, headers, body text) of one plain HTTP request, errors included (no redirects followed);
    without `body`, the body is not waited for (an event stream never ends)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace") if body else ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

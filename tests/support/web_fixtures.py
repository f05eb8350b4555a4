"""Fixtures of the web tests: a hall with `main.py web` as its own process, and one browser.

`web_hall` (one per test module: starting the processes costs a few seconds) is the real broker
of the session, `main.py controller` and `main.py web` with its three listeners, plus a kiosk and
a staffed window to change the hall with. `browser` is one headless chromium for the session, at
a phone's viewport; a test that needs a desktop calls `browser.view(*DESKTOP)` and a test that
needs a new visitor `browser.fresh()`.

Test modules load this with `pytest_plugins = ("tests.support.web_fixtures",)`.
"""
from __future__ import annotations

import copy
import uuid

import pytest

from testbed.web import PHONE, Browser
from tests.support.console import OFFICE
from tests.support.web import WebHall


@pytest.fixture(scope="module")
def web_hall(request, broker, demo_raw, tmp_path_factory):
    """The demo hall, open all day; a module's `WEB_CONFIG` (a dict) is its `web:` section and its
    `hall_changes(raw, folder)`, if it has one, changes the rest; its `HALL_CLOCK` (a HallClock), if
    it has one, is the controller's clock (the controller then runs on a thread of the tests)."""
    raw = copy.deepcopy(demo_raw)
    raw["hall"] = f"w{uuid.uuid4().hex[:10]}"
    raw["ticketing_hours"] = []
    raw["web"] = getattr(request.module, "WEB_CONFIG", {})
    folder = tmp_path_factory.mktemp("web")
    getattr(request.module, "hall_changes", lambda raw, folder: None)(raw, folder)
    running = WebHall(raw, folder, broker, clock=getattr(request.module, "HALL_CLOCK", None))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    running = Browser()
    yield running
    running.quit()


@pytest.fixture
def phone(browser):
    """The browser as a new visitor's phone."""
    browser.fresh()
    browser.view(*PHONE)
    browser.console()  # what earlier tests' pages said is not this test's
    return browser


@pytest.fixture
def desk(browser):
    """The browser as a new console user's desk screen."""
    browser.fresh()
    browser.view(*OFFICE)
    browser.console()
    return browser

"""The manager console in a real browser (headless chromium) against the real broker, controller
and `main.py web`: a director logs in and watches the live hall change when a window calls; a
supervisor acknowledges a 电子监察 alert with a note; a social supervisor sees the hall and is
refused the rest. At the desktop size the console is made for (1366×768)."""
from __future__ import annotations

import copy
import re
import uuid

import pytest
from selenium.webdriver.common.by import By

from tests.support.console import PASSWORD, ROLE_USERS
from tests.support.web import WebHall

pytest_plugins = ("tests.support.web_fixtures",)
OFFICE = (1366, 768)


@pytest.fixture(scope="module")
def hall(broker, demo_raw, tmp_path_factory):
    """The demo hall, open all day, where a ticket waiting 2 s is a yellow card (an alert at once)."""
    raw = copy.deepcopy(demo_raw)
    raw["hall"], raw["ticketing_hours"] = f"c{uuid.uuid4().hex[:10]}", []
    raw["supervision"] = {"wait": {"yellow_s": 2, "red_s": 3600}}
    running = WebHall(raw, tmp_path_factory.mktemp("console"), broker.port)
    for role, name in ROLE_USERS.items():
        running.web.add_user(name, role, PASSWORD)
    yield running
    running.stop()


@pytest.fixture
def desk(browser):
    browser.fresh()
    browser.view(*OFFICE)
    browser.console()
    return browser


def log_in(browser, hall, name: str, password: str = PASSWORD) -> None:
    browser.open(hall.url("/console/login", "console"))
    browser.driver.find_element(By.ID, "name").send_keys(name)
    browser.driver.find_element(By.ID, "password").send_keys(password)
    browser.driver.find_element(By.CSS_SELECTOR, "form.login button").click()


def cell(browser, window: int, what: str) -> str:
    return browser.text(f'#desk-now tr[data-window="{window}"] td.{what}')


def test_a_director_logs_in_and_sees_the_live_hall_change_when_a_window_calls(hall, desk):
    log_in(desk, hall, "li.ming", "wrong-password")
    assert desk.text("#login-error") == "用户名或密码错误"
    desk.console()  # its 401 is said there; what follows must say nothing
    log_in(desk, hall, "li.ming")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="the live hall after login")
    assert "li.ming（大厅管理员）" in desk.text("header .user")
    assert [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")] == ["大厅实况", "电子监察", "统计报表", "操作记录"]
    desk.wait_for(lambda: desk.text('#desk-now [data-figure="issued"] dd'), what="today's figures")
    issued = int(desk.text('#desk-now [data-figure="issued"] dd'))
    desk.driver.execute_script("window.sameDocument = 'yes'")
    hall.staff(3)
    desk.wait_for(lambda: cell(desk, 3, "status") == "空闲", timeout=2.0, what="window 3 staffed")
    assert "*" in cell(desk, 3, "staff")  # the name masked, as the controller publishes it
    ticket = hall.take_ticket("social")
    called = hall.ask("window-3", "call_next")["ticket"]
    assert called["number"] <= ticket["number"]
    desk.wait_for(lambda: cell(desk, 3, "ticket") == called["number"], timeout=2.0, what="the call at window 3")
    assert cell(desk, 3, "status") == "办理中"
    desk.wait_for(lambda: desk.text('#desk-now [data-figure="issued"] dd') == str(issued + 1), timeout=5.0,
                  what="today's figures from stats")
    assert desk.driver.execute_script("return window.sameDocument") == "yes"  # live, not reloaded
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held, scripts ran


def test_a_supervisor_acknowledges_an_alert_with_a_note(hall, desk):
    hall.take_ticket("tax")  # nobody serves tax: a yellow card after 2 s
    log_in(desk, hall, "zhao.min")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="logged in")

    def board_has_one():
        desk.open(hall.url("/console/alerts", "console"))
        return desk.driver.find_elements(By.CSS_SELECTOR, "li.alert.yellow")
    desk.wait_for(board_has_one, timeout=20.0, what="a yellow alert on the board")
    first = desk.driver.find_element(By.CSS_SELECTOR, "li.alert.yellow")
    alert_id = first.get_attribute("data-alert")
    assert "黄牌" in first.text and "持续" in first.text
    first.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys("已安排3号窗口加办")
    first.find_element(By.CSS_SELECTOR, "form.ack button").click()
    desk.wait_for(lambda: desk.text("#done"), what="the acknowledgement")
    assert desk.text("#done") == f"已登记告警 {alert_id} 的处理说明"
    acked = desk.text(f'li.alert[data-alert="{alert_id}"] .acked')
    assert "已安排3号窗口加办" in acked and "admin-T1/zhao.min" in acked  # the controller's record says who


def test_a_social_supervisor_sees_the_hall_and_is_refused_the_rest(hall, desk):
    log_in(desk, hall, "qian.jun")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="logged in")
    assert [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")] == ["大厅实况", "统计报表"]
    desk.wait_for(lambda: cell(desk, 3, "status"), what="the live hall")
    for path in ("/console/alerts", "/console/audit"):
        desk.open(hall.url(path, "console"))
        assert desk.text("#refused") == "您的角色无权进行此操作", path
    desk.driver.find_element(By.CSS_SELECTOR, "form.lang button").click()  # English
    desk.wait_for(lambda: desk.text("#refused") == "Your role may not do this", what="the page in English")
    desk.open(hall.url("/console/hall", "console"))
    desk.wait_for(lambda: cell(desk, 3, "status"), what="the live hall in English")
    assert desk.text("h1") == "Live hall" and "qian.jun (Social supervisor)" in desk.text("header .user")
    assert not re.search(r"[\u3400-\u9fff]", desk.text("#desk-now thead") + desk.text("#desk-now .figures"))


def test_a_director_reads_the_day_report_with_its_bars_and_downloads_the_csv(hall, desk):
    hall.staff(2)
    hall.take_ticket("general")
    hall.ask("window-2", "call_next")
    hall.ask("window-2", "finish")
    log_in(desk, hall, "li.ming")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="logged in")
    desk.driver.find_element(By.LINK_TEXT, "统计报表").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, "#rank-windows svg.bars rect.bar"),
                  what="the windows' bars")
    row = desk.driver.find_element(By.CSS_SELECTOR, '#rank-windows tr[data-key="2"]')
    assert row.find_element(By.TAG_NAME, "th").text == "2号窗口" and int(row.find_elements(By.TAG_NAME, "td")[1].text) >= 1
    assert desk.text("#applications") .startswith("办件按时办结率")
    desk.driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=month]").click()
    desk.driver.find_element(By.CSS_SELECTOR, "form.period button").click()
    desk.wait_for(lambda: "kind=month" in desk.driver.current_url and "至" in desk.text("#period"), what="the month")
    assert desk.driver.find_element(By.ID, "csv").get_attribute("href").startswith(hall.url("/console/reports.csv", "console"))
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held

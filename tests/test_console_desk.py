"""The supervision office's and the director's desks in a real browser (headless chromium) and over
real HTTP, against the real broker, controller and `main.py web`: a supervisor notes, assigns and
orders (督办) a 电子监察 alert and reads its trail; a director books a caller on the phone (电话预约),
finds the booking in the day's list, cancels it and lifts a bar of the blacklist with a reason; a
social supervisor is refused every one of these changes. At the office size (1366×768)."""
from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By

from controller.store import Store
from tests.support.console import PASSWORD, ROLE_USERS, ConsoleUser
from tests.support.web import WebHall
from web import console
from web.accounts import RIGHTS

pytest_plugins = ("tests.support.web_fixtures",)
OFFICE = (1366, 768)
BARRED_KEY = "phone:" + "b" * 64  # a person barred by three earlier no-shows
NEW_ROUTES = {("GET", "/console/alerts"): {"director", "supervisor"},
              ("POST", "/console/alerts/{alert_id}/assign"): {"director", "supervisor"},
              ("POST", "/console/alerts/{alert_id}/escalate"): {"director", "supervisor"}}


def seed_bar(folder, timezone: str) -> None:
    """The blacklist as three missed bookings left it: a bar stored before the controller starts."""
    now = datetime.now(ZoneInfo(timezone))
    store = Store(str(folder / "hall.db"))
    store.db["appointment_bars"].insert({
        "key": BARRED_KEY, "since": (now - timedelta(days=3)).timestamp(),
        "until": (now + timedelta(days=362)).timestamp(), "no_shows": json.dumps(["YYAAAA2222", "YYBBBB3333",
                                                                                  "YYCCCC4444"]),
        "phone": "137****0000", "lifted_at": None, "lifted_by": None, "reason": None})
    store.close()


@pytest.fixture(scope="module")
def hall(broker, demo_raw, tmp_path_factory):
    """The demo hall, open all day, where a ticket waiting 2 s is a yellow card (an alert at once)."""
    raw = copy.deepcopy(demo_raw)
    raw["hall"], raw["ticketing_hours"] = f"d{uuid.uuid4().hex[:10]}", []
    raw["supervision"] = {"wait": {"yellow_s": 2, "red_s": 3600}}
    folder = tmp_path_factory.mktemp("desk")
    seed_bar(folder, raw["timezone"])
    running = WebHall(raw, folder, broker.port)
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


def log_in(browser, hall, name: str) -> None:
    browser.open(hall.url("/console/login", "console"))
    browser.driver.find_element(By.ID, "name").send_keys(name)
    browser.driver.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    browser.wait_for(lambda: "/console/login" not in browser.driver.current_url, what="logged in")


def open_alert(hall, desk) -> str:
    """A tax ticket nobody serves: a yellow card on the board within seconds; its id."""
    hall.take_ticket("tax")

    def board_has_one():
        desk.open(hall.url("/console/alerts", "console"))
        return desk.driver.find_elements(By.CSS_SELECTOR, "li.alert.yellow")
    desk.wait_for(board_has_one, timeout=20.0, what="a yellow alert on the board")
    return desk.driver.find_element(By.CSS_SELECTOR, "li.alert.yellow").get_attribute("data-alert")


def card(desk, alert_id: str):
    return desk.driver.find_element(By.CSS_SELECTOR, f'li.alert[data-alert="{alert_id}"]')


def submitted(desk, form, done: str) -> None:
    desk.driver.execute_script("window.beforeStep = 'yes'")
    form.find_element(By.CSS_SELECTOR, "button").click()
    desk.wait_for(lambda: desk.driver.execute_script("return window.beforeStep") is None
                  and desk.text("#done") == done, what=done)


def test_the_new_routes_name_their_rights_and_only_those_roles_have_them():
    for key, roles in NEW_ROUTES.items():
        assert set(RIGHTS[console.RIGHT_OF[key]]) == roles, key


def test_a_supervisor_notes_assigns_and_orders_an_alert_and_reads_its_trail(hall, desk):
    log_in(desk, hall, "zhao.min")
    alert_id = open_alert(hall, desk)
    first = card(desk, alert_id)
    assert "黄牌" in first.text and "持续" in first.text
    first.find_element(By.CSS_SELECTOR, "form.ack input[name=note]").send_keys("已通知税务窗口")
    submitted(desk, first.find_element(By.CSS_SELECTOR, "form.ack"), f"已登记告警 {alert_id} 的处理说明")
    # assign: the people are a list (console users and staff, names masked), never typed
    people = [o.text for o in card(desk, alert_id).find_elements(By.CSS_SELECTOR, "form.assign option")]
    assert "li.ming（大厅管理员）" in people and "王*华（工号1001）" in people
    assert not [p for p in people if p.startswith("qian.jun")]  # a social supervisor handles nothing
    card(desk, alert_id).find_element(By.CSS_SELECTOR, 'form.assign option[value="staff-1001"]').click()
    submitted(desk, card(desk, alert_id).find_element(By.CSS_SELECTOR, "form.assign"), f"已将告警 {alert_id} 指派")
    assert card(desk, alert_id).find_element(By.CSS_SELECTOR, ".assigned").text == "承办人：王*华（工号1001）"
    # 督办: tomorrow 12:00 of the hall's clock, to the director
    tomorrow = (datetime.now(ZoneInfo(hall.raw["timezone"])) + timedelta(days=1)).date().isoformat()
    form = card(desk, alert_id).find_element(By.CSS_SELECTOR, "form.escalate")
    desk.driver.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "day"), tomorrow)
    desk.driver.execute_script("arguments[0].value = '12:00'", form.find_element(By.NAME, "time"))
    form.find_element(By.NAME, "note").send_keys("明天中午前办结")
    form.find_element(By.CSS_SELECTOR, 'select[name=to] option[value="li.ming"]').click()
    submitted(desk, form, f"已对告警 {alert_id} 督办")
    shown = card(desk, alert_id)
    assert shown.find_element(By.CSS_SELECTOR, ".duban").text == f"督办期限：{tomorrow} 12:00"
    assert shown.find_element(By.CSS_SELECTOR, ".assigned").text == "承办人：li.ming（大厅管理员）"
    assert not shown.find_elements(By.CSS_SELECTOR, ".late")  # not overdue: the deadline is ahead
    steps = [(li.get_attribute("data-step"), li.find_element(By.CSS_SELECTOR, ".by").text)
             for li in shown.find_elements(By.CSS_SELECTOR, ".trail li")]
    assert steps == [("opened", "系统"), ("acked", "zhao.min"), ("assigned", "zhao.min"), ("duban", "zhao.min")]
    duban = shown.find_element(By.CSS_SELECTOR, '.trail li[data-step="duban"]').text
    assert "明天中午前办结" in duban and "承办人 li.ming（大厅管理员）" in duban and "12:00" in duban
    [stored] = [a for a in hall.ask("admin-T2", "alerts", {})["alerts"] if str(a["id"]) == alert_id]
    assert stored["assigned_to"] == "li.ming" and stored["duban_by"] == "admin-T1/zhao.min"
    # a deadline in the past: the date field itself refuses it (min: today), and nothing is sent
    form = card(desk, alert_id).find_element(By.CSS_SELECTOR, "form.escalate")
    desk.driver.execute_script("arguments[0].value = '2020-01-01'", form.find_element(By.NAME, "day"))
    form.find_element(By.NAME, "note").send_keys("补办")
    desk.driver.execute_script("window.beforeStep = 'yes'")
    form.find_element(By.CSS_SELECTOR, "button").click()
    assert desk.driver.execute_script("return arguments[0].checkValidity()", form) is False
    assert desk.driver.execute_script("return window.beforeStep") == "yes"  # the page stayed: nothing posted
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held


def test_an_alert_is_given_only_to_a_person_of_the_list(hall):
    user = ConsoleUser(hall, address="198.51.100.70")
    user.login("zhao.min")
    hall.take_ticket("tax")
    user.get("/console/alerts")
    [alert] = hall.ask("admin-T2", "alerts", {})["alerts"][:1]
    for fields, words in (({"to": "anyone at all"}, "请从列表中选择承办人"), ({"to": "qian.jun"}, "请从列表中选择承办人"),
                          ({"day": "tomorrow", "time": "12:00", "note": "x"}, "请填写督办期限"),
                          ({"day": "2030-01-01", "time": "12:00", "note": ""}, "请填写督办期限"),
                          ({"day": "2020-01-01", "time": "12:00", "note": "补办"}, "督办期限须晚于现在且在90天内")):
        path = f"/console/alerts/{alert['id']}/{'assign' if 'day' not in fields else 'escalate'}"
        status, _, body = user.post(path, fields)
        assert status == 400 and words in body, fields
    assert user.post(f"/console/alerts/{alert['id']}/assign", {"to": "staff-1001"}, csrf=False)[0] == 403
    after = [a for a in hall.ask("admin-T2", "alerts", {})["alerts"] if a["id"] == alert["id"]][0]
    assert after["trail"] == alert["trail"]  # nothing of it reached the alert


def test_a_social_supervisor_is_refused_every_change_of_these_desks(hall):
    user = ConsoleUser(hall, address="198.51.100.71")
    user.login(ROLE_USERS["social_supervisor"])
    for (method, path), roles in NEW_ROUTES.items():
        user.get("/console/hall")
        concrete = path.replace("{alert_id}", "1")
        status = user.get(concrete)[0] if method == "GET" else user.post(concrete, {"to": "li.ming", "note": "x"})[0]
        assert status == 403, path

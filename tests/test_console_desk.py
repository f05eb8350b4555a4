"""The supervision office's and the director's desks in a real browser (headless chromium) and over
real HTTP, against the real broker, controller and `main.py web`: a supervisor notes, assigns and
orders (督办) a 电子监察 alert and reads its trail; a director books a caller on the phone (电话预约),
finds the booking in the day's list, cancels it and lifts a bar of the blacklist with a reason; a
director makes a console account, gives it a new password and disables it; a social supervisor (and
a supervisor, for the director's pages) is refused every one of these changes. At the office size
(1366×768)."""
from __future__ import annotations

import copy
import json
import re
import sqlite3
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By

from controller.store import Store
from tests.support.console import PASSWORD, ROLE_USERS, ConsoleUser, log_in
from tests.support.web import WebHall
from web import console
from web.accounts import RIGHTS

pytest_plugins = ("tests.support.web_fixtures",)
BARRED_KEY = "b" * 64  # a person barred by three earlier no-shows
NEW_ROUTES = {("GET", "/console/alerts"): {"director", "supervisor"},
              ("POST", "/console/alerts/{alert_id}/assign"): {"director", "supervisor"},
              ("POST", "/console/alerts/{alert_id}/escalate"): {"director", "supervisor"},
              ("GET", "/console/appointments"): {"director"}, ("POST", "/console/appointments/cancel"): {"director"},
              ("POST", "/console/appointments/unbar"): {"director"}, ("GET", "/console/appointments/book"): {"director"},
              ("GET", "/console/appointments/book/{item_id}"): {"director"},
              ("GET", "/console/appointments/book/{item_id}/{day}"): {"director"},
              ("GET", "/console/appointments/book/{item_id}/{day}/{start}"): {"director"},
              ("POST", "/console/appointments/book/{item_id}/{day}/{start}"): {"director"},
              ("GET", "/console/accounts"): {"director"}, ("POST", "/console/accounts/new"): {"director"},
              ("POST", "/console/accounts/{name}/reset"): {"director"},
              ("POST", "/console/accounts/{name}/disable"): {"director"}}


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
    running = WebHall(raw, folder, broker)
    for role, name in ROLE_USERS.items():
        running.web.add_user(name, role, PASSWORD)
    yield running
    running.stop()




def open_alert(hall, desk) -> tuple[str, dict]:
    """A tax ticket nobody serves: a yellow card on the board within seconds; its id and the ticket."""
    ticket = hall.take_ticket("tax")

    def board_has_one():
        desk.open(hall.url("/console/alerts", "console"))
        return desk.driver.find_elements(By.CSS_SELECTOR, "li.alert.yellow")
    desk.wait_for(board_has_one, timeout=20.0, what="a yellow alert on the board")
    return desk.driver.find_element(By.CSS_SELECTOR, "li.alert.yellow").get_attribute("data-alert"), ticket


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
    alert_id, ticket = open_alert(hall, desk)
    first = card(desk, alert_id)
    assert "黄牌" in first.text and "持续" in first.text
    first.find_element(By.CSS_SELECTOR, "form.ack input[name=note]").send_keys("已通知税务窗口")
    submitted(desk, first.find_element(By.CSS_SELECTOR, "form.ack"), f"已登记告警 {alert_id} 的处理说明")
    # assign: the people are a list (console users and staff, names masked), never typed
    card(desk, alert_id).find_element(By.CSS_SELECTOR, "details.act summary").click()
    people = [o.text for o in card(desk, alert_id).find_elements(By.CSS_SELECTOR, "form.assign option")]
    assert "li.ming（大厅管理员）" in people and "王*华（工号1001）" in people
    assert not [p for p in people if p.startswith("qian.jun")]  # a social supervisor handles nothing
    card(desk, alert_id).find_element(By.CSS_SELECTOR, 'form.assign option[value="staff-1001"]').click()
    submitted(desk, card(desk, alert_id).find_element(By.CSS_SELECTOR, "form.assign"), f"已将告警 {alert_id} 指派")
    assert card(desk, alert_id).find_element(By.CSS_SELECTOR, ".assigned").text == "承办人：王*华（工号1001）"
    # 督办: tomorrow 12:00 of the hall's clock, to the director
    card(desk, alert_id).find_element(By.CSS_SELECTOR, "details.act summary").click()
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
    card(desk, alert_id).find_element(By.CSS_SELECTOR, "details.act summary").click()
    form = card(desk, alert_id).find_element(By.CSS_SELECTOR, "form.escalate")
    desk.driver.execute_script("arguments[0].value = '2020-01-01'", form.find_element(By.NAME, "day"))
    form.find_element(By.NAME, "note").send_keys("补办")
    desk.driver.execute_script("window.beforeStep = 'yes'")
    form.find_element(By.CSS_SELECTOR, "button").click()
    assert desk.driver.execute_script("return arguments[0].checkValidity()", form) is False
    assert desk.driver.execute_script("return window.beforeStep") == "yes"  # the page stayed: nothing posted
    # the ticket is called: the controller closes the alert, and today's closed alerts keep its whole trail
    hall.staff(3)
    hall.ask("window-3", "call_specific", {"number": ticket["number"]})

    def closed_card():
        desk.open(hall.url("/console/alerts?show=closed", "console"))
        return desk.driver.find_elements(By.CSS_SELECTOR, f'li.alert[data-alert="{alert_id}"]')
    desk.wait_for(closed_card, timeout=20.0, what="the alert among today's closed ones")
    closed = card(desk, alert_id)
    assert [li.get_attribute("data-step") for li in closed.find_elements(By.CSS_SELECTOR, ".trail li")] == [
        "opened", "acked", "assigned", "duban", "closed"]
    assert not closed.find_elements(By.CSS_SELECTOR, "form") and "今天已消除的告警" in desk.text("h2")
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held


def test_an_alert_is_given_only_to_a_person_of_the_list(hall):
    user = ConsoleUser(hall, address="198.51.100.70")
    user.login("zhao.min")
    hall.take_ticket("tax")
    deadline = time.monotonic() + 20
    while not hall.ask("admin-T2", "alerts", {})["alerts"] and time.monotonic() < deadline:
        time.sleep(0.5)  # a yellow card within seconds
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


def test_a_social_supervisor_and_a_supervisor_are_refused_what_is_not_theirs(hall):
    for n, name in enumerate((ROLE_USERS["social_supervisor"], ROLE_USERS["supervisor"])):
        user = ConsoleUser(hall, address=f"198.51.100.{71 + n}")
        user.login(name)
        role = next(r for r, who in ROLE_USERS.items() if who == name)
        for (method, path), roles in NEW_ROUTES.items():
            user.get("/console/hall")
            concrete = re.sub(r"\{[^}]+\}", "1", path).replace("/accounts/1/", "/accounts/li.ming/")
            fields = {"to": "li.ming", "note": "x", "code": "YYAAAA2222", "last4": "0000", "person": BARRED_KEY,
                      "reason": "想解除", "phone": "13800001111", "request_id": "0" * 32}
            status = user.get(concrete)[0] if method == "GET" else user.post(concrete, fields)[0]
            assert (status == 403) == (role not in roles), (name, path, status)
    assert [bar["person"] for bar in hall.ask("admin-T2", "appointments", {})["blacklist"]] == [BARRED_KEY]


def choose(desk, css: str, what: str, which: int = 0) -> None:
    """Click an open choice of a booking step (the first by default) and wait for the next step."""
    before = desk.driver.current_url
    desk.driver.find_elements(By.CSS_SELECTOR, css)[which].click()
    desk.wait_for(lambda: desk.driver.current_url != before, what=what)


def test_a_director_books_a_caller_by_phone_finds_it_in_the_day_list_cancels_it_and_lifts_a_bar(hall, desk):
    log_in(desk, hall, "li.ming")
    desk.open(hall.url("/console/appointments", "console"))
    assert "预约管理" in [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")]
    assert desk.driver.find_element(By.CSS_SELECTOR, f'#blacklist tr[data-person="{BARRED_KEY}"] .phone').text \
        == "137****0000"
    desk.driver.find_element(By.ID, "book-by-phone").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, "ul.items a.choice"), what="the items")
    desk.driver.find_element(By.ID, "q").send_keys("社保")
    desk.driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    desk.wait_for(lambda: "q=" in desk.driver.current_url, what="the search")
    service = desk.driver.find_elements(By.CSS_SELECTOR, "ul.items a.choice .label")[0].text
    choose(desk, "ul.items a.choice", "the days")
    choose(desk, "ul.days a.choice", "the times", which=1)  # not today: cancelling closes an hour before
    slot = desk.driver.find_elements(By.CSS_SELECTOR, "ul.slots a.choice .label")[0].text
    choose(desk, "ul.slots a.choice", "the caller's phone form")
    assert "来电人的手机号" in desk.text("form.caller .prompt")
    desk.driver.find_element(By.ID, "phone").send_keys("13912340077")
    desk.driver.find_element(By.ID, "name").send_keys("张三丰")
    desk.driver.find_element(By.CSS_SELECTOR, "form.caller button").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.ID, "booking-code"), what="the booking code")
    code = desk.text("#booking-code")
    assert re.fullmatch(r"YY[A-Z2-7]{8}", code) and "139****0077" in desk.text("dl.facts")
    assert "13912340077" not in desk.driver.page_source
    desk.driver.find_element(By.ID, "to-day-list").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, f'#bookings tr[data-code="{code}"]'),
                  what="the booking in the day's list")
    row = desk.text(f'#bookings tr[data-code="{code}"]')
    assert slot in row and service in row and "张*丰" in row and "139****0077" in row and "电话" in row
    assert "已预约" in row and "张三丰" not in row
    # cancel: the code and the last four digits the caller reads out
    desk.driver.find_element(By.ID, "code").send_keys(code)
    desk.driver.find_element(By.ID, "last4").send_keys("0077")
    desk.driver.find_element(By.CSS_SELECTOR, "form.cancel-booking button").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, "#done, #error"), what="the cancel")
    assert desk.text("#done") == f"已取消预约 {code}", desk.driver.find_elements(By.ID, "error")[0].text
    assert "已取消" in desk.text(f'#bookings tr[data-code="{code}"] .status')
    # lift the bar with a reason
    bar = desk.driver.find_element(By.CSS_SELECTOR, f'#blacklist tr[data-person="{BARRED_KEY}"]')
    bar.find_element(By.NAME, "reason").send_keys("系统故障，误判失约")
    bar.find_element(By.CSS_SELECTOR, "button").click()
    desk.wait_for(lambda: desk.text("#done") == "已解除 137****0000 的预约限制", what="the bar lifted")
    assert not desk.driver.find_elements(By.CSS_SELECTOR, f'#blacklist tr[data-person="{BARRED_KEY}"]')
    with sqlite3.connect(f"file:{hall.controller.db}?mode=ro", uri=True) as db:
        lifted_by, reason = db.execute("SELECT lifted_by, reason FROM appointment_bars WHERE key = ?",
                                       [BARRED_KEY]).fetchone()
        channel, device = db.execute("SELECT channel, device FROM appointments WHERE code = ?", [code]).fetchone()
    assert lifted_by == "admin-T1/li.ming" and reason == "系统故障，误判失约"
    assert (channel, device) == ("phone", "admin-T1")
    desk.open(hall.url("/console/audit", "console"))
    audit = desk.text("main")
    assert "book_appointment" in audit and "cancel_appointment" in audit and "appointment_unbar" in audit
    assert "0077" not in audit  # the last four digits asked of the caller are not kept in the audit
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held


def test_the_phone_desk_says_what_is_wrong_in_words(hall):
    user = ConsoleUser(hall, address="198.51.100.75")
    user.login("li.ming")
    user.get("/console/appointments")
    for path, fields, words in (("/console/appointments/cancel", {"code": "nope", "last4": "12"}, "请输入预约码"),
                                ("/console/appointments/cancel", {"code": "YYAAAA2222", "last4": "1234"}, "未找到该预约"),
                                ("/console/appointments/unbar", {"person": BARRED_KEY, "reason": ""}, "请填写解除原因"),
                                ("/console/appointments/unbar", {"person": "c" * 64, "reason": "x"}, "不在预约黑名单中")):
        status, _, body = user.post(path, fields)
        assert status == 400 and words in body, (path, fields)
    assert user.get("/console/appointments/book/NOPE")[0] == 400
    assert user.get("/console/appointments?day=2026-02-30")[0] == 400
    assert user.post("/console/appointments/cancel", {"code": "YYAAAA2222", "last4": "1234"}, csrf=False)[0] == 403


def test_a_director_makes_an_account_resets_its_password_and_disables_it(hall, desk):
    log_in(desk, hall, "li.ming")
    desk.open(hall.url("/console/accounts", "console"))
    names = [row.get_attribute("data-account") for row in desk.driver.find_elements(By.CSS_SELECTOR, "#accounts tbody tr")]
    assert set(ROLE_USERS.values()) <= set(names)
    assert "argon2" not in desk.driver.page_source
    mine = desk.driver.find_element(By.CSS_SELECTOR, '#accounts tr[data-account="li.ming"]')
    assert "（您本人）" in mine.text and not mine.find_elements(By.CSS_SELECTOR, "form.disable")
    desk.driver.find_element(By.ID, "new-name").send_keys("zhou.xin")
    desk.driver.find_element(By.CSS_SELECTOR, '#new-role option[value="window_lead"]').click()
    desk.driver.find_element(By.ID, "new-windows").send_keys("3,4")
    desk.driver.find_element(By.ID, "new-password").send_keys("zhou-xin-2026!")
    desk.driver.find_element(By.ID, "new-again").send_keys("zhou-xin-2026!")
    desk.driver.find_element(By.CSS_SELECTOR, "form.new-account button").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, "#done, #error"), what="the new account")
    assert desk.text("#done") == "已建立账号 zhou.xin"
    row = desk.text('#accounts tr[data-account="zhou.xin"]')
    assert "窗口负责人" in row and "3, 4" in row and "可登录" in row
    lead = ConsoleUser(hall, address="198.51.100.80")
    assert lead.login("zhou.xin", "zhou-xin-2026!")[0] == 303 and lead.get("/console/hall")[0] == 200
    # a new password: the old one and its session no longer open anything
    form = desk.driver.find_element(By.CSS_SELECTOR, '#accounts tr[data-account="zhou.xin"] form.reset')
    form.find_element(By.NAME, "password").send_keys("another-pass-77")
    form.find_element(By.NAME, "again").send_keys("another-pass-77")
    form.find_element(By.CSS_SELECTOR, "button").click()
    desk.wait_for(lambda: desk.text("#done") == "已重置 zhou.xin 的密码，其登录已失效", what="the reset")
    assert lead.get("/console/hall", body=False)[0] == 303
    assert ConsoleUser(hall, address="198.51.100.81").login("zhou.xin", "zhou-xin-2026!")[0] == 401
    lead = ConsoleUser(hall, address="198.51.100.82")
    assert lead.login("zhou.xin", "another-pass-77")[0] == 303
    desk.driver.find_element(By.CSS_SELECTOR, '#accounts tr[data-account="zhou.xin"] form.disable button').click()
    desk.wait_for(lambda: desk.text("#done") == "已停用账号 zhou.xin，其登录已失效", what="the disable")
    assert "已停用" in desk.text('#accounts tr[data-account="zhou.xin"] .state')
    assert lead.get("/console/hall", body=False)[0] == 303
    assert ConsoleUser(hall, address="198.51.100.83").login("zhou.xin", "another-pass-77")[0] == 401
    audit = hall.web.accounts.with_name("console-accounts.audit.jsonl").read_text()
    assert "account_create" in audit and "account_disable" in audit
    assert "zhou-xin-2026!" not in audit and "another-pass-77" not in audit
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []


def test_the_accounts_page_refuses_bad_accounts_in_words_and_never_the_director_themselves(hall):
    user = ConsoleUser(hall, address="198.51.100.84")
    user.login("li.ming")
    user.get("/console/accounts")
    fields = {"name": "wu.yan", "role": "supervisor", "password": "long-enough-1", "again": "long-enough-1"}
    for changed, words in (({"again": "something-else"}, "两次输入的密码不一致"), ({"password": "short", "again": "short"}, "密码长度"),
                           ({"name": "Robert'); DROP"}, "用户名为2-32位"), ({"name": "zhao.min"}, "已存在"),
                           ({"role": "king"}, "角色无效"), ({"windows": "3;4"}, "负责窗口须为窗口号")):
        status, _, body = user.post("/console/accounts/new", {**fields, **changed})
        assert status == 400 and words in body, changed
    status, _, body = user.post("/console/accounts/li.ming/disable", {})
    assert status == 400 and "不能停用自己的账号" in body
    assert user.post("/console/accounts/nobody.here/reset", {"password": "x" * 12, "again": "x" * 12})[0] == 400
    assert user.post("/console/accounts/new", fields, csrf=False)[0] == 403
    assert "wu.yan" not in hall.web.accounts.read_text() and user.get("/console/hall")[0] == 200


def test_the_new_pages_in_english_say_nothing_in_chinese_of_their_own(hall):
    user = ConsoleUser(hall, address="198.51.100.85")
    user.login("li.ming")
    user.get("/console/hall")
    user.post("/console/prefs", {"lang": "en", "next": "/console/hall"})
    hall.take_ticket("tax")
    for path in ("/console/alerts", "/console/appointments", "/console/appointments/book", "/console/accounts"):
        status, _, body = user.get(path)
        # what people wrote and the names the hall gives (notes, the alert's text, items) may be Chinese
        own = re.sub(r"<(td|option|p class=\"(text|acked|assigned)\"|span class=\"(said|label|state)\")[^>]*>[^<]*<",
                     "", body)
        own = re.sub(r"<li data-step[^>]*>.*?</li>|<form class=\"lang\".*?</form>", "", own, flags=re.S)  # 中文: the switch
        assert status == 200 and not re.findall(r"[\u3400-\u9fff]+", own), (path, re.findall(r"[\u3400-\u9fff]+", own))


def test_a_duban_not_met_by_its_deadline_shows_overdue_on_the_board(hall):
    """The 督办 deadline is the next minute of the hall's clock: once it passes with the alert still
    open, the controller's review marks it overdue and the board says so, in red, and in the trail."""
    user = ConsoleUser(hall, address="198.51.100.86")
    user.login("zhao.min")
    hall.take_ticket("tax")
    deadline = time.monotonic() + 20
    while not hall.ask("admin-T2", "alerts", {})["alerts"] and time.monotonic() < deadline:
        time.sleep(0.5)
    alert = hall.ask("admin-T2", "alerts", {})["alerts"][0]
    now = datetime.now(ZoneInfo(hall.raw["timezone"]))
    due = (now + timedelta(minutes=2 if now.second > 50 else 1)).replace(second=0, microsecond=0)
    user.get("/console/alerts")
    status, _, _ = user.post(f"/console/alerts/{alert['id']}/escalate",
                             {"day": due.date().isoformat(), "time": due.strftime("%H:%M"), "note": "一分钟内办结"})
    assert status == 303

    def overdue_card():
        body = user.get("/console/alerts")[2]
        found = re.search(rf'<li class="alert [a-z]+ overdue" data-alert="{alert["id"]}">(.*?)</ol>', body, re.S)
        return found.group(1) if found else None
    card_html = None  # the mark shows once the deadline has passed; the step, at the next review (5 s)
    deadline = time.monotonic() + 90
    while not (card_html and 'data-step="overdue"' in card_html) and time.monotonic() < deadline:
        card_html = overdue_card()
        time.sleep(1)
    assert card_html is not None, "not marked overdue within 90 s"
    assert '<span class="late">督办超期</span>' in card_html and 'data-step="overdue"' in card_html

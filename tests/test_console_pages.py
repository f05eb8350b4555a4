"""The manager console in a real browser (headless chromium) against the real broker, controller
and `main.py web`: a director logs in and watches the live hall change when a window calls; a
supervisor acknowledges a 电子监察 alert with a note; a social supervisor sees the hall and is
refused the rest; a supervisor gives a 差评 to a person picked from the list (one not on it is
refused over HTTP) and walks a real-name and an anonymous 差评 from open to closed and the public
page publishes the reply. At the desktop size the console is made for (1366×768)."""
from __future__ import annotations

import copy
import re
import uuid

import pytest
from selenium.webdriver.common.by import By

from tests.support.console import PASSWORD, ROLE_USERS, ConsoleUser, log_in, poor_rating
from tests.support.web import WebHall

pytest_plugins = ("tests.support.web_fixtures",)


@pytest.fixture(scope="module")
def hall(broker, demo_raw, tmp_path_factory):
    """The demo hall, open all day, where a ticket waiting 2 s is a yellow card (an alert at once)."""
    raw = copy.deepcopy(demo_raw)
    raw["hall"], raw["ticketing_hours"] = f"c{uuid.uuid4().hex[:10]}", []
    raw["supervision"] = {"wait": {"yellow_s": 2, "red_s": 3600}}
    running = WebHall(raw, tmp_path_factory.mktemp("console"), broker)
    for role, name in ROLE_USERS.items():
        running.web.add_user(name, role, PASSWORD)
    yield running
    running.stop()




def cell(browser, window: int, what: str) -> str:
    return browser.text(f'#desk-now tr[data-window="{window}"] td.{what}')


def test_a_director_logs_in_and_sees_the_live_hall_change_when_a_window_calls(hall, desk):
    log_in(desk, hall, "li.ming", "wrong-password", wait=False)
    desk.wait_for(lambda: desk.text("#login-error") == "用户名或密码错误", what="the login refused")
    desk.console()  # its 401 is said there; what follows must say nothing
    log_in(desk, hall, "li.ming")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="the live hall after login")
    assert "li.ming（大厅管理员）" in desk.text("header .user")
    assert [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")] == [
        "大厅实况", "电子监察", "好差评与投诉咨询", "办件时限", "统计报表", "配置管理", "好差评上报", "我的窗口",
        "预约管理", "账号管理", "操作记录"]
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
    assert [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")] == [
        "大厅实况", "好差评与投诉咨询", "办件时限", "统计报表"]
    desk.wait_for(lambda: cell(desk, 3, "status"), what="the live hall")
    desk.open(hall.url("/console/cases", "console"))  # read-only: the queue without a single form
    assert desk.text("h1") == "好差评与投诉咨询" and not desk.driver.find_elements(By.CSS_SELECTOR, "main form")
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
def step(desk, case_id: str, status: str, note: str, verdict: str | None = None, reply: str | None = None) -> None:
    form = desk.driver.find_element(By.CSS_SELECTOR, f'li.case[data-case="{case_id}"] form[data-step="{status}"]')
    form.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys(note)
    if verdict:
        form.find_element(By.CSS_SELECTOR, f'select[name=verdict] option[value="{verdict}"]').click()
    if reply:
        form.find_element(By.CSS_SELECTOR, "textarea[name=reply]").send_keys(reply)
    desk.driver.execute_script("window.beforeStep = 'yes'")
    form.find_element(By.CSS_SELECTOR, "button").click()
    desk.wait_for(lambda: desk.driver.execute_script("return window.beforeStep") is None
                  and desk.text("#done") == f"已办理：{case_id}", what=f"{case_id} {status}")


def assign(desk, case_id: str, person: str) -> None:
    """Pick a person in the case's 指派 list (the 电子监察 board's list) and give the case to them."""
    form = desk.driver.find_element(By.CSS_SELECTOR, f'li.case[data-case="{case_id}"] form[data-step="assign"]')
    form.find_element(By.CSS_SELECTOR, f'select[name=assignee] option[value="{person}"]').click()
    desk.driver.execute_script("window.beforeStep = 'yes'")
    form.find_element(By.CSS_SELECTOR, "button").click()
    desk.wait_for(lambda: desk.driver.execute_script("return window.beforeStep") is None
                  and desk.text("#done") == f"已办理：{case_id}", what=f"{case_id} given to {person}")


def test_a_supervisor_walks_a_real_name_and_an_anonymous_poor_rating_to_closed(hall, desk):
    named, anonymous = poor_rating(hall, "13912345678"), poor_rating(hall, None)
    log_in(desk, hall, "zhao.min")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="logged in")
    desk.open(hall.url("/console/cases", "console"))
    fid, aid = named["followup_id"], anonymous["followup_id"]
    card = desk.text(f'li.case[data-case="{fid}"]')
    assert named["number"] in card and "139****5678" in card and "个工作日）" in card
    assert "匿名，无法回访" in desk.text(f'li.case[data-case="{aid}"]')
    # 指派: the people are the 电子监察 board's list (console users but the social supervisor, staff masked)
    people = [o.text for o in desk.driver.find_elements(
        By.CSS_SELECTOR, f'li.case[data-case="{fid}"] form[data-step="assign"] option')]
    assert "li.ming（大厅管理员）" in people and "王*华（工号1001）" in people
    assert not [p for p in people if "qian.jun" in p] and "王丽华" not in desk.text("main")
    assign(desk, fid, "staff-1001")
    assert desk.text(f'li.case[data-case="{fid}"] .assigned') == "承办人：王*华（工号1001）"
    # the real-name rating: no close before the call back; 回访, 整改 with what was done, 办结 with the verdict
    assert not desk.driver.find_elements(By.CSS_SELECTOR, f'li.case[data-case="{fid}"] form[data-step="closed"]')
    step(desk, fid, "visited", "已电话回访，群众反映等候过久")
    step(desk, fid, "rectifying", "高峰时段增开社保窗口")
    step(desk, fid, "closed", "整改完成", verdict="satisfied", reply="已在高峰时段增开一个社保窗口")
    assert not desk.driver.find_elements(By.CSS_SELECTOR, f'li.case[data-case="{fid}"]')
    # the anonymous one closes without a verdict: there is nobody to ask
    form = desk.driver.find_element(By.CSS_SELECTOR, f'li.case[data-case="{aid}"] form[data-step="closed"]')
    assert form.find_element(By.CSS_SELECTOR, "button").text == "匿名办结（无群众评价）"
    assert not form.find_elements(By.CSS_SELECTOR, "select[name=verdict]")
    step(desk, aid, "closed", "核查监控，窗口人员离岗", reply="已对窗口人员进行批评教育")
    closed = {c["id"]: c for c in hall.ask("admin-T2", "cases", {"status": "closed"})["cases"]}
    assert closed[fid]["verdict"] == "satisfied" and closed[aid]["verdict"] == "anonymous"
    assert closed[fid]["assignee"] == "staff-1001"
    assert [h["by"] for h in closed[aid]["history"]][-1] == "admin-T1/zhao.min"
    assert "100%" in desk.text("#satisfaction")  # 整改满意率: one verdict, satisfied; the anonymous close not counted

    def published():
        desk.open(hall.url("/ratings"))
        return "已在高峰时段增开一个社保窗口" in desk.text("main") and "已对窗口人员进行批评教育" in desk.text("main")
    desk.wait_for(published, what="the replies on the public ratings page")


def test_a_case_is_given_only_to_a_person_of_the_list(hall):
    """Over plain HTTP, as a forged form would post it: a name not on the list, or a social supervisor
    (read-only), is refused in words and never reaches the case; a member of the list is taken."""
    case_id = poor_rating(hall, None)["followup_id"]
    user = ConsoleUser(hall, address="198.51.100.80")
    user.login("zhao.min")
    user.get("/console/cases")
    path = f"/console/cases/{case_id}/step"
    for person in ("anyone at all", "qian.jun", "staff-9999"):
        status, _, body = user.post(path, {"status": "open", "assignee": person})
        assert status == 400 and "请从列表中选择承办人" in body, person
    [case] = [c for c in hall.ask("admin-T2", "cases", {})["cases"] if c["id"] == case_id]
    assert case["assignee"] is None and len(case["history"]) == 1  # nothing of it reached the case
    assert user.post(path, {"status": "open", "assignee": "li.ming"})[0] == 303
    [case] = [c for c in hall.ask("admin-T2", "cases", {})["cases"] if c["id"] == case_id]
    assert case["assignee"] == "li.ming" and case["history"][-1]["note"] == "指派 li.ming / assigned to li.ming"

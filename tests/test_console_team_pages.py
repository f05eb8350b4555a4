"""我的窗口 in a real browser (headless chromium) against the real broker, controller and `main.py web`:
a window lead resets the PIN of a member of staff of their window and a clerk logs in with it on a
real caller link, seen at once in the lead's live view, which lists their windows only; forged
posts for another lead's staff or a window not theirs are refused with 403 and change nothing; a
lead without windows is refused the page. At 1366×768."""
from __future__ import annotations

import copy
import uuid

import pytest
from selenium.webdriver.common.by import By

from tests.support.console import PASSWORD, ConsoleUser, log_in
from tests.support.live import live_caller
from tests.support.web import WebHall

pytest_plugins = ("tests.support.web_fixtures",)


@pytest.fixture(scope="module")
def hall(broker, demo_raw, tmp_path_factory):
    raw = copy.deepcopy(demo_raw)
    raw["hall"], raw["ticketing_hours"] = f"l{uuid.uuid4().hex[:10]}", []
    running = WebHall(raw, tmp_path_factory.mktemp("team"), broker)
    running.web.add_user("sun.li", "window_lead", PASSWORD, "--windows", "3,4")
    running.web.add_user("wu.lead", "window_lead", PASSWORD)  # no windows yet
    yield running
    running.stop()




def staff_now(hall) -> tuple[int, dict]:
    got = hall.ask("admin-T2", "config_get")
    return got["version"], got["config"]["staff"]


def test_a_lead_resets_a_pin_and_the_clerk_logs_in_with_it_seen_live_on_their_windows_only(hall, desk, broker):
    log_in(desk, hall, "sun.li")
    assert "我的窗口" in [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")]
    desk.driver.find_element(By.LINK_TEXT, "我的窗口").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, "#team tr[data-staff]"), what="the team")
    assert [r.get_attribute("data-staff") for r in desk.driver.find_elements(By.CSS_SELECTOR, "#team tr[data-staff]")] \
        == ["1003", "1007"]  # the staff with window 3 or 4, and nobody else
    assert "刘*燕" in desk.text('#team tr[data-staff="1003"]') and "刘晓燕" not in desk.driver.page_source
    assert [r.get_attribute("data-window") for r in desk.driver.find_elements(
        By.CSS_SELECTOR, "#desk-now tr[data-window]")] == ["3", "4"]  # the live view: their windows only
    assert not desk.driver.find_elements(By.CSS_SELECTOR, "#desk-now .figures-card")
    desk.driver.find_element(By.CSS_SELECTOR, '#team tr[data-staff="1003"] a').click()
    desk.wait_for(lambda: desk.driver.find_elements(By.ID, "team-form"), what="1003's form")
    assert [b.get_attribute("value") for b in desk.driver.find_elements(By.NAME, "window")] == ["3", "4"]
    assert desk.text("#kept") == "另可登录（其他负责人的窗口，保持不变）：10号窗口"
    desk.driver.find_element(By.ID, "f-pin").send_keys("12")
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.ID, "e-pin"), what="the PIN refused")
    assert desk.text("#e-pin") == "PIN 须为4-8位数字"
    desk.console()  # its 400 is said there; what follows must say nothing
    version, _ = staff_now(hall)
    desk.driver.find_element(By.ID, "f-pin").send_keys("7316")
    desk.driver.find_element(By.ID, "w-4").click()  # 1003 no longer at window 4
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.text("#done") == f"已保存 1003：配置第 {version + 1} 版", what="saved")
    assert "7316" not in desk.driver.page_source
    _, staff = staff_now(hall)
    assert staff["1003"]["windows"] == [3, 10] and staff["1003"]["name"] == "刘晓燕"
    changed = hall.ask("admin-T2", "config_versions", {"limit": 1})["versions"][0]
    assert changed["user"] == "sun.li"  # the ledger records who
    desk.driver.execute_script("window.sameDocument = 'yes'")
    live, caller = live_caller(3, hall.hall, broker.port)
    try:
        live.pump(lambda: caller.online, timeout=20, what="the caller online")
        caller.login("1003", "7316")
        live.pump(lambda: caller.logged_in and not caller.busy, timeout=10, what="logged in with the new PIN")
        desk.wait_for(lambda: "1003" in desk.text('#desk-now tr[data-window="3"] td.staff'), timeout=5.0,
                      what="1003 at window 3 in the live view")
        assert desk.text('#desk-now tr[data-window="3"] td.status') == "空闲"
        assert desk.driver.execute_script("return window.sameDocument") == "yes"  # live, not reloaded
    finally:
        live.stop()
    hall.ask("window-3", "logout")
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held


def test_forged_posts_outside_the_leads_windows_are_refused_and_change_nothing(hall):
    lead = ConsoleUser(hall, address="198.51.100.70")
    assert lead.login("sun.li")[0] == 303
    assert lead.get("/console/team")[0] == 200
    version, before = staff_now(hall)
    for forged in ({"staff_id": "1001", "pin": "5555"},  # windows 1, 2, 12: another lead's
                   {"staff_id": "1001", "pin": "5555", "window": "3"},
                   {"staff_id": "1007", "pin": "5555", "window": "5"},  # a window not theirs
                   {"staff_id": "2999", "pin": "5555", "window": "3"}):  # nobody: not made by a lead
        status, _, body = lead.post("/console/team/staff", {**forged, "form_id": uuid.uuid4().hex})
        assert status == 403 and "您的角色无权进行此操作" in body, forged
    assert staff_now(hall) == (version, before)
    audit = hall.web.accounts.with_name(hall.web.accounts.stem + ".audit.jsonl").read_text()
    assert audit.count('"refused"') >= 4 and "5555" not in audit
    nobody = ConsoleUser(hall, address="198.51.100.71")
    assert nobody.login("wu.lead")[0] == 303
    assert nobody.get("/console/team")[0] == 403  # a lead without windows leads none
    assert nobody.get("/console/hall")[0] == 200

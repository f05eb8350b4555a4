"""Configuration as forms in a real browser (headless chromium) against the real broker, controller
and `main.py web`: a director makes a category with two items, a window and a member of staff with
a PIN, and a clerk logs in with that PIN on a real caller link and calls a ticket of the new
category; a bad value is said next to its field and changes nothing; a version is returned to and
the citizens' pages follow; a supervisor reads and may not change. At 1366×768."""
from __future__ import annotations

import copy
import re
import urllib.request
import uuid

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.support.console import PASSWORD, ROLE_USERS, ConsoleUser, log_in
from tests.support.live import live_caller
from tests.support.web import WebHall
from web import config_forms as cf

pytest_plugins = ("tests.support.web_fixtures",)
CATEGORY = {"key": "disab", "name_zh": "残疾人服务", "name_en": "Disability services", "prefix": "Q",
            "daily_cap": "80", "allow_green": True}
ITEMS = [
    {"key": "Q01", "name_zh": "残疾人证新办", "name_en": "New disability card", "category": "disab",
     "guide_basis_zh": "《残疾人保障法》", "guide_basis_en": "Disability Act", "guide_conditions_zh": "本市户籍",
     "guide_conditions_en": "Registered here", "guide_materials": "身份证 | ID card | 1\n照片 | Photo | 2",
     "guide_steps": "取号 | Take a ticket\n受理 | Apply", "guide_legal_limit_days": "20",
     "guide_promised_limit_days": "10", "guide_fees_zh": "不收费", "guide_fees_en": "Free", "guide_phone": "12345"},
    {"key": "Q02", "name_zh": "残疾人证换领", "name_en": "Disability card renewal", "category": "disab",
     "guide_basis_zh": "《残疾人证管理办法》", "guide_basis_en": "Card rules", "guide_conditions_zh": "持有旧证",
     "guide_conditions_en": "An old card", "guide_materials": "旧证 | Old card | 1", "guide_steps": "受理 | Apply",
     "guide_legal_limit_days": "15", "guide_promised_limit_days": "5", "guide_fees_zh": "不收费",
     "guide_fees_en": "Free", "guide_phone": "12345"},
]
WINDOW = {"key": "20", "name_zh": "20号窗口", "name_en": "Window 20", "primary": "disab", "green_channel": True}
STAFF = {"key": "2001", "name": "王芳", "windows": "20", "pin": "4831"}
SECOND_DIRECTOR = "wang.jie"
READ_AT = re.compile(r'name="expect_version" value="(\d+)"')


@pytest.fixture(scope="module")
def hall(broker, demo_raw, tmp_path_factory):
    raw = copy.deepcopy(demo_raw)
    raw["hall"], raw["ticketing_hours"] = f"g{uuid.uuid4().hex[:10]}", []
    running = WebHall(raw, tmp_path_factory.mktemp("config"), broker)
    for role, name in ROLE_USERS.items():
        running.web.add_user(name, role, PASSWORD)
    running.web.add_user(SECOND_DIRECTOR, "director", PASSWORD)
    yield running
    running.stop()




def fill(desk, values: dict) -> None:
    for name, value in values.items():
        box = desk.driver.find_element(By.ID, f"f-{name}")
        if box.get_attribute("type") == "checkbox":
            if box.is_selected() != bool(value):
                box.click()
        elif box.tag_name == "select":
            Select(box).select_by_value(value)
        else:
            box.clear()
            box.send_keys(value)


def save(desk, section: str, values: dict, said: str) -> None:
    desk.open(desk.hall.url(f"/console/config/{section}", "console"))
    fill(desk, values)
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.text("#done").startswith(said), what=f"{section} {values['key']} saved")


def version_now(desk) -> str:
    return desk.text("#config-version")


def test_a_director_makes_a_category_items_a_window_and_staff_and_a_clerk_calls_its_ticket(hall, desk, broker):
    desk.hall = hall
    log_in(desk, hall, "li.ming")
    assert "配置管理" in [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")]
    save(desk, "categories", CATEGORY, "已保存 disab：配置第 2 版")
    assert "残疾人服务" in desk.text('#entries tr[data-key="disab"]')
    for n, item in enumerate(ITEMS):
        save(desk, "items", item, f"已保存 {item['key']}：配置第 {3 + n} 版")
    save(desk, "windows", WINDOW, "已保存 20：配置第 5 版")
    save(desk, "staff", STAFF, "已保存 2001：配置第 6 版")
    row = desk.text('#entries tr[data-key="2001"]')
    assert "王*" in row and "王芳" not in row and "已设置" in row  # the name masked, no hash shown
    assert "4831" not in desk.driver.page_source and "pbkdf2" not in desk.driver.page_source
    audit = hall.web.accounts.with_name("console-accounts.audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "staff_set"' in audit and '"name": "王*"' in audit and "王芳" not in audit and "4831" not in audit
    config = hall.ask("admin-T2", "config_get")["config"]
    assert config["windows"]["20"]["primary"] == ["disab"] and config["items"]["Q02"]["guide"]["steps"] == [
        {"zh": "受理", "en": "Apply"}]
    assert config["staff"]["2001"]["pin_hash"].startswith("pbkdf2_sha256$")
    # a clerk at the new window logs in with the new PIN on a real caller link and calls the ticket
    live, caller = live_caller(20, hall.hall, broker.port)
    try:
        live.pump(lambda: caller.online, timeout=20, what="the caller online")
        caller.login("2001", "4831")
        live.pump(lambda: caller.logged_in and not caller.busy, timeout=10, what="logged in with the new PIN")
        ticket = hall.take_ticket("disab")
        assert ticket["number"] == "Q001"
        live.pump(lambda: caller.enabled("call_next"), timeout=10, what="呼叫下一位 enabled by the waiting ticket")
        assert caller.command("call_next") == ("call_next", {})
        live.pump(lambda: caller.current and caller.current.number == "Q001" and not caller.busy, timeout=10,
                  what=f"Q001 called at window 20 ({caller.message})")
    finally:
        live.stop()
    hall.ask("window-20", "finish")
    hall.ask("window-20", "logout")
    desk.open(hall.url("/guides/Q01"))
    assert "残疾人证新办" in desk.text("main") and "《残疾人保障法》" in desk.text("main")
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held


def test_a_bad_value_is_said_next_to_its_field_and_changes_nothing(hall, desk):
    log_in(desk, hall, "li.ming")
    desk.open(hall.url("/console/config/categories?key=disab", "console"))
    before = version_now(desk)
    fill(desk, {"daily_cap": "很多", "name_en": ""})
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, ".field-error"), what="the refusal")
    assert desk.text('[data-field="daily_cap"] .field-error') == "须为整数，不能是 '很多'"
    assert desk.text("#error") == "未保存：请按字段旁的提示修改，配置没有任何改动"
    assert desk.driver.find_element(By.ID, "f-daily_cap").get_attribute("value") == "很多"  # what was typed is kept
    assert version_now(desk) == before
    assert hall.ask("admin-T2", "config_get")["config"]["categories"]["disab"]["daily_cap"] == 80
    fill(desk, {"daily_cap": "80"})
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.text('[data-field="name_en"] .field-error'), what="the missing name")
    assert desk.text('[data-field="name_en"] .field-error') == "必须填写"
    desk.driver.find_element(By.CSS_SELECTOR, "form.lang button").click()  # English
    desk.wait_for(lambda: desk.text("h1") == "Configuration", what="the page in English")
    desk.open(hall.url("/console/config/windows", "console"))
    fill(desk, {"key": "13", "primary": "nosuch"})
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.text('[data-field="primary"] .field-error'), what="the unknown category")
    assert desk.text('[data-field="primary"] .field-error') == "unknown category 'nosuch'"
    assert "13" not in hall.ask("admin-T2", "config_get")["config"]["windows"]
    desk.driver.find_element(By.CSS_SELECTOR, "form.lang button").click()  # back to Chinese
    desk.wait_for(lambda: desk.text("h1") == "配置管理", what="the page in Chinese")
    # 潮汐窗口: a threshold and a rule by service saved; a switch-back above the switch-in refused at its field
    desk.open(hall.url("/console/config/tidal", "console"))
    fill(desk, {"tidal_open_wait_s": "900", "tidal_categories": "disab 600 - 120 1"})
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.text("#done").startswith("已保存：配置第"), what="the tidal rules saved")
    tidal = hall.ask("admin-T2", "config_get")["config"]["tidal"]
    assert tidal["open_wait_s"] == 900 and tidal["categories"]["disab"]["close_wait_s"] == 120
    assert desk.driver.find_element(By.ID, "f-tidal_categories").get_attribute("value") == "disab 600 - 120 1"
    before = version_now(desk)
    fill(desk, {"tidal_close_wait_s": "1000"})
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, ".field-error"), what="the tidal refusal")
    assert desk.text('[data-field="tidal_close_wait_s"] .field-error') == "调回的预计等候须小于调入的预计等候"
    assert desk.driver.find_element(By.ID, "f-tidal_close_wait_s").get_attribute("value") == "1000"
    assert version_now(desk) == before and hall.ask("admin-T2", "config_get")["config"]["tidal"]["close_wait_s"] == 300


def ask_to_return(desk, version: int) -> None:
    """恢复到此版本 on the history: the page asking to confirm, with what the return will change."""
    desk.driver.find_element(By.CSS_SELECTOR, f'#versions tr[data-version="{version}"] a.restore').click()
    desk.wait_for(lambda: desk.driver.find_elements(By.ID, "confirm-restore"), what=f"the return to {version} asked")


def test_a_version_is_returned_to_and_the_citizens_pages_follow(hall, desk):
    log_in(desk, hall, "li.ming")
    desk.open(hall.url("/console/config/versions", "console"))
    assert desk.text('#versions tr[data-version="3"] .by') == "li.ming"
    assert desk.text('#versions tr[data-version="3"] .changed') == "新增 事项 Q01"
    desk.driver.find_element(By.CSS_SELECTOR, '#versions tr[data-version="4"] a').click()
    desk.wait_for(lambda: desk.text("#shown h2") == "第 4 版的改动（与第 3 版相比）", what="the changes of version 4")
    assert "items.Q02" in desk.text("#shown") and "残疾人证换领" in desk.text("#shown")
    # back to the hall's file (version 1) would take away a service with a ticket waiting: refused, in words
    assert hall.take_ticket("disab")["number"] == "Q002"
    newest = int(desk.driver.find_element(By.CSS_SELECTOR, "#versions tbody tr").get_attribute("data-version"))
    ask_to_return(desk, 1)
    assert desk.text("#shown h2") == f"确认后将做的改动（当前第 {newest} 版 → 第 1 版的内容）"
    assert any(row.text.startswith("categories.disab 删除")
               for row in desk.driver.find_elements(By.CSS_SELECTOR, "#shown tbody tr"))
    assert hall.ask("admin-T2", "config_get")["version"] == newest, "asking changes nothing"
    desk.driver.find_element(By.ID, "confirm-restore").click()
    desk.wait_for(lambda: desk.text("#error"), what="the refused return")
    assert desk.text("#error") == "categories.disab: 该业务今天还有号码，当天结束后才能删除"
    assert int(desk.driver.find_element(By.CSS_SELECTOR, "#versions tbody tr").get_attribute("data-version")) == newest
    # back to version 2: only the category (its window and staff came later; going back removes them)
    ask_to_return(desk, 2)
    assert desk.text("#restore-ask").startswith(f"恢复后，配置成为新的第 {newest + 1} 版")
    assert "items.Q01" in desk.text("#shown") and "windows.20" in desk.text("#shown")
    desk.driver.find_element(By.ID, "confirm-restore").click()
    desk.wait_for(lambda: desk.text("#done"), what="the return")
    assert desk.text("#done") == f"已恢复到第 2 版，成为第 {newest + 1} 版"
    assert desk.text(f'#versions tr[data-version="{newest + 1}"] .changed').startswith("恢复至第 2 版")
    config = hall.ask("admin-T2", "config_get")["config"]
    assert "Q01" not in config["items"]
    assert "20" not in config["windows"]
    assert "disab" in config["categories"]

    def guides_follow():
        desk.open(hall.url("/guides"))
        return "残疾人证新办" not in desk.text("main")
    desk.wait_for(guides_follow, what="the guides without the items returned from")
    desk.open(hall.url("/console/config/items", "console"))
    assert not desk.driver.find_elements(By.CSS_SELECTOR, '#entries tr[data-key="Q01"]')


def test_a_supervisor_reads_the_config_and_changes_nothing_and_the_director_exports_yaml(hall):
    supervisor = ConsoleUser(hall, address="198.51.100.61")
    supervisor.login(ROLE_USERS["supervisor"])
    status, _, body = supervisor.get("/console/config/categories")
    assert status == 200 and "您可以查看配置，修改由大厅管理员进行" in body and 'id="config-form"' not in body
    status, _, body = supervisor.get("/console/config/categories?key=tax")
    assert status == 200 and 'id="f-prefix" name="prefix" value="E" disabled' in body and 'id="save"' not in body
    status, _, body = supervisor.post("/console/config/categories", {"key": "tax", "name_zh": "x"})
    assert status == 403
    assert supervisor.get("/console/config/export.yaml", body=False)[0] == 403
    director = ConsoleUser(hall, address="198.51.100.62")
    director.login(ROLE_USERS["director"])
    request = urllib.request.Request(director.url("/console/config/export.yaml"), headers=director._headers())
    with urllib.request.urlopen(request) as answer:
        assert answer.headers["Content-Disposition"].startswith('attachment; filename="hall-')
        exported = yaml.safe_load(answer.read().decode("utf-8"))
    assert exported["hall"] == hall.hall and "disab" in exported["categories"]


def test_two_directors_save_one_entry_and_the_second_is_told_keeping_what_was_typed(hall):
    """Both open 社保 at the same version; the first saves; the second's save is refused as a
    conflict naming the version now, the form keeping the 99 typed and carrying the version now."""
    first, second = ConsoleUser(hall, address="198.51.100.71"), ConsoleUser(hall, address="198.51.100.72")
    first.login(ROLE_USERS["director"])
    second.login(SECOND_DIRECTOR)
    read_at = READ_AT.search(first.get("/console/config/categories?key=tax")[2]).group(1)
    assert READ_AT.search(second.get("/console/config/categories?key=tax")[2]).group(1) == read_at
    shown = {**cf.values_of(cf.CATEGORY, hall.ask("admin-T2", "config_get")["config"]["categories"]["tax"]), "key": "tax"}
    status, headers, _ = first.post("/console/config/categories", {**shown, "daily_cap": "301",
                                                                   "expect_version": read_at})
    assert status == 303 and f"version={int(read_at) + 1}" in headers["Location"]
    status, _, body = second.post("/console/config/categories", {**shown, "daily_cap": "99", "expect_version": read_at})
    now = int(read_at) + 1
    assert status == 409
    assert re.search(r'id="error">([^<]*)<', body).group(1) == f"配置已被他人修改（现为第{now}版），请刷新后再改"
    assert 'id="f-daily_cap" name="daily_cap" value="99"' in body and READ_AT.search(body).group(1) == str(now)
    assert hall.ask("admin-T2", "config_get")["config"]["categories"]["tax"]["daily_cap"] == 301


def test_a_return_is_asked_first_without_javascript_and_refused_when_the_config_moved_since(hall):
    """The confirmation is a page (GET changes nothing) whose form carries the version it showed the
    changes against; a save by someone else in between makes the return a conflict, asked again."""
    first, second = ConsoleUser(hall, address="198.51.100.73"), ConsoleUser(hall, address="198.51.100.74")
    first.login(ROLE_USERS["director"])
    second.login(SECOND_DIRECTOR)
    now = hall.ask("admin-T2", "config_get")["version"]
    status, _, body = second.get(f"/console/config/versions/restore?version={now - 1}")
    assert status == 200 and 'id="confirm-restore"' in body and READ_AT.search(body).group(1) == str(now)
    assert hall.ask("admin-T2", "config_get")["version"] == now
    assert second.post("/console/config/versions/restore", {"version": now - 1, "expect_version": now},
                       csrf=False)[0] == 403
    shown = {**cf.values_of(cf.CATEGORY, hall.ask("admin-T2", "config_get")["config"]["categories"]["tax"]),
             "key": "tax", "daily_cap": "302", "expect_version": now}
    assert first.post("/console/config/categories", shown)[0] == 303
    status, _, body = second.post("/console/config/versions/restore", {"version": now - 1, "expect_version": now})
    assert status == 409
    assert re.search(r'id="error">([^<]*)<', body).group(1) == f"配置已被他人修改（现为第{now + 1}版），请刷新后再改"
    assert READ_AT.search(body).group(1) == str(now + 1) and "categories.tax.daily_cap" in body
    assert hall.ask("admin-T2", "config_get")["config"]["categories"]["tax"]["daily_cap"] == 302
    status, headers, _ = second.post("/console/config/versions/restore", {"version": now - 1,
                                                                          "expect_version": now + 1})
    assert status == 303 and f"restored={now - 1}&version={now + 2}" in headers["Location"]


def test_the_provincial_platforms_address_and_token_are_typed_saved_and_never_shown_and_remote_tickets_need_a_notifier(
        hall, desk):
    log_in(desk, hall, "li.ming")
    desk.open(hall.url("/console/config/ratings", "console"))
    assert desk.text('[data-field="rating_reports_url"] .hint').startswith("当前：未设置")
    fill(desk, {"rating_reports_enabled": True, "rating_reports_url": "https://pj.example.gov.cn/rate?key=s3cret",
                "rating_reports_headers": "Authorization: Bearer t0ken", "ratings_followup_working_days": "4"})
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.text("#done").startswith("已保存：配置第"), what="the ratings saved")
    config = hall.ask("admin-T2", "config_get")["config"]
    assert config["rating_reports"]["headers"] == {"Authorization": "Bearer t0ken"}
    assert config["rating_reports"]["url"].endswith("key=s3cret") and config["ratings"]["followup_working_days"] == 4
    assert desk.text('[data-field="rating_reports_url"] .hint').startswith("当前：已设置（pj.example.gov.cn）")
    assert desk.text('[data-field="rating_reports_headers"] .hint').startswith("当前：已设置")
    assert "s3cret" not in desk.driver.page_source and "t0ken" not in desk.driver.page_source
    fill(desk, {"cases_complaint_working_days": "6"})  # saved again with the secrets left blank: they are kept
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: hall.ask("admin-T2", "config_get")["config"]["cases"]["complaint_working_days"] == 6,
                  what="the complaint deadline saved")
    assert hall.ask("admin-T2", "config_get")["config"]["rating_reports"]["headers"] == {"Authorization": "Bearer t0ken"}
    desk.open(hall.url("/console/config/versions?show=" + str(hall.ask("admin-T2", "config_get")["version"] - 1),
                       "console"))
    assert "rating_reports.url" in desk.text("#shown") and "s3cret" not in desk.driver.page_source
    # 线上取号 on without a way to send its codes: refused beside the switch
    desk.open(hall.url("/console/config/remote", "console"))
    before = version_now(desk)
    fill(desk, {"remote_ticket_enabled": True})
    desk.driver.find_element(By.ID, "save").click()
    desk.wait_for(lambda: desk.driver.find_elements(By.CSS_SELECTOR, ".field-error"), what="the remote refusal")
    assert desk.text('[data-field="remote_ticket_enabled"] .field-error') == \
        "线上取号的验证码须经短信通知发送：请先把短信通知设为 webhook（短信网关）或 log"
    assert version_now(desk) == before and not hall.ask("admin-T2", "config_get")["config"]["remote_ticket"]["enabled"]

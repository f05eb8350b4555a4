"""有诉即办 / 办不成事 on the phone against the real broker, the real controller (on a hall clock the
test moves) and `main.py web`: in headless chromium at 360×640 a citizen reports a thing they could
not get done, sees its reference, its code and the answer date in working days, looks it up with
their phone's last four digits; days pass, the case runs late and its 电子监察 alert is raised on
the alert topic (yellow, then red); the hall answers and the look-up shows the published reply.
Over plain HTTP the attacks: no CSRF token, a form posted twice, one address's and one phone's
allowance, guessed references and wrong factors (the same answer, counted and locked)."""
from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from testbed.web import get
from tests.support.hall import HallClock, Inbox, at
from tests.support.web import form, inline_code, post

pytest_plugins = ("tests.support.web_fixtures",)
HALL_CLOCK = HallClock(at("10:00", "2026-11-23"))  # a Monday: 5 working days end on Monday 30 November
REF = re.compile(r'class="booking-code case-ref">([A-Z]{2}-[0-9-]+)<')
CODE = re.compile(r'class="booking-code case-code">([A-Z2-7]{8})<')
ERROR = re.compile(r'class="form-error" role="alert">([^<]*)<')


def complaint(web_hall, address: str, text: str, phone: str = "", **fields):
    cookie, token, request_id = form(web_hall, "/complain", address)
    sent = {"kind": "complaint", "text": text, "phone": phone, "request_id": request_id, "csrf": token, **fields}
    return post(web_hall, "/complain", sent, cookie, address)


def cases_saying(web_hall, text: str) -> list[dict]:
    return [c for c in web_hall.ask("admin-B1", "cases", {})["cases"] if c["text"] == text]


def test_no_csrf_is_refused_and_a_form_posted_twice_is_one_case(web_hall):
    address, text = "198.51.100.91", "叫号屏不显示我的号"
    cookie, token, request_id = form(web_hall, "/complain", address)
    fields = {"kind": "complaint", "text": text, "request_id": request_id}
    assert post(web_hall, "/complain", fields, cookie, address)[0] == 403
    assert post(web_hall, "/complain", {**fields, "csrf": token}, None, address)[0] == 403
    first = post(web_hall, "/complain", {**fields, "csrf": token}, cookie, address)
    again = post(web_hall, "/complain", {**fields, "csrf": token}, cookie, address)
    assert first[0] == again[0] == 200 and first[1]["Cache-Control"] == "no-store"
    assert "script-src 'self'" in first[1]["Content-Security-Policy"] and inline_code(first[2]) == []
    ref = REF.search(first[2]).group(1)
    assert REF.search(again[2]).group(1) == ref and CODE.search(again[2]).group(1) == CODE.search(first[2]).group(1)
    assert [c["id"] for c in cases_saying(web_hall, text)] == [ref]
    assert "您未留手机号" in first[2] and "5个工作日内，即2026-11-30前" in first[2]


def test_what_is_typed_is_checked_before_anything_is_sent(web_hall):
    address = "198.51.100.92"
    for fields, said in (({"text": "  "}, "请说明经过"), ({"text": "x" * 501}, "最多500字"),
                         ({"text": "x", "phone": "1234"}, "请输入11位手机号"), ({"text": "x", "item": "NOPE"}, "无效"),
                         ({"text": "x", "window": "99"}, "无效"), ({"text": "x", "kind": "consultation"}, "反映类型")):
        status, _, body = complaint(web_hall, address, **fields)
        assert status == 400 and said in ERROR.search(body).group(1), (fields, body)
    assert complaint(web_hall, address, "表格太难填")[0] == 200  # the typos cost this address nothing


def test_one_address_and_one_phone_get_a_few_complaints(web_hall):
    sent = [complaint(web_hall, "192.0.2.91", f"第{n}次投诉") for n in range(4)]
    assert [s[0] for s in sent] == [200, 200, 200, 429]
    assert "提交过于频繁" in sent[-1][2] and int(sent[-1][1]["Retry-After"]) >= 60
    assert "第3次投诉" in sent[-1][2]  # what was typed is kept for later
    by_phone = [complaint(web_hall, f"192.0.2.{100 + n}", f"同一手机号{n}", phone="13700001111") for n in range(4)]
    assert [s[0] for s in by_phone] == [200, 200, 200, 429]
    assert complaint(web_hall, "192.0.2.110", "另一个手机号", phone="13700002222")[0] == 200


def test_guessed_references_and_wrong_factors_learn_nothing_and_are_locked(web_hall):
    text = "窗口人员说材料不全但没说缺什么"
    mine = complaint(web_hall, "203.0.113.91", text, phone="13900001357")
    ref, code = REF.search(mine[2]).group(1), CODE.search(mine[2]).group(1)
    assert get(web_hall.url("/complain/not-a-ref"))[0] == 404

    def look(address: str, case_ref: str, factor: str):
        cookie, token, _ = form(web_hall, f"/complain/{case_ref}", address)
        return post(web_hall, f"/complain/{case_ref}", {"factor": factor, "csrf": token}, cookie, address)

    guessed = look("203.0.113.92", re.sub(r"\d{3}$", "999", ref), code)     # someone else's number, any code
    wrong = look("203.0.113.93", ref, "0000")
    assert guessed[0] == wrong[0] == 404 and ERROR.search(guessed[2]).group(1) == ERROR.search(wrong[2]).group(1)
    assert text not in wrong[2] and "1357" not in wrong[2]
    attempts = [look(f"203.0.113.{94 + n}", ref, f"{n:04d}") for n in range(4)]  # from many addresses
    assert [a[0] for a in attempts] == [404, 404, 404, 429]                 # the 5th wrong for this case locks it
    assert "查询错误次数过多" in ERROR.search(attempts[-1][2]).group(1)
    owner = look("203.0.113.91", ref, code)
    assert owner[0] == 429 and text not in owner[2]                         # locked even for its owner, for a while
    tries = [look("203.0.113.120", ref, "1111") for _ in range(6)]          # one address: the web's own allowance
    assert tries[-1][0] == 429 and "查询过于频繁" in ERROR.search(tries[-1][2]).group(1)
    HALL_CLOCK.now += 901                                                   # progress_lock.lock_s passes
    opened = look("203.0.113.91", ref, "1357")
    assert opened[0] == 200 and "已受理" in opened[2] and "2026-11-30" in opened[2]
    assert opened[1]["Cache-Control"] == "no-store"


def test_a_phone_reports_a_thing_not_done_and_a_late_one_raises_its_alert(web_hall, phone):
    inbox = Inbox()
    web_hall.controller.device("display-alerts", deliver=inbox, watch=(f"qms/{web_hall.hall}/event/alert",))
    phone.open(web_hall.url("/hall"))
    phone.driver.find_element(By.CSS_SELECTOR, 'main a[href="/complain"]').click()
    phone.wait_for(lambda: phone.text("main h1") == "有诉即办 · 办不成事反映", what="the complaint page")
    phone.driver.find_element(By.CSS_SELECTOR, 'input[name=kind][value=undone]').click()
    Select(phone.driver.find_element(By.ID, "item")).select_by_value("C01")
    Select(phone.driver.find_element(By.ID, "window")).select_by_value("5")
    phone.driver.find_element(By.ID, "text").send_keys("二手房过户说系统里查不到我的房，让我去别处问，跑了三次")
    phone.driver.find_element(By.ID, "phone").send_keys("139 0000 2468")
    phone.driver.find_element(By.CSS_SELECTOR, "form.complain button[type=submit]").click()
    phone.wait_for(lambda: phone.text("section.complained h1") == "已收到您的反映", what="the promise")
    ref, facts = phone.text(".case-ref"), phone.text("section.complained dl")
    assert re.fullmatch(r"BC-2026-11-23-\d{3}", ref) and re.fullmatch(r"[A-Z2-7]{8}", phone.text(".case-code"))
    assert "5个工作日内，即2026-11-30前" in facts and "二手房转移登记" in facts and "5号窗口" in facts
    assert "2468" not in phone.driver.page_source and phone.driver.current_url.endswith("/complain")
    [case] = [c for c in web_hall.ask("admin-B1", "cases", {"kind": "undone"})["cases"] if c["id"] == ref]
    assert case["channel"] == "web" and case["phone"] == "139****2468" and case["window"] == 5 and case["item"] == "C01"

    def look_up(factor: str) -> str:
        phone.open(web_hall.url(f"/complain/{ref}"))
        phone.driver.find_element(By.ID, "factor").send_keys(factor)
        phone.driver.find_element(By.CSS_SELECTOR, "form.query button[type=submit]").click()
        phone.wait_for(lambda: phone.driver.find_elements(By.CSS_SELECTOR, "section.case"), what="the case")
        return phone.text("section.case")

    assert "已受理" in look_up("2468") and "正在办理" in phone.text("section.case")

    warn = 86400  # supervision.followup_warn_s
    HALL_CLOCK.now = case["deadline_at"] - warn + 5
    _, yellow = inbox.wait_for(lambda t, d: d.get("kind") == "followup_due" and d.get("followup_id") == ref)
    assert yellow["level"] == "yellow" and yellow["window"] == 5 and yellow["text"]["zh"].startswith(f"办不成事反映{ref}")
    HALL_CLOCK.now = case["deadline_at"] + 5
    _, red = inbox.wait_for(lambda t, d: d.get("followup_id") == ref and d.get("change") == "escalated")
    assert red["level"] == "red"
    assert ref in [a.get("followup_id") for a in web_hall.ask("admin-B1", "alerts", {})["alerts"]]
    assert "已超过答复期限" in look_up("2468")

    web_hall.ask("admin-B1", "case_update", {"case_id": ref, "status": "visited", "note": "已电话联系，内部记录"})
    web_hall.ask("admin-B1", "case_update", {"case_id": ref, "status": "closed", "note": "办结", "verdict": "satisfied",
                                             "reply": "已核实房屋信息并当场办结，窗口已按首问负责制整改"})
    shown = look_up("2468")
    assert "已办结" in shown and "已核实房屋信息并当场办结" in shown and "内部记录" not in shown
    HALL_CLOCK.now += 10                                                    # the next review sees it closed
    inbox.wait_for(lambda t, d: d.get("followup_id") == ref and d.get("change") == "closed")
    assert "13900002468" not in web_hall.web.log() and "2468" not in web_hall.web.log()
    problems = [e["message"] for e in phone.console() if e["level"] in ("SEVERE", "WARNING")]
    assert problems == [], problems

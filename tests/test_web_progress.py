"""办理进度 on the phone and the 一次性告知单, against the real broker, `main.py controller` and
`main.py web`: in headless chromium the number and its second factor show the application's steps
(and a wrong factor the controller's words); over plain HTTP the form's CSRF check, the
per-address allowance that keeps one visitor from spending the web device's tries, the lock of a
number coming through, and that no answer is kept (no-store, nothing in the address)."""
from __future__ import annotations

import re
import urllib.parse

from selenium.webdriver.common.by import By

from testbed.web import DESKTOP, PHONE, get
from tests.support.web import CONTRAST, ask_in_browser, inline_code

pytest_plugins = ("tests.support.web_fixtures",)
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]+)"')
CJK = re.compile(r"[\u3400-\u9fff]")


def application(web_hall, number: str, status: str = "submitted", note: str = "") -> str:
    """An application stored by the back office (admin `progress_set`); returns its query code."""
    return web_hall.ask("admin-P1", "progress_set", {"application_no": number, "item": "C01", "status": status,
                                                     "note": note, "applicant_name": "王小明",
                                                     "phone": "13812345678"})["query_code"]


def test_a_phone_sees_the_steps_of_its_application_with_the_last_four_digits(web_hall, phone):
    application(web_hall, "SQ2026100")
    application(web_hall, "SQ2026100", "supplement", "请补交身份证复印件")
    phone.open(web_hall.url("/guides"))
    phone.driver.find_element(By.CSS_SELECTOR, 'nav a[href="/progress"]').click()
    phone.wait_for(lambda: phone.text("main h1") == "办理进度", what="the progress page")
    ask_in_browser(phone, "sq2026100", "5678")
    phone.wait_for(lambda: "需补正材料" in phone.text(".application-status"), what="the answer")
    answer = phone.text("section.application")
    assert "王*明" in answer and "王小明" not in answer and "138" not in answer
    steps = [e.text for e in phone.driver.find_elements(By.CSS_SELECTOR, "ol.history li")]
    assert len(steps) == 2 and "需补正材料" in steps[0] and "请补交身份证复印件" in steps[0] and "已受理" in steps[1]
    assert urllib.parse.urlsplit(phone.driver.current_url).path == "/progress"
    assert "5678" not in phone.driver.current_url and "SQ2026100" not in phone.driver.current_url
    worst = phone.driver.execute_script(CONTRAST)
    assert worst and worst[0][0] >= 4.5, worst
    ask_in_browser(phone, "SQ2026100", "0000")
    phone.wait_for(lambda: "未查询到该申请" in phone.text(".form-error"), what="the refusal")
    assert not phone.driver.find_elements(By.CSS_SELECTOR, "section.application")  # the earlier answer is gone
    problems = [entry["message"] for entry in phone.console() if entry["level"] in ("SEVERE", "WARNING")]
    assert all("status of 404" in p for p in problems), problems  # the refused look-up's own status, nothing else


def test_the_query_code_works_in_english_and_the_page_is_english(web_hall, browser):
    code = application(web_hall, "SQ2026101", "approved")
    browser.fresh()
    browser.view(*DESKTOP)
    browser.open(web_hall.url("/progress"))
    browser.driver.find_element(By.CSS_SELECTOR, ".switches button[name=lang]").click()
    browser.wait_for(lambda: browser.text("main h1") == "Application progress", what="English")
    ask_in_browser(browser, "SQ2026101", code.lower())
    browser.wait_for(lambda: "Completed" in browser.text(".application-status"), what="the answer")
    body = browser.text("main")
    assert [line for line in body.splitlines() if CJK.search(line) and "王*明" not in line] == []
    worst = browser.driver.execute_script(CONTRAST)
    assert worst and worst[0][0] >= 4.5, worst
    browser.view(*PHONE)


def test_the_notice_has_every_section_and_prints_without_the_menu(web_hall, phone):
    phone.open(web_hall.url("/guides/C03/notice"))
    labels = [e.text for e in phone.driver.find_elements(By.CSS_SELECTOR, "article.notice dt")]
    assert labels == ["受理条件", "办理流程", "办理时限", "收费标准", "办理窗口", "咨询电话", "设定依据"]
    assert phone.driver.find_elements(By.CSS_SELECTOR, "article.notice ul.materials li")
    assert "/guides/C03/notice" in phone.text("article.notice .share")
    phone.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = phone.driver.execute_script(
            "return ['header.top', 'footer.bottom', 'p.no-print'].map(s => document.querySelector(s))"
            ".filter(e => e).map(e => getComputedStyle(e).display)")
        assert hidden and set(hidden) == {"none"}, hidden
        assert phone.driver.find_element(By.CSS_SELECTOR, "article.notice").is_displayed()
    finally:
        phone.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


# --- over plain HTTP ---------------------------------------------------------------------------------


def visitor(web_hall, address: str) -> tuple[str, str]:
    _, headers, body = get(web_hall.url("/progress"), {"X-Forwarded-For": address})
    return headers["Set-Cookie"].split(";")[0], CSRF_FIELD.search(body).group(1)


def post(web_hall, fields: dict, cookie: str | None, address: str):
    sent = {"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address}
    if cookie:
        sent["Cookie"] = cookie
    return get(web_hall.url("/progress"), sent, urllib.parse.urlencode(fields).encode(), "POST")


def test_the_form_needs_its_csrf_token_and_the_answer_is_not_kept(web_hall):
    application(web_hall, "SQ2026102")
    address = "198.51.100.61"
    cookie, token = visitor(web_hall, address)
    fields = {"application_no": "SQ2026102", "factor": "5678"}
    for sent, with_cookie in ((fields, True), ({**fields, "csrf": "0" * 40}, True), ({**fields, "csrf": token}, False)):
        status, _, body = post(web_hall, sent, cookie if with_cookie else None, address)
        assert status == 403 and "页面已过期" in body and "已受理" not in body, sent
    status, headers, body = post(web_hall, {**fields, "csrf": token}, cookie, address)
    assert status == 200 and "已受理" in body and "王*明" in body
    assert headers["Cache-Control"] == "no-store" and "script-src 'self'" in headers["Content-Security-Policy"]
    status, headers, body = get(web_hall.url("/progress"), {"X-Forwarded-For": address})
    assert status == 200 and headers["Cache-Control"] == "no-store" and inline_code(body) == []
    assert "default-src 'none'" in headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert "SQ2026102" not in web_hall.web.log() and "5678" not in web_hall.web.log()


def test_one_address_gets_a_few_tries_and_a_typo_costs_none(web_hall):
    address, other = "203.0.113.61", "203.0.113.62"
    cookie, token = visitor(web_hall, address)
    typo = post(web_hall, {"application_no": "SQ2026199", "factor": "56", "csrf": token}, cookie, address)
    assert typo[0] == 400 and "请输入8位查询码" in typo[2]
    statuses = [post(web_hall, {"application_no": f"SQ202619{n}", "factor": "1234", "csrf": token}, cookie, address)
                for n in range(6)]  # each its own number: no number's lock, only this address's allowance
    assert [s[0] for s in statuses] == [404] * 5 + [429]
    assert "未查询到该申请" in statuses[0][2] and "查询过于频繁" in statuses[-1][2]
    assert int(statuses[-1][1]["Retry-After"]) >= 60
    cookie, token = visitor(web_hall, other)
    assert post(web_hall, {"application_no": "SQ2026199", "factor": "1234", "csrf": token}, cookie, other)[0] == 404


def test_a_number_locked_by_wrong_tries_from_many_addresses_is_locked_on_the_page(web_hall):
    application(web_hall, "SQ2026103")
    statuses = []
    for n in range(6):  # progress_lock.max_wrong 5 (the default), each try from its own address
        address = f"192.0.2.{70 + n}"
        cookie, token = visitor(web_hall, address)
        factor = "5678" if n == 5 else f"{1000 + n}"
        statuses.append(post(web_hall, {"application_no": "SQ2026103", "factor": factor, "csrf": token},
                             cookie, address))
    assert [s[0] for s in statuses] == [404] * 4 + [429, 429]
    assert "查询错误次数过多" in statuses[-1][2] and "已受理" not in statuses[-1][2]  # even the right factor now

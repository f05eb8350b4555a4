"""线上取号 on the phone against the real broker, `main.py controller` and `main.py web`, the code sent
through the webhook notifier to a local HTTP server standing for the SMS gateway: in headless
chromium at 360×640 a citizen picks a service (only those the hall offers online), types the mobile
number, reads the code the gateway received, types it and lands on the ticket's own page; the
controller issued the ticket with channel remote. Over plain HTTP: wrong codes lock the code, the
per-phone cap is refused in words, a form posted twice is one ticket, no CSRF token is refused."""
from __future__ import annotations

import re
import sqlite3
import time
import urllib.parse

import pytest
from selenium.webdriver.common.by import By

from testbed.web import DESKTOP, PHONE, get
from tests.support.notify import Gateway
from tests.support.web import CONTRAST, form, inline_code, post

pytest_plugins = ("tests.support.web_fixtures",)
CJK = re.compile(r"[\u3400-\u9fff]")
CHALLENGE = re.compile(r'name="challenge_id" value="(RC[A-Z2-7]{16})"')
ERROR = re.compile(r'class="form-error" role="alert">([^<]*)<')
SMS: dict = {}


def hall_changes(raw, folder) -> None:
    SMS["gateway"] = Gateway()
    raw["appointments"]["notify"] = {"backend": "webhook", "url": SMS["gateway"].url, "timeout_s": 5, "retries": 1,
                                     "backoff_s": 0.1}
    raw["remote_ticket"] = {"enabled": True, "per_phone_per_day": 1,
                            "categories": {"social": {}, "tax": {}, "fund": {"enabled": False}},
                            "code": {"max_tries": 3, "resend_s": 30, "valid_s": 300}}


@pytest.fixture(scope="module")
def sms(web_hall):
    yield SMS["gateway"]
    SMS["gateway"].close()


def code_sent(gateway: Gateway, phone: str, after: int = 0) -> str:
    """The code of the latest SMS the gateway received for the phone (waiting for it)."""
    deadline = time.monotonic() + 15
    while True:
        found = [n for n in gateway.received[after:] if n["kind"] == "remote_code" and n["phone"] == phone]
        if found:
            assert found[-1]["code"] in found[-1]["text"]["zh"] and found[-1]["code"] in found[-1]["text"]["en"]
            return found[-1]["code"]
        assert time.monotonic() < deadline, f"no code sent to {phone}"
        time.sleep(0.05)


def ask_code(web_hall, phone: str, address: str, category: str = "social") -> tuple[str, str, str, tuple]:
    """(cookie, csrf token, challenge id, the reply) of a mobile number posted on a service's page."""
    cookie, token, request_id = form(web_hall, f"/take/{category}", address)
    reply = post(web_hall, f"/take/{category}", {"phone": phone, "request_id": request_id, "csrf": token},
                 cookie, address)
    found = CHALLENGE.search(reply[2])
    return cookie, token, found.group(1) if found else "", reply


def enter(web_hall, cookie, token, challenge, code, address, request_id="ab" * 16):
    return post(web_hall, "/take", {"challenge_id": challenge, "code": code, "request_id": request_id,
                                         "csrf": token}, cookie, address)


def test_a_phone_takes_a_ticket_with_the_code_from_the_sms(web_hall, sms, phone):
    web_hall.staff(3)
    phone.open(web_hall.url("/hall"))
    phone.driver.find_element(By.CSS_SELECTOR, 'nav a[href="/take"]').click()
    phone.wait_for(lambda: phone.text("main h1") == "线上取号", what="the remote ticket page")
    offered = [a.get_attribute("href").rsplit("/", 1)[1] for a in phone.driver.find_elements(By.CSS_SELECTOR, "ul.take a")]
    assert offered == ["social", "tax"], "only the categories the hall gives tickets online for"
    assert "等候" in phone.text("ul.take") and "每个手机号每天可线上取号1次" in phone.text(".rules")
    phone.driver.find_element(By.CSS_SELECTOR, 'ul.take a[href="/take/social"]').click()
    phone.wait_for(lambda: phone.driver.find_elements(By.ID, "phone"), what="the phone form")
    assert phone.text("main h1") == "社保医保"
    sent_before = len(sms.received)
    phone.driver.find_element(By.ID, "phone").send_keys("13900002222")
    phone.driver.find_element(By.CSS_SELECTOR, "form.take-phone button[type=submit]").click()
    phone.wait_for(lambda: phone.driver.find_elements(By.ID, "code"), what="the code form")
    assert "验证码已发送至139****2222" in phone.text(".sent") and "13900002222" not in phone.driver.page_source
    code = code_sent(sms, "13900002222", sent_before)
    assert code not in phone.driver.page_source, "the code goes to the phone only"
    phone.driver.find_element(By.ID, "code").send_keys(code)
    phone.driver.find_element(By.CSS_SELECTOR, "form.take-code button[type=submit]").click()
    phone.wait_for(lambda: urllib.parse.urlsplit(phone.driver.current_url).path.startswith("/t/"),
                   what="the ticket's own page")
    token = urllib.parse.urlsplit(phone.driver.current_url).path.split("/")[2]
    phone.wait_for(lambda: re.search(r"B\d{3}", phone.text("#ticket-now")), what="the ticket on its page")
    number = re.search(r"B\d{3}", phone.text("#ticket-now")).group()
    db = sqlite3.connect(f"file:{web_hall.controller.db}?mode=ro", uri=True)
    try:
        channel, sealed = db.execute("SELECT channel, applicant_phone FROM tickets WHERE rating_token = ?",
                                     [token]).fetchone()
    finally:
        db.close()
    assert channel == "remote" and sealed and "13900002222" not in sealed, "issued remote, the phone sealed"
    called = web_hall.ask("window-3", "call_specific", {"number": number})["ticket"]
    assert called["rating_token"] == token and called["category"] == "social"
    phone.wait_for(lambda: "请到3号窗口" in phone.text("#ticket-now"), what="the call on the phone")
    web_hall.ask("window-3", "finish")
    log = web_hall.web.log()
    assert "13900002222" not in log and code not in log and token not in log
    problems = [e["message"] for e in phone.console() if e["level"] in ("SEVERE", "WARNING")]
    assert problems == [], problems


def test_wrong_codes_lock_and_a_new_code_is_needed(web_hall, sms):
    address, mobile = "198.51.100.61", "13900003333"
    sent_before, started = len(sms.received), time.monotonic()
    cookie, token, challenge, reply = ask_code(web_hall, mobile, address)
    assert reply[0] == 200 and challenge and reply[1]["Cache-Control"] == "no-store" and inline_code(reply[2]) == []
    right = code_sent(sms, mobile, sent_before)
    assert time.monotonic() - started < 2.0, "the code reaches the SMS gateway at once (~0.1 s here)"
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    said = []
    for n in range(3):
        answer = enter(web_hall, cookie, token, challenge, wrong, address, request_id=f"{n:032x}")
        said.append((answer[0], ERROR.search(answer[2]).group(1)))
    assert said == [(403, "验证码错误，还可尝试2次"), (403, "验证码错误，还可尝试1次"), (423, "验证码错误次数过多，请重新获取")]
    locked = enter(web_hall, cookie, token, challenge, right, address, request_id="f" * 32)
    assert locked[0] == 423 and 'name="code"' not in locked[2] and 'href="/take"' in locked[2]
    typo = enter(web_hall, cookie, token, challenge, "12", address, request_id="e" * 32)
    assert typo[0] == 400 and "请输入短信中的6位数字验证码" in typo[2]
    assert enter(web_hall, cookie, "0" * 40, challenge, right, address)[0] == 403  # no CSRF: refused before anything


def test_one_ticket_per_phone_a_day_and_a_double_post_is_one_ticket(web_hall, sms):
    address, mobile = "198.51.100.62", "13900004444"
    sent_before = len(sms.received)
    cookie, token, challenge, _ = ask_code(web_hall, mobile, address, "tax")
    code = code_sent(sms, mobile, sent_before)
    first = enter(web_hall, cookie, token, challenge, code, address, request_id="a" * 32)
    again = enter(web_hall, cookie, token, challenge, code, address, request_id="a" * 32)
    other = enter(web_hall, cookie, token, challenge, code, address, request_id="b" * 32)
    assert first[0] == again[0] == other[0] == 303
    assert first[1]["Location"] == again[1]["Location"] == other[1]["Location"]
    assert first[1]["Location"].startswith("/t/")
    status, _, body = get(web_hall.url(first[1]["Location"]), {"X-Forwarded-For": address})
    assert status == 200 and re.search(r"E\d{3}", body)
    _, _, challenge, refused = ask_code(web_hall, mobile, address, "social")
    assert refused[0] == 409 and not challenge
    assert ERROR.search(refused[2]).group(1) == "该手机号今日线上取号已达1次上限，可到厅现场取号"


def test_a_category_not_offered_has_no_page(web_hall):
    for path in ("/take/estate", "/take/fund"):
        status, _, body = get(web_hall.url(path), {"X-Forwarded-For": "198.51.100.63"})
        assert status == 409 and "该业务暂不提供线上取号" in body and 'name="phone"' not in body
    assert get(web_hall.url("/take/nope"), {"X-Forwarded-For": "198.51.100.63"})[0] == 404
    body = get(web_hall.url("/take"), {"X-Forwarded-For": "198.51.100.63"})[2]
    assert 'href="/take/social"' in body and 'href="/take/estate"' not in body and 'href="/take/fund"' not in body


def test_the_pages_in_english_and_their_contrast(web_hall, sms, browser):
    browser.fresh()
    browser.open(web_hall.url("/take"))
    browser.driver.find_element(By.CSS_SELECTOR, 'button[name="lang"]').click()
    browser.wait_for(lambda: browser.driver.execute_script("return document.documentElement.lang") == "en",
                     what="English")
    for size in (PHONE, DESKTOP):
        browser.view(*size)
        for path in ("/take", "/take/social"):
            browser.open(web_hall.url(path))
            text = browser.driver.find_element(By.TAG_NAME, "body").text
            assert CJK.findall(text.replace("中文", "")) == [], path
            worst = browser.driver.execute_script(CONTRAST)
            assert worst and worst[0][0] >= 4.5, (size, path, worst)
    browser.view(*PHONE)
    browser.driver.find_element(By.ID, "phone").send_keys("13900005555")
    browser.driver.find_element(By.CSS_SELECTOR, "form.take-phone button[type=submit]").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.ID, "code"), what="the code form")
    text = browser.driver.find_element(By.TAG_NAME, "body").text
    assert "The code was sent to 139****5555" in text and CJK.findall(text.replace("中文", "")) == []
    code_sent(sms, "13900005555")

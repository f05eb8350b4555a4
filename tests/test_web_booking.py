"""预约 on the phone against the real broker, `main.py controller` and `main.py web`: in headless
chromium at 360×640 a citizen finds an item by pinyin initials, picks a day, a time and books, sees
the code, the time, the windows and the materials, and cancels with the code and the last four
digits; the controller stores the booking (channel web) and then its cancelling, and the notifier
writes the confirmation. Over plain HTTP the attacks: no CSRF token, a form posted twice, wrong last
four digits (the same answer as an unknown code), one address's allowance, a full slot."""
from __future__ import annotations

import json
import re
import time
import urllib.parse
from datetime import date, timedelta

from selenium.webdriver.common.by import By

from testbed.web import get
from tests.support.web import form, inline_code, post

pytest_plugins = ("tests.support.web_fixtures",)
CODE = re.compile(r'class="booking-code">(YY[A-Z2-7]{8})<')
NOTICES: dict = {}


def hall_changes(raw, folder) -> None:
    NOTICES["path"] = folder / "notices.log"
    raw["appointments"]["notify"] = {"backend": "log", "log_path": str(NOTICES["path"])}


def open_day(web_hall, item: str = "C01", skip: int = 0) -> tuple[str, dict]:
    """A day ahead with free slots (the controller's own answer), and its first free slot that is still
    open to cancelling: the test hall books all day, so at 23:30 tomorrow's 00:00 slot is too near."""
    later = time.time() + 3 * 3600
    for n in range(1, 15):
        day = (date.today() + timedelta(days=n)).isoformat()
        free = [s for s in web_hall.ask("kiosk-T1", "appointment_slots", {"item": item, "date": day})["slots"]
                if s["left"] > 0 and not s["off_hours"] and s["start"] > later]
        if len(free) > skip:
            return day, free[skip]
    raise AssertionError("no bookable day")


def stored(web_hall, day: str, code: str) -> dict:
    rows = web_hall.ask("admin-B1", "appointments", {"date": day})["appointments"]
    return next(row for row in rows if row["code"] == code)


def test_a_phone_books_a_time_and_cancels_it(web_hall, phone):
    phone.open(web_hall.url("/hall"))
    phone.driver.find_element(By.CSS_SELECTOR, 'nav a[href="/book"]').click()
    phone.wait_for(lambda: phone.text("main h1") == "预约办事", what="the booking page")
    phone.driver.find_element(By.ID, "q").send_keys("ESF")
    phone.driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    phone.wait_for(lambda: "二手房转移登记" in phone.text("ul.items"), what="found by pinyin initials")
    phone.driver.find_element(By.CSS_SELECTOR, 'ul.items a[href="/book/C01"]').click()
    phone.wait_for(lambda: phone.text("main h2") == "请选择预约日期", what="the days")
    day, slot = open_day(web_hall)
    closed = phone.driver.find_elements(By.CSS_SELECTOR, "ul.days span.choice.off")
    assert closed and all(not e.find_elements(By.TAG_NAME, "a") for e in closed)  # today's past, weekends: not links
    phone.driver.find_element(By.CSS_SELECTOR, f'a.choice[href="/book/C01/{day}"]').click()
    phone.wait_for(lambda: phone.text("main h2") == "请选择预约时段", what="the times")
    assert f"余{slot['left']}" in phone.text(f'a.choice[href="/book/C01/{day}/{slot["start"]}"]')
    phone.driver.find_element(By.CSS_SELECTOR, f'a.choice[href="/book/C01/{day}/{slot["start"]}"]').click()
    phone.wait_for(lambda: phone.driver.find_elements(By.ID, "phone"), what="the phone form")
    phone.driver.find_element(By.ID, "phone").send_keys("13900001234")
    phone.driver.find_element(By.CSS_SELECTOR, "form.booking button[type=submit]").click()
    phone.wait_for(lambda: phone.text("section.booked h1") == "预约成功", what="the confirmation")
    code = phone.text(".booking-code")
    facts = phone.text("section.booked dl")
    assert re.fullmatch(r"YY[A-Z2-7]{8}", code) and f"{day} {slot['time']}" in facts
    assert "二手房转移登记" in facts and "号窗口" in facts and "139****1234" in facts and "13900001234" not in facts
    assert phone.driver.find_elements(By.CSS_SELECTOR, ".materials-card li")
    assert "已发送到您的手机" in phone.text(".reminder")
    assert urllib.parse.urlsplit(phone.driver.current_url).query == "" and "1390000" not in phone.driver.current_url
    row = stored(web_hall, day, code)
    assert row["status"] == "booked" and row["channel"] == "web" and row["item"] == "C01"
    assert row["slot_start"] == slot["start"] and row["phone"] == "139****1234"
    phone.wait_for(lambda: code in NOTICES["path"].read_text(encoding="utf-8") if NOTICES["path"].exists() else False,
                   what="the confirmation through the notifier")
    notice = [json.loads(line) for line in NOTICES["path"].read_text(encoding="utf-8").splitlines()][-1]
    assert notice["kind"] == "confirmation" and notice["code"] == code and "请携带" in notice["text"]["zh"]

    phone.driver.find_element(By.CSS_SELECTOR, 'main a[href="/book/cancel"]').click()
    phone.wait_for(lambda: phone.driver.find_elements(By.ID, "last4"), what="the cancel form")
    phone.driver.find_element(By.ID, "code").send_keys(code.lower())
    phone.driver.find_element(By.ID, "last4").send_keys("1234")
    phone.driver.find_element(By.CSS_SELECTOR, "form.booking button[type=submit]").click()
    phone.wait_for(lambda: "预约已取消" in phone.text(".cancelled"), what="cancelled")
    assert stored(web_hall, day, code)["status"] == "cancelled"
    assert "13900001234" not in web_hall.web.log() and code not in web_hall.web.log()
    problems = [e["message"] for e in phone.console() if e["level"] in ("SEVERE", "WARNING")]
    assert problems == [], problems


# --- over plain HTTP -----------------------------------------------------------------------------------


def test_no_csrf_is_refused_and_a_form_posted_twice_is_one_booking(web_hall):
    day, slot = open_day(web_hall, skip=1)
    path, address = f"/book/C01/{day}/{slot['start']}", "198.51.100.81"
    cookie, token, request_id = form(web_hall, path, address)
    fields = {"phone": "13900005678", "request_id": request_id}
    assert post(web_hall, path, fields, cookie, address)[0] == 403
    assert post(web_hall, path, {**fields, "csrf": token}, None, address)[0] == 403
    first = post(web_hall, path, {**fields, "csrf": token}, cookie, address)
    again = post(web_hall, path, {**fields, "csrf": token}, cookie, address)
    assert first[0] == again[0] == 200 and first[1]["Cache-Control"] == "no-store"
    assert "script-src 'self'" in first[1]["Content-Security-Policy"] and inline_code(first[2]) == []
    code = CODE.search(first[2]).group(1)
    assert CODE.search(again[2]).group(1) == code
    mine = [r for r in web_hall.ask("admin-B1", "appointments", {"date": day})["appointments"]
            if r["phone"] == "139****5678"]
    assert [r["code"] for r in mine] == [code]
    other_cookie, other_token, _ = form(web_hall, path, "198.51.100.82")  # someone else's id is not theirs
    replayed = post(web_hall, path, {**fields, "csrf": other_token}, other_cookie, "198.51.100.82")
    assert replayed[0] == 409 and code not in replayed[2] and "您当天已预约该事项" in replayed[2]


def test_wrong_last_four_says_what_an_unknown_code_says_and_cancels_nothing(web_hall):
    day, slot = open_day(web_hall, skip=2)
    booked = web_hall.ask("kiosk-T1", "book_appointment", {"item": "C01", "slot_start": slot["start"],
                                                           "channel": "kiosk", "applicant": {"phone": "13900009876"}})
    code = booked["appointment"]["code"]
    address = "203.0.113.81"
    cookie, token, _ = form(web_hall, "/book/cancel", address)
    wrong = post(web_hall, "/book/cancel", {"code": code, "last4": "1111", "csrf": token}, cookie, address)
    unknown = post(web_hall, "/book/cancel", {"code": "YYAAAAAAAA", "last4": "9876", "csrf": token}, cookie, address)
    assert wrong[0] == unknown[0] == 404
    said = [re.search(r'class="form-error" role="alert">([^<]*)<', r[2]).group(1) for r in (wrong, unknown)]
    assert said[0] == said[1] == "未找到该预约，请核对预约码和手机号"
    assert stored(web_hall, day, code)["status"] == "booked"
    assert post(web_hall, "/book/cancel", {"code": code, "last4": "9876"}, cookie, address)[0] == 403  # no CSRF


def test_one_address_gets_a_few_tries_and_a_typo_costs_none(web_hall):
    address = "192.0.2.81"
    cookie, token, _ = form(web_hall, "/book/cancel", address)
    typo = post(web_hall, "/book/cancel", {"code": "A001", "last4": "12", "csrf": token}, cookie, address)
    assert typo[0] == 400 and "请输入预约码" in typo[2]
    tries = [post(web_hall, "/book/cancel", {"code": f"YYAAAAAAA{c}", "last4": "1234", "csrf": token}, cookie, address)
             for c in "BCDEFG"]
    assert [t[0] for t in tries] == [404] * 5 + [429]
    assert "操作过于频繁" in tries[-1][2] and int(tries[-1][1]["Retry-After"]) >= 30


def test_a_full_slot_is_shown_disabled(web_hall):
    day, slot = open_day(web_hall, skip=3)
    for n in range(slot["left"]):
        web_hall.ask("kiosk-T1", "book_appointment", {"item": "C01", "slot_start": slot["start"], "channel": "kiosk",
                                                      "applicant": {"phone": f"1370000{n:04d}"}})
    full = f'<span class="choice off" aria-disabled="true"><span class="label">{slot["time"]}</span><span class="state">约满'
    deadline = time.monotonic() + 15  # the web process keeps a day's slots for 5 s
    while full not in (body := get(web_hall.url(f"/book/C01/{day}"), {"X-Forwarded-For": "192.0.2.91"})[2]):
        assert time.monotonic() < deadline, body
        time.sleep(0.2)
    assert f'href="/book/C01/{day}/{slot["start"]}"' not in body
    status, _, body = get(web_hall.url(f"/book/C01/{day}/{slot['start']}"), {"X-Forwarded-For": "192.0.2.91"})
    assert status == 409 and "刚刚约满" in body and 'name="phone"' not in body

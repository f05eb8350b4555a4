"""The public pages in a real browser (headless chromium) against the real broker, controller and
`main.py web`: live updates by Server-Sent Events, the guides' search, the CSP as the browser
enforces it, the switches, the contrast, at a phone's viewport and a desktop's."""
from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from testbed.web import DESKTOP, PHONE, get
from tests.support.web import CONTRAST

pytest_plugins = ("tests.support.web_fixtures",)

CJK = re.compile(r"[\u3400-\u9fff]")
PAGES = ["/hall", "/guides", "/guides?q=BDC", "/guides/C03", "/guides/C03/notice", "/ratings", "/book", "/book/C01",
         "/book/cancel", "/complain", "/complain/TS-2026-11-23-001", "/take"]



def waiting_in(browser, category: str) -> str:
    return browser.text(f'#hall-now tr[data-category="{category}"] td.waiting')


def test_the_hall_page_shows_a_new_ticket_within_a_second_without_reloading(web_hall, phone):
    phone.open(web_hall.url("/hall"))
    phone.wait_for(lambda: web_hall.web.health()["streams"] >= 1, what="the page's event stream open")
    before = int(phone.wait_for(lambda: waiting_in(phone, "social"), what="the queues").split()[0])
    phone.driver.execute_script("window.sameDocument = 'yes'")
    web_hall.take_ticket("social")
    phone.wait_for(lambda: waiting_in(phone, "social").split()[0] == str(before + 1), timeout=1.0,
                   what="the new ticket in the queue")
    assert phone.driver.execute_script("return window.sameDocument") == "yes"  # no reload: the live part changed


def test_the_hall_page_shows_a_call_and_the_window_serving_it(web_hall, phone):
    web_hall.staff(3)
    ticket = web_hall.take_ticket("social")
    phone.open(web_hall.url("/hall"))
    phone.wait_for(lambda: web_hall.web.health()["streams"] >= 1, what="the page's event stream open")
    called = web_hall.ask("window-3", "call_next")["ticket"]
    assert called["number"] <= ticket["number"]
    phone.wait_for(lambda: called["number"] in phone.text("#hall-now ol.calls"), timeout=1.0, what="the call")
    window = phone.text("#hall-now ul.windows")
    assert "3号窗口" in window and called["number"] in window


def test_guides_are_found_by_pinyin_initials_and_show_every_section(web_hall, phone):
    phone.open(web_hall.url("/guides"))
    box = phone.driver.find_element(By.ID, "q")
    box.send_keys("BDC", Keys.ENTER)
    phone.wait_for(lambda: "q=BDC" in phone.driver.current_url, what="the search")
    names = [e.text for e in phone.driver.find_elements(By.CSS_SELECTOR, "ul.items .name")]
    assert names == ["不动产权证书补换"]
    phone.driver.find_element(By.CSS_SELECTOR, "ul.items a").click()
    headings = [e.text for e in phone.driver.find_elements(By.CSS_SELECTOR, "main section h2")]
    assert headings == ["受理条件", "申请材料", "办理流程", "办理时限", "收费标准", "办理窗口", "咨询电话", "设定依据"]
    phone.driver.find_element(By.CSS_SELECTOR, "a.button").click()
    assert phone.text("article.notice h1") == "一次性告知单"
    assert phone.driver.find_element(By.CSS_SELECTOR, "button[data-print]").is_displayed()  # the script ran


def test_no_page_breaks_its_csp_and_every_script_runs(web_hall, phone):
    for path in PAGES:
        phone.open(web_hall.url(path))
        assert phone.driver.execute_script("return typeof htmx") == "object", path
        problems = [entry["message"] for entry in phone.console() if entry["level"] in ("SEVERE", "WARNING")]
        assert problems == [], path
        inline = phone.driver.execute_script(
            "return [...document.scripts].filter(s => !s.src).length + document.querySelectorAll('style,[style]').length")
        assert inline == 0, path


def test_remote_tickets_are_off_by_default_and_the_page_says_so(web_hall, phone):
    status, _, body = get(web_hall.url("/take"), {"X-Forwarded-For": "198.51.100.71"})
    assert status == 200 and "本厅暂未开通线上取号" in body and 'href="/take/' not in body
    english = get(web_hall.url("/take"), {"X-Forwarded-For": "198.51.100.71", "Cookie": "qms_lang=en"})[2]
    assert "This hall does not give tickets online" in english
    phone.open(web_hall.url("/hall"))
    assert not phone.driver.find_elements(By.CSS_SELECTOR, 'nav a[href="/take"]')
    status, _, body = get(web_hall.url("/take/social"), {"X-Forwarded-For": "198.51.100.71"})
    assert status == 409 and "本厅暂未开通线上取号" in body and 'name="phone"' not in body


def page_lang(browser) -> str:
    return browser.driver.execute_script("return document.documentElement.lang")


def test_the_language_and_text_size_switches_work_and_english_pages_are_english(web_hall, phone):
    phone.open(web_hall.url("/guides/B03"))
    normal = phone.driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    phone.driver.find_element(By.CSS_SELECTOR, 'button[name="lang"]').click()
    phone.wait_for(lambda: page_lang(phone) == "en", what="the page in English")
    assert phone.driver.current_url.endswith("/guides/B03")
    for path in PAGES:
        phone.open(web_hall.url(path))
        text = phone.driver.find_element(By.TAG_NAME, "body").text
        assert CJK.findall(text.replace("中文", "")) == [], path
    phone.driver.find_element(By.CSS_SELECTOR, 'button[name="size"]').click()
    phone.wait_for(lambda: phone.driver.execute_script("return document.documentElement.className") == "large",
                   what="large text")
    assert page_lang(phone) == "en"
    large = phone.driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= normal * 1.2


def test_every_text_has_a_contrast_of_at_least_4_5_to_1(web_hall, browser):
    browser.fresh()
    for size in (PHONE, DESKTOP):
        browser.view(*size)
        for path in PAGES:
            browser.open(web_hall.url(path))
            worst = browser.driver.execute_script(CONTRAST)
            assert worst and worst[0][0] >= 4.5, (size, path, worst)
    browser.view(*PHONE)

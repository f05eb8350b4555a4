"""One QR code for the whole visit, in a real browser (headless chromium at 360×640) against the real
broker, `main.py controller` and `main.py web`: the ticket's QR address shows its place, follows it
live to the window that calls it, and after the service takes the rating, stored with channel qr."""
from __future__ import annotations

import urllib.parse

from selenium.webdriver.common.by import By

from contract.client import HallClient
from contract.hall import HallMirror
from tests.support.hall import Inbox

pytest_plugins = ("tests.support.web_fixtures",)


def qr_address(web_hall, token: str) -> str:
    """What the slip's QR code holds, as the kiosk makes it, opened on this test's web process."""
    mirror = HallMirror()
    mirror.config = {"web": {"public_url": "https://hall.example.gov.cn"}}
    qr = urllib.parse.urlsplit(mirror.ticket_url(token))
    assert qr.scheme == "https" and qr.path == f"/t/{token}"
    return web_hall.url(qr.path)


def ticket_text(browser) -> str:
    return browser.text("#ticket-now")


def test_the_qr_page_follows_the_ticket_to_its_window_and_takes_the_rating(web_hall, phone):
    inbox = Inbox()
    watcher = HallClient("display-webtest", web_hall.hall, "127.0.0.1", web_hall.port, deliver=inbox)
    watcher.subscribe(f"qms/{web_hall.hall}/event/rating")
    assert watcher.start(wait=10)
    web_hall.devices["display-webtest"] = watcher  # stopped with the hall
    web_hall.staff(3)
    first = web_hall.take_ticket("social")
    mine = web_hall.take_ticket("social")
    phone.open(qr_address(web_hall, mine["rating_token"]))
    assert mine["number"] in ticket_text(phone) and "前面还有 1 人" in ticket_text(phone)
    body = phone.driver.find_element(By.TAG_NAME, "body").text
    assert mine["rating_token"] not in body and mine["id"] not in phone.driver.page_source
    phone.wait_for(lambda: web_hall.web.health()["streams"] >= 1, what="the page's event stream open")
    phone.driver.execute_script("window.sameDocument = 'yes'")

    assert web_hall.ask("window-3", "call_next")["ticket"]["id"] == first["id"]
    phone.wait_for(lambda: "下一位就是您" in ticket_text(phone), timeout=1.0, what="one place further")
    assert web_hall.ask("window-3", "call_next")["ticket"]["id"] == mine["id"]
    phone.wait_for(lambda: "请到3号窗口" in ticket_text(phone), timeout=1.0, what="the call on the phone")
    assert phone.driver.execute_script("return document.documentElement.dataset.alerted") == "3-1"  # alerted
    web_hall.ask("window-3", "recall")
    phone.wait_for(lambda: "再次呼叫：请到3号窗口" in ticket_text(phone), timeout=1.0, what="the recall")
    assert phone.driver.execute_script("return window.sameDocument") == "yes"  # all live, no reload

    web_hall.ask("window-3", "finish")
    phone.wait_for(lambda: phone.driver.find_elements(By.CSS_SELECTOR, "form.rating"), timeout=2.0,
                   what="the rating form after the service")
    assert "办理完毕" in ticket_text(phone)
    phone.driver.find_element(By.CSS_SELECTOR, 'input[name="level"][value="2"]').click()
    phone.driver.find_element(By.CSS_SELECTOR, "form.rating button.send").click()
    phone.wait_for(lambda: "请至少选择一个不满意的原因" in phone.text(".form-error"),
                   what="the form refused on the page, nothing sent")
    assert phone.driver.find_element(By.CSS_SELECTOR, 'input[name="level"][value="2"]').is_selected()
    phone.driver.find_element(By.CSS_SELECTOR, 'input[name="reasons"][value="slow"]').click()
    phone.driver.find_element(By.ID, "comment").send_keys("等候时间较长")
    phone.driver.find_element(By.ID, "contact").send_keys("13900001111")
    phone.driver.find_element(By.CSS_SELECTOR, "form.rating button.send").click()
    phone.wait_for(lambda: "感谢您的评价" in phone.text(".thanks"), what="the thanks")
    assert "您的评价：不满意" in phone.text(".thanks") and not phone.driver.find_elements(By.CSS_SELECTOR, "form.rating")
    _, rated = inbox.wait_for(lambda t, d: d.get("kind") == "rated" and d["ticket_id"] == mine["id"])
    assert rated["channel"] == "qr" and rated["level"] == 2 and rated["window"] == 3
    [followup] = [f for f in web_hall.ask("admin-web-test", "followups")["followups"] if f["ticket_id"] == mine["id"]]
    assert followup["reasons"] == ["slow"] and followup["phone"] == "139****1111"
    assert "13900001111" not in web_hall.web.log()


def test_an_unknown_token_is_a_plain_404(web_hall, phone):
    ticket = web_hall.take_ticket("tax")
    wrong = ("B" if ticket["rating_token"][0] != "B" else "C") + ticket["rating_token"][1:]
    for token in (wrong, "A" * 16, "short"):
        phone.open(web_hall.url(f"/t/{token}"))
        assert phone.text("main") .startswith("页面不存在"), token
        assert ticket["number"] not in phone.driver.page_source


def test_held_no_show_and_transfer_are_said_on_the_page(web_hall, phone):
    web_hall.staff(1)
    ticket = web_hall.take_ticket("general")
    phone.open(web_hall.url(f"/t/{ticket['rating_token']}"))
    phone.wait_for(lambda: web_hall.web.health()["streams"] >= 1, what="the page's event stream open")
    assert web_hall.ask("window-1", "call_next")["ticket"]["id"] == ticket["id"]
    phone.wait_for(lambda: "请到1号窗口" in ticket_text(phone), timeout=1.0, what="the call")
    web_hall.ask("window-1", "hold")
    phone.wait_for(lambda: "已暂停办理" in ticket_text(phone), timeout=1.0, what="held")
    web_hall.ask("window-1", "call_back", {"number": ticket["number"]})
    phone.wait_for(lambda: "请到1号窗口" in ticket_text(phone), timeout=1.0, what="called back")
    web_hall.ask("window-1", "transfer", {"category": "tax"})
    phone.wait_for(lambda: "已转至“税务”" in ticket_text(phone), timeout=1.0, what="transferred")
    web_hall.staff(8)
    web_hall.ask("window-8", "call_specific", {"number": ticket["number"]})
    web_hall.ask("window-8", "no_show")
    phone.wait_for(lambda: "已过号" in ticket_text(phone), timeout=1.0, what="the no-show")

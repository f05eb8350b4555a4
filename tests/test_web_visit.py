"""One QR code for the whole visit, in a real browser (headless chromium at 360×640) against the real
broker, `main.py controller` and `main.py web`: the ticket's QR address shows its place, follows it
live to the window that calls it, and after the service takes the rating, stored with channel qr."""
from __future__ import annotations

import re
import urllib.parse

from selenium.webdriver.common.by import By

from contract.client import HallClient
from contract.hall import HallMirror
from testbed.web import DESKTOP, PHONE
from tests.support.hall import Inbox
from tests.support.web import CONTRAST

pytest_plugins = ("tests.support.web_fixtures",)
CJK = re.compile(r"[\u3400-\u9fff]")


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


def shown(browser, scope: str, key: str) -> dict:
    """One figures card of the ratings page: its counts and rates as the page says them."""
    card = f'section.{scope}-figures[data-key="{key}"]'
    return {"served": browser.text(f"{card} .served"), "rated": browser.text(f"{card} .rated"),
            "active": browser.text(f"{card} .active"), "good": browser.text(f"{card} .good"),
            "levels": [browser.text(f"{card} .level-{level} b") for level in "54321"]}


def said(figures: dict) -> dict:
    """The same card as `stats` has it, in the page's words."""
    def pct(v):
        return "—" if v is None else f"{v:g}%"
    return {"served": f"办结 {figures['served']} 件", "rated": f"评价 {figures['rated']} 次",
            "active": f"主动评价率 {pct(figures['active_rating_rate'])}", "good": f"好评率 {pct(figures['good_rate'])}",
            "levels": [str(figures["by_level"][level]) for level in "54321"]}


def test_the_public_ratings_page_shows_the_stats_figures_and_every_bad_rating_with_its_reply(web_hall, phone):
    web_hall.staff(5)
    tickets = []
    for item in ("C01", "C01", "C02"):
        ticket = web_hall.ask("kiosk-T1", "issue_ticket", {"item": item, "lang": "zh",
                                                            "applicant": {"name": "张三", "phone": "13611112222"}})
        tickets.append(ticket["ticket"])
        web_hall.ask("window-5", "call_specific", {"number": ticket["ticket"]["number"]})
        web_hall.ask("window-5", "finish")
    for ticket, level, reasons in zip(tickets, (5, 1, 2), ([], ["attitude"], ["slow", "unclear"])):
        web_hall.ask("web-T8", "rate", {"rating_token": ticket["rating_token"], "level": level, "reasons": reasons})
    followups = {f["ticket_id"]: f for f in web_hall.ask("admin-web-test", "followups")["followups"]}
    closing = followups[tickets[1]["id"]]["id"]
    web_hall.ask("admin-web-test", "followup_update", {"followup_id": closing, "status": "visited", "note": "已电话回访张先生"})
    web_hall.ask("admin-web-test", "followup_update", {"followup_id": closing, "status": "closed",
                                                       "verdict": "satisfied", "note": "已批评教育窗口人员，改进服务用语"})
    stats = web_hall.ask("admin-web-test", "stats")
    phone.open(web_hall.url("/ratings"))
    assert shown(phone, "hall", "hall") == said(stats["hall"])
    for number, figures in stats["windows"].items():
        if figures["served"] or figures["rated"]:
            assert shown(phone, "window", number) == said(figures), number
    for item, figures in stats["items"].items():
        assert shown(phone, "item", item) == said(figures), item
    assert shown(phone, "window", "5")["levels"][3:] == ["1", "1"]
    bad = phone.driver.find_elements(By.CSS_SELECTOR, "ol.bad-list li")
    texts = [b.text for b in bad]
    assert len(texts) == sum(1 for f in followups.values() if f["day"] == stats["day"])
    closed = next(t for t in texts if "服务态度差" in t)
    assert "大厅答复：已批评教育窗口人员，改进服务用语" in closed and "5号窗口" in closed
    open_one = next(t for t in texts if "办理效率低、一次性告知不清" in t)
    assert "处理中（待回访）" in open_one and "不满意" in open_one
    page = phone.driver.find_element(By.TAG_NAME, "body").text
    for private in ("张三", "张先生", "1361111", "136****2222", tickets[0]["rating_token"]):
        assert private not in page and private not in phone.driver.page_source
    staff_names = [person["name"] for person in web_hall.raw["staff"].values()]
    assert not any(name in page for name in staff_names)


def test_ticket_pages_keep_the_csp_read_well_and_say_it_all_in_english(web_hall, browser):
    """Waiting, called and the rating form: no CSP refusal nor inline code, every text 4.5:1 or more
    at a phone's and a desktop's size, and nothing Chinese on the English page but the switch back."""
    web_hall.staff(2)
    waiting, called, done = (web_hall.take_ticket("general") for _ in range(3))
    web_hall.ask("window-2", "call_specific", {"number": done["number"]})
    web_hall.ask("window-2", "finish")
    web_hall.ask("window-2", "call_specific", {"number": called["number"]})
    browser.fresh()
    browser.console()
    for size in (PHONE, DESKTOP):
        browser.view(*size)
        for ticket in (waiting, called, done):
            browser.open(web_hall.url(f"/t/{ticket['rating_token']}"))
            problems = [e["message"] for e in browser.console() if e["level"] in ("SEVERE", "WARNING")]
            assert problems == [], ticket["number"]
            inline = browser.driver.execute_script(
                "return [...document.scripts].filter(s => !s.src).length + document.querySelectorAll('style,[style]').length")
            assert inline == 0
            worst = browser.driver.execute_script(CONTRAST)
            assert worst and worst[0][0] >= 4.5, (size, ticket["number"], worst)
    browser.view(*PHONE)
    browser.driver.find_element(By.CSS_SELECTOR, 'button[name="lang"]').click()
    browser.wait_for(lambda: browser.driver.execute_script("return document.documentElement.lang") == "en",
                     what="the page in English")
    for ticket in (waiting, called, done):
        browser.open(web_hall.url(f"/t/{ticket['rating_token']}"))
        text = browser.driver.find_element(By.TAG_NAME, "body").text
        assert CJK.findall(text.replace("中文", "")) == [], ticket["number"]
        if ticket is called:
            assert "Please go to Window 2" in browser.text("#ticket-now")
    assert "Please rate this service" in browser.text("form.rating")  # the last: done


def test_a_refusal_and_a_supplement_hand_their_written_notice_to_the_ticket_page_to_print(web_hall, phone):
    """A window without a printer: the citizen's page links the ticket's 不予受理通知书 or 补正材料通知书
    (the words a window's printer prints), and while it waits the item's 一次性告知单."""
    web_hall.staff(6)
    refused = web_hall.ask("kiosk-T1", "issue_ticket", {"item": "C01", "lang": "zh"})["ticket"]
    phone.open(web_hall.url(f"/t/{refused['rating_token']}"))
    link = phone.driver.find_element(By.CSS_SELECTOR, ".notice-link a")
    assert link.text == "查看并打印一次性告知单" and link.get_attribute("href").endswith("/guides/C01/notice")
    web_hall.ask("window-6", "call_specific", {"number": refused["number"]})
    web_hall.ask("window-6", "finish", {"outcome": "refused", "reasons": ["申请人不符合申请条件", "另案处理"]})
    phone.open(web_hall.url(f"/t/{refused['rating_token']}"))
    link = phone.driver.find_element(By.CSS_SELECTOR, ".notice-link a")
    assert link.text == "查看并打印不予受理通知书"
    link.click()
    phone.wait_for(lambda: "不予受理通知书" in phone.text("article.notice h1"), what="the notice's page")
    notice = phone.text("article.notice")
    assert f"排队号码：{refused['number']}" in notice and "6号窗口" in notice and "二手房转移登记" in notice
    assert [e.text for e in phone.driver.find_elements(By.CSS_SELECTOR, "ul.materials li")] == ["申请人不符合申请条件", "另案处理"]
    assert "设定依据" in notice and "行政复议" in notice and "六个月内" in notice
    assert refused["rating_token"] not in phone.text("body")
    assert phone.driver.find_elements(By.CSS_SELECTOR, "button.print")

    short = web_hall.ask("kiosk-T1", "issue_ticket", {"item": "C01", "lang": "zh"})["ticket"]
    web_hall.ask("window-6", "call_specific", {"number": short["number"]})
    web_hall.ask("window-6", "finish", {"outcome": "supplement", "materials": ["不动产权证书", "户口簿"]})
    phone.open(web_hall.url(f"/t/{short['rating_token']}/notice"))
    assert phone.text("article.notice h1") == "补正材料通知书（一次性告知单）"
    materials = [e.text for e in phone.driver.find_elements(By.CSS_SELECTOR, "ul.materials li")]
    assert materials[0].startswith("不动产权证书（原件") and materials[1] == "户口簿"
    assert "已一次性告知" in phone.text("article.notice") and "行政复议" not in phone.text("article.notice")

    accepted = web_hall.ask("kiosk-T1", "issue_ticket", {"item": "C01", "lang": "zh"})["ticket"]
    web_hall.ask("window-6", "call_specific", {"number": accepted["number"]})
    web_hall.ask("window-6", "finish", {"outcome": "accepted"})
    phone.open(web_hall.url(f"/t/{accepted['rating_token']}/notice"))  # nothing refused or missing: the item's notice
    phone.wait_for(lambda: phone.driver.current_url.endswith("/guides/C01/notice"), what="the item's 一次性告知单")

"""Screenshots of the public pages for the docs, in a real browser against a real hall.

    python -m web.shots [--out docs/screenshots] [--sizes 360x640,1280x800]

It starts a private Mosquitto, the real controller (on a thread), `main.py web` and headless
chromium, puts the hall in a telling state (windows staffed, tickets waiting, a few called) and
saves each page as the viewport shows it — the hall, the guides, a ticket's QR page waiting, called,
rating and rated, 好差评公开, 办理进度 empty and answered, and 预约 at every step (item, day, time,
mobile, confirmation, cancel form, cancelled), 有诉即办 (the form filled in, what the hall promised,
the look-up answered) and 线上取号 (services, mobile, code, the ticket it gave) — and the guide's, the
notice's, the rating form's and the ratings page's whole length at a phone's width.
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((360, 640), (1280, 800))
PAGES = (("hall", "/hall"), ("guides", "/guides?q=GJJ"), ("guide", "/guides/C03"), ("notice", "/guides/C03/notice"),
         ("progress", "/progress"))
APPLICATION = ("SQ2026001", "5678")  # an application of busy_hall, looked up on the progress page


def busy_hall(controller) -> dict:
    """Windows open and serving, people waiting in most queues, the latest calls on the board; then a
    ticket at each stage of a visit and a morning of ratings. Returns the visit's pages by name."""
    from testbed.controller import staffed_window

    kiosk = controller.device("kiosk-K9")
    for category, n in (("general", 5), ("social", 9), ("estate", 4), ("business", 2), ("tax", 3), ("fund", 1)):
        for _ in range(n):
            kiosk.request("issue_ticket", {"category": category, "group": "normal", "lang": "zh"})
    windows, called = {}, {}
    for number in (1, 3, 4, 5, 7, 9):
        windows[number] = staffed_window(controller, number)
        called[number] = windows[number].request("call_next")["result"]["ticket"]
    phone, admin, estate = controller.device("web-S1"), controller.device("admin-S1"), windows[5]
    served = []
    for item, level, reasons in (("C01", 5, []), ("C01", 4, []), ("C02", 5, []), ("C03", 1, ["attitude"]),
                                 ("C02", 2, ["slow", "unclear"]), ("C01", None, [])):
        ticket = kiosk.request("issue_ticket", {"item": item, "lang": "zh"})["result"]["ticket"]
        estate.request("call_specific", {"number": ticket["number"]})
        estate.request("finish")
        if level is not None:
            reply = phone.request("rate", {"rating_token": ticket["rating_token"], "level": level, "reasons": reasons})
            if level == 1:
                followup = reply["result"]["rating"]["followup_id"]
                admin.request("followup_update", {"followup_id": followup, "status": "visited", "note": "已回访"})
                admin.request("followup_update", {"followup_id": followup, "status": "closed", "verdict": "satisfied",
                                                  "note": "已对窗口人员进行服务规范培训，并在窗口增设引导员"})
        served.append(ticket)
    for status, note in (("accepted", ""), ("in_progress", ""), ("supplement", "请补交不动产权证书原件")):
        admin.request("progress_set", {"application_no": APPLICATION[0], "item": "C01", "status": status, "note": note,
                                       "applicant_name": "王小明", "phone": "13812345678"})
    waiting = kiosk.request("issue_ticket", {"category": "social", "lang": "zh"})["result"]["ticket"]
    return {"ticket-waiting": f"/t/{waiting['rating_token']}", "ticket-called": f"/t/{called[7]['rating_token']}",
            "ticket-rate": f"/t/{served[-1]['rating_token']}", "ticket-thanks": f"/t/{served[0]['rating_token']}",
            "ratings": "/ratings"}


def answer(browser, url: str) -> None:
    """The progress page after a look-up: the answer is a form post's response, not an address."""
    from selenium.webdriver.common.by import By

    browser.open(url)
    browser.driver.find_element(By.ID, "application_no").send_keys(APPLICATION[0])
    browser.driver.find_element(By.ID, "factor").send_keys(APPLICATION[1])
    browser.driver.find_element(By.CSS_SELECTOR, "form.query button[type=submit]").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.CSS_SELECTOR, "section.application"), what="the answer")


def open_choice(browser, css: str, which: int) -> str:
    """The address of a choice that can be taken (a day or a time with places left)."""
    from selenium.webdriver.common.by import By

    return browser.driver.find_elements(By.CSS_SELECTOR, css)[which].get_attribute("href")


def booking_shots(browser, web, out: Path, size: tuple[int, int], phone_number: str) -> None:
    """预约 at every step; the confirmation and the cancelled page are form posts' responses."""
    from selenium.webdriver.common.by import By

    def shot(name: str) -> None:
        target = out / f"web-book-{name}-{size[0]}x{size[1]}.png"
        browser.screenshot(target)
        print(target)

    browser.open(web.url("/book?q=BDC"))
    shot("items")
    browser.open(web.url("/book/C01"))
    shot("days")
    browser.open(open_choice(browser, "ul.days a.choice", 1))  # not today: cancelling closes before a slot
    shot("slots")
    browser.open(open_choice(browser, "ul.slots a.choice", 0))
    browser.driver.find_element(By.ID, "phone").send_keys(phone_number)
    shot("phone")
    browser.driver.find_element(By.CSS_SELECTOR, "form.booking button[type=submit]").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.CSS_SELECTOR, ".booking-code"), what="the booking")
    code = browser.text(".booking-code")
    shot("done")
    browser.open(web.url("/book/cancel"))
    browser.driver.find_element(By.ID, "code").send_keys(code)
    browser.driver.find_element(By.ID, "last4").send_keys(phone_number[-4:])
    shot("cancel")
    browser.driver.find_element(By.CSS_SELECTOR, "form.booking button[type=submit]").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.CSS_SELECTOR, ".cancelled"), what="cancelled")
    shot("cancelled")


def complain_shots(browser, web, out: Path, size: tuple[int, int], phone_number: str) -> None:
    """有诉即办 / 办不成事: the form as filled in, the promise (a post's response) and the look-up answered."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    def shot(name: str) -> None:
        target = out / f"web-complain-{name}-{size[0]}x{size[1]}.png"
        browser.screenshot(target)
        print(target)

    browser.open(web.url("/complain?item=C01&window=5"))
    browser.driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=undone]").click()
    Select(browser.driver.find_element(By.ID, "window")).select_by_value("5")
    browser.driver.find_element(By.ID, "text").send_keys("二手房过户说系统里查不到我的房，让我去别处问，已经跑了三次")
    browser.driver.find_element(By.ID, "phone").send_keys(phone_number)
    browser.driver.execute_script("window.scrollTo(0, 0)")
    shot("form")
    browser.driver.find_element(By.CSS_SELECTOR, "form.complain button[type=submit]").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.CSS_SELECTOR, ".case-ref"), what="the reference")
    ref = browser.text(".case-ref")
    shot("done")
    browser.open(web.url(f"/complain/{ref}"))
    browser.driver.find_element(By.ID, "factor").send_keys(phone_number[-4:])
    browser.driver.find_element(By.CSS_SELECTOR, "form.query button[type=submit]").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.CSS_SELECTOR, "section.case"), what="the case")
    shot("case")


def take_shots(browser, web, out: Path, size: tuple[int, int], phone_number: str, notices: Path) -> None:
    """线上取号 at every step; the code is read where the notifier wrote it (the log backend)."""
    import json
    import time

    from selenium.webdriver.common.by import By

    def shot(name: str) -> None:
        target = out / f"web-take-{name}-{size[0]}x{size[1]}.png"
        browser.screenshot(target)
        print(target)

    def code() -> str:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            lines = notices.read_text(encoding="utf-8").splitlines() if notices.exists() else []
            sent = [json.loads(line) for line in lines]
            sent = [n for n in sent if n["kind"] == "remote_code" and n["phone"] == phone_number]
            if sent:
                return sent[-1]["code"]
            time.sleep(0.1)
        raise RuntimeError("no code written by the notifier")

    browser.open(web.url("/take"))
    shot("services")
    browser.open(web.url("/take/social"))
    browser.driver.find_element(By.ID, "phone").send_keys(phone_number)
    shot("phone")
    browser.driver.find_element(By.CSS_SELECTOR, "form.take-phone button[type=submit]").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.ID, "code"), what="the code form")
    browser.driver.find_element(By.ID, "code").send_keys(code())
    shot("code")
    browser.driver.find_element(By.CSS_SELECTOR, "form.take-code button[type=submit]").click()
    browser.wait_for(lambda: "/t/" in browser.driver.current_url, what="the ticket's page")
    browser.wait_for(lambda: browser.text("#ticket-now"), what="the ticket")
    shot("ticket")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the web tier's public pages")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES))
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    sys.path.insert(0, str(ROOT))
    import yaml

    from testbed.broker import PrivateBroker
    from testbed.controller import RunningController
    from testbed.web import Browser, WebProcess

    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = "webshots", []
    raw["appointments"]["hours"] = [["08:30", "12:00"], ["13:30", "17:30"]]  # tickets all day, bookings in office hours
    out, work = Path(args.out), Path(tempfile.mkdtemp(prefix="qms-webshots-"))
    notices = work / "notices.log"
    raw["appointments"]["notify"] = {"backend": "log", "log_path": str(notices)}
    raw["remote_ticket"] = {"enabled": True, "per_phone_per_day": 2,
                            "categories": {"social": {}, "tax": {}, "fund": {"daily_cap": 50}}}
    config = work / "hall.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with PrivateBroker() as broker:
        controller = RunningController(copy.deepcopy(raw), work / "hall.db", broker)
        web = browser = None
        try:
            visit = busy_hall(controller)
            web = WebProcess(config, broker.port, work / "web.log").wait_ready()
            browser = Browser()
            for width, height in sizes:
                browser.view(width, height)
                for name, path in (*PAGES, *visit.items()):
                    browser.open(web.url(path))
                    target = out / f"web-{name}-{width}x{height}.png"
                    browser.screenshot(target)
                    print(target)
                answer(browser, web.url("/progress"))
                target = out / f"web-progress-answer-{width}x{height}.png"
                browser.screenshot(target)
                print(target)
                booking_shots(browser, web, out, (width, height), f"139{width:04d}{height:04d}")
                complain_shots(browser, web, out, (width, height), f"137{width:04d}{height:04d}")
                take_shots(browser, web, out, (width, height), f"136{width:04d}{height:04d}", notices)
            browser.view(*sizes[0])
            for name, path in (("guide", "/guides/C03"), ("notice", "/guides/C03/notice"), ("ticket-rate", visit["ticket-rate"]),
                               ("ratings", "/ratings")):
                browser.open(web.url(path))
                target = out / f"web-{name}-{sizes[0][0]}-full.png"
                browser.screenshot(target, full=True)
                print(target)
        finally:
            if browser is not None:
                browser.quit()
            if web is not None:
                web.stop()
            controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

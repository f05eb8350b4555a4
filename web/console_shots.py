"""Screenshots of the manager console for docs/console.md, in a real browser against a real hall.

    python -m web.console_shots [--out docs/screenshots] [--sizes 1366x768,1920x1080] [--only config-]

It starts a private Mosquitto, the real controller (on a thread), `main.py web` with four console
accounts made by `main.py web add-user`, and headless chromium; puts the hall in a working
morning's state (windows staffed and serving, queues, a tax queue nobody serves so that 电子监察
shows yellow and red cards, one of them noted, assigned and ordered; 好差评 reports waiting for a
platform it cannot reach; bookings of a coming day and a barred caller; 办件 on the clock, one due
tomorrow, one in a 补正 and one overdue) and saves each console page as the viewport shows it.
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((1366, 768), (1920, 1080))
PASSWORD = "screenshots-2026"
USERS = (("li.ming", "director"), ("zhao.min", "supervisor"), ("qian.jun", "social_supervisor"),
         ("sun.li", "window_lead"))
LEADS = {"sun.li": "3,4"}  # a window lead's windows (add-user --windows)
# (file name, who is logged in, path)
PAGES = (("login", None, "/console/login"), ("hall", "li.ming", "/console/hall"),
         ("alerts", "zhao.min", "/console/alerts"), ("audit", "li.ming", "/console/audit"),
         ("audit-english", "li.ming", "/console/audit"),
         ("cases", "zhao.min", "/console/cases"), ("applications", "zhao.min", "/console/applications"),
         ("refused", "qian.jun", "/console/alerts"),
         ("reports", "zhao.min", "/console/reports?kind=day"), ("reports-month", "qian.jun", "/console/reports?kind=month"),
         ("config-categories", "li.ming", "/console/config/categories?key=general"),
         ("config-items", "li.ming", "/console/config/items?key=C01"),
         ("config-windows", "li.ming", "/console/config/windows?key=5"),
         ("config-staff", "li.ming", "/console/config/staff?key=1005"),
         ("config-rules", "li.ming", "/console/config/rules"),
         ("config-supervision", "li.ming", "/console/config/supervision"),
         ("config-tidal", "li.ming", "/console/config/tidal"),
         ("config-tidal-error", "li.ming", "/console/config/tidal"),
         ("config-notice", "li.ming", "/console/config/notice"),
         ("config-appointments", "li.ming", "/console/config/appointments"),
         ("config-forecast", "li.ming", "/console/config/forecast"),
         ("config-ratings", "li.ming", "/console/config/ratings"),
         ("config-remote", "li.ming", "/console/config/remote"),
         ("config-error", "li.ming", "/console/config/categories?key=general"),
         ("config-versions", "li.ming", "/console/config/versions?show=3"),
         ("config-restore", "li.ming", "/console/config/versions/restore?version=2"),
         ("config-read-only", "zhao.min", "/console/config/windows"),
         ("outbox", "zhao.min", "/console/outbox"),
         ("team", "sun.li", "/console/team?staff=1003"),
         ("appointments", "li.ming", "/console/appointments?day={booked_day}"),
         ("book-slots", "li.ming", "/console/appointments/book/B01/{booked_day}"),
         ("accounts", "li.ming", "/console/accounts"))


def bad_value(browser, name: str = "daily_cap", typed: str = "很多") -> None:
    """The director types a value the schema refuses (a daily cap by default): the page as it comes back."""
    from selenium.webdriver.common.by import By

    box = browser.driver.find_element(By.ID, f"f-{name}")
    box.clear()
    box.send_keys(typed)
    browser.driver.find_element(By.ID, "save").click()
    browser.wait_for(lambda: browser.driver.find_elements(By.CSS_SELECTOR, ".field-error"), what="the refusal")
    browser.driver.execute_script(f"document.querySelector('[data-field={name}]').scrollIntoView({{block: 'nearest'}})")


def bad_tidal(browser) -> None:
    """A switch-back wait above the switch-in one: refused beside its field."""
    bad_value(browser, "tidal_close_wait_s", "5000")


def english(browser) -> None:
    """The language switch pressed: the director's whole menu in English."""
    from selenium.webdriver.common.by import By

    browser.driver.find_element(By.CSS_SELECTOR, "form.lang button").click()
    browser.wait_for(lambda: browser.driver.execute_script("return document.documentElement.lang") == "en",
                     what="the page in English")


THEN = {"config-error": bad_value, "config-tidal-error": bad_tidal, "audit-english": english}  # what is done on a page before it is shot
BARRED = "b" * 64  # a person barred by three missed bookings, put in the store before the controller starts


def barred(db: Path, timezone: str) -> None:
    import json
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from controller.store import Store

    now = datetime.now(ZoneInfo(timezone))
    store = Store(str(db))
    store.db["appointment_bars"].insert({
        "key": BARRED, "since": (now - timedelta(days=3)).timestamp(), "until": (now + timedelta(days=362)).timestamp(),
        "no_shows": json.dumps(["YYAAAA2222", "YYBBBB3333", "YYCCCC4444"]), "phone": "137****0000",
        "lifted_at": None, "lifted_by": None, "reason": None})
    store.close()


LATE = "SQ2026000817"  # an application accepted working days ago on a one-day promise, stored before the start


def late_application(db: Path, raw: dict) -> None:
    """An 办件 past its due date: its first step made as the controller makes it, a week ago."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from config.schema import validate
    from controller.applications import step
    from controller.store import Store

    accepted = (datetime.now(ZoneInfo(raw["timezone"])) - timedelta(days=7)).replace(hour=10, minute=12)
    ticket = {"id": f"{accepted.date().isoformat()}-D007", "number": "D007", "window": 9, "staff_id": "1009"}
    row = step(None, validate(copy.deepcopy(raw)), application_no=LATE, item="D01", status="accepted", note="",
               applicant_name="陈立", phone=None, now=accepted.timestamp(), by="window-9", ticket=ticket)
    store = Store(str(db))
    store.db["applications"].insert(row)
    store.close()


def applications(controller) -> None:
    """办件 linked to tickets served this morning: 二手房 (five days), 无犯罪记录证明 (due tomorrow) and a
    抵押登记 waiting for a missing document (its clock paused)."""
    kiosk, admin = controller.device("kiosk-K9"), controller.device("admin-K9")
    for number, item, name, status, note in (("SQ2026001203", "C01", "王小明", "in_progress", "已送审核"),
                                             ("SQ2026001207", "A03", "刘芳", "accepted", ""),
                                             ("SQ2026001211", "C02", "赵强", "supplement", "请补交抵押合同原件")):
        window = controller.device("window-5" if item.startswith("C") else "window-1")
        ticket = kiosk.request("issue_ticket", {"item": item, "lang": "zh"})["result"]["ticket"]
        window.request("call_specific", {"number": ticket["number"]})
        window.request("finish")
        admin.request("application_link", {"application_no": number, "ticket_id": ticket["id"], "item": item,
                                           "applicant_name": name, "user": "zhao.min"})
        if status != "accepted":
            admin.request("progress_set", {"application_no": number, "status": status, "note": note,
                                           "user": "zhao.min"})


def hall_day(timezone: str, days: int) -> str:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo(timezone)) + timedelta(days=days)).date().isoformat()


def bookings(controller, timezone: str) -> str:
    """Bookings of the next working day with places (by phone, on the web, at a kiosk): that day."""
    admin = controller.device("admin-K9")
    for day in range(1, 8):
        date = hall_day(timezone, day)
        slots = [slot for slot in admin.request("appointment_slots", {"item": "B01", "date": date})["result"]["slots"]
                 if slot["time"] >= "09:00"]
        if len(slots) >= 4:
            break
    callers = zip(slots[::2], ("phone", "phone", "web", "kiosk"), ("张三丰", "李四", "", "王五"))
    for n, (slot, channel, name) in enumerate(callers):
        applicant = {"phone": f"1391234{n:04d}", **({"name": name} if name else {})}
        admin.request("book_appointment", {"item": "B01", "slot_start": slot["start"], "channel": channel,
                                           "applicant": applicant, "user": "li.ming"})
    return date


def duban(controller, timezone: str) -> None:
    """The tax queue's alert noted, assigned and ordered (督办) by the supervisor, so the board shows a trail."""
    admin = controller.device("admin-K9")
    alerts = [a for a in admin.request("alerts", {})["result"]["alerts"] if a.get("category") == "tax"]
    if not alerts:
        return
    first = alerts[-1]["id"]
    admin.request("alert_ack", {"alert_id": first, "note": "已通知税务窗口", "user": "zhao.min"})
    admin.request("alert_assign", {"alert_id": first, "to": "staff-1001", "user": "zhao.min"})
    deadline = f"{hall_day(timezone, 1)}T17:30"
    admin.request("alert_escalate", {"alert_id": first, "deadline": deadline, "note": "明天下班前办结",
                                     "to": "li.ming", "user": "zhao.min"})


def morning(controller) -> None:
    from testbed.controller import staffed_window

    kiosk = controller.device("kiosk-K9")
    for category, n in (("general", 6), ("social", 8), ("estate", 3), ("business", 2), ("tax", 2)):
        for _ in range(n):
            kiosk.request("issue_ticket", {"category": category, "group": "normal", "lang": "zh"})
    called = {}
    for number in (1, 3, 4, 5, 9):
        window = staffed_window(controller, number)
        called[number] = window.request("call_next")["result"]["ticket"]["id"]
        if number in (1, 4):
            window.request("start")
    for number, level in ((3, 5), (5, 2), (9, 4)):  # services done and rated, for the reports
        window = controller.device(f"window-{number}")
        window.request("finish")
        controller.device(f"evaluator-{number}").request(
            "rate", {"ticket_id": called[number], "level": level, "reasons": ["slow"] if level <= 2 else []})
        window.request("call_next")
    staffed_window(controller, 7).request("pause", {"reason": "午间轮休"})
    cases(controller, kiosk)
    applications(controller)
    config_changes(controller)


def config_changes(controller) -> None:
    """A morning's changes from the console, for the version history: two by the director, one by another."""
    admin = controller.device("admin-K9")
    admin.request("config_patch", {"user": "li.ming", "patch": {"categories": {"general": {"daily_cap": 300}}}})
    admin.request("staff_set", {"user": "li.ming", "staff_id": "1009", "name": "周敏", "windows": [9, 10], "pin": "7315"})
    admin.request("config_patch", {"user": "wang.jie", "patch": {"queue": {"max_calls": 2},
                                                                 "ticketing_hours": [["08:30", "12:00"], ["13:30", "17:30"]]}})


def cases(controller, kiosk) -> None:
    """差评 to follow up (one real-name and called back, one anonymous), a complaint and consultations."""
    estate, phone, admin = controller.device("window-5"), controller.device("web-K9"), controller.device("admin-K9")
    for contact, reasons in (("13912345678", ["slow"]), (None, ["attitude"])):
        ticket = kiosk.request("issue_ticket", {"item": "C01", "lang": "zh"})["result"]["ticket"]
        estate.request("call_specific", {"number": ticket["number"]})
        estate.request("finish")
        rating = {"rating_token": ticket["rating_token"], "level": 1, "reasons": reasons}
        reply = phone.request("rate", {**rating, **({"contact": contact} if contact else {})})["result"]["rating"]
        if contact:
            admin.request("followup_update", {"followup_id": reply["followup_id"], "status": "visited",
                                              "note": "已电话回访", "assignee": "zhao.min"})
    admin.request("case_open", {"kind": "complaint", "channel": "desk", "item": "C01", "phone": "13812345678",
                                "name_given": True, "text": "办不成事：房产证补办被告知不在清单内"})
    for text, answer in (("补办房产证需要哪些材料？", "身份证、登报遗失声明"), ("补办房产证需要哪些材料", "身份证、登报遗失声明"),
                         ("能否委托他人办理？", None)):
        admin.request("case_open", {"kind": "consultation", "item": "C01", "text": text,
                                    **({"answer": answer} if answer else {})})


def log_in(browser, web, name: str) -> None:
    from selenium.webdriver.common.by import By

    browser.fresh()
    browser.open(web.url("/console/login", "console"))
    browser.driver.find_element(By.ID, "name").send_keys(name)
    browser.driver.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    browser.wait_for(lambda: "/console/login" not in browser.driver.current_url, what="logged in")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the manager console")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES))
    parser.add_argument("--only", default="", help="only the pages whose names start so (config-)")
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    sys.path.insert(0, str(ROOT))
    import yaml

    from testbed.broker import PrivateBroker
    from testbed.controller import RunningController
    from testbed.processes import free_port
    from testbed.web import Browser, WebProcess

    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = "consoleshots", []
    raw["appointments"]["hours"] = [["08:30", "12:00"], ["13:30", "17:30"]]  # tickets all day, bookings in office hours
    raw["supervision"] = {"wait": {"yellow_s": 2, "red_s": 3600},
                          "categories": {"tax": {"wait": {"yellow_s": 1, "red_s": 3}}}}
    # 好差评 reports to a platform that cannot be reached (a port nobody listens on): the backlog grows
    raw["rating_reports"] = {"enabled": True, "url": f"http://127.0.0.1:{free_port()}/api/evaluations",
                             "backoff_s": 2, "backoff_max_s": 60}
    out, work = Path(args.out), Path(tempfile.mkdtemp(prefix="qms-consoleshots-"))
    config = work / "hall.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with PrivateBroker() as broker:
        barred(work / "hall.db", raw["timezone"])
        late_application(work / "hall.db", raw)
        controller = RunningController(copy.deepcopy(raw), work / "hall.db", broker)
        web = browser = None
        try:
            morning(controller)
            web = WebProcess(config, broker.port, work / "web.log").wait_ready()
            for name, role in USERS:
                web.add_user(name, role, PASSWORD, *(("--windows", LEADS[name]) if name in LEADS else ()))
            booked_day = bookings(controller, raw["timezone"])
            time.sleep(8)  # the tax tickets' cards turn red, the others' yellow
            duban(controller, raw["timezone"])
            browser = Browser()
            for width, height in sizes:
                browser.view(width, height)
                for page, user, path in PAGES:
                    if not page.startswith(args.only):
                        continue
                    if user is None:
                        browser.fresh()
                    else:
                        log_in(browser, web, user)
                    browser.open(web.url(path.format(booked_day=booked_day), "console"))
                    time.sleep(1.5)  # the live part's first frame, today's figures
                    THEN.get(page, lambda browser: None)(browser)
                    target = out / f"console-{page}-{width}x{height}.png"
                    browser.screenshot(target)
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

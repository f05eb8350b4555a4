"""日清日结 over the wire: a scripted day through the real controller and Mosquitto, its report checked
against the ledger by an independent count and against the times the script itself chose."""
from __future__ import annotations

import csv
import json

from controller.figures import percentile
from controller.report import day_report
from testbed.controller import RunningController, staffed_window
from tests.support.cli import run
from tests.support.hall import HallClock, at, ok

DAY = "2026-11-23"


def scripted_day(running, clock) -> None:
    """Five tickets, a call-back-free no-show, a transfer, a rating; times in minutes from 09:00."""
    def t(hhmm):
        clock.now = at(hhmm, DAY)

    kiosk = running.device("kiosk-K1")
    t("09:00")
    a001 = ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]
    ok(kiosk.request("issue_ticket", {"category": "social"}))
    ok(kiosk.request("issue_ticket", {"category": "social"}))
    w1, w3 = staffed_window(running, 1), staffed_window(running, 3)
    t("09:05"); assert ok(w1.request("call_next"))["ticket"]["number"] == "A001"
    t("09:06"); ok(w1.request("start"))
    t("09:10"); assert ok(w3.request("call_next"))["ticket"]["number"] == "B001"
    t("09:15"); ok(w1.request("finish"))
    t("09:16"); assert ok(w1.request("call_next"))["ticket"]["number"] == "B002"
    for minute in ("09:17", "09:18", "09:19"):
        t(minute)
        ok(w1.request("recall"))                                                        # the third: 过号
    t("09:20"); ok(w3.request("start"))
    t("09:25"); ok(w3.request("transfer", {"category": "tax"}))
    t("10:00")
    ok(kiosk.request("issue_ticket", {"category": "general"}))
    ok(kiosk.request("issue_ticket", {"category": "estate"}))
    w8 = staffed_window(running, 8)
    t("10:05"); assert ok(w8.request("call_next"))["ticket"]["number"] == "B001"
    t("10:10"); ok(w8.request("finish"))
    t("10:12"); assert ok(w1.request("call_next"))["ticket"]["number"] == "A002"
    t("10:20"); ok(w1.request("finish"))
    t("10:30"); ok(kiosk.request("rate", {"rating_token": a001["rating_token"], "level": 4}))
    clock.now = at("03:00", "2026-11-24")                                             # the day ends: C001 expires
    running.device("kiosk-K2").request("issue_ticket", {"category": "tax"})


def independent_counts(store) -> dict:
    """The same figures straight from the ledger with SQL, not through controller/report.py."""
    def grouped(sql):
        return {str(k): n for k, n in store.db.execute(sql).fetchall()}
    return {
        "issued": grouped("SELECT json_extract(after, '$.category'), COUNT(*) FROM ledger "
                          f"WHERE kind = 'ticket_issued' AND day = '{DAY}' GROUP BY 1"),
        "served_by_window": grouped("SELECT window, COUNT(*) FROM ledger WHERE kind = 'ticket_finished' "
                                    f"AND day = '{DAY}' GROUP BY 1"),
        "no_show": grouped("SELECT json_extract(after, '$.category'), COUNT(*) FROM ledger "
                           f"WHERE kind = 'ticket_no_show' AND day = '{DAY}' GROUP BY 1"),
        "transferred": grouped("SELECT json_extract(before, '$.category'), COUNT(*) FROM ledger "
                               f"WHERE kind = 'ticket_transferred' AND day = '{DAY}' GROUP BY 1"),
        "expired": grouped("SELECT json_extract(after, '$.category'), COUNT(*) FROM ledger WHERE kind = "
                           f"'ticket_closed_by_day_end' AND ticket_id LIKE '{DAY}-%' "
                           "AND json_extract(after, '$.status') = 'expired' GROUP BY 1"),
    }


def test_the_day_report_matches_the_ledger_and_the_script(broker, hall_raw, tmp_path):
    clock = HallClock(at("08:59", DAY))
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    try:
        scripted_day(running, clock)
        admin = running.device("admin-ops")
        result = ok(admin.request("report", {"date": DAY}))
        assert {"day", "hall", "categories", "windows", "staff", "ledger", "daily"} <= set(result)  # old keys kept
        daily = result["daily"]
        counts = independent_counts(running.store)
        assert {c: b["issued"] for c, b in daily["categories"].items() if b["issued"]} == counts["issued"] == {
            "general": 2, "social": 2, "estate": 1}
        assert {w: b["served"] for w, b in daily["windows"].items() if b["served"]} == counts["served_by_window"] == {
            "1": 2, "8": 1}
        assert {c: b["no_show"] for c, b in daily["categories"].items() if b["no_show"]} == counts["no_show"] == {
            "social": 1}
        assert {c: b["transferred"] for c, b in daily["categories"].items() if b["transferred"]} == \
            counts["transferred"] == {"social": 1}
        assert {c: b["expired"] for c, b in daily["categories"].items() if b["expired"]} == counts["expired"] == {
            "estate": 1, "social": 1}                     # C001 never called, B002 missed and never called back
        hall = daily["hall"]
        assert (hall["issued"], hall["served"], hall["no_show"], hall["transferred"], hall["expired"]) == (5, 3, 1, 1, 2)
        # waits as the script made them: A001 5 min, B001 10 min then 40 min in tax, B002 16 min, A002 12 min
        waits = [300, 600, 960, 2400, 720]
        assert hall["avg_wait_s"] == round(sum(waits) / 5, 1) and hall["max_wait_s"] == 2400
        assert hall["p90_wait_s"] == percentile(waits, 90) == 2400
        general, social, tax = (daily["categories"][c] for c in ("general", "social", "tax"))
        assert (general["avg_wait_s"], general["p90_wait_s"], general["avg_service_s"]) == (510, 720, 510)
        assert (social["avg_wait_s"], tax["avg_wait_s"], tax["served"], tax["avg_service_s"]) == (780, 2400, 1, 300)
        assert daily["peak_hour"] == 9 and general["peak_hour"] == 9
        hours = {h["hour"]: h for h in daily["hours"]}
        assert (hours[9]["issued"], hours[10]["issued"]) == (3, 2)
        assert hours[9]["avg_wait_s"] == round((300 + 600 + 960 + 2400) / 4, 1) and hours[10]["avg_wait_s"] == 720
        w1 = daily["windows"]["1"]
        assert (w1["busy_s"], w1["no_show"], w1["rated"], w1["avg_rating"]) == (600 + 180 + 480, 1, 1, 4)
        assert daily["windows"]["3"]["transferred"] == 1 and daily["windows"]["3"]["busy_s"] == 900
        assert w1["staffed_s"] == at("03:00", "2026-11-24") - at("09:00", DAY)
        assert daily["ratings"]["rated"] == 1 and daily["ratings"]["bad"] == 0
        # the report is the ledger replayed: the same from the store directly, and again later
        again = day_report(DAY, running.store.day_ledger(DAY), timezone="Asia/Shanghai",
                           names=daily["names"], now=clock.now)
        assert {k: again[k] for k in ("hall", "categories", "windows", "staff", "hours")} == \
            {k: daily[k] for k in ("hall", "categories", "windows", "staff", "hours")}

        out = tmp_path / "out"
        env = {"QMS_BROKER": f"127.0.0.1:{broker.port}"}
        done = run("admin", "--hall", running.hall, "--json", "report", "--date", DAY, "--out", str(out), env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["daily"]["hall"] == hall
        saved = json.loads((out / f"report-{DAY}.json").read_text(encoding="utf-8"))
        assert saved["hall"] == hall and saved["categories"] == daily["categories"]
        with open(out / f"report-{DAY}.csv", encoding="utf-8-sig") as handle:
            lines = list(csv.DictReader(handle))
        assert lines[0]["scope"] == "hall" and lines[0]["issued"] == "5" and lines[0]["name_zh"] == "全厅"
        assert {(r["scope"], r["key"], r["name_zh"]) for r in lines} >= {("category", "social", "社保医保"),
                                                                        ("window", "1", "1号窗口")}
        html = (out / f"report-{DAY}.html").read_text(encoding="utf-8")
        assert "日清日结" in html and f"arrivals-{DAY}.png" in html and f"windows-{DAY}.png" in html
        assert "社保医保" in html and "Social &amp; Medical Insurance" in html
        assert (out / f"arrivals-{DAY}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / f"hours-{DAY}.csv").exists()
    finally:
        running.stop()

"""The console's 好差评 reporting page: its model from an `outbox` reply (figures, each waiting report
with its failure in words and next try on the hall's clock, nothing that names a person), then in a
real browser against the real broker, controller and `main.py web` with a local provincial platform
that refuses (500) and then accepts: the page shows the ratings waiting with their tries and the
error, and none waiting once they are delivered."""
from __future__ import annotations

import copy
import json
import re
import uuid

import pytest
from selenium.webdriver.common.by import By

from tests.support.console import CJK, NOW, PASSWORD, ROLE_USERS, demo_hall, log_in, poor_rating
from tests.support.platform import Platform, reporting
from tests.support.web import WebHall
from web.presenters.console_outbox import error_words, outbox_page

pytest_plugins = ("tests.support.web_fixtures",)


def reply(**changes) -> dict:
    state = {"enabled": True, "endpoint": "ggfw.zj.gov.cn:8443", "waiting": 3, "oldest_at": NOW - 4000,
             "oldest": "…", "oldest_age_s": 3725.0, "failing": 2, "next_try_at": NOW + 30, "last_error": "HTTP 500",
             "sent": 140, "sent_today": 12, "rows": [
                 {"id": "demo:2026-11-23-A001:rating", "kind": "rating", "ticket_id": "2026-11-23-A001",
                  "number": "A001", "day": "2026-11-23", "after_id": None, "created_at": NOW - 4000, "attempts": 7,
                  "last_status": 500, "last_error": "HTTP 500", "next_try_at": NOW + 30, "next_try": "…"},
                 {"id": "demo:2026-11-23-A001:rectification", "kind": "rectification", "ticket_id": "2026-11-23-A001",
                  "number": "A001", "day": "2026-11-23", "after_id": "demo:2026-11-23-A001:rating",
                  "created_at": NOW - 100, "attempts": 0, "last_status": None, "last_error": None,
                  "next_try_at": NOW - 100, "next_try": "…"},
                 {"id": "demo:2026-11-23-B002:rating", "kind": "rating", "ticket_id": "2026-11-23-B002",
                  "number": "B002", "day": "2026-11-23", "after_id": None, "created_at": NOW - 50, "attempts": 2,
                  "last_status": None, "last_error": "TimeoutError: timed out", "next_try_at": NOW - 1,
                  "next_try": "…"}]}
    state.update(changes)
    return state


def test_the_page_shows_where_reports_go_the_backlog_and_each_waiting_report_in_words():
    hall = demo_hall()
    page = outbox_page(hall, reply(), "zh")
    assert page["status"] == "已启用：评价与整改情况上报至省好差评平台 ggfw.zj.gov.cn:8443"
    assert {f["key"]: f["value"] for f in page["figures"]} == {
        "waiting": "3", "sent_today": "12", "sent": "140", "failing": "2", "oldest": "1小时2分"}
    first, held, late = page["rows"]
    assert (first["kind_text"], first["ticket"], first["attempts"], first["error"], first["failed"]) == \
        ("评价", "2026-11-23 A001", 7, "平台出错（HTTP 500）", True)
    assert first["next"] == hall.hall_time(NOW + 30).strftime("%H:%M:%S")  # the hall's clock
    assert (held["kind_text"], held["error"], held["next"]) == ("整改", "待其评价送达后发送", "待其评价送达后发送")
    assert (late["error"], late["next"]) == ("平台无应答（超时）", "即将发送")
    assert page["more"] == ""


def test_in_english_with_nothing_waiting_and_when_reporting_is_off():
    hall = demo_hall()
    page = outbox_page(hall, reply(waiting=0, rows=[], oldest_age_s=None, failing=0), "en")
    assert page["rows"] == [] and page["empty"] == "Nothing waiting: every report has arrived"
    assert {f["key"]: f["value"] for f in page["figures"]}["oldest"] == "—"
    assert not CJK.search(json.dumps(page, ensure_ascii=False))
    off = outbox_page(hall, {"enabled": False, "endpoint": None, "waiting": 0, "rows": []}, "zh")
    assert off["status"].startswith("未启用") and not off["enabled"]
    assert outbox_page(hall, None, "zh", error="未能完成：x")["error"] == "未能完成：x"


@pytest.mark.parametrize("status, error, words", [
    (400, "HTTP 400", "平台拒收（HTTP 400），请核对字段映射"), (302, "HTTP 302", "平台未确认（HTTP 302）"),
    (None, "URLError: <urlopen error [Errno 111] Connection refused>", "无法连接平台"),
    (None, "RemoteDisconnected: Remote end closed connection without response", "发送失败（RemoteDisconnected）"),
    (None, "http://token@platform/x?key=s3cret: bad", "发送失败（http）"),  # never the raw text, its address
    (None, None, "尚未发送"), (True, None, "尚未发送"),
])
def test_a_failure_is_said_in_words_never_quoted(status, error, words):
    assert error_words({"last_status": status, "last_error": error}, "zh") == words


def test_what_comes_over_the_wire_is_checked_and_a_long_backlog_says_so():
    hall = demo_hall()
    rows = reply()["rows"] + [{"id": "<script>", "kind": "rating"}, "nonsense",
                              {"id": "demo:x:rating", "kind": "drop table", "number": "A" * 40, "day": "today",
                               "attempts": -3, "next_try_at": "soon"}]
    page = outbox_page(hall, reply(rows=rows, waiting=500, sent="many", failing=True), "zh")
    assert [r["id"] for r in page["rows"]] == [r["id"] for r in reply()["rows"]] + ["demo:x:rating"]
    odd = page["rows"][-1]
    assert (odd["kind"], odd["ticket"], odd["attempts"], odd["next"]) == ("rating", "—", 0, "—")
    figures = {f["key"]: f["value"] for f in page["figures"]}
    assert (figures["sent"], figures["failing"]) == ("0", "0")
    assert page["more"] == "仅列出最早的 4 条，共 500 条"


# --- in a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def platform():
    running = Platform()
    running.down = True  # refuses every report (500) until a test lets it in
    yield running
    running.close()


@pytest.fixture(scope="module")
def hall(broker, demo_raw, tmp_path_factory, platform):
    raw = reporting(copy.deepcopy(demo_raw), platform.url)
    raw["rating_reports"].update(backoff_s=0.3, backoff_max_s=1.0)
    raw["hall"], raw["ticketing_hours"] = f"o{uuid.uuid4().hex[:10]}", []
    running = WebHall(raw, tmp_path_factory.mktemp("outbox"), broker)
    for role, name in ROLE_USERS.items():
        running.web.add_user(name, role, PASSWORD)
    yield running
    running.stop()



def rows_shown(desk) -> dict[str, dict]:
    return {row.get_attribute("data-report"): {cell: row.find_element(By.CSS_SELECTOR, f"td.{cell}").text
                                               for cell in ("kind", "ticket", "attempts", "last", "next")}
            for row in desk.driver.find_elements(By.CSS_SELECTOR, "#outbox-rows tr.report")}


def figure(desk, key: str) -> str:
    return desk.text(f'#outbox-figures [data-figure="{key}"] dd')


def test_ratings_wait_while_the_platform_refuses_and_are_gone_once_it_accepts(hall, desk, platform):
    rated = [poor_rating(hall, "13912345678"), poor_rating(hall, None)]
    ids = {f"{hall.hall}:{t['id']}:rating": t for t in rated}
    log_in(desk, hall, "zhao.min")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="logged in")
    assert "好差评上报" in [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")]
    desk.driver.find_element(By.LINK_TEXT, "好差评上报").click()

    def refused_twice():
        desk.open(hall.url("/console/outbox", "console"))
        shown = rows_shown(desk)
        return set(ids) <= set(shown) and all(int(shown[i]["attempts"]) >= 2 for i in ids) and shown
    shown = desk.wait_for(refused_twice, timeout=20.0, what="both ratings refused twice")
    assert desk.text("h1") == "好差评上报"
    assert desk.text("#reporting") == f"已启用：评价与整改情况上报至省好差评平台 127.0.0.1:{platform.port}"
    for report_id, ticket in ids.items():
        row = shown[report_id]
        assert row["kind"] == "评价" and row["ticket"].endswith(ticket["number"])
        assert row["last"] == "平台出错（HTTP 500）"
        assert re.fullmatch(r"\d{2}:\d{2}:\d{2}|即将发送", row["next"]), row["next"]
    assert int(figure(desk, "waiting")) == 2 and int(figure(desk, "failing")) == 2
    assert figure(desk, "sent_today") == "0" and figure(desk, "oldest").endswith("秒")
    page = desk.text("main")
    assert "13912345678" not in page and "139****5678" not in page and "hall-token" not in page
    assert "/api/evaluations" not in page  # the host only, never the path

    platform.down = False

    def delivered():
        desk.open(hall.url("/console/outbox", "console"))
        return desk.text("#outbox-empty")
    desk.wait_for(delivered, timeout=20.0, what="nothing waiting")
    assert desk.text("#outbox-empty") == "没有待上报的记录，全部已送达"
    assert (figure(desk, "waiting"), figure(desk, "sent_today"), figure(desk, "sent")) == ("0", "2", "2")
    assert set(ids) <= set(platform.kept)
    desk.driver.find_element(By.CSS_SELECTOR, "form.lang button").click()
    desk.wait_for(lambda: desk.text("h1") == "Rating reports", what="the page in English")
    assert desk.text("#outbox-empty") == "Nothing waiting: every report has arrived"
    assert not CJK.search(desk.text("#outbox-figures") + desk.text("#reporting"))
    assert [e for e in desk.console() if e["level"] in ("SEVERE", "WARNING")] == []  # the CSP held


def test_only_the_director_and_supervisors_see_it(hall, desk):
    log_in(desk, hall, "qian.jun")
    desk.wait_for(lambda: desk.driver.current_url.endswith("/console/hall"), what="logged in")
    assert "好差评上报" not in [a.text for a in desk.driver.find_elements(By.CSS_SELECTOR, "nav.menu a")]
    desk.open(hall.url("/console/outbox", "console"))
    assert desk.text("#refused") == "您的角色无权进行此操作"

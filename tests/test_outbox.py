"""好差评 reports to the provincial platform: the outbox's rules by tables, then the real controller
against a local HTTP platform — one that fails, times out and garbles at random, with the
controller killed (SIGKILL) in the middle: every rating arrives, and is taken once, by its id."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest
import yaml

from config.loader import public
from config.reporting import RatingReports
from config.schema import ConfigError, validate
from contract.client import HallClient
from controller import outbox
from controller.store import Store
from testbed.controller import PIN, RunningController, staffed_window
from testbed.processes import stop_process
from tests.support.hall import ok
from tests.support.live import start_controller
from tests.support.platform import Platform, reporting


# --- the rules -------------------------------------------------------------------------------


def test_back_off_doubles_up_to_its_cap():
    section = RatingReports(backoff_s=2, backoff_max_s=30)
    assert [outbox.next_wait_s(n, section) for n in range(1, 7)] == [2, 4, 8, 16, 30, 30]
    assert outbox.next_wait_s(10_000, section) == 30


@pytest.mark.parametrize("status, error, sent", [
    (200, None, True), (201, None, True), (409, None, True),     # 409: the platform has that id already
    (500, "HTTP 500", False), (400, "HTTP 400", False), (None, "TimeoutError: timed out", False),
])
def test_a_try_is_sent_only_when_acknowledged(status, error, sent):
    section = RatingReports(backoff_s=2, backoff_max_s=30)
    row = {"id": "h:1:rating", "attempts": 2, "next_try_at": 0.0, "sent_at": None, "last_error": None,
           "last_status": None}
    after = outbox.after_try(row, status=status, error=error, now=100.0, section=section)
    assert after["attempts"] == 3
    assert (after["sent_at"] == 100.0) is sent
    if not sent:
        assert after["sent_at"] is None and after["next_try_at"] == 108.0 and after["last_error"] == error


def test_the_body_follows_the_field_mapping(demo_raw):
    raw = reporting(dict(demo_raw), "http://platform.example/api",
                    fields={"application_no": "projectNo", "level": "satisfaction"}, channels={"evaluator": "1"},
                    org_code="330100-ZWFW")
    config = validate(raw)
    rating = {"ticket_id": "2026-12-02-A001", "day": "2026-12-02", "number": "A001", "category": "general",
              "item": None, "window": 1, "staff_id": "1001", "level": 2, "bad": True,
              "reasons": json.dumps(["slow"]), "comment": None, "channel": "evaluator", "device": "evaluator-1",
              "at": 1796176800.0, "real_name": False}
    row = outbox.rating_entry(config, rating, "不满意", application_no="ZJ2026-0001")
    assert row["id"] == f"{config.hall}:2026-12-02-A001:rating" and row["sent_at"] is None
    sent = outbox.body(row, config.rating_reports)
    assert sent["projectNo"] == "ZJ2026-0001" and sent["satisfaction"] == 2 and sent["channel"] == "1"
    assert "application_no" not in sent and "level" not in sent
    assert sent["id"] == row["id"] and sent["org_code"] == "330100-ZWFW" and sent["level_text"] == "不满意"
    assert sent["reasons"] == ["slow"] and sent["reason_texts"] == ["办理效率低"]
    assert sent["rated_at"] == "2026-12-02T10:00:00+08:00"  # the hall's time zone
    assert sent["item_name"] == "综合受理"  # no item: the category's name
    gone = outbox.rating_entry(config, {**rating, "category": "closed-since"}, "不满意")
    assert json.loads(gone["record"])["item_name"] == "closed-since"  # a category removed since: its code


def test_a_report_carries_the_application_its_ticket_was_linked_to_last(demo_raw):
    config = validate(reporting(dict(demo_raw), "http://platform.example/api", fields={"application_no": "projectNo"}))
    rating = {"ticket_id": "2026-12-02-A001", "day": "2026-12-02", "number": "A001", "category": "general",
              "item": "C01", "window": 5, "staff_id": "1004", "level": 5, "bad": False, "reasons": "[]",
              "comment": None, "channel": "evaluator", "device": "evaluator-5", "at": 1796176800.0, "real_name": False}

    def app(no, *linked):  # a 办件 whose steps linked the ticket numbers given, at the times given
        return {"application_no": no, "accepted_at": 1.0,
                "history": json.dumps([{"at": at, "status": "accepted", "ticket": number} for number, at in linked])}

    assert outbox.last_linked([], rating["ticket_id"]) is None
    assert outbox.last_linked([app("ZJ-1", ("A001", 10.0)), app("ZJ-2", ("B007", 99.0), ("A001", 20.0))],
                              rating["ticket_id"]) == "ZJ-2"
    assert outbox.last_linked([app("ZJ-1", ("A001", 30.0)), app("ZJ-2", ("A001", 20.0))], rating["ticket_id"]) == "ZJ-1"
    bare = outbox.rating_entry(config, rating, "非常满意")
    assert outbox.body(bare, config.rating_reports)["projectNo"] is None
    assert outbox.lacks_application(bare)
    linked = outbox.with_application(bare, "ZJ-2")  # linked after the rating, before its first try
    assert outbox.body(linked, config.rating_reports)["projectNo"] == "ZJ-2" and not outbox.lacks_application(linked)
    assert outbox.with_application(bare, None) is bare
    tried = {**bare, "attempts": 1}  # a body sent once is sent the same again: a repeat of it
    assert outbox.with_application(tried, "ZJ-2") is tried and not outbox.lacks_application(tried)
    named = outbox.rating_entry(config, rating, "非常满意", application_no="ZJ-1")
    assert outbox.with_application(named, "ZJ-2") is named  # the link at rating time is kept
    assert outbox.ticket_day_start("2026-12-02-A001", config) == outbox.day_start("2026-12-02", config)
    assert outbox.ticket_day_start("odd", config) == 0.0


def test_the_rating_and_its_rectification_are_queued_with_the_linked_application(tmp_path, demo_raw):
    """On a real store: a ticket linked at 办结 and rated 差评 queues its rating, and later its
    rectification, under the 办件 number; a ticket linked to none queues them without one."""
    from tests.support.booking import BookingHall, local

    hall = BookingHall(tmp_path / "hall.db", validate(reporting(dict(demo_raw), "http://platform.example/api")),
                       local("2026-12-02 10:00"))
    try:
        hall.ok("window-5", "login", staff_id="1004", pin=PIN)
        numbered = {}
        for no in ("SQ-OUT-1", None):
            ticket = hall.ok("kiosk-K1", "issue_ticket", item="C01")["ticket"]
            hall.ok("window-5", "call_next")
            hall.ok("window-5", "finish", **({"application_no": no} if no else {}))
            hall.ok("evaluator-5", "rate", ticket_id=ticket["id"], level=1, reasons=["slow"])
            for status, note in (("visited", "电话回访"), ("closed", "已解释")):
                hall.ok("admin-ops", "followup_update", followup_id=f"FU-{ticket['id']}", status=status, note=note,
                        **({"verdict": "satisfied"} if status == "closed" else {}))
            numbered[ticket["id"]] = no
        for ticket_id, no in numbered.items():
            for kind in ("rating", "rectification"):
                row = hall.store.record("outbox", f"{hall.config.hall}:{ticket_id}:{kind}")
                assert json.loads(row["record"])["application_no"] == no, (ticket_id, kind)
    finally:
        hall.close()


@pytest.mark.parametrize("section, key", [
    ({"enabled": True}, "rating_reports"),
    ({"fields": {"nope": "x"}}, "rating_reports.fields"),
    ({"fields": {"level": "channel"}}, "rating_reports.fields"),     # two items under one name
    ({"channels": {"sms": "5"}}, "rating_reports.channels"),
    ({"url": "ftp://platform"}, "rating_reports.url"),
    ({"timeout_s": 0}, "rating_reports.timeout_s"),
    ({"retries": 3}, "rating_reports.retries"),
])
def test_the_section_is_strict(demo_raw, section, key):
    with pytest.raises(ConfigError) as refused:
        validate({**demo_raw, "rating_reports": section})
    assert refused.value.key == key


def test_acknowledged_reports_are_pruned_the_waiting_kept(tmp_path):
    from controller.store import Batch

    store = Store(str(tmp_path / "hall.db"))
    try:
        rows = {f"h:{n}:rating": {**outbox.queued_row(f"h:{n}:rating", "rating", str(n), {}, 100.0 * n),
                                  "sent_at": sent} for n, sent in ((1, 1000.0), (2, 5000.0), (3, None))}
        store.commit(Batch(rows={"outbox": rows}))
        assert store.prune_outbox(2000.0) == 1
        assert [r["id"] for r in store.outbox_due(10_000.0, 10)] == ["h:3:rating"]
        assert store.outbox_backlog()["waiting"] == 1 and store.outbox_backlog()["sent"] == 1
        assert store.outbox_backlog(sent_since=4000.0)["sent_today"] == 1
        assert store.outbox_backlog(sent_since=6000.0)["sent_today"] == 0
        assert [r["id"] for r in store.outbox_waiting(10)] == ["h:3:rating"]
        assert store.prune_outbox(1e12) == 1 and store.outbox_backlog()["waiting"] == 1
    finally:
        store.close()


def test_off_by_default_and_never_published(demo_raw):
    assert validate(demo_raw).rating_reports.enabled is False
    config = validate(reporting(dict(demo_raw), "http://platform.example/api?token=s3cret"))
    assert "rating_reports" not in public(config) and "s3cret" not in json.dumps(public(config))


# --- over the wire -----------------------------------------------------------------------


def rate_one(kiosk, window, evaluator, level=5, reasons=(), category="general"):
    ticket = ok(kiosk.request("issue_ticket", {"category": category}))["ticket"]
    assert ok(window.request("call_next"))["ticket"]["id"] == ticket["id"]
    ok(evaluator.request("rate", {"ticket_id": ticket["id"], "level": level, "reasons": list(reasons)}))
    return ticket


def test_a_rating_and_its_rectification_reach_the_platform(broker, hall_raw, tmp_path):
    platform = Platform()
    running = RunningController(reporting(hall_raw, platform.url), tmp_path / "hall.db", broker)
    try:
        kiosk, admin = running.device("kiosk-K1"), running.device("admin-console")
        window, evaluator = staffed_window(running, 1), running.device("evaluator-1")
        platform.down = True
        bad = rate_one(kiosk, window, evaluator, level=1, reasons=["slow"])
        rid = f"{running.hall}:{bad['id']}:rating"
        store = Store(str(tmp_path / "hall.db"))
        try:  # the reply means durable: the rating and its report were committed together
            assert store.record("ratings", bad["id"])["level"] == 1
            assert store.record("outbox", rid)["sent_at"] is None
        finally:
            store.close()
        time.sleep(0.8)
        backlog = ok(admin.request("outbox"))["outbox"]
        assert backlog["enabled"] and backlog["waiting"] == 1 and backlog["failing"] == 1 and backlog["sent"] == 0
        assert backlog["last_error"] == "HTTP 500" and backlog["oldest_age_s"] >= 0.5
        assert backlog["endpoint"] == f"127.0.0.1:{platform.port}" and "hall-token" not in json.dumps(backlog)
        [row] = backlog["rows"]
        assert (row["id"], row["kind"], row["number"], row["last_status"], row["last_error"]) == \
            (rid, "rating", bad["number"], 500, "HTTP 500")
        assert row["attempts"] >= 1 and row["next_try"].endswith("+08:00") and "record" not in row
        fid = f"FU-{bad['id']}"
        for status, note, verdict in (("visited", "电话回访", None), ("rectifying", "增开窗口", None),
                                      ("closed", "群众认可", "satisfied")):
            ok(admin.request("followup_update", {"followup_id": fid, "status": status, "note": note,
                                                 **({"verdict": verdict} if verdict else {})}))
        time.sleep(0.5)
        assert not any(p.endswith(":rectification") for p in platform.posts), "a rectification waits for its rating"
        platform.down = False
        platform.wait_for({rid, f"{running.hall}:{bad['id']}:rectification"}, 10)
        assert platform.posts.index(rid) < platform.posts.index(f"{running.hall}:{bad['id']}:rectification")
        sent = platform.kept[rid]
        assert (sent["kind"], sent["level"], sent["level_text"], sent["reasons"], sent["channel"], sent["window"]) \
            == ("rating", 1, "非常不满意", ["slow"], "evaluator", 1)
        fix = platform.kept[f"{running.hall}:{bad['id']}:rectification"]
        assert (fix["rating_id"], fix["result"], fix["verdict"], fix["on_time"]) == \
            (rid, "rectifying", "satisfied", True)
        assert [m["note"] for m in fix["measures"]] == ["电话回访", "增开窗口", "群众认可"]
        assert platform.headers[-1]["Authorization"] == "Bearer hall-token"
        assert platform.headers[-1]["Idempotency-Key"] == fix["id"]
        deadline = time.monotonic() + 5
        while (backlog := ok(admin.request("outbox"))["outbox"])["waiting"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (backlog["waiting"], backlog["sent"], backlog["sent_today"], backlog["oldest"], backlog["rows"]) == \
            (0, 2, 2, None, [])
    finally:
        running.stop()
        platform.close()


def test_the_platform_gets_the_application_number_of_the_linked_ticket(broker, hall_raw, tmp_path):
    """A ticket linked at 办结 is reported under its 办件 number, in the field the config maps it to;
    one linked after its rating, before its report's first try, too; one whose report was already
    on its way when it was linked keeps the body it was sent with, so a repeat is the same report."""
    platform = Platform()
    raw = reporting(hall_raw, platform.url, fields={"application_no": "projectNo"}, timeout_s=5)
    running = RunningController(raw, tmp_path / "hall.db", broker)
    try:
        kiosk, admin = running.device("kiosk-K1"), running.device("admin-console")
        window, evaluator = staffed_window(running, 5), running.device("evaluator-5")

        def rated(**finish):
            ticket = ok(kiosk.request("issue_ticket", {"item": "C01"}))["ticket"]
            assert ok(window.request("call_next"))["ticket"]["id"] == ticket["id"]
            if finish:
                ok(window.request("finish", finish))
            ok(evaluator.request("rate", {"ticket_id": ticket["id"], "level": 4}))
            return f"{running.hall}:{ticket['id']}:rating", ticket

        at_finish, _ = rated(application_no="ZJ2026-0001")
        platform.wait_for({at_finish}, 10)
        assert platform.kept[at_finish]["projectNo"] == "ZJ2026-0001" and "application_no" not in platform.kept[at_finish]
        platform.hang.set()  # the next report is taken and not answered yet: the one after it waits its turn
        on_its_way, first = rated()
        deadline = time.monotonic() + 5
        while on_its_way not in platform.posts and time.monotonic() < deadline:
            time.sleep(0.02)
        queued, second = rated()
        for no, ticket in (("ZJ2026-0002", first), ("ZJ2026-0003", second)):
            ok(admin.request("application_link", {"application_no": no, "ticket_id": ticket["id"]}))
        platform.hang.clear()
        platform.wait_for({on_its_way, queued}, 10)
        assert platform.kept[on_its_way]["projectNo"] is None
        assert platform.kept[queued]["projectNo"] == "ZJ2026-0003"
        store = Store(str(tmp_path / "hall.db"))
        try:  # what was sent is what the outbox keeps
            deadline = time.monotonic() + 5
            while store.record("outbox", queued)["sent_at"] is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert json.loads(store.record("outbox", queued)["record"])["application_no"] == "ZJ2026-0003"
            assert json.loads(store.record("outbox", on_its_way)["record"])["application_no"] is None
        finally:
            store.close()
    finally:
        running.stop()
        platform.close()


def test_a_silent_platform_never_holds_the_hall_up(broker, hall_raw, tmp_path):
    platform = Platform()
    raw = reporting(hall_raw, platform.url)
    raw["rating_reports"]["timeout_s"] = 5
    running = RunningController(raw, tmp_path / "hall.db", broker)
    try:
        kiosk, window, evaluator = running.device("kiosk-K1"), staffed_window(running, 1), running.device("evaluator-1")
        platform.hang.set()  # takes the POST and never answers (for 5 s)
        rate_one(kiosk, window, evaluator)
        time.sleep(0.3)
        assert len(platform.posts) == 1
        started = time.monotonic()
        for _ in range(5):
            rate_one(kiosk, window, evaluator)
        assert time.monotonic() - started < 3, "the hall waited for the platform"
    finally:
        running.stop()
        platform.close()


def test_every_rating_once_through_outages_and_a_sigkill(broker, hall_raw, tmp_path):
    """300 ratings, a platform failing a third of the POSTs in every way, the controller killed
    mid-delivery and started again: each rating is on the platform exactly once, by its id."""
    platform = Platform(chaos=0.35)
    config_path, db = tmp_path / "hall.yaml", tmp_path / "hall.db"
    config_path.write_text(yaml.safe_dump(reporting(hall_raw, platform.url), allow_unicode=True), encoding="utf-8")
    hall, proc, clients = hall_raw["hall"], start_controller(config_path, db, broker.port), []
    rated: list[str] = []

    def devices():
        names = ["kiosk-K1"] + [f"{kind}-{n}" for n in (1, 3, 5) for kind in ("window", "evaluator")]
        out = {}
        for name in names:
            client = HallClient(name, hall, "127.0.0.1", broker.port)
            client.listen_for_replies()
            assert client.start(10) and client.wait_for_controller(20)
            clients.append(client)
            out[name] = client
        return out

    def rate_many(count, kit):
        for i in range(count):
            n = (1, 3, 5)[i % 3]
            ticket = rate_one(kit["kiosk-K1"], kit[f"window-{n}"], kit[f"evaluator-{n}"], level=5 - i % 3,
                              category={1: "general", 3: "social", 5: "estate"}[n])
            rated.append(f"{hall}:{ticket['id']}:rating")

    try:
        kit = devices()
        for n, staff in ((1, "1001"), (3, "1003"), (5, "1004")):
            ok(kit[f"window-{n}"].request("login", {"staff_id": staff, "pin": PIN}))
        rate_many(120, kit)
        platform.late_all = True  # from now on the platform keeps each report but its answer comes too late
        rate_many(30, kit)
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)  # mid-delivery: reports kept whose acknowledgement never arrived
        proc.wait(10)
        with platform.lock:
            kept_before, posted_before = set(platform.kept), len(platform.posts)
        arrived = len(kept_before)
        store = Store(str(db))
        try:
            waiting = store.outbox_backlog()["waiting"]
        finally:
            store.close()
        assert waiting >= 1 and arrived + waiting >= 150, "the kill must land mid-delivery"
        platform.late_all = False
        for client in clients:
            client.stop()
        clients.clear()
        proc = start_controller(config_path, db, broker.port)
        kit = devices()
        rate_many(150, kit)
        platform.wait_for(set(rated), 120)
        admin = HallClient("admin-console", hall, "127.0.0.1", broker.port)
        admin.listen_for_replies()
        assert admin.start(10) and admin.wait_for_controller(20)
        clients.append(admin)
        deadline = time.monotonic() + 20
        while (backlog := ok(admin.request("outbox"))["outbox"])["waiting"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert backlog["waiting"] == 0 and backlog["sent"] == 300
        with platform.lock:
            assert set(platform.kept) == set(rated) and len(rated) == 300
            repeats = len(platform.posts) - len(set(platform.posts))
            kept_unacknowledged = kept_before & set(platform.posts[posted_before:])
        assert repeats >= 1 and kept_unacknowledged, "a report kept before the kill is sent again, kept once"
        print(f"300 ratings: {len(platform.posts)} POSTs, {repeats} repeats acknowledged by id, "
              f"{arrived} kept before the kill, {waiting} waiting in the outbox then")
    finally:
        for client in clients:
            client.stop()
        stop_process(proc)
        platform.close()

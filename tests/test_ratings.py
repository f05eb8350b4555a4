"""好差评, follow-ups, application progress, appointments and device reports — over the wire."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from config.schema import Calendar
from contract.messages import RatingEvent
from controller.workdays import add_working_days, deadline
from testbed.controller import RunningController, staffed_window
from tests.support.hall import Inbox, ok, refused


def serve(controller, kiosk, window, category="general", applicant=None):
    fields = {"category": category, **({"applicant": applicant} if applicant else {})}
    ticket = ok(kiosk.request("issue_ticket", fields))["ticket"]
    assert ok(window.request("call_next"))["ticket"]["id"] == ticket["id"]
    ok(window.request("start"))
    ok(window.request("finish"))
    return ticket


@pytest.mark.parametrize("start, n, expected", [
    ("2026-11-23", 5, "2026-11-30"),   # Monday + 5 working days skips the weekend
    ("2026-11-27", 1, "2026-11-30"),   # Friday + 1 is Monday
    ("2026-09-30", 1, "2026-10-08"),   # National Day holidays are skipped ...
    ("2026-09-30", 2, "2026-10-09"),
])
def test_working_days_follow_the_calendar(start, n, expected):
    holidays = [f"2026-10-0{d}" for d in range(1, 8)]
    assert add_working_days(date.fromisoformat(start), n, holidays, []).isoformat() == expected


def test_adjusted_working_days_count():
    # ... and a Saturday worked instead (调休) counts
    assert add_working_days(date(2026, 9, 25), 1, [], ["2026-09-26"]).isoformat() == "2026-09-26"
    due = deadline(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp(), 5,
                   Calendar(), "Asia/Shanghai")
    assert datetime.fromtimestamp(due, ZoneInfo("Asia/Shanghai")).isoformat() == "2026-11-30T23:59:59+08:00"


def test_a_good_rating_once_per_ticket(controller, kiosk):
    inbox = Inbox()
    controller.device("display-r", deliver=inbox, watch=(f"qms/{controller.hall}/event/+",))
    window = staffed_window(controller, 1)
    ticket = serve(controller, kiosk, window, "general")
    waiting = ok(kiosk.request("issue_ticket", {"category": "tax"}))["ticket"]
    refused(kiosk.request("rate", {"ticket_id": waiting["id"], "level": 5}), "invalid_state")
    refused(kiosk.request("rate", {"level": 5}), "bad_request")  # neither id nor token
    result = ok(kiosk.request("rate", {"ticket_id": ticket["id"], "level": 5}))["rating"]
    assert result == {"ticket_id": ticket["id"], "number": ticket["number"], "level": 5, "bad": False,
                      "followup_id": None}
    refused(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 4}), "duplicate")
    _, event = inbox.wait_for(lambda t, d: t.endswith("/event/rating") and d["kind"] == "rated")
    RatingEvent.model_validate(event)
    assert event["level"] == 5 and event["window"] == 1 and event["channel"] == "kiosk" and event["staff_id"]
    refused(kiosk.request("rate", {"rating_token": "NOPE", "level": 4}), "not_found")
    refused(kiosk.request("rate", {"ticket_id": ticket["id"], "level": 6}), "bad_request")


def test_bad_rating_opens_a_followup_tracked_to_closure(controller, kiosk):
    inbox = Inbox()
    controller.device("display-r", deliver=inbox, watch=(f"qms/{controller.hall}/event/+",))
    window = staffed_window(controller, 3)
    ticket = serve(controller, kiosk, window, "social", applicant={"name": "王小明", "phone": "13812345678"})
    error = refused(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 2}), "bad_request")
    assert "reason" in error["message"]
    refused(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 1, "reasons": ["rude"]}),
            "bad_request")
    rating = ok(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 1, "channel": "qr",
                                       "reasons": ["slow", "unclear"], "comment": "等了很久"}))["rating"]
    assert rating["bad"] and rating["followup_id"] == f"FU-{ticket['id']}"
    _, alert = inbox.wait_for(lambda t, d: t.endswith("/event/alert") and d["kind"] == "bad_rating")
    assert alert["window"] == 3 and alert["followup_id"] == rating["followup_id"] and "差评" in alert["text"]["zh"]

    admin = controller.device("admin-ops")
    [followup] = ok(admin.request("followups", {"status": "open"}))["followups"]
    assert followup["phone"] == "138****5678" and followup["real_name"] and not followup["overdue"]
    assert followup["reasons"] == ["slow", "unclear"] and followup["status_text"]["zh"] == "待回访"
    fid = followup["id"]
    refused(admin.request("followup_update", {"followup_id": fid, "status": "closed", "note": "x",
                                              "verdict": "satisfied"}), "invalid_state")  # call first
    refused(admin.request("followup_update", {"followup_id": "FU-none", "status": "visited", "note": "x"}),
            "not_found")
    refused(admin.request("followup_update", {"followup_id": fid, "status": "lost", "note": "x"}), "bad_request")
    ok(admin.request("followup_update", {"followup_id": fid, "status": "visited", "note": "电话回访，群众反映等候时间长"}))
    ok(admin.request("followup_update", {"followup_id": fid, "status": "rectifying", "note": "增开窗口"}))
    refused(admin.request("followup_update", {"followup_id": fid, "status": "closed", "note": "已整改"}),
            "bad_request")  # the citizen's verdict is required
    closed = ok(admin.request("followup_update", {"followup_id": fid, "status": "closed", "note": "已整改",
                                                  "verdict": "satisfied"}))["followup"]
    assert closed["status"] == "closed" and [h["status"] for h in closed["history"]] == [
        "open", "visited", "rectifying", "closed"]
    assert closed["history"][1]["by"] == "admin-ops"
    figures = ok(admin.request("stats"))["ratings"]
    assert figures["rated"] == 1 and figures["bad"] == 1 and figures["rectification_rate"] == 100.0
    assert figures["real_name_followed_in_time"] == 1 and figures["active_rating_rate"] == 100.0
    assert figures["good_rate"] == 0.0 and figures["by_level"]["1"] == 1


def test_evaluator_on_a_bridge_rates_for_its_window(controller, kiosk):
    window = staffed_window(controller, 5)
    ticket = serve(controller, kiosk, window, "estate")
    bridge = controller.device("bridge-b1")
    rating = ok(bridge.request("rate", {"ticket_id": ticket["id"], "level": 2, "reasons": ["evaluator"]}))
    assert rating["rating"]["bad"]
    row = next(controller.store.db.query("SELECT * FROM ratings"))
    assert row["channel"] == "evaluator" and row["window"] == 5 and row["device"] == "bridge-b1"
    assert row["staff_id"] == controller.service.engine.windows[5].staff_id


def test_a_rating_survives_a_restart(broker, hall_raw, tmp_path):
    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    kiosk = running.device("kiosk-K1")
    ticket = serve(running, kiosk, staffed_window(running, 1))
    ok(kiosk.request("rate", {"ticket_id": ticket["id"], "level": 4}))
    running.stop()
    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    try:
        kiosk = running.device("kiosk-K1")
        refused(kiosk.request("rate", {"ticket_id": ticket["id"], "level": 1, "reasons": ["other"]}), "duplicate")
    finally:
        running.stop()


def test_application_progress(controller, kiosk):
    admin = controller.device("admin-ops")
    refused(kiosk.request("query_progress", {"application_no": "SQ2026001"}), "not_found")
    refused(kiosk.request("query_progress", {"application_no": "x"}), "bad_request")
    ok(admin.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "submitted",
                                      "applicant_name": "李四光", "note": "窗口受理"}))
    ok(admin.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "reviewing"}))
    refused(admin.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "lost"}),
            "bad_request")
    refused(kiosk.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "approved"}),
            "forbidden")
    app = ok(kiosk.request("query_progress", {"application_no": "SQ2026001"}))["application"]
    assert app["applicant"] == "李*光" and app["status_text"] == {"zh": "审核中", "en": "Under review"}
    assert [h["status"] for h in app["history"]] == ["submitted", "reviewing"]
    assert app["item_name"]["zh"] == controller.config.items["C01"].name.zh


def test_appointment_check_in(controller, kiosk):
    admin = controller.device("admin-ops")
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime.now(tz)
    slot = lambda h: (now.replace(second=0, microsecond=0) + __import__("datetime").timedelta(hours=h)).strftime(
        "%Y-%m-%dT%H:%M")  # noqa: E731
    ok(admin.request("appointment_add", {"code": "YY0001", "item": "B01", "slot_start": slot(-1),
                                         "slot_end": slot(1), "applicant_name": "赵六", "phone": "13900001111"}))
    ok(admin.request("appointment_add", {"code": "YY0002", "category": "tax", "slot_start": slot(3),
                                         "slot_end": slot(4)}))
    refused(admin.request("appointment_add", {"code": "YY0002", "category": "tax", "slot_start": slot(3),
                                              "slot_end": slot(4)}), "duplicate")
    refused(admin.request("appointment_add", {"code": "YY0003", "category": "tax", "slot_start": slot(3),
                                              "slot_end": slot(2)}), "bad_request")
    early = ok(kiosk.request("issue_ticket", {"category": "social"}))["ticket"]
    ticket = ok(kiosk.request("check_in", {"appointment_code": "YY0001"}))["ticket"]
    assert ticket["category"] == "social" and ticket["item"] == "B01"
    refused(kiosk.request("check_in", {"appointment_code": "YY0001"}), "duplicate")
    error = refused(kiosk.request("check_in", {"appointment_code": "YY0002"}), "invalid_state")
    assert "预约时段" in error["message_zh"]
    refused(kiosk.request("check_in", {"appointment_code": "NONE01"}), "not_found")
    window = staffed_window(controller, 3)
    assert ok(window.request("call_next"))["ticket"]["id"] == ticket["id"], "appointments are called first"
    assert ok(window.request("call_next"))["ticket"]["id"] == early["id"]


def test_printer_trouble_becomes_an_alert(controller, kiosk):
    inbox = Inbox()
    controller.device("display-a", deliver=inbox, watch=(f"qms/{controller.hall}/event/alert",))
    ok(kiosk.request("device_status", {"component": "printer", "status": "ok"}))
    ok(kiosk.request("device_status", {"component": "printer", "status": "paper_out", "detail": "DLE EOT 4: 0x72"}))
    _, alert = inbox.wait_for(lambda t, d: t.endswith("/event/alert") and d["kind"] == "device")
    assert alert["device"] == "kiosk-K1" and alert["status"] == "paper_out" and alert["level"] == "red"
    assert "缺纸" in alert["text"]["zh"]
    assert len([m for m in inbox.messages if m.topic.endswith("/event/alert")]) == 1, "an ok printer is no alert"
    refused(kiosk.request("device_status", {"component": "printer", "status": "on_fire"}), "bad_request")
    kinds = [r["kind"] for r in controller.store.ledger("kind = 'device_reported'")]
    assert kinds == ["device_reported", "device_reported"]


def test_a_keypad_window_evaluator_rates_the_ticket_being_called(controller, kiosk):
    """FF 68 keypads have no start key: the evaluator rates the called ticket, for its own window only."""
    window = staffed_window(controller, 7)
    ticket = ok(kiosk.request("issue_ticket", {"category": "business"}))["ticket"]
    ok(window.request("call_next"))
    bridge = controller.device("bridge-b2")
    refused(bridge.request("rate", {"window": 8, "ticket_id": ticket["id"], "level": 5}), "invalid_state")
    refused(bridge.request("rate", {"window": 999, "ticket_id": ticket["id"], "level": 5}), "not_found")
    rating = ok(bridge.request("rate", {"window": 7, "ticket_id": ticket["id"], "level": 5}))["rating"]
    assert rating["level"] == 5 and not rating["bad"]
    row = next(controller.store.db.query("SELECT channel, window FROM ratings"))
    assert row == {"channel": "evaluator", "window": 7}

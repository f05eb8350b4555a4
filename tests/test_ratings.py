"""好差评, follow-ups, application progress, appointments and device reports — over the wire; and who may rate and
read progress, by tables of commands on an engine with its memory store (the rules alone: tests/test_records.py)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from config.schema import Calendar
from contract.errors import CommandError
from contract.messages import ACTIONS, RatingEvent
from controller.applications import receipt_code
from controller.rights import acting_window
from controller.workdays import add_working_days, deadline
from testbed.controller import RunningController, staffed_window
from tests.support.engine import SECRET, Hall, make_config
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


@pytest.mark.parametrize("device, payload_window, expect", [
    ("evaluator-3", None, 3),            # its own window, always
    ("evaluator-3", 3, 3),
    ("evaluator-3", 4, "forbidden"),     # never another's
    ("bridge-b1", 7, 7),                 # a bridge names the window its evaluator stands at
    ("bridge-b1", None, None),           # ... or rates by token
    ("kiosk-K1", None, None),
    ("kiosk-K1", 3, "bad_request"),      # a kiosk cannot pose as a window's evaluator
    ("window-3", None, "forbidden"),     # staff do not rate themselves
    ("evaluator-x", None, "forbidden"),
])
def test_the_window_a_rating_is_sent_for(device, payload_window, expect):
    try:
        window = acting_window(device, ACTIONS["rate"][0], payload_window, "rate")
    except CommandError as exc:
        assert exc.code == expect
    else:
        assert window == expect


@pytest.mark.parametrize("action", sorted(a for a, (role, _) in ACTIONS.items() if a != "rate"))
def test_a_windows_evaluator_may_only_rate(action):
    with pytest.raises(CommandError) as refused_:
        acting_window("evaluator-3", ACTIONS[action][0], None, action)
    assert refused_.value.code == "forbidden"


def test_a_good_rating_once_per_ticket(controller, kiosk):
    inbox = Inbox()
    controller.device("display-r", deliver=inbox, watch=(f"qms/{controller.hall}/event/+",))
    window = staffed_window(controller, 1)
    ticket = serve(controller, kiosk, window, "general")
    waiting = ok(kiosk.request("issue_ticket", {"category": "tax"}))["ticket"]
    refused(kiosk.request("rate", {"rating_token": waiting["rating_token"], "level": 5}), "invalid_state")
    refused(kiosk.request("rate", {"level": 5}), "bad_request")  # neither id nor token
    result = ok(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 5}))["rating"]
    assert result == {"ticket_id": ticket["id"], "number": ticket["number"], "level": 5, "bad": False,
                      "followup_id": None, "contact": False}
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
    rating = ok(bridge.request("rate", {"window": 5, "ticket_id": ticket["id"], "level": 2, "reasons": ["evaluator"]}))
    assert rating["rating"]["bad"]
    row = next(controller.store.db.query("SELECT * FROM ratings"))
    assert row["channel"] == "evaluator" and row["window"] == 5 and row["device"] == "bridge-b1"
    assert row["staff_id"] == controller.service.engine.windows[5].staff_id


def test_a_rating_survives_a_restart(broker, hall_raw, tmp_path):
    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    kiosk = running.device("kiosk-K1")
    ticket = serve(running, kiosk, staffed_window(running, 1))
    ok(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 4}))
    running.stop()
    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    try:
        kiosk = running.device("kiosk-K1")
        refused(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 1, "reasons": ["other"]}),
                "duplicate")
    finally:
        running.stop()


LOCK = {"progress_lock": {"max_wrong": 3, "device_max_wrong": 5, "lock_s": 600}}


def SET(number: str, phone: str | None = "13812345678"):
    return ("set", number, phone)


def Q(number: str, factor: str, expect: str, by: str = "kiosk-K1"):
    """A query with `p:<last four>`, `c:<code>` or `c:right` (the receipt's code); expect ok or an error code."""
    return ("query", number, factor, expect, by)


PROGRESS_SCRIPTS = {
    "the phone's last four or the receipt's code open it, and nothing else": [
        SET("SQ0001"), Q("SQ0001", "p:5678", "ok"), Q("SQ0001", "c:right", "ok"), Q("SQ0001", "p:1234", "not_found"),
        Q("SQ0001", "c:AAAAAAAA", "not_found"), Q("SQ0002", "c:right", "not_found"), SET("SQ0003", phone=None),
        Q("SQ0003", "p:5678", "not_found"), Q("SQ0003", "c:right", "ok")],
    "wrong tries lock the number for everyone, the same for an unknown number": [
        SET("SQ0001"), Q("SQ0001", "p:0000", "not_found"), Q("SQ0001", "p:0001", "not_found", by="kiosk-K2"),
        Q("SQ0001", "p:0002", "locked", by="kiosk-K3"), Q("SQ0001", "p:5678", "locked", by="kiosk-K4"),
        Q("SQ0404", "p:0000", "not_found"), Q("SQ0404", "p:0001", "not_found", by="kiosk-K2"),
        Q("SQ0404", "p:0002", "locked", by="kiosk-K3"), Q("SQ0404", "p:5678", "locked", by="kiosk-K4"),
        ("wait", 600), Q("SQ0001", "p:5678", "ok", by="kiosk-K4")],
    "wrong tries lock a device for every number": [
        SET("SQ0001"), Q("SQ0101", "p:0000", "not_found"), Q("SQ0102", "p:0000", "not_found"),
        Q("SQ0103", "p:0000", "not_found"), Q("SQ0104", "p:0000", "not_found"), Q("SQ0105", "p:0000", "locked"),
        Q("SQ0001", "p:5678", "locked"), Q("SQ0001", "p:5678", "ok", by="kiosk-K2"), ("wait", 599),
        Q("SQ0001", "p:5678", "locked"), ("wait", 1), Q("SQ0001", "p:5678", "ok")],
    "tries count within lock_s of the first": [
        SET("SQ0001"), Q("SQ0001", "p:0000", "not_found"), Q("SQ0001", "p:0001", "not_found"), ("wait", 600),
        Q("SQ0001", "p:0002", "not_found"), Q("SQ0001", "p:0003", "not_found"), Q("SQ0001", "p:5678", "ok")],
    "a right factor starts the number's count again, never the device's": [
        SET("SQ0001"), Q("SQ0001", "p:0000", "not_found"), Q("SQ0001", "p:0001", "not_found"),
        Q("SQ0001", "p:5678", "ok"), Q("SQ0001", "p:0002", "not_found"), Q("SQ0001", "p:0003", "not_found"),
        Q("SQ0001", "p:5678", "ok"), Q("SQ0009", "p:0004", "locked")],
}


@pytest.mark.parametrize("script", PROGRESS_SCRIPTS.values(), ids=PROGRESS_SCRIPTS.keys())
def test_who_may_read_an_applications_progress(script):
    hall = Hall(make_config(LOCK))
    for index, step in enumerate(script):
        if step[0] == "wait":
            hall.now += step[1]
            continue
        if step[0] == "set":
            _, number, phone = step
            hall.ok("progress_set", by="admin-ops", application_no=number, item="IA", status="submitted",
                    **({"phone": phone} if phone else {}))
            continue
        _, number, factor, expect, by = step
        kind, _, value = factor.partition(":")
        fields = {"phone_last4": value} if kind == "p" else {
            "query_code": receipt_code(SECRET, number) if value == "right" else value}
        out = hall.do("query_progress", by=by, application_no=number, **fields)
        got = "ok" if out.error is None else out.error.code
        assert got == expect, f"step {index}: {step} gave {got}"
        if out.error is None:
            assert out.result["application"]["application_no"] == number


def test_a_wrong_factor_and_an_unknown_number_read_the_same():
    hall = Hall()
    hall.ok("progress_set", by="admin-ops", application_no="SQ0001", item="IA", status="submitted", phone="13812345678")
    wrong = hall.do("query_progress", application_no="SQ0001", phone_last4="1234").error
    unknown = hall.do("query_progress", application_no="SQ0002", phone_last4="5678").error
    assert wrong.as_dict() == unknown.as_dict() and wrong.code == "not_found"


def test_application_progress(controller, kiosk):
    admin = controller.device("admin-ops")
    refused(kiosk.request("query_progress", {"application_no": "SQ2026001", "phone_last4": "5678"}), "not_found")
    refused(kiosk.request("query_progress", {"application_no": "x", "phone_last4": "5678"}), "bad_request")
    refused(kiosk.request("query_progress", {"application_no": "SQ2026001"}), "bad_request")  # no second factor
    set_ = ok(admin.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "submitted",
                                             "applicant_name": "李四光", "note": "窗口受理", "phone": "138 1234 5678"}))
    code = set_["query_code"]
    assert len(code) == 8 and "phone" not in set_["application"]
    again = ok(admin.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "reviewing"}))
    assert again["query_code"] == code  # the same code for every step: the receipt printed at the first stays good
    refused(admin.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "lost"}),
            "bad_request")
    refused(kiosk.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "approved"}),
            "forbidden")
    for factor in ({"phone_last4": "5678"}, {"query_code": code}):
        app = ok(kiosk.request("query_progress", {"application_no": "SQ2026001", **factor}))["application"]
        assert app["applicant"] == "李*光" and app["status_text"] == {"zh": "办理中", "en": "In progress"}
        assert [h["status"] for h in app["history"]] == ["accepted", "in_progress"]  # the older names understood
        assert app["item_name"]["zh"] == controller.config.items["C01"].name.zh
        assert "phone" not in app
    wrong = refused(kiosk.request("query_progress", {"application_no": "SQ2026001", "phone_last4": "1234"}),
                    "not_found")
    unknown = refused(kiosk.request("query_progress", {"application_no": "SQ2026999", "phone_last4": "5678"}),
                      "not_found")
    assert wrong == unknown  # a wrong factor and an unknown number: the same answer
    stored = next(controller.store.db.query("SELECT phone FROM applications"))["phone"]
    assert "5678" not in stored  # sealed at rest


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
    assert len([m for m in inbox.messages if m.topic.endswith("/event/alert") and m.json()["kind"] == "device"]) == 1, \
        "an ok printer is no alert"
    refused(kiosk.request("device_status", {"component": "printer", "status": "on_fire"}), "bad_request")
    kinds = [r["kind"] for r in controller.store.ledger("kind = 'device_reported'")]
    assert kinds == ["device_reported", "device_reported"]


def test_a_keypad_window_evaluator_rates_the_ticket_being_called(controller, kiosk):
    """FF 68 keypads have no start key: the evaluator rates the called ticket, for its own window only."""
    window = staffed_window(controller, 7)
    ticket = ok(kiosk.request("issue_ticket", {"category": "business"}))["ticket"]
    ok(window.request("call_next"))
    bridge = controller.device("bridge-b2")
    refused(bridge.request("rate", {"window": 8, "ticket_id": ticket["id"], "level": 5}), "forbidden")
    refused(bridge.request("rate", {"window": 999, "ticket_id": ticket["id"], "level": 5}), "not_found")
    rating = ok(bridge.request("rate", {"window": 7, "ticket_id": ticket["id"], "level": 5}))["rating"]
    assert rating["level"] == 5 and not rating["bad"]
    row = next(controller.store.db.query("SELECT channel, window FROM ratings"))
    assert row == {"channel": "evaluator", "window": 7}

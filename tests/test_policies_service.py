"""Tidal windows and electronic supervision over the wire: real Mosquitto, real SQLite, a hall clock
the test moves. What the wire carries is checked against the contract's models."""
from __future__ import annotations

import time

from contract.messages import SupervisionAlert, TidalEvent, WindowState
from testbed.controller import RunningController, staffed_window
from tests.support.hall import HallClock, Inbox, at, ok, refused


def until(condition, timeout: float = 5.0) -> None:
    """Wait for the controller's loop to have seen the hall clock move (it ticks at least every second)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the controller did not get there"
        time.sleep(0.02)


def start(broker, hall_raw, tmp_path, clock, watch=("event/+", "state/window/+")):
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    inbox = Inbox()
    running.device("display-hall", deliver=inbox, watch=tuple(f"qms/{running.hall}/{t}" for t in watch))
    return running, inbox


def test_a_tidal_window_switches_over_the_wire_and_after_a_restart(broker, hall_raw, tmp_path):
    clock = HallClock(at("09:00"))
    running, inbox = start(broker, hall_raw, tmp_path, clock)
    try:
        kiosk = running.device("kiosk-K1")
        window10 = staffed_window(running, 10)   # tidal-capable, at home on general
        staffed_window(running, 3)               # social
        clock.now += 15                          # general has been short for as long as a switch lasts (15 min)
        until(lambda: running.service.engine.tidal_state.memory.short_since.get("general"))
        clock.now += 900
        for _ in range(4):                       # 4 × 420 s ÷ 1 window: 28 min predicted
            ok(kiosk.request("issue_ticket", {"category": "social"}))
        clock.now += 15
        until(lambda: running.service.engine.tidal_state.memory.long_since.get("social"))
        clock.now += 300
        _, event = inbox.wait_for(lambda t, d: t.endswith("/event/tidal"))
        TidalEvent.model_validate(event)
        assert event["kind"] == "switched" and event["window"] == 10 and event["to"] == "social"
        assert event["text"] == {"zh": "10号窗口开始办理社保医保业务",
                                 "en": "Window 10 now serves Social & Medical Insurance"}
        _, state = inbox.wait_for(lambda t, d: t.endswith("/state/window/10") and d and d["tidal"])
        WindowState.model_validate(state)
        assert state["categories"] == ["social"] and state["home_categories"] == ["general"]
        [row] = running.store.ledger("kind = 'tidal_switched'")
        assert row["window"] == 10 and row["before"]["tidal"] is False and row["after"]["tidal_category"] == "social"
        assert ok(window10.request("call_next"))["ticket"]["number"] == "B001"
    finally:
        running.stop()
    running, inbox = start(broker, hall_raw, tmp_path, clock, watch=("state/window/10",))
    try:
        _, state = inbox.wait_for(lambda t, d: t.endswith("/state/window/10"))
        assert state["tidal"] is True and state["categories"] == ["social"] and state["status"] == "serving"
    finally:
        running.stop()


def test_admin_switches_pins_and_turns_the_policy_off(controller):
    admin = controller.device("admin-ops")
    inbox = Inbox()
    controller.device("voice-hall", deliver=inbox, watch=(f"qms/{controller.hall}/event/tidal",))
    staffed_window(controller, 11)  # a switch is announced only where someone is logged in
    result = ok(admin.request("tidal_switch", {"target_window": 11, "category": "tax"}))
    assert result == {"window": 11, "tidal": True, "pinned": True, "categories": ["tax"],
                      "secondary": ["general", "estate", "business"], "home": ["general"]}
    _, event = inbox.wait_for(lambda t, d: d.get("kind") == "switched")
    assert event["by"] == "admin-ops" and event["reason"] == "by_hand" and event["text"]["zh"] == "11号窗口开始办理税务业务"
    assert ok(admin.request("tidal_pin", {"target_window": 11, "pinned": False}))["pinned"] is False
    inbox.wait_for(lambda t, d: d.get("kind") == "unpinned")
    error = refused(admin.request("tidal_switch", {"category": "tax"}), "bad_request")
    assert error["message"].startswith("target_window")
    error = refused(admin.request("tidal_switch", {"target_window": 11, "category": "ghost"}), "not_found")
    assert error["message"].startswith("category")
    refused(admin.request("tidal_switch", {"target_window": 1}), "invalid_state")
    result = ok(admin.request("tidal_policy", {"enabled": False, "category": "social"}))
    assert result["version"] == 2 and result["categories"]["social"] is False and result["switched"] == [11]
    result = ok(admin.request("tidal_policy", {"enabled": False}))
    assert result["version"] == 3 and result["enabled"] is False
    assert ok(admin.request("config_get"))["config"]["tidal"]["enabled"] is False
    refused(admin.request("tidal_policy", {"enabled": "no"}), "bad_request")
    refused(admin.request("tidal_policy", {"enabled": True, "category": "ghost"}), "not_found")
    refused(staffed_window(controller, 1).request("tidal_switch", {"target_window": 1, "category": "tax"}),
            "forbidden")


def test_alerts_open_escalate_are_acknowledged_and_close_with_their_cause(broker, hall_raw, tmp_path):
    clock = HallClock(at("09:00"))
    running, inbox = start(broker, hall_raw, tmp_path, clock, watch=("event/alert",))
    try:
        kiosk = running.device("kiosk-K1")
        admin = running.device("admin-ops")
        ok(kiosk.request("issue_ticket", {"category": "tax"}))
        window = staffed_window(running, 8)
        ok(window.request("pause", {"reason": "会议 meeting"}))
        clock.now += 31 * 60
        _, wait = inbox.wait_for(lambda t, d: d.get("kind") == "long_wait" and d.get("change") == "opened")
        SupervisionAlert.model_validate(wait)
        assert wait["level"] == "yellow" and wait["category"] == "tax" and wait["number"] == "E001"
        assert wait["text"]["zh"] == "税务：E001号已等候31分钟，共1人等候"
        _, pause = inbox.wait_for(lambda t, d: d.get("kind") == "long_pause" and d.get("change") == "opened")
        assert pause["window"] == 8 and pause["level"] == "red"      # 31 min > 30 min red limit
        listed = ok(admin.request("alerts"))["alerts"]
        assert {a["kind"] for a in listed} >= {"long_wait", "long_pause"}
        assert all(a["status"] == "open" for a in listed)
        acked = ok(admin.request("alert_ack", {"alert_id": wait["id"], "note": "已安排 on it"}))["alert"]
        assert acked["acked_by"] == "admin-ops" and acked["note"] == "已安排 on it" and acked["status"] == "open"
        inbox.wait_for(lambda t, d: d.get("change") == "acked" and d["id"] == wait["id"])
        clock.now += 30 * 60
        _, red = inbox.wait_for(lambda t, d: d.get("kind") == "long_wait" and d.get("change") == "escalated")
        assert red["level"] == "red" and red["acked_by"] == "admin-ops"
        ok(window.request("resume"))
        ok(window.request("call_next"))
        clock.now += 10
        inbox.wait_for(lambda t, d: d.get("kind") == "long_wait" and d.get("change") == "closed")
        inbox.wait_for(lambda t, d: d.get("kind") == "long_pause" and d.get("change") == "closed")
        closed = ok(admin.request("alerts", {"status": "closed"}))["alerts"]
        assert {a["id"] for a in closed} >= {wait["id"], pause["id"]}
        row = running.store.record("alerts", wait["id"])
        assert row["status"] == "closed" and row["note"] == "已安排 on it" and row["level"] == "red"
        kinds = [r["kind"] for r in running.store.ledger("kind LIKE 'alert_%' AND json_extract(data, '$.id') = ?",
                                                         [wait["id"]])]
        assert kinds == ["alert_opened", "alert_acked", "alert_escalated", "alert_closed"]
        error = refused(admin.request("alert_ack", {"alert_id": 999, "note": "x"}), "not_found")
        assert error["message"].startswith("alert_id")
        assert refused(admin.request("alert_ack", {"alert_id": 1}), "bad_request")["message"].startswith("note")
        refused(admin.request("alerts", {"status": "sleeping"}), "bad_request")
    finally:
        running.stop()


def test_a_bad_rating_follow_up_is_warned_before_and_after_its_deadline(broker, hall_raw, tmp_path):
    clock = HallClock(at("10:00", "2026-11-23"))          # a Monday
    running, inbox = start(broker, hall_raw, tmp_path, clock, watch=("event/alert",))
    try:
        kiosk = running.device("kiosk-K1")
        admin = running.device("admin-ops")
        ticket = ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]
        window = staffed_window(running, 1)
        ok(window.request("call_next"))
        ok(window.request("finish"))
        rating = ok(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 1, "reasons": ["attitude"]}))
        followup_id = rating["rating"]["followup_id"]
        deadline = running.store.record("followups", followup_id)["deadline_at"]
        clock.now = deadline - 86400 + 5                   # within followup_warn_s (1 day) of the deadline
        _, yellow = inbox.wait_for(lambda t, d: d.get("kind") == "followup_due")
        assert yellow["level"] == "yellow" and yellow["followup_id"] == followup_id and yellow["window"] == 1
        clock.now = deadline + 5
        inbox.wait_for(lambda t, d: d.get("kind") == "followup_due" and d["change"] == "escalated")
        ok(admin.request("followup_update", {"followup_id": followup_id, "status": "visited", "note": "已回访"}))
        ok(admin.request("followup_update", {"followup_id": followup_id, "status": "closed", "note": "已解释",
                                             "verdict": "satisfied"}))
        clock.now += 10
        _, closed = inbox.wait_for(lambda t, d: d.get("kind") == "followup_due" and d["change"] == "closed")
        assert closed["followup_id"] == followup_id and closed["status"] == "closed"
    finally:
        running.stop()


def test_an_application_near_its_due_date_turns_yellow_then_red_and_closes_with_its_result(broker, hall_raw,
                                                                                            tmp_path):
    """C01 promises 5 working days: accepted Mon 23 Nov, due at the end of Mon 30 Nov; warned
    (applications.warn_working_days, 2) from the end of Thu 26 Nov."""
    clock = HallClock(at("10:00", "2026-11-23"))
    running, inbox = start(broker, hall_raw, tmp_path, clock, watch=("event/alert",))
    try:
        kiosk, admin = running.device("kiosk-K1"), running.device("admin-ops")
        ok(kiosk.request("issue_ticket", {"item": "C01"}))
        window = staffed_window(running, 5)
        ok(window.request("call_next"))
        linked = ok(window.request("application_link", {"application_no": "SQ2026123", "item": "C01"}))
        assert linked["application"]["due_at"] == at("23:59", "2026-11-30") + 59
        ok(window.request("finish"))
        clock.now = at("23:59", "2026-11-26") + 65
        _, yellow = inbox.wait_for(lambda t, d: d.get("kind") == "application_due")
        SupervisionAlert.model_validate(yellow)
        assert (yellow["change"], yellow["level"], yellow["window"]) == ("opened", "yellow", 5)
        assert yellow["text"]["zh"] == "办件SQ2026123（二手房转移登记，5号窗口受理）承诺于11-30 23:59前办结"
        assert yellow["text"]["en"].startswith("Application SQ2026123 (") and "accepted at window 5" in yellow["text"]["en"]
        clock.now = at("23:59", "2026-11-30") + 65
        inbox.wait_for(lambda t, d: d.get("kind") == "application_due" and d["change"] == "escalated")
        [board] = [a for a in ok(admin.request("alerts", {}))["alerts"] if a["kind"] == "application_due"]
        assert board["level"] == "red" and "SQ2026123" in board["text"]["zh"]   # what the console's board lists
        ok(admin.request("progress_set", {"application_no": "SQ2026123", "status": "result_ready"}))
        clock.now += 10
        _, closed = inbox.wait_for(lambda t, d: d.get("kind") == "application_due" and d["change"] == "closed")
        assert closed["status"] == "closed" and closed["id"] == board["id"]
        opened = [m.json() for m in inbox.messages if m.payload and m.json().get("kind") == "application_due"
                  and m.json()["change"] == "opened"]
        assert len(opened) == 1  # once per application
    finally:
        running.stop()

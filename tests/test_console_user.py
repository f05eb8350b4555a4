"""The console user on an admin command (contract `user`): recorded in the ledger of what it changed,
named in an alert's acknowledgement, and refused from any device but an admin login. Real
Mosquitto and SQLite, the hall clock moved by the test."""
from __future__ import annotations

from testbed.controller import RunningController
from tests.support.hall import HallClock, Inbox, at, ok, refused


def start(broker, hall_raw, tmp_path, clock):
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    inbox = Inbox()
    running.device("display-hall", deliver=inbox, watch=(f"qms/{running.hall}/event/+",))
    return running, inbox


def test_an_admin_command_for_a_console_user_is_recorded_as_theirs(broker, hall_raw, tmp_path):
    clock = HallClock(at("09:00"))
    running, inbox = start(broker, hall_raw, tmp_path, clock)
    try:
        kiosk, admin = running.device("kiosk-K1"), running.device("admin-ops")
        ok(kiosk.request("issue_ticket", {"category": "tax"}))
        clock.now += 31 * 60
        _, wait = inbox.wait_for(lambda t, d: d.get("kind") == "long_wait" and d.get("change") == "opened")
        acked = ok(admin.request("alert_ack", {"alert_id": wait["id"], "note": "已安排", "user": "zhang.wei"}))["alert"]
        assert acked["acked_by"] == "admin-ops/zhang.wei"
        rows = running.store.ledger("kind = 'alert_acked'")
        assert [r["data"]["user"] for r in rows] == ["zhang.wei"]
        assert refused(kiosk.request("issue_ticket", {"category": "tax", "user": "zhang.wei"}),
                       "forbidden")["message"].startswith("user")
        assert refused(admin.request("alert_ack", {"alert_id": wait["id"], "note": "x", "user": "Robert'); DROP"}),
                       "bad_request")["message"].startswith("user")
        ok(admin.request("alert_ack", {"alert_id": wait["id"], "note": "无人"}))
        assert running.store.ledger("kind = 'alert_acked'")[-1]["data"].get("user") is None
    finally:
        running.stop()

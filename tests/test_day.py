"""The service day over the wire: rollover at the configured hour, also across a restart."""
from __future__ import annotations

from testbed.controller import RunningController, staffed_window
from tests.support.hall import HallClock, Inbox, at, ok


def test_numbers_restart_and_the_old_day_closes(broker, hall_raw, tmp_path):
    clock = HallClock(at("16:00"))
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    try:
        inbox = Inbox()
        running.device("display-day", deliver=inbox, watch=(f"qms/{running.hall}/state/#",
                                                            f"qms/{running.hall}/event/ticket"))
        kiosk = running.device("kiosk-K1")
        for _ in range(3):
            ok(kiosk.request("issue_ticket", {"category": "general"}))
        window = staffed_window(running, 1)
        ok(window.request("call_next"))
        clock.now = at("03:00", "2026-11-24")  # rollover hour of the next day
        inbox.wait_for(lambda t, d: t.endswith("/state/queues") and d["day"] == "2026-11-24", timeout=5)
        inbox.wait_for(lambda t, d: t.endswith("/state/window/1") and d["status"] == "closed")
        _, event = inbox.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "closed_by_day_end"
                                  and d["status"] == "expired")
        assert ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]["id"] == "2026-11-24-A001"
        old = ok(running.device("admin-x").request("stats", {"date": "2026-11-23"}))
        assert old["hall"]["issued"] == 3 and old["hall"]["expired"] == 2
        # the ticket still at window 1 was closed by the day's end, not served there
        assert old["hall"]["served"] == 0 and old["hall"]["unfinished"] == 1
    finally:
        running.stop()


def test_a_controller_down_over_the_rollover_closes_the_day_when_back(broker, hall_raw, tmp_path):
    clock = HallClock(at("17:00"))
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    kiosk = running.device("kiosk-K1")
    ok(kiosk.request("issue_ticket", {"category": "tax"}))
    staffed_window(running, 8)
    running.stop()
    clock.now = at("09:00", "2026-11-24")
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    try:
        inbox = Inbox()
        running.device("display-day", deliver=inbox, watch=(f"qms/{running.hall}/state/#",))
        inbox.wait_for(lambda t, d: t.endswith("/state/queues") and d["day"] == "2026-11-24" and all(
            c["waiting"] == 0 for c in d["categories"]))
        inbox.wait_for(lambda t, d: t.endswith("/state/window/8") and d["status"] == "closed")
        kiosk = running.device("kiosk-K1")
        assert ok(kiosk.request("issue_ticket", {"category": "tax"}))["ticket"]["number"] == "E001"
        rows = {r["id"]: r["status"] for r in running.store.db.query("SELECT id, status FROM tickets")}
        assert rows == {"2026-11-23-E001": "expired", "2026-11-24-E001": "waiting"}
        sessions = list(running.store.db.query("SELECT * FROM staff_sessions"))
        assert len(sessions) == 1 and sessions[0]["logout_at"] == at("09:00", "2026-11-24")
    finally:
        running.stop()

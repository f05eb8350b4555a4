"""预约 over the wire: a real Mosquitto, the real controller and SQLite, a hall clock the test moves.

Booking from a kiosk (现场预约), a web device (`web-<name>`) and an admin (the phone line); the
refusals with their codes; no-shows settled by a controller started again at a later time, which bar
the person; a forged or unknown code never gets a ticket.
"""
from __future__ import annotations

import time

from testbed.controller import RunningController
from tests.support.booking import hall_hours, local
from tests.support.hall import HallClock, ok, refused

PHONE = {"phone": "13812345678", "name": "王小明"}


def book(device, when: str, applicant=PHONE, channel="kiosk", **target):
    fields = {"slot_start": int(local(when)), "applicant": applicant, "channel": channel,
              **(target or {"item": "B02"})}
    return device.request("book_appointment", fields)


def test_booking_from_a_kiosk_a_web_device_and_an_admin(broker, hall_raw, tmp_path):
    clock = HallClock(local("2026-03-02 09:00"))   # a Monday
    running = RunningController(hall_hours(hall_raw), tmp_path / "hall.db", broker, clock=clock)
    try:
        kiosk, web, admin = (running.device(name) for name in ("kiosk-K1", "web-public", "admin-ops"))
        slots = ok(web.request("appointment_slots", {"item": "B02", "date": "2026-03-03"}))
        assert slots["working_day"] is True
        evening = [s for s in slots["slots"] if s["off_hours"]]
        assert [s["left"] for s in evening] == [2, 2, 2, 2] and evening[0]["start"] == int(local("2026-03-03 17:30"))
        booked = ok(book(kiosk, "2026-03-03 17:30"))["appointment"]
        assert booked["off_hours"] is True and booked["phone"] == "138****5678" and booked["materials"]
        assert booked["slot_end"] == local("2026-03-03 18:00") and booked["code"].startswith("YY")
        ok(book(web, "2026-03-03 17:30", {"phone": "13900000001"}, channel="web"))
        ok(book(admin, "2026-03-03 10:00", {"phone": "13900000002"}, channel="phone", category="tax"))
        left = ok(kiosk.request("appointment_slots", {"item": "B02", "date": "2026-03-03"}))["slots"]
        assert [s["left"] for s in left if s["off_hours"]][:1] == [0]

        refused(book(kiosk, "2026-03-03 17:30", {"phone": "13900000003"}), "slot_full")
        refused(book(kiosk, "2026-03-03 18:00"), "duplicate")
        refused(book(kiosk, "2026-03-02 17:30", {"phone": "13900000004"}), "out_of_window")  # same day, off hours
        refused(book(web, "2026-03-07 09:00", {"phone": "13900000005"}, channel="web", category="tax"),
                "out_of_window")                                                             # a Saturday
        refused(book(kiosk, "2026-03-03 17:30", {"phone": "13900000006"}, item="B01"), "out_of_window")  # not listed
        refused(book(kiosk, "2026-03-03 17:30", {"name": "无名"}), "bad_request")
        refused(running.device("display-d").request("book_appointment", {
            "slot_start": int(local("2026-03-03 10:00")), "applicant": PHONE, "channel": "kiosk",
            "category": "tax"}), "forbidden")
        refused(web.request("appointments", {"date": "2026-03-03"}), "forbidden")

        day = ok(admin.request("appointments", {"date": "2026-03-03"}))
        assert sorted(a["channel"] for a in day["appointments"]) == ["kiosk", "phone", "web"]
        assert all("id_key" not in a and "phone_key" not in a for a in day["appointments"])
        assert "13812345678" not in str(day)
        ok(admin.request("config_patch", {"patch": {"appointments": {"capacity": 1}}}))  # live, strict
        assert {s["capacity"] for s in ok(kiosk.request("appointment_slots", {"category": "tax", "date": "2026-03-04"}))[
            "slots"]} == {1}
        refused(admin.request("config_patch", {"patch": {"appointments": {"capacity": 0}}}), "bad_request")
        refused(admin.request("config_patch", {"patch": {"appointments": {"off_hours": {"items": ["NOPE"]}}}}),
                "bad_request")
        refused(kiosk.request("cancel_appointment", {"code": booked["code"], "phone_last4": "0000"}), "not_found")
        ok(kiosk.request("cancel_appointment", {"code": booked["code"], "phone_last4": "5678"}))
        assert [e["kind"] for e in running.store.ledger("kind LIKE 'appointment_%'")] == [
            "appointment_booked"] * 3 + ["appointment_cancelled"]
        assert all("phone" not in (e["after"] or {}) and "applicant" not in (e["after"] or {})
                   for e in running.store.ledger("kind LIKE 'appointment_%'")), "the person stays in the record"
    finally:
        running.stop()


def test_no_shows_are_settled_by_a_controller_started_later_and_bar_the_person(broker, hall_raw, tmp_path):
    clock = HallClock(local("2026-03-02 09:00"))
    running = RunningController(hall_hours(hall_raw), tmp_path / "hall.db", broker, clock=clock)
    codes = []
    try:
        kiosk = running.device("kiosk-K1")
        for day in ("2026-03-03", "2026-03-04", "2026-03-05"):
            codes.append(ok(book(kiosk, f"{day} 17:30"))["appointment"]["code"])
        refused(kiosk.request("check_in", {"appointment_code": "YYFORGED9"}), "not_found")
        refused(kiosk.request("issue_ticket", {"category": "social", "appointment_code": codes[0]}), "bad_request")
        refused(kiosk.request("check_in", {"appointment_code": codes[0]}), "invalid_state")  # tomorrow's
    finally:
        running.stop()
    later = HallClock(local("2026-03-06 09:00"))   # all three slots have passed while it was down
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=later)
    try:
        kiosk = running.device("kiosk-K1")
        deadline = time.monotonic() + 15
        while len(running.store.ledger("kind = 'appointment_barred'")) < 1:
            assert time.monotonic() < deadline, "the restarted controller did not settle the no-shows"
            time.sleep(0.05)
        assert [running.store.record("appointments", code)["status"] for code in codes] == ["no_show"] * 3
        kinds = [e["kind"] for e in running.store.ledger("kind LIKE 'appointment_%'")]
        assert kinds == ["appointment_booked"] * 3 + ["appointment_no_show"] * 3 + ["appointment_barred"]
        error = refused(book(kiosk, "2026-03-09 10:00", category="tax"), "blacklisted")
        assert "2027年03月06日" in error["message_zh"]
        ok(kiosk.request("issue_ticket", {"category": "tax"}))                   # walk-in tickets stay open
        refused(kiosk.request("check_in", {"appointment_code": codes[2]}), "invalid_state")
        admin = running.device("admin-ops")
        [bar] = ok(admin.request("appointments", {"date": "2026-03-05"}))["blacklist"]
        assert bar["phone"] == "138****5678" and len(bar["no_shows"]) == 3
        ok(admin.request("appointment_unbar", {"applicant": {"phone": "13812345678"}, "reason": "核实为系统故障"}))
        ok(book(kiosk, "2026-03-09 10:00", category="tax"))
    finally:
        running.stop()

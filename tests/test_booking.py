"""预约 rules by tables, time passed in, around the real calendar's edges — and the actions on a real
SQLite store (no broker): booking, capacity, cancelling, no-shows, the blacklist and unbarring.

The 2026 Spring Festival: the holiday runs Sun 15 to Mon 23 February; Saturdays 14 and 28 February are
worked instead (调休). Counted by hand from Friday 13 February, the working days after it are:
    1st Sat 14 · 2nd Tue 24 · 3rd Wed 25 · 4th Thu 26 · 5th Fri 27 · 6th Sat 28 · 7th Mon 2 Mar
    · 8th Tue 3 · 9th Wed 4 · 10th Thu 5 · 11th Fri 6.
"""
from __future__ import annotations

from datetime import date

import pytest

from config.schema import Calendar
from contract.errors import CommandError
from controller import alerts, booking, workdays
from controller.supervision import HallView, calendar_missing, findings
from tests.support.booking import BookingHall, demo_config, local

CONFIG = demo_config()
FRI_13 = local("2026-02-13 10:00")
PHONE = {"phone": "13812345678", "name": "王小明"}


def slot_at(item: str | None, when: str, category: str | None = None):
    return booking.find_slot(CONFIG, booking.target(CONFIG, category, item), local(when))


@pytest.mark.parametrize("day, ahead", [
    ("2026-02-13", 0), ("2026-02-14", 1), ("2026-02-15", 2), ("2026-02-23", 2), ("2026-02-24", 2),
    ("2026-02-25", 3), ("2026-02-26", 4), ("2026-02-27", 5), ("2026-02-28", 6), ("2026-03-01", 7),
    ("2026-03-02", 7), ("2026-03-05", 10), ("2026-03-06", 11),
])
def test_working_days_ahead_across_the_spring_festival(day, ahead):
    assert booking.working_days_ahead(CONFIG, date(2026, 2, 13), date.fromisoformat(day)) == ahead


@pytest.mark.parametrize("item, when, expect", [
    ("B02", "2026-02-13 17:30", "out_of_window"),   # same day: off-hours slots need 1 working day
    ("B02", "2026-02-16 17:30", "out_of_window"),   # a weekday evening inside the holiday: no slot
    ("B02", "2026-02-21 09:00", "out_of_window"),   # a Saturday inside the holiday: no Saturday slots
    ("B02", "2026-02-24 17:30", "off"),             # 2nd working day
    ("B02", "2026-02-26 18:00", "off"),             # 4th
    ("B02", "2026-02-27 19:00", "off"),             # 5th
    ("B02", "2026-02-28 09:00", "working"),         # the 调休 Saturday is a working day: its own hours
    ("B02", "2026-03-02 17:30", "out_of_window"),   # 7th working day: past the 5
    ("B02", "2026-02-14 09:00", "working"),         # 调休 Saturday 14, 1st working day, working hours
    ("B01", "2026-02-24 17:30", "out_of_window"),   # not on the off-hours list
    ("B02", "2026-02-24 19:30", "out_of_window"),   # the evening span ends at 19:30
    (None, "2026-02-16 09:00", "out_of_window"),    # a holiday: no working-hours slot
    (None, "2026-03-05 09:00", "working"),          # 10th working day: working-hours slots open 10 ahead
    (None, "2026-03-06 09:00", "out_of_window"),    # 11th
    (None, "2026-02-13 10:00", "out_of_window"),    # started
    (None, "2026-02-13 10:30", "working"),          # just min_lead_minutes (30) ahead
    (None, "2026-02-13 11:00", "working"),
    (None, "2026-02-13 12:00", "out_of_window"),    # the lunch break is no slot
])
def test_which_slot_can_be_booked_on_friday_13_february(item, when, expect):
    category = "social" if item is None else None

    def check():
        found = slot_at(item, when, category)
        booking.bookable_now(CONFIG, found, FRI_13)
        return found

    if expect == "out_of_window":
        with pytest.raises(CommandError) as caught:
            check()
        assert caught.value.code == "out_of_window" and caught.value.message_zh
    else:
        found = check()
        assert found.off_hours is (expect == "off")
        assert found.pool == ("item:B02" if expect == "off" else "cat:social")
        assert found.capacity == (2 if expect == "off" else 4)


def test_an_ordinary_saturday_has_its_morning_slots_and_a_holiday_none():
    tgt = booking.target(CONFIG, None, "F01")
    saturday = booking.day_slots(CONFIG, tgt, date(2026, 3, 7))
    assert [booking.local(s.start, booking.ZoneInfo("Asia/Shanghai")).strftime("%H:%M") for s in saturday] == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30"] and all(s.off_hours for s in saturday)
    assert booking.day_slots(CONFIG, tgt, date(2026, 2, 21)) == []
    assert booking.day_slots(CONFIG, tgt, date(2026, 3, 8)) == []  # Sunday


def test_estate_takes_hour_long_slots_of_its_own():
    slots = booking.day_slots(CONFIG, booking.target(CONFIG, "estate", None), date(2026, 3, 3))
    assert [(s.end - s.start) for s in slots] == [3600.0] * 7 and {s.capacity for s in slots} == {3}


def test_a_year_the_package_does_not_cover_falls_back_and_raises_an_alert():
    assert not workdays.covered(2027) and workdays.covered(2026)
    cal = CONFIG.calendar
    assert not workdays.is_working_day(date(2027, 1, 1), cal.holidays, cal.workdays)   # the config's list
    assert workdays.is_working_day(date(2027, 1, 4), cal.holidays, cal.workdays)       # Monday, by fallback
    assert workdays.missing_years(date(2026, 12, 20), date(2027, 1, 8), cal) == [2027]
    assert workdays.missing_years(date(2026, 12, 20), date(2027, 1, 8), Calendar(years=[2027])) == []
    assert alerts.calendar_gaps(CONFIG, local("2026-11-24 10:00")) == ()
    assert alerts.calendar_gaps(CONFIG, local("2026-12-24 10:00")) == (2027,)
    view = HallView(waiting={}, windows=(), open_now=True, names={}, calendar_missing=(2027,))
    [finding] = calendar_missing(view, CONFIG.supervision)
    assert finding.key == "calendar:2027" and "calendar for 2027 not loaded" in finding.text[1]
    assert "2027年节假日安排未载入" in finding.text[0]
    assert [f.kind for f in findings(view, CONFIG.supervision)] == ["calendar"]


def test_a_local_holiday_and_a_local_working_day_come_over_the_package():
    assert not workdays.is_working_day(date(2026, 3, 3), ["2026-03-03"], [])
    assert workdays.is_working_day(date(2026, 3, 8), [], ["2026-03-08"])
    assert workdays.is_working_day(date(2026, 2, 14), [], [])        # 调休 from the package
    assert not workdays.is_working_day(date(2026, 2, 16), [], [])    # Spring Festival from the package


# --- the actions on a real store ----------------------------------------------------------------


@pytest.fixture
def hall(tmp_path):
    running = BookingHall(tmp_path / "hall.db", CONFIG, FRI_13)
    yield running
    running.close()


def book(hall, when: str, applicant=PHONE, item="B02", device="kiosk-K1", channel="kiosk", **extra):
    return hall.command(device, "book_appointment", item=item, slot_start=int(local(when)), applicant=applicant,
                        channel=channel, **extra)


def person(n: int) -> dict:
    return {"phone": f"1390000{n:04d}"}


def test_capacity_duplicates_and_what_a_booking_says(hall):
    first = book(hall, "2026-02-24 17:30").result["appointment"]
    assert first["off_hours"] is True and first["item"] == "B02" and first["category"] == "social"
    assert first["phone"] == "138****5678" and first["applicant"] == "王*明" and first["status"] == "booked"
    assert first["materials"] and first["materials"][0]["name"]["zh"]
    assert "id_key" not in first and "phone_key" not in first
    assert book(hall, "2026-02-24 18:00").error.code == "duplicate"     # same person, item and day
    assert book(hall, "2026-02-24 17:30", person(2)).error is None
    assert book(hall, "2026-02-24 17:30", person(3)).error.code == "slot_full"  # 2 places off hours
    slots = hall.ok("kiosk-K1", "appointment_slots", item="B02", date="2026-02-24")["slots"]
    evening = [s for s in slots if s["off_hours"]]
    assert [(s["left"], s["capacity"]) for s in evening[:2]] == [(0, 2), (2, 2)]
    assert hall.ok("kiosk-K1", "appointment_slots", item="B02", date="2026-02-16") == {
        "date": "2026-02-16", "working_day": False, "category": "social", "item": "B02", "slots": []}
    refused = book(hall, "2026-02-24 17:30", {"name": "nobody"})
    assert refused.error.code == "bad_request"


def test_cancel_needs_the_phone_and_closes_before_the_slot(hall):
    code = book(hall, "2026-02-24 17:30").result["appointment"]["code"]
    hall.refused("not_found", "kiosk-K1", "cancel_appointment", code=code, phone_last4="0000")
    hall.refused("not_found", "kiosk-K1", "cancel_appointment", code="YYNOPE99", phone_last4="5678")
    hall.at(local("2026-02-24 16:31"))   # 59 min before: past the 60-minute deadline
    hall.refused("invalid_state", "kiosk-K1", "cancel_appointment", code=code, phone_last4="5678")
    hall.now = local("2026-02-24 16:30")
    assert hall.ok("kiosk-K1", "cancel_appointment", code=code, phone_last4="5678")["appointment"]["status"] == \
        "cancelled"
    hall.refused("invalid_state", "kiosk-K1", "cancel_appointment", code=code, phone_last4="5678")
    assert book(hall, "2026-02-24 17:00").error is None, "a cancelled booking is no duplicate"


def test_the_third_no_show_bars_for_a_year_and_an_admin_lifts_it(hall):
    ids = {"id_hash": "a" * 64}
    for n, day in enumerate(("2026-02-24", "2026-02-25")):
        book(hall, f"{day} 17:30", ids)
        hall.at(local(f"{day} 19:30"))         # slot end 18:00 + 15 min grace: missed
    assert hall.events.count("appointment_no_show") == 2 and "appointment_barred" not in hall.events
    hall.now = local("2026-02-26 10:00")
    third = book(hall, "2026-02-27 17:30", ids).result["appointment"]["code"]
    hall.at(local("2026-02-27 18:14"))          # inside the late grace: not yet
    assert hall.events.count("appointment_no_show") == 2
    hall.at(local("2026-02-27 18:16"))
    assert hall.events[-2:] == ["appointment_no_show", "appointment_barred"]
    assert hall.store.record("appointments", third)["status"] == "no_show"
    error = book(hall, "2026-03-04 09:00", ids, item=None, category="tax").error
    assert error.code == "blacklisted" and "2027年02月27日" in error.message_zh
    listed = hall.ok("admin-ops", "appointments", date="2026-02-27")
    assert [a["status"] for a in listed["appointments"]] == ["no_show"]
    [bar] = listed["blacklist"]
    assert len(bar["no_shows"]) == 3
    row = hall.store.record("appointment_bars", bar["person"])
    assert booking.barred(row, local("2027-02-26 23:59")) and not booking.barred(row, local("2027-02-27 00:00"))
    hall.now = local("2026-03-02 10:00")
    hall.refused("bad_request", "admin-ops", "appointment_unbar", reason="申诉")
    lifted = hall.ok("admin-ops", "appointment_unbar", person=bar["person"], reason="系统故障，误判失约")
    assert lifted["lifted"][0]["person"] == bar["person"] and hall.events[-1] == "appointment_unbarred"
    hall.refused("not_found", "admin-ops", "appointment_unbar", person=bar["person"], reason="again")
    assert book(hall, "2026-03-04 09:00", ids, item=None, category="tax").error is None


def test_two_no_shows_and_a_kept_booking_bar_nobody(hall):
    for day in ("2026-02-24", "2026-02-25"):
        book(hall, f"{day} 17:30", person(7))
        hall.at(local(f"{day} 20:00"))
    hall.now = local("2026-03-02 10:00")
    code = book(hall, "2026-03-02 14:00", person(7), item="B01").result["appointment"]["code"]
    hall.now = local("2026-03-02 13:55")
    ticket = hall.ok("kiosk-K1", "check_in", appointment_code=code)["ticket"]
    assert ticket["category"] == "social"
    hall.at(local("2026-03-03 10:00"))
    assert "appointment_barred" not in hall.events and hall.events.count("appointment_no_show") == 2


def test_no_shows_outside_the_period_do_not_count(hall):
    for day in ("2026-02-24", "2026-02-25"):
        book(hall, f"{day} 17:30", person(8))
        hall.at(local(f"{day} 20:00"))
    hall.now = local("2026-09-01 10:00")   # more than 183 days after the first two
    book(hall, "2026-09-02 17:30", person(8))
    hall.at(local("2026-09-02 20:00"))
    assert hall.events.count("appointment_no_show") == 3 and "appointment_barred" not in hall.events


def test_check_in_early_waits_for_the_slot_and_late_queues_as_a_walk_in(hall):
    hall.now = local("2026-03-02 09:00")
    early = book(hall, "2026-03-02 14:00", person(1), item="B01").result["appointment"]["code"]
    late = book(hall, "2026-03-02 14:00", person(2), item="B03").result["appointment"]["code"]
    hall.now = local("2026-03-02 13:50")
    first = hall.ok("kiosk-K1", "check_in", appointment_code=early)["ticket"]
    walk_in = hall.ok("kiosk-K1", "issue_ticket", category="social")["ticket"]
    engine = hall.engine
    assert engine.tickets[first["id"]].appointment_from == local("2026-03-02 14:00")
    hall.ok("window-3", "login", staff_id="1003", pin="1234")
    assert hall.ok("window-3", "call_next")["ticket"]["id"] == walk_in["id"], "before its slot it waits"
    hall.ok("window-3", "finish")
    hall.refused("queue_empty", "window-3", "call_next")
    hall.now = local("2026-03-02 14:00")
    assert hall.ok("window-3", "call_next")["ticket"]["id"] == first["id"], "its slot is open"
    hall.ok("window-3", "finish")
    hall.now = local("2026-03-02 14:40")   # after its slot, inside the late grace
    walk_in = hall.ok("kiosk-K1", "issue_ticket", category="social")["ticket"]
    second = hall.ok("kiosk-K1", "check_in", appointment_code=late)["ticket"]
    assert hall.ok("window-3", "call_next")["ticket"]["id"] == walk_in["id"], "late: by arrival, a walk-in"
    hall.ok("window-3", "finish")
    assert hall.ok("window-3", "call_next")["ticket"]["id"] == second["id"]
    hall.now = local("2026-03-02 14:50")
    hall.refused("invalid_state", "kiosk-K1", "check_in", appointment_code=book(
        hall, "2026-03-03 09:00", person(3), item="B01").result["appointment"]["code"])


def test_appointments_share_the_ratio_with_priority_so_walk_ins_move(hall):
    hall.now = local("2026-03-02 09:00")
    codes = [book(hall, "2026-03-02 14:00", person(20 + n), item=item).result["appointment"]["code"]
             for n, item in enumerate(("B01", "B03", "B04", "B05"))]
    hall.now = local("2026-03-02 14:00")
    walk_in = hall.ok("kiosk-K1", "issue_ticket", category="social")["ticket"]["number"]
    booked = [hall.ok("kiosk-K1", "check_in", appointment_code=code)["ticket"]["number"] for code in codes]
    hall.ok("window-3", "login", staff_id="1003", pin="1234")
    called = []
    for _ in range(5):
        called.append(hall.ok("window-3", "call_next")["ticket"]["number"])
        hall.ok("window-3", "finish")
    assert called == [booked[0], booked[1], walk_in, booked[2], booked[3]]  # priority_ratio 2


def test_platform_bookings_import_once(hall):
    fields = dict(item="B01", slot_start=int(local("2026-03-02 09:00")), applicant=person(30), channel="platform",
                  platform_id="ZWFW-2026-0001")
    first = hall.ok("admin-ops", "book_appointment", **fields)["appointment"]
    again = hall.ok("admin-ops", "book_appointment", **fields)["appointment"]
    assert again["code"] == first["code"] and first["channel"] == "platform"
    assert hall.events.count("appointment_booked") == 1
    hall.refused("bad_request", "admin-ops", "book_appointment", **{**fields, "channel": "phone"})


def test_a_hall_without_booking_refuses_it(tmp_path):
    closed = BookingHall(tmp_path / "closed.db", demo_config(enabled=False), FRI_13)
    try:
        assert book(closed, "2026-02-24 17:30").error.code == "closed"
    finally:
        closed.close()


def test_the_daily_report_counts_bookings_by_channel_and_category_and_the_blacklist(hall, tmp_path):
    from reports.files import write_report

    kiosk = [book(hall, "2026-02-24 17:30", person(n)).result["appointment"]["code"] for n in (1, 2)]
    book(hall, "2026-02-24 10:00", person(3), item=None, category="tax", device="admin-ops", channel="phone")
    hall.ok("kiosk-K1", "cancel_appointment", code=kiosk[0], phone_last4="0001")
    daily = hall.ok("admin-ops", "report", date="2026-02-13")["daily"]
    booked = daily["appointments"]
    assert booked["total"] == {"booked": 3, "cancelled": 1, "checked_in": 0, "no_show": 0, "barred": 0,
                               "unbarred": 0}
    assert booked["by_channel"] == {"kiosk": {"booked": 2, "cancelled": 1, "checked_in": 0, "no_show": 0},
                                    "phone": {"booked": 1, "cancelled": 0, "checked_in": 0, "no_show": 0}}
    assert set(booked["by_category"]) == {"social", "tax"} and booked["by_category"]["tax"]["booked"] == 1
    assert booked["slots_of_day"] == {} and booked["blacklist"] == {"count": 0, "list": []}
    assert "1390000" not in str(daily), "counts only: no phone in the report"
    files = write_report(daily, tmp_path / "out", charts_too=False)
    page = files["html"].read_text(encoding="utf-8")
    assert "预约 Appointments" in page and "渠道 kiosk" in page and "税务" in page

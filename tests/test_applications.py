"""办件 and 限时办结 with time passed in: the due date over the hall calendar (the National Day holiday and
its 调休 Saturday), a 补正 pausing the clock, the 办结 on time or late, the links to tickets from a
window, the console and at 办结, the `result_ready` notice, and 电子监察's yellow and red cards.

The rules are plain functions of rows, config and `now`; the actions run on an engine and a real
SQLite store (tests/support/booking.py), no broker. Accepted on Wed 30 Sep 2026: 1-7 Oct are the
holiday, Thu 8, Fri 9 and Sat 10 Oct (调休) are worked, then Mon 12, Tue 13 ...
"""
from __future__ import annotations

import json

import pytest

from config.loader import load, merge_patch
from config.schema import validate
from controller import alerts, applications, notify, supervision
from controller.store import Store
from tests.support.booking import BookingHall, demo_config, local
from testbed.controller import DEMO_CONFIG, PIN
from web.config_forms import RULES, patch_of, values_of

CONFIG, _ = load(DEMO_CONFIG)
ACCEPTED = local("2026-09-30 10:00")
ADMIN = "admin-ops"


def end_of(day: str) -> float:
    return local(f"{day} 23:59") + 59


def steps(*moves, item="C01"):
    """The row after each (status, "YYYY-MM-DD HH:MM") in turn."""
    row, rows = None, []
    for status, when in moves:
        row = applications.step(row, CONFIG, application_no="SQ1", item=item, status=status, note="",
                                applicant_name=None, phone=None, now=local(when))
        rows.append(row)
    return rows


@pytest.mark.parametrize("item, days, due", [
    ("C04", 0, "2026-09-30"),   # 即办: the day it was accepted
    ("A03", 1, "2026-10-08"),   # over the holiday
    ("C02", 3, "2026-10-10"),   # 8, 9 and the 调休 Saturday
    ("C01", 5, "2026-10-13"),   # 8, 9, 10, 12, 13
    ("B04", 10, "2026-10-20"),
])
def test_the_due_date_is_the_promised_working_days_on_the_hall_calendar(item, days, due):
    [row] = steps(("accepted", "2026-09-30 10:00"), item=item)
    assert CONFIG.items[item].guide.promised_limit_days == row["limit_days"] == days
    assert row["accepted_at"] == ACCEPTED and row["due_at"] == end_of(due)
    assert row["closed_at"] is None and row["on_time"] is None


def test_a_supplement_pauses_the_clock_and_the_due_date_moves_by_the_paused_working_days():
    accepted, paused, resumed, ready, collected = steps(
        ("accepted", "2026-09-30 10:00"), ("supplement", "2026-10-09 10:00"), ("in_progress", "2026-10-12 09:00"),
        ("result_ready", "2026-10-15 16:00"), ("collected", "2026-10-16 10:00"))
    assert paused["paused_at"] == local("2026-10-09 10:00") and paused["due_at"] == end_of("2026-10-13")
    assert resumed["paused_at"] is None and resumed["paused_days"] == 2   # Sat 10 (worked) and Mon 12
    assert resumed["due_at"] == end_of("2026-10-15")
    assert ready["closed_at"] == local("2026-10-15 16:00") and ready["on_time"] == 1
    assert collected["closed_at"] == ready["closed_at"] and collected["status"] == "collected"  # 办结 once
    shown = applications.public(paused, CONFIG.items)
    assert shown["paused"] and shown["paused_text"]["zh"].startswith("计时暂停")
    assert [h["status"] for h in applications.public(collected, CONFIG.items)["history"]] == [
        "accepted", "supplement", "in_progress", "result_ready", "collected"]


def test_a_supplement_over_the_holiday_costs_only_the_working_days_and_one_the_same_day_nothing():
    _, _, over_holiday = steps(("accepted", "2026-09-29 10:00"), ("supplement", "2026-09-30 15:00"),
                               ("in_progress", "2026-10-08 09:00"))
    assert over_holiday["paused_days"] == 1   # 1-7 Oct are no working days; Thu 8 is
    assert over_holiday["due_at"] == end_of("2026-10-13")  # from Tue 29 Sep: 30, 8, 9, 10, 12, and one more
    _, _, same_day = steps(("accepted", "2026-09-30 10:00"), ("supplement", "2026-10-08 10:00"),
                           ("in_progress", "2026-10-08 16:00"))
    assert same_day["paused_days"] == 0 and same_day["due_at"] == end_of("2026-10-13")


def test_a_late_close_is_late_and_refused_or_closed_end_the_clock_too():
    *_, late = steps(("accepted", "2026-09-30 10:00"), ("result_ready", "2026-10-14 09:00"))
    assert late["on_time"] == 0
    *_, refused = steps(("accepted", "2026-09-30 10:00"), ("rejected", "2026-10-08 09:00"))  # the older name
    assert refused["status"] == "refused" and refused["on_time"] == 1
    *_, closed_while_paused = steps(("accepted", "2026-09-30 10:00"), ("supplement", "2026-10-09 10:00"),
                                    ("closed", "2026-10-20 10:00"))
    assert closed_while_paused["paused_at"] is None and closed_while_paused["paused_days"] == 8  # 10, 12-16, 19, 20
    assert closed_while_paused["due_at"] == end_of("2026-10-23") and closed_while_paused["on_time"] == 1


# --- 电子监察 ------------------------------------------------------------------------------------


def review(supervisor, rows, now):
    view = supervision.HallView(waiting={}, windows=(), open_now=True, names={},
                                applications=applications.watched(rows, CONFIG))
    return [(step, after["kind"], after["level"], after["text_zh"])
            for step, _, after in supervisor.review(supervision.findings(view, CONFIG.supervision), now, "d")]


def test_yellow_within_the_warning_working_days_red_when_overdue_once_each():
    [row] = steps(("accepted", "2026-09-30 10:00"))
    assert CONFIG.applications.warn_working_days == 2
    assert applications.warn_at(row, 2, CONFIG.calendar, CONFIG.timezone) == end_of("2026-10-10")  # 12, 13 left
    supervisor = alerts.Supervisor()
    assert review(supervisor, [row], end_of("2026-10-10") - 1) == []
    [(step, kind, level, text)] = review(supervisor, [row], end_of("2026-10-10") + 1)
    assert (step, kind, level) == ("opened", "application_due", "yellow")
    assert text == "办件SQ1（二手房转移登记）承诺于10-13 23:59前办结"
    assert review(supervisor, [row], local("2026-10-13 12:00")) == []                 # once per level
    assert [s[:3] for s in review(supervisor, [row], end_of("2026-10-13") + 1)] == [
        ("escalated", "application_due", "red")]
    assert review(supervisor, [row], local("2026-10-15 12:00")) == []
    *_, done = steps(("accepted", "2026-09-30 10:00"), ("result_ready", "2026-10-15 12:05"))
    assert [s[:3] for s in review(supervisor, [done], local("2026-10-15 12:05"))] == [
        ("closed", "application_due", "red")]


def test_a_paused_application_raises_nothing_and_a_short_limit_warns_at_once():
    _, paused = steps(("accepted", "2026-09-30 10:00"), ("supplement", "2026-10-12 10:00"))
    assert applications.watched([paused], CONFIG) == ()
    [quick] = steps(("accepted", "2026-09-30 10:00"), item="A03")   # 1 working day, warned within 2
    [(step, _, level, _)] = review(alerts.Supervisor(), [quick], ACCEPTED + 1)
    assert (step, level) == ("opened", "yellow")
    legacy = {**quick, "due_at": None, "limit_days": None}            # stored before time limits
    assert applications.watched([legacy], CONFIG) == ()


# --- the actions ---------------------------------------------------------------------------------


@pytest.fixture
def hall(tmp_path):
    hall = BookingHall(tmp_path / "hall.db", demo_config(), ACCEPTED)
    yield hall
    hall.close()


def serve(hall, item="C01", window=5, staff="1004"):
    hall.ok(f"window-{window}", "login", staff_id=staff, pin=PIN)
    ticket = hall.ok("kiosk-K1", "issue_ticket", item=item)["ticket"]
    hall.ok(f"window-{window}", "call_next")
    return ticket


def test_a_window_links_the_ticket_it_serves_and_the_console_a_ticket_by_id(hall):
    ticket = serve(hall)
    linked = hall.ok("window-5", "application_link", application_no="SQ2026930", item="C01",
                     applicant_name="王小明", phone="13812345678")
    shown = linked["application"]
    assert shown["status"] == "accepted" and shown["due_at"] == end_of("2026-10-13") and shown["limit_days"] == 5
    assert shown["history"][0]["status_text"]["zh"] == f"已受理（关联{ticket['number']}号）"
    assert len(linked["query_code"]) == 8
    row = hall.store.record("applications", "SQ2026930")
    assert (row["window"], row["staff_id"], json.loads(row["tickets"])) == (5, "1004", [ticket["id"]])
    assert row["phone"] == "13812345678" and row["applicant"] == "王*明"
    hall.ok("window-5", "finish")
    second = hall.ok("kiosk-K1", "issue_ticket", item="C01")["ticket"]
    again = hall.ok(ADMIN, "application_link", application_no="SQ2026930", ticket_id=second["id"])["application"]
    assert again["status"] == "accepted" and len(again["history"]) == 2
    assert json.loads(hall.store.record("applications", "SQ2026930")["tickets"]) == [ticket["id"], second["id"]]
    hall.refused("invalid_state", ADMIN, "application_link", application_no="SQ2026930", item="A03",
                 ticket_id=second["id"])
    hall.refused("not_found", ADMIN, "application_link", application_no="SQ2026931", item="C01",
                 ticket_id="2026-09-30-Z999")
    hall.refused("bad_request", ADMIN, "application_link", application_no="SQ2026931", item="C01")


def test_finish_links_a_named_application_in_the_status_its_outcome_gives(hall):
    serve(hall)
    out = hall.ok("window-5", "finish", outcome="supplement", materials=["身份证复印件"],
                  application_no="SQ2026932")
    assert out["outcome"]["outcome"] == "supplement" and out["application"]["status"] == "supplement"
    assert out["application"]["paused"]
    hall.ok("kiosk-K1", "issue_ticket", item="C01")
    hall.ok("window-5", "call_next")
    hall.refused("bad_request", "window-5", "finish", outcome="consultation", application_no="SQ2026933")
    hall.ok("window-5", "finish", outcome="on_the_spot", application_no="SQ2026933")
    row = hall.store.record("applications", "SQ2026933")
    assert row["status"] == "closed" and row["on_time"] == 1 and row["window"] == 5


def test_the_evaluator_asked_for_an_application_links_its_ticket_and_the_rating_is_read_back_with_it(hall):
    """`invite_rating` naming a new 办件 creates it from the ticket's item, once however often it is
    asked; `application` reads the 办件 with its tickets' ratings, never the citizen's phone."""
    ticket = serve(hall)
    hall.ok("window-5", "finish")
    asked = hall.ok("window-5", "invite_rating", application_no="SQ2026940")
    assert asked["ticket_id"] == ticket["id"] and asked["application"]["status"] == "accepted"
    hall.ok("window-5", "invite_rating", application_no="SQ2026940")  # already linked: no second step
    hall.ok("evaluator-5", "rate", ticket_id=ticket["id"], level=4)
    read = hall.ok(ADMIN, "application", application_no="SQ2026940")
    shown = read["application"]
    assert [step["status"] for step in shown["history"]] == ["accepted"] and shown["item"] == "C01"
    assert shown["tickets"] == [{"id": ticket["id"], "number": ticket["number"]}] and shown["on_time"] is None
    assert shown["history"][0]["by"] == "window-5" and shown["due_hall"] == "2026-10-13T23:59:59+08:00"
    [rating] = read["ratings"]
    assert (rating["ticket_id"], rating["level"], rating["channel"], rating["window"], rating["item"]) == (
        ticket["id"], 4, "evaluator", 5, "C01")
    assert rating["followup"] is None and rating["rectification"] is None and "comment" not in rating
    hall.refused("not_found", ADMIN, "application", application_no="SQ2026941")


def test_the_evaluator_asked_for_a_new_application_of_a_ticket_without_an_item_is_refused(hall):
    hall.ok("window-5", "login", staff_id="1004", pin=PIN)
    hall.ok("kiosk-K1", "issue_ticket", category="estate")
    hall.ok("window-5", "call_next")
    hall.refused("bad_request", "window-5", "invite_rating", application_no="SQ2026942")
    assert hall.store.record("applications", "SQ2026942") is None


def test_result_ready_is_told_once_to_the_sealed_phone_in_both_languages(hall):
    serve(hall)
    hall.ok("window-5", "application_link", application_no="SQ2026934", item="C01", phone="13812345678")
    out = hall.command(ADMIN, "progress_set", application_no="SQ2026934", item="C01", status="result_ready")
    rows = out.rows["applications"]
    [notice] = notify.notices(CONFIG, out.events, {}, rows)
    assert (notice.kind, notice.phone, notice.code) == ("result_ready", "13812345678", "SQ2026934")
    assert "二手房转移登记" in notice.text["zh"] and "SQ2026934" in notice.text["zh"]
    assert "ready to collect" in notice.text["en"] or "collect the result" in notice.text["en"]
    again = hall.command(ADMIN, "progress_set", application_no="SQ2026934", item="C01", status="result_ready")
    assert notify.notices(CONFIG, again.events, {}, again.rows["applications"]) == []
    raw = hall.store.db.execute("SELECT phone FROM applications WHERE application_no = 'SQ2026934'").fetchone()[0]
    assert "13812345678" not in raw  # sealed at rest


DONE_STATUSES = {"result_ready", "collected", "refused", "closed"}


def counted_from_the_ledger(store) -> dict:
    """按时办结 counted by hand from the ledger: per application, its first step into a 办结 status
    (the row's own time), against the due date its snapshot carried then."""
    first_done: dict[str, tuple[float, float, int | None]] = {}
    for row in store.ledger("kind IN ('progress_set', 'application_linked')"):
        after = row["after"]
        number = after["application_no"]
        if after["status"] in DONE_STATUSES and number not in first_done and after.get("due_at"):
            first_done[number] = (row["at"], after["due_at"], after.get("window"))
    closed = len(first_done)
    on_time = sum(1 for at, due, _ in first_done.values() if at <= due)
    at_5 = [at <= due for at, due, window in first_done.values() if window == 5]
    return {"closed": closed, "on_time": on_time, "window_5": (len(at_5), sum(at_5))}


def test_the_on_time_rate_of_a_month_is_what_the_ledger_counts(hall):
    serve(hall)
    hall.ok("window-5", "application_link", application_no="SQ-A", item="C01")
    hall.ok("window-5", "finish")
    hall.ok("kiosk-K1", "issue_ticket", item="C01")
    hall.ok("window-5", "call_next")
    hall.ok("window-5", "application_link", application_no="SQ-B", item="C01")
    hall.ok("window-5", "finish")
    for number, item in (("SQ-C", "A03"), ("SQ-D", "C02"), ("SQ-E", "C01")):
        hall.ok(ADMIN, "progress_set", application_no=number, item=item, status="accepted")
    for when, number, status in (("2026-10-08 11:00", "SQ-C", "refused"), ("2026-10-09 10:00", "SQ-D", "supplement"),
                                 ("2026-10-12 09:00", "SQ-D", "in_progress"), ("2026-10-13 15:00", "SQ-A", "result_ready"),
                                 ("2026-10-13 16:00", "SQ-D", "result_ready"), ("2026-10-14 09:00", "SQ-B", "result_ready"),
                                 ("2026-10-15 09:00", "SQ-A", "collected")):
        hall.at(local(when))
        hall.ok(ADMIN, "progress_set", application_no=number, item=None, status=status)
    report = hall.ok(ADMIN, "period_report", first="2026-10-01", last="2026-10-31")["applications"]
    by_hand = counted_from_the_ledger(hall.store)
    assert (report["closed"], report["on_time"]) == (by_hand["closed"], by_hand["on_time"]) == (4, 3)
    assert report["on_time_rate"] == 75.0 and report["late"] == 1
    assert (report["windows"]["5"]["closed"], report["windows"]["5"]["on_time"]) == by_hand["window_5"] == (2, 1)
    assert report["staff"]["1004"]["on_time_rate"] == 50.0 and report["items"]["C01"]["closed"] == 2
    assert report["items"]["C02"] == {"closed": 1, "on_time": 1, "late": 0, "on_time_rate": 100.0}  # paused 2 days
    assert list(report["months"]) == ["2026-10"]
    september = hall.ok(ADMIN, "period_report", first="2026-09-30", last="2026-09-30")["applications"]
    assert september["closed"] == 0 and september["on_time_rate"] is None


def test_applications_stored_before_time_limits_are_renamed_and_have_no_clock(tmp_path):
    path = tmp_path / "old.db"
    store = Store(str(path))
    history = [{"at": 1.0, "status": "submitted", "note": ""}, {"at": 2.0, "status": "approved", "note": "好了"}]
    store.db.execute("INSERT INTO applications (application_no, item, applicant, status, updated_at, history) "
                     "VALUES ('SQ-OLD', 'C01', '王*明', 'approved', 2.0, ?)", [json.dumps(history)])
    store.close()
    migrated = Store(str(path))
    row = migrated.record("applications", "SQ-OLD")
    assert row["status"] == "result_ready" and row["due_at"] is None
    shown = applications.public(row, CONFIG.items)
    assert [h["status"] for h in shown["history"]] == ["accepted", "result_ready"] and shown["due_at"] is None
    assert migrated.open_applications() == [] and migrated.applications_closed(0, 10) == []
    migrated.close()


def test_the_console_lists_the_applications_whose_clock_runs_the_earliest_due_first(hall):
    for number, item in (("SQ-LONG", "B04"), ("SQ-SOON", "A03"), ("SQ-DONE", "C04")):
        hall.ok(ADMIN, "progress_set", application_no=number, item=item, status="accepted")
    hall.ok(ADMIN, "progress_set", application_no="SQ-DONE", status="closed")
    listed = hall.ok(ADMIN, "applications")["applications"]
    assert [a["application_no"] for a in listed] == ["SQ-SOON", "SQ-LONG"] and not any(a["overdue"] for a in listed)
    hall.at(local("2026-10-09 09:00"))
    [late] = hall.ok(ADMIN, "applications", overdue=True)["applications"]
    assert late["application_no"] == "SQ-SOON" and late["due_at"] == end_of("2026-10-08") and "phone" not in late


def test_the_console_config_form_sets_the_warning_working_days():
    raw = CONFIG.model_dump(mode="json")
    posted = {**values_of(RULES, raw), "applications_warn_working_days": "3"}
    assert validate(merge_patch(raw, patch_of(RULES, posted))).applications.warn_working_days == 3

"""The rules of the records beside the queue — 好差评 follow-ups, 办理进度, 预约, alerts — by tables, time passed in.

No engine, no store: each rule is a plain function of rows, config and `now`.
Their actions over the wire are tested in tests/test_ratings.py and
tests/test_policies_service.py.
"""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config.loader import load
from contract.errors import CommandError
from controller import alerts, applications, appointments, ratings
from controller.model import Ticket
from controller.supervision import Finding
from testbed.controller import DEMO_CONFIG

CONFIG, _ = load(DEMO_CONFIG)
TZ = "Asia/Shanghai"
T = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo(TZ)).timestamp()  # a Tuesday, 10:00 in the hall


def refused(code: str, call, *args, **kwargs) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


# --- 差评 follow-ups ------------------------------------------------------------------------------

RATING = {"ticket_id": "2026-11-24-B001", "number": "B001", "day": "2026-11-24", "window": 3, "staff_id": "1003",
          "level": 1, "reasons": json.dumps(["slow"]), "real_name": True}


def followup(status: str = "open", deadline_at: float = T + 86400) -> dict:
    return {**ratings.new_followup(RATING, deadline_at, "13812345678", T), "status": status}


@pytest.mark.parametrize("start, step, verdict, expect", [
    ("open", "visited", None, "ok"),
    ("open", "closed", "satisfied", "invalid_state"),          # a citizen is called before anything is closed
    ("open", "rectifying", None, "invalid_state"),
    ("visited", "rectifying", None, "ok"),
    ("visited", "explaining", None, "ok"),
    ("visited", "appealing", None, "ok"),
    ("visited", "closed", "unsatisfied", "ok"),
    ("visited", "closed", None, "bad_request"),                 # closing needs the citizen's verdict
    ("visited", "explaining", "satisfied", "bad_request"),      # a verdict only when closing
    ("appealing", "rectifying", None, "ok"),                    # an appeal turned down goes back to 整改
    ("rectifying", "explaining", None, "invalid_state"),
    ("closed", "visited", None, "invalid_state"),               # closed is final
    ("open", "lost", None, "bad_request"),
])
def test_a_followup_moves_only_along_its_flow(start, step, verdict, expect):
    row = followup(start)
    if expect != "ok":
        refused(expect, ratings.advance, row, step, "note", verdict, "admin-ops", T + 60)
        return
    after = ratings.advance(row, step, "电话回访", verdict, "admin-ops", T + 60)
    assert after["status"] == step and after["updated_at"] == T + 60 and after["verdict"] == verdict
    assert after["closed_at"] == (T + 60 if step == "closed" else None)
    assert json.loads(after["history"])[-1] == {"at": T + 60, "status": step, "note": "电话回访", "by": "admin-ops"}
    assert row["status"] == start, "the row given is not changed"


@pytest.mark.parametrize("deadline_at, closed_at, now, overdue", [
    (T + 3600, None, T, False),             # open, before its deadline
    (T + 3600, None, T + 3601, True),       # open, past it
    (T + 3600, T + 1800, T + 7200, False),  # closed in time stays in time
    (T + 3600, T + 5400, T + 7200, True),   # closed late stays late
])
def test_a_followup_is_overdue_by_the_time_given(deadline_at, closed_at, now, overdue):
    row = {**followup("closed" if closed_at else "visited", deadline_at), "closed_at": closed_at}
    shown = ratings.public_followup(row, now)
    assert shown["overdue"] is overdue
    assert shown["phone"] == "138****5678" and shown["reasons"] == ["slow"]
    assert shown["status_text"]["zh"] == ratings.FOLLOWUP_FLOW[row["status"]][0]


@pytest.mark.parametrize("level, reasons, expect", [
    (5, [], "ok"), (3, ["slow"], "ok"), (2, ["slow"], "ok"),
    (2, [], "bad_request"), (1, [], "bad_request"),             # a 差评 needs a reason
    (4, ["rude"], "bad_request"),                               # only the hall's own reasons
])
def test_reasons_of_a_rating(level, reasons, expect):
    known = CONFIG.ratings.reasons
    assert "rude" not in known and "slow" in known
    if expect == "ok":
        ratings.check_reasons(level, reasons, known)
    else:
        refused(expect, ratings.check_reasons, level, reasons, known)


# --- who may rate which ticket ---------------------------------------------------------------------


def _ticket(number: str, status: str, window: int | None, rated: bool = False) -> Ticket:
    return Ticket(id=f"2026-11-23-{number}", day="2026-11-23", number=number, seq=1, category="general", item=None,
                  group="normal", issued_at=0.0, issued_by="kiosk-K1", rating_token=f"TOKEN{number}",
                  status=status, window=window, rating_level=4 if rated else None)


RATED = {t.id: t for t in (_ticket("A001", "done", 3), _ticket("A002", "called", 3), _ticket("A003", "waiting", None),
                           _ticket("A004", "done", 4), _ticket("A005", "done", 3, rated=True),
                           _ticket("A006", "held", 3))}
BY_TOKEN = {t.rating_token: t for t in RATED.values()}
D = "2026-11-23-"


@pytest.mark.parametrize("who, window, ticket_id, token, expect", [
    # a window's own evaluator (evaluator-3, or a bridge acting for window 3) rates by number what it served
    ("evaluator of 3", 3, D + "A001", None, "A001"),
    ("evaluator of 3, a called ticket (keypads have no start key)", 3, D + "A002", None, "A002"),
    ("evaluator of 3, a ticket of window 4", 3, D + "A004", None, "forbidden"),
    ("evaluator of 3, a waiting ticket", 3, D + "A003", None, "forbidden"),
    ("evaluator of 3, a held ticket", 3, D + "A006", None, "invalid_state"),
    ("evaluator of 3, rated already", 3, D + "A005", None, "duplicate"),
    ("evaluator of 3, no such ticket", 3, D + "A099", None, "not_found"),
    # anyone else: by number never, whether the ticket exists or not; by its token, yes
    ("kiosk by number", None, D + "A001", None, "forbidden"),
    ("kiosk by a number that does not exist", None, D + "A099", None, "forbidden"),
    ("kiosk by token", None, None, "TOKENA001", "A001"),
    ("kiosk by token of a ticket of window 4", None, None, "TOKENA004", "A004"),
    ("kiosk by a made-up token", None, None, "TOKENA099", "not_found"),
    ("kiosk by token, not served yet", None, None, "TOKENA003", "invalid_state"),
    ("kiosk by token, rated already", None, None, "TOKENA005", "duplicate"),
    ("evaluator of 3 by the token of window 4's ticket", 3, None, "TOKENA004", "forbidden"),
    ("both", 3, D + "A001", "TOKENA001", "bad_request"),
    ("neither", None, None, None, "bad_request"),
])
def test_who_may_rate_which_ticket(who, window, ticket_id, token, expect):
    try:
        ticket = ratings.rated_ticket(RATED, BY_TOKEN, ticket_id=ticket_id, rating_token=token, window=window)
    except CommandError as exc:
        assert exc.code == expect, who
    else:
        assert ticket.number == expect, who


# --- 办理进度 -------------------------------------------------------------------------------------


def test_an_application_keeps_every_step_and_the_masked_applicant():
    first = applications.step(None, CONFIG, application_no="SQ1", item="C01", status="submitted", note="受理",
                              applicant_name="李四光", phone="13812345678", now=T)
    second = applications.step(first, CONFIG, application_no="SQ1", item="C01", status="supplement", note="",
                               applicant_name=None, phone=None, now=T + 60)
    assert first["applicant"] == second["applicant"] == "李*光"
    assert second["phone"] == "13812345678"  # kept for the second factor; never shown
    assert "phone" not in applications.public(second, CONFIG.items)
    assert [(s["status"], s["at"]) for s in json.loads(second["history"])] == [("accepted", T), ("supplement", T + 60)]
    shown = applications.public(second, CONFIG.items)
    assert shown["status_text"] == {"zh": "需补正材料", "en": "More documents needed"}
    assert [s["status_text"]["zh"] for s in shown["history"]] == ["已受理", "需补正材料"]
    assert shown["item_name"]["zh"] == CONFIG.items["C01"].name.zh


@pytest.mark.parametrize("status, item, expect", [
    ("lost", "C01", "bad_request"), ("approved", "NOPE", "not_found"), ("lost", "NOPE", "bad_request"),
])
def test_a_step_names_a_known_status_and_item(status, item, expect):
    refused(expect, applications.step, None, CONFIG, application_no="SQ1", item=item, status=status, note="",
            applicant_name=None, phone=None, now=T)


@pytest.mark.parametrize("row, now, expect", [
    (None, 100.0, {"wrong": 1, "since": 100.0, "until": None}),
    ({"wrong": 1, "since": 100.0, "until": None}, 150.0, {"wrong": 2, "since": 100.0, "until": None}),
    ({"wrong": 2, "since": 100.0, "until": None}, 150.0, {"wrong": 0, "since": None, "until": 750.0}),
    ({"wrong": 2, "since": 100.0, "until": None}, 700.0, {"wrong": 1, "since": 700.0, "until": None}),
    ({"wrong": 0, "since": None, "until": 750.0}, 800.0, {"wrong": 1, "since": 800.0, "until": None}),
])
def test_a_wrong_try_counts_and_locks(row, now, expect):
    assert applications.after_wrong("k", row and {"key": "k", **row}, now, 3, 600) == {"key": "k", **expect}
    assert applications.locked_until([applications.after_wrong("k", row, now, 3, 600)], now) == (expect["until"] if expect["until"] else None)

def test_the_second_factor_opens_only_its_application():
    row = {"phone": "138 1234-5678"}
    code = applications.receipt_code(b"hall-secret", "SQ1")
    assert len(code) == 8 and code == applications.receipt_code(b"hall-secret", "SQ1")
    assert code != applications.receipt_code(b"hall-secret", "SQ2") != applications.receipt_code(b"other", "SQ1")
    opens = applications.opens
    assert opens(row, code, phone_last4="5678", query_code=None) and opens(row, code, phone_last4=None, query_code=code)
    assert not opens(row, code, phone_last4="1234", query_code=None)
    assert not opens(row, code, phone_last4=None, query_code="AAAAAAAA")
    assert not opens({"phone": None}, code, phone_last4="5678", query_code=None)
    assert not opens(None, code, phone_last4=None, query_code=code)  # no such application: never


# --- 预约 -----------------------------------------------------------------------------------------


def test_a_slot_is_read_in_the_halls_time_zone():
    start, end = appointments.slot("2026-11-24T10:00", "2026-11-24T10:30", TZ)
    assert (start, end) == (T, T + 1800)
    refused("bad_request", appointments.slot, "2026-11-24T10:30", "2026-11-24T10:30", TZ)


@pytest.mark.parametrize("category, item, expect", [
    ("tax", None, "tax"), (None, "B01", "social"), ("social", "B01", "social"),
    (None, None, "bad_request"), ("ghost", None, "bad_request"), (None, "NOPE", "not_found"),
])
def test_the_category_a_booking_queues_in(category, item, expect):
    if expect in ("bad_request", "not_found"):
        refused(expect, appointments.category_of, CONFIG, category, item)
    else:
        assert appointments.category_of(CONFIG, category, item) == expect


GRACE, LATE = CONFIG.queue.appointment_grace_s, CONFIG.appointments.late_grace_s


@pytest.mark.parametrize("now, expect", [
    (T - GRACE - 1, "invalid_state"),    # too early
    (T - GRACE, "ok"),                   # grace before the slot starts
    (T + 900, "ok"),                     # during the slot
    (T + 1800 + LATE, "ok"),             # the last second of the late grace after it
    (T + 1800 + LATE + 1, "invalid_state"),  # over
])
def test_check_in_opens_grace_seconds_before_the_slot_until_the_late_grace_after_it(now, expect):
    row = appointments.booking("YY01", "tax", None, T, T + 1800, "赵六", "13900001111", T - 86400)
    assert row["applicant"] == "赵*" and row["checked_in_at"] is None
    assert appointments.public(row)["phone"] == "139****1111", "the phone is shown only masked"
    if expect == "ok":
        appointments.require_check_in_open(row, now, CONFIG)
        done = appointments.checked_in(row, "2026-11-24-E001", now)
        assert (done["checked_in_at"], done["ticket_id"], done["status"]) == (now, "2026-11-24-E001", "checked_in")
        refused("duplicate", appointments.require_check_in_open, done, now, CONFIG)
    else:
        error = refused(expect, appointments.require_check_in_open, row, now, CONFIG)
        assert "11-24 10:00-10:30" in error.message_zh


def test_a_cancelled_or_missed_booking_never_checks_in():
    row = appointments.booking("YY02", "tax", None, T, T + 1800, None, None, T - 86400)
    for status in ("cancelled", "no_show"):
        refused("invalid_state", appointments.require_check_in_open, {**row, "status": status}, T, CONFIG)


# --- 电子监察 alerts --------------------------------------------------------------------------------


def test_an_acknowledged_alert_keeps_its_note_when_its_cause_goes():
    supervisor = alerts.Supervisor()
    finding = Finding("long_pause:2", "long_pause", T - 1000, 900, 1800, ("{min}", "{min}"), window=2)
    [(step, _, opened)] = supervisor.review([finding], T, "2026-11-24")
    assert step == "opened" and opened["level"] == "yellow" and opened["text_zh"] == "17"
    before, acked = supervisor.ack(opened, "已通知", "admin-ops", T + 10)
    assert before is opened and (acked["note"], acked["acked_by"], acked["acked_at"]) == ("已通知", "admin-ops", T + 10)
    [(step, _, closed)] = supervisor.review([], T + 20, "2026-11-24")
    assert step == "closed" and closed["closed_at"] == T + 20 and closed["note"] == "已通知"

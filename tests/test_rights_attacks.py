"""Who may rate, book and read progress, tried as an attacker would: devices with their own logins on
Mosquitto with the shipped hall.conf and hall.acl, the real controller behind it (issue 9, items 3-5)."""
from __future__ import annotations

import time

import pytest

from testbed.controller import RunningController, staffed_window
from tests.support.deploy import add_device, hall_broker, password  # noqa: F401  (the module's broker with hall.acl)
from tests.support.hall import ok, refused

EXTRA_LOGINS = ("kiosk-K2", "window-1", "evaluator-1", "evaluator-3", "bridge-b1")


@pytest.fixture(scope="module")
def logins(hall_broker):  # noqa: F811
    add_device(hall_broker, *EXTRA_LOGINS)
    return hall_broker


@pytest.fixture
def hall(logins, hall_raw, tmp_path):
    running = RunningController(hall_raw, tmp_path / "hall.db", logins,
                                password_of=lambda device: password(logins, device))
    yield running
    running.stop()


# --- item 4: appointments cannot jump the queue ---------------------------------------------------


def test_a_kiosk_cannot_make_an_appointment_ticket_with_a_made_up_code(hall):
    kiosk = hall.device("kiosk-K1")
    walk_in = ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]
    error = refused(kiosk.request("issue_ticket", {"category": "general", "appointment_code": "YY0001"}),
                    "bad_request")
    assert error["message"] == "appointment_code: unknown field"
    refused(kiosk.request("check_in", {"appointment_code": "YY0001"}), "not_found")
    mine = ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]
    window = staffed_window(hall, 1)
    assert ok(window.request("call_next"))["ticket"]["id"] == walk_in["id"]
    assert ok(window.request("call_next"))["ticket"]["id"] == mine["id"]
    assert all(not t.appointment_code for t in hall.service.engine.tickets.values())


# --- item 3: ratings only from whom they belong to ------------------------------------------------


def served(hall, kiosk, window, category="general"):
    ticket = ok(kiosk.request("issue_ticket", {"category": category}))["ticket"]
    assert ok(window.request("call_next"))["ticket"]["id"] == ticket["id"]
    ok(window.request("finish"))
    return ticket


def no_followups(hall):
    assert ok(hall.device("admin-ops").request("followups", {}))["followups"] == []
    assert list(hall.store.db.query("SELECT ticket_id FROM ratings")) == []


def test_a_kiosk_cannot_file_a_bad_rating_by_another_citizens_number(hall):
    citizen, attacker = hall.device("kiosk-K1"), hall.device("kiosk-K2")
    victim = served(hall, citizen, staffed_window(hall, 1))
    day = hall.service.engine.day
    bad = {"level": 1, "reasons": ["attitude"], "comment": "态度恶劣"}
    for number in (victim["number"], "A099"):            # a real number and a made-up one: the same answer
        error = refused(attacker.request("rate", {"ticket_id": f"{day}-{number}", **bad}), "forbidden")
        assert "rating_token" in error["message"]
    refused(attacker.request("rate", {"ticket_id": victim["id"], "window": 1, **bad}), "bad_request")
    refused(attacker.request("rate", {"rating_token": "AAAAAAAAAAAAAAAA", **bad}), "not_found")
    # posing as window 1's evaluator: the broker drops a publish on another login's command topic
    attacker.publish(f"qms/{hall.hall}/cmd/evaluator-1/rate", {"id": "forged-1", "ticket_id": victim["id"], **bad})
    time.sleep(0.3)
    ok(attacker.request("device_status", {"component": "printer", "status": "ok"}))  # the kiosk's next command
    no_followups(hall)
    # the citizen rates with the code printed on the ticket
    rating = ok(citizen.request("rate", {"rating_token": victim["rating_token"], "level": 5}))["rating"]
    assert rating["ticket_id"] == victim["id"] and not rating["bad"]


def test_a_windows_own_evaluator_rates_what_it_served_and_no_other(hall):
    kiosk = hall.device("kiosk-K1")
    at_1, at_3 = served(hall, kiosk, staffed_window(hall, 1)), served(hall, kiosk, staffed_window(hall, 3))
    evaluator_1, evaluator_3 = hall.device("evaluator-1"), hall.device("evaluator-3")
    bad = {"level": 2, "reasons": ["slow"]}
    refused(evaluator_3.request("rate", {"ticket_id": at_1["id"], **bad}), "forbidden")
    refused(evaluator_3.request("rate", {"ticket_id": at_1["id"], "window": 1, **bad}), "forbidden")
    refused(evaluator_3.request("issue_ticket", {"category": "general"}), "forbidden")
    no_followups(hall)
    rating = ok(evaluator_3.request("rate", {"ticket_id": at_3["id"], **bad}))["rating"]
    assert rating["bad"] and rating["followup_id"] == f"FU-{at_3['id']}"
    [followup] = ok(hall.device("admin-ops").request("followups", {}))["followups"]
    assert followup["window"] == 3 and followup["ticket_id"] == at_3["id"]
    assert ok(evaluator_1.request("rate", {"ticket_id": at_1["id"], "level": 5}))["rating"]["level"] == 5
    rows = {row["ticket_id"]: row for row in hall.store.db.query("SELECT ticket_id, channel, device FROM ratings")}
    assert rows[at_3["id"]] == {"ticket_id": at_3["id"], "channel": "evaluator", "device": "evaluator-3"}


# --- item 5: progress is private ---------------------------------------------------------------------


def test_enumerating_application_numbers_is_cut_off(hall):
    admin, citizen, attacker = hall.device("admin-ops"), hall.device("kiosk-K1"), hall.device("kiosk-K2")
    rules = hall.config.progress_lock
    real = "SQ202611230007"
    code = ok(admin.request("progress_set", {"application_no": real, "item": "C01", "status": "reviewing",
                                             "applicant_name": "张三丰", "phone": "13812345678"}))["query_code"]
    refused(attacker.request("query_progress", {"application_no": real}), "bad_request")  # a number alone: nothing
    answers = []
    for n in range(rules.device_max_wrong + 5):  # sequential numbers, the real one among them, one guess each
        reply = attacker.request("query_progress", {"application_no": f"SQ2026112300{n:02d}", "phone_last4": "0000"})
        answers.append((reply["ok"], reply.get("error", {}).get("code")))
    cut = rules.device_max_wrong - 1
    assert answers[:cut] == [(False, "not_found")] * cut  # the real number looked like any other
    assert set(answers[cut:]) == {(False, "locked")}  # then the device is cut off, for every number
    refused(attacker.request("query_progress", {"application_no": real, "query_code": code}), "locked")
    app = ok(citizen.request("query_progress", {"application_no": real, "phone_last4": "5678"}))["application"]
    assert app["applicant"] == "张*丰" and "phone" not in app
    locks = [row for row in hall.store.ledger("kind = 'progress_locked'")]
    assert [row["device"] for row in locks] == ["kiosk-K2"]


def test_guessing_one_applications_phone_digits_locks_that_number(hall):
    admin, citizen = hall.device("admin-ops"), hall.device("kiosk-K1")
    attackers = [hall.device("kiosk-K2"), hall.device("bridge-b1")]
    rules = hall.config.progress_lock
    ok(admin.request("progress_set", {"application_no": "SQ0042", "item": "C01", "status": "submitted",
                                      "phone": "13812345678"}))
    guesses = [f"{n:04d}" for n in range(rules.max_wrong)]  # spread over two devices, under each device's limit
    codes = [attackers[i % 2].request("query_progress", {"application_no": "SQ0042", "phone_last4": guess})
             ["error"]["code"] for i, guess in enumerate(guesses)]
    assert codes == ["not_found"] * (rules.max_wrong - 1) + ["locked"]
    error = refused(citizen.request("query_progress", {"application_no": "SQ0042", "phone_last4": "5678"}), "locked")
    assert "查询错误次数过多" in error["message_zh"]
    # an unknown number locks the same way: a lock says nothing about whether the number exists
    codes = [citizen.request("query_progress", {"application_no": "SQ0404", "phone_last4": guess})["error"]["code"]
             for guess in guesses]
    assert codes == ["not_found"] * (rules.max_wrong - 1) + ["locked"]

"""Who may rate, book and read progress, tried as an attacker would: devices with their own logins on
Mosquitto with the shipped hall.conf and hall.acl, the real controller behind it (issue 9, items 3-5)."""
from __future__ import annotations

import pytest

from testbed.controller import RunningController, staffed_window
from tests.support.deploy import add_device, hall_broker, password  # noqa: F401  (the module's broker with hall.acl)
from tests.support.hall import ok, refused

EXTRA_LOGINS = ("kiosk-K2", "window-1", "window-2", "bridge-b1")


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

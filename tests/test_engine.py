"""Scenario tables for the pure queue engine (docs/architecture.md, the queue's rules).

No broker, no SQLite, no clock: every command gets its `now`, and a small
hand-built hall keeps the scripts short:

    categories  A (prefix A), B (prefix B), G (prefix G, no green channel)
    windows     1: A          2: A, helps B      3: B      4: G + green channel
    staff       s1 anywhere   s2 at 1-2          s3 at 3-4          (PIN 1234)
"""
from __future__ import annotations

import inspect
import json
import re

import pytest
from pydantic import ValidationError

from contract.messages import ACTIONS, describe_validation_error
from controller import actions, calling, dispatch
from controller.engine import Engine
from controller.model import Ticket, Window
from tests.support.engine import CONFIG, PIN, SECRET, T0, Hall, command_fields, local, make_config

# --- scripts ----------------------------------------------------------------------------------
#
# A step is (action, window, fields, expect[, {number: status}]): `expect` is a ticket number
# (the command succeeds and its result names that ticket), "ok", or an error code. ("wait", s)
# moves the clock on; ("at", "HH:MM") sets it to that local time of the test day.

NUMBER = re.compile(r"^[A-Z]\d{3}$")


def I(category: str, expect: str, group: str = "normal", **fields):
    return ("issue_ticket", None, {"category": category, "group": group, **fields}, expect)


def W(window: int, action: str, expect: str, checks: dict | None = None, **fields):
    step = (action, window, fields, expect)
    return step + (checks,) if checks else step


def BOOK(code: str, category: str = "A", start: str = "08:00", end: str = "09:00"):
    """A booking handed over by the booking system (`appointment_add`), for a slot of the test day."""
    return ("appointment_add", None, {"code": code, "category": category, "slot_start": f"2024-03-05T{start}",
                                      "slot_end": f"2024-03-05T{end}"}, "ok")


def CHECK_IN(code: str, expect: str):
    return ("check_in", None, {"appointment_code": code}, expect)


def LOGIN(window: int, staff: str = "s1", expect: str = "ok", pin: str = PIN):
    return ("login", window, {"staff_id": staff, "pin": pin}, expect)


def WAIT(seconds: float):
    return ("wait", seconds)


def AT(hhmm: str):
    return ("at", hhmm)


def run_script(hall: Hall, script) -> None:
    for index, step in enumerate(script):
        if step[0] == "wait":
            hall.now += step[1]
            continue
        if step[0] == "at":
            hall.now = local(step[1])
            continue
        action, window, fields, expect, *rest = step
        out = hall.do(action, window, **fields)
        where = f"step {index}: {action} {window} {fields}"
        if NUMBER.match(expect):
            assert out.error is None, f"{where}: refused {out.error}"
            assert out.result["ticket"]["number"] == expect, f"{where}: got {out.result['ticket']['number']}"
        elif expect == "ok":
            assert out.error is None, f"{where}: refused {out.error}"
        else:
            assert out.error is not None, f"{where}: expected {expect}, got ok {out.result}"
            assert out.error.code == expect, f"{where}: expected {expect}, got {out.error.code}"
        for number, status in (rest[0] if rest else {}).items():
            assert hall.status(number) == status, f"{where}: {number} is {hall.status(number)}, not {status}"


SCRIPTS = {
    "numbering per category prefix": (None, [
        I("A", "A001"), I("A", "A002"), I("B", "B001"), I("G", "G001"), I("A", "A003"),
        I("B", "B002", group="green"), I("A", "A004", group="priority"), I("G", "G002")]),
    "daily cap closes ticketing of that category": ({"categories": {"A": {"daily_cap": 2}}}, [
        I("A", "A001"), I("A", "A002"), I("A", "closed"), I("A", "closed", group="priority"),
        ("issue_ticket", None, {"item": "IA"}, "closed"), I("B", "B001"), I("A", "closed")]),
    "ticketing hours": ({"ticketing_hours": [["08:30", "12:00"], ["13:30", "17:30"]]}, [
        AT("08:29"), I("A", "closed"), AT("08:30"), I("A", "A001"), AT("11:59"), I("B", "B001"),
        AT("12:00"), I("A", "closed"), AT("13:29"), I("A", "closed"), AT("13:30"), I("A", "A002"),
        AT("17:29"), I("A", "A003"), AT("17:30"), I("A", "closed"), AT("22:00"), I("B", "closed")]),
    "green channel refused where the category has none": (None, [
        I("G", "bad_request", group="green"), I("G", "G001"), I("A", "A001", group="green")]),
    "priority ratio 2: P,P,N,P,P,N while both wait": (None, [
        I("A", "A001"), I("A", "A002"), I("A", "A003"),
        I("A", "A004", group="priority"), I("A", "A005", group="priority"), I("A", "A006", group="green"),
        I("A", "A007", group="priority"), I("A", "A008", group="priority"),
        LOGIN(1),
        W(1, "call_next", "A004"), W(1, "call_next", "A005"), W(1, "call_next", "A001"),
        W(1, "call_next", "A006"), W(1, "call_next", "A007"), W(1, "call_next", "A002"),
        W(1, "call_next", "A008"), W(1, "call_next", "A003"), W(1, "call_next", "queue_empty")]),
    "priority ratio 1 alternates": ({"queue": {"priority_ratio": 1}}, [
        I("A", "A001"), I("A", "A002"), I("A", "A003", group="priority"), I("A", "A004", group="priority"),
        I("A", "A005", group="priority"), LOGIN(1),
        W(1, "call_next", "A003"), W(1, "call_next", "A001"), W(1, "call_next", "A004"),
        W(1, "call_next", "A002"), W(1, "call_next", "A005")]),
    "priority overtakes normal before the aging limit": (None, [
        I("A", "A001"), WAIT(3000), I("A", "A002", group="priority"), LOGIN(1),
        W(1, "call_next", "A002"), W(1, "call_next", "A001")]),
    "aging: a ticket past max_wait_s goes before newer priority": (None, [
        I("A", "A001"), WAIT(3601), I("A", "A002", group="priority"), I("A", "A003", group="priority"),
        LOGIN(1), W(1, "call_next", "A001"), W(1, "call_next", "A002"), W(1, "call_next", "A003")]),
    "aging: oldest aged first, then the rules again": (None, [
        I("A", "A001"), WAIT(100), I("A", "A002"), WAIT(500), I("A", "A003", group="priority"), WAIT(3000),
        LOGIN(1), W(1, "call_next", "A001"), W(1, "call_next", "A003"), W(1, "call_next", "A002")]),
    "primary before secondary": (None, [
        I("B", "B001"), I("B", "B002", group="priority"), I("A", "A001"), LOGIN(2, "s2"),
        W(2, "call_next", "A001"), W(2, "call_next", "B002"), W(2, "call_next", "B001"),
        W(2, "call_next", "queue_empty")]),
    "a window never helps a category it does not serve": (None, [
        I("B", "B001"), I("G", "G001"), LOGIN(1), W(1, "call_next", "queue_empty", {"B001": "waiting"})]),
    "green channel window takes green tickets of any category": (None, [
        I("G", "G001"), I("B", "B001", group="green"), I("A", "A001", group="green"), I("A", "A002"),
        I("B", "B002", group="priority"), LOGIN(4, "s3"),
        W(4, "call_next", "B001"), W(4, "call_next", "A001"), W(4, "call_next", "G001"),
        W(4, "call_next", "queue_empty", {"A002": "waiting", "B002": "waiting"})]),
    "a booking checked in while due goes first; a made-up, used or early code makes no ticket": (None, [
        I("A", "A001", group="priority"), I("A", "A002"), BOOK("YY0001"), BOOK("YY0002", start="10:00", end="11:00"),
        CHECK_IN("YY9999", "not_found"), CHECK_IN("YY0002", "invalid_state"), CHECK_IN("YY0001", "A003"),
        CHECK_IN("YY0001", "duplicate"), I("A", "A004"),
        LOGIN(1), W(1, "call_next", "A003"), W(1, "call_next", "A001"), W(1, "call_next", "A002"),
        W(1, "call_next", "A004")]),
    "a booking past its slot makes no ticket": (None, [
        BOOK("YY0001", start="07:00", end="07:30"), CHECK_IN("YY0001", "invalid_state"), I("A", "A001"),
        LOGIN(1), W(1, "call_next", "A001")]),
    "priority ratio is the window's, across a logout and login": (None, [
        I("A", "A001"), I("A", "A002", group="priority"), I("A", "A003", group="priority"),
        I("A", "A004", group="priority"), LOGIN(1),
        W(1, "call_next", "A002"), W(1, "call_next", "A003"), W(1, "finish", "ok"), W(1, "logout", "ok"),
        LOGIN(1), W(1, "call_next", "A001"), W(1, "call_next", "A004")]),
    "priority ratio is the window's, when another member of staff takes over": (None, [
        I("A", "A001"), I("A", "A002", group="priority"), I("A", "A003", group="priority"),
        I("A", "A004", group="priority"), LOGIN(1),
        W(1, "call_next", "A002"), W(1, "call_next", "A003"), W(1, "finish", "ok"),
        LOGIN(1, "s2"), W(1, "call_next", "A001"), W(1, "call_next", "A004")]),
    "call_next finishes the current ticket": (None, [
        I("A", "A001"), I("A", "A002"), LOGIN(1), W(1, "call_next", "A001"), W(1, "start", "A001"),
        W(1, "call_next", "A002", {"A001": "done", "A002": "called"})]),
    "call_next on an empty queue still finishes the current ticket": (None, [
        I("A", "A001"), LOGIN(1), W(1, "call_next", "A001"),
        W(1, "call_next", "queue_empty", {"A001": "done"}), W(1, "finish", "invalid_state"),
        I("A", "A002"), W(1, "call_next", "A002")]),
    "recall up to max_calls, then no-show": (None, [
        I("A", "A001"), I("A", "A002"), LOGIN(1), W(1, "call_next", "A001"),
        W(1, "recall", "ok", {"A001": "called"}), W(1, "recall", "ok", {"A001": "called"}),
        W(1, "recall", "ok", {"A001": "no_show"}), W(1, "recall", "invalid_state"),
        W(1, "call_next", "A002", {"A001": "no_show"})]),
    "a call over a ticket recalled to the limit and never started makes it a no-show": (None, [
        I("A", "A001"), I("A", "A002"), I("A", "A003"), LOGIN(1), W(1, "call_next", "A001"),
        W(1, "recall", "ok"), W(1, "recall", "ok"), W(1, "call_next", "A002", {"A001": "no_show"}),
        W(1, "recall", "ok"), W(1, "recall", "ok"), W(1, "call_specific", "A003", {"A002": "no_show"}, number="A003"),
        W(1, "recall", "ok"), W(1, "recall", "ok"),
        W(1, "call_back", "A001", {"A003": "no_show", "A001": "called"}, number="A001"),
        W(1, "recall", "ok"), W(1, "recall", "ok"), W(1, "call_next", "queue_empty", {"A001": "no_show"})]),
    "a call over a ticket called fewer times, started or rated counts it served": (None, [
        I("A", "A001"), I("A", "A002"), I("A", "A003"), I("A", "A004"), LOGIN(1),
        W(1, "call_next", "A001"), W(1, "recall", "ok"), W(1, "call_next", "A002", {"A001": "done"}),
        W(1, "recall", "ok"), W(1, "recall", "ok"), W(1, "start", "ok"), W(1, "call_next", "A003", {"A002": "done"}),
        W(1, "recall", "ok"), W(1, "recall", "ok"), W(1, "invite_rating", "ok"),
        ("rate", None, {"rating_token": Engine(CONFIG, SECRET, T0).rating_token("2024-03-05-A003"), "level": 5}, "ok"),
        W(1, "call_next", "A004", {"A003": "done"})]),
    "with one call allowed, nobody is recalled and a call over a ticket counts it served": ({"queue": {"max_calls": 1}}, [
        I("A", "A001"), I("A", "A002"), LOGIN(1), W(1, "call_next", "A001"),
        W(1, "call_next", "A002", {"A001": "done"}), W(1, "recall", "ok", {"A002": "no_show"})]),
    "no_show, then call_back from another window": (None, [
        I("A", "A001"), LOGIN(1), LOGIN(2, "s2"), W(1, "call_next", "A001"),
        W(1, "no_show", "ok", {"A001": "no_show"}), W(1, "no_show", "invalid_state"),
        W(2, "call_back", "A001", {"A001": "called"}, number="A001"),
        W(1, "call_next", "queue_empty")]),
    "hold, then call_back from any window": (None, [
        I("A", "A001"), I("A", "A002"), I("A", "A003"), LOGIN(1), LOGIN(3, "s3"),
        W(1, "call_next", "A001"), W(1, "hold", "ok", {"A001": "held"}),
        W(1, "call_next", "A002", {"A001": "held"}),
        W(3, "call_back", "A001", {"A001": "called", "A002": "called"}, number="A001"),
        W(1, "call_back", "invalid_state", number="A003"), W(1, "call_back", "invalid_state", number="A002"),
        W(1, "call_back", "not_found", number="A099"), W(1, "call_next", "A003", {"A002": "done"})]),
    "hold a ticket being served": (None, [
        I("A", "A001"), LOGIN(1), W(1, "call_next", "A001"), W(1, "start", "ok"),
        W(1, "hold", "ok", {"A001": "held"}), W(1, "hold", "invalid_state"),
        W(1, "call_back", "A001", {"A001": "called"}, number="A001")]),
    "call_specific": (None, [
        I("A", "A001"), I("A", "A002"), I("A", "A003"), LOGIN(1),
        W(1, "call_specific", "A003", number="A003"), W(1, "call_specific", "invalid_state", number="A003"),
        W(1, "call_specific", "not_found", number="A099"),
        W(1, "call_next", "A001", {"A003": "done"}), W(1, "call_specific", "A002", {"A001": "done"}, number="A002")]),
    "start and finish": (None, [
        I("A", "A001"), LOGIN(1), W(1, "start", "invalid_state"), W(1, "finish", "invalid_state"),
        W(1, "call_next", "A001"), W(1, "start", "A001", {"A001": "serving"}), W(1, "start", "invalid_state"),
        W(1, "recall", "invalid_state"), W(1, "no_show", "invalid_state"),
        W(1, "finish", "A001", {"A001": "done"}), W(1, "finish", "invalid_state")]),
    "finish a called ticket without start": (None, [
        I("A", "A001"), LOGIN(1), W(1, "call_next", "A001"), W(1, "finish", "A001", {"A001": "done"})]),
    "transfer to a category keeps the number and the arrival order": (None, [
        I("A", "A001"), WAIT(10), I("B", "B001"), LOGIN(1), LOGIN(3, "s3"),
        W(1, "call_next", "A001"), W(1, "transfer", "A001", {"A001": "waiting"}, category="B"),
        W(1, "call_next", "queue_empty"),
        W(3, "call_next", "A001"), W(3, "call_next", "B001", {"A001": "done"})]),
    "transfer to a window: only that window calls it, first": (None, [
        I("A", "A001"), I("A", "A002"), BOOK("YY0002"), CHECK_IN("YY0002", "A003"), LOGIN(1), LOGIN(2, "s2"),
        W(1, "call_next", "A003"), W(1, "transfer", "A003", {"A003": "waiting"}, to_window=2),
        W(1, "call_specific", "invalid_state", number="A003"), W(1, "call_next", "A001"),
        W(1, "finish", "ok"), BOOK("YY0003"), CHECK_IN("YY0003", "A004"),
        W(2, "call_next", "A003"), W(2, "call_next", "A004"), W(2, "call_next", "A002")]),
    "transfer needs exactly one target": (None, [
        I("A", "A001"), LOGIN(1), W(1, "call_next", "A001"),
        W(1, "transfer", "bad_request", category="B", to_window=2), W(1, "transfer", "bad_request"),
        W(1, "transfer", "not_found", category="Z"), W(1, "transfer", "not_found", to_window=99),
        W(1, "transfer", "bad_request", to_window=1), W(1, "recall", "ok", {"A001": "called"})]),
    "pause and resume": (None, [
        I("A", "A001"), I("A", "A002"), LOGIN(1), W(1, "call_next", "A001"),
        W(1, "pause", "invalid_state", reason="break"), W(1, "finish", "ok"), W(1, "pause", "ok", reason="break"),
        W(1, "pause", "invalid_state", reason="break"), W(1, "call_next", "invalid_state"),
        W(1, "call_specific", "invalid_state", number="A002"), W(1, "resume", "ok"), W(1, "resume", "invalid_state"),
        W(1, "call_next", "A002")]),
    "login rules": (None, [
        LOGIN(1, pin="0000", expect="forbidden"), LOGIN(1, staff="nobody", expect="forbidden"),
        LOGIN(3, staff="s2", expect="forbidden"), LOGIN(1), LOGIN(2),
        W(1, "call_next", "closed"), I("A", "A001"), W(2, "call_next", "A001"),
        LOGIN(1, expect="invalid_state"), LOGIN(2, staff="s2", expect="invalid_state"),
        W(2, "finish", "ok"), LOGIN(2, staff="s2")]),
    "logout while serving is refused": (None, [
        I("A", "A001"), LOGIN(1), W(1, "call_next", "A001"), W(1, "logout", "invalid_state"),
        W(1, "finish", "ok"), W(1, "logout", "ok"), W(1, "call_next", "closed"), W(1, "logout", "closed")]),
    "invite_rating": (None, [
        I("A", "A001"), LOGIN(1), W(1, "invite_rating", "invalid_state"), W(1, "call_next", "A001"),
        W(1, "finish", "ok"), W(1, "invite_rating", "ok")]),
}


@pytest.mark.parametrize("changes, script", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_script(changes, script):
    run_script(Hall(make_config(changes) if changes else CONFIG), script)


def test_a_walk_in_ticket_cannot_carry_an_appointment_code():
    """An appointment ticket is called before every walk-in, so `issue_ticket` has no such field: the
    contract refuses it as it refuses any unknown field, before a handler sees it."""
    with pytest.raises(ValidationError) as refused:
        ACTIONS["issue_ticket"][1].model_validate({"id": "r1", "category": "A", "appointment_code": "YY0001"})
    assert describe_validation_error(refused.value) == "appointment_code: unknown field"
    assert "appointment_code" not in inspect.signature(actions.issue_ticket).parameters


CLOSED_WINDOW_ACTIONS = [
    ("logout", {}), ("call_next", {}), ("recall", {}), ("no_show", {}), ("hold", {}), ("start", {}),
    ("finish", {}), ("pause", {"reason": "break"}), ("resume", {}), ("invite_rating", {}),
    ("transfer", {"category": "B"}), ("call_specific", {"number": "A002"}), ("call_back", {"number": "A001"}),
]


@pytest.mark.parametrize("action, fields", CLOSED_WINDOW_ACTIONS, ids=[a for a, _ in CLOSED_WINDOW_ACTIONS])
def test_window_actions_on_a_closed_window(action, fields):
    hall = Hall()
    hall.issue("A"), hall.issue("A")
    hall.login(1)
    hall.ok("call_next", 1)
    hall.ok("hold", 1)                 # A001 held, A002 waiting: both could be called at an open window
    before = hall.snapshot()
    out = hall.do(action, 2, **fields)
    assert out.error is not None and out.error.code == "closed"
    assert hall.snapshot() == before
    assert out.events == [] and out.tickets == {} and out.windows == {}


def test_unknown_window_and_action():
    hall = Hall()
    assert hall.do("call_next", 99).error.code == "not_found"
    assert dispatch.handle(hall.engine, "teleport", "kiosk-K1", {}, hall.now).error.code == "unknown_action"


# --- numbering and the day ----------------------------------------------------------------------


def test_number_uses_the_prefix_not_the_code():
    config = make_config({"categories": {"tax": {"name": {"zh": "tax", "en": "tax"}, "prefix": "E"}}})
    hall = Hall(config)
    out = hall.ok("issue_ticket", category="tax")
    ticket = out.result["ticket"]
    assert ticket["number"] == "E001" and ticket["category"] == "tax"
    assert ticket["id"] == "2024-03-05-E001"
    assert hall.issue("tax") == "E002"
    assert hall.issue("A") == "A001"


@pytest.mark.parametrize("rollover_hour", [0, 3, 5])
def test_day_rolls_over_at_the_configured_hour(rollover_hour):
    hall = Hall(make_config({"day_rollover_hour": rollover_hour}))
    e = hall.engine
    for _ in range(4):
        hall.issue("A")
    hall.issue("B")
    hall.login(1)
    hall.login(3, "s3")
    hall.ok("call_next", 1), hall.ok("hold", 1)           # A001 held
    hall.ok("call_next", 1)                               # A002 called at 1
    hall.ok("call_next", 3), hall.ok("start", 3)          # B001 serving at 3
    old_ids = {n: hall.ticket(n).id for n in ("A001", "A002", "A003", "A004", "B001")}
    assert e.day == "2024-03-05"

    # one minute before the rollover hour of the next morning: still the same service day
    hall.now = local(f"{rollover_hour:02d}:00", 1) - 60
    assert hall.issue("A") == "A005"
    assert e.day == "2024-03-05"

    hall.now = local(f"{rollover_hour:02d}:00", 1)
    out = hall.ok("issue_ticket", category="A", group="normal")
    assert e.day == "2024-03-06"
    assert out.result["ticket"]["number"] == "A001"
    assert out.result["ticket"]["id"] == "2024-03-06-A001"
    assert out.result["ticket"]["id"] != old_ids["A001"]
    assert hall.issue("B") == "B001"

    closed = {ev.ticket_id: ev for ev in out.events if ev.kind == "ticket_closed_by_day_end"}
    assert closed[old_ids["A001"]].after["status"] == "expired"
    assert closed[old_ids["A003"]].before["status"] == "waiting"
    assert closed[old_ids["A003"]].after["status"] == "expired"
    assert out.tickets[old_ids["A004"]]["status"] == "expired"
    assert out.tickets[old_ids["A002"]]["status"] == "done"
    assert out.tickets[old_ids["B001"]]["status"] == "done"
    rollover = [ev for ev in out.events if ev.kind == "day_rollover"]
    assert len(rollover) == 1 and rollover[0].data["new_day"] == "2024-03-06"
    assert rollover[0].data["closed_day"] == "2024-03-05"
    assert all(ev.at == hall.now for ev in out.events)

    # nobody from yesterday waits or is called; staff were logged out
    assert set(e.waiting) == {"2024-03-06-A001", "2024-03-06-B001"}
    assert not any(tid in e.tickets for tid in old_ids.values())
    assert all(w.staff_id is None and w.current is None for w in e.windows.values())
    assert e.sessions == {}
    assert {row["window"] for row in out.sessions.values() if row["logout_at"] == hall.now} == {1, 3}
    assert hall.do("call_next", 1).error.code == "closed"
    assert hall.do("call_back", 1, number="A004").error.code == "not_found"
    hall.login(1)
    assert hall.ok("call_next", 1).result["ticket"]["id"] == "2024-03-06-A001"


def test_rollover_is_in_the_outcome_even_when_the_command_is_refused():
    hall = Hall()
    hall.issue("A")
    hall.login(1)
    hall.now = local("03:00", 1)
    out = hall.do("call_next", 1)
    assert out.error.code == "closed"
    assert any(ev.kind == "day_rollover" for ev in out.events)
    assert [row["status"] for row in out.tickets.values()] == ["expired"]
    assert out.windows[1]["staff_id"] is None


@pytest.mark.parametrize("fields, expect, category", [
    ({"item": "IB"}, "B001", "B"),
    ({"item": "IB", "category": "B"}, "B001", "B"),
    ({"item": "IA", "group": "priority"}, "A001", "A"),
    ({"item": "IB", "category": "A"}, "bad_request", None),
    ({"item": "nope"}, "not_found", None),
    ({"item": "nope", "category": "A"}, "not_found", None),
    ({"category": "Z"}, "not_found", None),
    ({}, "bad_request", None),
    ({"item": "IA", "group": "green"}, "A001", "A"),
])
def test_item_resolves_to_its_category(fields, expect, category):
    hall = Hall()
    out = hall.do("issue_ticket", **fields)
    if category is None:
        assert out.error is not None and out.error.code == expect
        assert hall.engine.tickets == {} and out.events == []
    else:
        assert out.error is None
        ticket = out.result["ticket"]
        assert (ticket["number"], ticket["category"], ticket["item"]) == (expect, category, fields["item"])
        assert hall.ticket(expect).origin_category == category


def test_issue_result_and_applicant_is_masked():
    hall = Hall()
    out = hall.ok("issue_ticket", category="A", group="priority", lang="en",
                  applicant={"id_hash": "a" * 64, "name": "张三丰", "phone": "13812345678"})
    ticket = out.result["ticket"]
    assert ticket["status"] == "waiting" and ticket["group"] == "priority" and ticket["issued_at"] == T0
    assert ticket["rating_token"] == hall.engine.rating_token(ticket["id"]) and ticket["rating_token"]
    stored = hall.ticket("A001")
    assert stored.applicant_name == "张*丰" and stored.lang == "en" and stored.issued_by == "kiosk-K1"
    assert stored.applicant_id_hash == "a" * 64


# --- window actions in detail -------------------------------------------------------------------


def test_recall_counts_calls_then_no_show():
    hall = Hall()
    hall.issue("A")
    hall.login(1)
    assert hall.ok("call_next", 1).result["ticket"]["times_called"] == 1
    hall.now += 30
    out = hall.ok("recall", 1)
    assert out.result["no_show"] is False and out.result["ticket"]["times_called"] == 2
    assert hall.ticket("A001").last_called_at == hall.now
    assert out.events[0].data["text"] == {"zh": "再次呼叫A001号到1号窗口办理", "en": "Calling again: A001 to window 1"}
    hall.ok("recall", 1)
    assert hall.ticket("A001").times_called == 3
    out = hall.ok("recall", 1)
    assert out.result["no_show"] is True and out.result["ticket"]["status"] == "no_show"
    assert hall.ticket("A001").times_called == 3
    assert hall.engine.windows[1].current is None


def test_call_next_on_empty_queue_finishes_and_reports_queue_empty():
    hall = Hall()
    hall.issue("A")
    hall.login(1)
    hall.ok("call_next", 1)
    hall.now += 120
    out = hall.do("call_next", 1)
    assert out.error is not None and out.error.code == "queue_empty"
    a001 = hall.ticket("A001")
    assert a001.status == "done" and a001.finished_at == hall.now
    assert out.tickets[a001.id]["status"] == "done"
    assert [ev.kind for ev in out.events if ev.ticket_id] == ["ticket_finished"]
    assert hall.engine.windows[1].current is None and hall.engine.windows[1].last_served == a001.id
    assert list(hall.engine.recent["A"]) == [120]


def test_call_back_moves_the_ticket_to_the_calling_window():
    hall = Hall()
    hall.issue("A")
    hall.login(1)
    hall.login(2, "s2")
    hall.ok("call_next", 1), hall.ok("recall", 1), hall.ok("no_show", 1)
    out = hall.ok("call_back", 2, number="A001")
    ticket = hall.ticket("A001")
    assert (ticket.status, ticket.window, ticket.staff_id, ticket.times_called) == ("called", 2, "s2", 1)
    assert hall.engine.windows[2].current == ticket.id and hall.engine.windows[1].current is None
    assert out.events[0].data["how"] == "call_back"


def test_transfer_to_category_keeps_identity():
    hall = Hall()
    hall.issue("A")
    hall.now += 10
    hall.issue("B")
    hall.login(1)
    hall.ok("call_next", 1), hall.ok("start", 1)
    before = hall.ticket("A001").row()
    out = hall.ok("transfer", 1, category="B")
    t = hall.ticket("A001")
    assert t.id == before["id"] and t.number == "A001" and t.seq == before["seq"]
    assert t.issued_at == before["issued_at"] and t.rating_token == before["rating_token"]
    assert (t.category, t.origin_category, t.status, t.window, t.transfers) == ("B", "A", "waiting", None, 1)
    assert t.id in hall.engine.waiting and hall.engine.windows[1].current is None
    assert out.result["ticket"]["ahead"] == 0                   # it arrived before B001
    assert hall.engine.public_ticket(hall.ticket("B001"))["ahead"] == 1
    ev = out.events[0]
    assert ev.kind == "ticket_transferred" and ev.data["to_category"] == "B" and ev.data["from_window"] == 1


def test_transfer_to_window_is_invisible_to_other_windows():
    hall = Hall()
    hall.issue("A")
    for n, staff in ((1, "s1"), (2, "s2")):
        hall.login(n, staff)
    hall.ok("call_next", 1)
    hall.ok("transfer", 1, to_window=2)
    t = hall.ticket("A001")
    assert t.target_window == 2 and t.status == "waiting"
    assert hall.do("call_next", 1).error.code == "queue_empty"
    assert hall.ok("call_next", 2).result["ticket"]["number"] == "A001"
    assert hall.ticket("A001").target_window is None


def test_login_elsewhere_closes_the_old_session():
    hall = Hall()
    first = hall.login(1)
    old_key = next(iter(first.sessions))
    hall.ok("pause", 1, reason="meeting")
    hall.now += 60
    out = hall.login(3)
    e = hall.engine
    assert e.windows[1].staff_id is None and e.windows[1].paused is False
    assert e.windows[3].staff_id == "s1" and e.sessions[3].staff_id == "s1" and 1 not in e.sessions
    assert out.sessions[old_key]["logout_at"] == hall.now
    new = [row for key, row in out.sessions.items() if key != old_key]
    assert len(new) == 1 and new[0]["window"] == 3 and new[0]["logout_at"] is None
    kinds = [(ev.kind, ev.window) for ev in out.events]
    assert ("staff_logout", 1) in kinds and ("staff_login", 3) in kinds
    assert out.result["staff"] == "王*华"


def test_invite_rating_names_the_served_ticket():
    hall = Hall()
    hall.issue("A"), hall.issue("A")
    hall.login(1)
    hall.ok("call_next", 1), hall.ok("finish", 1)
    a001 = hall.ticket("A001")
    out = hall.ok("invite_rating", 1)
    assert out.result == {"ticket_id": a001.id, "number": "A001", "staff_id": "s1"}
    assert [ev.kind for ev in out.events] == ["rating_invited"]
    hall.ok("call_next", 1)
    assert hall.ok("invite_rating", 1).result["number"] == "A002"


def test_estimated_wait_grows_with_the_queue_and_learns_from_services():
    hall = Hall()
    hall.login(1)
    hall.login(2, "s2")                           # two open windows serve A as primary
    est = []
    for _ in range(4):
        t = hall.ok("issue_ticket", category="A").result["ticket"]
        est.append((t["ahead"], t["est_wait_s"]))
    assert est == [(0, 0), (1, 150), (2, 300), (3, 450)]       # default 300 s / 2 windows
    p = hall.ok("issue_ticket", category="A", group="priority").result["ticket"]
    assert (p["ahead"], p["est_wait_s"]) == (0, 0)
    n = hall.ok("issue_ticket", category="A").result["ticket"]
    assert (n["ahead"], n["est_wait_s"]) == (5, 750)
    b = hall.ok("issue_ticket", category="B").result["ticket"]
    assert (b["ahead"], b["est_wait_s"]) == (0, 0)
    b2 = hall.ok("issue_ticket", category="B").result["ticket"]
    assert (b2["ahead"], b2["est_wait_s"]) == (1, 600)        # no open window for B: divide by 1

    hall.ok("call_next", 1)                       # A005 (priority)
    hall.ok("start", 1)
    hall.now += 100
    hall.ok("finish", 1)
    hall.ok("call_next", 1)                       # A001, served 200 s without start
    hall.now += 200
    hall.ok("finish", 1)
    assert list(hall.engine.recent["A"]) == [100, 200]
    t = hall.ok("issue_ticket", category="A").result["ticket"]
    # waiting ahead: A002 A003 A004 A006 -> 4 x 150 s / 2 windows
    assert (t["ahead"], t["est_wait_s"]) == (4, 300)
    hall.ok("pause", 2, reason="break")           # one window left
    assert hall.engine.public_ticket(hall.ticket(t["number"]))["est_wait_s"] == 600


# --- events and refusals ------------------------------------------------------------------------


def _setup_serving(hall):
    hall.issue("A"), hall.issue("A"), hall.issue("A")
    hall.login(1)
    hall.ok("call_next", 1)


def _setup_started(hall):
    _setup_serving(hall)
    hall.ok("start", 1)


def _setup_held(hall):
    _setup_serving(hall)
    hall.ok("hold", 1)


def _setup_finished(hall):
    _setup_serving(hall)
    hall.ok("finish", 1)


def _setup_called_thrice(hall):
    _setup_serving(hall)
    hall.ok("recall", 1), hall.ok("recall", 1)


def _setup_paused(hall):
    hall.login(1)
    hall.ok("pause", 1, reason="break")


def _setup_queue(hall):
    hall.issue("A"), hall.issue("A")
    hall.login(1)


def _login_only(hall):
    hall.login(1)


def _nothing(hall):
    pass


T, WR = "ticket", "window"
EVENT_CASES = {
    "issue": (_nothing, ("issue_ticket", None, {"category": "A"}),
              [("ticket_issued", T, None, {"status": "waiting", "number": "A001"})]),
    "call_next": (_setup_queue, ("call_next", 1, {}),
                  [("ticket_called", T, {"status": "waiting", "window": None}, {"status": "called", "window": 1}),
                   ("window_updated", WR, {"current": None}, {"current": "2024-03-05-A001"})]),
    "call_next over current": (_setup_started, ("call_next", 1, {}),
                               [("ticket_finished", T, {"status": "serving"}, {"status": "done"}),
                                ("ticket_called", T, {"status": "waiting"}, {"status": "called", "number": "A002"}),
                                ("window_updated", WR, {"current": "2024-03-05-A001"},
                                 {"current": "2024-03-05-A002", "last_served": "2024-03-05-A001"})]),
    "call_next over a ticket recalled to the limit": (
        _setup_called_thrice, ("call_next", 1, {}),
        [("ticket_no_show", T, {"status": "called", "times_called": 3}, {"status": "no_show", "finished_at": None}),
         ("ticket_called", T, {"status": "waiting"}, {"status": "called", "number": "A002"}),
         ("window_updated", WR, {"current": "2024-03-05-A001", "last_served": None},
          {"current": "2024-03-05-A002", "last_served": None})]),
    "recall": (_setup_serving, ("recall", 1, {}),
               [("ticket_recalled", T, {"status": "called", "times_called": 1}, {"status": "called", "times_called": 2}),
                ("window_updated", WR, {"current": "2024-03-05-A001"}, {"current": "2024-03-05-A001"})]),
    "recall past the limit": (_setup_called_thrice, ("recall", 1, {}),
                              [("ticket_no_show", T, {"status": "called"}, {"status": "no_show"}),
                               ("window_updated", WR, {"current": "2024-03-05-A001"}, {"current": None})]),
    "no_show": (_setup_serving, ("no_show", 1, {}),
                [("ticket_no_show", T, {"status": "called"}, {"status": "no_show"}),
                 ("window_updated", WR, {"current": "2024-03-05-A001"}, {"current": None})]),
    "hold": (_setup_started, ("hold", 1, {}),
             [("ticket_held", T, {"status": "serving"}, {"status": "held"}),
              ("window_updated", WR, {"current": "2024-03-05-A001"}, {"current": None})]),
    "call_back": (_setup_held, ("call_back", 1, {"number": "A001"}),
                  [("ticket_called", T, {"status": "held"}, {"status": "called", "number": "A001"}),
                   ("window_updated", WR, {"current": None}, {"current": "2024-03-05-A001"})]),
    "call_specific": (_setup_queue, ("call_specific", 1, {"number": "A002"}),
                      [("ticket_called", T, {"status": "waiting"}, {"status": "called", "number": "A002"}),
                       ("window_updated", WR, {"current": None}, {"current": "2024-03-05-A002"})]),
    "start": (_setup_serving, ("start", 1, {}),
              [("ticket_started", T, {"status": "called", "started_at": None}, {"status": "serving"})]),
    "finish": (_setup_started, ("finish", 1, {}),
               [("ticket_finished", T, {"status": "serving"}, {"status": "done"}),
                ("window_updated", WR, {"current": "2024-03-05-A001"}, {"current": None})]),
    "transfer": (_setup_serving, ("transfer", 1, {"category": "B"}),
                 [("ticket_transferred", T, {"status": "called", "category": "A"}, {"status": "waiting", "category": "B"}),
                  ("window_updated", WR, {"current": "2024-03-05-A001"}, {"current": None})]),
    "login": (_nothing, ("login", 1, {"staff_id": "s1", "pin": PIN}),
              [("staff_login", WR, {"staff_id": None}, {"staff_id": "s1"})]),
    "logout": (_login_only, ("logout", 1, {}), [("staff_logout", WR, {"staff_id": "s1"}, {"staff_id": None})]),
    "pause": (_login_only, ("pause", 1, {"reason": "break"}),
              [("window_paused", WR, {"paused": False}, {"paused": True, "pause_reason": "break"})]),
    "resume": (_setup_paused, ("resume", 1, {}), [("window_resumed", WR, {"paused": True}, {"paused": False})]),
    "invite_rating": (_setup_finished, ("invite_rating", 1, {}),
                      [("rating_invited", T, {"status": "done"}, {"status": "done"})]),
}


@pytest.mark.parametrize("setup, command, expected", EVENT_CASES.values(), ids=EVENT_CASES.keys())
def test_every_change_has_ledger_ready_events(setup, command, expected):
    hall = Hall()
    setup(hall)
    hall.now += 42.5
    action, window, fields = command
    out = hall.ok(action, window, **fields)
    e = hall.engine
    assert [ev.kind for ev in out.events] == [kind for kind, *_ in expected]
    for ev, (kind, what, before, after) in zip(out.events, expected):
        assert ev.at == hall.now
        assert ev.device == ("kiosk-K1" if window is None else f"window-{window}")
        json.dumps(ev.before), json.dumps(ev.after), json.dumps(ev.data)   # ledger rows are JSON
        if before is None:
            assert ev.before is None
        else:
            assert ev.before is not None and {k: ev.before[k] for k in before} == before
        assert {k: ev.after[k] for k in after} == after
        if what == T:
            assert ev.ticket_id == ev.after["id"] and set(ev.after) == set(Ticket.__dataclass_fields__)
            if ev.before is not None:
                assert set(ev.before) == set(ev.after) and ev.before["id"] == ev.after["id"]
        else:
            assert ev.window == ev.after["number"] and set(ev.after) == set(Window.__dataclass_fields__)
            assert ev.staff_id is not None
    # the rows to write are the final state of everything the command changed
    assert out.tickets == {tid: e.tickets[tid].row() for tid in out.tickets}
    assert set(out.tickets) == {ev.ticket_id for ev in out.events if ev.ticket_id}
    assert out.windows == {n: e.windows[n].row() for n in out.windows}
    assert set(out.windows) == {ev.window for ev in out.events if ev.ticket_id is None}


def _refusal_state(hall):
    for category in ("A", "A", "A", "B"):
        hall.issue(category)
    hall.login(1)
    hall.login(3, "s3")
    hall.ok("call_next", 1), hall.ok("hold", 1)      # A001 held
    hall.ok("call_next", 1)                          # A002 called at 1
    hall.ok("pause", 3, reason="break")              # 3 paused, nothing current; 2 and 4 closed


REFUSALS = [
    ("issue_ticket", None, {"category": "Z"}, "not_found"),
    ("issue_ticket", None, {"item": "IB", "category": "A"}, "bad_request"),
    ("issue_ticket", None, {"category": "G", "group": "green"}, "bad_request"),
    ("issue_ticket", None, {}, "bad_request"),
    ("login", 2, {"staff_id": "s2", "pin": "9999"}, "forbidden"),
    ("login", 4, {"staff_id": "s2", "pin": PIN}, "forbidden"),
    ("login", 1, {"staff_id": "s2", "pin": PIN}, "invalid_state"),
    ("login", 2, {"staff_id": "s1", "pin": PIN}, "invalid_state"),
    ("logout", 1, {}, "invalid_state"),
    ("pause", 1, {"reason": "x"}, "invalid_state"),
    ("pause", 3, {"reason": "x"}, "invalid_state"),
    ("resume", 1, {}, "invalid_state"),
    ("call_next", 3, {}, "invalid_state"),
    ("call_next", 2, {}, "closed"),
    ("call_specific", 3, {"number": "A003"}, "invalid_state"),
    ("call_specific", 1, {"number": "A001"}, "invalid_state"),
    ("call_specific", 1, {"number": "C001"}, "not_found"),
    ("call_back", 1, {"number": "A003"}, "invalid_state"),
    ("call_back", 3, {"number": "A001"}, "invalid_state"),
    ("call_back", 1, {"number": "A099"}, "not_found"),
    ("recall", 3, {}, "invalid_state"),
    ("no_show", 3, {}, "invalid_state"),
    ("start", 4, {}, "closed"),
    ("finish", 3, {}, "invalid_state"),
    ("hold", 3, {}, "invalid_state"),
    ("transfer", 1, {"category": "B", "to_window": 2}, "bad_request"),
    ("transfer", 1, {}, "bad_request"),
    ("transfer", 1, {"category": "Z"}, "not_found"),
    ("transfer", 1, {"to_window": 77}, "not_found"),
    ("transfer", 1, {"to_window": 1}, "bad_request"),
    ("transfer", 3, {"category": "A"}, "invalid_state"),
    ("invite_rating", 3, {}, "invalid_state"),
    ("invite_rating", 2, {}, "closed"),
    ("call_next", 99, {}, "not_found"),
    ("fly", 1, {}, "unknown_action"),
]


@pytest.mark.parametrize("action, window, fields, code", REFUSALS,
                         ids=[f"{a}-{w}-{c}-{i}" for i, (a, w, _, c) in enumerate(REFUSALS)])
def test_a_refused_command_changes_nothing(action, window, fields, code):
    hall = Hall()
    _refusal_state(hall)
    hall.now += 5
    before = hall.snapshot()
    out = hall.do(action, window, **fields)
    assert out.error is not None and out.error.code == code
    assert out.events == [] and out.tickets == {} and out.windows == {} and out.sessions == {}
    assert out.result == {}
    assert hall.snapshot() == before


# --- restart: an engine rebuilt from its rows -----------------------------------------------------


def assert_same_engine(again: Engine, live: Engine) -> None:
    assert again.day == live.day
    assert {i: t.row() for i, t in again.tickets.items()} == {i: t.row() for i, t in live.tickets.items()}
    assert {n: w.row() for n, w in again.windows.items()} == {n: w.row() for n, w in live.windows.items()}
    assert {n: s.row() for n, s in again.sessions.items()} == {n: s.row() for n, s in live.sessions.items()}
    assert set(again.waiting) == set(live.waiting)
    assert set(again.by_number) == set(live.by_number)
    assert (again.counters, again.next_seq) == (live.counters, live.next_seq)
    assert list(again.calls) == list(live.calls)


def test_restart_rebuilds_the_same_queue():
    hall = Hall()
    for category, group in (("A", "normal"), ("A", "priority"), ("A", "normal"), ("B", "green"), ("G", "normal")):
        hall.issue(category, group)
    hall.login(1), hall.login(2, "s2"), hall.login(3, "s3")
    hall.now += 10
    hall.ok("call_next", 1)                    # A002 (priority) -> streak 1
    hall.now += 10
    hall.ok("call_next", 2)                    # A001
    hall.now += 10
    hall.ok("transfer", 2, to_window=1)        # A001 waits for window 1
    hall.now += 10
    hall.ok("call_next", 3), hall.ok("start", 3), hall.ok("recall", 1)
    live = hall.engine
    again = hall.store.load(CONFIG, hall.now, recent={c: list(d) for c, d in live.recent.items()})
    assert_same_engine(again, live)
    for engine in (live, again):
        out = dispatch.handle(engine, "call_next", "window-1", {}, hall.now + 1, window=1)
        assert out.result["ticket"]["number"] == "A001"
        out = dispatch.handle(engine, "issue_ticket", "kiosk-K1", command_fields("issue_ticket", {"category": "A"}), hall.now + 1)
        assert out.result["ticket"]["number"] == "A004"


def test_restart_keeps_the_calls_list_after_a_call_back():
    """The hall screen's latest calls list each ticket once, newest call last; a restart keeps it."""
    hall = Hall()
    hall.issue("A"), hall.issue("A")
    hall.login(1)
    hall.ok("call_next", 1)
    hall.now += 10
    hall.ok("hold", 1)
    hall.ok("call_next", 1)                    # A002
    hall.now += 10
    hall.ok("call_back", 1, number="A001")     # A001 again, newest
    live = [c["number"] for c in hall.engine.calls]
    assert live == ["A002", "A001"]
    assert [c["number"] for c in hall.store.load(CONFIG, hall.now).calls] == live


def test_restart_keeps_the_order_of_calls_made_at_the_same_instant():
    hall = Hall()
    hall.issue("A"), hall.issue("A")
    hall.login(1), hall.login(2, "s2")
    hall.ok("call_specific", 1, number="A002")      # same batch, same `now`
    hall.ok("call_next", 2)                         # A001, called after A002
    live = [c["number"] for c in hall.engine.calls]
    assert live == ["A002", "A001"]
    assert [c["number"] for c in hall.store.load(CONFIG, hall.now).calls] == live


def test_calls_list_is_bounded_and_cleared_by_the_day():
    hall = Hall()
    hall.login(1)
    for _ in range(12):
        hall.issue("A")
    for _ in range(12):
        hall.now += 1
        hall.ok("call_next", 1)
    assert [c["number"] for c in hall.engine.calls] == [f"A{n:03d}" for n in range(3, 13)]   # calls_shown 10
    assert hall.engine.calls[-1]["window"] == 1 and hall.engine.calls[-1]["at"] == hall.now
    hall.now = local("03:00", 1)
    hall.engine.tick(hall.now)
    assert list(hall.engine.calls) == []


def test_restart_after_the_rollover_hour_closes_the_old_day():
    """The controller was down over the rollover hour: its first tick must close yesterday."""
    hall = Hall()
    hall.issue("A"), hall.issue("A"), hall.issue("B")
    hall.login(1)
    hall.ok("call_next", 1)                    # A001 called at window 1, A002 and B001 waiting
    yesterday = hall.engine
    now = local("09:00", 1)
    engine = hall.store.load(CONFIG, now)      # today's rows and yesterday's open ones
    out = engine.tick(now)
    assert engine.day == "2024-03-06"
    for t in yesterday.tickets.values():
        row = out.tickets.get(t.id)
        assert row is not None and row["status"] in ("expired", "done"), (t.number, row)
    assert out.tickets[yesterday.by_number["A002"].id]["status"] == "expired"
    assert out.tickets[yesterday.by_number["A001"].id]["status"] == "done"
    assert engine.waiting == {} and engine.sessions == {}
    assert all(w.staff_id is None and w.current is None for w in engine.windows.values())
    assert [r["logout_at"] for r in out.sessions.values()] == [now]
    issued = dispatch.handle(engine, "issue_ticket", "kiosk-K1", command_fields("issue_ticket", {"category": "A"}), now)
    assert issued.result["ticket"]["number"] == "A001"
    assert set(engine.waiting) == {"2024-03-06-A001"}


def test_restart_before_the_rollover_hour_stays_on_the_day():
    hall = Hall()
    hall.issue("A"), hall.issue("A")
    hall.login(1)
    hall.ok("call_next", 1)
    now = local("02:30", 1)                    # after midnight, before the 03:00 rollover
    engine = hall.store.load(CONFIG, now)
    assert engine.day == "2024-03-05" and engine.tick(now).events == []
    assert set(engine.waiting) == {"2024-03-05-A002"} and engine.windows[1].staff_id == "s1"
    out = dispatch.handle(engine, "issue_ticket", "kiosk-K1", command_fields("issue_ticket", {"category": "A"}), now)
    assert out.result["ticket"]["number"] == "A003"


def test_calling_pool_and_choice_are_pure():
    """The calling rules as a function: same inputs, same choice, inputs untouched."""
    hall = Hall()
    for group in ("normal", "priority", "priority", "green"):
        hall.issue("A", group)
    hall.issue("B")
    waiting = list(hall.engine.waiting.values())
    rows = [t.row() for t in waiting]
    pool = calling.pool_for(2, ["A"], ["B"], False, waiting)
    assert sorted(t.number for t in pool) == ["A001", "A002", "A003", "A004"]

    def pick(streak: int) -> str:
        return calling.choose_next(pool, priority_streak=streak, priority_ratio=2, max_wait_s=3600, now=T0 + 10).number

    assert (pick(0), pick(1), pick(2), pick(5)) == ("A002", "A002", "A001", "A001")
    assert [t.row() for t in waiting] == rows
    assert calling.choose_next([], priority_streak=0, priority_ratio=2, max_wait_s=60, now=T0) is None

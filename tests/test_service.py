"""The controller over the wire: a real Mosquitto, a real SQLite file, real clients."""
from __future__ import annotations

import json

import pytest

from contract.messages import CalledEvent, CallsState, ConfigState, QueuesState, WindowState
from testbed.controller import PIN, staffed_window
from tests.support.hall import Inbox, ok, refused


def test_issue_and_call_reach_every_screen(controller, kiosk):
    inbox = Inbox()
    controller.device("display-hall", deliver=inbox,
                      watch=(f"qms/{controller.hall}/state/#", f"qms/{controller.hall}/event/+"))
    ticket = ok(kiosk.request("issue_ticket", {"category": "general", "lang": "zh"}))["ticket"]
    assert ticket["number"] == "A001" and ticket["ahead"] == 0 and ticket["status"] == "waiting"
    assert len(ticket["rating_token"]) >= 10
    second = ok(kiosk.request("issue_ticket", {"item": "A01"}))["ticket"]
    assert second["number"] == "A002" and second["ahead"] == 1 and second["est_wait_s"] > 0

    window = staffed_window(controller, 1)
    called = ok(window.request("call_next"))["ticket"]
    assert called["number"] == "A001" and called["window"] == 1

    _, event = inbox.wait_for(lambda t, d: t.endswith("/event/called"))
    CalledEvent.model_validate(event)
    assert event["text"]["zh"] == "请A001号到1号窗口办理"
    assert event["window"] == 1 and event["times_called"] == 1

    _, state = inbox.wait_for(lambda t, d: t.endswith("/state/window/1") and d and d["status"] == "serving")
    WindowState.model_validate(state)
    assert state["current"]["number"] == "A001"
    assert "*" in state["staff"] and state["staff_id"]

    _, calls = inbox.wait_for(lambda t, d: t.endswith("/state/calls") and d["calls"])
    CallsState.model_validate(calls)
    assert calls["calls"][0]["number"] == "A001"

    _, queues = inbox.wait_for(lambda t, d: t.endswith("/state/queues") and any(
        c["code"] == "general" and c["waiting"] == 1 and c["open_windows"] for c in d["categories"]))
    QueuesState.model_validate(queues)
    general = next(c for c in queues["categories"] if c["code"] == "general")
    assert general["open_windows"] == [1], "only window 1 is staffed among the general windows"
    assert general["name"]["zh"] == "综合受理"


def test_retained_state_seen_by_a_late_device(controller, kiosk):
    ok(kiosk.request("issue_ticket", {"category": "tax"}))
    inbox = Inbox()
    controller.device("display-late", deliver=inbox, watch=(f"qms/{controller.hall}/state/#",))
    _, config = inbox.wait_for(lambda t, d: t.endswith("/state/config"))
    ConfigState.model_validate(config)
    assert "staff" not in config["config"] and len(config["config"]["items"]) >= 30
    # the reply comes a packet before the state: the retained copy may still be the one before the ticket,
    # and the new one follows at once
    inbox.wait_for(lambda t, d: t.endswith("/state/queues")
                   and next(c for c in d["categories"] if c["code"] == "tax")["waiting"] == 1)
    for n in range(1, 13):
        inbox.wait_for(lambda t, d, n=n: t.endswith(f"/state/window/{n}") and d["status"] == "closed")


def test_every_window_action_over_the_wire(controller, kiosk):
    for _ in range(4):
        ok(kiosk.request("issue_ticket", {"category": "general"}))
    w1 = staffed_window(controller, 1)
    w2 = staffed_window(controller, 2)
    assert ok(w1.request("call_next"))["ticket"]["number"] == "A001"
    assert ok(w1.request("recall"))["ticket"]["times_called"] == 2
    ok(w1.request("start"))
    ok(w1.request("invite_rating"))
    ok(w1.request("finish"))
    assert ok(w1.request("call_next"))["ticket"]["number"] == "A002"
    ok(w1.request("hold"))
    assert ok(w2.request("call_back", {"number": "A002"}))["ticket"]["window"] == 2
    ok(w2.request("transfer", {"category": "tax"}))
    assert ok(w1.request("call_specific", {"number": "A004"}))["ticket"]["number"] == "A004"
    ok(w1.request("no_show"))
    ok(w1.request("call_next"))
    ok(w1.request("transfer", {"to_window": 2}))
    assert ok(w2.request("call_next"))["ticket"]["number"] == "A003"
    ok(w2.request("finish"))
    ok(w2.request("pause", {"reason": "午休 lunch"}))
    refused(w2.request("call_next"), "invalid_state")
    ok(w2.request("resume"))
    refused(w2.request("call_next"), "queue_empty")
    ok(w2.request("logout"))
    refused(w2.request("call_next"), "closed")
    stats = ok(controller.device("admin-t").request("stats"))
    assert stats["hall"]["issued"] == 4 and stats["hall"]["no_show"] == 1
    # A002 moved to tax, kept its number: issued where it was taken, waiting where it was sent
    assert stats["categories"]["general"]["issued"] == 4 and stats["categories"]["general"]["transferred"] == 2
    assert (stats["categories"]["tax"]["issued"], stats["categories"]["tax"]["waiting"]) == (0, 1)


@pytest.mark.parametrize("payload, code, fragment", [
    (b"{not json", "bad_request", "JSON"),
    (b"\xff\xfe\x00", "bad_request", "JSON"),
    (b"[1, 2, 3]", "bad_request", "object"),
    (b'"just a string"', "bad_request", "object"),
    (b"{}", "bad_request", "id"),
    (b'{"id": 42}', "bad_request", "id"),
    (b'{"id": "x1", "category": "general", "colour": "red"}', "bad_request", "colour"),
    (b'{"id": "x2", "category": 7}', "bad_request", "category"),
    (b'{"id": "x3", "category": "general", "group": "vip"}', "bad_request", "group"),
    (b'{"id": "x4", "category": "nope"}', "not_found", "nope"),
    (b'{"id": "x5", "item": "A01", "category": "tax"}', "bad_request", "A01"),
    (b'{"id": "x6", "category": "general", "window": 3}', "bad_request", "window"),
])
def test_bad_kiosk_input_gets_a_clear_error(controller, kiosk, payload, code, fragment):
    inbox = Inbox()
    kiosk.deliver = inbox
    kiosk.publish(kiosk.topics.cmd("kiosk-K1", "issue_ticket"), payload)
    _, reply = inbox.wait_for(lambda t, d: t.endswith("/reply/kiosk-K1"))
    error = refused(reply, code)
    assert fragment in error["message"]
    # the controller keeps serving
    assert ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]["number"] == "A001"


def test_rights_and_unknown_actions(controller, kiosk):
    refused(kiosk.request("call_next"), "forbidden")
    refused(kiosk.request("config_get"), "forbidden")
    refused(kiosk.request("fly_to_moon"), "unknown_action")
    w3 = staffed_window(controller, 3)
    refused(w3.request("call_next", {"window": 4}), "forbidden")
    refused(w3.request("issue_ticket", {"category": "general"}), "forbidden")
    refused(controller.device("display-x").request("call_next"), "forbidden")
    refused(controller.device("stranger").request("issue_ticket", {"category": "general"}), "forbidden")
    bridge = controller.device("bridge-b1")
    refused(bridge.request("call_next"), "bad_request")  # a bridge must name the window
    refused(bridge.request("call_next", {"window": 99}), "not_found")
    refused(bridge.request("call_next", {"window": 3}), "queue_empty")
    refused(w3.request("login", {"staff_id": "1003", "pin": "0000"}), "forbidden")
    refused(w3.request("call_specific", {"number": "A1"}), "bad_request")


def test_oversized_payload_is_refused_and_named(controller, kiosk):
    inbox = Inbox()
    kiosk.deliver = inbox
    huge = json.dumps({"id": "big-1", "category": "general", "comment": "x" * 300_000}).encode()
    kiosk.publish(kiosk.topics.cmd("kiosk-K1", "issue_ticket"), huge)
    _, reply = inbox.wait_for(lambda t, d: t.endswith("/reply/kiosk-K1"))
    assert reply["id"] == "big-1"
    assert "too large" in refused(reply, "bad_request")["message"]
    assert ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]["number"] == "A001"


def test_repeated_request_id_gets_the_same_reply_and_one_ticket(controller, kiosk):
    first = kiosk.request("issue_ticket", {"category": "estate"}, request_id="same-1")
    again = kiosk.request("issue_ticket", {"category": "estate"}, request_id="same-1")
    assert first == again and first["result"]["ticket"]["number"] == "C001"
    error = kiosk.request("issue_ticket", {"category": "nope"}, request_id="same-2")
    assert kiosk.request("issue_ticket", {"category": "nope"}, request_id="same-2") == error
    # another device may use the same id
    other = controller.device("kiosk-K2").request("issue_ticket", {"category": "estate"}, request_id="same-1")
    assert other["result"]["ticket"]["number"] == "C002"
    assert ok(controller.device("admin-t").request("stats"))["categories"]["estate"]["issued"] == 2


def test_login_rules_over_the_wire(controller):
    w1 = controller.device("window-1")
    refused(w1.request("login", {"staff_id": "1003", "pin": PIN}), "forbidden")  # 1003 is not for window 1
    result = ok(w1.request("login", {"staff_id": "1001", "pin": PIN}))
    assert result["staff"].startswith(controller.config.staff["1001"].name[0]) and "*" in result["staff"]
    w2 = controller.device("window-2")
    ok(w2.request("login", {"staff_id": "1001", "pin": PIN}))  # moves 1001 to window 2
    refused(w1.request("call_next"), "closed")

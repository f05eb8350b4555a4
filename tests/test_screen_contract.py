"""What the caller and the screens need on the wire: `next` in state/queues, the `window_stats` action, the `notice` config key."""
from __future__ import annotations

import copy

import pytest
from testbed.controller import staffed_window
from tests.support.hall import Inbox

from config.schema import ConfigError, validate
from contract.messages import CallsState, QueuesState, WindowState


def test_queues_carry_the_likely_next_numbers(controller, kiosk):
    for group in ("normal", "normal", "priority", "normal", "normal", "normal", "normal"):
        assert kiosk.request("issue_ticket", {"category": "social", "group": group})["ok"]
    window = staffed_window(controller, 4)
    assert window.request("call_next")["ok"]  # the priority ticket B003 first
    assert window.request("transfer", {"to_window": 3})["ok"]  # sent to window 3 only: not in the list
    inbox = Inbox()
    controller.device("display-q", deliver=inbox, watch=(controller.service.topics.state_queues(),))
    _, queues = inbox.wait_for(lambda t, d: t.endswith("/state/queues"))
    QueuesState.model_validate(queues)
    social = next(c for c in queues["categories"] if c["code"] == "social")
    assert social["next"] == ["B001", "B002", "B004", "B005", "B006"]  # five at most, in calling order
    assert next(c for c in queues["categories"] if c["code"] == "tax")["next"] == []


def test_window_stats_are_the_windows_own_figures(controller, kiosk):
    for _ in range(3):
        assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    window = staffed_window(controller, 3)
    for action in ("call_next", "start", "finish", "call_next", "no_show"):
        assert window.request(action)["ok"], action
    other = staffed_window(controller, 4)
    assert other.request("call_next")["ok"] and other.request("finish")["ok"]
    reply = window.request("window_stats")
    assert reply["ok"], reply
    stats = reply["result"]
    assert (stats["window"], stats["served"], stats["no_show"]) == (3, 1, 1)
    assert stats["avg_service_s"] is not None and stats["staff"]["served"] == 1
    closed = controller.device("window-7").request("window_stats")["result"]
    assert (closed["served"], closed["staff_id"], closed["staff"]) == (0, None, None)
    assert controller.device("kiosk-K2").request("window_stats")["error"]["code"] == "forbidden"


def test_the_notice_is_strict_and_optional(demo_raw):
    assert validate(demo_raw).notice is None
    raw = copy.deepcopy(demo_raw)
    raw["notice"] = {"zh": "今日16:00后暂停取号", "en": "No tickets after 16:00 today"}
    assert validate(raw).notice.zh == "今日16:00后暂停取号"
    raw["notice"] = {"zh": "只有中文"}
    with pytest.raises(ConfigError, match="notice.en"):
        validate(raw)
    raw["notice"] = {"zh": "公告", "en": "Notice", "color": "red"}
    with pytest.raises(ConfigError, match="notice.color"):
        validate(raw)


def test_a_windows_state_carries_what_it_set_aside_and_served_last_and_calls_their_sentence(controller, kiosk):
    for _ in range(4):
        assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    w3, w4 = staffed_window(controller, 3), staffed_window(controller, 4)
    for action in ("call_next", "hold", "call_next", "finish", "call_next", "no_show"):  # B001, B002, B003
        assert w3.request(action)["ok"], action
    topics = controller.service.topics
    inbox = Inbox()
    controller.device("display-w3", deliver=inbox, watch=(topics.state_window(3), topics.state_calls()))
    _, state = inbox.wait_for(lambda t, d: t == topics.state_window(3) and d["current"] is None)  # after the no-show
    state = WindowState.model_validate(state)
    assert [(t.number, t.status) for t in state.held] == [("B001", "held"), ("B003", "no_show")]
    assert (state.last_served.number, state.last_served.category) == ("B002", "social")
    assert state.last_served.finished_at is not None
    assert w4.request("call_back", {"number": "B001"})["ok"]  # called back at another window: gone from 3's list
    _, state = inbox.wait_for(lambda t, d: t == topics.state_window(3) and len(d["held"]) == 1)
    assert [t.number for t in WindowState.model_validate(state).held] == ["B003"]
    _, calls = inbox.wait_for(lambda t, d: t == topics.state_calls() and d["calls"][0]["number"] == "B001")
    newest = CallsState.model_validate(calls).calls[0]
    assert (newest.window, newest.text.zh, newest.text.en) == (4, "请B001号到4号窗口办理",
                                                                "Number B001, please go to window 4")

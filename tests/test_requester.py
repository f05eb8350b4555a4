"""The one requester, the controller's availability and the client mirror of the hall, as pure units.

What is asserted is what goes out (topic and payload, as published), what the owner is told, and
what the mirror gives its clients. The wire itself is in test_retry.py and test_stale_online.py.
"""
from __future__ import annotations

import json

import pytest

from contract.availability import HEARTBEAT_S, ControllerWatch, stale_after
from contract.hall import HallMirror
from contract.requester import Requester
from contract.topics import Topics
from tests.support.kiosk_fakes import FakeClock

T = Topics("demo")


class Wire:
    def __init__(self):
        self.out: list[tuple[str, dict]] = []
        self.online = True
        self.clock = FakeClock()
        self.replies: list[dict] = []
        self.overdue: list[tuple[str, int]] = []

    def requester(self, **kw) -> Requester:
        return Requester(lambda topic, payload: self.out.append((topic, payload)), lambda a: T.cmd("kiosk-K1", a),
                         online=lambda: self.online, clock=self.clock, **kw)

    def ids(self) -> list[str]:
        return [payload["id"] for _, payload in self.out]

    def on_reply(self, reply):
        self.replies.append(reply)

    def on_overdue(self, request):
        self.overdue.append((request.id, request.overdue))


@pytest.fixture
def wire():
    return Wire()


def test_a_second_send_under_an_open_key_is_no_new_command(wire):
    requests = wire.requester()
    first = requests.send("issue_ticket", {"category": "social"}, wire.on_reply, key="ticket")
    assert wire.out == [("qms/demo/cmd/kiosk-K1/issue_ticket", {"id": first.id, "category": "social"})]
    again = requests.send("issue_ticket", {"category": "tax"}, wire.on_reply, key="ticket")
    assert again is first and len(wire.out) == 1  # not overdue: it waits
    other = requests.send("query_progress", {"application_no": "SQ01"}, wire.on_reply, key="query")
    assert other.id != first.id and len(wire.out) == 2


def test_an_overdue_request_is_said_and_sent_again_with_its_id_until_its_reply(wire):
    requests = wire.requester(timeout_s=5)
    first = requests.send("call_next", {}, wire.on_reply, key="command", on_overdue=wire.on_overdue)
    wire.clock.advance(4.9)
    requests.tick()
    assert wire.overdue == [] and len(wire.out) == 1
    wire.clock.advance(0.2)
    requests.tick()
    wire.clock.advance(5)
    requests.tick()
    assert wire.overdue == [(first.id, 1), (first.id, 2)] and wire.ids() == [first.id] * 3
    requests.send("call_next", {}, wire.on_reply, key="command")  # a touch of the same button: the same id
    assert wire.ids() == [first.id] * 4
    assert requests.take({"id": first.id, "action": "call_next", "ok": True, "result": {"ticket": {}}})
    assert wire.replies == [{"id": first.id, "action": "call_next", "ok": True, "result": {"ticket": {}}}]
    assert not requests.take({"id": first.id, "ok": True})  # the answer to a re-send: nobody's
    assert len(wire.replies) == 1 and requests.open_requests() == []


def test_nothing_goes_out_while_the_controller_is_away_and_everything_open_when_it_is_back(wire):
    requests = wire.requester(say_offline=True)
    open_one = requests.send("issue_ticket", {}, wire.on_reply, key="ticket")
    wire.online = False
    assert requests.send("rate", {"level": 5}, wire.on_reply) is None
    assert wire.replies[-1]["error"]["code"] == "offline" and wire.replies[-1]["action"] == "rate"
    held = requests.send("config_get", {}, wire.on_reply, hold=True)
    wire.clock.advance(10)
    requests.tick()
    assert wire.ids() == [open_one.id]  # overdue, but not sent into the void
    wire.online = True
    requests.controller_back()
    assert sorted(wire.ids()) == sorted([open_one.id, open_one.id, held.id])


def test_a_given_up_request_is_forgotten_and_its_late_reply_dropped(wire):
    requests = wire.requester()
    first = requests.send("issue_ticket", {}, wire.on_reply, key="ticket")
    requests.give_up("ticket")
    assert requests.open("ticket") is None
    assert requests.take({"id": first.id, "ok": True, "result": {}}) and wire.replies == []
    second = requests.send("issue_ticket", {}, wire.on_reply, key="ticket")
    assert second.id != first.id


@pytest.mark.parametrize("reply", [None, [], "x", {"id": 5}, {"id": None}, {"no": "id"}, {"id": "unknown"}])
def test_replies_that_answer_nothing_are_ignored(wire, reply):
    requests = wire.requester()
    requests.send("issue_ticket", {}, wire.on_reply, key="ticket")
    assert not requests.take(reply) and wire.replies == [] and len(requests.open_requests()) == 1


def test_callbacks_run_through_dispatch_and_may_send_again(wire):
    later = []
    requests = wire.requester(dispatch=later.append)

    def answered(reply):
        requests.send("issue_ticket", {}, wire.on_reply, key="ticket")  # no deadlock: not under the lock

    first = requests.send("issue_ticket", {}, answered, key="ticket")
    requests.take({"id": first.id, "ok": True})
    assert len(later) == 1 and len(wire.out) == 1
    later.pop()()
    assert len(wire.out) == 2 and wire.out[1][1]["id"] != first.id


# --- the controller's availability -------------------------------------------------------------------


def beat(boot="b1", status="online", every_s=HEARTBEAT_S) -> bytes:
    return json.dumps({"status": status, "boot": boot, "at": 1.0, "every_s": every_s}).encode()


def test_only_a_live_beat_counts_and_only_for_a_while():
    clock = FakeClock()
    watch = ControllerWatch(clock)
    assert not watch.heard(beat(), retained=True) and not watch.online()  # the broker's copy: maybe stale
    assert watch.heard(beat(), retained=False) and watch.online()
    clock.advance(stale_after(HEARTBEAT_S) - 0.1)
    assert watch.online()
    clock.advance(0.2)
    assert not watch.online()  # beats stopped: a frozen or dead controller
    assert watch.heard(beat(), retained=False)  # back
    assert not watch.heard(beat(), retained=False)  # the next beat of the same run is nothing new
    assert watch.heard(beat("b2"), retained=False)  # a new run: open requests go again
    assert not watch.heard(beat(status="offline"), retained=True) and not watch.online()  # the last will


@pytest.mark.parametrize("payload", [b"", b"\xff", b"[]", b'{"status": "online", "every_s": 0.001}',
                                     b'{"status": "online", "every_s": true, "boot": 7}'])
def test_a_strange_status_never_breaks_the_watch(payload):
    clock = FakeClock()
    watch = ControllerWatch(clock)
    watch.heard(payload, retained=False)
    assert watch.every_s == HEARTBEAT_S
    clock.advance(stale_after(HEARTBEAT_S) + 1)
    assert not watch.online()


# --- the client mirror of the hall -------------------------------------------------------------------


def window(number=3, **extra):
    return {"window": number, "name": {"zh": f"{number}号窗口", "en": f"Window {number}"}, "status": "open",
            "staff": "刘*燕", "staff_id": "1003", "categories": ["social"], "secondary": ["general"], "current": None,
            "pause_reason": None, "tidal": False, "green_channel": False, "at": 10.0, **extra}


CONFIG = {"version": 2, "config": {"categories": {"social": {"name": {"zh": "社保医保", "en": "Social"}, "prefix": "B"}},
                                   "windows": {"3": {"primary": ["social"]}, "4": {"primary": ["social"]}}}}


def test_the_mirror_holds_what_clients_used_to_piece_together_from_events():
    hall = HallMirror(T, clock=lambda: 10.0)
    hall.apply(T.state_config(), CONFIG)
    hall.apply(T.state_window(3), window(held=[{"ticket_id": "d-B004", "number": "B004", "category": "social",
                                                "status": "no_show"}],
                                         last_served={"ticket_id": "d-B002", "number": "B002", "category": "social",
                                                      "finished_at": 9.0}))
    assert [t.number for t in hall.held(3)] == ["B004"] and hall.held(4) == []
    assert hall.last_served(3).number == "B002"
    assert hall.serving_windows("social") == [3, 4]  # none open yet: where the config sends it
    hall.apply(T.state_queues(), {"at": 10.0, "day": "2026-11-23", "categories": [
        {"code": "social", "prefix": "B", "name": {"zh": "社保医保", "en": "Social"}, "waiting": 2,
         "priority_waiting": 0, "est_wait_s": 300, "open_windows": [3, 10], "next": ["B005"]}]})
    assert hall.serving_windows("social") == [3, 10]  # a tidal window 10 included
    assert hall.waiting_for(3) == 2 and hall.prefix_of(3) == "B"
    hall.apply(T.state_window(3), b"")
    assert hall.window(3) is None and hall.status(3) == "closed"


def test_the_mirror_keeps_its_state_on_a_payload_that_is_not_the_contract(caplog):
    hall = HallMirror(T)
    assert hall.apply(T.state_window(3), window()) == "window"
    assert hall.apply(T.state_window(3), window(status="dancing")) is None
    assert hall.apply(T.state_window(3), window(number=4)) is None  # another window's state on this topic
    assert hall.apply(T.state_queues(), {"at": "noon", "day": "d", "categories": []}) is None
    assert hall.status(3) == "open" and hall.queues == {} and "does not match contract v1" in caplog.text
    assert hall.apply(T.state_window(3), window(status="paused", shiny=True)) == "window"  # a newer controller's field
    assert hall.status(3) == "paused"

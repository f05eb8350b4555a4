"""No message can stop the controller (issue 9, item 1), tried as an attacker would: a device with a real
login under the shipped hall.acl, on Mosquitto with the shipped hall.conf, sending what its firmware never
would — lone UTF-16 surrogates, JSON nested past any stack, retained commands — and the real controller
serving on behind it."""
from __future__ import annotations

import json
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contract.client import Incoming
from contract.devices import PrintJob
from contract.messages import ACTIONS, ReplyError, ReplyOk, TooDeep, decode_json
from testbed.controller import RunningController
from tests.support.deploy import connect, hall_broker, password  # noqa: F401  (the module's broker with hall.acl)
from tests.support.hall import Inbox, ok, refused


class Device:
    """A device of the hall with its own login, publishing raw bytes on its own command topics."""

    def __init__(self, broker, name: str, hall: str):
        self.name, self.hall = name, hall
        self.inbox = Inbox()
        replies = f"qms/{hall}/reply/{name}"
        self.client = connect(broker, name, deliver=lambda m: m.topic == replies and self.inbox(m), watch=(replies,),
                              hall=hall)
        assert self.client.wait_for_controller(10)

    def send(self, action: str, raw: bytes | str, retain: bool = False) -> None:
        data = raw.encode() if isinstance(raw, str) else raw
        self.client.publish(f"qms/{self.hall}/cmd/{self.name}/{action}", data, retain=retain)

    def reply(self, request_id, timeout: float = 5.0) -> dict:
        return self.inbox.wait_for(lambda t, d: d.get("id") == request_id, timeout)[1]

    def replies(self) -> list[dict]:
        return [m.json() for m in list(self.inbox.messages)]

    def stop(self) -> None:
        self.client.stop()


class Gate:
    """The controller's clock, which the test can shut: the loop then waits inside a batch while the
    commands sent meanwhile queue up, and they all come as the next batch."""

    def __init__(self):
        self.shut = False
        self.waiting, self.opened = threading.Event(), threading.Event()

    def __call__(self) -> float:
        if self.shut:
            self.waiting.set()
            self.opened.wait(10)
        return time.time()

    def close(self) -> None:
        self.opened.clear()
        self.waiting.clear()
        self.shut = True

    def open(self) -> None:
        self.shut = False
        self.opened.set()


@pytest.fixture
def hall(hall_broker, hall_raw, tmp_path):  # noqa: F811
    gate = Gate()
    running = RunningController(hall_raw, tmp_path / "hall.db", hall_broker, clock=gate,
                                password_of=lambda device: password(hall_broker, device))
    running.gate = gate
    devices: list[Device] = []

    def device(name: str) -> Device:
        devices.append(Device(hall_broker, name, running.hall))
        return devices[-1]

    running.login = device
    yield running
    for one in devices:
        one.stop()
    running.stop()


def test_lone_surrogates_in_the_id_or_any_field_are_refused_and_the_loop_serves_on(hall, caplog):
    kiosk, window, admin = hall.login("kiosk-K1"), hall.login("window-3"), hall.login("admin-ops")
    kiosk.send("issue_ticket", r'{"id": "\ud800", "category": "general"}')
    kiosk.send("issue_ticket", r'{"id": "k-1", "category": "gen\udfffral"}')
    kiosk.send("issue_ticket", r'{"id": "k-2", "category": "general", "applicant": {"name": "\ud83d"}}')
    kiosk.send("issue_ticket", r'{"id": "k-3", "category": "general", "\ud800": 1}')
    kiosk.send("issue_ticket", b'{"id": "k-4", "category": "\xed\xa0\x80"}')  # a surrogate as raw bytes
    kiosk.send("issue_ticket", r'{"id": "k-5", "category": "general"}')
    window.send("login", r'{"id": "w-1", "staff_id": "\udc00", "pin": "1234"}')
    admin.send("config_patch", r'{"id": "a-1", "patch": {"name": {"zh": "\ud800"}}}')
    admin.send("alert_ack", '{"id": "a-2", "alert_id": %d, "note": "n"}' % 2**70)  # past SQLite's integers
    no_id = refused(kiosk.inbox.wait_for(lambda t, d: d["id"] is None)[1], "bad_request")
    assert "id" in no_id["message"]
    for request_id in ("k-1", "k-2", "k-3"):
        assert "surrogate" in refused(kiosk.reply(request_id), "bad_request")["message"]
    refused(kiosk.inbox.wait_for(lambda t, d: d["id"] is None and "UTF-8" in d["error"]["message"])[1],
            "bad_request")
    assert "surrogate" in refused(window.reply("w-1"), "bad_request")["message"]
    assert "surrogate" in refused(admin.reply("a-1"), "bad_request")["message"]
    assert "alert_id" in refused(admin.reply("a-2"), "bad_request")["message"]
    assert ok(kiosk.reply("k-5"))["ticket"]["number"] == "A001"  # none of the refused ones made a ticket
    assert hall.thread.is_alive()
    assert "no usable id" in caplog.text


def test_json_nested_past_the_stack_is_refused_and_the_loop_serves_on(hall, caplog):
    kiosk = hall.login("kiosk-K1")
    for depth in (1000, 100_000):
        kiosk.send("issue_ticket", '{"id": "k-deep", "category": ' + "[" * depth + "]" * depth + "}")
    kiosk.send("issue_ticket", '{"id": "k-40", "category": "general", "applicant": '
               + '{"a": ' * 40 + "1" + "}" * 40 + "}")
    kiosk.send("query_progress", '{"id": "k-list", "application_no": ' + "[" * 500 + "]" * 500 + "}")
    kiosk.client.publish(f"qms/{hall.hall}/status/kiosk-K1", ("[" * 5000 + "]" * 5000).encode(), retain=True)
    kiosk.send("issue_ticket", '{"id": "k-ok", "category": "general"}')
    assert ok(kiosk.reply("k-ok"))["ticket"]["number"] == "A001"
    deep = [d for d in kiosk.replies() if d["id"] is None]
    assert len(deep) == 2 and all(refused(d, "bad_request")["message"] == "payload is nested too deeply" for d in deep)
    assert "nested more than 16 levels" in refused(kiosk.reply("k-40"), "bad_request")["message"]
    assert "nested more than 16 levels" in refused(kiosk.reply("k-list"), "bad_request")["message"]
    assert hall.thread.is_alive()
    assert "nested too deeply" in caplog.text


def test_a_failing_publish_costs_only_its_own_message_not_the_rest_of_the_batch(hall, caplog):
    window, kiosk = hall.login("window-3"), hall.login("kiosk-K1")
    client = hall.service.client
    real_publish = client.publish

    def publish(topic, payload, qos=1, retain=False):
        if topic.endswith("/reply/window-3"):
            raise RuntimeError("the socket broke under this one")
        return real_publish(topic, payload, qos=qos, retain=retain)

    client.publish = publish
    arrived = Inbox()
    deliver = client.deliver
    client.deliver = lambda incoming: (arrived(incoming), deliver(incoming))
    hall.gate.close()
    assert hall.gate.waiting.wait(5)  # the loop waits inside a batch; what comes now is the next one
    window.send("window_stats", '{"id": "w-1"}')  # first in the batch, its reply cannot be published
    kiosk.send("issue_ticket", '{"id": "k-1", "category": "general"}')
    arrived.wait_for(lambda t, d: t.endswith("/cmd/kiosk-K1/issue_ticket"))
    arrived.wait_for(lambda t, d: t.endswith("/cmd/window-3/window_stats"))
    hall.gate.open()
    assert ok(kiosk.reply("k-1"))["ticket"]["number"] == "A001"
    queues = connect(hall.broker, "admin-ops", deliver=(seen := Inbox()), watch=(f"qms/{hall.hall}/state/queues",),
                     hall=hall.hall)
    try:
        # the state follows the reply by a packet or two (docs/architecture.md)
        seen.wait_for(lambda t, d: next(c for c in d["categories"] if c["code"] == "general")["waiting"] == 1)
    finally:
        queues.stop()
    assert not [d for d in window.replies() if d["id"] == "w-1"]
    assert "could not publish on" in caplog.text and hall.thread.is_alive()


def test_json_past_the_stack_is_a_value_error_for_every_part_that_decodes_the_wire():
    """Incoming.json() (every device's loop) and the bridge's printer decode through decode_json: a thousand
    levels are a ValueError there, which their handlers of bad JSON already catch, not a RecursionError."""
    for raw in (b"[" * 5000, b"[" * 1000 + b"]" * 1000, b'{"a":' * 3000 + b"1" + b"}" * 3000):
        with pytest.raises(TooDeep):
            Incoming("t", raw).json()
    with pytest.raises(ValueError):
        decode_json(b"\xed\xa0\x80")


def test_a_print_job_with_a_lone_surrogate_is_refused_before_the_printer_sees_it():
    """A bridge's printer takes jobs from a kiosk (contract/devices.py): the same rule as commands, so a QR
    code or a line with "\\ud800" never reaches the UTF-8 and GB18030 encoders."""
    good = {"id": "k1-1", "blocks": [{"text": "A001"}, {"qr": "https://hall.example/t/1"}]}
    PrintJob.model_validate(good)
    for bad in ({**good, "blocks": [{"qr": "https://\ud800"}]}, {**good, "id": "k1-\udfff"},
                {**good, "blocks": [{"text": "A\ud83d"}]}):
        with pytest.raises(ValidationError, match="surrogate"):
            PrintJob.model_validate(bad)


def retained_commands(broker, hall: str) -> list:
    """What a new subscriber to every command topic is handed as retained (the controller's login)."""
    seen = Inbox()
    observer = connect(broker, "controller", deliver=seen, watch=(f"qms/{hall}/cmd/#",), hall=hall)
    try:
        time.sleep(0.3)
        return [m for m in seen.messages if m.retain and m.payload]
    finally:
        observer.stop()


def test_a_retained_command_is_never_run_and_is_cleared_also_across_a_restart(hall, hall_raw, tmp_path, caplog):
    kiosk = hall.login("kiosk-K1")
    kiosk.send("issue_ticket", '{"id": "k-r1", "category": "general"}', retain=True)
    kiosk.send("issue_ticket", '{"id": "k-1", "category": "general"}')
    assert ok(kiosk.reply("k-1"))["ticket"]["number"] == "A001"  # the retained one before it made none
    assert not retained_commands(hall.broker, hall.hall)
    assert "cleared from the broker, not run" in caplog.text
    kiosk.send("issue_ticket/deeper", '{"id": "k-r3"}', retain=True)  # no action of the grammar: cleared too
    kiosk.send("nope", '{"id": "k-n"}')
    refused(kiosk.reply("k-n"), "unknown_action")
    assert not retained_commands(hall.broker, hall.hall)

    hall.service.stop()
    hall.thread.join(10)
    hall.store.close()
    kiosk.send("issue_ticket", '{"id": "k-r2", "category": "general"}', retain=True)  # waits for the next start
    time.sleep(0.3)
    assert len(retained_commands(hall.broker, hall.hall)) == 1
    again = RunningController(hall_raw, tmp_path / "hall.db", hall.broker,
                              password_of=lambda device: password(hall.broker, device))
    hall.service, hall.thread, hall.store = again.service, again.thread, again.store  # the fixture stops it
    assert kiosk.client.wait_for_controller(10)
    kiosk.send("issue_ticket", '{"id": "k-2", "category": "general"}')
    assert ok(kiosk.reply("k-2"))["ticket"]["number"] == "A002"
    assert not [d for d in kiosk.replies() if d["id"] in ("k-r1", "k-r2")]
    assert not retained_commands(hall.broker, hall.hall)


# --- the whole command path, fuzzed -------------------------------------------------------------------

DEVICES = ("kiosk-K1", "window-3", "admin-ops")
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, codec=None, categories=["Cs"])
text = st.text(max_size=10) | st.builds(lambda a, s, b: a + s + b, st.text(max_size=4), st.text(surrogates, min_size=1,
                                                                                            max_size=2),
                                         st.text(max_size=4))
scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                      max_leaves=12)
known = {"general", "A001", "1234", "s001", "open", "zh"}
ids = text | st.sampled_from(["f-1", "f-2", "f-3"]) | st.integers() | st.none()
fields = st.dictionaries(st.sampled_from(["category", "item", "group", "level", "ticket_id", "staff_id", "pin",
                                          "number", "reason", "patch", "config", "date", "window", "applicant",
                                          "application_no", "lang"]) | text,
                         values | st.sampled_from(sorted(known)), max_size=4)


@st.composite
def messages(draw):
    device = draw(st.sampled_from(DEVICES))
    action = draw(st.sampled_from(sorted(ACTIONS)) | st.sampled_from(["", "nope", "call_next.", "%s", "a/b"]))
    shape = draw(st.sampled_from(["object", "object", "object", "deep", "bytes"]))
    if shape == "object":
        body = {"id": draw(ids), **draw(fields)} if draw(st.booleans()) else draw(values)
        raw = json.dumps(body).encode()  # ASCII escapes: a lone surrogate goes out as \udXXX, valid JSON
    elif shape == "deep":
        depth = draw(st.sampled_from([17, 400, 1000, 3000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        inner = opener * depth + ("1" if opener != "[" else "") + closer * depth
        raw = ('{"id": "f-deep", "category": ' + inner + "}").encode()
    else:
        raw = draw(st.binary(max_size=40))
    return device, action or "x", raw, draw(st.booleans()) and draw(st.booleans())  # a quarter retained


@pytest.fixture
def fuzz_hall(hall):
    hall.devices = {name: hall.login(name) for name in DEVICES}
    hall.count = 0
    return hall


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(messages(), min_size=1, max_size=4))
def test_whatever_devices_send_the_loop_answers_every_live_command_and_runs_no_retained_one(fuzz_hall, batch):
    """Each live command gets one reply of the contract's shape; a retained one none, and it is cleared."""
    hall = fuzz_hall
    before = {name: len(device.inbox.messages) for name, device in hall.devices.items()}
    live = {name: 0 for name in DEVICES}
    for name, action, raw, retain in batch:
        hall.devices[name].send(action, raw, retain=retain)
        # a topic that names no action of the grammar (call_next.) is logged and dropped, as is a retained one
        live[name] += not retain and hall.service.topics.parse_cmd(f"qms/{hall.hall}/cmd/{name}/{action}") is not None
    hall.count += 1
    for name, device in hall.devices.items():  # a canary after the batch: answered, so the loop is serving
        canary = f"canary-{hall.count}"
        device.send("nope", json.dumps({"id": canary}))
        device.reply(canary)
        got = [m.json() for m in device.inbox.messages[before[name]:]]
        assert got[-1]["id"] == canary and got[-1]["error"]["code"] == "unknown_action"
        assert len(got) - 1 == live[name], (name, batch, got)
        for reply in got:
            (ReplyOk if reply["ok"] else ReplyError).model_validate(reply)
    assert hall.thread.is_alive()
    if any(retain for *_, retain in batch):
        assert not retained_commands(hall.broker, hall.hall)

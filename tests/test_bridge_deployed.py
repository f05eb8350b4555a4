"""Keypads as deployed halls have them: combinations in one frame (`06 0F`), beeps without a data byte, a display
of one half only, and no echo of the host's frames (so the bus is not polled). End to end: the twin on a pty,
the real `main.py bridge` process, a real Mosquitto, the controller and its SQLite ledger."""
from __future__ import annotations

import pytest

from firmware_bridge.virtual.rig import RunningBridge, VirtualRig
from tests.support.bridge import bridge_running, commands, issue, status_of, until

pytest_plugins = ("tests.support.bridge_fixtures",)  # the hall listener (the rig here is a deployed hall's)

KEYPAD = 1  # window 1 (general, A…): its keypad has address 1, as in the frames a deployed host reads
STAFF = "1001"
TUNING = {"answer_timeout_s": 0.2, "key_holdoff_s": 0.3}  # no poll_s: an FF 68 bus is not polled by default
# what staff press, and the frame a deployed keypad sends for it (written out by hand, as on the wire)
PRESSES = {
    "呼叫": (("call",), "ff 68 03 03 68 01 10 0c 1d 16"),
    "弃号": (("6", "confirm"), "ff 68 04 04 68 01 10 06 0f 26 16"),
    "挂起": (("0", "confirm"), "ff 68 04 04 68 01 10 00 0f 20 16"),
    "回呼": (("3", "confirm"), "ff 68 04 04 68 01 10 03 0f 23 16"),
    "5+确认": (("5", "confirm"), "ff 68 04 04 68 01 10 05 0f 25 16"),
}
BEEP = bytes.fromhex("ff 68 02 02 68 01 03 04 16")


def deployed_rig(controller, tmp_path, **rs485) -> VirtualRig:
    """Window 1's keypad and evaluator as a deployed hall has them: combinations in one frame, no echo."""
    return VirtualRig(tmp_path / "tty", controller.hall, (KEYPAD,), key_style="one_frame", echo=False,
                      port_tuning=TUNING, rs485=rs485).start()


@pytest.fixture
def rig(controller, tmp_path):
    running = deployed_rig(controller, tmp_path, keypad_display="ticket")
    yield running
    running.stop()


@pytest.fixture
def bridge_process(controller, rig, tmp_path):
    """`main.py bridge` as a hall runs it, on the rig's ports."""
    with bridge_running(rig.config(), controller.broker.port, tmp_path) as process:
        yield process


def ticket_id(controller, number: str) -> str:
    return f"{controller.service.engine.day}-{number}"


def stored_status(controller, number: str) -> str:
    """The ticket's status as the controller's SQLite file holds it."""
    return next(t.status for t in controller.store.load_tickets(controller.service.engine.day) if t.number == number)


def ledger_kinds(controller, number: str) -> list[str]:
    return [row["kind"] for row in controller.store.ledger("ticket_id = ?", [ticket_id(controller, number)])]


def controller_beat_after_bridge_birth(hall) -> None:
    """The bridge sends a keypad's command only while it hears the controller's heartbeat; the
    controller beats at once for a device's birth, so a beat after the bridge's birth means it is live."""
    def beat_after_birth():
        with hall.cond:
            topics = [m.topic for m in hall.messages]
        births = [i for i, t in enumerate(topics) if t.endswith("/status/bridge-virtual")]
        return births and any(t.endswith("/status/controller") for t in topics[births[0] + 1:])
    until(beat_after_birth, timeout=15, what="the controller's beat after the bridge's birth")


def test_a_deployed_keypad_sets_tickets_aside_in_one_frame_over_the_real_bridge(controller, rig, bridge_process,
                                                                                 hall):
    issue(controller, "general", 3)
    rig.screens.wait_text(KEYPAD, lambda text: text == "暂停服务", timeout=20)  # the bridge has the hall's state
    controller_beat_after_bridge_birth(hall)  # and has heard the controller live: a keypad's login goes out
    assert rig.bus.type(KEYPAD, STAFF, "confirm", "1234", "confirm")  # two frames: 01 00 00 01 0F, 01 02 03 04 0F
    rig.screens.wait_text(KEYPAD, lambda text: text == "欢迎光临")
    assert rig.bus.wait_display(KEYPAD, lambda text: text == "___ ___")  # ticket-only style, nobody called yet

    def press(name: str) -> None:
        """Type as the deployed keypad does, and see the host acknowledge exactly these bytes."""
        keys, frame = PRESSES[name]
        frame = bytes.fromhex(frame)
        acks = rig.bus.acks[frame]
        assert rig.bus.type(KEYPAD, *keys)
        rig.bus.wait_for(lambda: rig.bus.acks[frame] == acks + 1, what=f"the echo of {name}")

    def reply(action: str) -> dict:
        return hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d["action"] == action)[1]

    press("呼叫")
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "A001")
    assert rig.bus.wait_display(KEYPAD, lambda text: text == "___ 001")

    press("弃号")
    assert reply("no_show")["ok"]
    assert ledger_kinds(controller, "A001") == ["ticket_issued", "ticket_called", "ticket_no_show"]
    assert stored_status(controller, "A001") == "no_show"
    rig.bus.wait_display(KEYPAD, lambda text: text == "___ ___")

    press("呼叫")
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "A002")
    rig.bus.wait_display(KEYPAD, lambda text: text == "___ 002")
    press("挂起")
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "held" and d["number"] == "A002")
    rig.bus.wait_display(KEYPAD, lambda text: text == "___ ___")  # the window's state, after the event: the
    # bridge knows A002 is held when 回呼 comes

    press("回呼")  # the held ticket, not the one given up before it
    assert reply("call_back")["ok"]
    [call_back] = commands(hall, "call_back")
    assert (call_back["number"], call_back["window"]) == ("A002", KEYPAD)
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "A002" and
                  len([m for m in hall.messages if m.topic.endswith("/event/called")]) == 3)
    assert rig.bus.wait_display(KEYPAD, lambda text: text == "___ 002")
    assert ledger_kinds(controller, "A001") == ["ticket_issued", "ticket_called", "ticket_no_show"]  # never served

    sent = len(rig.bus.host_frames)

    def since() -> list[bytes]:  # what the host sent since, besides the acknowledgement of the press
        with rig.bus.cond:
            return [f for f in list(rig.bus.host_frames)[sent:] if f != bytes.fromhex(PRESSES["5+确认"][1])]

    press("5+确认")  # no such combination: one beep, nothing sent, then the display shown again
    rig.bus.wait_for(lambda: [f[6] for f in since()] == [0x03, 0x02], what="a beep, then the display")
    assert since()[0] == BEEP and rig.bus.display(KEYPAD) == "___ 002"
    actions = {m.topic.rsplit("/", 1)[1] for m in hall.messages if "/cmd/bridge-virtual/" in m.topic}
    assert actions == {"login", "call_next", "no_show", "hold", "call_back"}
    assert stored_status(controller, "A002") == "called"

    # the devices never echoed a frame, yet none is reported offline: nothing polled them
    assert not [f for f in rig.bus.host_frames if f[6] == 0x00]
    assert status_of(hall, "keypad-1")["status"] == "online" and status_of(hall, "evaluator-1")["status"] == "online"


def test_a_count_only_display_and_polls_of_keypads_that_never_answer(controller, tmp_path, hall):
    """With polling turned on, a keypad that does not echo is reported offline by the silence rule, and online
    again at its next press; the count-only style shows the waiting count and leaves the ticket half blank."""
    rig = deployed_rig(controller, tmp_path, keypad_display="count", poll_s=0.3)
    bridge = RunningBridge(rig.config(), controller.broker.port).start()
    try:
        issue(controller, "general", 2)
        rig.bus.wait_display(KEYPAD, lambda text: text == "002 ___")
        hall.wait_for(lambda t, d: t.endswith("/status/bridge-virtual/keypad-1") and d["status"] == "offline")
        assert rig.bus.type(KEYPAD, STAFF, "confirm", "1234", "confirm")
        until(lambda: status_of(hall, "keypad-1").get("status") == "online", what="online at its first press")
        rig.screens.wait_text(KEYPAD, lambda text: text == "欢迎光临")
        assert rig.bus.type(KEYPAD, "call")
        hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "A001")
        rig.bus.wait_display(KEYPAD, lambda text: text == "001 ___")
        assert not [f for f in rig.bus.host_frames if f[6] == 0x03]  # nothing was refused: no beep
    finally:
        bridge.stop()
        rig.stop()

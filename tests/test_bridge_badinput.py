"""Bad input on the wire: garbage, truncated frames, wrong checksums, unknown addresses, a key flood, devices that
stop answering, a controller that is not there — logged, counted, never a crash or a double action."""
from __future__ import annotations

import threading

from firmware_bridge.bridge import Bridge
from firmware_bridge.codecs import ff68, ga467, led_frame
from firmware_bridge.config import validate
from firmware_bridge.virtual.rig import VirtualRig
from tests.support.bridge import TEST_TUNING, WINDOW, commands, issue, keys, login_on_keypad, status_of, until

CALL = ff68.encode(ff68.key_press(WINDOW, ff68.KEY_CALL))

pytest_plugins = ("tests.support.bridge_fixtures",)  # the rig, bridge and hall fixtures


def test_garbage_truncated_frames_and_wrong_checksums_are_skipped_and_counted(controller, rig, bridge, hall):
    issue(controller, "social", 2)
    login_on_keypad(rig)
    bad_checksum = bytearray(CALL)
    bad_checksum[-2] ^= 0x55
    acks = rig.bus.acks[CALL]
    # noise, a call press cut off after 6 bytes, a press with a wrong checksum, then a good press: one write
    rig.bus.write(b"\x00\x13\x68\xff\x16noise" + CALL[:6] + bytes(bad_checksum) + CALL)
    rig.bus.wait_for(lambda: rig.bus.acks[CALL] == acks + 1, what="the good press acknowledged")
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "B001")
    counts = until(lambda: bridge.stats()["rs485"], what="counters")
    assert counts["garbage"] >= 1 and counts["bad_checksum"] >= 1
    assert len(commands(hall, "call_next")) == 1

    def dropped():
        counts = bridge.stats()["rs485"]
        return sum(counts.get(k, 0) for k in ("truncated", "bad_end", "bad_header", "bad_checksum"))

    before = dropped()
    rig.bus.write(CALL[:7])  # cut off: dropped when the line goes quiet, or when the next poll's echo follows it
    until(lambda: dropped() == before + 1, what="the truncated frame dropped")
    keys(rig, bridge, "call")
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "B002")
    assert len(commands(hall, "call_next")) == 2
    assert bridge.errors == 0


def test_a_flood_of_presses_is_one_action(controller, rig, bridge, hall):
    issue(controller, "social", 5)
    login_on_keypad(rig)
    acks = rig.bus.acks[CALL]
    rig.bus.write(CALL * 20)  # a stuck key, or a keypad retransmitting because it missed the acks
    rig.bus.wait_for(lambda: rig.bus.acks[CALL] == acks + 20, what="every frame acknowledged")
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "B001")
    counts = bridge.stats()["rs485"]
    assert counts.get("busy", 0) + counts.get("repeat", 0) == 19
    assert len(commands(hall, "call_next")) == 1
    rig.bus.wait_display(WINDOW, lambda text: text == "004 001")


def test_unknown_addresses_are_acknowledged_counted_and_ignored(controller, rig, bridge, hall):
    issue(controller, "social", 1)
    login_on_keypad(rig)
    rig.bus.addresses.add(77)  # a keypad nobody put in the config
    stranger = ff68.key_press(77, ff68.KEY_CALL)
    assert rig.bus.press(77, "call")
    assert rig.bus.acks[ff68.encode(stranger)] == 1
    until(lambda: bridge.stats()["rs485"].get("unknown_address") == 1, what="the stranger counted")
    rig.screens.addresses.add(9)
    rig.screens.rows[9] = {}
    rig.screens.write(led_frame.encode(led_frame.ack(9, led_frame.CMD_TEXT)))
    until(lambda: bridge.stats()["led"].get("unknown_address") == 1, what="the unknown screen counted")
    assert commands(hall, "call_next") == []


def test_garbage_on_every_other_port_is_counted_and_the_devices_still_work(controller, rig, bridge, hall):
    rig.screens.write(b"\xa5\x03\x06\x01\x31\x00\x5a" + b"\x5a\xa5" * 3)  # bad checksum, then noise
    rig.strip.write(b"OK3\r\nnonsense\r\n" + b"x" * 600 + b"\r\n")
    rig.printer.write(b"\xff\x00\x81")  # not status bytes
    rig.reader.write(ga467.PREAMBLE + b"\x00\x04\x00\x00\x90\x00")  # wrong checksum
    until(lambda: bridge.stats()["led"].get("bad_checksum"), what="LED bad checksum")
    until(lambda: bridge.stats()["strip"].get("bad_line", 0) >= 2 and bridge.stats()["strip"].get("too_long"),
          what=f"strip noise {bridge.stats()['strip']}")
    until(lambda: bridge.stats()["printer"].get("garbage") == 3, what="printer noise")
    until(lambda: bridge.stats()["idreader"].get("bad_checksum"), what="reader bad checksum")
    issue(controller, "social", 1)
    login_on_keypad(rig)
    keys(rig, bridge, "call")
    rig.screens.wait_text(WINDOW, lambda text: text == "B001 请到3号窗口")
    rig.strip.wait_row(lambda text: text.startswith("请B001号"))
    assert bridge.errors == 0


def test_a_device_that_stops_answering_goes_offline_and_comes_back(controller, rig, bridge, hall):
    until(lambda: status_of(hall, "keypad-3").get("status") == "online", what="keypad online")
    rig.bus.silent = True
    hall.wait_for(lambda t, d: t.endswith("/status/bridge-virtual/keypad-3") and d["status"] == "offline")
    hall.wait_for(lambda t, d: t.endswith("/status/bridge-virtual/evaluator-3") and d["status"] == "offline")
    rig.bus.silent = False
    until(lambda: status_of(hall, "keypad-3").get("status") == "online", what="keypad back online")
    assert status_of(hall, "keypad-3") == {**status_of(hall, "keypad-3"), "kind": "keypad", "port": "rs485",
                                            "window": WINDOW}


def test_a_silent_printer_times_out_the_job(controller, rig, bridge, hall):
    until(lambda: status_of(hall, "printer").get("paper") == "ok", what="the printer's paper known")
    rig.printer.set_status("offline")  # it answers nothing
    client = controller.device("kiosk-P1")
    client.publish(bridge.topics.bridge_device(bridge.device_id, "printer", "print"),
                   {"id": "job-1", "blocks": [{"text": "A001"}]})
    _, result = hall.wait_for(lambda t, d: t.endswith("/printer/result"))
    assert result == {"id": "job-1", "ok": False, "paper": "offline", "error": {
        "code": "timeout", "message": "The printer does not answer", "message_zh": "打印机无响应"}}
    assert rig.printer.receipts == []


def test_without_a_controller_a_press_beeps_twice_and_sends_nothing(broker, tmp_path):
    rig = VirtualRig(tmp_path / "tty", "nobody-here", (WINDOW,), port_tuning=TEST_TUNING).start()
    lonely = Bridge(validate(rig.config()), "127.0.0.1", broker.port)
    thread = threading.Thread(target=lonely.run, daemon=True)
    thread.start()
    try:
        assert lonely.client.connected.wait(10)
        rig.bus.wait_display(WINDOW, lambda text: text == "___ ___")  # no hall state: nothing to show
        assert rig.bus.press(WINDOW, "call")
        rig.bus.wait_for(lambda: rig.bus.beeps[WINDOW] == 2, what="two beep frames")
        assert lonely.stats()["rs485"]["no_controller"] == 1 and not lonely.client.requests.open_requests()
    finally:
        lonely.stop()
        thread.join(10)
        rig.stop()

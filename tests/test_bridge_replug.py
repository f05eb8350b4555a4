"""Unplugging a serial adapter mid-run: the devices go offline, the port is reopened with back-off when it is
back, and the keypad and screens pick up where the hall is."""
from __future__ import annotations

from tests.support.bridge import WINDOW, commands, issue, keys, login_on_keypad, status_of, until

pytest_plugins = ("tests.support.bridge_fixtures",)


def test_an_unplugged_keypad_bus_comes_back_and_works(controller, rig, bridge, hall):
    issue(controller, "social", 2)
    login_on_keypad(rig)

    def keypad():
        return status_of(hall, "keypad-3").get("status")

    until(lambda: keypad() == "online" and status_of(hall, "screen-3").get("status") == "online",
          what="keypad and screen online")

    rig.ptys["rs485"].unplug()  # the USB adapter pulled out
    until(lambda: keypad() == "offline", what="keypad offline")
    until(lambda: status_of(hall, "evaluator-3").get("status") == "offline", what="evaluator offline")
    assert status_of(hall, "screen-3").get("status") == "online"  # other ports carry on
    assert not rig.bus.press(WINDOW, "call", retries=0, ack_timeout=0.05)  # nothing on the line

    with rig.bus.cond:
        rig.bus.displays.clear()  # keypads lose their display with the bus power
    rig.ptys["rs485"].replug()
    assert rig.bus.wait_attached()
    until(lambda: keypad() == "online", what="keypad back online")
    assert bridge.drivers["rs485"].port.opened == 2
    rig.bus.wait_display(WINDOW, lambda text: text == "002 ___")  # shown the hall again
    keys(rig, bridge, "call")
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "B001")
    rig.bus.wait_display(WINDOW, lambda text: text == "001 001")
    assert len(commands(hall, "call_next")) == 1


def test_a_replugged_led_screen_is_shown_its_text_again(controller, rig, bridge, hall):
    issue(controller, "social", 1)
    login_on_keypad(rig)
    keys(rig, bridge, "call")
    rig.screens.wait_text(WINDOW, lambda text: text == "B001 请到3号窗口")

    rig.ptys["led"].unplug()
    until(lambda: status_of(hall, "screen-3").get("status") == "offline", what="screen offline")
    with rig.screens.cond:
        rig.screens.rows[WINDOW] = {}  # the screen lost power with its adapter: it comes back blank
    rig.ptys["led"].replug()
    assert rig.screens.wait_attached()
    rig.screens.wait_text(WINDOW, lambda text: text == "B001 请到3号窗口")
    rig.screens.wait_text(WINDOW, lambda text: text == "B001 to window 3", row=2)
    until(lambda: status_of(hall, "screen-3").get("status") == "online", what="screen back online")

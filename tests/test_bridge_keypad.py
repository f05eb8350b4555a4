"""End to end: a virtual keypad and evaluator on a pty → the bridge → Mosquitto → the controller → back to the
keypad display, the LED window screen and the hall strip. Every assertion is on what a wire carried."""
from __future__ import annotations

from firmware_bridge.codecs import ff68
from testbed.controller import staffed_window
from tests.support.bridge import WINDOW, commands, issue, keys, login_on_keypad, until

EVALUATOR = 100 + WINDOW

pytest_plugins = ("tests.support.bridge_fixtures",)  # the rig, bridge and hall fixtures


def called(hall, number):
    return hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == number)


def test_a_call_key_calls_and_every_screen_shows_the_ticket(controller, rig, bridge, hall):
    rig.bus.wait_display(WINDOW, lambda text: text == "000 ___")  # closed window, nobody waiting
    issue(controller, "social", 2)
    rig.bus.wait_display(WINDOW, lambda text: text == "002 ___")
    assert rig.screens.wait_text(WINDOW, lambda text: text == "暂停服务")  # closed

    login_on_keypad(rig)
    rig.screens.wait_text(WINDOW, lambda text: text == "Welcome", row=2)
    assert rig.bus.press(WINDOW, "call")

    _, event = called(hall, "B001")
    assert event["window"] == WINDOW and event["text"]["zh"] == "请B001号到3号窗口办理"
    assert rig.bus.wait_display(WINDOW, lambda text: text == "001 001")
    assert rig.screens.wait_text(WINDOW, lambda text: text == "B001 请到3号窗口")
    rig.screens.wait_text(WINDOW, lambda text: text == "B001 to window 3", row=2)
    assert "请B001号到3号窗口办理" in rig.strip.wait_row(lambda text: "B001" in text)
    sent = commands(hall, "call_next")
    assert len(sent) == 1 and sent[0]["window"] == WINDOW and set(sent[0]) == {"id", "window"}
    login = commands(hall, "login")[0]
    assert (login["staff_id"], login["pin"], login["window"]) == ("1003", "1234", WINDOW)


def test_confirm_combinations_map_to_their_actions(controller, rig, bridge, hall):
    issue(controller, "social", 4)
    login_on_keypad(rig)
    keys(rig, bridge, "call")
    called(hall, "B001")
    keys(rig, bridge, "recall")
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "B001" and d["times_called"] == 2)

    keys(rig, bridge, "0", "confirm")  # 挂起 hold
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "held" and d["number"] == "B001")
    rig.bus.wait_display(WINDOW, lambda text: text == "003 ___")
    keys(rig, bridge, "call")
    called(hall, "B002")
    keys(rig, bridge, "6", "confirm")  # 弃号 no-show
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "no_show" and d["number"] == "B002")

    keys(rig, bridge, "3", "confirm")  # 回呼: the oldest ticket this window set aside
    hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d["action"] == "call_back" and d["ok"])
    assert commands(hall, "call_back")[0]["number"] == "B001"
    rig.screens.wait_text(WINDOW, lambda text: text.startswith("B001"))
    keys(rig, bridge, "3", "002", "confirm")  # 回呼 by number: …002
    hall.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "B002" and d["ticket_id"].endswith("B002")
                  and len(commands(hall, "call_back")) == 2)

    keys(rig, bridge, "transfer")
    rig.bus.wait_display(WINDOW, lambda text: text == "___ ___")
    keys(rig, bridge, "4", "confirm")
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "transferred" and d["number"] == "B002")
    assert commands(hall, "transfer")[0]["to_window"] == 4
    rig.screens.wait_text(WINDOW, lambda text: text == "欢迎光临")

    keys(rig, bridge, "pause")
    rig.screens.wait_text(WINDOW, lambda text: text == "暂停服务")
    rig.screens.wait_text(WINDOW, lambda text: text == "Paused", row=2)
    keys(rig, bridge, "confirm", "pause")  # pressed again on a paused window: resume (confirm alone: a refusal)
    rig.screens.wait_text(WINDOW, lambda text: text == "欢迎光临")
    keys(rig, bridge, "9", "confirm")  # logout
    hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d["action"] == "logout" and d["ok"])
    rig.screens.wait_text(WINDOW, lambda text: text == "暂停服务")
    rig.screens.wait_text(WINDOW, lambda text: text == "Closed", row=2)
    assert [c["reason"] for c in commands(hall, "pause")] == ["键盘暂停 paused on the keypad"]
    assert len(commands(hall, "resume")) == 1


def test_refusals_beep_and_unknown_combinations_send_nothing(controller, rig, bridge, hall):
    login_on_keypad(rig)
    beeps = rig.bus.beeps[WINDOW]
    rig.bus.press(WINDOW, "call")  # nobody waiting
    hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d.get("error", {}).get("code") == "queue_empty")
    rig.bus.wait_for(lambda: rig.bus.beeps[WINDOW] == beeps + 1, what="a beep for queue_empty")
    rig.bus.type(WINDOW, "5", "confirm")  # no such combination
    rig.bus.wait_for(lambda: rig.bus.beeps[WINDOW] == beeps + 2, what="a beep for 5+confirm")
    assert bridge.stats()["rs485"]["bad_combination"] == 1
    rig.bus.wait_display(WINDOW, lambda text: text == "000 ___")  # back to the hall's view after the refusal
    assert {m.topic.rsplit("/", 1)[1] for m in hall.messages if "/cmd/bridge-virtual/" in m.topic} == \
        {"login", "call_next"}


def test_digits_come_as_presses_or_in_one_frame_with_confirm(controller, rig, bridge, hall):
    issue(controller, "social", 3)
    login_on_keypad(rig)
    keys(rig, bridge, "call")
    called(hall, "B001")
    until(lambda: not bridge.client.requests.open_requests(), what="the call answered")  # else the press beeps
    assert rig.bus.press(WINDOW, 6, "confirm")  # 弃号 as one frame, FF 68 04 04 68 03 10 06 0F 28 16
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "no_show" and d["number"] == "B001")
    keys(rig, bridge, "call")
    called(hall, "B002")
    keys(rig, bridge, "0", "confirm")  # 挂起 as two presses
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "held" and d["number"] == "B002")
    until(lambda: not bridge.client.requests.open_requests(), what="the hold answered")
    assert rig.bus.press(WINDOW, 3, 0, 0, 1, "confirm")  # 回呼 of …001 in one frame: every digit is read
    hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d["action"] == "call_back" and d["ok"]
                  and d["result"]["ticket"]["number"] == "B001")
    assert [c["number"] for c in commands(hall, "call_back")] == ["B001"]


def test_frames_that_mean_nothing_beep_and_do_nothing(controller, rig, bridge, hall):
    issue(controller, "social", 2)
    login_on_keypad(rig)
    keys(rig, bridge, "call")
    called(hall, "B001")
    until(lambda: not bridge.client.requests.open_requests(), what="the call answered")
    beeps = rig.bus.beeps[WINDOW]
    for n, frame in enumerate(([ff68.KEY_LINE], [6, "call"], [6, "confirm", "call"], [0x1F], ["confirm"]), 1):
        assert rig.bus.press(WINDOW, *frame)  # 一米线; a digit before 呼叫; a key after 确认; no such key; 确认 alone
        rig.bus.wait_for(lambda: rig.bus.beeps[WINDOW] == beeps + n, what=f"one beep for {frame}")
    counts = bridge.stats()["rs485"]
    assert counts["unknown_key"] == 4 and counts["bad_combination"] == 1
    assert {m.topic.rsplit("/", 1)[1] for m in hall.messages if "/cmd/bridge-virtual/" in m.topic} == \
        {"login", "call_next"}
    keys(rig, bridge, "call")  # B001 is still at the window until now: served, never set aside by a stray frame
    called(hall, "B002")
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "finished" and d["number"] == "B001")


def test_a_key_lost_while_a_command_is_in_flight_beeps(controller, rig, bridge, hall):
    issue(controller, "social", 2)
    login_on_keypad(rig)
    beeps = rig.bus.beeps[WINDOW]
    call, no_show = (ff68.encode(ff68.key_press(WINDOW, *k)) for k in ([ff68.KEY_CALL], [6, ff68.KEY_CONFIRM]))
    rig.bus.write(call + call + no_show)  # one read: the second and third frame come while 呼叫 is in flight
    called(hall, "B001")
    rig.bus.wait_for(lambda: rig.bus.beeps[WINDOW] == beeps + 1, what="one beep: 6+确认 was not taken")
    assert bridge.stats()["rs485"]["busy"] == 2 and commands(hall, "no_show") == []
    until(lambda: not bridge.client.requests.open_requests(), what="the call answered")
    assert rig.bus.press(WINDOW, 6, "confirm")  # pressed again: taken
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "no_show" and d["number"] == "B001")


def test_a_wrong_pin_is_refused_with_a_beep(controller, rig, bridge, hall):
    beeps = rig.bus.beeps[WINDOW]
    rig.bus.type(WINDOW, "1003", "confirm")
    rig.bus.wait_display(WINDOW, lambda text: text == "___ ___")
    rig.bus.type(WINDOW, "99")
    rig.bus.wait_display(WINDOW, lambda text: text == "___ _88")  # a PIN is never shown
    rig.bus.press(WINDOW, "confirm")
    hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d["action"] == "login" and not d["ok"])
    rig.bus.wait_for(lambda: rig.bus.beeps[WINDOW] > beeps, what="a beep for a wrong PIN")


def test_the_display_follows_changes_made_by_other_devices(controller, rig, bridge, hall):
    app = staffed_window(controller, WINDOW)  # the window's touch app, not the keypad
    issue(controller, "social", 3)
    rig.bus.wait_display(WINDOW, lambda text: text == "003 ___")
    assert app.request("call_next")["ok"]
    rig.bus.wait_display(WINDOW, lambda text: text == "002 001")
    rig.screens.wait_text(WINDOW, lambda text: text == "B001 请到3号窗口")
    issue(controller, "general", 1)  # window 3 helps `general` too (secondary): it counts
    rig.bus.wait_display(WINDOW, lambda text: text == "003 001")
    assert app.request("finish")["ok"]
    rig.bus.wait_display(WINDOW, lambda text: text == "003 ___")


def test_the_evaluator_rates_the_ticket_just_served_once(controller, rig, bridge, hall):
    issue(controller, "social", 2)
    login_on_keypad(rig)
    keys(rig, bridge, "call")
    called(hall, "B001")
    keys(rig, bridge, "rate")  # 评价: invite the citizen to rate
    hall.wait_for(lambda t, d: t.endswith("/event/rating") and d["number"] == "B001")
    until(lambda: bridge.hall.rating_target(WINDOW), what="the bridge heard the invitation")
    assert rig.bus.rate(EVALUATOR, 2)  # 满意 → level 4
    assert rig.bus.rate(EVALUATOR, 1)  # pressed again: acknowledged, not sent
    rate = hall.wait_for(lambda t, d: t.endswith("/cmd/bridge-virtual/rate"))[1]
    assert rate["window"] == WINDOW and rate["level"] == 4 and rate["ticket_id"].endswith("B001")
    assert set(rate) == {"id", "window", "ticket_id", "level"}
    hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d["action"] == "rate")
    keys(rig, bridge, "call")  # finishes B001, calls B002
    called(hall, "B002")
    assert rig.bus.rate(EVALUATOR, 4)  # 不满意, for B001 which is rated already: nothing goes out
    until(lambda: bridge.stats()["rs485"].get("already_rated") == 2, what="two repeated ratings")
    assert len(commands(hall, "rate")) == 1


def test_a_poor_rating_carries_the_evaluator_reason(controller, rig, bridge, hall):
    issue(controller, "social", 1)
    login_on_keypad(rig)
    keys(rig, bridge, "call")
    called(hall, "B001")
    keys(rig, bridge, "call")  # nobody else: B001 is finished, the queue is empty
    hall.wait_for(lambda t, d: t.endswith("/event/ticket") and d["kind"] == "finished" and d["number"] == "B001")
    until(lambda: bridge.hall.rating_target(WINDOW), what="the bridge heard B001 finished")
    assert rig.bus.rate(EVALUATOR, 4)
    rate = hall.wait_for(lambda t, d: t.endswith("/cmd/bridge-virtual/rate"))[1]
    assert rate["level"] == 2 and rate["reasons"] in (["evaluator"], ["评价器差评 evaluator"])
    reply = hall.wait_for(lambda t, d: t.endswith("/reply/bridge-virtual") and d["action"] == "rate")[1]
    if not reply["ok"]:  # a controller without `rate` yet: a logged, counted refusal, nothing else
        until(lambda: bridge.stats()["rs485"].get("rating_refused") == 1, what="the refusal counted")

"""PIN guessing is bounded (issue 9, item 6): wrong PINs for a staff number or at a window lock it for
`pin_lock.lock_s`, a locked login is refused at once without a PBKDF2, the lock raises `event/alert`
and survives a restart. Tables over the pure engine with the time passed in, then one attack over the
real broker under the shipped ACL."""
from __future__ import annotations

import time

import pytest

from config.schema import ConfigError
from controller import pins, publish
from controller.pins import PinGuard
from testbed.controller import PIN, RunningController
from tests.support.deploy import connect, hall_broker, password  # noqa: F401  (the module's broker with hall.acl)
from tests.support.engine import PIN as ENGINE_PIN
from tests.support.engine import T0, Hall, make_config
from tests.support.hall import HallClock, Inbox, ok, refused

CONFIG = make_config({"pin_lock": {"max_wrong": 3, "lock_s": 60}})
W = "wrong"

# (seconds after T0, window, staff id, PIN or W, the reply: "ok" or an error code)
CASES = {
    "three wrong PINs for a staff number lock it, at whichever windows they were tried": [
        (0, 1, "s1", W, "forbidden"), (1, 2, "s1", W, "forbidden"), (2, 1, "s1", W, "locked"),
        (3, 2, "s1", ENGINE_PIN, "locked"),  # the right PIN too, at another window
        (4, 1, "s2", ENGINE_PIN, "ok"),  # window 1 saw two wrong PINs only
    ],
    "a window locks whatever staff numbers are tried at it, real or not": [
        (0, 1, "s1", W, "forbidden"), (1, 1, "s2", W, "forbidden"), (2, 1, "nobody", W, "locked"),
        (3, 1, "s2", ENGINE_PIN, "locked"),
        (4, 2, "s1", ENGINE_PIN, "ok"),  # s1 had one wrong PIN, at another window
    ],
    "a right PIN starts the count again for its staff number and its window": [
        (0, 1, "s1", W, "forbidden"), (1, 1, "s1", W, "forbidden"), (2, 1, "s1", ENGINE_PIN, "ok"),
        (3, 1, "s1", W, "forbidden"), (4, 1, "s1", W, "forbidden"), (5, 1, "s1", ENGINE_PIN, "ok"),
    ],
    "the lock ends lock_s after the last wrong PIN, and the count starts from nothing": [
        (0, 1, "s1", W, "forbidden"), (1, 1, "s1", W, "forbidden"), (2, 1, "s1", W, "locked"),
        (61, 1, "s1", ENGINE_PIN, "locked"), (62, 1, "s1", W, "forbidden"), (63, 1, "s1", ENGINE_PIN, "ok"),
    ],
    "a locked login is not counted: the lock does not grow while it is tried": [
        (0, 3, "s3", W, "forbidden"), (1, 3, "s3", W, "forbidden"), (2, 3, "s3", W, "locked"),
        (30, 3, "s3", W, "locked"), (59, 3, "s3", W, "locked"), (62, 3, "s3", ENGINE_PIN, "ok"),
    ],
}


@pytest.mark.parametrize("name", CASES)
def test_pin_lock_table(name):
    hall = Hall(CONFIG)
    for at, window, staff, pin, expect in CASES[name]:
        hall.now = T0 + at
        out = hall.do("login", window, staff_id=staff, pin="0000" if pin == W else pin)
        got = "ok" if out.error is None else out.error.code
        assert got == expect, (name, at, window, staff, out.error)


def test_a_flood_of_wrong_pins_hashes_only_until_the_lock(monkeypatch):
    checked = []
    real = pins.check_pin
    monkeypatch.setattr(pins, "check_pin", lambda pin, stored: checked.append(pin) or real(pin, stored))
    hall = Hall(CONFIG)
    codes = [hall.do("login", 1, staff_id="s1", pin=f"{n:04d}").error.code for n in range(300)]
    assert codes[:3] == ["forbidden", "forbidden", "locked"] and set(codes[3:]) == {"locked"}
    assert len(checked) == 3  # 297 refusals without a PBKDF2: the loop is not held up


def test_the_lock_is_recorded_and_raises_an_alert_in_the_halls_time():
    hall = Hall(CONFIG)
    outs = [hall.do("login", 2, staff_id="s2", pin="0000") for _ in range(3)]
    assert not outs[0].rows and not outs[0].events
    error = outs[2].error
    assert error.code == "locked" and "08:01" in error.message and "08:01" in error.message_zh
    assert sorted(outs[2].rows["pin_locks"]) == ["staff:s2", "window:2"]
    assert outs[2].rows["pin_locks"]["staff:s2"]["until"] == T0 + 60
    alerts = [payload for event in outs[2].events for kind, payload in publish.event_messages(event) if kind == "alert"]
    assert {a["lock"] for a in alerts} == {"staff", "window"}
    staff_alert = next(a for a in alerts if a["lock"] == "staff")
    assert staff_alert["kind"] == "pin_locked" and staff_alert["level"] == "red" and staff_alert["staff_id"] == "s2"
    assert staff_alert["text"]["zh"] == "工号s2密码连续错误3次（2号窗口），已锁定至08:01"
    assert staff_alert["text"]["en"] == "3 wrong PINs in a row for staff s2 (window 2): locked until 08:01"


def test_stored_locks_come_back_only_while_they_run():
    guard = PinGuard()
    guard.restore([{"key": "staff:s1", "until": T0 + 30}, {"key": "window:4", "until": T0 - 1}])
    assert guard.locked_until(["window:1", "staff:s1"], T0) == T0 + 30
    assert guard.locked_until(["window:4"], T0) is None
    assert guard.locked_until(["staff:s1"], T0 + 30) is None


@pytest.mark.parametrize("rules, where", [({"max_wrong": 0}, "pin_lock.max_wrong"),
                                          ({"lock_s": 5}, "pin_lock.lock_s"),
                                          ({"lock_s": 100_000}, "pin_lock.lock_s"),
                                          ({"tries": 3}, "pin_lock.tries")])
def test_the_pin_lock_config_is_strict(rules, where):
    with pytest.raises(ConfigError) as caught:
        make_config({"pin_lock": rules})
    assert where in str(caught.value)


def test_guessing_over_the_wire_locks_alerts_and_stays_locked_across_a_restart(hall_broker, hall_raw,  # noqa: F811
                                                                                 tmp_path):
    hall_raw["pin_lock"] = {"max_wrong": 3, "lock_s": 60}
    clock = HallClock(time.time())
    logins = {"password_of": lambda device: password(hall_broker, device)}
    running = RunningController(hall_raw, tmp_path / "hall.db", hall_broker, clock=clock, **logins)
    staff = next(sid for sid, s in sorted(running.config.staff.items()) if not s.windows or 3 in s.windows)
    alerts = Inbox()
    admin = connect(hall_broker, "admin-ops", deliver=alerts, watch=(f"qms/{running.hall}/event/alert",),
                    hall=running.hall)
    window = connect(hall_broker, "window-3", hall=running.hall)
    try:
        assert window.wait_for_controller(10)
        for guess in ("0000", "1111"):
            refused(window.request("login", {"staff_id": staff, "pin": guess}), "forbidden")
        error = refused(window.request("login", {"staff_id": staff, "pin": "2222"}), "locked")
        assert "locked until" in error["message"] and "后再试" in error["message_zh"]
        _, alert = alerts.wait_for(lambda t, d: d["kind"] == "pin_locked" and d["lock"] == "staff")
        assert alert["staff_id"] == staff and alert["device"] == "window-3" and alert["window"] == 3
        refused(window.request("login", {"staff_id": staff, "pin": PIN}), "locked")  # the right PIN: still locked

        running.stop()
        running = RunningController(hall_raw, tmp_path / "hall.db", hall_broker, clock=clock, **logins)
        assert window.wait_for_controller(10)
        refused(window.request("login", {"staff_id": staff, "pin": PIN}), "locked")  # a restart lifts nothing
        clock.now += 61
        assert ok(window.request("login", {"staff_id": staff, "pin": PIN}))["staff_id"] == staff
    finally:
        for client in (admin, window):
            client.stop()
        running.stop()

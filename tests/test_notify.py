"""Messages to a booking's applicant (controller/notify.py): the texts; the webhook backend against a real
local HTTP server — retried with back-off, dropped after its tries, never blocking; and over the wire,
the confirmation, the reminder and the no-show notice a real controller sends to its log backend, and a
hanging gateway that does not hold the controller up."""
from __future__ import annotations

import json
import time

from controller import appointments, notify
from controller.model import Event
from testbed.controller import RunningController
from tests.support.booking import demo_config, hall_hours, local
from tests.support.hall import HallClock, ok
from tests.support.notify import gateway_factory  # noqa: F401 (a fixture)

CONFIG = demo_config()


def row(**changes) -> dict:
    booked = appointments.booking("YYABCD2345", "social", "B02", local("2026-03-03 17:30"), local("2026-03-03 18:00"),
                                  "王小明", "13812345678", local("2026-03-02 09:00"))
    return {**booked, **changes}


def test_the_three_notices_in_both_languages():
    events = [Event(kind, local("2026-03-02 09:00"), "controller", data={"code": "YYABCD2345"})
              for kind in ("appointment_booked", "appointment_reminded", "appointment_no_show", "appointment_cancelled")]
    events.append(Event("appointment_booked", 0, "x", data={"code": "YYNOPHONE"}))   # no phone: nobody to tell
    bookings = {"YYABCD2345": row(), "YYNOPHONE": row(code="YYNOPHONE", phone=None)}
    confirmation, reminder, missed = notify.notices(CONFIG, events, bookings)
    assert [n.kind for n in (confirmation, reminder, missed)] == ["confirmation", "reminder", "no_show"]
    assert confirmation.phone == "13812345678" and confirmation.code == "YYABCD2345"
    name = CONFIG.items["B02"].name
    assert name.zh in confirmation.text["zh"] and "03月03日 17:30-18:00" in confirmation.text["zh"]
    assert name.en in confirmation.text["en"] and "03 Mar 17:30-18:00" in confirmation.text["en"]
    assert CONFIG.items["B02"].guide.materials[0].name.zh in confirmation.text["zh"], "一次性告知: what to bring"
    assert "提醒" in reminder.text["zh"] and "Reminder" in reminder.text["en"]
    assert "失约" in missed.text["zh"] and "365天" in missed.text["zh"] and "walk-in" in missed.text["en"]


def test_the_webhook_is_retried_with_back_off_and_never_blocks(gateway_factory):
    gateway = gateway_factory(statuses=(500, 503, 200))
    pauses = []
    sender = notify.WebhookNotifier(gateway.url, retries=3, backoff_s=0.01, sleep=lambda s: (pauses.append(s),
                                                                                              time.sleep(s)))
    [notice] = notify.notices(CONFIG, [Event("appointment_booked", 0, "k", data={"code": "YYABCD2345"})],
                              {"YYABCD2345": row()})
    sender.send([notice])
    assert gateway.answered.wait(5)
    deadline = time.monotonic() + 5
    while sender.sent < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert len(gateway.received) == 3 and gateway.received[0]["phone"] == "13812345678"
    assert gateway.received[0]["kind"] == "confirmation" and gateway.received[0]["text"]["zh"]
    assert pauses == [0.01, 0.02], "the back-off doubles"
    sender.stop()

    down = gateway_factory(statuses=(500,))
    dropping = notify.WebhookNotifier(down.url, retries=2, backoff_s=0.01)
    dropping.send([notice])
    deadline = time.monotonic() + 5
    while dropping.failed < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert len(down.received) == 3 and dropping.sent == 0, "tried 1 + retries times, then dropped"
    dropping.stop()

    slow = gateway_factory(delay_s=2.0)
    waiting = notify.WebhookNotifier(slow.url, retries=0)
    started = time.perf_counter()
    waiting.send([notice] * 3)
    assert time.perf_counter() - started < 0.05, "send only queues"
    waiting.stop()


def test_a_controller_confirms_reminds_and_tells_of_a_no_show(broker, hall_raw, tmp_path):
    notices = tmp_path / "notices.log"
    hall_raw["appointments"]["notify"] = {"backend": "log", "log_path": str(notices), "reminder_minutes": 120}
    clock = HallClock(local("2026-03-02 09:00"))
    running = RunningController(hall_hours(hall_raw), tmp_path / "hall.db", broker, clock=clock)
    try:
        kiosk = running.device("kiosk-K1")
        code = ok(kiosk.request("book_appointment", {"item": "B02", "slot_start": int(local("2026-03-03 17:30")),
                                                     "applicant": {"phone": "13812345678"},
                                                     "channel": "kiosk"}))["appointment"]["code"]

        def lines():
            return [json.loads(line) for line in notices.read_text(encoding="utf-8").splitlines()] \
                if notices.exists() else []

        def wait_for(kind):
            deadline = time.monotonic() + 15
            while kind not in [n["kind"] for n in lines()]:
                assert time.monotonic() < deadline, f"no {kind} notice"
                time.sleep(0.05)

        wait_for("confirmation")
        clock.now = local("2026-03-03 15:31")     # 119 minutes before the slot
        wait_for("reminder")
        clock.now = local("2026-03-03 18:16")     # the slot's end + 15 minutes' grace has passed
        wait_for("no_show")
        assert [(n["kind"], n["code"], n["phone"]) for n in lines()] == [
            ("confirmation", code, "13812345678"), ("reminder", code, "13812345678"), ("no_show", code, "13812345678")]
        kinds = [e["kind"] for e in running.store.ledger("kind LIKE 'appointment_%'")]
        assert kinds == ["appointment_booked", "appointment_reminded", "appointment_no_show"]
    finally:
        running.stop()


def test_a_hanging_gateway_does_not_hold_up_the_controller(broker, hall_raw, tmp_path, gateway_factory):
    gateway = gateway_factory(delay_s=3.0)
    hall_raw["appointments"]["notify"] = {"backend": "webhook", "url": gateway.url, "timeout_s": 10, "retries": 0}
    running = RunningController(hall_hours(hall_raw), tmp_path / "hall.db", broker,
                                clock=HallClock(local("2026-03-02 09:00")))
    try:
        kiosk = running.device("kiosk-K1")
        for n in range(3):
            started = time.perf_counter()
            ok(kiosk.request("book_appointment", {"category": "tax", "slot_start": int(local("2026-03-03 10:00")),
                                                  "applicant": {"phone": f"1390000000{n}"}, "channel": "kiosk"}))
            assert time.perf_counter() - started < 2.0, "the reply did not wait for the gateway"
        deadline = time.monotonic() + 10
        while not gateway.received:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert gateway.received[0]["kind"] == "confirmation"
    finally:
        running.stop()


def test_where_notices_go_is_not_in_the_public_config():
    from config.loader import public

    config = demo_config(notify={"backend": "webhook", "url": "https://sms.example/send?token=SECRET"})
    shown = public(config)
    assert "notify" not in shown["appointments"] and "SECRET" not in json.dumps(shown)
    assert shown["appointments"]["off_hours"]["items"] == ["A02", "B02", "E05", "F01"]

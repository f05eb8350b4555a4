"""线上取号 (controller/remote.py, controller/remote_tickets.py) on an engine and a real SQLite store, time
passed in: the config's checks, the code derived and never stored, resend and tries, the caps per phone
and per category, one ticket per challenge, the no-show bar, and the SMS notice of the code."""
from __future__ import annotations

import json

import pytest

from config.loader import load, public
from pydantic import ValidationError

from config.schema import ConfigError, validate
from contract.errors import CommandError
from contract.messages import ACTIONS
from controller import notify, remote
from controller.rights import acting_window
from controller.model import Event
from testbed.controller import DEMO_CONFIG
from tests.support.booking import BookingHall, local

PHONE = "13912345678"


def raw_config(**section) -> dict:
    config, _ = load(DEMO_CONFIG)
    raw = config.model_dump(mode="json")
    raw["ticketing_hours"] = [["08:30", "17:00"]]
    raw["appointments"]["notify"] = {"backend": "log", "log_path": "notices.log"}
    raw["remote_ticket"] = {"enabled": True, "categories": {"social": {}, "tax": {"daily_cap": 2}},
                            "code": {"length": 6, "valid_s": 300, "resend_s": 60, "max_tries": 3, "sends_per_day": 4},
                            "no_show": {"no_shows": 2, "period_days": 30, "bar_days": 7}, **section}
    return raw


@pytest.fixture
def hall(tmp_path):
    running = BookingHall(tmp_path / "hall.db", validate(raw_config()), local("2026-03-02 09:00"))
    yield running
    running.close()


def code_of(hall, challenge_id: str) -> str:
    return remote.code_of(hall.engine.secret, challenge_id, 6)


def take(hall, phone: str = PHONE, category: str = "social") -> dict:
    challenge = hall.ok("web-W1", "remote_code", phone=phone, category=category)
    return hall.ok("web-W1", "remote_ticket", challenge_id=challenge["challenge_id"],
                   code=code_of(hall, challenge["challenge_id"]))["ticket"]


# --- the config ---------------------------------------------------------------------------------------


def test_off_by_default_and_refused_without_a_notifier_or_a_category():
    config, _ = load(DEMO_CONFIG)
    assert config.remote_ticket.enabled is False and not config.remote_ticket.offered("social")
    raw = raw_config()
    raw["appointments"]["notify"] = {"backend": "none"}
    with pytest.raises(ConfigError) as refused:
        validate(raw)
    assert refused.value.key == "remote_ticket.enabled" and "notifier" in refused.value.message
    with pytest.raises(ConfigError) as refused:
        validate(raw_config(categories={"nope": {}}))
    assert refused.value.key == "remote_ticket.categories.nope"
    with pytest.raises(ConfigError) as refused:
        validate(raw_config(categories={"social": {"enabled": False}}))
    assert refused.value.key == "remote_ticket.categories"
    with pytest.raises(ConfigError):
        validate(raw_config(per_phone_per_day=0))
    with pytest.raises(ConfigError):
        validate(raw_config(code={"valid_s": 60, "resend_s": 60}))
    with pytest.raises(ConfigError):
        validate(raw_config(surprise=True))
    shown = public(validate(raw_config()))["remote_ticket"]
    assert shown["enabled"] and set(shown["categories"]) == {"social", "tax"}


# --- the rules, pure ------------------------------------------------------------------------------------


def test_the_code_is_derived_from_the_secret_and_the_challenge_only():
    one, other = remote.code_of(b"s" * 16, "RCAAAA", 6), remote.code_of(b"t" * 16, "RCAAAA", 6)
    assert len(one) == 6 and one.isdigit() and one != other
    assert remote.code_of(b"s" * 16, "RCAAAA", 6) == one and remote.code_of(b"s" * 16, "RCAAAB", 6) != one
    assert len(remote.code_of(b"s" * 16, "RCAAAA", 4)) == 4


def test_no_shows_within_the_period_bar_the_phone_and_are_spent_on_it():
    rule = validate(raw_config()).remote_ticket.no_show
    now = local("2026-03-20 09:00")
    rows = [{"ticket_id": "a", "status": "no_show", "at": local("2026-02-10 10:00")},   # outside 30 days
            {"ticket_id": "b", "status": "no_show", "at": local("2026-03-01 10:00")},
            {"ticket_id": "c", "status": "came_back", "at": local("2026-03-05 10:00")}]
    assert remote.bar_due(rows, None, now, rule, "k", PHONE, "Asia/Shanghai") is None
    rows.append({"ticket_id": "d", "status": "no_show", "at": local("2026-03-19 10:00")})
    bar = remote.bar_due(rows, None, now, rule, "k", PHONE, "Asia/Shanghai")
    assert bar["key"] == "remote:k" and json.loads(bar["no_shows"]) == ["b", "d"] and bar["phone"] == "139****5678"
    assert bar["until"] == local("2026-03-27 00:00") and remote.barred(bar, now)
    assert not remote.barred(bar, local("2026-03-27 00:00")) and not remote.barred({**bar, "lifted_at": now}, now)
    assert remote.bar_due(rows, bar, local("2026-03-28 09:00"), rule, "k", PHONE, "Asia/Shanghai") is None


# --- the actions --------------------------------------------------------------------------------------


def test_the_code_goes_to_the_phone_and_the_right_code_gives_one_ticket(hall):
    challenge = hall.ok("web-W1", "remote_code", phone=PHONE, category="social")
    assert challenge["sent"] and challenge["phone"] == "139****5678" and challenge["challenge_id"].startswith("RC")
    assert code_of(hall, challenge["challenge_id"]) not in json.dumps(challenge)
    stored = hall.store.record("remote_challenges", challenge["challenge_id"])
    assert stored["phone"] == PHONE and stored["status"] == "open" and stored["sends"] == 1
    raw = hall.store.db.execute("SELECT phone FROM remote_challenges").fetchone()[0]
    assert PHONE not in raw, "the phone is sealed at rest"
    got = hall.ok("web-W1", "remote_ticket", challenge_id=challenge["challenge_id"],
                  code=code_of(hall, challenge["challenge_id"]))
    ticket = got["ticket"]
    assert got["again"] is False and ticket["category"] == "social" and ticket["rating_token"]
    assert hall.engine.tickets[ticket["id"]].channel == "remote"
    again = hall.ok("web-W1", "remote_ticket", challenge_id=challenge["challenge_id"],
                    code=code_of(hall, challenge["challenge_id"]))
    assert again["again"] is True and again["ticket"]["id"] == ticket["id"]
    assert sum(1 for t in hall.engine.tickets.values() if t.channel == "remote") == 1
    assert [k for k in hall.events if k.startswith("remote_")] == ["remote_code_sent", "remote_ticket_taken"]
    ledger = json.dumps(hall.store.ledger("kind LIKE 'remote_%'"), ensure_ascii=False)
    assert PHONE not in ledger and code_of(hall, challenge["challenge_id"]) not in ledger


def test_asked_again_too_soon_it_is_the_same_challenge_then_sent_again(hall):
    first = hall.ok("web-W1", "remote_code", phone=PHONE, category="social")
    hall.now += 20
    soon = hall.ok("web-W1", "remote_code", phone=PHONE, category="social")
    assert soon["challenge_id"] == first["challenge_id"] and soon["sent"] is False and soon["resend_in"] == 40
    hall.now += 41
    later = hall.ok("web-W1", "remote_code", phone=PHONE, category="social")
    assert later["challenge_id"] == first["challenge_id"] and later["sent"] is True
    assert hall.store.record("remote_challenges", first["challenge_id"])["sends"] == 2
    for _ in range(2):
        hall.now += 61
        hall.ok("web-W1", "remote_code", phone=PHONE, category="social")
    hall.now += 61
    refused = hall.refused("closed", "web-W1", "remote_code", phone=PHONE, category="social")
    assert "验证码已达4次上限" in refused.message_zh


def test_wrong_codes_are_counted_and_lock_the_challenge(hall):
    challenge = hall.ok("web-W1", "remote_code", phone=PHONE, category="social")["challenge_id"]
    right = code_of(hall, challenge)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    assert "还可尝试2次" in hall.refused("forbidden", "web-W1", "remote_ticket", challenge_id=challenge, code=wrong).message_zh
    assert "还可尝试1次" in hall.refused("forbidden", "web-W1", "remote_ticket", challenge_id=challenge, code=wrong).message_zh
    hall.refused("locked", "web-W1", "remote_ticket", challenge_id=challenge, code=wrong)
    assert hall.store.record("remote_challenges", challenge)["status"] == "locked"
    hall.refused("locked", "web-W1", "remote_ticket", challenge_id=challenge, code=right)  # committed: a restart keeps it
    assert not any(t.channel == "remote" for t in hall.engine.tickets.values())
    assert "remote_code_locked" in hall.events
    hall.now += 301
    expired = hall.ok("web-W1", "remote_code", phone=PHONE, category="social")["challenge_id"]
    assert expired != challenge
    hall.now += 301
    hall.refused("invalid_state", "web-W1", "remote_ticket", challenge_id=expired, code=code_of(hall, expired))
    hall.refused("not_found", "web-W1", "remote_ticket", challenge_id="RC" + "A" * 16, code="123456")


def test_the_caps_per_phone_and_per_category_and_what_is_not_offered(hall):
    take(hall)
    refused = hall.refused("closed", "web-W1", "remote_code", phone=PHONE, category="tax")
    assert "今日线上取号已达1次上限" in refused.message_zh
    take(hall, "13900000001", "tax")
    take(hall, "13900000002", "tax")
    refused = hall.refused("closed", "web-W1", "remote_code", phone="13900000003", category="tax")
    assert "线上号源已取完" in refused.message_zh
    assert "暂不提供线上取号" in hall.refused("closed", "web-W1", "remote_code", phone="13900000003",
                                             category="estate").message_zh
    hall.refused("not_found", "web-W1", "remote_code", phone="13900000003", category="nope")
    for bad in ({"phone": "1234", "category": "social"}, {"phone": PHONE, "category": "social", "x": 1}):
        with pytest.raises(ValidationError):
            ACTIONS["remote_code"][1].model_validate({"id": "r", **bad})
    with pytest.raises(CommandError):  # only the web tier's login sends it
        acting_window("kiosk-K1", ACTIONS["remote_code"][0], None, "remote_code")
    hall.now = local("2026-03-02 17:30")
    assert "不在取号时间" in hall.refused("closed", "web-W1", "remote_code", phone="13900000004",
                                          category="social").message_zh
    hall.now = local("2026-03-03 09:00")  # a new service day: the phone may again
    take(hall)


def test_remote_no_shows_bar_the_phone_and_a_call_back_does_not_count(hall):
    from testbed.controller import PIN

    staff = next(sid for sid, p in hall.config.staff.items() if not p.windows or 2 in p.windows)
    for day, came_back in (("2026-03-02", True), ("2026-03-03", False), ("2026-03-04", False)):
        hall.now = local(f"{day} 09:00")
        hall.ok("window-2", "login", staff_id=staff, pin=PIN)  # the day's close logged the window out
        ticket = take(hall)
        called = hall.ok("window-2", "call_specific", number=ticket["number"])
        assert called["ticket"]["id"] == ticket["id"]
        hall.ok("window-2", "no_show")
        if came_back:
            hall.ok("window-2", "call_back", number=ticket["number"])
            hall.ok("window-2", "finish")
    rows = hall.store.remote_no_shows(remote.phone_key(PHONE, hall.engine.secret), 0)
    assert [r["status"] for r in rows] == ["came_back", "no_show", "no_show"]
    hall.now = local("2026-03-05 09:00")
    refused = hall.refused("blacklisted", "web-W1", "remote_code", phone=PHONE, category="social")
    assert "2026年03月12日前暂停线上取号" in refused.message_zh
    bars = hall.ok("admin-A1", "appointments")["blacklist"]
    assert [b["person"].startswith("remote:") for b in bars] == [True] and bars[0]["phone"] == "139****5678"
    take(hall, "13900000009")  # another phone is not barred
    hall.ok("admin-A1", "appointment_unbar", person=bars[0]["person"], reason="本人来电说明")
    take(hall)


def test_the_code_is_sent_to_the_phone_in_both_languages(hall):
    challenge = hall.ok("web-W1", "remote_code", phone=PHONE, category="social")
    row = hall.store.record("remote_challenges", challenge["challenge_id"])
    events = [Event("remote_code_sent", hall.now, "web-W1", data={"challenge_id": row["id"]}),
              Event("appointment_booked", hall.now, "web-W1", data={"code": "YYX"})]
    (notice,) = notify.remote_notices(hall.config, events, {row["id"]: row}, hall.engine.secret)
    code = code_of(hall, row["id"])
    assert notice.kind == "remote_code" and notice.phone == PHONE and notice.code == code
    assert code in notice.text["zh"] and "5分钟内有效" in notice.text["zh"] and "社保" in notice.text["zh"]
    assert code in notice.text["en"] and "5 min" in notice.text["en"]


def test_a_category_refusing_tickets_while_unserved_sends_no_code(tmp_path):
    raw = raw_config()
    raw["categories"]["social"]["when_unserved"] = "refuse"
    hall = BookingHall(tmp_path / "refuse.db", validate(raw), local("2026-03-02 09:00"))
    try:
        refused = hall.refused("closed", "web-W1", "remote_code", phone=PHONE, category="social")
        assert "暂无窗口办理该业务" in refused.message_zh and "remote_code_sent" not in hall.events
    finally:
        hall.close()

"""A citizen's data at rest, as someone holding a copy of the controller's files would look at it.

The real controller (`main.py controller`, its own process) on a real broker and real SQLite files:
the raw bytes of hall.db and hall.db-wal hold no phone number, every file is its owner's only, a
missing or wrong data key stops the controller at start with what is wrong, and a key rotation
leaves every phone readable with the new key only.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from config.schema import ConfigError, validate
from contract.client import HallClient
from controller.change import Outcome
from controller.datakey import DataKey, DataKeyError
from controller.model import Event
from controller.store import Batch, Store
from testbed.controller import PIN, ROOT, RunningController, staffed_window
from testbed.processes import stop_process
from tests.support.hall import HallClock, at, ok
from tests.support.live import start_controller

PHONE, BOOKED = "13812345678", "13900001111"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def raw_bytes(db) -> bytes:
    return b"".join(open(f"{db}{suffix}", "rb").read() for suffix in ("", "-wal") if os.path.exists(f"{db}{suffix}"))


def main_py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


class Hall:
    """The controller process and the devices a day needs."""

    def __init__(self, hall_raw: dict, tmp_path, port: int):
        self.raw, self.port, self.db = hall_raw, port, tmp_path / "hall.db"
        self.config_path = tmp_path / "hall.yaml"
        self.config_path.write_text(yaml.safe_dump(hall_raw, allow_unicode=True), encoding="utf-8")
        self.process, self.devices = None, []

    def start(self) -> "Hall":
        self.process = start_controller(self.config_path, self.db, self.port)
        return self

    def device(self, name: str) -> HallClient:
        client = HallClient(name, self.raw["hall"], "127.0.0.1", self.port)
        client.listen_for_replies()
        assert client.start(wait=10) and client.wait_for_controller(15), f"{name} did not reach the controller"
        self.devices.append(client)
        return client

    def stop(self) -> None:
        for client in self.devices:
            client.stop()
        self.devices = []
        stop_process(self.process)


def a_day_with_phones(hall: Hall) -> None:
    """A citizen registered by phone is served and files a 差评 (a follow-up keeps the phone); a
    booking made with a phone is checked in (the appointment, its ticket and the ledger keep it)."""
    config = validate(hall.raw)
    kiosk, window, admin = hall.device("kiosk-K1"), hall.device("window-3"), hall.device("admin-ops")
    staff = next(sid for sid, s in sorted(config.staff.items()) if not s.windows or 3 in s.windows)
    ok(window.request("login", {"staff_id": staff, "pin": PIN}))
    ticket = ok(kiosk.request("issue_ticket", {"category": "social",
                                               "applicant": {"name": "王小明", "phone": PHONE}}))["ticket"]
    assert ok(window.request("call_next"))["ticket"]["id"] == ticket["id"]
    ok(window.request("finish"))
    ok(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 1, "reasons": ["slow"]}))
    now = datetime.now(ZoneInfo(config.timezone)).replace(second=0, microsecond=0)
    ok(admin.request("appointment_add", {"code": "YY0001", "item": "B01", "applicant_name": "赵六", "phone": BOOKED,
                                         "slot_start": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                                         "slot_end": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}))
    ok(kiosk.request("check_in", {"appointment_code": "YY0001"}))
    [followup] = ok(admin.request("followups", {"status": "open"}))["followups"]
    assert followup["phone"] == "138****5678", "what staff see is opened from the sealed value and masked"


def test_the_files_hold_no_phone_and_only_their_owner_reads_them(broker, hall_raw, tmp_path):
    hall = Hall(hall_raw, tmp_path, broker.port).start()
    try:
        a_day_with_phones(hall)
        raw = raw_bytes(hall.db)  # the controller still running: the day is in the -wal file
        assert os.path.exists(f"{hall.db}-wal") and len(raw) > 10_000
        for phone in (PHONE, BOOKED):
            assert phone.encode() not in raw and phone[3:].encode() not in raw
        for suffix in ("", "-wal", "-shm", ".key"):
            assert mode(f"{hall.db}{suffix}") == 0o600, suffix
    finally:
        hall.stop()
    assert PHONE.encode() not in raw_bytes(hall.db)

    store = Store(str(hall.db))  # with the key beside it: the phones open again where they were kept
    try:
        [followup] = store.followups()
        assert followup["phone"] == PHONE
        assert store.record("appointments", "YY0001")["phone"] == BOOKED
        issued = {row["after"]["applicant_phone"] for row in store.ledger("kind = 'ticket_issued'")}
        assert issued == {PHONE, BOOKED}
        assert {t.applicant_phone for t in store.load_tickets(followup["day"])} == {PHONE, BOOKED}
    finally:
        store.close()


def test_a_missing_open_or_wrong_key_stops_the_controller_at_start(broker, hall_raw, tmp_path):
    hall = Hall(hall_raw, tmp_path, broker.port).start()
    try:
        a_day_with_phones(hall)
    finally:
        hall.stop()
    key = f"{hall.db}.key"
    run = ("controller", "--config", str(hall.config_path), "--db", str(hall.db), "--broker", f"127.0.0.1:{broker.port}")

    os.chmod(key, 0o644)
    done = main_py(*run)
    assert done.returncode != 0 and "readable by others" in done.stderr and "chmod 600" in done.stderr
    os.chmod(key, 0o600)

    os.rename(key, f"{key}.away")
    done = main_py(*run)
    assert done.returncode != 0 and "is missing" in done.stderr and "Traceback" not in done.stderr
    assert not os.path.exists(key), "an existing store never gets a new key by itself"

    other = tmp_path / "other.key"
    DataKey.make(str(other))
    done = main_py(*run, "--data-key", str(other))
    assert done.returncode != 0 and "is not the key of" in done.stderr and "Traceback" not in done.stderr
    os.rename(f"{key}.away", key)


def test_rotating_the_key_keeps_every_phone_readable_with_the_new_key_only(broker, hall_raw, tmp_path):
    hall = Hall(hall_raw, tmp_path, broker.port).start()
    try:
        a_day_with_phones(hall)
        busy = main_py("controller", "rotate-key", "--db", str(hall.db))
        assert busy.returncode != 0 and "in use" in busy.stderr, "never beside a running controller"
    finally:
        hall.stop()
    key = f"{hall.db}.key"
    old = tmp_path / "old.key"
    old.write_bytes(open(key, "rb").read())
    os.chmod(old, 0o600)

    done = main_py("controller", "rotate-key", "--db", str(hall.db))
    assert done.returncode == 0, done.stderr
    assert "sealed with it" in done.stdout and mode(key) == 0o600
    assert open(key, "rb").read() != old.read_bytes() and len(open(key, "rb").read().split()) == 1

    with pytest.raises(DataKeyError):
        Store(str(hall.db), data_key=str(old))
    store = Store(str(hall.db))
    try:
        assert store.followups()[0]["phone"] == PHONE and store.record("appointments", "YY0001")["phone"] == BOOKED
        assert {row["after"]["applicant_phone"] for row in store.ledger("kind = 'ticket_issued'")} == {PHONE, BOOKED}
    finally:
        store.close()
    assert PHONE.encode() not in raw_bytes(hall.db)

    hall.start()  # and the controller serves on with the new key
    try:
        admin = hall.device("admin-ops")
        assert ok(admin.request("followups", {}))["followups"][0]["phone"] == "138****5678"
    finally:
        hall.stop()


def test_id_numbers_are_hashed_only_with_a_secret_salt_made_at_set_up(tmp_path, monkeypatch):
    from contract.privacy import hash_id_number, make_salt, read_salt
    from kiosk.cli import id_salt

    with pytest.raises(ValueError):
        hash_id_number("11010519491231002X", b"qms-id:hall")  # the old public default
    assert id_salt(None) is None, "a kiosk without the salt file has no salt, not a guessable one"
    salt = tmp_path / "id-salt"
    assert make_salt(str(salt)) and not make_salt(str(salt)), "made once, never overwritten"
    assert mode(salt) == 0o600 and len(read_salt(str(salt))) == 64
    short = tmp_path / "short"
    short.write_bytes(b"hall")
    with pytest.raises(SystemExit, match="at least 16"):
        id_salt(str(short))


def test_the_set_up_makes_each_secret_once_and_owner_only(tmp_path):
    env = {**os.environ, "QMS_SECRETS_DIR": str(tmp_path / "secrets"), "QMS_USER": str(os.getuid()),
           "QMS_PYTHON": sys.executable}
    first = subprocess.run(["bash", str(ROOT / "scripts/make-hall-secrets.sh")], env=env, capture_output=True,
                           text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    key, salt = tmp_path / "secrets/data.key", tmp_path / "secrets/id-salt"
    assert mode(key) == mode(salt) == 0o600
    made = key.read_bytes(), salt.read_bytes()
    DataKey.load(str(key))
    again = subprocess.run(["bash", str(ROOT / "scripts/make-hall-secrets.sh")], env=env, capture_output=True,
                           text=True, timeout=60)
    assert again.returncode == 0 and "kept" in again.stdout and (key.read_bytes(), salt.read_bytes()) == made


# --- retention: `privacy.retention_days` -------------------------------------------------------------

OPEN_PHONE = "13700002222"


def forgotten_after(store, predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the retention pass never came"
        time.sleep(0.1)


def test_personal_data_is_forgotten_after_the_retention_days_and_the_ledger_keeps_its_rows(broker, hall_raw,
                                                                                       tmp_path):
    hall_raw["privacy"] = {"retention_days": 2}
    clock = HallClock(at("10:00", "2026-11-23"))
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    try:
        kiosk, admin = running.device("kiosk-K1"), running.device("admin-ops")
        window = staffed_window(running, 3)
        tokens = []
        for phone in (PHONE, OPEN_PHONE):
            ticket = ok(kiosk.request("issue_ticket", {"category": "social",
                                                       "applicant": {"name": "王小明", "phone": phone}}))["ticket"]
            ok(window.request("call_next"))
            ok(window.request("finish"))
            ok(kiosk.request("rate", {"rating_token": ticket["rating_token"], "level": 1, "reasons": ["slow"]}))
            tokens.append(ticket["id"])
        closed = f"FU-{tokens[0]}"
        ok(admin.request("followup_update", {"followup_id": closed, "status": "visited", "note": "回访"}))
        ok(admin.request("followup_update", {"followup_id": closed, "status": "closed", "note": "已整改",
                                             "verdict": "satisfied"}))
        ok(admin.request("appointment_add", {"code": "YY0001", "category": "tax", "applicant_name": "赵六",
                                             "phone": BOOKED, "slot_start": "2026-11-23T11:00",
                                             "slot_end": "2026-11-23T12:00"}))
        ok(admin.request("progress_set", {"application_no": "SQ2026001", "item": "C01", "status": "submitted",
                                          "applicant_name": "李明光"}))
        store = running.store
        first_day = store.ledger("day = '2026-11-23'")
        assert {r["after"]["applicant_phone"] for r in first_day if r["kind"] == "ticket_issued"} == {PHONE, OPEN_PHONE}

        clock.now = at("10:00", "2026-11-24")  # a day later: within the two days, all is kept
        forgotten_after(store, lambda: running.service.engine.day == "2026-11-24")
        ok(admin.request("stats", {}))  # answered in a later batch: the new day's retention pass is done
        assert store.record("appointments", "YY0001")["phone"] == BOOKED

        clock.now = at("10:00", "2026-11-26")  # three days later: the first day's people are forgotten
        forgotten_after(store, lambda: running.service.engine.day == "2026-11-26")
        ok(admin.request("stats", {}))  # read the store between the controller's batches, not during one
        assert store.record("appointments", "YY0001")["phone"] is None
        assert store.record("appointments", "YY0001")["applicant"] is None
        assert store.record("applications", "SQ2026001")["applicant"] is None
        assert store.record("followups", closed)["phone"] is None
        assert store.record("followups", f"FU-{tokens[1]}")["phone"] == OPEN_PHONE, "still to be called back"
        after = store.ledger("day = '2026-11-23'")
        assert [(r["seq"], r["kind"]) for r in after] == [(r["seq"], r["kind"]) for r in first_day]
        for old, new in zip(first_day, after):
            for snapshot in ("before", "after"):
                assert (old[snapshot] or {}).keys() == (new[snapshot] or {}).keys(), "the ledger keeps its shape"
        issued = [r["after"] for r in after if r["kind"] == "ticket_issued"]
        assert all(t["applicant_phone"] is None and t["applicant_name"] is None for t in issued)
        figures = ok(admin.request("stats", {"date": "2026-11-23"}))
        assert figures["hall"]["issued"] == 2 and figures["ratings"]["bad"] == 2, "past figures replay the same"
        raw = raw_bytes(running.db)
        assert "王*明".encode() not in raw and "赵*".encode() not in raw and "李*光".encode() not in raw
    finally:
        running.stop()


def test_a_retention_pass_takes_the_time_given_and_reads_the_ledger_once(tmp_path):
    store = Store(str(tmp_path / "hall.db"))
    try:
        row = {"id": "2026-11-23-A001", "applicant_phone": PHONE, "applicant_name": "王*明", "applicant_id_hash": "a" * 64}
        batch = Batch(tickets={}, rows={"appointments": {"YY1": {
            "code": "YY1", "category": "tax", "slot_start": 1000.0, "slot_end": 2000.0, "applicant": "赵*",
            "phone": BOOKED, "created_at": 900.0}}})
        batch.add(Outcome(events=[Event("ticket_issued", 1500.0, "kiosk-K1", after=row),
                                  Event("ticket_issued", 5000.0, "kiosk-K1", after={**row, "id": "later"})]),
                  day="2026-11-23", device="kiosk-K1", request_id="r1", action="issue_ticket")
        store.commit(batch)
        assert store.forget_personal(1000.0) == {"tickets": 0, "appointments": 0, "applications": 0,
                                                 "remote_challenges": 0, "followups": 0, "ledger": 0}
        assert store.forget_personal(3000.0)["ledger"] == 1 and store.record("appointments", "YY1")["phone"] is None
        early, late = store.ledger()
        assert early["after"] == {**row, "applicant_phone": None, "applicant_name": None, "applicant_id_hash": None}
        assert late["after"]["applicant_phone"] == PHONE
        assert store.forget_personal(3000.0)["ledger"] == 0, "a second pass reads on from where the last stopped"
        assert store.forget_personal(6000.0)["ledger"] == 1 and store.ledger()[1]["after"]["applicant_phone"] is None
    finally:
        store.close()


@pytest.mark.parametrize("value", [0, 3651, "30", 1.5, None])
def test_the_retention_setting_is_strict(hall_raw, value):
    with pytest.raises(ConfigError) as caught:
        validate({**hall_raw, "privacy": {"retention_days": value}})
    assert "privacy.retention_days" in str(caught.value)
    with pytest.raises(ConfigError):
        validate({**hall_raw, "privacy": {"retention": 30}})
    assert validate({**hall_raw, "privacy": {"retention_days": 30}}).privacy.retention_days == 30
    assert validate(hall_raw).privacy.retention_days == 180


def test_a_store_from_before_sealing_is_sealed_on_its_first_start_with_a_key(tmp_path):
    import sqlite3

    db = tmp_path / "hall.db"
    store = Store(str(db))
    row = {"code": "YY1", "category": "tax", "slot_start": 1000.0, "slot_end": 2000.0, "applicant": "赵*",
           "phone": None, "created_at": 900.0}
    store.commit(Batch(rows={"appointments": {"YY1": row}}))
    store.close()
    conn = sqlite3.connect(db)  # as an older version left it: the phone in the clear, no key check
    conn.execute("UPDATE appointments SET phone = ?", [BOOKED])
    conn.execute("DELETE FROM meta WHERE key = 'data_key_check'")
    conn.commit()
    conn.close()
    store = Store(str(db))
    try:
        assert store.record("appointments", "YY1")["phone"] == BOOKED
        store.checkpoint()
        assert BOOKED.encode() not in raw_bytes(db)
    finally:
        store.close()


def test_a_key_file_that_holds_no_key_is_refused_with_its_name(tmp_path):
    key = tmp_path / "data.key"
    key.write_text("not a key\n")
    os.chmod(key, 0o600)
    with pytest.raises(DataKeyError, match="not a data key"):
        DataKey.load(str(key))

"""The config's admin actions of the console's forms, against the real controller over the real
broker: a member of staff given a PIN as typed (hashed by the controller, never recorded as typed)
logs in with it; a refused change names each offending key for its field; the version history says
who changed what and when in the hall's time; a restore goes back as a new version."""
from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from config.loader import load
from controller import dispatch
from controller.engine import Engine
from controller.store import Batch, Store, StoreView
from testbed.controller import DEMO_CONFIG, PIN
from tests.support.engine import command_fields
from tests.support.hall import ok, refused

NEW_CATEGORY = {"name": {"zh": "残疾人证", "en": "Disability card"}, "prefix": "Q"}


def test_a_change_read_at_an_older_version_is_refused_as_a_conflict_and_changes_nothing(tmp_path):
    """Two directors open the same entry at version 1; the first saves (version 2); the second's
    save, still saying version 1, is refused naming the version now, for a patch, a member of staff
    and a return alike; with the version now, or with none (the command line), it goes through."""
    config, _ = load(DEMO_CONFIG)
    now = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo(config.timezone)).timestamp()
    store, engine = Store(str(tmp_path / "hall.db")), Engine(config, b"secret", now)
    engine.tick(now)
    sent = iter(range(100))

    def command(action, **fields):
        """One command as a batch of its own, committed as the service does."""
        batch = Batch()
        out = dispatch.apply(engine, action, "admin-T1", command_fields(action, {**fields, "user": "li.ming"}), now,
                             stored=StoreView(store, batch), user="li.ming")
        batch.add(out, day=engine.day, device="admin-T1", request_id=f"r{next(sent)}", action=action)
        store.commit(batch)
        return out

    first = command("config_patch", patch={"categories": {"tax": {"daily_cap": 300}}}, expect_version=1)
    assert first.error is None and first.result == {"version": 2}
    for action, fields in (("config_patch", {"patch": {"categories": {"tax": {"daily_cap": 10}}}}),
                           ("staff_set", {"staff_id": "2001", "name": "王芳", "windows": [3], "pin": "4831"}),
                           ("config_restore", {"version": 2})):
        late = command(action, **fields, expect_version=1)
        assert late.error.code == "conflict", action
        assert late.error.message_zh == "配置已被他人修改（现为第2版），请刷新后再改"
        assert late.error.message.startswith("expect_version: the config is now version 2, not 1")
    assert engine.version == 2 and engine.config.categories["tax"].daily_cap == 300
    assert [e["kind"] for e in store.ledger()] == ["config_changed"]
    assert command("config_patch", patch={"categories": {"tax": {"daily_cap": 10}}}, expect_version=2).result == {
        "version": 3}
    assert command("config_restore", version=2).result == {"version": 4, "restored": 2}
    assert engine.config.categories["tax"].daily_cap == 300
    # what a return to version 3 would change now: the live version 4 against it
    shown = command("config_versions", show=3, against=4).result["shown"]
    assert shown == {"version": 3, "before": 4, "changes": [
        {"path": "categories.tax.daily_cap", "kind": "changed", "before": 300, "after": 10}]}
    assert command("config_versions", show=3, against=99).error.code == "not_found"
    store.close()


def test_a_member_of_staff_set_with_a_pin_logs_in_with_it_and_the_pin_is_nowhere_as_typed(controller):
    admin = controller.device("admin-T1")
    result = ok(admin.request("staff_set", {"staff_id": "2001", "name": "王芳", "windows": [3], "pin": "4831",
                                            "user": "li.ming"}))
    assert result == {"version": 2, "staff_id": "2001"}
    window = controller.device("window-3")
    refused(window.request("login", {"staff_id": "2001", "pin": PIN}), "forbidden")
    assert ok(window.request("login", {"staff_id": "2001", "pin": "4831"}))["staff_id"] == "2001"
    ok(admin.request("staff_set", {"staff_id": "2001", "name": "王芳芳", "windows": [3, 4], "user": "li.ming"}))
    config = ok(admin.request("config_get"))["config"]
    assert config["staff"]["2001"]["windows"] == [3, 4] and config["staff"]["2001"]["pin_hash"].startswith("pbkdf2")
    stored = json.dumps(controller.store.ledger(), ensure_ascii=False) + json.dumps(
        controller.store.db.execute("SELECT * FROM replies").fetchall(), ensure_ascii=False)
    assert "4831" not in stored
    changed = [e for e in controller.store.ledger() if e["kind"] == "config_changed"]
    assert [e["data"]["user"] for e in changed] == ["li.ming", "li.ming"]
    assert changed[0]["data"]["summary"] == [{"path": "staff.2001", "kind": "added"}]


def test_a_refused_change_names_each_offending_key_and_changes_nothing(controller):
    admin = controller.device("admin-T1")
    error = refused(admin.request("config_patch", {"patch": {"categories": {"disab": {**NEW_CATEGORY, "prefix": "q",
                                                                                      "daily_cap": 0}}},
                                                   "user": "li.ming"}), "bad_request")
    assert {p["key"] for p in error["problems"]} == {"categories.disab.daily_cap"}
    error = refused(admin.request("staff_set", {"staff_id": "2002", "name": "赵六", "windows": [3]}), "bad_request")
    assert error["problems"] == [{"key": "staff.2002.pin_hash", "message": "a new member of staff needs a PIN"}]
    error = refused(admin.request("staff_set", {"staff_id": "2002", "name": "赵六", "windows": [777], "pin": "12"}),
                    "bad_request")
    assert error["problems"][0]["key"] == "staff.2002.pin_hash"
    error = refused(admin.request("staff_set", {"staff_id": "2002", "name": "赵六", "windows": [777], "pin": "1234"}),
                    "bad_request")
    assert error["problems"] == [{"key": "staff.2002.windows", "message": "unknown window 777"}]
    assert ok(admin.request("config_get"))["version"] == 1


def test_the_history_says_who_changed_what_and_a_restore_goes_back_as_a_new_version(controller, kiosk):
    admin = controller.device("admin-T1")  # version 1 is the hall's file (main.py controller stores it)
    ok(admin.request("config_patch", {"patch": {"queue": {"max_calls": 2}}, "user": "zhang.wei"}))
    ok(admin.request("config_patch", {"patch": {"categories": {"disab": NEW_CATEGORY}}, "user": "li.ming"}))
    assert ok(kiosk.request("issue_ticket", {"category": "disab"}))["ticket"]["number"] == "Q001"
    ok(admin.request("config_patch", {"patch": {"windows": {"3": {"name": {"zh": "综合3", "en": "General 3"}}}},
                                      "user": "li.ming"}))
    history = ok(admin.request("config_versions", {"show": 3}))
    assert history["current"] == 4
    assert [(v["version"], v["source"], v["user"]) for v in history["versions"]] == [
        (4, "admin", "li.ming"), (3, "admin", "li.ming"), (2, "admin", "zhang.wei")]
    assert history["versions"][1]["summary"] == [{"path": "categories.disab", "kind": "added"}]
    assert history["versions"][2]["summary"] == [{"path": "queue", "kind": "changed"}]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", history["versions"][0]["when"])
    assert history["shown"]["before"] == 2
    assert [(c["path"], c["kind"]) for c in history["shown"]["changes"]] == [("categories.disab", "added")]
    # the new category has a ticket waiting today: going back before it would strand it, so it is refused
    error = refused(admin.request("config_restore", {"version": 2, "user": "li.ming"}), "bad_request")
    assert error["problems"] == [{"key": "categories.disab",
                                  "message": "category has tickets today; it can be removed after the day ends"}]
    assert ok(admin.request("config_get"))["version"] == 4
    restored = ok(admin.request("config_restore", {"version": 3, "user": "li.ming"}))
    assert restored == {"version": 5, "restored": 3}
    config = ok(admin.request("config_get"))["config"]
    assert config["windows"]["3"]["name"] == controller.raw["windows"][3]["name"]
    newest = ok(admin.request("config_versions", {"limit": 1}))["versions"]
    assert [(v["version"], v["user"], v["restored"]) for v in newest] == [(5, "li.ming", 3)]
    assert newest[0]["summary"] == [{"path": "windows.3", "kind": "changed"}]
    refused(admin.request("config_restore", {"version": 99}), "not_found")
    refused(admin.request("config_versions", {"show": 99}), "not_found")


def test_a_window_leads_staff_set_is_held_to_their_windows_by_the_controller(controller):
    """The console sends a lead's window scope with the change; the controller refuses what reaches
    past it, whatever the form said: another window's staff, a window not theirs, none at all, a name."""
    admin = controller.device("admin-T1")
    lead = {"user": "sun.li", "scope": [3, 4]}
    before = ok(admin.request("config_get"))
    assert before["config"]["staff"]["1003"]["windows"] == [3, 4, 10]  # 10 is another lead's
    for fields in ({"staff_id": "1001", "windows": [1, 2, 12], "pin": "5555"},  # staff of windows 1, 2, 12
                   {"staff_id": "1003", "windows": [3, 4, 10, 1], "pin": "5555"},  # a window outside the scope
                   {"staff_id": "1003", "windows": [3, 4], "pin": "5555"},  # window 10 taken away
                   {"staff_id": "1003", "windows": [], "pin": "5555"},  # none: every window
                   {"staff_id": "1003", "windows": ["3", 10], "pin": "5555"},
                   {"staff_id": "1003", "name": "别人", "windows": [3, 4, 10]},
                   {"staff_id": "2009", "windows": [3], "pin": "5555"}):  # a new member of staff
        refused(admin.request("staff_set", {**fields, **lead}), "forbidden")
    assert ok(admin.request("config_get"))["version"] == before["version"]
    ok(admin.request("staff_set", {"staff_id": "1003", "windows": [3, 10], "pin": "7316", **lead}))
    staff = ok(admin.request("config_get"))["config"]["staff"]["1003"]
    assert staff["windows"] == [3, 10] and staff["name"] == "刘晓燕"
    window = controller.device("window-3")
    assert ok(window.request("login", {"staff_id": "1003", "pin": "7316"}))["staff_id"] == "1003"
    changed = [e for e in controller.store.ledger() if e["kind"] == "config_changed"]
    assert changed[-1]["data"]["user"] == "sun.li"

"""Live configuration over MQTT: validated as a whole, versioned, persisted, re-published."""
from __future__ import annotations

import copy
import json

import pytest
import yaml

from contract.messages import ConfigEvent, ConfigState
from controller.run import LiveChangesAtRisk, config_at_start
from controller.store import Batch, Store
from testbed.controller import RunningController, staffed_window
from tests.support.cli import run
from tests.support.hall import Inbox, ok, refused


def test_patch_renames_a_category_live(controller, kiosk):
    inbox = Inbox()
    controller.device("display-cfg", deliver=inbox,
                      watch=(f"qms/{controller.hall}/state/config", f"qms/{controller.hall}/event/config",
                             f"qms/{controller.hall}/state/queues"))
    admin = controller.device("admin-ops")
    before = ok(admin.request("config_get"))
    assert before["version"] == 1 and "1001" in before["config"]["staff"]
    patch = {"categories": {"tax": {"name": {"zh": "税务服务", "en": "Tax Services"}, "daily_cap": 2}}}
    assert ok(admin.request("config_patch", {"patch": patch}))["version"] == 2
    _, state = inbox.wait_for(lambda t, d: t.endswith("/state/config") and d["version"] == 2)
    assert state["config"]["categories"]["tax"]["name"]["zh"] == "税务服务"
    ConfigState.model_validate(state)
    _, event = inbox.wait_for(lambda t, d: t.endswith("/event/config"))
    assert event == {"version": 2, "device": "admin-ops", "at": event["at"]}
    ConfigEvent.model_validate(event)
    inbox.wait_for(lambda t, d: t.endswith("/state/queues") and any(
        c["name"]["zh"] == "税务服务" for c in d["categories"]))
    # the new cap holds at once
    ok(kiosk.request("issue_ticket", {"category": "tax"}))
    ok(kiosk.request("issue_ticket", {"category": "tax"}))
    refused(kiosk.request("issue_ticket", {"category": "tax"}), "closed")
    after = ok(admin.request("config_get"))
    assert after["version"] == 2 and after["config"]["categories"]["tax"]["daily_cap"] == 2
    # other entries were kept by the merge patch
    assert after["config"]["categories"]["general"] == before["config"]["categories"]["general"]


def test_bad_patches_change_nothing_and_name_the_key(controller):
    admin = controller.device("admin-ops")
    cases = [
        ({"categories": {"tax": {"prefix": "AA"}}}, "categories.tax.prefix"),
        ({"categories": {"tax": {"colour": "red"}}}, "categories.tax.colour"),
        ({"windows": {"3": {"primary": ["nope"]}}}, "windows.3.primary"),
        ({"queue": {"max_calls": 0}}, "queue.max_calls"),
        ({"categories": {"tax": {"prefix": "A"}}}, "categories.tax.prefix"),
        ({"items": {"Z01": {"name": {"zh": "新", "en": "New"}, "category": "tax"}}}, "items.Z01.guide"),
        ({"hall": "elsewhere"}, "hall"),
    ]
    for patch, key in cases:
        error = refused(admin.request("config_patch", {"patch": patch}), "bad_request")
        assert error["message"].startswith(key), (patch, error)
        assert key in error["message_zh"]
    assert ok(admin.request("config_get"))["version"] == 1
    refused(admin.request("config_patch", {"patch": "not a mapping"}), "bad_request")
    refused(admin.request("config_set", {"config": {"hall": controller.hall}}), "bad_request")


def test_live_state_guards_the_config(controller, kiosk):
    staffed_window(controller, 12)
    admin = controller.device("admin-ops")
    error = refused(admin.request("config_patch", {"patch": {"windows": {"12": None}}}), "bad_request")
    assert error["message"].startswith("staff.1001.windows")  # the schema sees the dangling reference first
    without_12 = {sid: {"windows": [n for n in s.windows if n != 12]} for sid, s in controller.config.staff.items()}
    error = refused(admin.request("config_patch", {"patch": {"windows": {"12": None}, "staff": without_12}}),
                    "bad_request")
    assert error["message"].startswith("windows.12")  # staff are logged in there
    ok(kiosk.request("issue_ticket", {"category": "fund"}))
    error = refused(admin.request("config_patch", {"patch": {
        "categories": {"fund": None}, "items": {k: None for k in controller.config.items if k.startswith("F")},
        "appointments": {"off_hours": {"items": ["A02", "B02", "E05"]}},  # F01 goes with its category
        "windows": {str(n): {"primary": ["general"], "secondary": []} for n, w in controller.config.windows.items()
                    if "fund" in w.primary + w.secondary}}}), "bad_request")
    assert error["message"].startswith("categories.fund")
    # removing an idle window works and clears its retained state
    inbox = Inbox()
    controller.device("display-w", deliver=inbox, watch=(f"qms/{controller.hall}/state/window/+",))
    inbox.wait_for(lambda t, d: t.endswith("/state/window/11"))
    assert ok(admin.request("config_patch", {"patch": {"windows": {"11": None},
                                                        "staff": {sid: {"windows": [n for n in s.windows if n != 11]}
                                                                  for sid, s in controller.config.staff.items()}}}))
    inbox.wait_for(lambda t, d: t.endswith("/state/window/11") and d is None)


def test_config_set_replaces_and_survives_restart(controller, tmp_path, hall_raw):
    admin = controller.device("admin-ops")
    raw = ok(admin.request("config_get"))["config"]
    raw["name"] = {"zh": "新名字大厅", "en": "Renamed Hall"}
    assert ok(admin.request("config_set", {"config": raw}))["version"] == 2
    controller.stop()
    # the file has not changed since it was read, so the stored admin version wins
    path = tmp_path / "hall.yaml"
    path.write_text(yaml.safe_dump(hall_raw, allow_unicode=True), encoding="utf-8")
    store = Store(str(tmp_path / "fresh.db"))
    config, version = config_at_start(store, str(path), 0.0)
    assert version == 1 and config.name.en == hall_raw["name"]["en"]
    config, version = config_at_start(store, str(path), 0.0)
    assert version == 1
    latest = store.latest_config()
    latest["config"]["name"]["en"] = "Changed By Admin"
    # an admin version carries no file hash of its own: it descends from the file version before it
    store.commit(Batch(configs=[(2, 1.0, "admin-ops", "admin", None, json.dumps(latest["config"]))]))
    config, version = config_at_start(store, str(path), 2.0)
    assert version == 2 and config.name.en == "Changed By Admin"
    hall_raw["name"]["en"] = "Edited File"
    path.write_text(yaml.safe_dump(hall_raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LiveChangesAtRisk):  # both changed: never silently
        config_at_start(store, str(path), 3.0)
    config, version = config_at_start(store, str(path), 3.0, wins="file")
    assert version == 3 and config.name.en == "Edited File"
    store.close()


EXTRA = {"name": {"zh": "新增业务", "en": "Added Live"}, "prefix": "X", "daily_cap": 50}


def write(path, raw) -> None:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def patched_live(broker, raw, db, patch) -> None:
    """A controller on `db` that takes one live change over MQTT, then stops."""
    running = RunningController(raw, db, broker)
    try:
        ok(running.device("admin-ops").request("config_patch", {"patch": patch}))
    finally:
        running.stop()


def started_with(broker, path, db, hall: str, *options) -> dict:
    """`./qms controller` as its own process on `path` and `db`: the live config it serves (config_get)."""
    import subprocess

    from contract.client import HallClient
    from testbed.processes import stop_process
    from tests.support.cli import MAIN

    process = subprocess.Popen([*MAIN, "controller", "--config", str(path), "--db", str(db), "--broker",
                                f"127.0.0.1:{broker.port}", "--log-level", "warning", *options],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    admin = HallClient("admin-ops", hall, "127.0.0.1", broker.port)
    try:
        admin.listen_for_replies()
        assert admin.start(wait=10) and admin.wait_for_controller(20), process.stderr and process.poll()
        return ok(admin.request("config_get"))
    finally:
        admin.stop()
        stop_process(process, 10)


def test_an_edited_file_never_drops_live_changes_silently(broker, hall_raw, tmp_path):
    path, db = tmp_path / "hall.yaml", tmp_path / "hall.db"
    write(path, hall_raw)
    store = Store(str(db))
    assert config_at_start(store, str(path), 0.0)[1] == 1
    store.close()
    patched_live(broker, hall_raw, db, {"categories": {"extra": EXTRA}})  # version 2, over MQTT
    edited = copy.deepcopy(hall_raw)
    edited["name"]["en"] = "Edited File"
    del edited["windows"][12]
    for person in edited["staff"].values():
        person["windows"] = [n for n in person.get("windows", []) if n != 12]
    write(path, edited)

    result = run("controller", "--config", str(path), "--db", str(db), "--broker", "127.0.0.1:1")
    assert result.returncode == 1
    said = result.stderr
    assert "not started" in said and "live config:  version 2" in said and "version 1 was read" in said, said
    assert "by admin-ops" in said
    assert "categories: 7 live, 6 in the file; 1 only in the live config (extra)" in said
    assert "windows: 12 live, 11 in the file; 1 only in the live config (12)" in said
    assert f'name.en: live "{hall_raw["name"]["en"]}", the file "Edited File"' in said and "--config-wins live" in said and "--config-wins file" in said

    store = Store(str(db))
    assert store.latest_config()["version"] == 2  # refusing wrote nothing
    store.close()
    live = started_with(broker, path, db, hall_raw["hall"], "--config-wins", "live")  # a real restart
    assert live["version"] == 3 and "extra" in live["config"]["categories"] and "12" in live["config"]["windows"]
    assert live["config"]["name"]["en"] == hall_raw["name"]["en"]
    store = Store(str(db))
    assert config_at_start(store, str(path), 6.0)[1] == 3  # kept: the next start does not ask again
    store.close()

    store = Store(str(db))
    live = store.latest_config()["config"]
    live["categories"]["extra"]["daily_cap"] = 60  # version 4, as a live change stores it
    store.commit(Batch(configs=[(4, 6.5, "admin-ops", "admin", None, json.dumps(live, ensure_ascii=False))]))
    assert config_at_start(store, str(path), 6.6)[1] == 4  # the file is as it was: the live config goes on
    edited["name"]["zh"] = "改过的文件"
    write(path, edited)  # edited again
    with pytest.raises(LiveChangesAtRisk):
        config_at_start(store, str(path), 7.0)
    config, version = config_at_start(store, str(path), 7.0, wins="file")
    assert version == 5 and "extra" not in config.categories and 12 not in config.windows
    assert config.name.en == "Edited File"
    store.close()


def test_after_config_export_the_live_config_starts_without_a_question(broker, hall_raw, tmp_path):
    path, db = tmp_path / "hall.yaml", tmp_path / "hall.db"
    write(path, hall_raw)
    store = Store(str(db))
    config_at_start(store, str(path), 0.0)
    store.close()
    running = RunningController(hall_raw, db, broker)
    try:
        ok(running.device("admin-ops").request("config_patch", {"patch": {"categories": {"extra": EXTRA}}}))
        env = {"QMS_BROKER": f"127.0.0.1:{broker.port}"}
        result = run("admin", "--hall", running.hall, "config-export", "--out", str(path), env=env)
        assert result.returncode == 0, result.stderr
        assert "live config version 2" in result.stderr
    finally:
        running.stop()
    offline = run("controller", "config-export", "--db", str(db))  # the same, with the controller stopped
    assert offline.returncode == 0 and yaml.safe_load(offline.stdout) == yaml.safe_load(path.read_text())
    live = started_with(broker, path, db, hall_raw["hall"])  # restarted on the exported file: no question
    assert live["version"] == 3 and live["config"]["categories"]["extra"]["name"]["en"] == "Added Live"

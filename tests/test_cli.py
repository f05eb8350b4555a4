"""The command line as a person uses it: --help, the admin wrapper, env overrides, the demo."""
from __future__ import annotations

import json
import os
import re
import socket
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.cli import run

@pytest.mark.parametrize("command, words", [
    (["--help"], ["controller", "admin", "demo"]),
    (["controller", "--help"], ["--config", "--broker", "--db", "--synchronous"]),
    (["admin", "--help"], ["config-get", "config-set", "config-patch", "stats", "report", "hash-pin", "--broker"]),
    (["admin", "config-patch", "--help"], ["merge patch"]),
    (["admin", "--help"], ["config-export", "alerts", "followups", "appointments", "--json"]),
    (["admin", "--help"], ["cases", "case-open", "case-update"]),
    (["admin", "--help"], ["config-versions", "config-diff", "config-restore"]),
    (["admin", "config-restore", "--help"], ["--expect-version", "config-diff"]),
    (["controller", "--help"], ["--config-wins", "config-export"]),
    (["add-device", "--help"], ["--primary", "--printer", "--id-reader", "--no-reload"]),
    (["demo", "--help"], ["--minutes", "--speed", "--broker"]),
])
def test_help(command, words):
    result = run(*command)
    assert result.returncode == 0, result.stderr
    for word in words:
        assert word in result.stdout


def test_admin_cli_against_a_running_controller(controller, kiosk):
    kiosk.request("issue_ticket", {"category": "general"})
    env = {"QMS_BROKER": f"127.0.0.1:{controller.broker.port}"}
    result = run("admin", "--hall", controller.hall, "stats", env=env)
    assert result.returncode == 0, result.stderr
    assert "hall" in result.stdout and "general" in result.stdout
    result = run("admin", "--hall", controller.hall, "--json", "stats", env=env)
    assert json.loads(result.stdout)["hall"]["issued"] == 1
    result = run("admin", "--hall", controller.hall, "config-patch",
                 '{"categories": {"general": {"daily_cap": 5}}}', env=env)
    assert result.returncode == 0 and json.loads(result.stdout) == {"version": 2}
    result = run("admin", "--hall", controller.hall, "config-patch", '{"categories": {"general": {"prefix": "a"}}}',
                 env=env)
    assert result.returncode == 1 and "categories.general.prefix" in result.stderr
    result = run("admin", "--hall", controller.hall, "config-get", env=env)
    assert json.loads(result.stdout)["config"]["categories"]["general"]["daily_cap"] == 5
    result = run("admin", "--hall", controller.hall, "send", "call_next", env=env)
    assert result.returncode == 1 and "forbidden" in result.stderr


def test_admin_cli_says_when_nothing_answers():
    result = run("admin", "--hall", "nobody", "--broker", "127.0.0.1:1", "--timeout", "1", "stats")
    assert result.returncode == 2 and "cannot reach the broker" in result.stderr


def test_hash_pin_is_accepted_by_the_schema():
    result = run("admin", "hash-pin", "--pin", "9876")
    from contract.privacy import check_pin
    assert result.returncode == 0 and check_pin("9876", result.stdout.strip())


def test_controller_refuses_a_bad_config_file(tmp_path):
    bad = tmp_path / "hall.yaml"
    bad.write_text("hall: x\nname: {zh: 厅, en: Hall}\ncategories: {}\nwindows: {1: {primary: [A]}}\n")
    result = run("controller", "--config", str(bad), "--db", str(tmp_path / "x.db"), "--broker", "127.0.0.1:1")
    assert result.returncode != 0
    assert "categories" in result.stderr


def test_headless_demo_plays_and_leaves_nothing_behind():
    result = run("demo", "--minutes", "20", "--speed", "240", timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "叫号 called" in out and "取号 issued" in out and "办结 finished" in out
    assert "演示小结 summary" in out and "virtual kiosks issued" in out
    port = int(re.search(r"broker 127\.0\.0\.1:(\d+)", out).group(1))
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the demo's broker is still listening"
    # every process of this demo named its own broker's port; other halls on the machine do not
    assert not processes_with(f"127.0.0.1:{port}\x00"), "a process of the demo is still running"


def processes_with(fragment: str) -> list[int]:
    """Pids whose command line contains fragment (arguments joined by NUL, as /proc has them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if fragment.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def test_a_refused_admin_login_says_so(tmp_path):
    """A broker that knows its logins turns down admin-ops without its password: said as a refusal."""
    import subprocess

    from testbed.broker import PrivateBroker

    import shutil
    import tempfile
    from pathlib import Path

    readable = Path(tempfile.mkdtemp(prefix="qms-passwd-"))  # mosquitto run as root reads it as mosquitto
    readable.chmod(0o755)
    passwd = readable / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "admin-ops", "right"], check=True,
                   capture_output=True)
    passwd.chmod(0o644)
    with PrivateBroker(extra_conf=f"password_file {passwd}\n") as broker:
        wrong = tmp_path / "wrong.password"
        wrong.write_text("wrong\n")
        result = run("admin", "--hall", "h", "--broker", f"127.0.0.1:{broker.port}", "--password-file", str(wrong),
                     "--timeout", "5", "alerts")
    shutil.rmtree(readable, ignore_errors=True)
    assert result.returncode == 2
    assert "login refused (not authorized)" in result.stderr and "admin-ops" in result.stderr
    assert "cannot reach" not in result.stderr


def test_admin_listings_are_tables_in_local_time_and_json_anywhere(controller, kiosk):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from testbed.controller import staffed_window

    env = {"QMS_BROKER": f"127.0.0.1:{controller.broker.port}"}
    issued = kiosk.request("issue_ticket", {"category": "general"})["result"]["ticket"]
    window = staffed_window(controller, 1)
    assert window.request("call_next")["ok"] and window.request("finish")["ok"]
    assert kiosk.request("rate", {"rating_token": issued["rating_token"], "level": 1, "reasons": ["slow"]})["ok"]
    tz = ZoneInfo(controller.config.timezone)
    slot = datetime.now(tz).replace(second=0, microsecond=0) + timedelta(hours=1)
    admin = controller.device("admin-ops")
    assert admin.request("appointment_add", {"code": "YY1234", "category": "general",
                                             "slot_start": slot.strftime("%Y-%m-%dT%H:%M"),
                                             "slot_end": (slot + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
                                             "applicant_name": "张三"})["ok"]
    listing = run("admin", "--hall", controller.hall, "followups", env=env)
    assert listing.returncode == 0, listing.stderr
    header, rule, row = listing.stdout.splitlines()[:3]
    assert header.split()[:3] == ["follow-up", "ticket", "window"] and set(rule) <= {"-", " "}
    assert f"FU-{issued['id']}" in row and issued["number"] in row and "待回访" in row
    as_json = run("admin", "--hall", controller.hall, "followups", "--json", env=env)  # --json after the action
    assert json.loads(as_json.stdout)["followups"][0]["id"] == f"FU-{issued['id']}"
    booked = run("admin", "--hall", controller.hall, "appointments", "--date", f"{slot:%Y-%m-%d}", env=env)  # after 23:00: tomorrow
    assert booked.returncode == 0, booked.stderr
    line = next(line for line in booked.stdout.splitlines() if line.startswith("YY1234"))
    assert f"{slot:%H:%M}-{slot + timedelta(minutes=30):%H:%M}" in line and "not yet" in line  # local time
    alerts = run("admin", "--hall", controller.hall, "alerts", env=env)
    assert alerts.returncode == 0 and (alerts.stdout.startswith("no alerts") or alerts.stdout.startswith("id"))


def test_add_device_makes_the_login_reloads_and_adds_a_new_window_live(controller, tmp_path):
    secrets, passwd = tmp_path / "secrets", tmp_path / "mosquitto.passwd"
    env = {"QMS_BROKER": f"127.0.0.1:{controller.broker.port}", "QMS_SECRETS_DIR": str(secrets),
           "QMS_PASSWD_FILE": str(passwd), "QMS_USER": "nobody-here", "QMS_BROKER_RELOAD": f"touch {tmp_path}/reloaded"}
    result = run("add-device", "--hall", controller.hall, "window-13", "--name-zh", "13号窗口", "--name-en", "Window 13",
                 "--primary", "general", env=env)
    assert result.returncode == 0, result.stderr
    assert (secrets / "window-13.password").read_text().strip()
    assert passwd.read_text().startswith("window-13:") and (tmp_path / "reloaded").exists()
    live = controller.service.engine.config
    assert 13 in live.windows and live.windows[13].primary == ["general"]
    assert "enable qms-caller@13" in result.stdout
    again = run("add-device", "--hall", controller.hall, "evaluator-13", env=env)  # its window exists now
    assert again.returncode == 0 and "window 13 is in the config already" in again.stderr
    missing = run("add-device", "--hall", controller.hall, "display-window40", env=env)
    assert missing.returncode == 1 and "the hall has no window 40" in missing.stderr


def test_a_desk_registers_lists_and_moves_cases_on_without_the_console(controller):
    env, hall = {"QMS_BROKER": f"127.0.0.1:{controller.broker.port}"}, controller.hall
    opened = run("admin", "--hall", hall, "case-open", "undone", "社保卡补办  说要去银行，银行说要来大厅", "--item", "B01",
                 "--window", "3", "--phone", "13912345678", env=env)
    assert opened.returncode == 0, opened.stderr
    header, rule, row = opened.stdout.splitlines()[:3]
    assert header.split()[:4] == ["case", "kind", "status", "channel"] and set(rule) <= {"-", " "}
    assert "办不成事反映" in row and "待回访" in row and "desk" in row and "139****5678" in row and "B01 · window 3" in row
    assert "13912345678" not in opened.stdout
    ref, code = re.search(r"reference (BC-[0-9-]+), code ([A-Z2-7]{8})", opened.stdout).groups()
    assert f"/complain/{ref}" in opened.stdout
    [case] = json.loads(run("admin", "--hall", hall, "cases", "--kind", "undone", "--json", env=env).stdout)["cases"]
    due = datetime.fromtimestamp(case["deadline_at"], ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    listing = run("admin", "--hall", hall, "cases", "--kind", "undone", env=env)
    line = next(line for line in listing.stdout.splitlines() if line.startswith(ref))
    assert due in line and f"{case['working_days_left']} wd" in line and "139****5678" in line
    assigned = run("admin", "--hall", hall, "case-update", ref, "open", "交社保科核实", "--assignee", "li.ming", env=env)
    assert assigned.returncode == 0 and "li.ming" in assigned.stdout.splitlines()[2]
    assert "history" in assigned.stdout and "交社保科核实" in assigned.stdout
    run("admin", "--hall", hall, "case-update", ref, "visited", "已电话联系", env=env)
    closed = run("admin", "--hall", hall, "case-update", ref, "closed", "办结", "--verdict", "satisfied",
                 "--reply", "已协调银行网点当场补办", env=env)
    assert closed.returncode == 0 and "已办结" in closed.stdout and "已协调银行网点当场补办" in closed.stdout
    again = run("admin", "--hall", hall, "case-update", ref, "closed", "再次办结", "--verdict", "satisfied", env=env)
    assert again.returncode == 1 and "refused (invalid_state)" in again.stderr
    assert run("admin", "--hall", hall, "cases", "--status", "open", env=env).stdout.strip() == "no cases"
    web = controller.device("web-C1")
    assert web.request("case_lookup", {"case_id": ref, "query_code": code})["result"]["case"]["reply"] == \
        "已协调银行网点当场补办"


def test_the_config_history_a_diff_and_a_return_from_the_command_line(controller):
    env = {"QMS_BROKER": f"127.0.0.1:{controller.broker.port}"}
    admin = controller.device("admin-T1")
    assert admin.request("config_patch", {"patch": {"queue": {"max_calls": 2}}, "user": "zhang.wei"})["ok"]
    assert admin.request("staff_set", {"staff_id": "2001", "name": "王芳", "windows": [3], "pin": "4831",
                                       "user": "li.ming"})["ok"]
    assert admin.request("config_patch", {"patch": {"queue": {"max_calls": 4}}, "user": "li.ming"})["ok"]
    listing = run("admin", "--hall", controller.hall, "config-versions", env=env)
    assert listing.returncode == 0, listing.stderr
    header, rule, *rows = listing.stdout.splitlines()
    assert header.split() == ["version", "when", "by", "from", "changed"] and set(rule) <= {"-", " "}
    assert rows[0].startswith("4 (now)") and "li.ming" in rows[0] and "changed queue" in rows[0]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0]) and "console/admin" in rows[0]
    assert "added staff.2001" in rows[1] and rows[2].startswith("2 ") and "zhang.wei" in rows[2]
    diff = run("admin", "--hall", controller.hall, "config-diff", "2", "4", env=env)
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.splitlines()[0] == "from version 2 to version 4"
    lines = {line.split()[0]: line for line in diff.stdout.splitlines()[3:]}
    assert lines["queue.max_calls"].split()[1:] == ["changed", "2", "4"]
    assert "王*" in lines["staff.2001"] and "******" in lines["staff.2001"]
    assert "王芳" not in diff.stdout and "4831" not in diff.stdout and "pbkdf2" not in diff.stdout
    stale = run("admin", "--hall", controller.hall, "config-restore", "2", "--expect-version", "3", env=env)
    assert stale.returncode == 1 and "refused (conflict)" in stale.stderr and "现为第4版" in stale.stderr
    back = run("admin", "--hall", controller.hall, "config-restore", "2", "--expect-version", "4", env=env)
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == "back to version 2: the config is version 5 now (what it changed: config-diff 4 5)"
    config = admin.request("config_get")["result"]
    assert config["version"] == 5 and "2001" not in config["config"]["staff"]
    assert config["config"]["queue"]["max_calls"] == 2
    assert json.loads(run("admin", "--hall", controller.hall, "--json", "config-diff", "4", "5",
                          env=env).stdout)["shown"]["before"] == 4
    missing = run("admin", "--hall", controller.hall, "config-diff", "2", "99", env=env)
    assert missing.returncode == 1 and "not_found" in missing.stderr

"""`main.py admin book|cancel|appointments|slots|unbar|import-bookings` as the phone line and the
platform import use them: the real CLI process against a real broker and controller on a hall clock."""
from __future__ import annotations

import json

from testbed.controller import RunningController
from tests.support.booking import hall_hours, local
from tests.support.cli import run
from tests.support.hall import HallClock

CSV = """platform_id,item,category,slot,phone,id_hash,name
ZW-0001,B02,,2026-03-03 17:30,13800002222,,李四
ZW-0002,,tax,2026-03-04 10:00,,{id_hash},
ZW-0003,B01,,2026-03-07 09:00,13800003333,,
"""


def test_the_phone_line_books_lists_and_cancels_and_the_platform_imports_once(broker, hall_raw, tmp_path):
    running = RunningController(hall_hours(hall_raw), tmp_path / "hall.db", broker,
                                clock=HallClock(local("2026-03-02 09:00")))
    env = {"QMS_BROKER": f"127.0.0.1:{broker.port}"}

    def admin(*args):
        return run("admin", "--hall", running.hall, *args, env=env)

    try:
        result = admin("book", "2026-03-03 10:00", "--category", "tax", "--phone", "13800001111", "--name", "张三")
        assert result.returncode == 0, result.stderr
        booked = json.loads(result.stdout)["appointment"]
        assert booked["channel"] == "phone" and booked["phone"] == "138****1111" and booked["category"] == "tax"
        result = admin("book", "2026-03-03 12:00", "--category", "tax", "--phone", "13800001111")
        assert result.returncode != 0 and "no bookable slot at 2026-03-03 12:00" in result.stderr
        assert "11:30-12:00 (4 left)" in result.stderr, "it says which slots there are"
        result = admin("book", "2026-03-03 10:30", "--category", "tax", "--phone", "13800001111")
        assert result.returncode == 1 and "duplicate" in result.stderr
        result = admin("slots", "2026-03-03", "--item", "B02")
        assert result.returncode == 0 and "17:30-18:00" in result.stdout

        csv_file = tmp_path / "platform.csv"
        csv_file.write_text(CSV.format(id_hash="b" * 64), encoding="utf-8")
        first = admin("import-bookings", str(csv_file))
        summary = json.loads(first.stdout)
        assert summary["imported"] == 2 and summary["again"] == 0 and first.returncode == 1
        assert [r["platform_id"] for r in summary["refused"]] == ["ZW-0003"]     # a Saturday, not listed
        again = json.loads(admin("import-bookings", str(csv_file)).stdout)
        assert again["imported"] == 0 and again["again"] == 2, "imported once, by platform_id"

        listed = admin("appointments", "--date", "2026-03-03")
        assert listed.returncode == 0 and booked["code"] in listed.stdout and "platform" in listed.stdout
        assert "13800001111" not in listed.stdout and "138****1111" in listed.stdout
        result = admin("cancel", booked["code"], "--phone-last4", "1111")
        assert result.returncode == 0 and json.loads(result.stdout)["appointment"]["status"] == "cancelled"
        listed = json.loads(admin("--json", "appointments", "--date", "2026-03-03", "--status", "cancelled").stdout)
        assert [a["code"] for a in listed["appointments"]] == [booked["code"]]
        result = admin("unbar", "no such bar", "--phone", "13800001111")
        assert result.returncode == 1 and "not_found" in result.stderr
    finally:
        running.stop()

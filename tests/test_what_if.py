"""`main.py simulate --what-if`: tomorrow from the forecast, the hall as it is against a proposed roster and
policy, on the same citizens."""
from __future__ import annotations

import json

import yaml

from config.loader import load
from controller import forecast
from simulator import what_if
from tests.support.cli import run

ARRIVALS = yaml.safe_load(open("config/arrivals.yaml", encoding="utf-8"))["arrivals"]


def hall_with_forecast(tmp_path):
    raw = yaml.safe_load(open("config/hall.yaml", encoding="utf-8"))
    raw["forecast"] = {"cold_start": ARRIVALS}
    path = tmp_path / "hall.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_what_if_compares_the_proposal_with_the_hall_as_it_is(tmp_path):
    config = hall_with_forecast(tmp_path)
    roster = tmp_path / "roster.yaml"
    roster.write_text("windows: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\nshifts: [['08:30', '12:00'], ['13:30', '17:30']]\n")
    done = run("simulate", "--what-if", "--config", str(config), "--db", str(tmp_path / "none.db"),
               "--date", "2026-12-03", "--policy", "rota", "--home-first", "--roster", str(roster), "--json",
               timeout=120)
    assert done.returncode == 0, done.stderr
    assert "现行 current" in done.stdout and "方案 proposed" in done.stdout and "配置的初始预测" in done.stdout
    table = json.loads(done.stdout[done.stdout.index("{"):])
    assert table["variants"] == ["current", "proposed"] and table["issued"] > 400
    assert table["switches"]["proposed"] >= 1
    assert not (tmp_path / "none.db").exists()         # a missing store is not created


def test_the_proposed_roster_staffs_only_its_windows_and_both_halls_meet_the_same_citizens(tmp_path):
    config, _ = load(hall_with_forecast(tmp_path))
    expected = forecast.learn((), config).for_day("2026-12-03", config.calendar)
    staff = what_if.roster(None, config)
    fewer = staff.model_copy(update={"windows": [1, 2, 3, 10]})
    runs = what_if.what_if(config, expected, staff, fewer, "static", False, seed=5)
    issued = {name: [e["after"]["number"] for e in r.ledger if e["kind"] == "ticket_issued"]
              for name, (r, _, _) in runs.items()}
    assert issued["current"] == issued["proposed"] and len(issued["current"]) > 400
    called_at = {e["window"] for e in runs["proposed"][0].ledger if e["kind"] == "ticket_called"}
    assert called_at <= {1, 2, 3, 10}
    assert runs["proposed"][1]["hall"]["avg_wait_s"] > runs["current"][1]["hall"]["avg_wait_s"]
    assert runs["proposed"][1]["expected"]["basis"] == "config"


def test_no_forecast_no_what_if():
    done = run("simulate", "--what-if", "--db", "/nonexistent/hall.db", "--date", "2026-12-03")
    assert done.returncode == 2 and "no forecast" in done.stderr
    bad = run("simulate", "--what-if", "--roster", "config/arrivals.yaml")
    assert bad.returncode == 2 and "staff" in bad.stderr

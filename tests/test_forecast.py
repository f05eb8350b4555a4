"""The forecast (controller/forecast.py): a ledger of known days, kept in a real SQLite store by the real
engine, gives the known profile; day types from the hall calendar; the config's cold start; "expected today"
in the daily report."""
from __future__ import annotations

from datetime import date

import pytest

from config.schema import ConfigError
from controller import dispatch, forecast
from controller.engine import Engine
from controller.store import Batch, Store, StoreView
from reports.page import render
from tests.support.engine import PIN, SECRET, TZ, make_config

HOLIDAYS = {"calendar": {"holidays": ["2024-04-04", "2024-04-05"]}}


def at(day: str, hhmm: str) -> float:
    from datetime import datetime

    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), TZ).timestamp() + hour * 3600 + minute * 60


def play(store: Store, config, day: str, tickets: list[tuple[str, str, float]]) -> None:
    """One day through the engine into the store: each (category, HH:MM, service s) issued, called at once at
    its window (1: A, 3: B) and finished after its service."""
    engine = Engine(config, SECRET, at(day, "08:00"))
    window = {"A": 1, "B": 3}

    def do(action, now, window_no=None, **fields):
        batch = Batch()
        out = dispatch.handle(engine, action, f"window-{window_no}" if window_no else "kiosk-K1", fields, now,
                              window=window_no, stored=StoreView(store, batch))
        assert out.error is None, (action, out.error)
        batch.add(out, day=engine.day, device="test", request_id=None, action=action)
        store.commit(batch)

    do("login", at(day, "08:00"), 1, staff_id="s1", pin=PIN)
    do("login", at(day, "08:00"), 3, staff_id="s3", pin=PIN)
    for code, hhmm, service in tickets:
        now = at(day, hhmm)
        do("issue_ticket", now, category=code, item=None, group="normal", applicant=None,
           lang="zh")
        do("call_next", now, window[code])
        do("finish", now + service, window[code])
    do("logout", at(day, "18:00"), 1)
    do("logout", at(day, "18:00"), 3)


@pytest.fixture
def store(tmp_path):
    store = Store(str(tmp_path / "hall.db"))
    yield store
    store.close()


def test_a_ledger_of_known_days_gives_the_known_profile(store):
    config = make_config(HOLIDAYS)
    play(store, config, "2024-03-04", [("A", "09:00", 300), ("A", "09:20", 600), ("B", "10:00", 200)])  # Monday
    play(store, config, "2024-03-11", [("A", "09:05", 450)])                                             # Monday
    play(store, config, "2024-03-05", [("A", "14:00", 100)] * 1 + [("A", "14:10", 100), ("A", "14:20", 100),
                                                                    ("A", "14:30", 100)])               # Tuesday
    learned = forecast.learn(store.forecast_events("2024-01-01", "2024-03-18"), config)
    monday = learned.for_day("2024-03-18", config.calendar)
    assert (monday.basis, monday.days) == ("mon", 2)
    assert set(monday.profile) == {"A", "B"} and set(monday.profile["A"]) == {9}
    assert monday.profile["A"][9].arrivals == 1.5 and monday.profile["A"][9].service_s == pytest.approx(450)
    assert monday.profile["B"] == {10: forecast.Hour(0.5, pytest.approx(200))}
    wednesday = learned.for_day("2024-03-20", config.calendar)   # never stored: every stored day
    assert (wednesday.basis, wednesday.days) == ("all_days", 3)
    assert wednesday.profile["A"][9].arrivals == 1.0 and wednesday.profile["A"][14].arrivals == pytest.approx(4 / 3)
    tuesday = learned.for_day("2024-03-19", config.calendar)     # one Tuesday stored, two needed (min_days)
    assert tuesday.basis == "all_days"
    # the next hour from 09:30: half of 09:00-10:00 and half of 10:00-11:00
    assert monday.between(9.5, 10.5) == {"A": (0.75, pytest.approx(450)), "B": (0.25, pytest.approx(200))}
    # a window of the store's days: what is learned for a day is only what was stored before it
    early = forecast.learn(store.forecast_events(*forecast.learning_span(config, "2024-03-11")), config)
    assert early.for_day("2024-03-11", config.calendar).days == 2 and early.days == {"mon": 1, "tue": 1,
                                                                                      "all_days": 2}


def test_the_days_next_to_a_holiday_have_their_own_type():
    calendar = make_config(HOLIDAYS).calendar
    kinds = {d: forecast.day_type(date.fromisoformat(d), calendar)
             for d in ("2024-04-03", "2024-04-04", "2024-04-06", "2024-04-07", "2024-04-08", "2024-04-09",
                       "2024-04-02")}
    # the official calendar makes Sunday 7 April 2024 a working day (调休): the first after the holiday
    assert kinds == {"2024-04-03": "before_holiday", "2024-04-04": "thu", "2024-04-06": "sat",
                     "2024-04-07": "after_holiday", "2024-04-08": "mon", "2024-04-09": "tue", "2024-04-02": "tue"}


def test_a_holiday_eve_learns_from_holiday_eves_not_from_its_weekday(store):
    config = make_config({**HOLIDAYS, "forecast": {"min_days": 1}})
    play(store, config, "2024-04-03", [("B", "09:00", 100), ("B", "09:10", 100)])    # Wednesday, holiday eve
    play(store, config, "2024-03-27", [("A", "09:00", 100)])                         # a plain Wednesday
    learned = forecast.learn(store.forecast_events("2024-03-01", "2024-05-01"), config)
    assert set(learned.for_day("2024-03-27", config.calendar).profile) == {"A"}
    assert forecast.day_type(date(2024, 4, 30), config.calendar) == "tue"
    eve = make_config({"calendar": {"holidays": ["2024-04-04", "2024-04-05", "2024-05-01"]},
                       "forecast": {"min_days": 1}})
    assert forecast.day_type(date(2024, 4, 30), eve.calendar) == "before_holiday"   # another holiday's eve
    assert learned.for_day("2024-04-30", config.calendar).basis == "all_days"
    on_eve = forecast.learn(store.forecast_events("2024-03-01", "2024-05-01"), eve).for_day("2024-04-30", eve.calendar)
    assert (on_eve.basis, on_eve.days, set(on_eve.profile)) == ("before_holiday", 1, {"B"})
    assert on_eve.profile["B"][9].arrivals == 2


def test_cold_start_from_the_config_until_days_are_stored(store):
    config = make_config({"forecast": {"cold_start": {"09": {"A": 12, "B": 3}, "10": {"A": 6}}}})
    expected = forecast.expected_for(store, config, "2024-03-18")
    assert (expected.basis, expected.days) == ("config", 0)
    assert expected.profile["A"] == {9: forecast.Hour(12, 300.0), 10: forecast.Hour(6, 300.0)}
    assert forecast.expected_for(store, make_config(), "2024-03-18") is None        # nothing to go on
    off = make_config({"forecast": {"enabled": False, "cold_start": {"09": {"A": 1}}}})
    assert forecast.expected_for(store, off, "2024-03-18") is None


@pytest.mark.parametrize("changes, key", [
    ({"forecast": {"cold_start": {"9": {"A": 1}}}}, "forecast.cold_start.9"),
    ({"forecast": {"cold_start": {"09": {"Z": 1}}}}, "forecast.cold_start.09.Z"),
    ({"forecast": {"cold_start": {"09": {"A": -1}}}}, "forecast.cold_start.09.A"),
    ({"forecast": {"weeks": 0}}, "forecast.weeks"),
    ({"forecast": {"enabled": "yes"}}, "forecast.enabled"),
    ({"forecast": {"colds": {}}}, "forecast.colds"),
])
def test_the_forecast_config_is_strict(changes, key):
    with pytest.raises(ConfigError) as caught:
        make_config(changes)
    assert caught.value.key.startswith(key), caught.value


def test_the_daily_report_shows_expected_today_in_both_languages(store):
    config = make_config()
    for day in ("2024-03-04", "2024-03-11"):
        play(store, config, day, [("A", "09:00", 300), ("A", "09:30", 300)])
    play(store, config, "2024-03-18", [("A", "09:00", 240)])
    engine = Engine(config, SECRET, at("2024-03-18", "18:00"))
    out = dispatch.apply(engine, "report", "admin-1", {"date": "2024-03-18"}, at("2024-03-18", "18:00"),
                         stored=StoreView(store, Batch()))
    daily = out.result["daily"]
    expected = daily["expected"]
    assert expected["label"] == {"zh": "今日预计", "en": "Expected today"}
    assert (expected["basis"], expected["days"], expected["arrivals"]) == ("mon", 2, 2.0)
    assert expected["basis_text"]["zh"] == "以往周一" and expected["categories"]["A"]["by_hour"] == {"09": 2.0}
    html = render(daily, {})
    assert "今日预计 Expected today" in html and "以往周一（2 天）" in html


def test_the_controller_starts_with_todays_forecast_from_its_store(store):
    from controller.service import load_engine

    config = make_config()
    for day in ("2024-03-04", "2024-03-11"):
        play(store, config, day, [("B", "10:00", 300)])
    engine = load_engine(config, store, at("2024-03-18", "08:00"))
    today = engine.expected_today()
    assert (today.day, today.basis, today.profile["B"][10].arrivals) == ("2024-03-18", "mon", 1.0)

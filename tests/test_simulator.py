"""The hall simulator: exactly M/M/c through the real engine, Erlang C over a long run, no ticket
ever lost or served twice, the three-way comparison and its command line."""
from __future__ import annotations

import heapq
import json
import random
import statistics

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from config.schema import ConfigError, validate
from controller.figures import of_day
from simulator import profile as profiles
from simulator.cli import comparison, run_variants
from simulator.hall import HallSim, draw_demand, next_day
from simulator.theory import erlang_c, mean_wait_s
from simulator.variants import hall_for
from tests.support.cli import run
from tests.support.engine import base_raw

SERVICE_S = 60.0
DAY = "2026-01-05"


def one_queue(c: int, categories=("A",)):
    """A hall of one (or a few) categories and c windows serving all of them first."""
    raw = base_raw()
    raw["categories"] = {code: {"name": {"zh": code, "en": code}, "prefix": code, "default_service_s": 60}
                         for code in categories}
    raw["items"], raw["staff"] = {}, {}
    raw["windows"] = {n: {"primary": list(categories)} for n in range(1, c + 1)}
    return validate(raw)


def mmc_profile(config, per_hour: float, hours) -> profiles.Profile:
    return profiles.parse({"arrivals": {f"{h:02d}": {"A": per_hour} for h in hours},
                           "service": {"A": {"mean_s": SERVICE_S}}, "staff": {"shifts": [["04:00", "23:59"]]},
                           "behaviour": {"priority_share": 0}}, config)


def fcfs(demand, c: int) -> list[float]:
    """Waits of an M/M/c queue served first come first served (Kiefer-Wolfowitz): each citizen
    goes to the window that comes free first."""
    free, waits = [0.0] * c, []
    for citizen in demand:
        start = max(citizen.at, heapq.heappop(free))
        waits.append(start - citizen.at)
        heapq.heappush(free, start + citizen.service_s)
    return waits


LOADS = [(3, 0.4), (3, 0.55), (3, 0.7)]


@pytest.mark.parametrize("c, rho", LOADS)
def test_the_engine_runs_exactly_an_mmc_queue(c, rho):
    """Through the real engine, every citizen waits exactly as in M/M/c first come first served:
    the simulator adds no delay of its own and the engine's call order is arrival order."""
    config = one_queue(c)
    per_hour = rho * c * 3600 / SERVICE_S
    profile = mmc_profile(config, per_hour, range(4, 4 + int(900 / per_hour)))
    hall = hall_for(config, profile, "static")
    demand = draw_demand(profile, hall, DAY, random.Random(c * 100 + int(rho * 100)))
    result, _ = HallSim(hall, profile, record=False).run_day(DAY, demand)
    assert result.issued == len(demand) > 800 and result.refused == 0
    expected = fcfs(demand, c)
    assert len(result.waits["A"]) == len(expected)
    assert max(abs(a - b) for a, b in zip(result.waits["A"], expected)) < 1e-6


@pytest.mark.parametrize("c, rho", LOADS)
def test_a_long_run_agrees_with_erlang_c(c, rho):
    """400,000 citizens a load from the simulator's own arrival and service draws, queued as the
    engine queues them (the test above): the mean wait is within 5 % of Erlang C, and the run is
    long enough that 5 % is more than 2.5 standard errors (batch means over 40 batches)."""
    config = one_queue(c)
    per_hour = rho * c * 3600 / SERVICE_S
    profile = mmc_profile(config, per_hour, range(24))      # arrivals round the clock: one long Poisson stream
    rng, day, free, waits = random.Random(2024 + c + int(rho * 100)), DAY, [0.0] * c, []
    while len(waits) < 400_000:
        for citizen in draw_demand(profile, config, day, rng):
            start = max(citizen.at, heapq.heappop(free))
            waits.append(start - citizen.at)
            heapq.heappush(free, start + citizen.service_s)
        day = next_day(day)
    waits = waits[2000:]                                      # the queue starts empty
    size = len(waits) // 40
    batches = [statistics.fmean(waits[i * size:(i + 1) * size]) for i in range(40)]
    theory = mean_wait_s(c, per_hour, SERVICE_S)
    simulated = statistics.fmean(waits)
    standard_error = statistics.stdev(batches) / len(batches) ** 0.5
    assert standard_error < 0.05 * theory / 2.5, (standard_error, theory)
    assert abs(simulated - theory) < 0.05 * theory, (c, rho, simulated, theory)


def test_erlang_c_formula():
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert mean_wait_s(1, 30, 60) == pytest.approx(60 * 0.5 / 0.5)    # M/M/1: ρ/(μ-λ)
    with pytest.raises(ValueError):
        erlang_c(2, 2.0)


BASE = one_queue(3, categories=("A", "B", "C"))


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rates=st.lists(st.integers(0, 40), min_size=3, max_size=3), windows=st.integers(1, 3),
       no_show=st.sampled_from([0.0, 0.2]), transfer=st.sampled_from([0.0, 0.2]), walk=st.sampled_from([0, 30]),
       priority=st.sampled_from([0.0, 0.3]), seed=st.integers(0, 10_000), tidal=st.booleans())
def test_a_simulated_day_never_loses_or_double_serves_a_ticket(rates, windows, no_show, transfer, walk, priority,
                                                             seed, tidal):
    raw = BASE.model_dump(mode="json")
    raw["windows"] = {str(n): {"primary": [code], "secondary": [], "tidal_capable": tidal and n == 1}
                      for n, code in zip(range(1, windows + 1), "ABC")}
    raw["tidal"] = {"sustain_s": 60, "min_hold_s": 120, "open_wait_s": 300, "close_wait_s": 60}
    config = validate(raw)
    profile = profiles.parse({
        "arrivals": {"09": dict(zip("ABC", rates)), "10": dict(zip("ABC", rates[::-1]))},
        "staff": {"shifts": [["09:00", "10:30"], ["10:45", "11:30"]]},
        "behaviour": {"no_show_share": no_show, "transfer_share": transfer, "walk_s": walk,
                      "priority_share": priority, "recall_s": 30}}, config)
    hall = hall_for(config, profile, "tidal")
    result, engine = HallSim(hall, profile).run_day(DAY, draw_demand(profile, hall, DAY, random.Random(seed)))
    at_window: dict[str, int] = {}
    finished, missed, issued, expired, category = [], set(), set(), set(), {}
    for event in result.ledger:
        tid = event["ticket_id"]
        if tid:
            category[tid] = event["after"]["category"]
        if event["kind"] == "ticket_issued":
            issued.add(tid)
        elif event["kind"] == "ticket_called":
            assert tid not in at_window, f"{tid} called while at window {at_window.get(tid)}"
            assert event["window"] not in at_window.values(), f"window {event['window']} holds two tickets"
            at_window[tid] = event["window"]
        elif event["kind"] in ("ticket_finished", "ticket_no_show", "ticket_held", "ticket_transferred"):
            assert at_window.pop(tid, None) is not None, f"{tid} left a window it was not at"
            if event["kind"] == "ticket_finished":
                finished.append(tid)
            elif event["kind"] == "ticket_no_show":
                missed.add(tid)
        elif event["kind"] == "ticket_closed_by_day_end":
            assert event["after"]["status"] == "expired", "a ticket was still at a window when the day ended"
            expired.add(tid)
    assert len(issued) == result.issued and not at_window
    assert len(finished) == len(set(finished)), "a ticket was served twice"
    assert issued == set(finished) | missed | expired, "a ticket was lost"
    assert not set(finished) & (missed | expired) and missed <= expired
    if not transfer:  # (a transfer may reach a queue whose staff have gone home: it expires, it is not lost)
        home = {code for n, w in config.windows.items() for code in w.primary}
        assert not {category[t] for t in expired - missed} & home, "a ticket its staff could serve was left waiting"
    assert not engine.waiting and engine.day == next_day(DAY)
    figures = of_day(DAY, result.ledger, timezone=hall.timezone)  # the day's figures: the same waits
    assert {code: figures["categories"][code]["avg_wait_s"] for code in result.waits} == pytest.approx(
        {code: statistics.fmean(waits) for code, waits in result.waits.items()}, abs=0.051)
    assert figures["hall"]["issued"] == result.issued and figures["hall"]["served"] == len(finished)


def test_three_ways_on_the_same_citizens(tmp_path):
    from config.loader import load

    config, _ = load("config/hall.yaml")
    profile = profiles.load("config/arrivals.yaml", config)
    runs = run_variants(config, profile, "2026-11-24")
    table = comparison(runs)
    issued = {v: result.issued for v, (result, _, _) in runs.items()}
    assert len(set(issued.values())) == 1 and issued["tidal"] > 400      # the same citizens each time
    social = {v: table["categories"]["social"][v]["avg_wait_s"] for v in table["variants"]}
    assert social["pooled"] < social["tidal"] < social["static"]
    assert table["switches"]["tidal"] >= 2 and table["switches"]["static"] == table["switches"]["pooled"] == 0
    tidal_report = runs["tidal"][1]
    assert tidal_report["hall"]["issued"] == issued["tidal"] and tidal_report["tidal"]["switches"] >= 2
    assert {s["window"] for s in tidal_report["tidal"]["list"]} <= {10, 11}


def test_the_arrivals_file_is_strict_and_names_the_key():
    config = one_queue(1)
    cases = [({"arrivals": {"9": {"A": 1}}}, "arrivals"), ({"arrivals": {"09": {"Z": 1}}}, "arrivals.09.Z"),
             ({"arrivals": {"09": {"A": 1}}, "colour": 1}, "colour"),
             ({"arrivals": {"09": {"A": 1}}, "staff": {"windows": [7]}}, "staff.windows"),
             ({"arrivals": {"09": {"A": 1}}, "service": {"A": {"mean_s": 0}}}, "service.A.mean_s"),
             ({"arrivals": {"09": {"A": 1}}, "staff": {"shifts": [["10:00", "09:00"]]}}, "staff.shifts")]
    for data, key in cases:
        with pytest.raises(ConfigError) as caught:
            profiles.parse(data, config)
        assert caught.value.key.startswith(key), (data, caught.value)


def test_simulate_command_prints_and_writes_the_report(tmp_path):
    out = tmp_path / "sim"
    done = run("simulate", "--arrivals", "config/arrivals.yaml", "--date", "2026-11-24", "--out", str(out),
               "--json", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "潮汐 tidal" in done.stdout and "社保医保 social" in done.stdout
    table = json.loads(done.stdout[done.stdout.index("{"):])
    assert table["variants"] == ["static", "tidal", "pooled"]
    saved = json.loads((out / "report-2026-11-24.json").read_text(encoding="utf-8"))
    assert saved["comparison"]["switches"]["tidal"] == table["switches"]["tidal"] and saved["source"] == "ledger"
    assert (out / "report-2026-11-24.html").read_text(encoding="utf-8").count("模拟对比") == 1
    bad = run("simulate", "--arrivals", "config/hall.yaml")
    assert bad.returncode == 2 and "arrivals" in bad.stderr


def _switching_hall():
    """Window 1 serves A and may switch (at once, held no time); window 2 serves B."""
    raw = one_queue(2, categories=("A", "B")).model_dump(mode="json")
    raw["windows"] = {"1": {"primary": ["A"], "tidal_capable": True}, "2": {"primary": ["B"]}}
    raw["tidal"] = {"sustain_s": 0, "min_hold_s": 0, "open_wait_s": 60, "close_wait_s": 30}
    config = validate(raw)
    profile = profiles.parse({"arrivals": {"09": {"A": 0}}, "staff": {"shifts": [["09:00", "10:00"]]},
                              "behaviour": {"priority_share": 0}}, config)
    return hall_for(config, profile, "tidal"), profile


@pytest.mark.parametrize("late", ["arrival", "transfer"])
def test_a_window_switched_while_a_ticket_is_issued_calls_it(late):
    """The policy's review runs inside the command that issues a ticket (or transfers one): the window it
    sends home calls that very ticket at once, before the simulator had registered the citizen (it
    crashed with a KeyError)."""
    from simulator.hall import Citizen, day_start

    hall, profile = _switching_hall()
    nine = day_start(DAY, hall.timezone) + 9 * 3600
    demand = [Citizen(nine + 1, "B", "normal", 100), Citizen(nine + 2, "B", "normal", 5)]
    # 09:00:15 window 1 switches to B and serves the second B in 5 s; idle from 09:00:20. The review due at
    # 09:00:25 runs when the next citizen comes (09:00:26): B is short, window 1 goes home and calls A at once.
    if late == "arrival":
        demand.append(Citizen(nine + 26, "A", "normal", 30))
    else:  # a B citizen served by window 2 from 09:00:01 for 25 s is sent on to A at 09:00:26
        demand[0] = Citizen(nine + 1, "B", "normal", 25, transfer_to="A", second_service_s=30)
    result, _ = HallSim(hall, profile, supervise=False).run_day(DAY, demand)
    switches = [(e["window"], e["data"]["to"]) for e in result.ledger if e["kind"] == "tidal_switched"]
    assert switches == [(1, "B"), (1, None)]
    calls = [(e["window"], e["after"]["category"]) for e in result.ledger if e["kind"] == "ticket_called"]
    assert calls[-1] == (1, "A") and len(result.waits["A"]) == 1


def test_the_realistic_bounds_serve_as_the_variants_say():
    """skill-pooled: tidal-capable windows serve everything first, the rest their own; home-first: tidal-capable
    windows keep their own first and help every other category; neither switches."""
    raw = one_queue(3, categories=("A", "B", "C")).model_dump(mode="json")
    raw["windows"] = {"1": {"primary": ["A"], "tidal_capable": True}, "2": {"primary": ["B"]},
                      "3": {"primary": ["C"], "secondary": ["A"]}}
    config = validate(raw)
    profile = profiles.parse({"arrivals": {"09": {"A": 5, "B": 40, "C": 5}}, "behaviour": {"priority_share": 0},
                              "staff": {"shifts": [["09:00", "11:00"]]}}, config)
    skill, home = hall_for(config, profile, "skill_pooled"), hall_for(config, profile, "home_first")
    assert [(w.primary, w.secondary) for w in skill.windows.values()] == [
        (["A", "B", "C"], []), (["B"], []), (["C"], ["A"])]
    assert [(w.primary, w.secondary) for w in home.windows.values()] == [(["A"], []), (["B"], []), (["C"], ["A"])]
    assert [home.helps_others(n) for n in home.windows] == [True, False, False]
    assert not skill.tidal.enabled and not home.tidal.enabled
    runs = run_variants(config, profile, DAY, ("static", "skill_pooled", "home_first"), seed=3)
    table = comparison(runs)
    assert len({result.issued for result, _, _ in runs.values()}) == 1
    b = {v: table["categories"]["B"][v]["avg_wait_s"] for v in table["variants"]}
    assert b["skill_pooled"] < b["static"] and b["home_first"] < b["static"]   # window 1 helps the B rush
    served_b_at_1 = {v: sum(1 for e in r.ledger if e["kind"] == "ticket_called" and e["window"] == 1
                            and e["after"]["category"] == "B") for v, (r, _, _) in runs.items()}
    assert served_b_at_1["static"] == 0 and served_b_at_1["home_first"] > 10
    assert set(table["switches"].values()) == {0}


def test_the_rota_variants_get_the_forecast_right_late_or_noisy():
    config = one_queue(2, categories=("A", "B"))
    profile = profiles.parse({"arrivals": {"09": {"A": 10, "B": 40}, "10": {"A": 20}},
                              "staff": {"shifts": [["09:00", "11:00"]]}}, config)
    right, late, noisy = (hall_for(config, profile, v, seed=4) for v in ("rota", "rota_shifted", "rota_noisy"))
    assert right.tidal.policy == "rota" and right.tidal.home_first and right.tidal.enabled
    assert right.forecast.cold_start == {"09": {"A": 10, "B": 40}, "10": {"A": 20}}
    assert late.forecast.cold_start == {"10": {"A": 10, "B": 40}, "11": {"A": 20}}
    rates = [noisy.forecast.cold_start[h][c] / profile.arrivals[h][c] for h in ("09", "10") for c in profile.arrivals[h]]
    assert all(0.7 <= r <= 1.3 for r in rates) and len(set(rates)) == 3
    assert hall_for(config, profile, "rota_noisy", seed=4) == noisy != hall_for(config, profile, "rota_noisy", seed=5)

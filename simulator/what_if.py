"""`main.py simulate --what-if`: the director's question — how would tomorrow go with this roster and policy?

Tomorrow's citizens are drawn from the forecast (controller/forecast.py: learned
from the controller's store, `--db`, else the config's `forecast.cold_start`):
per category and hour its expected tickets as a Poisson rate, its expected
service time as the mean. The same citizens then meet two halls:

- `current`: the hall as configured (its tidal policy and home-first windows),
  with the current roster (`--roster-now`, default every window over the
  ticketing hours);
- `proposed`: the proposed policy (`--policy`, `--home-first`) and roster
  (`--roster`).

A roster file is the arrivals file's `staff` section: `windows` (the staffed
windows; [] = all) and `shifts` ([[HH:MM, HH:MM], ...]). Both halls get the
forecast as their own, so a rota proposal plans from it. The comparison is
printed like `main.py simulate`'s (per category average / p90 wait, switches).
"""
from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from config.loader import load
from config.schema import ConfigError, validate
from controller import forecast
from controller.report import day_report, names_of

from . import profile as profiles
from .hall import HallSim, draw_demand, sim_staff

POLICIES = ("static", "threshold", "rota")


def roster(path: str | None, config) -> profiles.Staffing:
    """A roster file (windows, shifts), strict like the arrivals file; None: every window over the ticketing
    hours (else 08:30-17:30)."""
    if path is None:
        return profiles.Staffing(shifts=[tuple(s) for s in config.ticketing_hours] or [("08:30", "17:30")])
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError("(file)", f"{path} is not valid YAML: {exc}") from None
    return profiles.parse({"arrivals": {"00": {}}, "staff": data}, config).staff


def arrivals_of(expected: forecast.Expected) -> dict[str, dict[str, float]]:
    """The forecast as an arrivals file's rates: tickets per hour by local hour, per category."""
    arrivals: dict[str, dict[str, float]] = {}
    for code, hours in sorted(expected.profile.items()):
        for hour, h in sorted(hours.items()):
            arrivals.setdefault(f"{hour:02d}", {})[code] = round(min(h.arrivals, 10000), 3)
    return dict(sorted(arrivals.items()))


def tomorrow_profile(expected: forecast.Expected, config, staff: profiles.Staffing, seed: int) -> profiles.Profile:
    """The arrivals profile of the forecast day: rates and mean service times as expected."""
    service = {code: {"mean_s": round(min(max(s["service_s"], 1.0), 14400), 1)}
               for code, s in expected.summary()["categories"].items() if s["service_s"]}
    return profiles.parse({"seed": seed, "arrivals": arrivals_of(expected) or {"00": {}}, "service": service,
                           "staff": staff.model_dump(mode="json")}, config)


def hall_of(config, expected: forecast.Expected, staff: profiles.Staffing, policy: str | None = None,
            home_first: bool = False):
    """The config a run plays: simulated staff on the roster's windows, the forecast as its own; with `policy`
    the proposed tidal policy (static: none), else the hall's own."""
    raw = config.model_dump(mode="json")
    raw["staff"] = sim_staff(config, staff.windows or sorted(config.windows))
    raw["forecast"] = {**raw["forecast"], "enabled": True, "cold_start": arrivals_of(expected)}
    if policy is not None:
        raw["tidal"]["enabled"] = policy != "static"
        raw["tidal"]["policy"] = "rota" if policy == "rota" else "threshold"
        raw["tidal"]["home_first"] = home_first
    return validate(raw)


def what_if(config, expected: forecast.Expected, now_staff, proposed_staff, policy: str, home_first: bool,
            seed: int) -> dict:
    """{"current" | "proposed": (SimResult, report, seconds)} on the same citizens."""
    import time

    demand_profile = tomorrow_profile(expected, config, now_staff, seed)
    demand = draw_demand(demand_profile, config, expected.day, random.Random(seed))
    names, out = names_of(config), {}
    for name, staff, hall in (("current", now_staff, hall_of(config, expected, now_staff)),
                              ("proposed", proposed_staff,
                               hall_of(config, expected, proposed_staff, policy, home_first))):
        started = time.perf_counter()
        profile = demand_profile.model_copy(update={"staff": staff})
        result, _ = HallSim(hall, profile).run_day(expected.day, demand)
        report = day_report(expected.day, result.ledger, timezone=config.timezone, names=names, expected=expected)
        out[name] = (result, report, time.perf_counter() - started)
    return out


def expected_day(config, db: str | None, day: str) -> forecast.Expected | None:
    """The forecast of `day` from the controller's store if there is one, else the config's cold start."""
    if db and Path(db).exists():
        from controller.store import Store

        store = Store(db)
        try:
            return forecast.expected_for(store, config, day)
        finally:
            store.close()
    return forecast.learn((), config).for_day(day, config.calendar) if config.forecast.enabled else None


def cmd_what_if(args) -> int:
    from .cli import comparison, print_comparison

    try:
        config, _ = load(args.config)
        now_staff, proposed_staff = roster(args.roster_now, config), roster(args.roster, config)
    except (ConfigError, OSError) as exc:
        print(f"cannot simulate: {exc}", file=sys.stderr)
        return 2
    day = args.date or (datetime.now(ZoneInfo(config.timezone)).date() + timedelta(days=1)).isoformat()
    expected = expected_day(config, args.db, day)
    if expected is None:
        print(f"cannot simulate {day}: no forecast — no stored days in {args.db} and no forecast.cold_start in "
              "the config", file=sys.stderr)
        return 2
    runs = what_if(config, expected, now_staff, proposed_staff, args.policy, args.home_first,
                   args.seed if args.seed is not None else 1)
    table = comparison(runs)
    summary = expected.summary()
    print(f"假设模拟 what if, {day}: {config.name.zh} / {config.name.en}")
    print(f"预计 expected: {summary['arrivals']:.0f} tickets, from "
          f"{summary['basis_text']['zh']} / {summary['basis_text']['en']} ({summary['days']} days)")
    print(f"proposed: policy {args.policy}{' + home-first' if args.home_first else ''}, "
          f"{len(proposed_staff.windows) or len(config.windows)} windows, shifts {proposed_staff.shifts}; "
          f"current: {len(now_staff.windows) or len(config.windows)} windows, shifts {now_staff.shifts}")
    print_comparison(table, names_of(config))
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=2))
    return 0

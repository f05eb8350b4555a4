"""`main.py simulate`: play a day of the hall three ways and report it like a real day.

The same citizens (one draw of the arrivals file) meet static windows, the
tidal policy and fully pooled windows; the comparison is printed and, with
the full report of one of the runs, written to `--out`.
"""
from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from config.loader import load
from config.schema import ConfigError
from controller.report import day_report, names_of

from . import profile as profiles
from .hall import HallSim, draw_demand
from .variants import DEFAULT, VARIANTS, hall_for

NAMES = {"static": "固定 static", "tidal": "潮汐 tidal", "pooled": "通办 pooled", "skill_pooled": "能者通办 skill-pooled",
         "home_first": "先本后他 home-first", "rota": "预测排班 rota", "rota_shifted": "预测晚一小时 rota, late",
         "rota_noisy": "预测±30% rota, noisy", "current": "现行 current", "proposed": "方案 proposed"}


def run_variants(config, profile, day: str, variants=DEFAULT, *, seed: int | None = None, supervise: bool = True):
    """{variant: (SimResult, report, seconds)} for the same citizens."""
    demand = draw_demand(profile, config, day, random.Random(profile.seed if seed is None else seed))
    names = names_of(config)
    out = {}
    for variant in variants:
        started = time.perf_counter()
        hall = hall_for(config, profile, variant, seed=profile.seed if seed is None else seed)
        result, _ = HallSim(hall, profile, supervise=supervise).run_day(day, demand)
        report = day_report(day, result.ledger, timezone=config.timezone, names=names)
        out[variant] = (result, report, time.perf_counter() - started)
    return out


def comparison(runs: dict) -> dict:
    """Wait figures of every variant side by side, per category and for the hall."""
    pick = ("avg_wait_s", "p90_wait_s", "max_wait_s", "served")
    variants = list(runs)
    first = runs[variants[0]][1]
    return {"variants": variants,
            "hall": {v: {k: runs[v][1]["hall"][k] for k in pick} for v in variants},
            "categories": {code: {v: {k: runs[v][1]["categories"].get(code, {}).get(k) for k in pick}
                                  for v in variants} for code in first["categories"]},
            "switches": {v: runs[v][1]["tidal"]["switches"] for v in variants},
            "alerts": {v: runs[v][1]["alerts"]["opened"] for v in variants},
            "issued": runs[variants[0]][0].issued, "refused": runs[variants[0]][0].refused,
            "seconds": {v: round(runs[v][2], 2) for v in variants}}


def print_comparison(table: dict, names: dict) -> None:
    variants = table["variants"]
    minutes = lambda v: "   -" if v is None else f"{v / 60:5.1f}"
    print(f"{'平均等候 / 90% (分钟) avg / p90 wait (min)':40}" + "".join(f"{NAMES.get(v, v):>18}" for v in variants))
    rows = [("全厅 hall", table["hall"])] + [
        (f"{names['categories'].get(c, {}).get('zh', c)} {c}", by) for c, by in table["categories"].items()]
    for label, by_variant in rows:
        cells = "".join(f"{minutes(by_variant[v]['avg_wait_s'])} / {minutes(by_variant[v]['p90_wait_s'])}".rjust(18)
                        for v in variants)
        print(f"{label:40}{cells}")
    print(f"{'潮汐切换 tidal switches':40}" + "".join(f"{table['switches'][v]:>18}" for v in variants))
    print(f"{'电子监察告警 alerts':40}" + "".join(f"{table['alerts'][v]:>18}" for v in variants))
    print(f"tickets issued {table['issued']}, refused outside ticketing hours or caps {table['refused']}; "
          f"simulated in {', '.join(f'{v} {s}s' for v, s in table['seconds'].items())}")


def cmd_simulate(args) -> int:
    from reports.files import write_report

    if args.what_if:
        from .what_if import cmd_what_if

        return cmd_what_if(args)
    try:
        config, _ = load(args.config)
        profile = profiles.load(args.arrivals, config)
    except (ConfigError, OSError) as exc:
        print(f"cannot simulate: {exc}", file=sys.stderr)
        return 2
    day = args.date or profile.date or datetime.now(ZoneInfo(config.timezone)).date().isoformat()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or args.report not in variants:
        print(f"--variants: choose from {', '.join(VARIANTS)}, including the --report one ({args.report})",
              file=sys.stderr)
        return 2
    runs = run_variants(config, profile, day, variants, seed=args.seed)
    table = comparison(runs)
    names = names_of(config)
    print(f"模拟 simulated day {day}: {config.name.zh} / {config.name.en}")
    print_comparison(table, names)
    report = runs[args.report][1]
    out = args.out or f"sim-report-{day}"
    files = write_report(report, out, charts_too=not args.no_charts, comparison=table)
    print(f"{NAMES[args.report]} report: {', '.join(str(p) for p in files.values())}")
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=2))
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("simulate", help="a whole hall day in simulated time: static vs tidal vs pooled windows",
                       description="Play a day of citizens (an arrivals file) through the real queue engine, "
                                   "tidal policy and supervision, three ways; print the comparison and write "
                                   "the day's report (JSON, CSV, HTML with charts).")
    p.add_argument("--config", default="config/hall.yaml", help="hall config file (default config/hall.yaml)")
    p.add_argument("--arrivals", default="config/arrivals.yaml",
                   help="arrivals per hour and category, service times, staffing (default config/arrivals.yaml)")
    p.add_argument("--date", help="the simulated day YYYY-MM-DD (default: the file's date, else today)")
    p.add_argument("--seed", type=int, help="random seed (default: the file's seed)")
    p.add_argument("--variants", default=",".join(DEFAULT),
                   help=f"which to run, of {','.join(VARIANTS)} (default {','.join(DEFAULT)})")
    p.add_argument("--report", default="tidal", choices=VARIANTS, help="whose full report to write (default tidal)")
    p.add_argument("--out", help="folder for the report files (default sim-report-<date>)")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts (no matplotlib needed)")
    p.add_argument("--json", action="store_true", help="also print the comparison as JSON")
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    w = p.add_argument_group("what if (simulator/what_if.py)", "tomorrow from the forecast: the hall as it is vs a "
                             "proposed policy and roster, on the same citizens")
    w.add_argument("--what-if", action="store_true", help="simulate --date (default tomorrow) from the forecast")
    w.add_argument("--db", default="hall.db", help="the controller's store to learn the forecast from "
                   "(default hall.db; missing: the config's forecast.cold_start)")
    w.add_argument("--policy", default="rota", choices=["static", "threshold", "rota"],
                   help="the proposed tidal policy (default rota)")
    w.add_argument("--home-first", action="store_true", help="the proposal's tidal-capable windows are home-first")
    w.add_argument("--roster", help="the proposed roster: YAML with windows and shifts (default every window)")
    w.add_argument("--roster-now", help="the current roster, the same way (default every window)")
    p.set_defaults(func=cmd_simulate)

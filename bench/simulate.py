#!/usr/bin/env python3
"""Benchmark of the hall simulator: a busy day of a 60-window hall, static vs tidal vs pooled windows.

Run: `nice .venv/bin/python bench/simulate.py [--seeds N] [--variants a,b] [--scenarios busy,overloaded]`
(docs/benchmarks.md, "Simulated busy day").

The hall (built here, not a file): the demo hall's six categories, 60 windows each serving one
category first and nothing else (so "static" really is static), 13 of them tidal-capable; open
08:00-17:00 with every window staffed all day. The day: about 8,000 citizens, a Poisson stream per
category whose hourly rate follows a profile — social insurance (社保医保) surges in the morning to
well above what its own windows can serve, general affairs and tax are light then and peak in the
afternoon. Over the day the hall is about 90 % busy, so the windows exist; the question is whether
they are in the right place at the right time.

The same citizens (service times, no-shows, transfers included) meet every hall of
`simulator/variants.py` (static, tidal, pooled, skill-pooled, home-first, ...), seed after seed.
Reported per variant, as the median and range over the seeds: the hall's and the surge category's
average wait, tidal switches, and ratios paired seed by seed (to skill-pooled, the realistic bound;
to today's tidal; the worst category over static) — the figures issue 17's aims are stated in.
The saved JSON keeps every seed's full comparison. No figure is asserted: a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.schema import validate
from simulator import profile as profiles
from simulator.cli import comparison, run_variants

DAY = "2026-11-24"
TICKETS = 8000
HOURS = list(range(8, 17))  # 08:00-17:00
WINDOWS = 60
MORNING = [1.8, 1.9, 1.7, 1.2, 0.7, 0.5, 0.4, 0.4, 0.4]      # the surge (mean 1.0 over the day)
AFTERNOON = [0.8, 0.8, 0.9, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1]
FLAT = [1.0] * 9
# category: (zh, en, prefix, share of the day's tickets, mean service s, tidal-capable windows, hourly shape).
# Ticket numbers have three digits, so a category issues at most 999 a day: ten categories carry 8,000.
MIX = {
    "general": ("综合受理", "General Affairs", "A", 0.12, 130, 3, AFTERNOON),
    "social": ("社保医保", "Social & Medical Insurance", "B", 0.12, 200, 0, MORNING),
    "pension": ("养老保险", "Pensions", "K", 0.10, 200, 0, FLAT),
    "household": ("户籍", "Household Registration", "G", 0.11, 150, 3, AFTERNOON),
    "tax": ("税务", "Taxation", "E", 0.11, 150, 3, AFTERNOON),
    "vehicle": ("车驾管", "Vehicles & Licences", "H", 0.10, 170, 2, FLAT),
    "entry_exit": ("出入境", "Entry & Exit", "J", 0.09, 200, 0, FLAT),
    "fund": ("公积金", "Housing Provident Fund", "F", 0.09, 180, 2, FLAT),
    "estate": ("不动产登记", "Real Estate Registration", "C", 0.08, 300, 0, FLAT),
    "business": ("企业开办", "Business Registration", "D", 0.08, 260, 0, FLAT),
}
TIDAL = {"open_wait_s": 300, "open_oldest_wait_s": 900, "close_wait_s": 90, "sustain_s": 60, "min_hold_s": 900,
         "max_windows": 14,
         # the rota variants (tidal.policy: rota): lenders may go up to 0.85 without the window (the default 0.8
         # lends one window on the busy morning, where the lenders run at 0.6-0.8), the rest as defaulted
         "rota": {"lend_below": 0.85}}
# service times scaled: "busy" is the day above (about 78 % of the hall's capacity over the day, pooled waits
# near zero); "overloaded" has 15 % longer services, so the afternoon peak exceeds what the hall can serve.
SCENARIOS = {"busy": 1.0, "overloaded": 1.15}


def allocation() -> dict[str, int]:
    """Windows per category in proportion to its day-average load (largest remainder), 60 in all."""
    load = {code: share * TICKETS / len(HOURS) * service / 3600 for code, (_, _, _, share, service, _, _) in MIX.items()}
    exact = {code: WINDOWS * x / sum(load.values()) for code, x in load.items()}
    counts = {code: int(x) for code, x in exact.items()}
    for code in sorted(exact, key=lambda c: counts[c] - exact[c])[:WINDOWS - sum(counts.values())]:
        counts[code] += 1
    return counts


def bench_hall(scale: float = 1.0, rota: dict | None = None) -> tuple:
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw.update({"hall": "bench-sim", "ticketing_hours": [], "staff": {}, "items": {},
                "tidal": {**TIDAL, "rota": {**TIDAL["rota"], **(rota or {})}}})
    raw["categories"] = {code: {"name": {"zh": zh, "en": en}, "prefix": prefix,
                                "default_service_s": round(service * scale),
                                "order": i} for i, (code, (zh, en, prefix, _, service, _, _)) in enumerate(MIX.items())}
    windows, number = {}, 1
    for code, count in allocation().items():
        for i in range(count):
            windows[number] = {"primary": [code], "tidal_capable": i < MIX[code][5]}
            number += 1
    raw["windows"] = windows
    config = validate(raw)
    per_hour = TICKETS / len(HOURS)
    profile = profiles.parse({
        "seed": 1,
        "arrivals": {f"{h:02d}": {code: round(m[3] * per_hour * m[6][i], 1) for code, m in MIX.items()}
                     for i, h in enumerate(HOURS)},
        "service": {code: {"mean_s": round(m[4] * scale), "dist": "lognormal", "cv": 0.8} for code, m in MIX.items()},
        "staff": {"shifts": [["08:00", "17:00"]]},
        "behaviour": {"priority_share": 0.05, "no_show_share": 0.02, "transfer_share": 0.01, "walk_s": 20,
                      "recall_s": 45}}, config)
    return config, profile


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=False)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                               check=False).stdout
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty.strip() else "")
    except OSError:
        return "unknown"


VARIANTS = ("static", "tidal", "pooled", "skill_pooled", "home_first", "rota", "rota_shifted", "rota_noisy")
SURGE = "social"


def spread(values) -> dict:
    """Median and range over the seeds (the days are paired: the same citizens meet every variant)."""
    values = list(values)
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def worst_over_static(table: dict, variant: str) -> tuple[float, float, float]:
    """(largest ratio, largest excess in minutes, largest excess beyond the aim's allowance in minutes) of a
    category's average wait over static's; the aim allows 35 % or 2.5 min, whichever is larger."""
    ratios, excess, beyond = [], [], []
    for by in table["categories"].values():
        mine, static = by[variant]["avg_wait_s"], by["static"]["avg_wait_s"]
        if mine is None or static is None:
            continue
        ratios.append(mine / max(static, 1.0))
        excess.append((mine - static) / 60)
        beyond.append((mine - static - max(0.35 * static, 150)) / 60)
    return max(ratios), max(excess), max(beyond)


def paired(runs: list[dict], variants) -> dict:
    """Per variant: hall and surge averages (min), switches, and the paired ratios the aims are about."""
    out = {}
    for v in variants:
        hall = [r["hall"][v]["avg_wait_s"] for r in runs]
        surge = [r["categories"][SURGE][v]["avg_wait_s"] for r in runs]
        row = {"hall_min": spread(x / 60 for x in hall), "surge_min": spread(x / 60 for x in surge),
               "switches": spread(r["switches"][v] for r in runs)}
        for base in ("skill_pooled", "tidal", "static"):
            if base != v and base in variants:
                row[f"hall_vs_{base}"] = spread(r["hall"][v]["avg_wait_s"] / max(r["hall"][base]["avg_wait_s"], 1.0)
                                                for r in runs)
                row[f"surge_vs_{base}"] = spread(r["categories"][SURGE][v]["avg_wait_s"]
                                                 / max(r["categories"][SURGE][base]["avg_wait_s"], 1.0) for r in runs)
        if v != "static" and "static" in variants:
            worst = [worst_over_static(r, v) for r in runs]
            row["worst_ratio_over_static"] = spread(w[0] for w in worst)
            row["worst_minutes_over_static"] = spread(w[1] for w in worst)
            row["beyond_allowance_min"] = spread(w[2] for w in worst)
        out[v] = row
    return out


def fmt(s: dict, digits: int = 2) -> str:
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}-{s['max']:.{digits}f}]"


def print_paired(scenario: str, table: dict) -> None:
    print(f"\n{scenario} day: median [min-max] over the seeds; ratios paired seed by seed")
    columns = [("hall min", "hall_min"), ("surge min", "surge_min"), ("switches", "switches"),
               ("hall/skill", "hall_vs_skill_pooled"), ("surge/skill", "surge_vs_skill_pooled"),
               ("hall/tidal", "hall_vs_tidal"), ("worst x static", "worst_ratio_over_static"),
               ("worst +min", "worst_minutes_over_static"), ("beyond aim min", "beyond_allowance_min")]
    print(f"{'':22}" + "".join(f"{name:>22}" for name, _ in columns))
    for v, row in table.items():
        print(f"{v:22}" + "".join(f"{fmt(row[key], 0 if key == 'switches' else 2):>22}" if key in row else f"{'-':>22}"
                                  for _, key in columns))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="days simulated per scenario, each with other citizens")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"which halls (default {','.join(VARIANTS)})")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="busy, overloaded or both")
    parser.add_argument("--rota", default="", metavar="KEY=VALUE,...",
                        help="the rota's knobs (tidal.rota: need_above, lend_below, return_below, every_s, min_hold_s)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/simulate-*.json")
    args = parser.parse_args()
    rota = {k: float(v) for k, v in (item.split("=") for item in args.rota.split(",") if item)}
    variants = [v for v in args.variants.split(",") if v]
    saved = {}
    for scenario in [s for s in args.scenarios.split(",") if s]:
        scale = SCENARIOS[scenario]
        config, profile = bench_hall(scale, rota)
        runs = []
        for seed in range(1, args.seeds + 1):
            table = comparison(run_variants(config, profile, DAY, variants, seed=seed))
            runs.append(table)
            print(f"{scenario} day, seed {seed}: {table['issued']} tickets, switches {table['switches']}, "
                  f"seconds per variant {table['seconds']}", flush=True)
        figures = paired(runs, variants)
        print_paired(scenario, figures)
        seconds = [s for r in runs for s in r["seconds"].values()]
        print(f"simulated: {statistics.fmean(r['issued'] for r in runs):.0f} tickets a day on 60 windows in "
              f"{min(seconds):.1f}-{max(seconds):.1f} s per variant (median {statistics.median(seconds):.1f} s)\n")
        saved[scenario] = {"scale": scale, "runs": runs, "paired": figures}
    if not args.no_save:
        out = ROOT / "bench" / "results" / f"simulate-{datetime.now():%Y%m%d-%H%M%S}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"scenarios": saved, "tidal": {**TIDAL, "rota": {**TIDAL["rota"], **rota}}, "mix": MIX, "seeds": args.seeds,
                                   "variants": variants, "commit": git_commit(),
                                   "python": platform.python_version(), "nproc": os.cpu_count(),
                                   "loadavg_at_end": os.getloadavg()}, ensure_ascii=False, indent=1))
        print(f"saved {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Benchmark of the hall simulator: a busy day of a 60-window hall, static vs tidal vs pooled windows.

Run: `.venv/bin/python bench/simulate.py [--seeds N] [--days-report]` (docs/benchmarks.md, "Simulated busy day").

The hall (built here, not a file): the demo hall's six categories, 60 windows each serving one
category first and nothing else (so "static" really is static), 16 of them tidal-capable; open
08:00-17:00 with every window staffed all day. The day: about 8,000 citizens, a Poisson stream per
category whose hourly rate follows a profile — social insurance (社保医保) surges in the morning to
well above what its own windows can serve, general affairs and tax are light then and peak in the
afternoon. Over the day the hall is about 90 % busy, so the windows exist; the question is whether
they are in the right place at the right time.

The same citizens (service times, no-shows, transfers included) meet three halls:
static (tidal policy off), tidal (the policy with this hall's thresholds) and pooled (every window
serves every category, one queue: the best any assignment could do). Reported per variant:
average and p90 wait per category and for the hall, tidal switches, alerts, and the wall time of
the simulation (the real engine, the tidal policy and the Supervisor, the ledger kept in memory).

Aim (issue 6): tidal brings the overloaded category's average wait within 25 % of pooled, where
static is far from it. No figure is asserted: this is a benchmark, not a test.
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
         "max_windows": 14}
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


def bench_hall(scale: float = 1.0) -> tuple:
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw.update({"hall": "bench-sim", "ticketing_hours": [], "staff": {}, "items": {}, "tidal": TIDAL})
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


def summary(runs: list[dict]) -> dict:
    """Mean over the simulated days of avg and p90 wait (minutes) per category and variant."""
    out = {}
    for code in ["hall", *MIX]:
        out[code] = {}
        for variant in ("static", "tidal", "pooled"):
            pick = [r["hall"][variant] if code == "hall" else r["categories"][code][variant] for r in runs]
            out[code][variant] = {k: round(statistics.fmean(p[k] for p in pick) / 60, 2)
                                  for k in ("avg_wait_s", "p90_wait_s")}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="days simulated per scenario, each with other citizens")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/simulate-*.json")
    args = parser.parse_args()
    saved = {}
    for scenario, scale in SCENARIOS.items():
        config, profile = bench_hall(scale)
        runs = []
        for seed in range(1, args.seeds + 1):
            table = comparison(run_variants(config, profile, DAY, seed=seed))
            runs.append(table)
            print(f"{scenario} day, seed {seed}: {table['issued']} tickets, {table['switches']['tidal']} tidal "
                  f"switches, seconds per variant {table['seconds']}", flush=True)
        means = summary(runs)
        print(f"\n{scenario} day, mean of {len(runs)}: avg / p90 wait (min)")
        print(f"{'':14}{'static':>16}{'tidal':>16}{'pooled':>16}")
        for code, by in means.items():
            print(f"{code:14}" + "".join(f"{by[v]['avg_wait_s']:7.1f} / {by[v]['p90_wait_s']:5.1f}  "
                                         for v in ("static", "tidal", "pooled")))
        social = means["social"]
        gap = social["tidal"]["avg_wait_s"] / max(social["pooled"]["avg_wait_s"], 1e-9)
        print(f"social: tidal {social['tidal']['avg_wait_s']:.1f} min vs pooled {social['pooled']['avg_wait_s']:.1f} "
              f"(x{gap:.2f}; aim x1.25), static {social['static']['avg_wait_s']:.1f}")
        seconds = [s for r in runs for s in r["seconds"].values()]
        print(f"simulated: {statistics.fmean(r['issued'] for r in runs):.0f} tickets a day on 60 windows in "
              f"{min(seconds):.1f}-{max(seconds):.1f} s per variant (median {statistics.median(seconds):.1f} s)\n")
        saved[scenario] = {"scale": scale, "runs": runs, "mean_minutes": means}
    if not args.no_save:
        out = ROOT / "bench" / "results" / f"simulate-{datetime.now():%Y%m%d-%H%M%S}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"scenarios": saved, "tidal": TIDAL, "mix": MIX, "commit": git_commit(),
                                   "python": platform.python_version(), "nproc": os.cpu_count(),
                                   "loadavg_at_end": os.getloadavg()}, ensure_ascii=False, indent=1))
        print(f"saved {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A day's report written into a folder: JSON (everything), CSV (for spreadsheets), HTML with PNG charts.

CSV files start with a UTF-8 byte-order mark so Excel, which many halls use
for their 台账, opens the Chinese names correctly.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from contract.messages import OUTCOMES

from . import charts, page

COLUMNS = ("issued", "served", "no_show", "transferred", "expired", "unfinished", "waiting", "held", "avg_wait_s",
           "p90_wait_s", "max_wait_s", "avg_service_s", "p90_service_s", "peak_hour", "rated", "avg_rating",
           "bad_ratings", "staffed_s", "busy_s", "load_pct")
# the served by their outcome at the window (docs/figures.md, `outcomes`), one column each
OUTCOME_COLUMNS = tuple(f"outcome_{name}" for name in OUTCOMES)
HOUR_COLUMNS = ("hour", "label", "issued", "served", "avg_wait_s", "p90_wait_s", "max_waiting")


def name_of(report: dict, scope: str, key: str) -> tuple[str, str]:
    """(zh, en) of a category, window or staff member, as far as the report knows it."""
    names = report.get("names") or {}
    if scope == "hall":
        return "全厅", "Hall"
    if scope == "staff":
        masked = names.get("staff", {}).get(key, "")
        return masked or key, key
    found = names.get({"category": "categories", "window": "windows"}[scope], {}).get(key)
    if found:
        return found["zh"], found["en"]
    return (f"{key}号窗口", f"Window {key}") if scope == "window" else (key, key)


def rows(report: dict):
    """(scope, key, bucket) of every line of the summary, hall first."""
    yield "hall", "", report["hall"]
    for scope, section in (("category", "categories"), ("window", "windows"), ("staff", "staff")):
        for key, bucket in report[section].items():
            yield scope, key, bucket


def write_csv(path: Path, header, lines) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(lines)
    return path


def write_report(report: dict, out: str | Path, *, charts_too: bool = True, comparison: dict | None = None) -> dict:
    """Write every file of one day's report into `out`; returns {kind: path}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    day = report["day"]
    files = {}
    data = {**report, **({"comparison": comparison} if comparison else {})}
    files["json"] = out / f"report-{day}.json"
    files["json"].write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    files["csv"] = write_csv(out / f"report-{day}.csv",
                             ("scope", "key", "name_zh", "name_en", *COLUMNS, *OUTCOME_COLUMNS),
                             ((scope, key, *name_of(report, scope, key), *(bucket.get(c) for c in COLUMNS),
                               *((bucket.get("outcomes") or {}).get(name) for name in OUTCOMES))
                              for scope, key, bucket in rows(report)))
    files["hours_csv"] = write_csv(out / f"hours-{day}.csv", HOUR_COLUMNS,
                                   ([h.get(c) for c in HOUR_COLUMNS] for h in report["hours"]))
    if comparison:
        files["comparison_csv"] = write_csv(
            out / f"comparison-{day}.csv", ("scope", "key", "variant", "avg_wait_s", "p90_wait_s", "max_wait_s",
                                            "served"),
            ((scope, key, variant, *(figures.get(c) for c in ("avg_wait_s", "p90_wait_s", "max_wait_s", "served")))
             for scope, key, by_variant in comparison_rows(comparison) for variant, figures in by_variant.items()))
    images = {}
    if charts_too and report["hours"]:
        images["arrivals"] = charts.arrivals_chart(report, out / f"arrivals-{day}.png").name
        if report["windows"]:
            images["windows"] = charts.windows_chart(report, out / f"windows-{day}.png").name
    files.update({name: out / image for name, image in images.items()})
    files["html"] = out / f"report-{day}.html"
    files["html"].write_text(page.render(report, images, comparison), encoding="utf-8")
    return files


def comparison_rows(comparison: dict):
    yield "hall", "", comparison["hall"]
    for code, by_variant in comparison["categories"].items():
        yield "category", code, by_variant

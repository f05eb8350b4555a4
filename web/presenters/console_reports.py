"""The console's reports: the period asked (a day, a date range, a month), the controller's
`period_report` figures turned into rows, bars and CSV lines. Nothing here counts or ranks: every
figure and the order of every ranking come from the controller (controller/period.py); this only
says them in words, minutes and bar lengths, and leaves out the windows a window lead does not run."""
from __future__ import annotations

import calendar
import csv
import io
import re
from datetime import date

from contract.messages import OUTCOME_NAMES, OUTCOMES

from .. import report_words as rw
from ..words import fmt, say

MONTH = re.compile(r"^\d{4}-\d{2}$")
BAR_W = 240  # px of the longest bar


def period_of(kind: str, day: str, first: str, last: str, month: str, today: str) -> tuple[str, str] | None:
    """(first, last) of what the form asks; None for a date that is not one."""
    try:
        if kind == "month":
            month = month or today[:7]
            if not MONTH.match(month):
                return None
            y, m = int(month[:4]), int(month[5:])
            return date(y, m, 1).isoformat(), date(y, m, calendar.monthrange(y, m)[1]).isoformat()
        if kind == "range":
            return date.fromisoformat(first or today).isoformat(), date.fromisoformat(last or today).isoformat()
        return (date.fromisoformat(day or today).isoformat(),) * 2
    except ValueError:
        return None


def _minutes(value) -> str:
    return "–" if value is None else f"{value / 60:.1f}"


def _value(key: str, bucket: dict) -> str:
    value = bucket.get(key)
    if key.endswith("_s"):
        return _minutes(value)
    return "–" if value is None else str(value)


def _name(report: dict, scope: str, key: str, lang: str) -> str:
    names = report.get("names") or {}
    i = 0 if lang == "zh" else 1
    if scope == "window":
        found = names.get("windows", {}).get(key)
        return found[("zh", "en")[i]] if found else key
    if scope == "staff":
        masked = names.get("staff", {}).get(key)
        return f"{masked} ({key})" if masked else key
    if scope == "item":
        found = (report.get("items_names") or {}).get(key)
        return found[("zh", "en")[i]] if found else (key or say(rw.NO_ITEM, lang))
    found = names.get("categories", {}).get(key)
    return found[("zh", "en")[i]] if found else key


def visible(report: dict, windows: tuple[int, ...]) -> dict:
    """The report as a window lead with `windows` may read it: their windows only (no hall, staff or
    item lines, which are the whole hall's). An empty scope is the whole report."""
    if not windows:
        return report
    mine = {str(n) for n in windows}
    applications = report.get("applications") or {}
    return {**report, "windows": {k: v for k, v in report["windows"].items() if k in mine},
            "applications": {**applications, "windows": {k: v for k, v in (applications.get("windows") or {}).items()
                                                         if k in mine}, "items": {}, "staff": {}, "months": {}},
            "rankings": {"windows": [k for k in report["rankings"]["windows"] if k in mine], "staff": [], "items": []},
            "staff": {}, "items": {}, "categories": {}, "bad_reasons": [], "days": [], "scoped": sorted(mine, key=int)}


def _ranking(report: dict, section: str, scope: str, lang: str) -> dict:
    keys = report["rankings"][section]
    top = max([report[section][k]["served"] for k in keys] or [0]) or 1
    rows = [{"rank": n, "name": _name(report, scope, key, lang), "key": key,
             "cells": [_value(c, report[section][key]) for c, _ in rw.COLUMNS],
             "bar": round(BAR_W * report[section][key]["served"] / top)} for n, key in enumerate(keys, 1)]
    return {"rows": rows, "bar_w": BAR_W}


def report_page(report: dict | None, lang: str, *, kind: str, asked: dict, error: str = "", query: str = "") -> dict:
    texts = {name: say(getattr(rw, name), lang) for name in (
        "DAY", "FIRST", "LAST", "MONTH", "SHOW", "CSV", "PRINT_HINT", "BY_DAY", "BY_WINDOW", "BY_STAFF",
        "BY_ITEM", "BY_CATEGORY", "BAD_BY", "OUTCOMES", "APPLICATIONS", "NONE", "RANK", "NAME", "ITEM", "REASON",
        "COUNT", "HALL", "NON_WORKING", "BY_APPLICATIONS", "NO_LIMITS", "SCOPE")}
    texts["CATEGORY"] = say(rw.SCOPES["category"], lang)
    out = {"texts": texts, "kind": kind, "asked": asked, "error": error, "query": query,
           "kinds": [{"value": k, "label": say(v, lang), "current": k == kind} for k, v in rw.KIND.items()],
           "columns": [say(words, lang) for _, words in rw.COLUMNS], "report": None}
    if report is None:
        return out
    hall = report["hall"]
    days = report["days"]
    top = max([d["served"] for d in days] or [0]) or 1
    out["report"] = {
        "period": fmt(rw.PERIOD, lang, first=report["first"], last=report["last"], days=len(report["days"]) or
                      (date.fromisoformat(report["last"]) - date.fromisoformat(report["first"])).days + 1,
                      working=report["working_days"]),
        "scoped": fmt(rw.SCOPED, lang, windows=", ".join(report["scoped"])) if report.get("scoped") else "",
        "hall": None if report.get("scoped") else [_value(c, hall) for c, _ in rw.COLUMNS],
        "days": [{"day": d["day"], "served": d["served"], "working": d["working"],
                  "bar": round(BAR_W * d["served"] / top), "y": 22 * n} for n, d in enumerate(days)],
        "days_h": 22 * len(days), "bar_w": BAR_W,
        "windows": _ranking(report, "windows", "window", lang),
        "staff": _ranking(report, "staff", "staff", lang),
        "item_rank": _ranking(report, "items", "item", lang),
        "categories": [{"name": _name(report, "category", k, lang), "cells": [_value(c, b) for c, _ in rw.COLUMNS]}
                       for k, b in report["categories"].items()],
        "outcomes": {"head": [OUTCOME_NAMES[o][0 if lang == "zh" else 1] for o in OUTCOMES],
                     "cells": [(hall.get("outcomes") or {}).get(o, 0) for o in OUTCOMES]},
        "bad": [{"item": _name(report, "item", b["item"], lang), "category": _name(report, "category", b["category"], lang),
                 "reason": (report.get("reasons_names") or {}).get(b["reason"], {}).get(lang, b["reason"]),
                 "count": b["count"]} for b in report["bad_reasons"]],
        "applications": _applications(report, lang),
    }
    return out


# the scopes of the 按时办结率 lines: the report's key, the words' scope
ON_TIME_SCOPES = (("items", "item"), ("windows", "window"), ("staff", "staff"), ("months", "month"))


def _on_time_lines(report: dict, lang: str) -> list[tuple[str, str, str, dict]]:
    """(scope, key, name, line) of every 按时办结率 line, the hall's first (not for a window lead)."""
    found = report.get("applications") or {}
    lines = [] if report.get("scoped") else [("hall", "", say(rw.HALL, lang), found)]
    for section, scope in ON_TIME_SCOPES:
        for key, line in (found.get(section) or {}).items():
            lines.append((scope, key, key if scope == "month" else _name(report, scope, key, lang), line))
    return lines


def _applications(report: dict, lang: str) -> dict:
    """The 按时办结率 tile of the hall line and the table of every line, as the controller counted them."""
    found = report.get("applications") or {}
    rate = found.get("on_time_rate")
    return {"rate": "–" if rate is None else f"{rate}%", "any": bool(found.get("closed")) or any(
                found.get(section) for section, _ in ON_TIME_SCOPES),
            "head": [say(words, lang) for _, words in rw.ON_TIME_COLUMNS],
            "rows": [{"scope": say(rw.SCOPES[scope], lang), "name": name,
                      "cells": [_value(c, line) for c, _ in rw.ON_TIME_COLUMNS]}
                     for scope, key, name, line in _on_time_lines(report, lang)]}


def report_csv(report: dict, lang: str) -> bytes:
    """Every line of the report as CSV, UTF-8 with the byte-order mark (Excel opens the Chinese
    names right), headers in the language asked; the figures as the controller gave them."""
    i = 0 if lang == "zh" else 1
    words = lambda pair: (pair.zh, pair.en)[i]  # noqa: E731
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([words(rw.SCOPE), words(rw.RANK), "key", words(rw.NAME), *(words(p) for _, p in rw.COLUMNS),
                     *(OUTCOME_NAMES[o][i] for o in OUTCOMES)])
    lines = [] if report.get("scoped") else [("hall", "", "", report["hall"])]
    lines += [("category", "", k, b) for k, b in report["categories"].items()]
    for section, scope in (("windows", "window"), ("staff", "staff"), ("items", "item")):
        lines += [(scope, n, k, report[section][k]) for n, k in enumerate(report["rankings"][section], 1)]
    for scope, rank, key, bucket in lines:
        name = words(rw.HALL) if scope == "hall" else _name(report, scope, key, "zh" if i == 0 else "en")
        writer.writerow([words(rw.SCOPES[scope]), rank, key, name, *(_value(c, bucket) for c, _ in rw.COLUMNS),
                         *((bucket.get("outcomes") or {}).get(o, 0) for o in OUTCOMES)])
    for b in report["bad_reasons"]:
        writer.writerow([words(rw.BAD_BY), "", b["item"], _name(report, "item", b["item"], "zh" if i == 0 else "en"),
                         "", "", "", "", "", "", b["count"], b["reason"]])
    lang = "zh" if i == 0 else "en"
    writer.writerow([words(rw.APPLICATIONS), words(rw.SCOPE), "key", words(rw.NAME),
                     *(words(p) for _, p in rw.ON_TIME_COLUMNS)])
    for scope, key, name, line in _on_time_lines(report, lang):
        writer.writerow([words(rw.APPLICATIONS), words(rw.SCOPES[scope]), key, name,
                         *(_value(c, line) for c, _ in rw.ON_TIME_COLUMNS)])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")

"""The admin listings as a person reads them: a table per listing, times in the hall's time zone.

`--json` (anywhere on the line) prints the controller's reply instead, for machines. Columns are
padded by display width, so Chinese text (two columns a character) lines up in a terminal.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.changes import masked, short


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    sizes = [max([width(h)] + [width(row[i]) for row in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(pad(h, sizes[i]) for i, h in enumerate(headers)).rstrip(),
             "  ".join("-" * size for size in sizes)]
    lines += ["  ".join(pad(cell, sizes[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    return "\n".join(lines)


class Clock:
    """Stored times (seconds) as the hall's local time."""

    def __init__(self, timezone: str):
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.tz = ZoneInfo("Asia/Shanghai")

    def __call__(self, at, fmt: str = "%m-%d %H:%M") -> str:
        if not isinstance(at, (int, float)):
            return "-"
        return datetime.fromtimestamp(at, self.tz).strftime(fmt)


def _text(value) -> str:
    if isinstance(value, dict):
        return str(value.get("zh") or value.get("en") or "")
    return "-" if value in (None, "") else str(value)


def alerts(result: dict, at: Clock) -> str:
    rows = [[str(a["id"]), a["level"], a["status"] + (" (acked)" if a.get("acked_at") else ""), a["kind"],
             _text(a.get("window")), at(a.get("opened_at")), at(a.get("closed_at")), _text(a.get("text"))]
            for a in result.get("alerts", [])]
    if not rows:
        return "no alerts"
    return table(["id", "level", "status", "kind", "window", "opened", "closed", "what"], rows)


def followups(result: dict, at: Clock) -> str:
    rows = [[f["id"], f.get("number") or "-", _text(f.get("window")), _text(f.get("staff_id")), str(f.get("level")),
             _text(f.get("status_text")) or f["status"], at(f.get("deadline_at")),
             "OVERDUE" if f.get("overdue") else "", ",".join(f.get("reasons") or [])]
            for f in result.get("followups", [])]
    if not rows:
        return "no follow-ups"
    return table(["follow-up", "ticket", "window", "staff", "level", "status", "due by", "", "reasons"], rows)


def appointments(result: dict, at: Clock) -> str:
    rows = [[a["code"], f"{at(a.get('slot_start'), '%H:%M')}-{at(a.get('slot_end'), '%H:%M')}", a["category"],
             _text(a.get("item")), _text(a.get("status")), _text(a.get("channel")), _text(a.get("applicant")),
             _text(a.get("phone")),
             at(a.get("checked_in_at"), "%H:%M") if a.get("checked_in_at") else "not yet", _text(a.get("ticket_id"))]
            for a in result.get("appointments", [])]
    out = (f"{result.get('day', '')}\n" + table(["code", "slot", "category", "item", "status", "channel", "applicant",
                                                 "phone", "checked in", "ticket"], rows)) if rows \
        else f"no appointments on {result.get('day', 'that day')}"
    bars = [[_text(b.get("phone")), at(b.get("since"), "%Y-%m-%d"), at(b.get("until"), "%Y-%m-%d"),
             str(len(b.get("no_shows") or [])), b["person"]] for b in result.get("blacklist", [])]
    if bars:
        out += "\n\n预约黑名单 barred from booking\n" + table(["phone", "since", "until", "no-shows", "person"], bars)
    return out


def _days_left(case: dict) -> str:
    left = case.get("working_days_left")
    if not isinstance(left, int):
        return "-"
    return "due today" if left == 0 else f"{left} wd" if left > 0 else f"{-left} wd late"


def _about(case: dict, size: int = 40) -> str:
    parts = [str(v) for v in (case.get("number"), case.get("item"),
                              f"window {case['window']}" if case.get("window") else None) if v]
    text = " ".join(str(case.get("text") or "").split())
    if text:
        parts.append(text if len(text) <= size else text[:size - 1] + "…")
    return " · ".join(parts) or "-"


def _case_rows(found: list[dict], at: Clock) -> list[list[str]]:
    return [[c["id"], _text(c.get("kind_text")) or c.get("kind", ""), _text(c.get("status_text")) or c["status"],
             _text(c.get("channel")), at(c.get("opened_at")), at(c.get("deadline_at"), "%Y-%m-%d"), _days_left(c),
             "OVERDUE" if c.get("overdue") and c.get("status") != "closed" else "", _text(c.get("phone")),
             _text(c.get("assignee")), _about(c)] for c in found]


CASE_HEADERS = ["case", "kind", "status", "channel", "opened", "due by", "left", "", "phone", "assignee", "about"]


def cases(result: dict, at: Clock) -> str:
    """The case ledger, most urgent first (the controller's order: by due date)."""
    rows = _case_rows(result.get("cases", []), at)
    return table(CASE_HEADERS, rows) if rows else "no cases"


def case(result: dict, at: Clock) -> str:
    """One case after it was registered or moved on: its row, its history, and the citizen's code."""
    found = result["case"]
    out = table(CASE_HEADERS, _case_rows([found], at))
    steps = [[at(h.get("at")), _text(h.get("status")), _text(h.get("by")), _text(h.get("assignee")),
              " ".join(str(h.get("note") or "").split())] for h in found.get("history") or []]
    if steps:
        out += "\n\nhistory\n" + table(["at", "status", "by", "assignee", "note"], steps)
    if found.get("reply"):
        out += f"\n\nreply (published once closed): {found['reply']}"
    if result.get("query_code"):
        out += (f"\n\nfor the citizen: reference {found['id']}, code {result['query_code']} — "
                f"looked up at /complain/{found['id']} with the code or the phone's last four digits")
    return out


SOURCES = {"admin": "console/admin", "file": "hall file", "kept": "kept at start"}


def config_versions(result: dict, at: Clock) -> str:
    """The version history, newest first: when in the hall's time (as the controller says it), by
    whom, from where and what each changed; the live one marked."""
    def changed(v: dict) -> str:
        words = [f"{line['kind']} {line['path']}" for line in v.get("summary") or []]
        return "; ".join(([f"back to version {v['restored']}"] if v.get("restored") else []) + words) or "-"

    rows = [[f"{v['version']}{' (now)' if v['version'] == result.get('current') else ''}", v.get("when") or at(v["at"]),
             _text(v.get("user") or v.get("device")), SOURCES.get(v.get("source"), _text(v.get("source"))), changed(v)]
            for v in result.get("versions", [])]
    return table(["version", "when", "by", "from", "changed"], rows) if rows else "no config versions"


def config_diff(result: dict, at: Clock) -> str:
    """Two versions' differences, a setting a line: what it was in the first, what it is in the
    second (PIN hashes hidden by the controller, staff names masked here as on every screen)."""
    shown = result["shown"]
    title = f"from version {shown['before']} to version {shown['version']}"
    rows = [[line["path"], line["kind"], short(masked(line["path"], line["before"])),
             short(masked(line["path"], line["after"]))] for line in shown["changes"]]
    return f"{title}\n" + (table(["setting", "change", "was", "now"], rows) if rows else "no differences")


def config_restored(result: dict, at: Clock) -> str:
    made = result["version"]
    return (f"back to version {result['restored']}: the config is version {made} now "
            f"(what it changed: config-diff {made - 1} {made})")


LISTINGS = {"config-versions": config_versions, "config-diff": config_diff, "config-restore": config_restored,
"alerts": alerts, "followups": followups, "appointments": appointments, "cases": cases,
            "case-open": case, "case-update": case}

"""日清日结 as the controller answers it: a day's figures, live or from the ledger, and its report.

The figures themselves — every count and time, one definition each — are computed by
controller/figures.py. The report adds what a day's ledger tells beyond them: the 电子监察
alerts, the tidal switches, and the names its readers know. The simulator keeps the same
ledger, so a simulated day reports exactly like a real one.
"""
from __future__ import annotations

from contract.privacy import mask_name, mask_phone

from . import appointments, figures, forecast


def _alerts_and_switches(ledger: list[dict]) -> tuple[list[dict], list[dict]]:
    alerts, switches = {}, []
    for ev in ledger:
        data = ev["data"] or {}
        if ev["kind"] == "tidal_switched":
            switches.append({"at": ev["at"], "window": ev["window"], "to": data.get("to"),
                             "category": data.get("category"), "reason": data.get("reason"), "by": data.get("by"),
                             **({"rota": data["rota"]} if data.get("rota") else {})})
        elif ev["kind"].startswith("alert_"):
            after = ev["after"]
            alerts[after["id"]] = {**after, "acked": bool(after.get("acked_at"))}
    return list(alerts.values()), switches


BOOKING_STEPS = {"appointment_booked": "booked", "appointment_added": "booked", "appointment_cancelled": "cancelled",
                 "appointment_checked_in": "checked_in", "appointment_no_show": "no_show",
                 "appointment_barred": "barred", "appointment_unbarred": "unbarred"}


def _bookings(ledger: list[dict]) -> dict:
    """预约 on the day, from its ledger: each step counted in all, by channel and by category
    (no person in it: counts only)."""
    steps = tuple(dict.fromkeys(BOOKING_STEPS.values()))
    out = {"total": dict.fromkeys(steps, 0), "by_channel": {}, "by_category": {}}
    for ev in ledger:
        step = BOOKING_STEPS.get(ev["kind"])
        if step is None:
            continue
        out["total"][step] += 1
        after = ev["after"] or {}
        if step in ("barred", "unbarred"):
            continue
        for scope, key in (("by_channel", after.get("channel") or "admin"), ("by_category", after.get("category"))):
            counts = out[scope].setdefault(key, dict.fromkeys(steps[:4], 0))
            counts[step] += 1
    return out


def day_report(day: str, ledger: list[dict], *, timezone: str, names: dict | None = None,
               followups: list[dict] = (), now: float | None = None, expected=None) -> dict:
    """The whole report of one day from its ledger rows (`Store.day_ledger`), the day's 差评
    follow-ups as they stand now (`followups`, from the store, when it has them), and what the
    forecast expected of the day (`expected`, a `forecast.Expected`; "expected today", 今日预计)."""
    if now is None and ledger:
        now = ledger[-1]["at"]
    day_figures = figures.of_day(day, ledger, timezone=timezone, followups=followups, now=now)
    alerts, switches = _alerts_and_switches(ledger)
    by_kind: dict[str, dict] = {}
    for alert in alerts:
        counts = by_kind.setdefault(alert["kind"], {"yellow": 0, "red": 0})
        counts[alert["level"]] += 1
    return {
        **day_figures, "source": "ledger", "events": len(ledger),
        "alerts": {"opened": len(alerts), "by_kind": by_kind, "acked": sum(a["acked"] for a in alerts),
                   "open_at_end": sum(1 for a in alerts if a["status"] == "open"),
                   "list": [{k: a[k] for k in ("id", "kind", "level", "status", "opened_at", "closed_at", "acked")}
                            | {"text": {"zh": a["text_zh"], "en": a["text_en"]}} for a in alerts]},
        "tidal": {"switches": len(switches), "list": switches},
        "expected": expected.summary() if expected is not None else None,
        "appointments": _bookings(ledger),
        "names": names or {},
    }


def names_of(config) -> dict:
    """Category and window names for the report's readers (Chinese first)."""
    return {"categories": {c: cat.name.model_dump() for c, cat in config.categories.items()},
            "windows": {str(n): (w.name.model_dump() if w.name else {"zh": f"{n}号窗口", "en": f"Window {n}"})
                        for n, w in config.windows.items()},
            "staff": {s: mask_name(person.name) for s, person in config.staff.items()}}


def day_figures(stored, engine, day: str, now: float) -> dict:
    """`stats`: today's figures as the engine keeps them, live; any other day's replayed from the store."""
    timezone, followups = engine.config.timezone, stored.followups_of_day(day)
    if day == engine.day:
        return engine.figures.figures(timezone=timezone, followups=followups, now=now)
    return figures.of_day(day, stored.day_ledger(day), timezone=timezone, followups=followups, now=now)


# --- actions -----------------------------------------------------------------------------


def stats(engine, change, date=None):
    change.out.result = day_figures(change.stored, engine, date or engine.day, change.now)


def report(engine, change, date=None):
    """The `report` action: the `stats` figures, the ledger's count of each event kind, and the
    日清日结 report of the day (`daily`) — the ledger replayed, its follow-ups as they stand."""
    stats(engine, change, date)
    result, stored, config = change.out.result, change.stored, engine.config
    day = result["day"]
    result["ledger"] = stored.ledger_counts(day)
    result["daily"] = day_report(day, stored.day_ledger(day), timezone=config.timezone, names=names_of(config),
                                 followups=stored.followups_of_day(day), now=change.now,
                                 expected=forecast.expected_for(stored, config, day))
    # as they stand now, like the follow-ups: the day's slots by status, and the blacklist in force
    slots: dict[str, int] = {}
    for row in appointments.day_rows(stored, day, config.timezone):
        slots[row["status"]] = slots.get(row["status"], 0) + 1
    bars = stored.bars(change.now)
    result["daily"]["appointments"].update({
        "slots_of_day": slots, "blacklist": {"count": len(bars), "list": [
            {"phone": mask_phone(bar["phone"]) or None, "since": bar["since"], "until": bar["until"]}
            for bar in bars]}})

"""电子监察 board and the audit list: plain dicts of what the controller's `alerts` answered (with
each alert's trail, its assignee and its 督办) and of the console's audit file, every time in the
hall's clock and zone, every text in one language."""
from __future__ import annotations

from datetime import timedelta

from contract.hall import HallMirror
from .. import console_words as cw
from ..words import fmt, say
from .console_people import assigned_text, people_form


def age(seconds: float, lang: str) -> str:
    if seconds < 60:
        return fmt(cw.AGE_SECONDS, lang, s=max(0, int(seconds)))
    minutes = int(seconds // 60)
    if minutes >= 60:
        return fmt(cw.AGE_TEXT, lang, h=minutes // 60, m=minutes % 60)
    return fmt(cw.AGE_SHORT, lang, m=minutes)


def who(by, lang: str) -> str:
    """A trail's `by`: the console user of `admin-<id>/<user>`, the system for the controller."""
    by = str(by or "")
    if not by or by == "controller":
        return say(cw.SYSTEM, lang)
    return by.rpartition("/")[2] or by


def trail_lines(hall: HallMirror, steps: list, people: dict, lang: str) -> list[dict]:
    lines = []
    for entry in steps if isinstance(steps, list) else []:
        if not isinstance(entry, dict):
            continue
        kind = str(entry.get("step") or "")
        said = []
        if entry.get("level") in cw.LEVEL and kind in ("opened", "escalated"):
            said.append(say(cw.LEVEL[entry["level"]], lang))
        if entry.get("to"):
            said.append(fmt(cw.TRAIL_TO, lang, who=people.get(entry["to"], str(entry["to"]))))
        if isinstance(entry.get("deadline"), (int, float)):
            said.append(fmt(cw.TRAIL_UNTIL, lang, time=hall.hall_time(entry["deadline"]).strftime("%m-%d %H:%M")))
        if entry.get("note"):
            said.append(str(entry["note"]))
        step_name = cw.TRAIL_STEPS.get(kind)
        lines.append({"step": kind, "what": say(step_name, lang) if step_name else kind,
                      "time": hall.hall_time(float(entry.get("at") or 0)).strftime("%m-%d %H:%M:%S"),
                      "by": who(entry.get("by"), lang), "said": " · ".join(said)})
    return lines


def alerts_board(hall: HallMirror, alerts: list[dict], lang: str, *, can_ack: bool, people: dict | None = None,
                 error: str = "", done: str = "", closed: bool = False) -> dict:
    """The open alerts, red first then the oldest, each with its age, who handles it, its 督办 and
    whether that is overdue, its trail, and (for a role that may act) the forms to note, assign and
    order it. `people`: value -> label of whom an alert may be given to (presenters/console_people.py)."""
    now, people = hall.hall_now(), people or {}
    today = hall.hall_time(now).date()
    rows = []
    for alert in sorted(alerts, key=lambda a: (a.get("level") != "red", a.get("since") or 0)):
        level = alert.get("level") if alert.get("level") in cw.LEVEL else "yellow"
        acked = ""
        if alert.get("acked_at"):
            acked = fmt(cw.ACKED, lang, note=alert.get("note") or "", by=str(alert.get("acked_by") or ""),
                        time=hall.hall_time(alert["acked_at"]).strftime("%H:%M"))
        text = alert.get("text") or {}
        to = alert.get("assigned_to")
        deadline = alert.get("duban_deadline")
        base = f"/console/alerts/{alert['id']}"
        rows.append({"id": alert["id"], "level": level, "level_text": say(cw.LEVEL[level], lang),
                     "age": age(float(alert.get("closed_at") or now) - float(alert.get("since") or now), lang),
                     "text": str(text.get(lang) or text.get("zh") or alert.get("kind", "")), "acked": acked,
                     "assigned": assigned_text(people, to, lang),
                     "duban": fmt(cw.DUBAN_UNTIL, lang, time=hall.hall_time(deadline).strftime("%Y-%m-%d %H:%M"))
                     if isinstance(deadline, (int, float)) else "",
                     "overdue": say(cw.OVERDUE, lang) if alert.get("overdue") else "",
                     "trail": trail_lines(hall, alert.get("trail") or [], people, lang),
                     "action": f"{base}/ack", "assign_action": f"{base}/assign", "escalate_action": f"{base}/escalate"})
    views = [{"href": "/console/alerts", "label": say(cw.OPEN_ALERTS, lang), "current": not closed},
             {"href": "/console/alerts?show=closed", "label": say(cw.CLOSED_TODAY, lang), "current": closed}]
    return {"heading": say(cw.CLOSED_TODAY if closed else cw.OPEN_ALERTS, lang), "alerts": rows, "views": views,
            "empty": say(cw.NO_CLOSED if closed else cw.NO_ALERTS, lang),
            "level": say(cw.LEVEL["yellow"], lang) + "/" + say(cw.LEVEL["red"], lang),
            "age": say(cw.AGE, lang), "what": say(cw.WHAT, lang), "can_ack": can_ack,
            "note": say(cw.NOTE, lang), "ack": say(cw.ACK, lang), "error": error, "done": done,
            **people_form(people, lang),
            "duban": say(cw.DUBAN, lang), "deadline": say(cw.DUBAN_DEADLINE, lang), "time": say(cw.DUBAN_TIME, lang),
            "duban_note": say(cw.DUBAN_NOTE, lang), "duban_to": say(cw.DUBAN_TO, lang),
            "keep": say(cw.KEEP_ASSIGNEE, lang), "trail": say(cw.TRAIL, lang), "act": say(cw.ASSIGN_OR_DUBAN, lang),
            "today": today.isoformat(), "last_day": (today + timedelta(days=90)).isoformat()}


def audit_list(hall: HallMirror, entries: list[dict], lang: str) -> dict:
    rows = []
    for entry in entries:
        kind = cw.AUDIT_KINDS.get(entry.get("what"), None)
        role = cw.ROLE_NAMES.get(entry.get("role"))
        detail = " ".join(str(part) for part in (
            say(role, lang) if role else "", entry.get("action"), entry.get("path"),
            {True: "ok", False: entry.get("code") or "refused"}.get(entry.get("ok"), "")) if part)
        rows.append({"time": hall.hall_time(float(entry.get("at", 0))).strftime("%Y-%m-%d %H:%M:%S"),
                     "what": entry.get("what", ""), "event": say(kind, lang) if kind else str(entry.get("what")),
                     "user": str(entry.get("user", "?")), "address": str(entry.get("address", "")),
                     "detail": detail})
    return {"rows": rows, "empty": say(cw.NO_AUDIT, lang), "at": say(cw.AT, lang), "who": say(cw.WHO, lang),
            "event": say(cw.EVENT, lang), "from": say(cw.FROM, lang), "detail": say(cw.DETAIL, lang)}

"""电子监察 board and the audit list: plain dicts of what the controller's `alerts` answered (and
the console's audit file), every time in the hall's clock and zone, every text in one language."""
from __future__ import annotations

from contract.hall import HallMirror

from .. import console_words as cw
from ..words import fmt, say


def age(seconds: float, lang: str) -> str:
    if seconds < 60:
        return fmt(cw.AGE_SECONDS, lang, s=max(0, int(seconds)))
    minutes = int(seconds // 60)
    if minutes >= 60:
        return fmt(cw.AGE_TEXT, lang, h=minutes // 60, m=minutes % 60)
    return fmt(cw.AGE_SHORT, lang, m=minutes)


def alerts_board(hall: HallMirror, alerts: list[dict], lang: str, *, can_ack: bool, error: str = "",
                 done: str = "") -> dict:
    now = hall.hall_now()
    rows = []
    for alert in sorted(alerts, key=lambda a: (a.get("level") != "red", a.get("since") or 0)):
        level = alert.get("level") if alert.get("level") in cw.LEVEL else "yellow"
        acked = ""
        if alert.get("acked_at"):
            acked = fmt(cw.ACKED, lang, note=alert.get("note") or "", by=str(alert.get("acked_by") or ""),
                        time=hall.hall_time(alert["acked_at"]).strftime("%H:%M"))
        text = alert.get("text") or {}
        rows.append({"id": alert["id"], "level": level, "level_text": say(cw.LEVEL[level], lang),
                     "age": age(now - float(alert.get("since") or now), lang),
                     "text": str(text.get(lang) or text.get("zh") or alert.get("kind", "")), "acked": acked,
                     "action": f"/console/alerts/{alert['id']}/ack"})
    return {"heading": say(cw.OPEN_ALERTS, lang), "alerts": rows, "empty": say(cw.NO_ALERTS, lang),
            "level": say(cw.LEVEL["yellow"], lang) + "/" + say(cw.LEVEL["red"], lang),
            "age": say(cw.AGE, lang), "what": say(cw.WHAT, lang), "can_ack": can_ack,
            "note": say(cw.NOTE, lang), "ack": say(cw.ACK, lang), "error": error, "done": done}


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

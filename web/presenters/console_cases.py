"""The case queue of the console: what the controller's `cases` answered (差评 follow-ups, complaints,
consultations: controller/cases.py), each open case with its deadline in working days and one form
per step it may take next and the 指派 form of the 电子监察 board (presenters/console_people.py); the
register form; the most asked questions. Plain dicts, one language."""
from __future__ import annotations

import secrets

from contract.hall import HallMirror

from .. import console_words as cw
from ..words import fmt, say
from .console_people import assigned_text, people_form


def due_text(hall: HallMirror, case: dict, lang: str) -> str:
    date = hall.hall_time(case["deadline_at"]).strftime("%Y-%m-%d")
    left = int(case.get("working_days_left", 0))
    if left < 0 or case.get("overdue"):
        return fmt(cw.DUE_LATE, lang, date=date, n=max(1, -left))
    return fmt(cw.DUE_TODAY, lang, date=date) if left == 0 else fmt(cw.DUE_IN, lang, date=date, n=left)


def about(hall: HallMirror, case: dict, lang: str) -> str:
    """What the case is about: the rating's ticket, window and reasons, or the citizen's own words."""
    parts = []
    if case.get("number"):
        parts.append(case["number"])
    if case.get("window"):
        parts.append(say(hall.window_name(case["window"]), lang))
    item = hall.item(case.get("item"))
    if item:
        parts.append(say(item.name, lang))
    reasons = hall.reasons()
    parts += [say(reasons[r], lang) if r in reasons else r for r in case.get("reasons") or ()]
    if case.get("text"):
        parts.append(str(case["text"]))
    return " · ".join(parts)


def steps(case: dict, lang: str) -> list[dict]:
    """One form per step the case may take next; closing asks the verdict, or offers the anonymous
    close when there is nobody to ask."""
    out = []
    for status in case.get("next") or ():
        if status == "closed" and case["status"] == "open" and case["kind"] != "consultation" and case["reachable"]:
            continue  # a real-name case is called back before it is closed
        closing = status == "closed"
        out.append({"status": status, "label": say(cw.STEPS[status], lang), "note": say(cw.STEP_NOTES[status], lang),
                    "closing": closing, "anonymous": closing and not case["reachable"],
                    "verdicts": [{"value": v, "label": say(t, lang)} for v, t in cw.VERDICTS.items()]
                    if closing and case["reachable"] else []})
    return out


def case_queue(hall: HallMirror, found: list[dict], lang: str, *, can_change: bool, satisfaction, questions: dict,
               people: dict | None = None, error: str = "", done: str = "") -> dict:
    """`people`: value -> label of whom a case may be given to, as for an alert (console_kit.people)."""
    people, rows = people or {}, []
    for case in sorted((c for c in found if c.get("status") != "closed"), key=lambda c: c["deadline_at"]):
        rows.append({"id": case["id"], "kind": say(cw.CASE_KINDS[case["kind"]], lang), "kind_code": case["kind"],
                     "status": str(case["status_text"]["en" if lang == "en" else "zh"]),
                     "status_code": case["status"],
                     "late": bool(case.get("overdue")), "due": due_text(hall, case, lang),
                     "about": about(hall, case, lang),
                     "contact": fmt(cw.CONTACT, lang, phone=case["phone"]) if case.get("phone")
                     else ("" if case["reachable"] else say(cw.ANONYMOUS_CASE, lang)),
                     "assigned": assigned_text(people, case.get("assignee"), lang),
                     "action": f"/console/cases/{case['id']}/step", "steps": steps(case, lang)})
    frequent = []
    for item_id, asked in questions.items():
        item = hall.item(item_id)
        frequent.append({"item": say(item.name, lang) if item else (item_id or say(cw.NO_ITEM, lang)),
                         "questions": [{"text": q["question"], "times": fmt(cw.TIMES, lang, n=q["count"])}
                                       for q in asked]})
    return {"heading": say(cw.OPEN_CASES, lang), "cases": rows, "empty": say(cw.NO_CASES, lang),
            "can_change": can_change, "error": error, "done": done,
            "satisfaction": fmt(cw.SATISFACTION, lang, rate="—" if satisfaction is None else f"{satisfaction:g}%"),
            "verdict": say(cw.VERDICT, lang), "reply": say(cw.REPLY, lang),
            "close_anonymous": say(cw.CLOSE_ANONYMOUS, lang), **people_form(people, lang),
            "note": say(cw.NOTE, lang),
            "new": {"heading": say(cw.NEW_CASE, lang), "kind": say(cw.CASE_KIND, lang),
                    "kinds": [{"value": k, "label": say(cw.CASE_KINDS[k], lang)} for k in ("complaint", "undone", "consultation")],
                    "text": say(cw.CASE_TEXT, lang), "item": say(cw.CASE_ITEM, lang), "no_item": say(cw.NO_ITEM, lang),
                    "item_options": [{"value": i.id, "label": f"{i.id} {say(i.name, lang)}"} for i in hall.items()],
                    "phone": say(cw.CASE_PHONE, lang), "name_given": say(cw.CASE_NAME_GIVEN, lang),
                    "answer": say(cw.CASE_ANSWER, lang), "channel": say(cw.CASE_CHANNEL, lang),
                    "channels": [{"value": k, "label": say(t, lang)} for k, t in cw.CHANNELS.items()],
                    "go": say(cw.REGISTER, lang),
                    # the form's own id: sending the same form again is a retry, not a second case
                    "form_id": secrets.token_hex(16)},
            "frequent_heading": say(cw.FREQUENT, lang), "frequent": frequent}

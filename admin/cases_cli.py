"""Admin subcommands of the case ledger (added to `main.py admin`): a desk without the console lists
the open cases — complaints (有诉即办), 办不成事 reports, consultations, 差评 follow-ups — registers
one as the citizen tells it, and moves one on (assign, 回访, 整改 / 解释说明 / 申诉复核, 办结).

The same actions as the console's case page (`cases`, `case_open`, `case_update`:
controller/cases.py); the answers are printed as tables in the hall's time, phones masked by the
controller. A case registered here prints its code too, for the citizen's slip: with it (or their
phone's last four digits) they look the case up on the public page, /complain/<reference>.
"""
from __future__ import annotations

KINDS = ("complaint", "undone", "consultation", "rating_followup")
STATUSES = ("open", "visited", "rectifying", "explaining", "appealing", "closed")


def _given(pairs) -> dict:
    return {k: v for k, v in pairs if v not in (None, "", False)}


FIELDS = {
    "cases": lambda a: ("cases", _given((("kind", a.kind), ("status", a.status), ("overdue", a.overdue)))),
    "case-open": lambda a: ("case_open", {"kind": a.kind, "text": a.text, "channel": a.channel, **_given((
        ("item", a.item), ("about_window", a.window), ("phone", a.phone), ("name_given", a.name_given),
        ("answer", a.answer)))}),
    "case-update": lambda a: ("case_update", {"case_id": a.case_id, "status": a.status, "note": a.note, **_given((
        ("verdict", a.verdict), ("reply", a.reply), ("assignee", a.assignee)))}),
}


def add_parsers(a) -> None:
    s = a.add_parser("cases", help="the case ledger: complaints, 办不成事 reports, consultations and 差评 follow-ups, "
                                   "with their due dates in working days")
    s.add_argument("--kind", choices=KINDS)
    s.add_argument("--status", choices=STATUSES)
    s.add_argument("--overdue", action="store_true", help="only those past their due date")
    s = a.add_parser("case-open", help="register a complaint, a 办不成事 report or a consultation at the desk",
                     description="Register a case as the citizen tells it. Its reference and code are printed: "
                                 "give both to the citizen, who looks the case up at /complain/<reference>.")
    s.add_argument("kind", choices=KINDS[:3])
    s.add_argument("text", help="the complaint, or the question asked (in the citizen's words)")
    s.add_argument("--channel", default="desk", choices=["desk", "console", "web"], help="where it came (default desk)")
    s.add_argument("--item", help="the item it is about")
    s.add_argument("--window", type=int, help="the window it is about")
    s.add_argument("--phone", help="the citizen's mobile, for the answer (kept sealed, shown masked)")
    s.add_argument("--name-given", action="store_true", help="a real-name case: the citizen's verdict is asked for")
    s.add_argument("--answer", help="a consultation answered at once: it is closed with this answer")
    s = a.add_parser("case-update", help="move a case on: assign, 回访 (visited), 整改/解释说明/申诉复核, 办结 (closed)")
    s.add_argument("case_id")
    s.add_argument("status", choices=STATUSES, help="the same status again only assigns or notes")
    s.add_argument("note", help="what was done (kept in the case's history, not shown to the citizen)")
    s.add_argument("--verdict", choices=["satisfied", "unsatisfied", "anonymous"],
                   help="when closing: the citizen's verdict, or anonymous for a case with nobody to ask")
    s.add_argument("--reply", help="what the hall answers: published to the citizen once closed")
    s.add_argument("--assignee", help="who handles it from now")


__all__ = ["FIELDS", "add_parsers"]

"""One case life cycle for the ledgers beside the queue: 差评 follow-ups, complaints (有诉即办),
办不成事 reports (a citizen who could not get a thing done) and consultations (咨询辅导台账).

Each is a case: received (at a desk, on the console, on the web page), assigned to a person,
moved on in steps (回访, 整改 / 解释说明 / 申诉复核), due after a configured number of
working days (controller/workdays.py) and closed with the citizen's verdict — or, for a case
nobody can be asked (an anonymous rating, a complaint left without a name or phone), closed
explicitly as "anonymous, no verdict" rather than with an invented one. What the hall replies
(`reply`) is the text the public 好差评 page publishes once the case is closed.

One table (`followups` in the store, the name it had when only 差评 were followed up), one flow,
one deadline rule and one 电子监察 rule (controller/supervision.py, followup_due) for all three:
the kinds differ only in their limit and in how they are opened. Plain functions of rows,
config and time; the actions at the end apply them.

A citizen may send a complaint or a 办不成事 report from the public web page (web/complain.py) and
look it up later (`case_lookup`) by its reference and a second factor — the last four digits of
the phone left with it, or the code shown when it was sent (made from the hall's secret, so the
reference, which is sequential, opens nothing by itself). Wrong factors are counted and locked
like 办理进度 look-ups (controller/applications.py, `second_factor`). The citizen sees the
status, the due date and the published reply — never the notes, the assignee or the phone.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from contract.errors import CommandError
from contract.privacy import mask_phone

from . import applications, outbox, workdays
from .model import Event
from .rights import role_of

KINDS: dict[str, tuple[str, str]] = {
    "rating_followup": ("差评回访", "Poor-rating follow-up"),
    "complaint": ("投诉（有诉即办）", "Complaint"),
    "undone": ("办不成事反映", "Couldn't get it done"),
    "consultation": ("咨询", "Consultation"),
}
PREFIXES = {"complaint": "TS", "undone": "BC", "consultation": "ZX"}  # of a case's reference: TS-<day>-nnn
FROM_CITIZENS = ("complaint", "undone")  # the kinds a citizen's web page may open
CHANNELS = ("desk", "console", "web", "rating")

# status -> (zh, en, statuses it may move to)
FLOW: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "open": ("待回访", "Awaiting a call", ("visited", "closed")),
    "visited": ("已回访", "Citizen called", ("rectifying", "explaining", "appealing", "closed")),
    "rectifying": ("整改中", "Being put right", ("closed",)),
    "explaining": ("解释说明", "Explained to the citizen", ("closed",)),
    "appealing": ("申诉复核中", "Under appeal review", ("closed", "rectifying", "explaining")),
    "closed": ("已办结", "Closed", ()),
}
# what the citizen's look-up says of a status: the steps inside the hall are one "being handled"
CITIZEN_STATUS = {"open": ("已受理", "Received"), "visited": ("办理中", "Being handled"), "closed": ("已办结", "Closed")}
VERDICTS = ("satisfied", "unsatisfied")
ANONYMOUS = "anonymous"  # the verdict of a case closed with nobody to ask: not a verdict at all


def kind_of(row: dict) -> str:
    """A row stored before cases had kinds is a 差评 follow-up (the store fills the column in too)."""
    return row.get("kind") or "rating_followup"


def reachable(row: dict) -> bool:
    """Whether there is a citizen to ask for a verdict: a real-name rating or a phone left."""
    return bool(row.get("real_name")) or bool(row.get("phone"))


def limit_days(config, kind: str) -> int:
    """A 办不成事 report is a complaint about a thing not done: it is answered within a complaint's limit."""
    if kind == "rating_followup":
        return config.ratings.followup_working_days
    return config.cases.consultation_working_days if kind == "consultation" else config.cases.complaint_working_days


def due(config, kind: str, now: float) -> float:
    return workdays.deadline(now, limit_days(config, kind), config.calendar, config.timezone)


def new_case(kind: str, *, case_id: str, now: float, deadline_at: float, channel: str, by: str,
             phone: str | None = None, real_name: bool = False, text: str = "", item: str | None = None,
             category: str | None = None, ticket_id: str | None = None, number: str | None = None,
             day: str | None = None, window: int | None = None, staff_id: str | None = None,
             level: int | None = None, reasons: str = "[]") -> dict:
    return {"id": case_id, "kind": kind, "channel": channel, "ticket_id": ticket_id, "number": number, "day": day,
            "window": window, "staff_id": staff_id, "level": level, "reasons": reasons, "real_name": real_name,
            "phone": phone, "item": item, "category": category, "text": text, "assignee": None, "reply": None,
            "opened_at": now, "deadline_at": deadline_at, "status": "open", "verdict": None, "closed_at": None,
            "updated_at": now,
            "history": json.dumps([{"at": now, "status": "open", "note": text, "by": by}], ensure_ascii=False)}


def advance(case: dict, status: str, note: str, verdict: str | None, by: str, now: float, *,
            reply: str | None = None, assignee: str | None = None) -> dict:
    """The case after one step, or CommandError if the step is not allowed.

    `status` equal to the current one (not closed) is a step that only assigns or notes. Closing
    needs the citizen's verdict, or `anonymous` for a case with nobody to ask — never both ways:
    an anonymous close of a case with a phone on it would skip the 回访 the rules demand.
    """
    if status not in FLOW:
        raise CommandError("bad_request", f"status: one of {', '.join(FLOW)}", "办理状态无效")
    current = case["status"]
    if status != current and status not in FLOW[current][2] or current == "closed":
        raise CommandError("invalid_state", f"a case that is {current} cannot become {status}",
                           f"当前为“{FLOW[current][0]}”，不能改为“{FLOW[status][0]}”")
    if status == "closed":
        if verdict == ANONYMOUS and reachable(case):
            raise CommandError("bad_request", "verdict: this case has a citizen to ask: give their verdict",
                               "该件可联系到群众，请填写群众评价结果")
        if verdict not in (*VERDICTS, ANONYMOUS):
            raise CommandError("bad_request", "verdict: closing needs the citizen's verdict (satisfied / unsatisfied)"
                               " or anonymous when nobody can be asked", "办结时请填写群众评价结果（匿名件选“匿名，无评价”）")
        if current == "open" and kind_of(case) != "consultation" and verdict != ANONYMOUS:
            raise CommandError("invalid_state", "a case is closed after its 回访 (visited) first",
                               "请先回访，再办结")
    elif verdict is not None:
        raise CommandError("bad_request", "verdict: only when closing", "仅办结时填写群众评价结果")
    step = {"at": now, "status": status, "note": note, "by": by}
    if assignee:
        step["assignee"] = assignee
    history = json.loads(case["history"]) + [step]
    return {**case, "status": status, "verdict": verdict, "updated_at": now,
            "assignee": assignee or case.get("assignee"),
            "reply": reply if reply is not None else case.get("reply"),
            "closed_at": now if status == "closed" else None, "history": json.dumps(history, ensure_ascii=False)}


def published_reply(row: dict) -> str | None:
    """What the public page says the hall did: the reply once closed (older rows: the closing note)."""
    if row["status"] != "closed":
        return None
    if row.get("reply"):
        return row["reply"]
    history = json.loads(row["history"])
    return history[-1]["note"] if history else None


def public_case(row: dict, now: float) -> dict:
    """A case as admins see it: the phone masked, history decoded, overdue worked out."""
    zh, en, _ = FLOW[row["status"]]
    kind = kind_of(row)
    return {**{k: v for k, v in row.items() if k not in ("phone", "history", "reasons")}, "kind": kind,
            "kind_text": {"zh": KINDS[kind][0], "en": KINDS[kind][1]},
            "phone": mask_phone(row.get("phone")), "status_text": {"zh": zh, "en": en},
            "reasons": json.loads(row.get("reasons") or "[]"), "history": json.loads(row["history"]),
            "real_name": bool(row["real_name"]), "reachable": reachable(row),
            "next": list(FLOW[row["status"]][2]),
            "overdue": (row["closed_at"] or now) > row["deadline_at"]}


def case_code(secret: bytes, case_id: str) -> str:
    """The code shown to a citizen with a case's reference: 8 characters A-Z2-7, the same every
    time, not to be worked out without the hall's secret (the reference itself is sequential)."""
    digest = hmac.new(secret, f"case:{case_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:5]).decode()


def opens(row: dict | None, code: str, *, phone_last4: str | None, query_code: str | None) -> bool:
    """Whether a second factor opens this case (None: no such case, never). A 差评 follow-up is the
    hall's own work, not a case a citizen sent: no factor opens one (a desk's complaint or tracked
    consultation does: the desk hands the citizen its code)."""
    if row is None or kind_of(row) == "rating_followup":
        return False
    if query_code is not None:
        return hmac.compare_digest(query_code, code)
    digits = re.sub(r"\D", "", row.get("phone") or "")
    return len(digits) >= 4 and phone_last4 is not None and hmac.compare_digest(digits[-4:], phone_last4)


def citizen_case(config, row: dict, now: float) -> dict:
    """A case as the citizen who sent it sees it: what it is, where it stands, when it is due, and the
    hall's reply once closed — no notes, no assignee, no phone, no history of who did what."""
    kind = kind_of(row)
    zh, en = CITIZEN_STATUS.get(row["status"], CITIZEN_STATUS["visited"])
    status_text = {"zh": zh, "en": en}
    return {"id": row["id"], "kind": kind, "kind_text": {"zh": KINDS[kind][0], "en": KINDS[kind][1]},
            "status": row["status"], "status_text": status_text, "item": row.get("item"),
            "window": row.get("window"), "opened_at": row["opened_at"], "deadline_at": row["deadline_at"],
            "limit_days": limit_days(config, kind), "closed_at": row.get("closed_at"),
            "reply": published_reply(row), "overdue": (row.get("closed_at") or now) > row["deadline_at"],
            "reply_by_phone": bool(row.get("phone"))}


def question_key(text: str) -> str:
    """Questions counted as the same when they differ only in spaces and punctuation."""
    return re.sub(r"[\s\W_]+", "", text.lower())


def frequent_questions(rows, top: int = 10) -> dict[str, list[dict]]:
    """Per item, the most asked consultation questions, most asked first (the wording first seen)."""
    by_item: dict[str, Counter] = {}
    first: dict[tuple[str, str], str] = {}
    for row in sorted(rows, key=lambda r: r["opened_at"]):
        if kind_of(row) != "consultation" or not row.get("text"):
            continue
        item, key = row.get("item") or "", question_key(row["text"])
        by_item.setdefault(item, Counter())[key] += 1
        first.setdefault((item, key), row["text"])
    return {item: [{"question": first[(item, key)], "count": n} for key, n in counts.most_common(top)]
            for item, counts in sorted(by_item.items())}


# --- actions -----------------------------------------------------------------------------


def _event(change, current, updated, kind: str) -> None:
    change.event(Event(kind, change.now, change.device, ticket_id=updated.get("ticket_id"),
                       window=updated.get("window"), staff_id=updated.get("staff_id"), before=current, after=updated,
                       data={"id": updated["id"], "kind": kind_of(updated), "status": updated["status"]}))


def case_open(engine, change, kind, text, channel="console", item=None, phone=None, name_given=False,
              answer=None, about_window=None):
    """A complaint, a 办不成事 report or a consultation registered (desk, console, web); a consultation
    answered at once (`answer`) is closed with it, else it is tracked within its own limit.

    From a citizen's web page (a `web-<name>` login) only a complaint or a 办不成事 report, on the
    web channel, unanswered and not real-name (nobody there checked a name): what a web login sends
    is what anyone on the internet typed. Its answer is the citizen's view of the case and the code
    that opens it later; an admin's is the full case, with the same code to hand over the desk."""
    cfg = engine.config
    citizen = role_of(change.device)[0] == "web"
    if citizen and (kind not in FROM_CITIZENS or channel != "web" or answer is not None or name_given):
        raise CommandError("forbidden", "a web page opens only a complaint or a 办不成事 report, on the web channel",
                           "网页仅可提交投诉或办不成事反映")
    if item is not None and item not in cfg.items:
        raise CommandError("bad_request", f"item: no item {item!r}", "事项不存在")
    if about_window is not None and about_window not in cfg.windows:
        raise CommandError("bad_request", f"about_window: no window {about_window}", "窗口不存在")
    if answer is not None and kind != "consultation":
        raise CommandError("bad_request", "answer: only a consultation is answered at once", "仅咨询可当场答复")
    same_day = [r for r in change.stored.followups(None) if kind_of(r) == kind and r.get("day") == engine.day]
    case_id = f"{PREFIXES[kind]}-{engine.day}-{len(same_day) + 1:03d}"
    row = new_case(kind, case_id=case_id, now=change.now, deadline_at=due(cfg, kind, change.now), channel=channel,
                   by=change.actor, phone=phone, real_name=name_given, text=text, item=item,
                   category=cfg.items[item].category if item else None, day=engine.day, window=about_window)
    if answer is not None:
        row = advance(row, "closed", answer, "satisfied" if reachable(row) else ANONYMOUS, change.actor,
                      change.now, reply=answer)
    change.record("followups", case_id, row)
    _event(change, None, row, "case_opened")
    shown = citizen_case(cfg, row, change.now) if citizen else public_case(row, change.now)
    change.out.result = {"case": shown, "query_code": case_code(engine.secret, case_id)}


NOT_OPENED = ("no case with that reference and code (or phone digits)",
              "未查询到该件，请核对受理编号和查询码（或手机号后四位）")


def case_lookup(engine, change, case_id, phone_last4=None, query_code=None, client=None):
    """A citizen's own complaint, with its second factor; wrong tries are counted and locked like
    办理进度 look-ups (per phone `client` of the web tier), and an unknown reference is answered as
    a wrong factor is."""
    if (phone_last4 is None) == (query_code is None):
        raise CommandError("bad_request", "give phone_last4 or query_code (one of them)",
                           "请输入查询码或留下的手机号后四位")
    row = change.stored.get("followups", case_id)
    opened = opens(row, case_code(engine.secret, case_id), phone_last4=phone_last4, query_code=query_code)
    applications.second_factor(engine, change, f"case:{case_id}", opened, NOT_OPENED, client)
    change.out.result = {"case": citizen_case(engine.config, row, change.now)}


def case_update(engine, change, case_id, status, note, verdict=None, reply=None, assignee=None):
    """A step in a case of any kind (assign, 回访, 整改, 解释说明, 申诉复核, 办结)."""
    current = change.stored.get("followups", case_id)
    if current is None:
        raise CommandError("not_found", f"no case {case_id}", "未找到该件")
    updated = advance(current, status, note, verdict, change.actor, change.now, reply=reply, assignee=assignee)
    change.record("followups", case_id, updated)
    if (updated["status"] == "closed" and kind_of(updated) == "rating_followup"
            and engine.config.rating_reports.enabled):
        entry = outbox.rectification_entry(engine.config, updated, change.stored.get("ratings", updated["ticket_id"]),
                                           outbox.application_of(change.stored, engine.config, updated["ticket_id"]))
        change.record("outbox", entry["id"], entry)
    _event(change, current, updated, "followup_updated" if kind_of(updated) == "rating_followup" else "case_updated")
    change.out.result = {"case": public_case(updated, change.now)}


def working_days_left(config, row: dict, now: float) -> int:
    """Working days from today to the case's due day (0: due today; negative: that many overdue)."""
    tz, cal = ZoneInfo(config.timezone), config.calendar
    today = datetime.fromtimestamp(now, tz).date()
    last = datetime.fromtimestamp(row["deadline_at"], tz).date()
    if last >= today:
        return workdays.working_days_between(today, last, cal.holidays, cal.workdays)
    return -workdays.working_days_between(last, today, cal.holidays, cal.workdays)


def list_cases(engine, change, kind=None, status=None, overdue=False):
    rows = [{**public_case(row, change.now), "working_days_left": working_days_left(engine.config, row, change.now)}
            for row in change.stored.followups(status) if kind is None or kind_of(row) == kind]
    change.out.result = {"cases": [row for row in rows if row["overdue"]] if overdue else rows}


def consultation_report(engine, change, top=10):
    change.out.result = {"questions": frequent_questions(change.stored.followups(None), top)}

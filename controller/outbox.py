"""好差评 reporting: the outbox of ratings and rectifications for the provincial platform.

When `rating_reports.enabled`, every rating, and the rectification of a 差评 once its follow-up
closes, becomes a row of the `outbox` table, written by the same batch (one SQLite transaction)
as the rating or the follow-up itself: a rating that is stored is queued, and nothing is queued
that was not stored. A row is deleted never; it is sent until the platform acknowledges it.

Each row has its idempotency id (`<hall>:<ticket id>:rating`, `…:rectification`), sent in the
body and as the `Idempotency-Key` header, so a report sent again after a lost answer, a timeout or
a controller killed between the POST and the write of its result is a repeat the platform can
recognise, never a second rating. A failed try is tried again after `backoff_s`, doubled each
time up to `backoff_max_s`, for as long as it takes (`attempts`, `next_try_at`, `last_error` say
where it stands). A rectification waits until its rating is sent.

A report carries the 办件 number of the application its ticket is linked to (the last linked):
looked up when the row is written and, while the row was never tried, again when it is handed to
the deliverer, since the business system often links the 办件 just after the rating. The number
found then is written back with the try's result, so from the first try on the body is fixed and a
repeat is the same report. (A controller killed between that first POST and the write of its
result looks again at the next try: only a link made in that gap would change the repeat.)

This module is the pure half: rows from ratings and follow-ups, the body a row is sent as (the
config's field mapping applied), the next try after a failure, and the `outbox` admin action
that reports the backlog. controller/delivery.py does the HTTP on its own thread; the service
hands it the due rows and writes back what came of them, so the controller stays the single
writer of the store.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ACKNOWLEDGED = (409,)  # besides 2xx: "that id is known", the answer to a repeat


def _iso(at: float | None, timezone: str) -> str | None:
    return None if at is None else datetime.fromtimestamp(at, ZoneInfo(timezone)).isoformat(timespec="seconds")


def queued_row(entry_id: str, kind: str, ticket_id: str, record: dict, now: float, after: str | None = None) -> dict:
    """A report as the outbox keeps it: its record, due at once, not yet tried."""
    return {"id": entry_id, "kind": kind, "ticket_id": ticket_id, "after_id": after,
            "record": json.dumps(record, ensure_ascii=False), "created_at": now, "attempts": 0,
            "next_try_at": now, "sent_at": None, "last_error": None, "last_status": None}


def _name_zh(config, item, category: str) -> str:
    """The item's name, else the category's (its code when it has since left the config)."""
    named = item or config.categories.get(category)
    return named.name.zh if named else category


def rating_id(hall: str, ticket_id: str) -> str:
    return f"{hall}:{ticket_id}:rating"


def rating_entry(config, rating: dict, level_text: str, application_no: str | None = None) -> dict:
    """The outbox row of a rating row (controller/ratings.py, `rating_row`); `level_text` the
    level's name (非常满意…)."""
    item = config.items.get(rating["item"]) if rating["item"] else None
    reasons = json.loads(rating["reasons"])
    known = config.ratings.reasons
    entry_id = rating_id(config.hall, rating["ticket_id"])
    record = {
        "id": entry_id, "kind": "rating", "hall": config.hall, "org_code": config.rating_reports.org_code,
        "application_no": application_no, "item_code": rating["item"],
        "item_name": _name_zh(config, item, rating["category"]),
        "category": rating["category"], "channel": rating["channel"], "level": rating["level"],
        "level_text": level_text, "bad": rating["bad"], "reasons": reasons,
        "reason_texts": [known[r].zh for r in reasons if r in known], "comment": rating["comment"],
        "rated_at": _iso(rating["at"], config.timezone), "window": rating["window"],
        "staff_id": rating["staff_id"], "real_name": rating["real_name"]}
    return queued_row(entry_id, "rating", rating["ticket_id"], record, rating["at"])


def rectified_by(history: list[dict]) -> str:
    """How a closed follow-up was put right: its last step after the 回访 (整改, 解释说明, 申诉复核),
    else only the 回访 itself."""
    steps = [step for step in history if step["status"] not in ("open", "closed", "visited")]
    return steps[-1]["status"] if steps else "visited"


def rectification_entry(config, followup: dict, rating: dict | None, application_no: str | None = None) -> dict:
    """The outbox row of a closed 差评 follow-up: how it was put right and the citizen's verdict."""
    history = json.loads(followup["history"])
    steps = [step for step in history if step["status"] not in ("open", "closed")]
    result = rectified_by(history)
    parent = rating_id(config.hall, followup["ticket_id"])
    entry_id = f"{config.hall}:{followup['ticket_id']}:rectification"
    record = {
        "id": entry_id, "kind": "rectification", "hall": config.hall,
        "org_code": config.rating_reports.org_code, "rating_id": parent, "application_no": application_no,
        "item_code": rating["item"] if rating else None, "level": followup["level"], "result": result,
        "measures": [{"step": s["status"], "note": s["note"], "at": _iso(s["at"], config.timezone)}
                     for s in steps] + [{"step": "closed", "note": history[-1]["note"],
                                         "at": _iso(followup["closed_at"], config.timezone)}],
        "verdict": followup["verdict"], "opened_at": _iso(followup["opened_at"], config.timezone),
        "closed_at": _iso(followup["closed_at"], config.timezone),
        "on_time": followup["closed_at"] <= followup["deadline_at"]}
    return queued_row(entry_id, "rectification", followup["ticket_id"], record, followup["closed_at"], after=parent)


# --- the 办件 of a report ------------------------------------------------------------------


def last_linked(rows: list[dict], ticket_id: str) -> str | None:
    """The 办件 number a report of the ticket carries: of the applications linked to it (`rows`), the
    one it was linked to last (a citizen may do two matters on one ticket; a rating invited for a
    办件 links it just before), None when there is none."""
    number = ticket_id.rpartition("-")[2]

    def linked_at(row: dict) -> tuple:
        steps = [s["at"] for s in json.loads(row.get("history") or "[]") if s.get("ticket") == number]
        return (max(steps, default=row.get("accepted_at") or 0.0), row["application_no"])

    return max(rows, key=linked_at)["application_no"] if rows else None


def ticket_day_start(ticket_id: str, config) -> float:
    """When the ticket's service day began (its id is `<day>-<number>`): no 办件 was linked to it
    before, so the search for its link starts there (0 for an id without a day)."""
    try:
        return day_start(ticket_id.rpartition("-")[0], config)
    except ValueError:
        return 0.0


def application_of(stored, config, ticket_id: str) -> str | None:
    """The 办件 number of the ticket's current link, read from the store (or a batch's view of it)."""
    return last_linked(stored.applications_of_ticket(ticket_id, ticket_day_start(ticket_id, config)), ticket_id)


def lacks_application(row: dict) -> bool:
    """A report never tried that has no 办件 number yet: the link may have been made since it was
    queued. One tried once keeps its body, so a repeat of it is the same report."""
    return row["attempts"] == 0 and row["kind"] in ("rating", "rectification") \
        and json.loads(row["record"]).get("application_no") is None


def with_application(row: dict, application_no: str | None) -> dict:
    """The report about to be tried first, with the 办件 number of the link made since it was queued
    (its record is written back with the try's result, so the number sent is the number kept)."""
    if application_no is None or not lacks_application(row):
        return row
    record = {**json.loads(row["record"]), "application_no": application_no}
    return {**row, "record": json.dumps(record, ensure_ascii=False)}


def body(row: dict, section) -> dict:
    """What is POSTed for a row: its record under the platform's names (`fields`), the channel as
    the platform's code (`channels`)."""
    record = json.loads(row["record"])
    if "channel" in record:
        record["channel"] = section.channels.get(record["channel"], record["channel"])
    return {section.fields.get(name, name): value for name, value in record.items()}


def next_wait_s(attempts: int, section) -> float:
    """The wait after the `attempts`-th failed try: backoff_s, doubled each time, at most backoff_max_s."""
    return min(section.backoff_max_s, section.backoff_s * 2 ** min(max(attempts - 1, 0), 40))


def after_try(row: dict, *, status: int | None, error: str | None, now: float, section) -> dict:
    """The row after one try: sent when the platform acknowledged it (2xx, or 409 for an id it has),
    else its next try after the back-off."""
    attempts = row["attempts"] + 1
    if status is not None and (200 <= status < 300 or status in ACKNOWLEDGED):
        return {**row, "attempts": attempts, "sent_at": now, "last_status": status, "last_error": None}
    return {**row, "attempts": attempts, "last_status": status, "last_error": (error or "")[:300],
            "next_try_at": now + next_wait_s(attempts, section)}


# --- action ----------------------------------------------------------------------------------


WAITING_SHOWN = 200  # the oldest waiting reports listed; `waiting` counts them all


def endpoint_host(url: str | None) -> str | None:
    """Where the reports go, as a console may show it: host and port only — a path or query may
    carry the platform's token, and the headers are never shown."""
    if not url:
        return None
    parts = urlsplit(url)
    return parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"


def day_start(day: str, config) -> float:
    """When the service day `day` began (the day's rollover hour, hall time)."""
    return datetime.combine(date.fromisoformat(day), time(config.day_rollover_hour),
                            ZoneInfo(config.timezone)).timestamp()


def waiting_entry(row: dict, timezone: str) -> dict:
    """A waiting report as the console lists it: what it is, for which ticket, how its tries went —
    no record (it names the staff and may hold the citizen's comment)."""
    return {"id": row["id"], "kind": row["kind"], "ticket_id": row["ticket_id"], "number": row["number"],
            "day": row["day"], "after_id": row["after_id"], "created_at": row["created_at"],
            "attempts": row["attempts"], "last_status": row["last_status"], "last_error": row["last_error"],
            "next_try_at": row["next_try_at"], "next_try": _iso(row["next_try_at"], timezone)}


def outbox(engine, change):
    """The `outbox` admin action: the backlog a console shows (as committed)."""
    config = engine.config
    section = config.rating_reports
    state = change.stored.outbox_backlog(sent_since=day_start(engine.service_day(change.now), config))
    oldest = state["oldest_at"]
    change.out.result = {"outbox": {**state, "enabled": section.enabled, "endpoint": endpoint_host(section.url),
                                    "oldest_age_s": None if oldest is None else round(change.now - oldest, 1),
                                    "oldest": _iso(oldest, config.timezone),
                                    "rows": [waiting_entry(row, config.timezone)
                                             for row in change.stored.outbox_waiting(WAITING_SHOWN)]}}

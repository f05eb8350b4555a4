"""Admin subcommands of 预约 (added to `main.py admin`): the phone line books and cancels for callers,
lifts a bar, and imports the provincial platform's bookings (a day's list is `admin appointments`).

A slot is named as the hall's clock shows it ("2026-03-03 17:30"): the command asks the controller
for that day's slots (`appointment_slots`) and books the one starting then, so the CLI needs no time
zone of its own. The import file is JSON (a list of bookings, or {"bookings": [...]}) or CSV with a
header, one booking a row:

    platform_id, item or category, slot ("YYYY-MM-DD HH:MM", the hall's time), phone and/or id_hash, name

It is idempotent by `platform_id`: a booking imported before is answered with its booking again and
not booked twice, so a file can be imported again after a failure.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

SLOT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$")
FIELDS = {
    "cancel": lambda a: ("cancel_appointment", {"code": a.code, **({"phone_last4": a.phone_last4} if a.phone_last4
                                                                   else {"id_hash": a.id_hash} if a.id_hash else {})}),
    "unbar": lambda a: ("appointment_unbar", {"reason": a.reason, **(
        {"person": a.person} if a.person else {"applicant": _applicant(a.phone, a.id_hash, None)})}),
    "slots": lambda a: ("appointment_slots", {"date": a.date, **_target(a.item, a.category)}),
}
MULTI = ("book", "import-bookings")


def _target(item: str | None, category: str | None) -> dict:
    return {"item": item} if item else {"category": category} if category else {}


def _applicant(phone, id_hash, name) -> dict:
    return {k: v for k, v in (("phone", phone), ("id_hash", id_hash), ("name", name)) if v}


class Refused(Exception):
    def __init__(self, reply: dict):
        error = reply.get("error", {})
        self.code = error.get("code")
        super().__init__(f"refused ({error.get('code')}): {error.get('message')} / {error.get('message_zh')}")


def _ok(reply: dict) -> dict:
    if not reply.get("ok"):
        raise Refused(reply)
    return reply["result"]


def slot_start(client, target: dict, slot: str, timeout: float) -> int:
    """The epoch start of the slot the hall's clock shows as `slot`, asked of the controller."""
    match = SLOT.match(slot.strip())
    if not match:
        raise SystemExit(f"slot {slot!r}: use YYYY-MM-DD HH:MM (the hall's time)")
    day, hhmm = match.groups()
    slots = _ok(client.request("appointment_slots", {"date": day, **target}, timeout=timeout))["slots"]
    for found in slots:
        if found["time"].startswith(hhmm):
            return found["start"]
    shown = ", ".join(f"{s['time']} ({s['left']} left)" for s in slots) or "none"
    raise SystemExit(f"no bookable slot at {slot} for {target}; bookable that day: {shown}")


def book(client, args) -> dict:
    target = _target(args.item, args.category)
    start = slot_start(client, target, args.slot, args.timeout)
    fields = {**target, "slot_start": start, "channel": "phone",
              "applicant": _applicant(args.phone, args.id_hash, args.applicant_name)}
    return _ok(client.request("book_appointment", fields, timeout=args.timeout))


def read_bookings(path: str) -> list[dict]:
    text = Path(path).read_text(encoding="utf-8-sig")
    if path.lower().endswith(".csv"):
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(text.splitlines())]
    data = json.loads(text)
    rows = data.get("bookings") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise SystemExit(f"{path}: expected a list of bookings (or {{\"bookings\": [...]}})")
    return rows


def import_bookings(client, args) -> dict:
    """Each booking of the file as a `book_appointment` of channel platform; a summary, and the refusals."""
    summary = {"imported": 0, "again": 0, "refused": []}
    for n, row in enumerate(read_bookings(args.file), start=1):
        platform_id = str(row.get("platform_id") or "")
        try:
            if not platform_id:
                raise SystemExit("no platform_id")
            target = _target(row.get("item") or None, row.get("category") or None)
            start = slot_start(client, target, str(row.get("slot") or ""), args.timeout)
            result = _ok(client.request("book_appointment", {
                **target, "slot_start": start, "channel": "platform", "platform_id": platform_id,
                "applicant": _applicant(row.get("phone") or None, row.get("id_hash") or None,
                                        row.get("name") or None)}, timeout=args.timeout))
            summary["again" if result.get("again") else "imported"] += 1
        except (Refused, SystemExit) as exc:
            summary["refused"].append({"row": n, "platform_id": platform_id, "reason": str(exc)})
    return summary


def run(args, client) -> int:
    """`book` and `import-bookings`: several requests over one connection."""
    try:
        result = book(client, args) if args.admin_command == "book" else import_bookings(client, args)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if result.get("refused") else 0


def add_parsers(a) -> None:
    s = a.add_parser("book", help="预约 for a caller on the phone line (channel phone)")
    s.add_argument("slot", help='"YYYY-MM-DD HH:MM", the start of a slot in the hall\'s time')
    s.add_argument("--item")
    s.add_argument("--category")
    s.add_argument("--phone")
    s.add_argument("--id-hash", help="the ID number's hash (64 hex)")
    s.add_argument("--name", dest="applicant_name")
    s = a.add_parser("cancel", help="cancel a booking (with the caller's phone last four or ID hash)")
    s.add_argument("code")
    s.add_argument("--phone-last4")
    s.add_argument("--id-hash")
    s = a.add_parser("slots", help="a day's bookable slots with the places left")
    s.add_argument("date", help="YYYY-MM-DD")
    s.add_argument("--item")
    s.add_argument("--category")
    s = a.add_parser("unbar", help="lift a person's bar from booking (预约黑名单), with a reason")
    s.add_argument("reason")
    s.add_argument("--person", help="the person's key, as `appointments` lists it")
    s.add_argument("--phone")
    s.add_argument("--id-hash")
    s = a.add_parser("import-bookings", help="import the provincial platform's bookings (JSON or CSV; "
                                             "idempotent by platform_id)")
    s.add_argument("file")


__all__ = ["FIELDS", "MULTI", "add_parsers", "run"]

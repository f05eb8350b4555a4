"""Whom the supervision office gives a thing to handle — an 电子监察 alert (web/console_alerts.py)
or a case (web/console_cases.py): one list and one way of saying who handles it, so a person is
picked the same way on both pages and named the same way on both. The list is the only check: a
page refuses a value that is not on it, whatever the controller would accept (the CLI may still
write any name, admin/cases_cli.py)."""
from __future__ import annotations

from contract.privacy import mask_name

from .. import console_words as cw
from ..words import fmt, say


def people_choices(accounts, staff: dict, lang: str) -> dict:
    """The console's accounts that may act (not the read-only social supervisors), by name, and the
    hall's staff, as `staff-<id>` with their names masked. value -> label."""
    choices = {a.name: fmt(cw.ACCOUNT_PERSON, lang, name=a.name, role=say(cw.ROLE_NAMES[a.role], lang))
               for a in accounts if a.role != "social_supervisor"}
    for staff_id, person in sorted(staff.items()):
        name = mask_name(str((person or {}).get("name") or "")) if isinstance(person, dict) else ""
        choices[f"staff-{staff_id}"] = fmt(cw.STAFF_MEMBER, lang, name=name or "—", id=staff_id)
    return choices


def assigned_text(people: dict, to, lang: str) -> str:
    """"承办人：…" of a thing given to `to`, by its label on the list; a name no longer on it (an
    account disabled, or one the CLI wrote) as it was stored. Empty when nobody handles it."""
    return fmt(cw.ASSIGNED_TO, lang, who=people.get(to, str(to))) if to else ""


def people_form(people: dict, lang: str) -> dict:
    """The words and options of the 指派 form, the same on every page that has one."""
    return {"people": [{"value": v, "label": label} for v, label in people.items()],
            "assign_to": say(cw.ASSIGN_TO, lang), "assign": say(cw.ASSIGN_ALERT, lang)}

"""The director's list of console accounts: name, role, a window lead's windows, when made or last
reset (the hall's clock), whether it may log in — and the forms' words. Never a hash."""
from __future__ import annotations

from contract.hall import HallMirror

from .. import console_words as cw
from ..accounts import MIN_PASSWORD, ROLES
from ..words import say


def account_list(hall: HallMirror, accounts, me: str, lang: str, *, error: str = "", done: str = "") -> dict:
    rows = [{"name": a.name, "role": say(cw.ROLE_NAMES[a.role], lang), "role_code": a.role,
             "windows": ", ".join(str(n) for n in a.windows) or "—",
             "created": hall.hall_time(a.created_at).strftime("%Y-%m-%d %H:%M") if a.created_at else "—",
             "state": say(cw.DISABLED if a.disabled else cw.ACTIVE, lang), "disabled": a.disabled,
             "me": a.name == me, "reset_action": f"/console/accounts/{a.name}/reset",
             "disable_action": f"/console/accounts/{a.name}/disable"} for a in accounts]
    return {"heading": say(cw.ACCOUNT_LIST, lang), "rows": rows, "error": error, "done": done,
            "columns": [say(text, lang) for text in (cw.USER_NAME, cw.ROLE, cw.ACCOUNT_WINDOWS, cw.CREATED,
                                                     cw.ACCOUNT_STATE)],
            "roles": [{"value": role, "label": say(cw.ROLE_NAMES[role], lang)} for role in ROLES],
            "new": say(cw.NEW_ACCOUNT, lang), "name": say(cw.USER_NAME, lang), "role": say(cw.ROLE, lang),
            "password": say(cw.NEW_PASSWORD, lang), "short": say(cw.PASSWORD_SHORT, lang), "again": say(cw.PASSWORD_AGAIN, lang),
            "windows": say(cw.WINDOWS_HINT, lang), "create": say(cw.CREATE, lang), "reset": say(cw.RESET, lang),
            "disable": say(cw.DISABLE, lang), "you": say(cw.YOU, lang), "min_password": MIN_PASSWORD}

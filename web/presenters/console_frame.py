"""What every console page has around its content: the hall's name, the menu of what the user's
role may open, who is logged in with the logout form, the language switch, the controller's
availability. The login page has the frame without a user."""
from __future__ import annotations

from contract.bilingual import Bi
from contract.hall import HallMirror

from .. import console_words as cw
from .. import words as w
from ..accounts import may
from ..report_words import REPORTS
from .console_config import CONFIG
from .console_outbox import OUTBOX
from .console_team import TEAM
from ..sessions import Session
from ..words import fmt, say

# path, label, the right it needs (web/accounts.py RIGHTS); the frame shows them as a row of tabs of
# their own under the hall's name and the user, so a director's eleven fit one row at 1366 px
MENU = (("/console/hall", cw.LIVE_HALL, "view_hall"), ("/console/alerts", cw.MENU_ALERTS, "view_alerts"),
        ("/console/cases", cw.MENU_CASES, "view_cases"), ("/console/applications", cw.MENU_APPLICATIONS, "view_cases"),
        ("/console/reports", REPORTS, "view_reports"), ("/console/config", CONFIG, "view_config"),
        ("/console/outbox", OUTBOX, "view_outbox"),
        ("/console/team", TEAM, "manage_team"),
        ("/console/appointments", cw.APPOINTMENTS, "view_appointments"),
        ("/console/accounts", cw.ACCOUNTS, "view_accounts"),
        ("/console/audit", cw.AUDIT, "view_audit"))


def console_frame(hall: HallMirror, session: Session | None, lang: str, *, title: Bi, path: str, csrf: str,
                  online: bool) -> dict:
    other = "en" if lang == "zh" else "zh"
    hall_name = say(hall.name, lang)
    return {
        "lang": w.HTML_LANG[lang], "title": f"{say(title, lang)} · {say(cw.CONSOLE, lang)} · {hall_name}",
        "heading": say(title, lang), "hall_name": hall_name, "console": say(cw.CONSOLE, lang), "csrf": csrf,
        "menu": [{"href": href, "label": say(label, lang), "current": path.startswith(href)}
                 for href, label, right in MENU if session is not None and may(session.role, right)],
        "user": fmt(cw.SIGNED_IN_AS, lang, user=session.user, role=say(cw.ROLE_NAMES[session.role], lang))
        if session else "",
        "logout": say(cw.LOGOUT, lang), "next": path, "lang_value": other,
        "lang_label": say(w.LANG_NAMES[other], other),
        "offline": "" if online else say(cw.OFFLINE, lang),
    }


def login_page(lang: str, *, error: str = "", name: str = "", next_path: str = "/console/hall",
               no_accounts: bool = False) -> dict:
    return {"user_label": say(cw.USER_NAME, lang), "password_label": say(cw.PASSWORD, lang),
            "go": say(cw.LOGIN, lang), "error": error, "name": name, "next": next_path,
            "no_accounts": say(cw.NO_ACCOUNTS, lang) if no_accounts else ""}

"""我的窗口 (a window lead's team) as data for its template: the staff of the lead's windows (name
masked, their windows, where each is signed in now and that window's status), the form to reset a
PIN and the windows, and the live view of the lead's windows only — the hall's live view
(`desk_now`) with every other window, and the queues none of theirs serves, left out.

A member of staff is of the team when one of their configured windows is the lead's; the lead
changes only those windows of theirs, the others are shown as kept. Pure: the config's staff, the
mirror and the scope in, dicts out; `new_windows` is the one rule the web handler applies, and the
controller checks the same again (`staff_set` with `scope`)."""
from __future__ import annotations

import re
import secrets

from contract.bilingual import Bi
from contract.hall import WINDOW_STATUS, HallMirror
from contract.privacy import mask_name

from ..words import fmt, say
from .console_hall import desk_now

TEAM = Bi("我的窗口", "My windows")
STAFF_HEADING = Bi("本窗口工作人员", "Staff of my windows")
LIVE_HEADING = Bi("窗口实况", "My windows now")
COLUMNS = (Bi("工号", "Number"), Bi("姓名", "Name"), Bi("可登录窗口", "Windows"), Bi("当前登录", "Signed in at"),
           Bi("状态", "Status"))
NOT_SIGNED_IN = Bi("未登录", "Not signed in")
SCOPE = Bi("您负责的窗口：{windows}", "The windows you lead: {windows}")
EDIT = Bi("重置 PIN / 调整窗口", "Reset PIN / windows")
FORM_HEADING = Bi("{id} {name}：重置 PIN、调整窗口", "{id} {name}: reset the PIN, change the windows")
CHOOSE = Bi("在左侧选择一名工作人员以重置 PIN 或调整其窗口", "Choose a member of staff to reset their PIN or windows")
WINDOWS_LABEL = Bi("可登录的窗口（您负责的）", "May sign in at (your windows)")
KEPT = Bi("另可登录（其他负责人的窗口，保持不变）：{windows}", "Also at (other leads' windows, kept): {windows}")
PIN_LABEL = Bi("新 PIN（4-8位数字，留空则不变）", "New PIN (4-8 digits; blank keeps it)")
SAVE = Bi("保存", "Save")
SAVED = Bi("已保存 {id}：配置第 {version} 版", "{id} saved: config version {version}")
NO_TEAM = Bi("您负责的窗口暂无工作人员", "No staff at your windows yet")
NO_CONFIG = Bi("暂时读不到工作人员名单：{message}", "The staff list cannot be read now: {message}")
BAD_PIN = Bi("PIN 须为4-8位数字", "The PIN must be 4-8 digits")
NO_WINDOW = Bi("至少保留一个窗口", "Keep at least one window")
NOTHING = Bi("没有要保存的改动：请输入新 PIN 或调整窗口", "Nothing to save: type a new PIN or change the windows")
NOT_SAVED = Bi("未保存：{message}", "Not saved: {message}")
NOT_YOURS = Bi("该工作人员或窗口不在您负责的范围内", "That member of staff or window is not one you lead")
PIN = re.compile(r"^[0-9]{4,8}$")


def team_of(staff: dict, scope: frozenset[int]) -> dict[str, dict]:
    """The members of staff with a configured window in the scope, by staff number."""
    return {sid: person for sid, person in sorted(staff.items())
            if set(person.get("windows") or ()) & scope}


def signed_in(hall: HallMirror) -> dict[str, int]:
    """Staff number -> the window they are signed in at now."""
    at = {}
    for number in hall.window_numbers():
        staff_id = hall.staff_at(number)[1]
        if staff_id:
            at[staff_id] = number
    return at


def new_windows(had: list[int], chosen: set[int], scope: frozenset[int]) -> list[int]:
    """Their windows after the form: those outside the scope kept, those inside as chosen."""
    return sorted({n for n in had if n not in scope} | (chosen & scope))


def window_names(hall: HallMirror, windows, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(say(hall.window_name(n), lang) for n in windows)


def team_page(hall: HallMirror, staff: dict | None, scope: frozenset[int], lang: str, *, chosen: str = "",
              error: str = "", field_errors: dict | None = None, done: str = "") -> dict:
    """The staff table and, for the chosen member of the team, their form."""
    team = team_of(staff or {}, scope)
    at = signed_in(hall)
    rows = []
    for sid, person in team.items():
        window = at.get(sid)
        status = hall.status(window) if window else ""
        rows.append({"id": sid, "name": mask_name(person.get("name")),
                     "windows": window_names(hall, person.get("windows") or (), lang),
                     "at": say(hall.window_name(window), lang) if window else say(NOT_SIGNED_IN, lang),
                     "state": status or "out", "status": say(WINDOW_STATUS[status], lang) if status else "",
                     "edit": f"/console/team?staff={sid}", "current": sid == chosen})
    form = None
    if chosen in team:
        person = team[chosen]
        had = list(person.get("windows") or ())
        kept = [n for n in had if n not in scope]
        form = {"id": chosen, "heading": fmt(FORM_HEADING, lang, id=chosen, name=mask_name(person.get("name"))),
                "windows_label": say(WINDOWS_LABEL, lang), "pin_label": say(PIN_LABEL, lang),
                "save": say(SAVE, lang), "form_id": secrets.token_hex(16),
                "kept": fmt(KEPT, lang, windows=window_names(hall, kept, lang)) if kept else "",
                "choices": [{"number": n, "label": say(hall.window_name(n), lang), "checked": n in had}
                            for n in sorted(scope) if n in hall.window_numbers()],
                "errors": {"windows": "", "pin": "", **(field_errors or {})}}
    return {"scope": fmt(SCOPE, lang, windows=window_names(hall, sorted(scope), lang)),
            "heading": say(STAFF_HEADING, lang), "live_heading": say(LIVE_HEADING, lang),
            "columns": [say(c, lang) for c in COLUMNS], "rows": rows, "edit": say(EDIT, lang),
            "empty": say(NO_TEAM, lang) if staff is not None and not rows else "",
            "choose": say(CHOOSE, lang), "form": form, "error": error, "done": done}


def team_now(hall: HallMirror, stats: dict | None, stats_at: float | None, lang: str, online: bool,
             scope: frozenset[int]) -> dict:
    """The hall's live view of the lead's windows only: their rows, the queues they serve, and no
    hall-wide figures (each window's served count is in its row)."""
    now = desk_now(hall, stats, stats_at, lang, online)
    if not now["ready"]:
        return now
    serves = set()
    for number in scope:
        primary, secondary = hall.serves(number)
        serves |= set(primary) | set(secondary)
    return {**now, "windows": [row for row in now["windows"] if row["number"] in scope],
            "queues": [q for q in now["queues"] if q["code"] in serves], "figures": None}


def scope_argument(lang: str, scope: frozenset[int]) -> str:
    """The live channel's argument of a language and a scope: `zh-3.4`."""
    return f"{lang}-{'.'.join(str(n) for n in sorted(scope))}"


def parse_argument(argument: str) -> tuple[str, frozenset[int]] | None:
    lang, _, windows = argument.partition("-")
    if lang not in ("zh", "en") or not re.fullmatch(r"[1-9]\d{0,2}(\.[1-9]\d{0,2}){0,99}", windows):
        return None
    return lang, frozenset(int(n) for n in windows.split("."))


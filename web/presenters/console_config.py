"""The console's configuration pages as data for their templates: the tabs, each section's entries
and its form (the values shown, each field's error in words), and the version history with the
differences of one version. Pure: the config and the controller's replies in, dicts out."""
from __future__ import annotations

from urllib.parse import urlsplit

from contract.bilingual import Bi
from config.changes import masked, short
from contract.privacy import mask_name

from .. import config_forms as cf
from ..words import fmt, say

CONFIG = Bi("配置管理", "Configuration")
TABS = (("categories", Bi("业务类别", "Services")), ("items", Bi("办事事项", "Items")),
        ("windows", Bi("窗口", "Windows")), ("staff", Bi("工作人员", "Staff")),
        ("rules", Bi("规则与时间", "Rules and hours")), ("supervision", Bi("电子监察", "Supervision")),
        ("tidal", Bi("潮汐窗口", "Tidal windows")), ("notice", Bi("公告", "Notice line")),
        ("appointments", Bi("预约", "Appointments")), ("forecast", Bi("客流预测", "Forecast")),
        ("ratings", Bi("好差评与投诉", "Ratings and complaints")),
        ("remote", Bi("线上取号与安全", "Remote tickets and security")),
        ("versions", Bi("版本记录", "Versions")))
KEY_LABEL = {"categories": Bi("业务代码", "Service code"), "items": Bi("事项编号", "Item id"),
             "windows": Bi("窗口号", "Window number"), "staff": Bi("工号", "Staff number")}
KEY_WORDS = Bi("代码只能用字母、数字、_ 或 -（窗口号为 1-999）", "Use letters, digits, _ or - (a window: 1-999)")
COLUMNS = {
    "categories": (Bi("代码", "Code"), Bi("名称", "Name"), Bi("字母", "Letter"), Bi("每日号源", "A day")),
    "items": (Bi("编号", "Id"), Bi("名称", "Name"), Bi("业务", "Service"), Bi("承诺时限", "Promised")),
    "windows": (Bi("窗口", "Window"), Bi("名称", "Name"), Bi("主办", "Primary"), Bi("兼办", "Secondary"),
                Bi("特性", "Marks")),
    "staff": (Bi("工号", "Number"), Bi("姓名", "Name"), Bi("可登录窗口", "Windows"), Bi("PIN", "PIN")),
}
GREEN, TIDAL_MARK = Bi("绿色通道", "green"), Bi("潮汐", "tidal")
ANY_WINDOW, PIN_SET = Bi("任意", "any"), Bi("已设置", "set")
DAYS = Bi("{n}天", "{n} d")
EDIT, VIEW, SAVE, REMOVE = Bi("修改", "Edit"), Bi("查看", "View"), Bi("保存", "Save"), Bi("删除", "Remove")
SAVED = Bi("已保存 {key}：配置第 {version} 版", "{key} saved: config version {version}")
SAVED_HALL = Bi("已保存：配置第 {version} 版", "Saved: config version {version}")
REMOVED = Bi("已删除 {key}：配置第 {version} 版", "{key} removed: config version {version}")
NOT_SAVED = Bi("未保存：请按字段旁的提示修改，配置没有任何改动", "Not saved: correct the fields as marked; nothing was changed")
NO_CONFIG = Bi("暂时读不到配置：{message}", "The configuration cannot be read now: {message}")
READ_ONLY = Bi("您可以查看配置，修改由大厅管理员进行", "You may read the configuration; the hall director changes it")
EXPORT = Bi("导出 YAML", "Export as YAML")
VERSION_NOW = Bi("当前为第 {version} 版", "Version {version} now")
NEW_ENTRY = Bi("新增一项", "Add one")
EDITING = Bi("修改 {key}", "Edit {key}")
HALL_FORM = Bi("修改设置", "Change the settings")
CHOICE_WORDS = {"issue": Bi("照常取号", "Issue tickets"), "refuse": Bi("暂停取号", "Refuse tickets"),
                "threshold": Bi("按等候阈值", "By the wait thresholds"),
                "rota": Bi("按客流预测排班", "Ahead of the forecast (rota)"),
                "none": Bi("不发送", "None"), "log": Bi("写入日志文件（测试）", "To a log file (trying out)"),
                "webhook": Bi("短信网关（webhook）", "SMS gateway (webhook)")}
SECRET_SET = Bi("当前：已设置", "Now: set")
SECRET_AT = Bi("当前：已设置（{host}）", "Now: set ({host})")
SECRET_UNSET = Bi("当前：未设置", "Now: not set")

# --- the version history ---------------------------------------------------------------------------

HISTORY = Bi("版本记录", "Version history")
V_COLUMNS = (Bi("版本", "Version"), Bi("时间", "When"), Bi("操作人", "By"), Bi("来源", "From"), Bi("改动", "Changed"))
SOURCES = {"admin": Bi("控制台/管理命令", "console or admin command"), "file": Bi("配置文件", "the hall file"),
           "kept": Bi("启动时保留", "kept at start")}
KINDS = {"added": Bi("新增", "added"), "removed": Bi("删除", "removed"), "changed": Bi("修改", "changed")}
SECTION_WORDS = {"categories": Bi("业务类别", "service"), "items": Bi("事项", "item"), "windows": Bi("窗口", "window"),
                 "staff": Bi("工作人员", "staff"), "queue": Bi("叫号规则", "queue rules"),
                 "supervision": Bi("电子监察", "supervision"), "ticketing_hours": Bi("取号时间", "ticketing hours"),
                 "calendar": Bi("日历", "calendar"), "appointments": Bi("预约", "appointments"),
                 "tidal": Bi("潮汐窗口", "tidal windows"), "forecast": Bi("客流预测", "forecast"),
                 "notice": Bi("公告", "notice line")}
RESTORED_FROM = Bi("恢复至第 {version} 版", "back to version {version}")
SHOW = Bi("查看改动", "Show the changes")
RESTORE = Bi("恢复到此版本", "Return to this version")
RESTORE_DONE = Bi("已恢复到第 {restored} 版，成为第 {version} 版", "Back to version {restored}, now version {version}")
CHANGES_OF = Bi("第 {version} 版的改动（与第 {before} 版相比）", "Changes of version {version} (from version {before})")
CHANGES_FIRST = Bi("第 {version} 版的全部设置", "Everything of version {version}")
D_COLUMNS = (Bi("设置", "Setting"), Bi("改动", "Change"), Bi("原为", "Was"), Bi("改为", "Now"))
CURRENT = Bi("（当前）", " (now)")
NOTHING = Bi("无改动", "no change")
BAD_VERSION = Bi("请选择要恢复的版本", "Choose the version to return to")
RESTORE_HEADING = Bi("恢复到第 {version} 版", "Return to version {version}")
RESTORE_CHANGES = Bi("确认后将做的改动（当前第 {now} 版 → 第 {version} 版的内容）",
                     "What the return will change (version {now} now → the content of version {version})")
RESTORE_ASK = Bi("恢复后，配置成为新的第 {next} 版，大厅屏幕、取号机和群众页面随即跟着变。确认恢复吗？",
                 "The configuration becomes the new version {next}; the hall screens, kiosks and citizens' pages "
                 "follow at once. Return to it?")
RESTORE_CONFIRM = Bi("确认恢复", "Return to it")
RESTORE_CANCEL = Bi("取消", "Cancel")
RESTORE_NOTHING = Bi("与当前配置相同，无需恢复", "The same as the configuration now: nothing to return")


def tabs(current: str, lang: str) -> list[dict]:
    return [{"href": f"/console/config/{name}", "label": say(label, lang), "current": name == current}
            for name, label in TABS]


def rows_of(section: str, config: dict, lang: str) -> list[dict]:
    """The section's entries as table rows (a member of staff's name masked, no PIN hash)."""
    entries = config.get(section) or {}
    categories = config.get("categories") or {}
    out = []
    for key in sorted(entries, key=lambda k: (int(k) if section == "windows" else 0, str(k))):
        e = entries[key]
        if section == "categories":
            cells = [key, e["name"][lang], e["prefix"], str(e.get("daily_cap", ""))]
        elif section == "items":
            cells = [key, e["name"][lang], say_name(categories, e["category"], lang),
                     fmt(DAYS, lang, n=e["guide"]["promised_limit_days"])]
        elif section == "windows":
            marks = [say(GREEN, lang)] * bool(e.get("green_channel")) + [say(TIDAL_MARK, lang)] * bool(e.get("tidal_capable"))
            cells = [str(key), (e.get("name") or {}).get(lang, ""),
                     "、".join(say_name(categories, c, lang) for c in e["primary"]),
                     "、".join(say_name(categories, c, lang) for c in e.get("secondary", [])), " ".join(marks)]
        else:
            cells = [key, mask_name(e["name"]), ", ".join(str(n) for n in e.get("windows", [])) or say(ANY_WINDOW, lang),
                     say(PIN_SET, lang)]
        out.append({"key": str(key), "cells": cells, "edit": f"/console/config/{section}?key={key}"})
    return out


def say_name(categories: dict, code: str, lang: str) -> str:
    return categories[code]["name"][lang] if code in categories else code


def form_fields(section: str, values: dict[str, str], errors: dict[str, str], config: dict, lang: str) -> list[dict]:
    base, form = cf.SECTIONS[section]
    out = []
    for f in form:
        kind = {cf.BOOL: "checkbox", cf.CHOICE: "select", cf.PIN: "password"}.get(f.kind, "text")
        if f.kind in cf.LONG or f.long:
            kind = "textarea"
        elif f.secret:
            kind = "secret"
        options = []
        if f.kind == cf.CHOICE:
            choices = f.choices or tuple(sorted(config.get("categories") or {}))
            options = [{"value": c, "label": say(CHOICE_WORDS[c], lang) if c in CHOICE_WORDS else
                        f"{c} {say_name(config.get('categories') or {}, c, lang)}", "selected": values.get(f.name) == c}
                       for c in choices]
        hint = say(f.hint, lang) if f.hint else ""
        if f.secret:
            hint = f"{secret_state(cf.get(config, f.path), lang)}；{hint}" if lang == "zh" else \
                f"{secret_state(cf.get(config, f.path), lang)}; {hint}"
        out.append({"name": f.name, "id": f"f-{f.name}", "label": say(f.label, lang), "kind": kind,
                    "value": "" if f.secret else values.get(f.name, ""), "error": errors.get(f.name, ""),
                    "hint": hint, "options": options, "checked": values.get(f.name) == "1"})
    return out


def secret_state(value, lang: str) -> str:
    """What a secret's field says of it instead of its value: set or not, and for an address only
    its host and port (its path or query may carry the token, as the reports page says it)."""
    if not value:
        return say(SECRET_UNSET, lang)
    host = None
    if isinstance(value, str):
        try:
            parts = urlsplit(value)
            host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        except ValueError:  # a port out of range: the address is set, its host not said
            host = None
    return fmt(SECRET_AT, lang, host=host) if host else say(SECRET_SET, lang)


def config_page(config: dict | None, version: int | None, section: str, lang: str, *, key: str = "",
                posted: dict[str, str] | None = None, errors: dict[str, str] | None = None, done: str = "",
                error: str = "", can_change: bool = False, can_export: bool = False) -> dict:
    """One section's page: its entries (for categories, items, windows, staff) and its form, showing
    the entry being edited, what was posted (after a refusal) or, for the hall's settings, the config."""
    errors = errors or {}
    base, form = cf.SECTIONS[section]
    page = {"tabs": tabs(section, lang), "section": section, "done": done, "error": error,
            "can_change": can_change, "read_only": "" if can_change else say(READ_ONLY, lang),
            "export": say(EXPORT, lang) if can_export else "", "save": say(SAVE, lang), "remove": say(REMOVE, lang),
            "columns": [say(c, lang) for c in COLUMNS.get(section, ())], "rows": [], "fields": [],
            "version": fmt(VERSION_NOW, lang, version=version) if version else "", "read_at": version or "",
            "general": errors.get("", ""),
            "edit": say(EDIT if can_change else VIEW, lang), "new_entry": say(NEW_ENTRY, lang), "new_href": f"/console/config/{section}"}
    if config is None:
        return page
    if base:
        page["rows"] = rows_of(section, config, lang)
        entry = (config.get(base) or {}).get(key) if key else None
        values = posted if posted is not None else cf.values_of(form, entry)
        page["key"] = {"label": say(KEY_LABEL[section], lang), "value": key, "error": errors.get("key", ""),
                       "editing": bool(key and entry is not None)}
        page["form_heading"] = fmt(EDITING, lang, key=key) if key and entry is not None else say(NEW_ENTRY, lang)
    else:
        values = posted if posted is not None else cf.values_of(form, config)
        page["key"] = None
        page["form_heading"] = say(HALL_FORM, lang)
    # a reader sees an entry they opened, or the hall's settings; an empty form to add one is no use to them
    shown = can_change or page["key"] is None or page["key"]["editing"]
    page["fields"] = form_fields(section, values, errors, config, lang) if shown else []
    page["action"] = f"/console/config/{section}"
    return page


# --- the version history ---------------------------------------------------------------------------


def change_words(line: dict, lang: str) -> str:
    """"新增 业务类别 disab": what one summary line of a version says."""
    section, _, rest = line["path"].partition(".")
    what = say(SECTION_WORDS[section], lang) if section in SECTION_WORDS else section
    return f"{say(KINDS.get(line['kind'], KINDS['changed']), lang)} {what}{' ' + rest if rest else ''}"


def versions_page(history: dict | None, lang: str, *, can_change: bool, error: str = "", done: str = "") -> dict:
    """The history, newest first, each version with who made it and what it changed; the return
    to any earlier one (director); with `shown`, one version's differences line by line."""
    page = {"tabs": tabs("versions", lang), "columns": [say(c, lang) for c in V_COLUMNS], "rows": [], "error": error,
            "done": done, "can_change": can_change, "restore": say(RESTORE, lang), "show": say(SHOW, lang),
            "heading": say(HISTORY, lang), "shown": None}
    if history is None:
        return page
    current = history["current"]
    page["version"] = fmt(VERSION_NOW, lang, version=current)
    for v in history["versions"]:
        words = [change_words(line, lang) for line in v.get("summary") or []]
        if v.get("restored"):
            words.insert(0, fmt(RESTORED_FROM, lang, version=v["restored"]))
        page["rows"].append({
            "version": v["version"], "label": f"{v['version']}{say(CURRENT, lang) if v['version'] == current else ''}",
            "when": v["when"], "by": v["user"] or v["device"], "source": say(SOURCES.get(v["source"], SOURCES["admin"]), lang),
            "changed": "；".join(words) if lang == "zh" else "; ".join(words),
            "show_href": f"/console/config/versions?show={v['version']}", "current": v["version"] == current,
            "restore_href": f"/console/config/versions/restore?version={v['version']}"})
    shown = history.get("shown")
    if shown:
        title = fmt(CHANGES_OF, lang, version=shown["version"], before=shown["before"]) if shown["before"] else \
            fmt(CHANGES_FIRST, lang, version=shown["version"])
        page["shown"] = diff(title, shown, lang)
    return page


def diff(title: str, shown: dict, lang: str) -> dict:
    """One comparison of two versions as the diff table shows it: each line with its setting, its
    kind of change, what it was and what it is (staff names masked, PIN hashes already hidden)."""
    return {"title": title, "columns": [say(c, lang) for c in D_COLUMNS], "version": shown["version"],
            "lines": [{"path": line["path"], "kind": say(KINDS[line["kind"]], lang),
                       "before": short(masked(line["path"], line["before"])),
                       "after": short(masked(line["path"], line["after"]))} for line in shown["changes"]],
            "nothing": say(NOTHING, lang)}


def restore_page(history: dict | None, lang: str, *, error: str = "") -> dict:
    """The confirmation of a return: what it will change, from the live version to the content of
    the one returned to (`config_versions` with `show` and `against` the live one), and the form
    that does it carrying the version it was read at. Nothing to confirm when they are the same."""
    page = {"tabs": tabs("versions", lang), "error": error, "shown": None, "version": "", "confirm": None,
            "cancel": say(RESTORE_CANCEL, lang), "heading": say(HISTORY, lang)}
    if history is None or not history.get("shown"):
        return page
    shown, now = history["shown"], history["current"]
    page["version"] = fmt(VERSION_NOW, lang, version=now)
    page["heading"] = fmt(RESTORE_HEADING, lang, version=shown["version"])
    page["shown"] = diff(fmt(RESTORE_CHANGES, lang, now=now, version=shown["version"]), shown, lang)
    if shown["changes"]:
        page["confirm"] = {"version": shown["version"], "read_at": now, "button": say(RESTORE_CONFIRM, lang),
                           "ask": fmt(RESTORE_ASK, lang, next=now + 1)}
    else:
        page["shown"]["nothing"] = say(RESTORE_NOTHING, lang)
    return page

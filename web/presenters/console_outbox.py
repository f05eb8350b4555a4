"""The 好差评 reporting page of the console: what the controller's `outbox` answered (controller/
outbox.py) — whether reports go out and to which host, the backlog's figures and each report still
waiting, with its last failure in words and its next try on the hall's clock. Pure: the reply in, a
dict in one language out. Every value from the wire is checked here, and nothing names a person:
a report is shown by its kind, its id and its ticket's number, never its record."""
from __future__ import annotations

import re

from contract.bilingual import Bi
from contract.hall import HallMirror

from ..words import fmt, say
from .console_alerts import age

OUTBOX = Bi("好差评上报", "Rating reports")
ON = Bi("已启用：评价与整改情况上报至省好差评平台 {host}", "On: ratings and rectifications go to the provincial platform at {host}")
ON_NO_HOST = Bi("已启用，但未配置平台地址（rating_reports.url）", "On, but no platform address is set (rating_reports.url)")
OFF = Bi("未启用：评价不上报（配置 rating_reports.enabled）", "Off: ratings are not reported (config rating_reports.enabled)")
FIGURES = Bi("上报情况", "Where reporting stands")
WAITING = Bi("待上报", "Waiting")
SENT_TODAY = Bi("今日已上报", "Sent today")
SENT = Bi("已上报（保留期内）", "Sent (still kept)")
FAILING = Bi("发送失败过", "Failed at least once")
OLDEST = Bi("最早一条已等", "Oldest has waited")
NONE = Bi("—", "—")
ROWS = Bi("待上报的记录（最早的在前）", "Reports waiting, oldest first")
NO_ROWS = Bi("没有待上报的记录，全部已送达", "Nothing waiting: every report has arrived")
MORE = Bi("仅列出最早的 {shown} 条，共 {n} 条", "The oldest {shown} of {n} shown")
COLUMNS = (Bi("类型", "Kind"), Bi("上报编号", "Report id"), Bi("号码", "Ticket"), Bi("已试次数", "Tries"),
           Bi("上次结果", "Last try"), Bi("下次发送", "Next try"))
KINDS = {"rating": Bi("评价", "Rating"), "rectification": Bi("整改", "Rectification")}
NOT_TRIED = Bi("尚未发送", "Not sent yet")
AFTER_RATING = Bi("待其评价送达后发送", "Goes once its rating has arrived")
SERVER_ERROR = Bi("平台出错（HTTP {status}）", "The platform failed (HTTP {status})")
REFUSED = Bi("平台拒收（HTTP {status}），请核对字段映射", "The platform refused it (HTTP {status}): check the field mapping")
ANSWERED = Bi("平台未确认（HTTP {status}）", "The platform did not acknowledge it (HTTP {status})")
TIMEOUT = Bi("平台无应答（超时）", "No answer from the platform (timed out)")
UNREACHABLE = Bi("无法连接平台", "Could not reach the platform")
FAILED = Bi("发送失败（{what}）", "Sending failed ({what})")
UNKNOWN = Bi("未能读取上报情况：{message}", "Could not read the reports: {message}")
DUE_NOW = Bi("即将发送", "Due now")

ID = re.compile(r"^[A-Za-z0-9:_.-]{1,200}$")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,60}")


def count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def seconds(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def error_words(row: dict, lang: str) -> str:
    """The last try in words a director can act on: never the raw exception (it might quote the address)."""
    status, error = row.get("last_status"), row.get("last_error")
    if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599:
        words = SERVER_ERROR if status >= 500 else REFUSED if 400 <= status < 500 else ANSWERED
        return fmt(words, lang, status=status)
    if not isinstance(error, str) or not error:
        return say(NOT_TRIED, lang)
    lowered = error.lower()
    if "timed out" in lowered or "timeout" in lowered:
        return say(TIMEOUT, lang)
    if "refused" in lowered or "urlerror" in lowered or "unreachable" in lowered or "name or service" in lowered \
            or "reset" in lowered:
        return say(UNREACHABLE, lang)
    kind = NAME.match(error)
    return fmt(FAILED, lang, what=kind.group(0) if kind else "?")


def next_try(hall: HallMirror, at, now: float, lang: str) -> str:
    at = seconds(at)
    if at is None:
        return say(NONE, lang)
    if at <= now:
        return say(DUE_NOW, lang)
    when = hall.hall_time(at)
    return when.strftime("%H:%M:%S" if when.date() == hall.hall_time(now).date() else "%Y-%m-%d %H:%M")


def waiting_row(hall: HallMirror, row: dict, waiting_ids: set[str], now: float, lang: str) -> dict | None:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not ID.match(row["id"]):
        return None
    kind = row.get("kind") if row.get("kind") in KINDS else "rating"
    number = row.get("number") if isinstance(row.get("number"), str) and len(row["number"]) <= 16 else ""
    day = row.get("day") if isinstance(row.get("day"), str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["day"]) else ""
    held = row.get("after_id") in waiting_ids
    return {"id": row["id"], "kind": kind, "kind_text": say(KINDS[kind], lang),
            "ticket": " ".join(part for part in (day, number) if part) or say(NONE, lang),
            "attempts": count(row.get("attempts")),
            "error": say(AFTER_RATING, lang) if held and not count(row.get("attempts")) else error_words(row, lang),
            "failed": bool(row.get("last_error")) or row.get("last_status") is not None,
            "next": say(AFTER_RATING, lang) if held else next_try(hall, row.get("next_try_at"), now, lang)}


def outbox_page(hall: HallMirror, state: dict | None, lang: str, *, error: str = "") -> dict:
    """The page's model; `state` the reply's `outbox` (None when the controller could not be asked)."""
    state = state if isinstance(state, dict) else {}
    now = hall.hall_now()
    host = state.get("endpoint") if isinstance(state.get("endpoint"), str) and len(state["endpoint"]) <= 300 else None
    if state.get("enabled") is True:
        status = fmt(ON, lang, host=host) if host else say(ON_NO_HOST, lang)
    else:
        status = say(OFF, lang)
    raw_rows = state.get("rows") if isinstance(state.get("rows"), list) else []
    waiting_ids = {r.get("id") for r in raw_rows if isinstance(r, dict)}
    rows = [r for r in (waiting_row(hall, row, waiting_ids, now, lang) for row in raw_rows) if r]
    oldest = seconds(state.get("oldest_age_s"))
    waiting = count(state.get("waiting"))
    figures = [("waiting", WAITING, str(waiting)), ("sent_today", SENT_TODAY, str(count(state.get("sent_today")))),
               ("sent", SENT, str(count(state.get("sent")))), ("failing", FAILING, str(count(state.get("failing")))),
               ("oldest", OLDEST, say(NONE, lang) if oldest is None or not waiting else age(oldest, lang))]
    return {"enabled": state.get("enabled") is True, "status": status, "error": error,
            "figures_heading": say(FIGURES, lang),
            "figures": [{"key": key, "label": say(label, lang), "value": value} for key, label, value in figures],
            "heading": say(ROWS, lang), "columns": [say(c, lang) for c in COLUMNS], "rows": rows,
            "empty": say(NO_ROWS, lang),
            "more": fmt(MORE, lang, shown=len(rows), n=waiting) if waiting > len(rows) else ""}

"""The report as one readable HTML page: Chinese first, English second, charts beside the tables."""
from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from contract.messages import OUTCOME_NAMES, OUTCOMES

STYLE = """
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .6em 0; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
th { background: #f3f5f8; } td.name, th.name { text-align: left; }
.figures span { display: inline-block; margin: 0 1.6em .6em 0; } .figures b { font-size: 1.4em; }
.red { color: #b00; } .yellow { color: #a60; } img { max-width: 100%; }
"""

SUMMARY = (("issued", "取号", "issued"), ("served", "办结", "served"), ("no_show", "过号", "no-shows"),
           ("transferred", "转移", "transfers"), ("expired", "过期未办", "expired"),
           ("unfinished", "未办结", "unfinished"), ("avg_wait_s", "平均等候", "avg wait"),
           ("p90_wait_s", "90%等候", "p90 wait"), ("max_wait_s", "最长等候", "max wait"),
           ("avg_service_s", "平均办理", "avg service"), ("p90_service_s", "90%办理", "p90 service"),
           ("peak_hour", "高峰", "peak"), ("rated", "评价", "rated"), ("avg_rating", "均分", "avg rating"),
           ("bad_ratings", "差评", "poor"), ("load_pct", "忙碌率", "load %"))
HEADLINE = ("issued", "served", "no_show", "transferred", "avg_wait_s", "p90_wait_s", "max_wait_s", "avg_service_s",
            "p90_service_s", "peak_hour")  # the hall's figures at the top of the page


def _cell(key: str, value) -> str:
    if value is None:
        return "–"
    if key.endswith("_s"):
        return f"{value / 60:.1f}′"
    if key == "peak_hour":
        return f"{value % 24:02d}:00"
    return escape(str(value))


def _table(head: list[str], lines: list[list[str]]) -> str:
    header = "".join(f"<th{' class=name' if i == 0 else ''}>{h}</th>" for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f"<td{' class=name' if i == 0 else ''}>{c}</td>" for i, c in enumerate(line))
                   + "</tr>" for line in lines)
    return f"<table><tr>{header}</tr>{body}</table>"


def _summary(report: dict, section: str, scope: str) -> str:
    from .files import name_of

    keys = [k for k, _, _ in SUMMARY if any(b.get(k) is not None for b in report[section].values())]
    head = ["名称 Name"] + [f"{zh}<br><small>{en}</small>" for k, zh, en in SUMMARY if k in keys]
    lines = []
    for key, bucket in report[section].items():
        zh, en = name_of(report, scope, key)
        lines.append([f"{escape(zh)} <small>{escape(en)}</small>"] + [_cell(k, bucket.get(k)) for k in keys])
    return _table(head, lines) if lines else "<p>无 None</p>"


def _outcomes(report: dict) -> str:
    """The served of the hall and of each category by their outcome (受理, 补正, 不予受理, 即办, 咨询)."""
    from .files import name_of

    head = ["名称 Name"] + [f"{zh}<br><small>{en}</small>" for zh, en in (OUTCOME_NAMES[o] for o in OUTCOMES)]
    lines = []
    for scope, key, bucket in [("hall", "", report["hall"])] + [("category", k, b)
                                                               for k, b in report["categories"].items()]:
        zh, en = name_of(report, scope, key)
        counts = bucket.get("outcomes") or {}
        lines.append([f"{escape(zh)} <small>{escape(en)}</small>"] + [counts.get(o, 0) for o in OUTCOMES])
    return _table(head, lines)


def _time(at: float | None, report: dict) -> str:
    return "–" if at is None else datetime.fromtimestamp(at, ZoneInfo(report["timezone"])).strftime("%H:%M")


def render(report: dict, images: dict, comparison: dict | None = None) -> str:
    hall, day = report["hall"], escape(report["day"])
    parts = [f"<!doctype html><html lang=zh><meta charset=utf-8><title>日清日结 {day}</title><style>{STYLE}</style>",
             f"<h1>日清日结 · {day}<br><small>Daily report · {day}</small></h1>", "<div class=figures>"]
    for key, zh, en in (line for line in SUMMARY if line[0] in HEADLINE):
        parts.append(f"<span>{zh} <small>{en}</small><br><b>{_cell(key, hall.get(key))}</b></span>")
    parts.append("</div><p><small>由台账计算（共 {} 条记录）· computed from the ledger ({} events); "
                 "′ = 分钟 minutes</small></p>".format(report["events"], report["events"]))
    if "arrivals" in images:
        parts.append(f"<h2>按时段 By hour</h2><img src='{escape(images['arrivals'])}' alt='arrivals'>")
    else:
        parts.append("<h2>按时段 By hour</h2>")
    parts.append(_table(["时段 Hour", "取号 issued", "办结 served", "平均等候 avg wait", "90%等候 p90 wait",
                         "最多同时等候 most waiting"],
                        [[h["label"], h["issued"], h["served"], _cell("s_s", h["avg_wait_s"]),
                          _cell("s_s", h["p90_wait_s"]), h["max_waiting"]] for h in report["hours"]]))
    parts.append("<h2>按业务 By category</h2>" + _summary(report, "categories", "category"))
    parts.append("<h2>办理结果 Outcomes at the window</h2>" + _outcomes(report))
    parts.append("<h2>按窗口 By window</h2>")
    if "windows" in images:
        parts.append(f"<img src='{escape(images['windows'])}' alt='windows'>")
    parts.append(_summary(report, "windows", "window"))
    parts.append("<h2>按人员 By staff member</h2>" + _summary(report, "staff", "staff"))
    ratings = report["ratings"]
    parts.append("<h2>评价与回访 Ratings and follow-ups</h2>" + _table(
        ["评价数 rated", "均分 avg", "差评 poor", "回访 follow-ups", "按状态 by status", "逾期 overdue",
         "按期办结 closed in time"],
        [[ratings["rated"], ratings["avg_rating"] or "–", ratings["bad"], ratings["followups"],
          escape(", ".join(f"{k}: {v}" for k, v in ratings["followups_by_status"].items()) or "–"),
          ratings["followups_overdue"], ratings["followups_closed_in_time"]]]))
    alerts = report["alerts"]
    parts.append(f"<h2>电子监察 Alerts</h2><p>共 {alerts['opened']} 条 · {alerts['opened']} opened, "
                 f"{alerts['acked']} 已确认 acknowledged, {alerts['open_at_end']} 未关闭 still open</p>")
    parts.append(_table(["时间 Time", "级别 Level", "内容 What", "状态 Status"],
                        [[_time(a["opened_at"], report), (f"<span class={a['level']}>"
                          f"{'红牌 red' if a['level'] == 'red' else '黄牌 yellow'}</span>"),
                          f"{escape(a['text']['zh'])}<br><small>{escape(a['text']['en'])}</small>",
                          "已关闭 closed" if a["status"] == "closed" else "未关闭 open"]
                         for a in alerts["list"][:200]]) if alerts["list"] else "")
    tidal = report["tidal"]
    parts.append(f"<h2>潮汐窗口 Tidal windows</h2><p>切换 {tidal['switches']} 次 · {tidal['switches']} switches</p>")
    if tidal["list"]:
        parts.append(_table(["时间 Time", "窗口 Window", "改办 To", "原因 Reason", "操作 By"],
                            [[_time(t["at"], report), t["window"], escape(t["to"] or "本窗口业务 own"),
                              escape(t["reason"] or ""), escape(t["by"] or "")] for t in tidal["list"]]))
    if report.get("expected"):
        parts.append(_expected(report))
    parts.append(_appointments(report))
    if comparison:
        parts.append(_comparison(comparison, report))
    parts.append("</html>")
    return "\n".join(str(p) for p in parts)


def _expected(report: dict) -> str:
    """今日预计 Expected today: the forecast of the day beside what came."""
    from .files import name_of

    expected = report["expected"]
    lines = []
    for code, figures in expected["categories"].items():
        zh, en = name_of(report, "category", code)
        actual = report["categories"].get(code, {})
        lines.append([f"{escape(zh)} <small>{escape(en)}</small>", f"{figures['arrivals']:.0f}",
                      actual.get("issued", 0), _cell("s_s", figures["service_s"]),
                      _cell("s_s", actual.get("avg_service_s"))])
    label, basis = expected["label"], expected["basis_text"]
    return (f"<h2>{escape(label['zh'])} {escape(label['en'])}</h2><p>依据 {escape(basis['zh'])}"
            f"（{expected['days']} 天）· from {escape(basis['en'])} ({expected['days']} days)</p>"
            + _table(["业务 Category", "预计取号 expected tickets", "实际取号 issued", "预计办理 expected service",
                      "实际办理 avg service"], lines))


BOOKING_HEAD = ["预约 booked", "取消 cancelled", "签到 checked in", "失约 no-show"]


def _appointments(report: dict) -> str:
    """预约: the day's steps by channel and category, its slots, the blacklist in force."""
    booked = report.get("appointments")
    if not booked:
        return ""
    steps = ("booked", "cancelled", "checked_in", "no_show")
    total = booked["total"]
    names = report.get("names", {}).get("categories", {})
    lines = [["合计 all", *(total[s] for s in steps)]]
    lines += [[escape(f"渠道 {channel}"), *(c[s] for s in steps)] for channel, c in sorted(booked["by_channel"].items())]
    lines += [[escape(names.get(code, {}).get("zh", code or "–")), *(c[s] for s in steps)]
              for code, c in sorted(booked["by_category"].items(), key=lambda kv: str(kv[0]))]
    out = ["<h2>预约 Appointments</h2>", _table(["", *BOOKING_HEAD], lines)]
    slots = booked.get("slots_of_day")
    if slots is not None:
        out.append("<p>当日时段 Slots of the day: " + escape(", ".join(f"{k}: {v}" for k, v in sorted(slots.items()))
                                                           or "–") + "</p>")
    if "blacklist" in booked:
        out.append(f"<p>预约黑名单 Barred from booking: {booked['blacklist']['count']} · 限制开始 barred today "
                   f"{total['barred']} · 解除 lifted {total['unbarred']}</p>")
    return "\n".join(out)


def _comparison(comparison: dict, report: dict) -> str:
    from .files import name_of

    variants = comparison["variants"]
    names = {"static": "固定窗口 static", "tidal": "潮汐窗口 tidal", "pooled": "全通办 pooled"}
    head = ["业务 Category"] + [f"{names.get(v, v)}<br><small>平均 / 90% avg / p90</small>" for v in variants]
    lines = []
    for code, by_variant in [("", comparison["hall"])] + list(comparison["categories"].items()):
        zh, en = name_of(report, "category", code) if code else ("全厅", "Hall")
        lines.append([f"{escape(zh)} <small>{escape(en)}</small>"] + [
            f"{_cell('s_s', by_variant[v]['avg_wait_s'])} / {_cell('s_s', by_variant[v]['p90_wait_s'])}"
            for v in variants])
    return ("<h2>模拟对比 Simulated comparison</h2><p>同一批办事群众，三种窗口安排 · the same citizens, three ways "
            "of assigning windows</p>" + _table(head, lines))

"""Configuration as forms: what each form of the console's configuration pages holds, how a posted
form becomes the merge patch the controller is sent, and how the controller's refusal comes back
next to the field it is about — pure functions, no request, no controller.

A form is a list of `Field`s, each the path of one setting inside its entry (a category, an item,
a window, a member of staff, or the hall itself for the rules). `patch_of` turns the posted
strings into that entry as JSON, with null for a field left blank, so a merge patch of it replaces
what the form shows and a blank field takes the setting's default (RFC 7386: null deletes). Values
are not checked here beyond their shape: the controller validates the whole config and names each
offending key (`error.problems`), which `errors_by_field` gives to the field whose path it is in.
Numbers the form cannot read are sent as written, so the refusal says what was typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contract.bilingual import Bi

from .words import say

TEXT, INT, BOOL, CODES, NUMBERS, PAIRS, MATERIALS, SPANS, LINES, CHOICE, PIN, DECIMAL, TABLE, RATES = (
    "text", "int", "bool", "codes", "numbers", "pairs", "materials", "spans", "lines", "choice", "pin", "decimal",
    "table", "rates")
NAMES, REASONS, HEADERS = "names", "reasons", "headers"
LONG = frozenset({PAIRS, MATERIALS, SPANS, LINES, TABLE, RATES, NAMES, REASONS, HEADERS})  # one per line, a text area
# a keyed map (per category, item, hour, data item or header) the field shows in full and replaces whole
MAPS = frozenset({TABLE, RATES, NAMES, REASONS, HEADERS})
CLEAR = "-"  # typed alone in a secret's field: the secret is taken away
OFF_WORDS = ("停用", "off")  # a row of a table whose entries may be switched off: `enabled` false
BLANK = "-"  # a column of a table row left to the hall's value


@dataclass(frozen=True)
class Field:
    name: str  # the form field's name: the path joined with _
    path: tuple[str, ...]
    kind: str
    label: Bi
    choices: tuple[str, ...] = ()
    hint: Bi | None = None
    long: bool = False  # a long text: a text area
    # a TABLE's columns: the setting each value of a row is (its path inside the row's entry), in order;
    # `off` when a row may end in 停用 (its `enabled` false)
    columns: tuple[str, ...] = ()
    off: bool = False
    # a secret (the platform's address and headers, which may carry a token): never shown, only
    # said to be set or not; left blank it keeps what the config has, typed it replaces it
    secret: bool = False


def field(path: str, kind: str, label: Bi, **more) -> Field:
    parts = tuple(path.split("."))
    return Field("_".join(parts), parts, kind, label, **more)


LINE_OF_PAIRS = Bi("每行一项：中文 | English", "One a line: Chinese | English")

CATEGORY = (
    field("name.zh", TEXT, Bi("名称（中文）", "Name (Chinese)")),
    field("name.en", TEXT, Bi("名称（英文）", "Name (English)")),
    field("prefix", TEXT, Bi("票号字母", "Ticket letter"), hint=Bi("一个大写字母 A-Z", "One capital letter A-Z")),
    field("daily_cap", INT, Bi("每日号源", "Tickets a day")),
    field("default_service_s", INT, Bi("预计办理用时（秒）", "Expected service (s)")),
    field("order", INT, Bi("显示顺序", "Order shown")),
    field("allow_green", BOOL, Bi("设绿色通道", "Green channel")),
    field("when_unserved", CHOICE, Bi("无窗口办理时", "When no window serves it"), choices=("issue", "refuse")),
)
ITEM = (
    field("name.zh", TEXT, Bi("事项名称（中文）", "Item name (Chinese)")),
    field("name.en", TEXT, Bi("事项名称（英文）", "Item name (English)")),
    field("category", CHOICE, Bi("所属业务", "Service")),
    field("guide.basis.zh", TEXT, Bi("办理依据（中文）", "Legal basis (Chinese)"), long=True),
    field("guide.basis.en", TEXT, Bi("办理依据（英文）", "Legal basis (English)"), long=True),
    field("guide.conditions.zh", TEXT, Bi("受理条件（中文）", "Conditions (Chinese)"), long=True),
    field("guide.conditions.en", TEXT, Bi("受理条件（英文）", "Conditions (English)"), long=True),
    field("guide.materials", MATERIALS, Bi("申请材料", "Documents"),
          hint=Bi("每行一项：中文 | English | 份数 | 原件或复印件 | 备注 | note",
                  "One a line: Chinese | English | copies | 原件 (original) or 复印件 (copy) | note zh | note en")),
    field("guide.steps", PAIRS, Bi("办理流程", "Steps"), hint=LINE_OF_PAIRS),
    field("guide.legal_limit_days", INT, Bi("法定时限（天）", "Legal limit (days)")),
    field("guide.promised_limit_days", INT, Bi("承诺时限（天）", "Promised limit (days)")),
    field("guide.fees.zh", TEXT, Bi("收费（中文）", "Fees (Chinese)")),
    field("guide.fees.en", TEXT, Bi("收费（英文）", "Fees (English)")),
    field("guide.phone", TEXT, Bi("咨询电话", "Phone")),
)
WINDOW = (
    field("name.zh", TEXT, Bi("窗口名称（中文，可空）", "Window name (Chinese, optional)")),
    field("name.en", TEXT, Bi("窗口名称（英文，可空）", "Window name (English, optional)")),
    field("primary", CODES, Bi("主办业务", "Primary services"), hint=Bi("业务代码，逗号分隔", "Service codes, with commas")),
    field("secondary", CODES, Bi("兼办业务", "Secondary services"), hint=Bi("业务代码，逗号分隔", "Service codes, with commas")),
    field("green_channel", BOOL, Bi("绿色通道窗口", "Green-channel window")),
    field("tidal_capable", BOOL, Bi("可潮汐切换", "Tidal")),
    field("home_first", BOOL, Bi("先本后他", "Own first, then others")),
)
STAFF = (
    field("name", TEXT, Bi("姓名", "Name")),
    field("windows", NUMBERS, Bi("可登录窗口", "Windows"), hint=Bi("窗口号，逗号分隔；空为任意窗口",
                                                                 "Window numbers, with commas; blank for any")),
    field("pin", PIN, Bi("登录密码（PIN）", "PIN"), hint=Bi("4-8位数字；留空则不修改", "4-8 digits; blank keeps it")),
)
RULES = (
    field("queue.max_calls", INT, Bi("最多呼叫次数", "Calls before a no-show")),
    field("queue.priority_ratio", INT, Bi("优先与普通叫号比", "Priority calls per normal call")),
    field("queue.max_wait_s", INT, Bi("最长等候（秒，超过即优先）", "Longest wait (s), then first")),
    field("applications.warn_working_days", INT, Bi("办件临期黄牌（到期前工作日）",
                                                    "Applications: yellow card (working days before due)")),
    field("ticketing_hours", SPANS, Bi("取号时间", "Ticketing hours"),
          hint=Bi("每行一段：08:30-12:00；空为全天", "One span a line: 08:30-12:00; blank for all day")),
    field("calendar.holidays", LINES, Bi("本地休息日", "Local days off"), hint=Bi("每行一天：2026-12-31", "One day a line: 2026-12-31")),
    field("calendar.workdays", LINES, Bi("本地调休上班日", "Local working days"), hint=Bi("每行一天：2026-12-27", "One day a line")),
)
APPOINTMENTS = (
    field("appointments.enabled", BOOL, Bi("开放预约", "Booking open")),
    field("appointments.hours", SPANS, Bi("预约时段", "Booking hours"),
          hint=Bi("每行一段：09:00-12:00；空为取号时间", "One span a line; blank for the ticketing hours")),
    field("appointments.slot_minutes", INT, Bi("每段分钟", "Minutes a slot")),
    field("appointments.capacity", INT, Bi("每段人数", "People a slot")),
    field("appointments.open_working_days", INT, Bi("提前开放（工作日）", "Open ahead (working days)")),
    field("appointments.off_hours.items", CODES, Bi("非工作时间可约事项", "Items bookable off hours"),
          hint=Bi("事项编号，逗号分隔", "Item ids, with commas")),
    field("appointments.off_hours.slots", LINES, Bi("非工作时间时段", "Off-hours slots"),
          hint=Bi("每行：星期 开始-结束，如 1,2,3,4,5 17:30-19:30；节假日也开放的加“含节假日”",
                  "One a line: weekdays start-end, e.g. 1,2,3,4,5 17:30-19:30; add 含节假日 when open on holidays")),
    field("appointments.off_hours.slot_minutes", INT, Bi("非工作时间每段分钟", "Off hours: minutes a slot"),
          hint=Bi("5-480", "5-480")),
    field("appointments.off_hours.capacity", INT, Bi("非工作时间每段人数", "Off hours: people a slot")),
    field("appointments.off_hours.min_working_days", INT, Bi("非工作时间至少提前（工作日）",
                                                             "Off hours: booked at least (working days) ahead")),
    field("appointments.off_hours.max_working_days", INT, Bi("非工作时间最多提前（工作日）",
                                                             "Off hours: booked at most (working days) ahead"),
          hint=Bi("不能少于至少提前的天数", "Not below the least")),
    field("appointments.min_lead_minutes", INT, Bi("当天预约至少提前（分钟）", "A same-day booking at least (min) ahead"),
          hint=Bi("0-1440", "0-1440")),
    field("appointments.cancel_before_minutes", INT, Bi("取消截止：时段开始前（分钟）", "Cancel until (min) before the slot"),
          hint=Bi("0-2880", "0-2880")),
    field("appointments.late_grace_s", INT, Bi("迟到仍可签到（秒，时段结束后）", "Check-in open (s) after the slot ends")),
    field("appointments.early_waits_for_slot", BOOL, Bi("提前签到的等到时段开始才叫号", "Early arrivals wait for their slot")),
    field("appointments.late_as_walk_in", BOOL, Bi("迟到签到的按现场取号排队", "Late arrivals queue as walk-ins")),
    field("appointments.categories", TABLE, Bi("按业务的预约规则", "Booking rules by service"), off=True,
          columns=("slot_minutes", "capacity"),
          hint=Bi("每行一项业务：代码 每段分钟 每段人数；- 沿用全厅设置，末尾加“停用”则不可预约，如 tax 20 2",
                  "One service a line: code, minutes a slot, people a slot; - for the hall's value, 停用 (off) at "
                  "the end when it cannot be booked, e.g. tax 20 2")),
    field("appointments.items", TABLE, Bi("按事项的预约规则", "Booking rules by item"), off=True,
          columns=("slot_minutes", "capacity"),
          hint=Bi("每行一个事项：编号 每段分钟 每段人数；单独计数，如 C01 - 1", "One item a line: id, minutes a slot, "
                  "people a slot; counted on its own, e.g. C01 - 1")),
    field("appointments.blacklist.enabled", BOOL, Bi("启用预约黑名单", "Booking blacklist on")),
    field("appointments.blacklist.no_shows", INT, Bi("黑名单：失约次数", "Blacklist: bookings missed")),
    field("appointments.blacklist.period_days", INT, Bi("黑名单：统计期（天）", "Blacklist: within (days)"),
          hint=Bi("183 天 ≈ 半年", "183 days ≈ half a year")),
    field("appointments.blacklist.bar_days", INT, Bi("黑名单：限制预约（天）", "Blacklist: barred for (days)")),
)


def cards(rule: str, zh: str, en: str) -> tuple[Field, Field]:
    """A rule's yellow and red card (黄牌, 红牌), each in seconds."""
    return (field(f"supervision.{rule}.yellow_s", INT, Bi(f"{zh}：黄牌（秒）", f"{en}: yellow card (s)")),
            field(f"supervision.{rule}.red_s", INT, Bi(f"{zh}：红牌（秒）", f"{en}: red card (s)"),
                  hint=Bi("须大于黄牌", "Above the yellow card")))


SUPERVISION = (
    field("supervision.enabled", BOOL, Bi("开启电子监察", "Supervision on")),
    *cards("wait", "群众等候", "A ticket waiting"),
    *cards("service", "单笔办理", "One service"),
    *cards("no_call", "有人等候而窗口不叫号", "Window idle while its tickets wait"),
    *cards("pause", "窗口暂停", "Window paused"),
    *cards("unstaffed", "有人等候而窗口无人", "Nobody at a window while its tickets wait"),
    *cards("tidal_short", "潮汐无窗口可调", "No tidal window to switch"),
    field("supervision.followup_warn_s", INT, Bi("差评回访到期前预警（秒）", "Warn before a follow-up is due (s)"),
          hint=Bi("86400 秒 = 1 天", "86400 s = 1 day")),
    field("supervision.staffed_windows", NUMBERS, Bi("排班应有人的窗口", "Windows the roster staffs"),
          hint=Bi("窗口号，逗号分隔；空为不检查", "Window numbers, with commas; blank for none")),
    field("supervision.categories", TABLE, Bi("按业务的时限", "Limits by service"),
          columns=("wait.yellow_s", "wait.red_s", "service.yellow_s", "service.red_s"),
          hint=Bi("每行一项业务：代码 等候黄牌 等候红牌 办理黄牌 办理红牌（秒）；用 - 沿用全厅时限，如 tax 600 1200 - -",
                  "One service a line: code, wait yellow, wait red, service yellow, service red (s); - for the "
                  "hall's limit, e.g. tax 600 1200 - -")),
)
TIDAL = (
    field("tidal.enabled", BOOL, Bi("开启潮汐窗口", "Tidal windows on")),
    field("tidal.policy", CHOICE, Bi("调度方式", "How windows move"), choices=("threshold", "rota")),
    field("tidal.open_wait_s", INT, Bi("预计等候达此即调入（秒）", "Switch in at a predicted wait of (s)"),
          hint=Bi("60-14400", "60-14400")),
    field("tidal.open_oldest_wait_s", INT, Bi("最久等候达此即调入（秒）", "Switch in at an oldest wait of (s)"),
          hint=Bi("60-14400", "60-14400")),
    field("tidal.close_wait_s", INT, Bi("预计等候低于此即调回（秒）", "Switch back under a predicted wait of (s)"),
          hint=Bi("须小于调入的预计等候", "Below the switch-in wait")),
    field("tidal.sustain_s", INT, Bi("持续多久才切换（秒）", "Held for (s) before a switch")),
    field("tidal.min_hold_s", INT, Bi("切换后至少保持（秒）", "Kept at least (s) after a switch")),
    field("tidal.max_windows", INT, Bi("同一业务最多调入窗口数", "Most windows switched to one service")),
    field("tidal.home_first", BOOL, Bi("潮汐窗口先本后他", "Tidal windows: own first, then others")),
    field("tidal.rota.every_s", INT, Bi("排班：复核间隔（秒）", "Rota: review every (s)")),
    field("tidal.rota.need_above", DECIMAL, Bi("排班：负荷高于此借入窗口", "Rota: borrow above a load of"),
          hint=Bi("负荷 = 窗口工时需求 ÷ 开放窗口工时，如 0.9", "Load = window-hours needed ÷ open, e.g. 0.9")),
    field("tidal.rota.lend_below", DECIMAL, Bi("排班：负荷低于此可借出", "Rota: lend below a load of"),
          hint=Bi("须小于借入负荷", "Below the borrow load")),
    field("tidal.rota.return_below", DECIMAL, Bi("排班：负荷低于此归还", "Rota: return below a load of"),
          hint=Bi("须小于借入负荷", "Below the borrow load")),
    field("tidal.rota.min_hold_s", INT, Bi("排班：借出至少保持（秒）", "Rota: lent at least (s)"),
          hint=Bi("1800-14400", "1800-14400")),
    field("tidal.rota.home_wait_s", INT, Bi("排班：本业务等候达此即归还（秒）", "Rota: home when its own wait reaches (s)")),
    field("tidal.categories", TABLE, Bi("按业务的潮汐规则", "Tidal rules by service"), off=True,
          columns=("open_wait_s", "open_oldest_wait_s", "close_wait_s", "max_windows"),
          hint=Bi("每行一项业务：代码 调入预计等候 调入最久等候 调回预计等候（秒） 最多窗口数；- 沿用全厅设置，"
                  "末尾加“停用”则该业务不调，如 tax 900 - 200 2",
                  "One service a line: code, switch-in wait, oldest wait, switch-back wait (s), most windows; - for "
                  "the hall's value, 停用 (off) at the end to keep it out, e.g. tax 900 - 200 2")),
)
NOTICE = (
    field("notice.zh", TEXT, Bi("大厅屏幕公告（中文）", "Hall-screen notice line (Chinese)"), long=True,
          hint=Bi("滚动显示；最多200字；两栏都空则不显示公告", "Scrolls on the hall screen; at most 200 characters; "
                  "both blank for none")),
    field("notice.en", TEXT, Bi("大厅屏幕公告（英文）", "Hall-screen notice line (English)"), long=True,
          hint=Bi("有中文公告时必须填写", "Needed with a Chinese notice")),
)
FORECAST = (
    field("forecast.enabled", BOOL, Bi("开启客流预测", "Forecast on")),
    field("forecast.weeks", INT, Bi("按最近几周学习", "Learnt from the last (weeks)"), hint=Bi("1-52", "1-52")),
    field("forecast.min_days", INT, Bi("同类日子至少几天才采用", "Days of a kind needed before it is used"),
          hint=Bi("1-60；不足时用上一级", "1-60; fewer fall back")),
    field("forecast.cold_start", RATES, Bi("开业初期的每小时取号数", "Tickets an hour before days are stored"),
          hint=Bi("每行：小时 业务代码 每小时张数，如 09 tax 12（09 即 09:00-10:00）",
                  "One a line: hour, service code, tickets an hour, e.g. 09 tax 12 (09 = 09:00-10:00)")),
)

RATINGS = (
    field("ratings.followup_working_days", INT, Bi("差评回访整改时限（工作日）", "A poor rating followed up within (working days)"),
          hint=Bi("1-60", "1-60")),
    field("ratings.qr_days", INT, Bi("扫码评价有效期（天，含办理当天）", "QR rating open for (days, the day of service counted)"),
          hint=Bi("1-30；1 即仅当天", "1-30; 1 = that day only")),
    field("ratings.reasons", REASONS, Bi("差评原因", "Reasons of a poor rating"),
          hint=Bi("每行一项：代码 | 中文 | English，如 slow | 办理效率低 | Too slow；至少一项",
                  "One a line: code | Chinese | English, e.g. slow | 办理效率低 | Too slow; at least one")),
    field("cases.complaint_working_days", INT, Bi("投诉办结时限（工作日）", "A complaint answered within (working days)"),
          hint=Bi("1-60", "1-60")),
    field("cases.consultation_working_days", INT, Bi("咨询答复时限（工作日）", "A consultation answered within (working days)"),
          hint=Bi("1-60", "1-60")),
    field("rating_reports.enabled", BOOL, Bi("向省级平台上报好差评", "Report ratings to the provincial platform")),
    field("rating_reports.url", TEXT, Bi("平台接收地址", "Platform address"), secret=True,
          hint=Bi("http(s)://主机[:端口]/路径；不显示，留空则不修改，填 - 则清除",
                  "http(s)://host[:port]/path; never shown: blank keeps it, - takes it away")),
    field("rating_reports.headers", HEADERS, Bi("请求头（含令牌）", "Request headers (with the token)"), secret=True,
          hint=Bi("每行一个：名称: 值，如 Authorization: Bearer …；不显示，留空则不修改，填 - 则全部清除",
                  "One a line: Name: value, e.g. Authorization: Bearer …; never shown: blank keeps them, "
                  "- takes them all away")),
    field("rating_reports.org_code", TEXT, Bi("机构编码", "Organisation code")),
    field("rating_reports.timeout_s", DECIMAL, Bi("每次上报等待（秒）", "Wait for the platform (s)"), hint=Bi("0.1-120", "0.1-120")),
    field("rating_reports.backoff_s", DECIMAL, Bi("失败后首次重试间隔（秒）", "First retry after a failure (s)"),
          hint=Bi("每次失败加倍", "Doubled after each failure")),
    field("rating_reports.backoff_max_s", DECIMAL, Bi("最长重试间隔（秒）", "Longest retry interval (s)"),
          hint=Bi("不能小于首次重试间隔；1800 秒 = 30 分钟", "Not below the first retry; 1800 s = 30 min")),
    field("rating_reports.batch", INT, Bi("每轮最多上报条数", "Reports sent a round at most"), hint=Bi("1-1000", "1-1000")),
    field("rating_reports.keep_sent_days", INT, Bi("已上报记录保留（天）", "Sent reports kept (days)"),
          hint=Bi("1-3650", "1-3650")),
    field("rating_reports.fields", NAMES, Bi("数据项改名（按平台接口）", "Data items renamed (as the platform names them)"),
          hint=Bi("每行一项：数据项 平台字段名，如 application_no bjbh；未列出的按原名发送",
                  "One a line: data item, the platform's name, e.g. application_no bjbh; others keep their names")),
    field("rating_reports.channels", NAMES, Bi("评价渠道代码", "Channel codes"),
          hint=Bi("每行一项：渠道 平台代码，渠道为 evaluator（评价器）、kiosk（取号机）、qr（扫码），如 qr 3",
                  "One a line: channel, the platform's code; channels are evaluator, kiosk, qr, e.g. qr 3")),
)
REMOTE = (
    field("remote_ticket.enabled", BOOL, Bi("开放线上取号", "Remote tickets on")),
    field("remote_ticket.categories", TABLE, Bi("开放线上取号的业务", "Services with remote tickets"), off=True,
          columns=("daily_cap",),
          hint=Bi("每行一项业务：代码 线上每日号源；- 或不填则只受该业务每日号源限制，末尾加“停用”则暂不开放，如 tax 100",
                  "One service a line: code, remote tickets a day; - or none for the service's own daily cap, "
                  "停用 (off) at the end to pause it, e.g. tax 100")),
    field("remote_ticket.per_phone_per_day", INT, Bi("每个手机号每天可取（张）", "Tickets a phone a day"),
          hint=Bi("1-10", "1-10")),
    field("remote_ticket.code.length", INT, Bi("验证码位数", "Code digits"), hint=Bi("4-8", "4-8")),
    field("remote_ticket.code.valid_s", INT, Bi("验证码有效期（秒）", "Code good for (s)"), hint=Bi("60-1800", "60-1800")),
    field("remote_ticket.code.resend_s", INT, Bi("验证码重发间隔（秒）", "Code sent again after (s)"),
          hint=Bi("10-600，须短于有效期", "10-600, below the time it is good for")),
    field("remote_ticket.code.max_tries", INT, Bi("验证码错误次数上限", "Wrong codes before it is locked"),
          hint=Bi("1-10", "1-10")),
    field("remote_ticket.code.sends_per_day", INT, Bi("每个手机号每天可收验证码（条）", "Codes a phone a day"),
          hint=Bi("1-50", "1-50")),
    field("remote_ticket.no_show.enabled", BOOL, Bi("线上取号过号限制", "Remote no-show bar on")),
    field("remote_ticket.no_show.no_shows", INT, Bi("过号限制：过号次数", "No-show bar: tickets missed"),
          hint=Bi("1-20", "1-20")),
    field("remote_ticket.no_show.period_days", INT, Bi("过号限制：统计期（天）", "No-show bar: within (days)"),
          hint=Bi("1-365", "1-365")),
    field("remote_ticket.no_show.bar_days", INT, Bi("过号限制：暂停线上取号（天）", "No-show bar: barred for (days)"),
          hint=Bi("1-365；现场取号不受影响", "1-365; kiosk tickets stay open")),
    field("appointments.notify.backend", CHOICE, Bi("短信通知（预约与线上取号共用）", "Messages (bookings and remote tickets)"),
          choices=("none", "log", "webhook"), hint=Bi("线上取号的验证码经此发送", "Remote tickets' codes are sent this way")),
    field("appointments.notify.url", TEXT, Bi("短信网关地址", "SMS gateway address"), secret=True,
          hint=Bi("webhook 时必填；不显示，留空则不修改，填 - 则清除", "Needed for webhook; never shown: blank keeps it, "
                  "- takes it away")),
    field("pin_lock.max_wrong", INT, Bi("窗口登录：连续输错 PIN 次数", "Window login: wrong PINs in a row"),
          hint=Bi("1-100；达到即锁定该工号和窗口", "1-100; then the staff number and window are locked")),
    field("pin_lock.lock_s", INT, Bi("窗口登录：锁定（秒）", "Window login: locked for (s)"), hint=Bi("10-86400", "10-86400")),
    field("progress_lock.max_wrong", INT, Bi("办件查询：同一办件号输错次数", "Progress: wrong tries for one application"),
          hint=Bi("1-100", "1-100")),
    field("progress_lock.device_max_wrong", INT, Bi("办件查询：同一设备输错次数", "Progress: wrong tries from one device"),
          hint=Bi("1-1000", "1-1000")),
    field("progress_lock.lock_s", INT, Bi("办件查询：锁定（秒）", "Progress: locked for (s)"),
          hint=Bi("10-86400；900 秒 = 15 分钟", "10-86400; 900 s = 15 min")),
    field("privacy.retention_days", INT, Bi("个人信息保留（天）", "Personal data kept (days)"),
          hint=Bi("1-3650；手机号、姓名、证件号摘要到期删除", "1-3650; phone, name and ID hash deleted then")),
)

# section -> (the config key its entries are under, or "" for settings of the hall; the form)
SECTIONS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "categories": ("categories", CATEGORY), "items": ("items", ITEM), "windows": ("windows", WINDOW),
    "staff": ("staff", STAFF), "rules": ("", RULES), "supervision": ("", SUPERVISION),
    "tidal": ("", TIDAL), "notice": ("", NOTICE), "appointments": ("", APPOINTMENTS),
    "forecast": ("", FORECAST), "ratings": ("", RATINGS), "remote": ("", REMOTE),
}
KEY = {"categories": re.compile(r"^[A-Za-z0-9_-]{1,32}$"), "items": re.compile(r"^[A-Za-z0-9_-]{1,32}$"),
       "windows": re.compile(r"^[1-9]\d{0,2}$"), "staff": re.compile(r"^[A-Za-z0-9_-]{1,32}$")}
ANY_KEY = re.compile(r"^$")  # the hall's own settings have no entry key


# --- a posted form to a patch --------------------------------------------------------------------


def number(text: str) -> Any:
    """A whole number as typed, or the text itself, for the controller to refuse in words."""
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text


def decimal(text: str) -> Any:
    """A number that may have decimals (a load, tickets an hour), or the text itself."""
    if re.fullmatch(r"-?\d{1,9}", text):
        return int(text)
    return float(text) if re.fullmatch(r"-?\d{1,9}\.\d{1,6}", text) else text


def split(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,，、]+", text) if part]


def value_of(kind: str, raw: str) -> Any:
    """One field's value in the config, None for a blank one (its default, or missing)."""
    text = raw.strip()
    rows = [row.strip() for row in text.splitlines() if row.strip()]
    if kind == BOOL:
        return text in ("1", "on", "true")
    if kind in (TEXT, CHOICE, PIN):
        return text or None
    if kind == INT:
        return number(text) if text else None
    if kind == DECIMAL:
        return decimal(text) if text else None
    if kind == CODES:
        return split(text)
    if kind == NUMBERS:
        return [number(part) for part in split(text)]
    if kind == LINES:
        return rows
    if kind == PAIRS:
        return [pair(row) for row in rows]
    if kind == MATERIALS:
        return [material(row) for row in rows]
    if kind == SPANS:
        return [[part.strip() for part in row.partition("-")[::2]] for row in rows]
    if kind == RATES:
        return rates(rows)
    if kind == NAMES:  # "application_no bjbh": a name of ours, the other side's; more words sent as written
        return {code: " ".join(rest) for code, *rest in (split(row) for row in rows)}
    if kind == REASONS:  # "slow | 办理效率低 | Too slow"
        return {code.strip(): pair(rest) for code, _, rest in (row.partition("|") for row in rows)}
    if kind == HEADERS:  # "Authorization: Bearer …"
        return {name.strip(): value.strip() for name, _, value in (row.partition(":") for row in rows)}
    raise ValueError(kind)


def table(f: Field, rows: list[str]) -> dict:
    """"tax 600 1200 - -": one entry a row, keyed by its first word, its values the columns in order
    (- leaves one to the hall's value; 停用 at the end switches the entry off). Values beyond the
    columns are sent as they are, under `more`, for the controller to refuse beside the field."""
    out: dict = {}
    for row in rows:
        code, *values = split(row)
        entry: dict = {}
        if f.off and values and values[-1].lower() in OFF_WORDS:
            entry["enabled"] = False
            values.pop()
        for column, value in zip(f.columns, values):
            if value != BLANK:
                put(entry, tuple(column.split(".")), decimal(value))
        if len(values) > len(f.columns):
            entry["more"] = " ".join(values[len(f.columns):])
        out[code] = entry
    return out


def rates(rows: list[str]) -> dict:
    """"09 tax 12": tickets expected an hour, by local hour ("9" is 09) and category; a rate missing
    or more than one is sent as written, for the controller to refuse."""
    out: dict = {}
    for row in rows:
        parts = split(row)
        hour, code, *rest = parts + [""] * (2 - len(parts))
        hour = hour.zfill(2) if hour.isdigit() and len(hour) == 1 else hour
        out.setdefault(hour, {})[code] = decimal(rest[0]) if len(rest) == 1 else " ".join(rest).strip()
    return out


def pair(row: str) -> dict:
    zh, _, en = (part.strip() for part in row.partition("|"))
    return {"zh": zh, "en": en}


def material(row: str) -> dict:
    """"身份证 | ID card | 1 | 复印件 | 备注 | note": a document, its copies, original or copy, and a note."""
    parts = [part.strip() for part in row.split("|")] + [""] * 6
    found: dict = {"name": {"zh": parts[0], "en": parts[1]}}
    if parts[2]:
        found["copies"] = number(parts[2])
    if parts[3]:
        found["original"] = parts[3].lower() not in COPY_WORDS
    if parts[4] or parts[5]:
        found["note"] = {"zh": parts[4], "en": parts[5]}
    return found


COPY_WORDS = ("复印件", "copy", "否", "no")
HOLIDAYS = "含节假日"  # an off-hours span that is open on a public holiday too


def off_hours_slot(row: str) -> dict:
    """"1,2,3 17:30-19:30" (and 含节假日 when it is open on a holiday too) as the config's
    {weekdays, start, end, on_holidays}."""
    on_holidays = row.endswith(HOLIDAYS)
    days, _, span = row.removesuffix(HOLIDAYS).strip().rpartition(" ")
    start, _, end = span.partition("-")
    return {"weekdays": [number(d) for d in split(days)], "start": start.strip(), "end": end.strip(),
            "on_holidays": on_holidays}


def patch_of(form: tuple[Field, ...], posted: dict[str, str], was: dict | None = None) -> dict:
    """The entry a posted form describes, as a merge patch: every field of the form is in it, a
    blank one as null (RFC 7386 deletes it: the default applies, or the controller says it is
    missing). A text pair left wholly blank is null as a whole (an optional name). A keyed map (a
    table by category) replaces the one in `was` (the config the form was saved over): each entry
    whole, and one no longer listed as null."""
    entry: dict = {}
    for f in form:
        typed = posted.get(f.name, "").strip()
        if f.kind == PIN or (f.secret and not typed):  # a blank secret keeps the one the config has
            continue
        if f.secret and typed == CLEAR:
            put(entry, f.path, None)
            continue
        value = table(f, value_of(LINES, posted.get(f.name, ""))) if f.kind == TABLE else \
            value_of(f.kind, posted.get(f.name, ""))
        if f.path == ("appointments", "off_hours", "slots"):
            value = [off_hours_slot(row) for row in value]
        if f.kind in MAPS:
            value = Whole(replacing(get(was or {}, f.path), value))
        put(entry, f.path, value)
    return {key: collapse(value) for key, value in entry.items()}  # the entry itself never null: that deletes it


def replacing(old: Any, new: Any) -> Any:
    """`new` as a merge patch that replaces `old` whole: whatever `old` has that `new` lacks, null."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    return {**{key: None for key in old}, **{key: replacing(old.get(key), value) for key, value in new.items()}}


def put(entry: dict, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        entry = entry.setdefault(part, {})
    entry[path[-1]] = value


class Whole(dict):
    """A keyed map as the form gives it: not collapsed, so a row of nothing but its code (a
    category offered with the hall's values) stays a row."""


def collapse(value: Any) -> Any:
    if isinstance(value, Whole):
        return dict(value)
    if not isinstance(value, dict):
        return value
    inner = {k: collapse(v) for k, v in value.items()}
    return None if inner and all(v is None for v in inner.values()) else inner


def staff_fields(staff_id: str, posted: dict[str, str]) -> dict:
    """The `staff_set` command of the staff form: the PIN as typed (the controller hashes it; a
    blank one keeps the PIN the member of staff has)."""
    fields = {"staff_id": staff_id, "name": posted.get("name", "").strip(),
              "windows": [number(part) for part in split(posted.get("windows", ""))]}
    pin = posted.get("pin", "").strip()
    if pin:
        fields["pin"] = pin
    return fields


# --- an entry to the form's values ------------------------------------------------------------------


def get(entry: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(entry, dict) or part not in entry:
            return None
        entry = entry[part]
    return entry


def text_of(kind: str, value: Any, f: Field | None = None) -> str:
    """What a field shows for a setting's value: the inverse of `value_of`."""
    if value is None or kind == PIN or (f is not None and f.secret):
        return ""
    if kind == TABLE and f is not None:
        return "\n".join(row_text(f, code, entry) for code, entry in value.items())
    if kind == NAMES:
        return "\n".join(f"{code} {name}" for code, name in value.items())
    if kind == REASONS:
        return "\n".join(f"{code} | {text.get('zh', '')} | {text.get('en', '')}" for code, text in value.items())
    if kind == RATES:
        return "\n".join(f"{hour} {code} {rate:g}" for hour, by in sorted(value.items()) for code, rate in by.items())
    if kind == BOOL:
        return "1" if value else ""
    if kind in (CODES, NUMBERS):
        return ", ".join(str(v) for v in value)
    if kind == LINES:
        return "\n".join(slot_text(v) if isinstance(v, dict) else str(v) for v in value)
    if kind == PAIRS:
        return "\n".join(f"{v.get('zh', '')} | {v.get('en', '')}" for v in value)
    if kind == MATERIALS:
        return "\n".join(material_text(m) for m in value)
    if kind == SPANS:
        return "\n".join(f"{a}-{b}" for a, b in value)
    return str(value)


def material_text(m: dict) -> str:
    note = m.get("note") or {}
    parts = [m["name"]["zh"], m["name"]["en"], str(m.get("copies", 1)), "原件" if m.get("original", True) else "复印件",
             note.get("zh", ""), note.get("en", "")]
    return " | ".join(parts if note else parts[:4])


def slot_text(slot: dict) -> str:
    text = f"{','.join(str(d) for d in slot.get('weekdays', []))} {slot.get('start', '')}-{slot.get('end', '')}"
    return f"{text} {HOLIDAYS}" if slot.get("on_holidays") else text


def row_text(f: Field, code: str, entry: dict) -> str:
    values = [get(entry, tuple(column.split("."))) for column in f.columns]
    while values and values[-1] is None:
        values.pop()
    words = [code, *(BLANK if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in values)]
    if f.off and entry.get("enabled") is False:
        words.append(OFF_WORDS[0])
    return " ".join(words)


def values_of(form: tuple[Field, ...], entry: dict | None) -> dict[str, str]:
    return {f.name: text_of(f.kind, get(entry or {}, f.path), f) for f in form}


# --- the controller's refusal, next to its field -------------------------------------------------------


def problems_of(reply: dict) -> list[tuple[str, str]]:
    """(key, message) of each problem a refused config command names; a refusal without them (the
    controller unreachable, a command refused whole) is one problem of no key."""
    error = reply.get("error") or {}
    found = [(str(p.get("key", "")), str(p.get("message", ""))) for p in error.get("problems") or ()
             if isinstance(p, dict)]
    return found or [("", str(error.get("message") or error.get("code") or "refused"))]


def errors_by_field(form: tuple[Field, ...], problems: list[tuple[str, str]], base: str,
                    lang: str) -> dict[str, str]:
    """Each problem in words, under the name of the form field whose setting it is about (the
    longest path that the key starts with, inside the entry at `base`); one about anything else
    under "" with its key, for the top of the form."""
    out: dict[str, list[str]] = {}
    for key, message in problems:
        rest = key[len(base) + 1:] if base and key.startswith(base + ".") else key if not base else None
        owner = None
        if rest is not None:
            matching = [f for f in form if rest == ".".join(f.path) or rest.startswith(".".join(f.path) + ".")]
            if not matching and base.startswith("staff.") and rest == "pin_hash":
                matching = [f for f in form if f.kind == PIN]
            owner = max(matching, key=lambda f: len(f.path)) if matching else named_in(form, rest, message)
        words = problem_words(message, lang)
        if owner is not None and owner.secret:  # a refused address or token is not said back
            words = re.sub(r"'[^']*'", "'…'", words)
        inside = rest[len(".".join(owner.path)) + 1:] if owner is not None and owner.kind in MAPS else ""
        if inside:  # a table's row: which one, and which of its values
            words = f"{inside}: {words}"
        if owner is None:
            out.setdefault("", []).append(f"{key}: {words}" if key else words)
        else:
            out.setdefault(owner.name, []).append(words)
    return {name: "；".join(texts) if lang == "zh" else "; ".join(texts) for name, texts in out.items()}


def named_in(form: tuple[Field, ...], rest: str, message: str) -> Field | None:
    """For a check of a whole part (a guide's promise within the law, a red card after the yellow),
    the field inside it that its message names: "promised_limit_days must not exceed ..." is said
    beside the promised limit, not at the top of the form."""
    inside = [f for f in form if ".".join(f.path).startswith(rest + ".") or not rest]
    named = [(found.start(), f) for f in inside if (found := re.search(rf"\b{re.escape(f.path[-1])}\b", message))]
    return min(named, key=lambda pair: pair[0])[1] if named else None  # the one it names first


# The controller's problems are said in English by contract.errors.plain_words and the schema's own
# checks; these are the same in Chinese, the words a hall director reads first.
ZH_WORDS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), zh) for p, zh in (
    (r"^is missing", "必须填写"),
    (r"^unknown key", "不是可用的设置项"),
    (r"^must be a whole number, not (.*)$", r"须为整数，不能是 \1"),
    (r"^must be a number, not (.*)$", r"须为数字，不能是 \1"),
    (r"^must be true or false", "须为是或否"),
    (r"^must be text", "须为文字"),
    (r"^must be at least (\S+), not (.*)$", r"不能小于 \1（填写的是 \2）"),
    (r"^must be more than (\S+), not (.*)$", r"须大于 \1（填写的是 \2）"),
    (r"^must be at most (\S+), not (.*)$", r"不能大于 \1（填写的是 \2）"),
    (r"^must be less than (\S+), not (.*)$", r"须小于 \1（填写的是 \2）"),
    (r"^must be at least (\d+) character", r"至少 \1 个字"),
    (r"^must be at most (\d+) characters", r"最多 \1 个字"),
    (r"^needs at least (\d+) entries", r"至少填写 \1 项"),
    (r"^takes at most (\d+) entries", r"最多 \1 项"),
    (r"^(.*) is not in the form this setting takes", r"\1 的格式不对"),
    (r"^must be one of (.*), not (.*)$", r"须为 \1 之一，不能是 \2"),
    (r"^unknown category '?([^']*)'?", r"没有业务类别 \1"),
    (r"^unknown window (\S+)", r"没有 \1 号窗口"),
    (r"^unknown item '?([^']*)'?", r"没有事项 \1"),
    (r"^prefix (\S+) already used by (\S+)", r"票号字母 \1 已被业务 \2 使用"),
    (r"^the ticket letter of category .* must be one capital letter", "票号字母须为一个大写字母 A-Z（语音按字母名称播报）"),
    (r"^'?([^']*)'? is already primary", r"\1 已是主办业务，不能再兼办"),
    (r"promised_limit_days must not exceed legal_limit_days", "承诺时限不能超过法定时限"),
    (r"red_s must be above yellow_s", "红牌时限须大于黄牌时限"),
    (r"^categories\.(\S+): close_wait_s must be below open_wait_s", r"\1: 调回的预计等候须小于调入的预计等候"),
    (r"close_wait_s must be below open_wait_s", "调回的预计等候须小于调入的预计等候"),
    (r"lend_below must be below need_above", "可借出的负荷须小于借入的负荷（借出的业务不能随即又要借入）"),
    (r"return_below must be below need_above", "归还的负荷须小于借入的负荷"),
    (r"max_working_days must not be below min_working_days", "最多提前的天数不能少于至少提前的天数"),
    (r"an off-hours list needs its slots", "列出了非工作时间可约事项，须同时填写其时段"),
    (r"^bad (?:span|appointment hours) (.*): use HH:MM-HH:MM", r"时段 \1 有误：请写成 08:30-12:00，开始早于结束"),
    (r"^window numbers are 1-999", "窗口号须为 1-999"),
    (r"^code must be letters", "代码只能用字母、数字、_ 或 -"),
    (r"PIN must be 4-8 digits", "PIN 须为4-8位数字"),
    (r"a new member of staff needs a PIN", "新工作人员须设置 PIN"),
    (r"^window is open", "该窗口正在使用：请其工作人员先退出再删除"),
    (r"^category has tickets today", "该业务今天还有号码，当天结束后才能删除"),
    (r"^staff member is logged in", "该工作人员正在窗口登录，请先退出"),
    (r"^can only change before the first ticket", "只能在当天第一张号之前修改"),
    (r"^prefix is in use today", "该票号字母今天已在使用，当天结束后才能修改"),
    (r"^remote tickets need a notifier", "线上取号的验证码须经短信通知发送：请先把短信通知设为 webhook（短信网关）或 log"),
    (r"^remote tickets are enabled but no category offers them", "已开放线上取号，但没有业务开放：请至少列出一项业务"),
    (r"resend_s must be below valid_s", "验证码重发间隔须短于有效期"),
    (r"^url: required when enabled", "开启上报须填写平台接收地址"),
    (r"^url: a webhook needs its url", "短信通知为 webhook 时须填写短信网关地址"),
    (r"backoff_max_s must not be below backoff_s", "最长重试间隔不能小于首次重试间隔"),
    (r"^bad address .*: use http", "地址有误：请写成 http(s)://主机[:端口]/路径"),
    (r"^unknown data item '?([^' ]*)'?", r"没有数据项 \1"),
    (r"^two data items would be sent as '?([^']*)'?", r"两个数据项不能都用平台字段名 \1"),
    (r"^unknown channel '?([^' ]*)'?", r"没有评价渠道 \1（可用 evaluator、kiosk、qr）"),
))


def problem_words(message: str, lang: str) -> str:
    """A problem in the user's language: English as the controller says it, Chinese from ZH_WORDS
    (or, for a wording not yet there, the English after 设置有误)."""
    text = re.sub(r"^Value error, ", "", message.strip())
    if lang != "zh":
        return text
    for pattern, zh in ZH_WORDS:
        found = pattern.search(text)
        if found:
            return found.expand(zh)
    return f"设置有误：{text}"


def label(f: Field, lang: str) -> str:
    return say(f.label, lang)

"""Everything the kiosk says, Chinese first and English second.

Presenters speak in `Bi` pairs and never choose a language: the widgets put
the pair on screen in the order the citizen picked (中文 first by default,
English one tap away), so every visible text always carries both.
"""
from __future__ import annotations

from contract.bilingual import Bi, bi  # noqa: F401  (presenters take the type with the words)
from contract.errors import ERROR_CODES


# --- fixed words of the screens -----------------------------------------------------

SEARCH_ITEMS = Bi("搜索事项", "Find a service")
GUIDES = Bi("办事指南", "Service guides")
PROGRESS = Bi("办理进度", "Application progress")
HALL_STATUS = Bi("排队情况", "Queues now")
CHECK_IN = Bi("预约签到", "Appointment check-in")
BOOK = Bi("现场预约", "Book a time")
BOOK_FOR_ITEM = Bi("预约此事项", "Book this matter")
BOOK_DAY = Bi("请选择预约日期", "Choose a day")
BOOK_SLOT = Bi("请选择预约时段", "Choose a time")
BOOK_PHONE = Bi("请输入手机号，用于预约凭证和提醒", "Type your mobile number for the booking and its reminder")
BOOK_DONE = Bi("预约成功", "Booked")
BOOK_CODE = Bi("预约码", "Booking code")
BOOK_DONE_HINT = Bi("请在预约时段到厅，凭预约码在“预约签到”取号；如不能前来请提前取消",
                    "Come at your time and check in with the code (预约签到); if you cannot come, please cancel")
BOOK_ASKING = Bi("正在查询…", "Looking…")
BOOK_FULL = Bi("约满", "Full")
BOOK_NONE = Bi("不可约", "No booking")
BOOK_LEFT = Bi("余{n}", "{n} left")
BOOK_OFF_HOURS = Bi("非工作时间", "Off hours")
BOOK_NO_SLOTS = Bi("当天没有可预约的时段", "No bookable time that day")
BOOK_MATERIALS = Bi("请携带", "Please bring")
RATE_BY_CODE = Bi("扫码评价", "Rate a service")
BACK = Bi("返回", "Back")
HOME = Bi("首页", "Home")
DONE = Bi("完成", "Done")
OK = Bi("确定", "OK")
CLEAR = Bi("清空", "Clear")
DELETE = Bi("删除", "Delete")
ALL = Bi("全部", "All")
SEARCH_HINT = Bi("输入事项名称或拼音首字母，如“BDC”查不动产", "Type a name or pinyin initials, e.g. BDC for 不动产")
NO_MATCH = Bi("没有找到相关事项，请换个关键词或按类别查找", "Nothing found: try other letters or browse by category")

PAUSED = Bi("暂停取号", "Ticketing paused")
PAUSED_DETAIL = Bi("系统连接中断，正在自动恢复，请稍候或咨询工作人员",
                   "The kiosk lost the hall system and is reconnecting; please wait or ask staff")

GROUP_TITLE = Bi("请选择取号类型", "Choose your queue")
GROUPS = {
    "normal": Bi("普通取号", "Regular"),
    "priority": Bi("优先取号（老弱病残孕、军人）", "Priority (elderly, disabled, pregnant, military)"),
    "green": Bi("绿色通道", "Green channel"),
}
PRIORITY_CONFIRM = Bi("优先号仅限老年人、残疾人、孕妇、病患及现役军人等。工作人员可能核验相关证件，确认取优先号吗？",
                      "Priority is for the elderly, disabled, pregnant, ill and military. Staff may check your "
                      "documents. Take a priority ticket?")
GREEN_CONFIRM = Bi("绿色通道用于重点项目、急办件等，工作人员将核验，确认吗？",
                   "The green channel is for key projects and urgent cases; staff will check. Continue?")
REAL_NAME = Bi("实名登记（可选）", "Register your name (optional)")
REAL_NAME_HINT = Bi("输入手机号，或将身份证放在读卡区", "Type your mobile number, or put your ID card on the reader")
REAL_NAME_HINT_PHONE = Bi("请输入手机号或带区号的固定电话", "Type your mobile number, or a landline with its area code")
PHONE_BAD = Bi("请输入11位手机号或带区号的固定电话", "Enter an 11-digit mobile or a landline with area code")
REGISTERED = Bi("已实名", "Registered")

AHEAD = Bi("前面还有 {n} 人", "{n} ahead of you")
WAITING = Bi("等候 {n} 人", "{n} waiting")
WAIT_ABOUT = Bi("约 {m} 分钟", "about {m} min")
NO_WAIT = Bi("无需等候", "no wait")
# No open window serves the category now (state/queues' open_windows is empty): no wait is promised.
NOT_SERVED = Bi("暂无窗口办理", "not served now")
NOT_SERVED_NO_TICKETS = Bi("暂无窗口办理，暂停取号", "not served now: no tickets")
NOT_SERVED_WAIT = Bi("暂无窗口办理，窗口开放后按顺序叫号", "Not served now: you will be called in turn once a window opens")
WINDOWS = Bi("办理窗口：{w}", "Windows: {w}")
WINDOWS_NONE_OPEN = Bi("办理窗口：暂未开放（通常为 {w}）", "Windows: none open now (usually {w})")
SCAN_TO_RATE = Bi("办结后扫码评价", "Scan to rate after your service")
TAKE_YOUR_TICKET = Bi("请取走小票，留意叫号", "Please take your printed ticket and listen for your number")
SCREEN_ONLY = Bi("请记下号码或拍照，留意叫号", "Please note or photograph your number and listen for it")
NOT_PRINTED = Bi("小票未能打印，请记下号码或拍照", "The ticket could not be printed: please note or photograph your number")
PAPER_LOW = Bi("打印纸即将用完，已通知工作人员", "Printer paper is running low; staff have been told")
RETURNS_HOME = Bi("{s} 秒后返回首页", "Back to home in {s} s")

PRINTER_STATUS = {
    "ok": Bi("打印机正常", "Printer ready"),
    "paper_near_end": Bi("打印纸即将用完", "Printer paper running low"),
    "paper_out": Bi("打印机缺纸", "Printer out of paper"),
    "offline": Bi("打印机未连接", "Printer not responding"),
}
PRINTER_PROBLEM = Bi("暂时无法打印小票，可在屏幕上显示号码，请记下号码或拍照",
                     "The ticket cannot be printed now. We can show your number on screen instead: "
                     "please note or photograph it")
SHOW_ON_SCREEN = Bi("在屏幕上显示号码", "Show my number on screen")
PRINT_NOTICE = Bi("打印一次性告知单", "Print the list of materials")
NOTICE_PRINTED = Bi("告知单已打印，请取走", "Printed: please take the list")
NOTICE_NOT_PRINTED = Bi("告知单未能打印，请拍照留存", "Could not print: please photograph the screen")
TAKE_FOR_ITEM = Bi("办理此事项：取号", "Take a ticket for this")


PROGRESS_HINT = Bi("请输入受理单上的申请编号", "Type the application number on your receipt")
PROGRESS_FACTOR_HINT = Bi("申请编号 {number}\n请输入受理单上的8位查询码，或申请人手机号后四位",
                          "Application {number}: type the 8-character query code on your receipt, or the last "
                          "four digits of the applicant's phone")
FACTOR_BAD = Bi("查询码为受理单上的8位字母数字；手机号请输入后四位数字",
                "The query code is the 8 letters and digits on your receipt; of the phone, type the last 4 digits")
LOOK_UP = Bi("查询", "Look up")
CODE_HINT = Bi("请输入预约码", "Type your appointment code")
CODE_BAD = Bi("编号为4位以上的字母或数字", "Use at least 4 letters or digits")
CHECK_IN_GO = Bi("签到取号", "Check in")

RATE_TITLE = Bi("请对本次服务进行评价", "Please rate this service")
RATE_CODE_HINT = Bi("扫描小票上的二维码，或输入评价码", "Scan the QR code on your ticket, or type its code")
TOKEN_BAD = Bi("评价码为小票二维码下方的16位字母数字", "The code is the 16 letters and digits under the QR code")
LEVELS = {
    5: Bi("非常满意", "Very satisfied"),
    4: Bi("满意", "Satisfied"),
    3: Bi("基本满意", "Fairly satisfied"),
    2: Bi("不满意", "Dissatisfied"),
    1: Bi("非常不满意", "Very dissatisfied"),
}
CHANGE_RATING = Bi("重新选择评价", "Choose another rating")
REASONS_TITLE = Bi("请选择不满意的原因（至少一项）", "What went wrong? (choose at least one)")
COMMENT_HINT = Bi("可点选上方常用语作为意见（可选）", "Touch phrases above to add a comment (optional)")
COMMENT_TITLE = Bi("补充意见（可选，点选常用语）", "Add a comment (optional): touch what fits")
# Comment phrases a citizen touches instead of typing (a kiosk and an evaluator have no keyboard);
# the comment sent is their Chinese, which the staff who follow it up read.
COMMENT_PHRASES = (
    Bi("等候时间太长", "The wait was too long"),
    Bi("办理时间太长", "The service took too long"),
    Bi("希望增加办理窗口", "Please open more windows"),
    Bi("工作人员解释不清楚", "Staff did not explain clearly"),
    Bi("材料要求事先没有说清", "Documents needed were not said beforehand"),
    Bi("需要多次跑腿", "I had to come more than once"),
    Bi("服务态度需要改进", "Manners need improving"),
    Bi("大厅指引不清楚", "Signs in the hall are unclear"),
)
SUBMIT = Bi("提交评价", "Submit")
THANKS = Bi("感谢您的评价！", "Thank you for your rating!")
THANKS_BAD = Bi("我们将在规定时间内回访并整改", "We will contact you and put it right within the set time")
# A 差评 without a phone number to call back on: no 回访 is promised.
THANKS_BAD_NO_CONTACT = Bi("您的意见已记录，我们将核查并整改", "Your comments are recorded: we will look into it and put it right")
RATING_OF = Bi("正在评价：{what}", "You are rating: {what}")
RATING_CODE = Bi("评价码 {code}", "rating code {code}")
STAFF = Bi("工作人员 {name}  工号 {id}", "Staff {name}  No. {id}")
WELCOME = Bi("欢迎办理，服务结束后请评价", "Welcome: please rate our service when we are done")
RATING_PAUSED = Bi("评价暂不可用，系统正在恢复", "Rating is unavailable while the system reconnects")
# Shown while state/config carries no `ratings.reasons` yet (same codes as the controller's defaults).
DEFAULT_REASONS: dict[str, Bi] = {
    "attitude": Bi("服务态度差", "Unfriendly service"),
    "slow": Bi("办理效率低", "Too slow"),
    "unclear": Bi("一次性告知不清", "Requirements not explained at once"),
    "materials": Bi("材料要求繁琐", "Too many documents asked"),
    "environment": Bi("环境设施差", "Poor facilities"),
    "other": Bi("其他", "Other"),
}
# A reason the controller keeps for four-key hardware evaluators that cannot ask; a touch screen asks.
HARDWARE_ONLY_REASONS = {"evaluator"}

# A command the controller has not answered in time: still waiting, under the same request id.
STILL_WAITING = Bi("系统响应较慢，正在等待结果，请稍候", "The hall system is slow: waiting for its answer")
TICKET_ON_ITS_WAY = Bi("您的号码正在办理中，无需再次点击；返回将放弃本次取号",
                       "Your ticket is on its way: no need to touch again (going back gives it up)")
LATE_TICKET = Bi("系统响应较慢，这是为您取的号码", "The system was slow: this is the ticket taken for you")

# --- errors ---------------------------------------------------------------------------

# Every error code a reply can carry, in words for a citizen. Codes the
# controller defines are checked against contract.errors by the tests.
ERRORS: dict[str, Bi] = {
    "bad_request": Bi("输入有误，请检查后重试", "Something entered is not right: please check and try again"),
    "unknown_action": Bi("该功能暂未开通，请咨询工作人员", "This service is not available yet: please ask staff"),
    "forbidden": Bi("本机无权办理此项，请咨询工作人员", "This kiosk may not do that: please ask staff"),
    "not_found": Bi("未找到相关信息，请核对后重试", "Nothing was found: please check and try again"),
    "invalid_state": Bi("当前无法办理，请咨询工作人员", "Not possible right now: please ask staff"),
    "queue_empty": Bi("当前没有等候的号码", "Nobody is waiting"),
    "closed": Bi("当前暂停取号", "Ticketing is closed now"),
    "duplicate": Bi("已经办理过，无需重复操作", "This was already done"),
    "internal": Bi("系统繁忙，请稍后再试", "The system is busy: please try again"),
    "offline": Bi("系统连接中断，暂停取号", "The hall system is not reachable: ticketing paused"),
    "slot_full": Bi("该时段已约满，请选择其他时段", "That slot is fully booked: please choose another"),
    "out_of_window": Bi("该时段现在不能预约，请选择其他时段", "That slot cannot be booked now: please choose another"),
    "blacklisted": Bi("因多次预约未到，暂停预约服务（可现场取号）",
                      "Booking is suspended after missed bookings (you can still take a ticket)"),
}

# Where the same code means something particular to one action.
ACTION_ERRORS: dict[tuple[str, str], Bi] = {
    ("issue_ticket", "closed"): Bi("当前不在取号时间或号源已取完", "Outside ticketing hours, or today's tickets are gone"),
    ("issue_ticket", "not_found"): Bi("该业务暂不办理，请咨询工作人员", "This service is not offered now: please ask staff"),
    ("check_in", "not_found"): Bi("未找到该预约，请核对预约码", "No appointment with this code: please check it"),
    ("check_in", "duplicate"): Bi("该预约已签到取号", "This appointment has already checked in"),
    ("check_in", "invalid_state"): Bi("不在预约时段内", "Not within your appointment slot"),
    ("book_appointment", "duplicate"): Bi("您当天已预约该事项", "You already booked this for that day"),
    ("book_appointment", "closed"): Bi("该事项暂不提供预约", "This matter cannot be booked"),
    ("query_progress", "not_found"): Bi("未查询到该申请，请核对申请编号和查询码（或手机号后四位）",
                                        "Nothing found: please check the application number and the query code "
                                        "(or the phone digits)"),
    ("query_progress", "locked"): Bi("查询错误次数过多，请稍后再试，或到窗口咨询",
                                     "Too many wrong tries: please try again later, or ask at a window"),
    ("rate", "not_found"): Bi("评价码无效，请核对小票", "This rating code is not valid: please check your ticket"),
    ("rate", "invalid_state"): Bi("该号尚未办理完成，办结后再评价", "This ticket has not been served yet: rate it afterwards"),
    ("rate", "duplicate"): Bi("该号已评价过，感谢您的参与", "This service was already rated, thank you"),
}

# Codes whose controller message says more than ours (which slot, which cap), shown under our words.
DETAIL_FROM_CONTROLLER = {("check_in", "invalid_state"), ("issue_ticket", "closed"), ("issue_ticket", "bad_request"),
                          ("query_progress", "locked"),
                          ("book_appointment", "blacklisted"), ("book_appointment", "out_of_window")}


def friendly_error(action: str, error: dict | None) -> tuple[Bi, Bi | None]:
    """(headline, detail or None) for the error of a reply: never a code, never a stack."""
    error = error or {}
    code = str(error.get("code") or "internal")
    headline = ACTION_ERRORS.get((action, code)) or ERRORS.get(code)
    if headline is None:
        zh, en = ERROR_CODES.get(code, ("操作未成功，请咨询工作人员", "That did not work: please ask staff"))
        headline = Bi(zh, en)
    detail = None
    if (action, code) in DETAIL_FROM_CONTROLLER and error.get("message_zh"):
        detail = Bi(str(error["message_zh"]), str(error.get("message") or error["message_zh"]))
    return headline, detail


def fmt(pair: Bi, **values) -> Bi:
    return Bi(pair.zh.format(**values), pair.en.format(**values))


def wait_text(seconds: float | None) -> Bi:
    """An estimated wait as a person says it: whole minutes, never '0 min'."""
    if not seconds or seconds < 60:
        return NO_WAIT if not seconds else fmt(WAIT_ABOUT, m=1)
    return fmt(WAIT_ABOUT, m=round(seconds / 60))


def windows_text(names: list[Bi], pattern: Bi = WINDOWS) -> Bi:
    if not names:
        return Bi("", "")
    return Bi(pattern.zh.format(w="、".join(n.zh for n in names)), pattern.en.format(w=", ".join(n.en for n in names)))


def category_wait(cat) -> Bi:
    """A category's estimated wait as a tile says it; none promised while no open window serves it."""
    if cat.served:
        return wait_text(cat.est_wait_s)
    return NOT_SERVED if cat.takes_tickets else NOT_SERVED_NO_TICKETS

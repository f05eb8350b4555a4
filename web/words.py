"""Everything the web pages say of their own, Chinese first and English second.

Presenters take the pair and say it in the visitor's language (`say`); the names of the hall, its
categories, items and windows come from the config, which carries both too. A page in English
therefore has no Chinese on it but the switch back to 中文 (a test reads every page for that).
"""
from __future__ import annotations

from contract.bilingual import Bi

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
LANG_NAMES = {"zh": Bi("中文", "中文"), "en": Bi("English", "English")}


def say(pair: Bi, lang: str) -> str:
    return pair.en if lang == "en" else pair.zh


def fmt(pair: Bi, lang: str, **values) -> str:
    return say(pair, lang).format(**values)


def list_of(names: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(names)


# --- the frame of every page ---------------------------------------------------------------------

HALL_NOW = Bi("办事大厅", "The hall now")
GUIDES = Bi("办事指南", "Service guides")
LARGE_TEXT = Bi("大字", "Large text")
NORMAL_TEXT = Bi("标准字", "Normal text")
SWITCHES = Bi("显示设置", "Display settings")
OFFLINE = Bi("系统连接中断，正在恢复；页面显示的是最近的情况", "The hall system is not reachable: this page shows the latest known state")
NO_SCRIPT = Bi("页面每30秒自动刷新", "This page reloads every 30 seconds")
SKIP = Bi("跳到正文", "Skip to content")
FOOTER = Bi("您在本站留下的手机号只用于本次办理，加密保存，不会完整显示",
            "A phone number you give here is used for this request only, kept encrypted and never shown in full")

# --- 办事大厅 now ---------------------------------------------------------------------------------

QUEUES = Bi("排队情况", "Queues")
CATEGORY = Bi("业务", "Service")
WAITING = Bi("等候", "Waiting")
WAIT = Bi("预计等候", "Expected wait")
WINDOWS_FOR = Bi("办理窗口", "Windows")
PEOPLE = Bi("{n} 人", "{n}")
OPEN_WINDOWS = Bi("窗口状态", "Windows")
OPEN_COUNT = Bi("开放 {open} 个，共 {all} 个", "{open} of {all} open")
NO_WINDOW_OPEN = Bi("暂无开放窗口", "No window is open now")
RECENT_CALLS = Bi("最近叫号", "Latest calls")
NO_CALLS = Bi("今天还没有叫号", "No calls yet today")
UPDATED = Bi("更新于 {time}", "Updated {time}")
NOT_YET = Bi("正在获取大厅情况…", "Waiting for the hall's state…")
WINDOW_SHORT = Bi("{n}号", "W{n}")

# --- 办事指南 --------------------------------------------------------------------------------------

SEARCH = Bi("搜索事项", "Find a service")
SEARCH_HINT = Bi("输入事项名称或拼音首字母，如“BDC”查不动产", "A name, or the pinyin initials of its Chinese name (BDC: property)")
SEARCH_GO = Bi("搜索", "Search")
ALL = Bi("全部", "All")
NO_MATCH = Bi("没有找到相关事项，请换个关键词或按类别查找", "Nothing found: try other letters or browse by category")
FOUND = Bi("共 {n} 项", "{n} found")
BACK_TO_GUIDES = Bi("返回办事指南", "Back to the guides")
NOTICE = Bi("一次性告知单", "One-time notice of documents")
NOTICE_LINK = Bi("查看并打印一次性告知单", "View and print the one-time notice")
NOTICE_INTRO = Bi("办理本事项请携带以下材料：", "Please bring these documents for this service:")
PRINT = Bi("打印", "Print")
PRINTED_AT = Bi("打印时间：{time}", "Printed: {time}")
BACK_TO_GUIDE = Bi("返回办事指南", "Back to the guide")
NO_ITEM = Bi("没有这个事项", "There is no such service")

# --- pages that are not there --------------------------------------------------------------------

NOT_FOUND = Bi("页面不存在", "Page not found")
BAD_INPUT = Bi("输入有误，请检查后重试", "Something entered is not right: please check and try again")
BUSY = Bi("访问人数较多，请稍后再试", "Many people are visiting: please try again shortly")
HOME = Bi("返回首页", "Home")
CONSOLE = Bi("管理控制台", "Manager console")
CONSOLE_SHELL = Bi("控制台的功能页面正在建设中", "The console's pages are being built")

# --- a ticket's page (/t/<token>) ----------------------------------------------------------------

MY_TICKET = Bi("我的号码", "My ticket")
TICKET_NO = Bi("您的号码", "Your number")
AHEAD = Bi("前面还有 {n} 人", "{n} ahead of you")
AHEAD_NONE = Bi("下一位就是您，请留意叫号", "You are next: listen for your number")
EXPECTED = Bi("预计等候 {wait}", "Expected wait: {wait}")
WINDOWS_ARE = Bi("办理窗口：{windows}", "Windows: {windows}")
NO_WINDOW_YET = Bi("暂无窗口办理此业务，请稍候", "No window serves this now: please wait")
TRANSFERRED = Bi("已转至“{category}”，继续排队", "Sent on to {category}: you keep your place by arrival")
GO_TO = Bi("请到{window}", "Please go to {window}")
CALLED_AGAIN = Bi("再次呼叫：请到{window}", "Called again: please go to {window}")
SERVING = Bi("正在{window}办理", "Being served at {window}")
HELD = Bi("已暂停办理，请留意再次叫号", "Set aside at the window: listen for your number again")
NO_SHOW = Bi("已过号。如仍需办理，请到服务台咨询", "Missed. If you still need the service, ask at the help desk")
DONE = Bi("办理完毕", "Service finished")
EXPIRED = Bi("今天的办理时间已结束，该号码已失效", "The day has ended: this ticket is no longer valid")
FOLLOW_NOTE = Bi("本页会自动更新，叫到您时手机会提示", "This page updates itself and alerts you when you are called")
NO_SCRIPT_TICKET = Bi("页面每15秒自动刷新", "This page reloads every 15 seconds")
TAKEN_AT = Bi("取号时间 {time}", "Taken at {time}")

# --- rating on the phone -------------------------------------------------------------------------

RATE_TITLE = Bi("请对本次服务进行评价", "Please rate this service")
RATE_DAYS = Bi("{n} 天内可评价", "You can rate it for {n} more day(s)")
LEVEL = Bi("满意程度", "How satisfied are you?")
LEVELS = {5: Bi("非常满意", "Very satisfied"), 4: Bi("满意", "Satisfied"), 3: Bi("基本满意", "Fairly satisfied"),
          2: Bi("不满意", "Dissatisfied"), 1: Bi("非常不满意", "Very dissatisfied")}
REASONS = Bi("不满意的原因（选择“不满意”或“非常不满意”时至少选一项）",
             "What went wrong? (at least one if dissatisfied)")
COMMENT = Bi("意见建议（选填，500字以内）", "Comments (optional, up to 500 characters)")
CONTACT = Bi("联系电话（选填，用于差评回访）", "Phone (optional: for a call back about a poor rating)")
SEND = Bi("提交评价", "Send the rating")
THANKS = Bi("感谢您的评价！", "Thank you for your rating!")
THANKS_BAD = Bi("我们将在规定时间内回访并整改", "We will look into it and contact you within the set time")
RATED_AS = Bi("您的评价：{level}", "Your rating: {level}")
NEED_LEVEL = Bi("请选择满意程度", "Please choose how satisfied you are")
NEED_REASON = Bi("请至少选择一个不满意的原因", "Please choose at least one thing that went wrong")
BAD_CONTACT = Bi("电话号码格式不正确", "That phone number is not right")
NOT_SENT = Bi("评价未能提交，请稍后重试", "The rating could not be sent: please try again shortly")
NOT_RATEABLE = Bi("该号码不能评价", "This ticket cannot be rated")

# --- 好差评公开 (/ratings) --------------------------------------------------------------------------

RATINGS = Bi("好差评公开", "Ratings")
RATINGS_OF = Bi("{day} 的服务评价", "Ratings of {day}")
RATINGS_INTRO = Bi("每一条评价都公开；差评在整改办结后公布处理结果。不公开评价人和工作人员的个人信息。",
                   "Every rating is published, and each poor rating's outcome once it is resolved. "
                   "No personal details of citizens or staff are shown.")
HALL_TOTAL = Bi("全厅", "The whole hall")
BY_WINDOW = Bi("按窗口", "By window")
BY_ITEM = Bi("按事项", "By service")
RATED_N = Bi("评价 {n} 次", "{n} ratings")
SERVED_N = Bi("办结 {n} 件", "{n} served")
ACTIVE_RATE = Bi("主动评价率 {rate}", "Rated by {rate} of those served")
GOOD_RATE = Bi("好评率 {rate}", "{rate} satisfied")
NO_FIGURE = Bi("—", "—")
LEVEL_COUNT = Bi("{level} {n}", "{level}: {n}")
BAD_LIST = Bi("差评及整改情况", "Poor ratings and what was done")
NO_BAD = Bi("当天没有差评", "No poor ratings that day")
BAD_REASONS = Bi("原因：{reasons}", "Why: {reasons}")
HALL_REPLY = Bi("大厅答复：{reply}", "The hall's reply: {reply}")
IN_PROGRESS = Bi("处理中（{status}）", "Being handled ({status})")
NO_RATINGS = Bi("当天还没有评价", "No ratings yet that day")
EARLIER_DAY = Bi("查看其他日期", "Another day")
SHOW = Bi("查看", "Show")
RATINGS_UNAVAILABLE = Bi("暂时无法获取评价数据，请稍后再试", "The ratings cannot be fetched now: please try again shortly")
ITEM_OTHER = Bi("未选事项", "No service chosen")

# --- 办理进度 (/progress) ----------------------------------------------------------------------------

PROGRESS = Bi("办理进度", "Application progress")
PROGRESS_INTRO = Bi("输入受理单上的申请编号，以及查询码或申请人手机号后四位",
                    "Enter the application number on your receipt, and its query code or the last four "
                    "digits of the applicant's phone")
APPLICATION_NO = Bi("申请编号", "Application number")
FACTOR = Bi("查询码或手机号后四位", "Query code or the phone's last four digits")
FACTOR_HINT = Bi("查询码为受理单上的8位字母数字", "The query code is the 8 letters and digits on the receipt")
QUERY = Bi("查询", "Look up")
NUMBER_BAD = Bi("申请编号为4至40位字母、数字或“-”，请核对受理单", "The application number is 4 to 40 letters, "
                "digits or dashes: please check the receipt")
FACTOR_BAD = Bi("请输入8位查询码或4位手机号后四位", "Enter the 8-character query code or 4 digits of the phone")
PROGRESS_NOT_SENT = Bi("暂时无法查询，请稍后再试", "The progress cannot be looked up now: please try again shortly")
PROGRESS_SLOW_DOWN = Bi("查询过于频繁，请稍后再试", "Too many look-ups from here: please try again later")
APPLICANT = Bi("申请人", "Applicant")
MATTER = Bi("办理事项", "Service")
STATUS_NOW = Bi("当前状态", "Status")
UPDATED_AT = Bi("更新时间", "Updated")
DUE_BY = Bi("承诺办结时限", "Due by")
DUE_DATE = Bi("{due}前", "{due}")
HISTORY = Bi("办理过程", "Steps so far")
ANOTHER_QUERY = Bi("查询其他申请", "Look up another application")
PROGRESS_PRIVATE = Bi("查询结果只显示在本页，不会保存在网址或浏览记录中",
                      "The answer is shown on this page only: it is not kept in the address or history")
NOTICE_SHARE = Bi("本告知单地址：{url}", "This notice online: {url}")
OUTCOME_NOTICE = Bi("告知书", "Notice")
OUTCOME_NOTICE_LINK = Bi("查看并打印{name}", "View and print the {name}")
OUTCOME_NOTICE_FACTS = Bi("排队号码：{number}　办理窗口：{window}　日期：{day}", "Ticket {number}, {window}, {day}")
OUTCOME_BASIS = Bi("设定依据", "Legal basis")
OUTCOME_NOTE = {"supplement": Bi("说明", "Note"), "refused": Bi("救济途径", "Your remedy")}
BACK_TO_TICKET = Bi("返回我的号码", "Back to my ticket")

# --- 预约 (/book) ------------------------------------------------------------------------------------

BOOK = Bi("预约", "Book")
BOOK_HEADING = Bi("预约办事", "Book a visit")
BOOK_INTRO = Bi("选择事项、日期和时段，凭预约码到厅签到，无需排队取号", "Choose a service, a day and a time; "
                "check in at the hall with the booking code")
BOOK_DAY = Bi("请选择预约日期", "Choose a day")
BOOK_SLOT = Bi("请选择预约时段", "Choose a time")
BOOK_PHONE = Bi("请填写手机号，用于预约凭证和提醒短信", "Your mobile number, for the booking and its reminder")
BOOK_PHONE_LABEL = Bi("手机号", "Mobile number")
BOOK_NAME_LABEL = Bi("姓名（选填）", "Name (optional)")
BOOK_SEND = Bi("确认预约", "Book it")
BOOK_FULL = Bi("约满", "Full")
BOOK_NONE = Bi("不可约", "No booking")
BOOK_LEFT = Bi("余{n}", "{n} left")
BOOK_OFF_HOURS = Bi("非工作时间", "Off hours")
BOOK_NO_SLOTS = Bi("当天没有可预约的时段，请选择其他日期", "No bookable time that day: choose another day")
BOOK_NO_ITEMS = Bi("暂无可预约的事项", "No service can be booked now")
BOOK_CHOSEN = Bi("已选：{what}", "Chosen: {what}")
BOOK_BACK_DAYS = Bi("返回选择日期", "Back to the days")
BOOK_BACK_SLOTS = Bi("返回选择时段", "Back to the times")
BOOK_BACK_ITEMS = Bi("返回选择事项", "Back to the services")
BOOK_DONE = Bi("预约成功", "Booked")
BOOK_CODE = Bi("预约码", "Booking code")
BOOK_WHEN = Bi("预约时段", "Time")
BOOK_WHAT = Bi("办理事项", "Service")
BOOK_WHERE = Bi("办理窗口", "Windows")
BOOK_PHONE_SHOWN = Bi("手机号", "Mobile")
BOOK_MATERIALS = Bi("请携带以下材料", "Please bring")
BOOK_COPIES = Bi("{name}（{copies}份）", "{name} ({copies} copies)")
BOOK_REMINDER = Bi("预约信息已发送到您的手机，办理前还会提醒您", "The booking has been sent to your phone; "
                   "you will be reminded before the time")
BOOK_NO_REMINDER = Bi("请记下预约码", "Please note the booking code")
BOOK_HINT = Bi("请在预约时段到厅，凭预约码在自助机“预约签到”取号；如不能前来请提前取消，多次失约将暂停预约服务",
               "Come at your time and check in at a kiosk with the code; if you cannot come, cancel in good time "
               "(missed bookings stop the booking service)")
BOOK_PHONE_BAD = Bi("请输入11位手机号", "Enter an 11-digit mobile number")
BOOK_NAME_BAD = Bi("姓名不超过20个字", "The name is at most 20 characters")
BOOK_BARRED = Bi("您的手机号因多次预约未到，暂时不能预约（现场取号不受影响）",
                 "This number missed several bookings and may not book for now (walk-in tickets stay open)")
BOOK_TAKEN = Bi("该时段刚刚约满，请选择其他时段", "That time has just filled up: please choose another")
BOOK_NOT_SENT = Bi("暂时无法预约，请稍后再试", "Booking is not possible right now: please try again shortly")
BOOK_SLOW_DOWN = Bi("操作过于频繁，请稍后再试", "Too many tries from here: please try again later")
BOOK_FORM_OLD = Bi("页面已过期，请重新选择时段", "This form is out of date: please choose the time again")
CANCEL = Bi("取消预约", "Cancel a booking")
CANCEL_INTRO = Bi("输入预约码和预约手机号的后四位", "Enter the booking code and the last four digits of the "
                  "booking's mobile number")
CANCEL_CODE = Bi("预约码", "Booking code")
CANCEL_LAST4 = Bi("手机号后四位", "Last four digits of the mobile")
CANCEL_SEND = Bi("取消预约", "Cancel the booking")
CANCEL_BAD = Bi("请输入预约码（YY开头）和4位数字", "Enter the code (starting YY) and 4 digits")
CANCEL_DONE = Bi("预约已取消：{what} {when}", "Cancelled: {what} {when}")
CANCEL_LINK = Bi("已有预约？取消预约", "Booked already? Cancel a booking")

# --- 有诉即办 / 办不成事: the complaint page (web/complain.py) -------------------------------------------

COMPLAIN = Bi("投诉反映", "Complaints")
COMPLAIN_HEADING = Bi("有诉即办 · 办不成事反映", "Complain, or tell us what you could not get done")
COMPLAIN_INTRO = Bi("对大厅的服务不满意，或者事情没有办成，请告诉我们。我们会在{days}个工作日内答复。",
                    "Not happy with our service, or could not get a thing done? Tell us: we answer within "
                    "{days} working days.")
COMPLAIN_KIND = Bi("反映类型", "What is it?")
COMPLAIN_KINDS = {"complaint": Bi("投诉（有诉即办）", "A complaint"),
                  "undone": Bi("办不成事（事情没有办成）", "I could not get it done")}
COMPLAIN_ITEM = Bi("办理事项（选填）", "The service (optional)")
COMPLAIN_WINDOW = Bi("窗口（选填）", "The window (optional)")
COMPLAIN_NONE = Bi("不选", "Not chosen")
COMPLAIN_TEXT = Bi("请说明经过（必填）", "What happened (required)")
COMPLAIN_TEXT_HINT = Bi("最多{n}字，请勿填写身份证号等个人信息", "At most {n} characters; no ID numbers or other personal data")
COMPLAIN_PHONE = Bi("手机号（选填，用于回复您）", "Mobile number (optional, for our answer)")
COMPLAIN_PHONE_HINT = Bi("可匿名提交；不留手机号时，请记下提交后显示的受理编号和查询码",
                         "You may stay anonymous: then note the reference and code shown after sending")
COMPLAIN_SEND = Bi("提交", "Send")
COMPLAIN_TEXT_BAD = Bi("请说明经过，最多{n}字", "Say what happened, in at most {n} characters")
COMPLAIN_KIND_BAD = Bi("请选择反映类型", "Choose what it is")
COMPLAIN_CHOICE_BAD = Bi("所选事项或窗口无效，请重新选择", "That service or window is not one of ours: choose again")
COMPLAIN_SLOW_DOWN = Bi("提交过于频繁，请稍后再试，或拨打大厅电话反映", "Too many complaints from here: please try later, or call the hall")
COMPLAIN_NOT_SENT = Bi("暂时无法提交，请稍后再试", "It cannot be sent right now: please try again shortly")
COMPLAIN_DONE = Bi("已收到您的反映", "We have it")
COMPLAIN_REF = Bi("受理编号", "Reference")
COMPLAIN_CODE = Bi("查询码", "Code")
COMPLAIN_DUE = Bi("答复期限", "We answer by")
COMPLAIN_DUE_TEXT = Bi("{days}个工作日内，即{date}前", "within {days} working days: by {date}")
COMPLAIN_BY_PHONE = Bi("我们会打电话或发短信给您答复；也可凭受理编号和手机号后四位查询办理情况",
                       "We will call or text you our answer; you can also look it up with the reference and "
                       "your mobile's last four digits")
COMPLAIN_NO_PHONE = Bi("您未留手机号：请记下受理编号和查询码，凭它们查询办理情况和答复",
                       "You left no number: note the reference and the code, to look up where it stands and our answer")
COMPLAIN_LOOK = Bi("查询办理情况", "Where does it stand?")
COMPLAIN_FIND = Bi("已提交过？查询办理情况", "Sent one already? Look it up")
COMPLAIN_FIND_GO = Bi("查询", "Look up")
COMPLAIN_REF_BAD = Bi("受理编号格式不对，如 TS-2026-12-02-001", "That is not a reference: it looks like TS-2026-12-02-001")
COMPLAIN_FACTOR = Bi("查询码或手机号后四位", "The code, or your mobile's last four digits")
COMPLAIN_FACTOR_BAD = Bi("请输入8位查询码或手机号后四位", "Enter the 8-character code or your mobile's last four digits")
COMPLAIN_LOOK_NOT_SENT = Bi("暂时无法查询，请稍后再试", "It cannot be looked up now: please try again shortly")
COMPLAIN_STATUS = Bi("办理情况", "Status")
COMPLAIN_SENT_AT = Bi("提交时间", "Sent")
COMPLAIN_REPLY = Bi("答复", "Our answer")
COMPLAIN_NO_REPLY = Bi("正在办理，办结后在此公布答复", "Being handled: our answer is published here once it is closed")
COMPLAIN_LATE = Bi("已超过答复期限，我们正在督办", "Past its answer date: we are pressing on with it")
COMPLAIN_PRIVATE = Bi("查询结果只显示在本页，不会保存在网址或浏览记录中",
                      "The answer is shown on this page only, never kept in an address or your history")
COMPLAIN_LINK = Bi("办事不满意或没办成？有诉即办", "Not happy, or could not get it done? Tell us")

# --- 线上取号 (/take) ---------------------------------------------------------------------------------

TAKE = Bi("线上取号", "Take a ticket")
TAKE_HEADING = Bi("线上取号", "Take a ticket from your phone")
TAKE_INTRO = Bi("选择业务，验证手机号后即可取号，到号前请到厅等候", "Choose a service and confirm your mobile "
                "number: the ticket is yours, be in the hall before your turn")
TAKE_OFF = Bi("本厅暂未开通线上取号，请到厅在自助机取号", "This hall does not give tickets online: please take "
              "one at a kiosk in the hall")
TAKE_NONE_NOW = Bi("当前没有可线上取号的业务", "No service gives tickets online right now")
TAKE_WAITING = Bi("等候{n}人", "{n} waiting")
TAKE_PHONE = Bi("请填写手机号，我们将发送验证码", "Your mobile number: we send it a code")
TAKE_SEND_CODE = Bi("获取验证码", "Send me the code")
TAKE_CODE_SENT = Bi("验证码已发送至{phone}，{minutes}分钟内有效", "The code was sent to {phone}; it is good "
                    "for {minutes} min")
TAKE_CODE_WAIT = Bi("验证码已发送至{phone}，如未收到，{seconds}秒后可重新获取", "The code was sent to {phone}; "
                    "if it does not come, ask again in {seconds} s")
TAKE_CODE_LABEL = Bi("验证码", "Code")
TAKE_CODE_BAD = Bi("请输入短信中的{n}位数字验证码", "Enter the {n}-digit code from the message")
TAKE_GET = Bi("确认取号", "Take the ticket")
TAKE_AGAIN = Bi("重新获取验证码", "Ask for a new code")
TAKE_BACK = Bi("返回选择业务", "Back to the services")
TAKE_RULES = Bi("每个手机号每天可线上取号{n}次；多次过号将暂停线上取号", "{n} ticket(s) a day per mobile number; "
                "tickets missed more than once stop online tickets for a while")
TAKE_NOT_SENT = Bi("暂时无法取号，请稍后再试", "No ticket can be taken right now: please try again shortly")
TAKE_FORM_OLD = Bi("页面已过期，请重新开始", "This form is out of date: please start again")
TAKE_NOT_OFFERED = Bi("该业务暂不提供线上取号，请选择其他业务或到厅取号", "This service gives no tickets online: "
                      "choose another, or take one at the hall")

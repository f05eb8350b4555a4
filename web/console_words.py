"""Everything the manager console says of its own, Chinese first and English second (web/words.py
holds the public pages'; the console's are apart so the two grow without treading on each other)."""
from __future__ import annotations

from contract.bilingual import Bi

ROLE_NAMES = {"director": Bi("大厅管理员", "Hall director"), "supervisor": Bi("督查人员", "Supervisor"),
              "window_lead": Bi("窗口负责人", "Window lead"), "social_supervisor": Bi("社会监督员", "Social supervisor")}

# --- login ----------------------------------------------------------------------------------------

CONSOLE = Bi("管理控制台", "Manager console")
LOGIN = Bi("登录", "Log in")
LOGOUT = Bi("退出登录", "Log out")
USER_NAME = Bi("用户名", "User name")
PASSWORD = Bi("密码", "Password")
WRONG_LOGIN = Bi("用户名或密码错误", "Wrong user name or password")
LOCKED = Bi("尝试次数过多，请{minutes}分钟后再试", "Too many tries: try again in {minutes} min")
EXPIRED = Bi("登录已过期，请重新登录", "Your session has ended: please log in again")
SIGNED_IN_AS = Bi("{user}（{role}）", "{user} ({role})")
FORBIDDEN = Bi("您的角色无权进行此操作", "Your role may not do this")
NO_ACCOUNTS = Bi("尚未创建任何账号：请在服务器上运行 main.py web add-user --role director 用户名",
                 "No account yet: on the server run main.py web add-user --role director NAME")

# --- the menu -------------------------------------------------------------------------------------

LIVE_HALL = Bi("大厅实况", "Live hall")
ALERTS = Bi("电子监察", "Supervision alerts")
AUDIT = Bi("操作记录", "Audit log")
# a tab's label where the page's English title is too long for a menu row of eleven at 1366 px
MENU_ALERTS = Bi("电子监察", "Alerts")
MENU_CASES = Bi("好差评与投诉咨询", "Follow-ups")
MENU_APPLICATIONS = Bi("办件时限", "Time limits")

# --- the live hall --------------------------------------------------------------------------------

WINDOWS = Bi("窗口", "Windows")
WINDOW = Bi("窗口", "Window")
STAFF = Bi("工作人员", "Staff")
STATUS = Bi("状态", "Status")
TICKET = Bi("当前号", "Ticket")
SERVICE_TIME = Bi("本次用时", "This service")
SERVES = Bi("办理业务", "Serves")
TIDAL = Bi("潮汐", "Tidal")
PINNED = Bi("（锁定）", " (pinned)")
QUEUES = Bi("排队", "Queues")
CATEGORY = Bi("业务", "Service")
WAITING = Bi("等候人数", "Waiting")
EST_WAIT = Bi("预计等候", "Expected wait")
OPEN_FOR = Bi("开放窗口", "Open windows")
TODAY = Bi("今日数据", "Today")
ISSUED = Bi("取号", "Issued")
SERVED = Bi("办结", "Served")
NO_SHOW = Bi("过号", "No-shows")
AVG_WAIT = Bi("平均等候", "Average wait")
MAX_WAIT = Bi("最长等候", "Longest wait")
AVG_SERVICE = Bi("平均办理", "Average service")
AVG_RATING = Bi("平均评分", "Average rating")
BAD_RATINGS = Bi("差评", "Bad ratings")
NO_FIGURES = Bi("正在获取今日数据…", "Fetching today's figures…")
FIGURES_AT = Bi("统计于 {time}", "Figures of {time}")
NOT_YET = Bi("正在获取大厅情况…", "Waiting for the hall's state…")
OFFLINE = Bi("与叫号系统的连接中断：显示的是最近的情况，暂不能操作",
             "The hall controller is not reachable: this shows the latest known state, and nothing can be changed")
UPDATED = Bi("更新于 {time}", "Updated {time}")
NOBODY = Bi("—", "—")
MINUTES = Bi("{m}分{s:02d}秒", "{m}:{s:02d}")

# --- 电子监察 -------------------------------------------------------------------------------------

OPEN_ALERTS = Bi("未消除的告警", "Open alerts")
NO_ALERTS = Bi("目前没有告警", "No open alerts")
LEVEL = {"yellow": Bi("黄牌", "Yellow"), "red": Bi("红牌", "Red")}
AGE = Bi("持续", "Open for")
WHAT = Bi("内容", "Alert")
ACKED = Bi("已处理：{note}（{by}，{time}）", "Noted: {note} ({by}, {time})")
NOTE = Bi("处理说明", "Note")
ACK = Bi("登记处理", "Acknowledge")
ACK_DONE = Bi("已登记告警 {id} 的处理说明", "Alert {id}: your note is recorded")
AGE_TEXT = Bi("{h}小时{m}分", "{h} h {m} min")
AGE_SHORT = Bi("{m}分钟", "{m} min")
AGE_SECONDS = Bi("{s}秒", "{s} s")
NOTE_NEEDED = Bi("请填写处理说明（1-500字）", "Write a note (1-500 characters)")
FAILED = Bi("未能完成：{message}", "Not done: {message}")

# --- the audit list -------------------------------------------------------------------------------

AT = Bi("时间", "Time")
WHO = Bi("用户", "User")
EVENT = Bi("事件", "Event")
FROM = Bi("来源", "From")
DETAIL = Bi("详情", "Detail")
AUDIT_KINDS = {"login": Bi("登录", "Logged in"), "login_failed": Bi("登录失败", "Login failed"),
               "login_locked": Bi("登录被锁定", "Login locked"), "logout": Bi("退出", "Logged out"),
               "change": Bi("操作", "Change"), "refused": Bi("被拒绝", "Refused")}
NO_AUDIT = Bi("还没有记录", "Nothing recorded yet")

# --- 办件 and their time limits (web/console_applications.py) ------------------------------------

APPLICATIONS = Bi("办件时限", "Application time limits")
OPEN_APPLICATIONS = Bi("未办结的办件（按承诺期限排序）", "Applications not yet closed, earliest due first")
NO_APPLICATIONS = Bi("目前没有计时中的办件", "No application on the clock")
APPLICATION_DUE = Bi("承诺期限：{date}", "Due {date}")
APPLICATION_LATE = Bi("承诺期限：{date}（已超期）", "Due {date} (overdue)")
APPLICATION_WHERE = Bi("{window}受理", "accepted at {window}")
APPLICATION_STEP = Bi("更新进度", "Set progress")
APPLICATION_STATUSES = {"accepted": Bi("已受理", "Accepted"), "in_progress": Bi("办理中", "In progress"),
                        "supplement": Bi("需补正材料（暂停计时）", "More documents needed (clock paused)"),
                        "result_ready": Bi("已办结，请领取结果（通知申请人）", "Result ready (the applicant is told)"),
                        "collected": Bi("已领取", "Collected"), "refused": Bi("不予许可", "Refused"),
                        "closed": Bi("已办结", "Completed")}
APPLICATION_STATUS = Bi("新状态", "New status")
APPLICATION_NOTE = Bi("说明（申请人可见）", "Note (the applicant sees it)")
LINK_APPLICATION = Bi("关联办件与号码", "Link an application to a ticket")
LINK_NUMBER = Bi("办件编号", "Application number")
LINK_TICKET = Bi("号码编号（日期-号码，如 2026-12-02-A012）", "Ticket id (day-number, e.g. 2026-12-02-A012)")
LINK_ITEM = Bi("事项（首次关联必填）", "Item (needed by the first link)")
LINK = Bi("关联", "Link")
APPLICATION_DONE = Bi("已更新：{no}", "Done: {no}")
APPLICATION_BAD = Bi("请填写正确的办件编号、号码编号和状态", "Give a valid application number, ticket id and status")

# --- cases: 差评 follow-ups, complaints, consultations (web/console_cases.py) ----------------------

CASES = Bi("好差评与投诉咨询", "Follow-ups and complaints")
OPEN_CASES = Bi("待办件（按期限排序）", "Open cases, by deadline")
NO_CASES = Bi("目前没有待办件", "No open cases")
CASE_KINDS = {"rating_followup": Bi("差评回访", "Poor rating"), "complaint": Bi("投诉", "Complaint"),
              "undone": Bi("办不成事", "Couldn't get it done"), "consultation": Bi("咨询", "Consultation")}
DUE_IN = Bi("期限：{date}（还剩{n}个工作日）", "Due {date} ({n} working days left)")
DUE_TODAY = Bi("期限：{date}（今天到期）", "Due {date} (today)")
DUE_LATE = Bi("期限：{date}（已超期{n}个工作日）", "Due {date} ({n} working days late)")
ANONYMOUS_CASE = Bi("匿名，无法回访", "Anonymous: nobody to call")
CONTACT = Bi("联系电话：{phone}", "Phone: {phone}")
STEPS = {"visited": Bi("回访", "Call back"), "rectifying": Bi("整改", "Put right"),
         "explaining": Bi("解释说明", "Explain"), "appealing": Bi("申诉复核", "Appeal review"),
         "closed": Bi("办结", "Close")}
STEP_NOTES = {"visited": Bi("回访情况", "What the citizen said"), "rectifying": Bi("整改措施（做了什么）", "What was done"),
              "explaining": Bi("解释说明内容", "What was explained"), "appealing": Bi("申诉理由", "Why it is appealed"),
              "closed": Bi("办结说明", "Closing note")}
VERDICT = Bi("群众评价", "Citizen's verdict")
VERDICTS = {"satisfied": Bi("满意", "Satisfied"), "unsatisfied": Bi("不满意", "Unsatisfied")}
REPLY = Bi("公开答复（好差评公示页面显示）", "Public reply (shown on the ratings page)")
CLOSE_ANONYMOUS = Bi("匿名办结（无群众评价）", "Close anonymous (no verdict)")
STEP_DONE = Bi("已办理：{id}", "Done: {id}")
NEW_CASE = Bi("登记投诉或咨询", "Register a complaint or a consultation")
CASE_KIND = Bi("类型", "Kind")
CASE_TEXT = Bi("投诉内容或咨询问题", "The complaint or the question")
CASE_ITEM = Bi("事项", "Item")
NO_ITEM = Bi("（不限事项）", "(no item)")
CASE_PHONE = Bi("联系电话（可不填）", "Phone (optional)")
CASE_NAME_GIVEN = Bi("实名（留有姓名）", "Real name given")
CASE_ANSWER = Bi("当场答复（咨询，可不填）", "Answered at once (consultation, optional)")
CASE_CHANNEL = Bi("受理渠道", "Received at")
CHANNELS = {"desk": Bi("窗口/服务台", "Desk"), "console": Bi("电话/后台", "Console")}
REGISTER = Bi("登记", "Register")
SATISFACTION = Bi("整改满意率：{rate}", "Satisfied with what was done: {rate}")
FREQUENT = Bi("高频咨询问题", "Most asked questions")
TIMES = Bi("{n}次", "{n}×")
TEXT_NEEDED = Bi("请填写内容（1-1000字）", "Write the text (1-1000 characters)")

# --- 电子监察: assigning (an alert or a case), 督办 and the trail (web/console_alerts.py) -----------

CLOSED_TODAY = Bi("今天已消除的告警", "Closed today")
NO_CLOSED = Bi("今天还没有消除的告警", "No alert closed today")
ASSIGN_OR_DUBAN = Bi("指派 / 督办", "Assign / order")
ASSIGN_TO = Bi("指派给", "Assign to")
ASSIGN_ALERT = Bi("指派", "Assign")
ASSIGN_DONE = Bi("已将告警 {id} 指派", "Alert {id} assigned")
ASSIGNED_TO = Bi("承办人：{who}", "Assigned to {who}")
DUBAN = Bi("督办", "Order handled by")
DUBAN_DEADLINE = Bi("督办期限", "Deadline")
DUBAN_TIME = Bi("时间", "Time")
DUBAN_NOTE = Bi("督办要求", "What is ordered")
DUBAN_TO = Bi("承办人", "Assignee")
KEEP_ASSIGNEE = Bi("（不改承办人）", "(keep the assignee)")
DUBAN_DONE = Bi("已对告警 {id} 督办", "Alert {id}: the order is recorded")
DUBAN_UNTIL = Bi("督办期限：{time}", "To be handled by {time}")
OVERDUE = Bi("督办超期", "Overdue")
PICK_PERSON = Bi("请从列表中选择承办人", "Choose the person from the list")
DEADLINE_BAD = Bi("请填写督办期限（日期和时间）和督办要求（1-500字）",
                  "Give the deadline (a date and a time) and what is ordered (1-500 characters)")
TRAIL = Bi("处理经过", "Trail")
TRAIL_STEPS = {"opened": Bi("产生告警", "Opened"), "escalated": Bi("升级为红牌", "Turned red"),
               "acked": Bi("登记处理", "Noted"), "assigned": Bi("指派", "Assigned"), "duban": Bi("督办", "Ordered"),
               "overdue": Bi("督办超期", "Overdue"), "closed": Bi("已消除", "Closed")}
SYSTEM = Bi("系统", "System")
TRAIL_TO = Bi("承办人 {who}", "to {who}")
TRAIL_UNTIL = Bi("期限 {time}", "by {time}")
STAFF_MEMBER = Bi("{name}（工号{id}）", "{name} (staff {id})")
ACCOUNT_PERSON = Bi("{name}（{role}）", "{name} ({role})")
PEOPLE_ACCOUNTS = Bi("控制台用户", "Console users")
PEOPLE_STAFF = Bi("窗口工作人员", "Window staff")

# --- the appointments desk: 电话预约, the day's list, the blacklist (web/console_appointments.py) --

APPOINTMENTS = Bi("预约管理", "Appointments")
PHONE_BOOKING = Bi("电话预约", "Book by phone")
PHONE_BOOKING_INTRO = Bi("为来电群众预约：选择事项、日期和时段，填写来电人的手机号，把预约码告诉对方",
                         "For a caller on the phone: choose the service, the day and the time, type the caller's "
                         "mobile number and read them the booking code")
CALLER_PHONE = Bi("来电人的手机号（预约凭证和提醒短信发到这里）", "The caller's mobile (the booking and its reminder go there)")
TELL_CALLER = Bi("请把预约码读给来电人，并提醒其按时到厅签到", "Read the caller the code and remind them to check in on time")
DAY_LIST = Bi("{day} 的预约", "Bookings of {day}")
SHOW_DAY = Bi("查看", "Show")
DAY_LABEL = Bi("日期", "Day")
NO_BOOKINGS = Bi("当天没有预约", "No booking that day")
SLOT = Bi("时段", "Time")
CODE = Bi("预约码", "Code")
APPLICANT = Bi("预约人", "Booked by")
PHONE = Bi("手机号", "Mobile")
BOOKING_STATUS = {"booked": Bi("已预约", "Booked"), "checked_in": Bi("已签到", "Checked in"),
                  "cancelled": Bi("已取消", "Cancelled"), "no_show": Bi("未到", "Missed")}
BOOKING_CHANNEL = {"kiosk": Bi("自助机", "Kiosk"), "web": Bi("网上", "Web"), "phone": Bi("电话", "Phone"),
                   "platform": Bi("平台", "Platform"), "admin": Bi("导入", "Imported")}
CHANNEL = Bi("渠道", "Channel")
SERVICE = Bi("事项", "Service")
CANCEL_BOOKING = Bi("取消预约（核对来电人的预约码和手机号后四位）",
                    "Cancel a booking (check the caller's code and the last four digits of the mobile)")
CANCELLED_DONE = Bi("已取消预约 {code}", "Booking {code} cancelled")
BLACKLIST = Bi("预约黑名单（多次预约未到）", "Booking blacklist (missed bookings)")
NO_BARS = Bi("黑名单中没有人员", "Nobody is barred")
BARRED_SINCE = Bi("限制起始", "Since")
BARRED_UNTIL = Bi("限制至", "Until")
MISSED = Bi("未到次数", "Missed")
LIFT_REASON = Bi("解除原因", "Why it is lifted")
LIFT = Bi("解除限制", "Lift the bar")
LIFTED_DONE = Bi("已解除 {phone} 的预约限制", "The bar on {phone} is lifted")
REASON_NEEDED = Bi("请填写解除原因（1-200字）", "Write why the bar is lifted (1-200 characters)")
BAD_DAY = Bi("日期无效", "Not a date")

# --- console accounts (web/console_accounts.py) -------------------------------------------------

ACCOUNTS = Bi("账号管理", "Accounts")
ACCOUNT_LIST = Bi("控制台账号", "Console accounts")
ROLE = Bi("角色", "Role")
ACCOUNT_WINDOWS = Bi("负责窗口", "Windows")
CREATED = Bi("建立/重置于", "Made or reset")
ACCOUNT_STATE = Bi("状态", "State")
ACTIVE = Bi("可登录", "Active")
DISABLED = Bi("已停用", "Disabled")
NEW_ACCOUNT = Bi("新建账号", "New account")
NEW_PASSWORD = Bi("新密码（至少10位）", "New password (10 characters or more)")
PASSWORD_AGAIN = Bi("再输一次", "Again")
PASSWORD_SHORT = Bi("新密码", "New password")
WINDOWS_HINT = Bi("负责窗口（窗口负责人，如 3,4）", "Windows (a window lead's, e.g. 3,4)")
CREATE = Bi("建立账号", "Create")
RESET = Bi("重置密码（并启用）", "Reset the password (and enable)")
DISABLE = Bi("停用", "Disable")
YOU = Bi("（您本人）", "(you)")
ACCOUNT_MADE = Bi("已建立账号 {name}", "Account {name} made")
ACCOUNT_RESET = Bi("已重置 {name} 的密码，其登录已失效", "{name}: new password; their sessions have ended")
ACCOUNT_DISABLED = Bi("已停用账号 {name}，其登录已失效", "{name} disabled; their sessions have ended")
PASSWORDS_DIFFER = Bi("两次输入的密码不一致", "The two passwords differ")
NOT_YOURSELF = Bi("不能停用自己的账号", "You cannot disable your own account")
NO_SUCH_ACCOUNT = Bi("没有这个账号", "No such account")
BAD_WINDOWS = Bi("负责窗口须为窗口号，用逗号分隔", "Windows: window numbers separated by commas")

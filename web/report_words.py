"""What the console's reports say, Chinese first and English second (apart from console_words.py so
the reports grow without treading on the other pages' words). Column headers of the CSV too."""
from __future__ import annotations

from contract.bilingual import Bi

REPORTS = Bi("统计报表", "Reports")
KIND = {"day": Bi("日报", "A day"), "range": Bi("时段（含季度评议）", "Date range (quarterly review)"),
        "month": Bi("月度通报", "Monthly bulletin")}
DAY = Bi("日期", "Day")
FIRST = Bi("开始日期", "From")
LAST = Bi("结束日期", "To")
MONTH = Bi("月份", "Month")
SHOW = Bi("查看", "Show")
CSV = Bi("下载 CSV（Excel 可直接打开）", "Download CSV (opens in Excel)")
PRINT_HINT = Bi("打印：使用浏览器的打印功能，页面已适配打印", "To print, use the browser's print: the page is laid out for paper")
PERIOD = Bi("{first} 至 {last}（{days}天，其中工作日{working}天）", "{first} to {last} ({days} days, {working} of them working)")
BAD_DATE = Bi("日期无效，请重新选择", "Not a valid date: choose again")
FAILED = Bi("未能生成报表：{message}", "No report: {message}")
HALL = Bi("全厅", "Hall")
BY_DAY = Bi("每日办结", "Served each day")
BY_WINDOW = Bi("窗口排名", "Windows ranked")
BY_STAFF = Bi("人员排名", "Staff ranked")
BY_ITEM = Bi("事项排名", "Items ranked")
BY_CATEGORY = Bi("按业务", "By service")
BAD_BY = Bi("差评（按事项与原因）", "Bad ratings by item and reason")
OUTCOMES = Bi("办理结果", "Outcomes")
APPLICATIONS = Bi("办件按时办结率", "Applications closed on time")
BY_APPLICATIONS = Bi("办件按时办结率（按事项、受理窗口、人员、月份）",
                     "Applications closed on time, by item, accepting window, staff and month")
NO_LIMITS = Bi("本期没有有时限的办件办结", "No application with a time limit was closed in this period")
# the columns of the 按时办结率 lines (figures.on_time): key, words
ON_TIME_COLUMNS = (("closed", Bi("办结件数", "Closed")), ("on_time", Bi("按时办结", "On time")),
                   ("late", Bi("超期办结", "Late")), ("on_time_rate", Bi("按时办结率%", "On time %")))
NONE = Bi("本期没有记录", "Nothing in this period")
NON_WORKING = Bi("休息日", "Day off")
SCOPED = Bi("仅显示您负责的窗口：{windows}", "Only your windows: {windows}")
RANK = Bi("名次", "Rank")
NAME = Bi("名称", "Name")
ITEM = Bi("事项", "Item")
REASON = Bi("原因", "Reason")
COUNT = Bi("次数", "Count")
NO_ITEM = Bi("（未选事项）", "(no item)")
# the columns of a ranking, of the CSV and of the page (key, words)
COLUMNS = (("served", Bi("办结", "Served")), ("avg_wait_s", Bi("平均等候(分)", "Avg wait (min)")),
           ("avg_service_s", Bi("平均办理(分)", "Avg service (min)")), ("rated", Bi("评价数", "Rated")),
           ("good_rate", Bi("好评率%", "Good %")), ("active_rating_rate", Bi("主动评价率%", "Rated of served %")),
           ("bad_ratings", Bi("差评", "Bad")))
SCOPE = Bi("范围", "Scope")
SCOPES = {"hall": HALL, "category": Bi("业务", "Service"), "window": Bi("窗口", "Window"),
          "staff": Bi("人员", "Staff"), "item": ITEM, "month": MONTH}

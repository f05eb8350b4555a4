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
FOOTER = Bi("本页不收集个人信息", "This site collects no personal data")

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

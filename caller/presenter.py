"""The caller app's logic, without Kivy: what the window's staff see and may press.

Everything comes from the hall's retained state (this window's state, the
queues, the config) and the replies to the staff's own commands, so the app
shows what the controller holds — also when a keypad on the same window acts,
or after the app restarts. A button is enabled only when its action makes
sense in the window's state; while a command waits for its reply every action
button is disabled, so a double tap cannot call two people.
"""
from __future__ import annotations

from dataclasses import dataclass

from appkit.hallview import HallView, clock_text, wait_text
from appkit.link import friendly_error

from .entry import NumberEntry


@dataclass(frozen=True)
class Action:
    name: str
    zh: str
    en: str
    key: str  # the PC shortcut
    dialog: str | None = None  # "number", "transfer" or "reason": asks before sending


ACTIONS: tuple[Action, ...] = (
    Action("call_next", "呼叫下一位", "Call next", "F1"),
    Action("recall", "重呼", "Recall", "F2"),
    Action("no_show", "弃号", "No-show", "F3"),
    Action("hold", "挂起", "Hold", "F4"),
    Action("call_back", "回呼", "Call back", "F5", "number"),
    Action("call_specific", "指定呼叫", "Call a number", "F6", "number"),
    Action("start", "开始", "Start", "F7"),
    Action("finish", "办结", "Finish", "F8"),
    Action("transfer", "转移", "Transfer", "F9", "transfer"),
    Action("pause", "暂停", "Pause", "F10", "reason"),
    Action("resume", "恢复", "Resume", "F11"),
    Action("invite_rating", "邀请评价", "Invite rating", "F12"),
    Action("logout", "退出登录", "Log out", "Ctrl+Q"),
)
BY_NAME = {a.name: a for a in ACTIONS}
BY_KEY = {a.key: a.name for a in ACTIONS}

# Why a window pauses, as the window screen and the supervision show it (zh / en in one string).
PAUSE_REASONS: tuple[tuple[str, str], ...] = (
    ("休息", "Break"), ("会议", "Meeting"), ("业务培训", "Training"), ("临时离开", "Away briefly"),
    ("系统故障", "System fault"), ("其他", "Other"),
)

STATUS_TEXT = {
    "closed": ("未登录", "Logged out"), "open": ("空闲", "Idle"),
    "paused": ("暂停服务", "Paused"), "serving": ("服务中", "Serving"),
}
HELD_KINDS = ("held", "no_show")
ALERTS_KEPT = 4
QUEUE_LINES_SHOWN = 3  # a 7-inch screen has room for three categories' lines


class CallerPresenter:
    def __init__(self, window: int, view: HallView):
        self.window = window
        self.view = view
        self.online = False
        self.busy: str | None = None  # the action waiting for its reply
        self.message: dict | None = None  # {"kind": "error"|"info", "zh", "en"}
        self.stats: dict | None = None  # the window_stats result
        self.stats_wanted = True
        self.alerts: list[dict] = []
        self.held: dict[str, str] = {}  # number -> category: held or no-show today, callable back
        self.last_served: str | None = None

    # --- what comes in ----------------------------------------------------------------

    def on_message(self, topic: str, data) -> str | None:
        kind = self.view.apply(topic, data)
        if kind == "ticket" and isinstance(data, dict):
            number = data.get("number")
            if data.get("kind") in HELD_KINDS and number:
                self.held[number] = data.get("category", "")
            elif number in self.held and data.get("kind") not in HELD_KINDS:
                self.held.pop(number, None)
            if data.get("window") == self.window and data.get("kind") in ("finished", "no_show", "transferred"):
                self.stats_wanted = True
                if data.get("kind") == "finished":
                    self.last_served = number
        elif kind == "called" and isinstance(data, dict):
            self.held.pop(data.get("number"), None)
        elif kind == "alert" and isinstance(data, dict) and data.get("window") == self.window:
            self._alert(data)
        elif kind == "queues" and self.view.day and self.stats and self.stats.get("day") not in (None, self.view.day):
            self.stats, self.stats_wanted, self.held = None, True, {}  # a new service day
        return kind

    def _alert(self, data: dict) -> None:
        key = data.get("id") or (data.get("kind"), data.get("number"), data.get("at"))
        self.alerts = [a for a in self.alerts if (a.get("id") or (a.get("kind"), a.get("number"), a.get("at"))) != key]
        if data.get("status") not in ("closed", "acked", "resolved"):
            self.alerts.insert(0, data)
            del self.alerts[ALERTS_KEPT:]

    def set_online(self, online: bool) -> None:
        self.online = online
        if online:
            self.stats_wanted = True
            if self.message and self.message.get("code") in ("offline", "timeout"):
                self.message = None

    # --- the window as the controller holds it ---------------------------------------

    @property
    def state(self) -> dict:
        return self.view.windows.get(self.window) or {}

    @property
    def status(self) -> str:
        return self.state.get("status", "closed")

    @property
    def logged_in(self) -> bool:
        return self.status != "closed"

    @property
    def current(self) -> dict | None:
        return self.state.get("current")

    def enabled(self, action: str) -> bool:
        """Whether the button of `action` can be pressed now."""
        if not self.online or self.busy or not self.logged_in:
            return False
        status, current = self.status, self.current or {}
        at_window = current.get("status")
        paused = status == "paused"
        anyone_waiting = self.view.waiting_total() > 0
        rules = {
            "call_next": not paused and anyone_waiting,
            "call_specific": not paused and anyone_waiting,
            "call_back": not paused,
            "recall": at_window == "called",
            "no_show": at_window == "called",
            "start": at_window == "called",
            "hold": at_window in ("called", "serving"),
            "finish": at_window in ("called", "serving"),
            "transfer": at_window in ("called", "serving"),
            "pause": status == "open",
            "resume": paused,
            "invite_rating": bool(current) or self.last_served is not None,
            "logout": not current,
        }
        return rules.get(action, False)

    def buttons(self) -> list[dict]:
        return [{"action": a.name, "zh": a.zh, "en": a.en, "key": a.key, "enabled": self.enabled(a.name)}
                for a in ACTIONS]

    # --- what goes out ------------------------------------------------------------------

    def login(self, staff_id: str, pin: str) -> tuple[str, dict] | None:
        staff_id, pin = staff_id.strip(), pin.strip()
        if not staff_id or not pin:
            self.message = {"kind": "error", "zh": "请输入工号和密码", "en": "Enter your staff ID and PIN"}
            return None
        return self._send("login", {"staff_id": staff_id, "pin": pin})

    def command(self, action: str, **fields) -> tuple[str, dict] | None:
        """(action, fields) to send, or None when the button should not have been pressable."""
        if action not in BY_NAME or not self.enabled(action):
            return None
        if action in ("call_back", "call_specific"):
            number = NumberEntry.normalize(fields.get("number", ""))
            if number is None:
                self.message = {"kind": "error", "zh": "请输入号码，如 A005", "en": "Enter a number such as A005"}
                return None
            fields = {"number": number}
        if action == "transfer" and (fields.get("category") is None) == (fields.get("to_window") is None):
            return None
        if action == "pause" and not fields.get("reason"):
            return None
        return self._send(action, fields)

    def _send(self, action: str, fields: dict) -> tuple[str, dict]:
        self.busy = action
        self.message = None
        return action, fields

    def on_reply(self, reply: dict) -> None:
        action = reply.get("action") or self.busy or ""
        if action == "window_stats":
            if reply.get("ok"):
                self.stats = reply["result"]
            return
        self.busy = None
        label = BY_NAME.get(action)
        zh, en = (label.zh, label.en) if label else (("登录", "Log in") if action == "login" else (action, action))
        if not reply.get("ok"):
            error = reply.get("error") or {}
            words = friendly_error(error)
            self.message = {"kind": "error", "code": error.get("code"), "zh": f"{zh}失败：{words['zh']}",
                            "en": f"{en} failed: {words['en']}"}
            if action == "call_next" and error.get("code") == "queue_empty":
                self.stats_wanted = True  # the current ticket was still finished
            return
        result = reply.get("result") or {}
        ticket = result.get("ticket") or {}
        number = ticket.get("number") or result.get("number") or ""
        if action in ("hold", "no_show") or (action == "recall" and result.get("no_show")):
            self.held[number] = ticket.get("category", "")
        if action == "finish":
            self.last_served = number
        if action in ("login", "call_next", "call_back", "call_specific", "finish", "no_show", "recall", "transfer"):
            self.stats_wanted = True
        self.message = {"kind": "info", **self._done_words(action, number, result)}

    def _done_words(self, action: str, number: str, result: dict) -> dict:
        if action == "login":
            return {"zh": f"{result.get('staff', '')} 已登录", "en": f"{result.get('staff', '')} logged in"}
        if action == "recall" and result.get("no_show"):
            return {"zh": f"{number} 已达呼叫次数，记为过号", "en": f"{number} reached the call limit: no-show"}
        words = {
            "call_next": ("已呼叫", "Called"), "call_back": ("已回呼", "Called back"),
            "call_specific": ("已呼叫", "Called"), "recall": ("已重呼", "Recalled"),
            "no_show": ("已弃号", "No-show"), "hold": ("已挂起", "Held"), "start": ("开始办理", "Started"),
            "finish": ("已办结", "Finished"), "transfer": ("已转移", "Transferred"),
            "pause": ("已暂停服务", "Paused"), "resume": ("已恢复服务", "Resumed"),
            "invite_rating": ("已邀请评价", "Rating invited"), "logout": ("已退出登录", "Logged out"),
        }
        zh, en = words.get(action, (action, action))
        return {"zh": f"{zh} {number}".strip(), "en": f"{en} {number}".strip()}

    def take_stats_request(self) -> bool:
        """True once when the window's figures should be fetched again (after a change to them)."""
        if self.stats_wanted and self.online and self.logged_in:
            self.stats_wanted = False
            return True
        return False

    # --- what the screen shows ---------------------------------------------------------

    def header(self) -> dict:
        name = self.view.window_name(self.window)
        zh, en = STATUS_TEXT.get(self.status, (self.status, self.status))
        staff = self.state.get("staff") or ""
        staff_id = self.state.get("staff_id") or ""
        return {"window_zh": name["zh"], "window_en": name["en"],
                "staff": f"{staff} ({staff_id})" if staff_id else "",
                "status_zh": zh, "status_en": en, "tidal": bool(self.state.get("tidal")),
                "online_zh": "在线" if self.online else "离线", "online_en": "online" if self.online else "offline",
                "online": self.online}

    def ticket(self) -> dict:
        """The ticket at the window, with its running timer (or why there is none)."""
        current = self.current
        if not current:
            if self.status == "paused":
                reason = self.state.get("pause_reason") or ""
                return {"number": "—", "category_zh": f"暂停服务 {reason}".strip(), "category_en": "Paused",
                        "status_zh": "", "status_en": "", "timer": ""}
            return {"number": "—", "category_zh": "当前无号码", "category_en": "No ticket",
                    "status_zh": "", "status_en": "", "timer": ""}
        name = self.view.category_name(current.get("category", ""))
        now = self.view.hall_now()
        if current.get("status") == "serving" and current.get("started_at"):
            status_zh, status_en = "办理中", "Serving"
            timer = clock_text(now - current["started_at"])
        else:
            times = current.get("times_called") or 1
            status_zh, status_en = f"呼叫中 · 第{times}次", f"Calling · call {times}"
            timer = clock_text(now - current["called_at"]) if current.get("called_at") else ""
        return {"number": current.get("number", ""), "category_zh": name["zh"], "category_en": name["en"],
                "status_zh": status_zh, "status_en": status_en, "timer": timer}

    def my_categories(self) -> list[str]:
        state = self.state
        wcfg = self.view.window_config(self.window)
        primary = state.get("categories") or wcfg.get("primary") or []
        secondary = state.get("secondary") if state else wcfg.get("secondary")
        return list(primary) + [c for c in (secondary or []) if c not in primary]

    def queue_lines(self) -> list[dict]:
        """One line per category this window serves: waiting, estimated wait, the next numbers."""
        primary = set(self.state.get("categories") or self.view.window_config(self.window).get("primary") or [])
        lines = []
        for code in self.my_categories():
            entry = self.view.queues.get(code) or {}
            name = self.view.category_name(code)
            wait = wait_text(entry.get("est_wait_s"))
            lines.append({"code": code, "zh": name["zh"], "en": name["en"], "primary": code in primary,
                          "waiting": int(entry.get("waiting") or 0), "wait_zh": wait["zh"], "wait_en": wait["en"],
                          "next": list(entry.get("next") or [])[:3]})
        return lines

    def waiting_total(self) -> int:
        return sum(line["waiting"] for line in self.queue_lines())

    def queue_view(self) -> dict:
        """The lines that fit a small screen (primary categories first) and one line for the rest."""
        lines = self.queue_lines()
        shown, rest = lines[:QUEUE_LINES_SHOWN], lines[QUEUE_LINES_SHOWN:]
        others = None
        if rest:
            waiting = sum(line["waiting"] for line in rest)
            others = {"zh": f"另有{len(rest)}项协办业务，等候{waiting}人",
                      "en": f"{len(rest)} more categories helped: {waiting} waiting"}
        return {"lines": shown, "others": others}

    def stats_line(self) -> dict:
        stats = self.stats or {}
        served = stats.get("served")
        avg = stats.get("avg_service_s")
        if served is None:
            return {"zh": "今日办结 --", "en": "Today: --"}
        return {"zh": f"今日办结 {served} 件 · 平均办理 {clock_text(avg) if avg is not None else '--'}",
                "en": f"Today: {served} served · average {clock_text(avg) if avg is not None else '--'}"}

    def alert_lines(self) -> list[dict]:
        lines = []
        for alert in self.alerts:
            text = alert.get("text") if isinstance(alert.get("text"), dict) else {}
            lines.append({"level": alert.get("level", "yellow"),
                          "zh": text.get("zh") or alert.get("message_zh") or str(alert.get("kind", "")),
                          "en": text.get("en") or alert.get("message") or ""})
        return lines

    # --- what the dialogs offer ----------------------------------------------------------

    def transfer_targets(self) -> dict:
        """Categories other than the ticket's own, and the other windows (a closed one cannot take it)."""
        own = (self.current or {}).get("category")
        codes = list(self.view.queues) or list(self.view.config.get("categories") or {})
        categories = [{"code": c, **self.view.category_name(c)} for c in codes if c != own]
        windows = []
        for number in self.view.window_numbers():
            if number == self.window:
                continue
            status = (self.view.windows.get(number) or {}).get("status", "closed")
            windows.append({"window": number, **self.view.window_name(number), "enabled": status != "closed",
                            "status_zh": STATUS_TEXT.get(status, (status,))[0]})
        return {"categories": categories, "windows": windows}

    def number_suggestions(self, action: str) -> list[str]:
        """Quick picks: held / no-show numbers for 回呼, the next waiting numbers for 指定呼叫."""
        if action == "call_back":
            return sorted(self.held)[:8]
        picks = []
        for line in self.queue_lines():
            for number in (self.view.queues.get(line["code"]) or {}).get("next") or []:
                if number not in picks:
                    picks.append(number)
        return picks[:8]

    def prefixes(self) -> list[str]:
        prefixes = {q.get("prefix") for q in self.view.queues.values() if q.get("prefix")}
        prefixes |= {c.get("prefix") for c in (self.view.config.get("categories") or {}).values() if c.get("prefix")}
        return sorted(prefixes)

    @staticmethod
    def pause_reasons() -> list[dict]:
        return [{"zh": zh, "en": en, "reason": f"{zh} {en}"} for zh, en in PAUSE_REASONS]

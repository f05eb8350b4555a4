"""The caller app's logic, without Kivy: what the window's staff see and may press.

Everything comes from the hall's retained state (this window's state with
its tickets set aside and the one it served last, the queues, the config) and
the replies to the staff's own commands, so the app shows what the controller
holds — also when a keypad on the same window acts, or after the app
restarts. A button is enabled only when its action makes sense in the
window's state. Commands go out through the link's one requester under one
key: while a command waits for its reply every other button is disabled, so a
double tap cannot call two people; when its reply is late the screen says
so, its own button sends the same request id again (never a second call),
and 放弃 gives it up — what the window's state then shows is what happened.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from appkit.link import friendly_error
from appkit.texts import clock_text, wait_text
from contract.hall import HallMirror
from contract.messages import OUTCOME_NAMES, REFUSAL_REASONS

from .entry import ApplicationEntry, NumberEntry


@dataclass(frozen=True)
class Action:
    name: str
    zh: str
    en: str
    key: str  # the PC shortcut
    dialog: str | None = None  # "number", "transfer", "reason", "confirm", "outcome" or "application": asks first


ACTIONS: tuple[Action, ...] = (
    Action("call_next", "呼叫下一位", "Call next", "F1"),
    Action("recall", "重呼", "Recall", "F2"),
    Action("no_show", "弃号", "No-show", "F3", "confirm"),
    Action("hold", "挂起", "Hold", "F4"),
    Action("call_back", "回呼", "Call back", "F5", "number"),
    Action("call_specific", "指定呼叫", "Call a number", "F6", "number"),
    Action("start", "开始", "Start", "F7"),
    Action("finish", "办结", "Finish", "F8", "outcome"),
    Action("transfer", "转移", "Transfer", "F9", "transfer"),
    Action("pause", "暂停", "Pause", "F10", "reason"),
    Action("resume", "恢复", "Resume", "F11"),
    Action("invite_rating", "邀请评价", "Invite rating", "F12"),
    # 办件: the number the business system gave this service, linked to the ticket (its clock starts)
    Action("application_link", "关联办件", "Link application", "Ctrl+L", "application"),
    Action("logout", "退出登录", "Log out", "Ctrl+Q"),
)
BY_NAME = {a.name: a for a in ACTIONS}
BY_KEY = {a.key: a.name for a in ACTIONS}

# Why a window pauses, as the window screen and the supervision show it (zh / en in one string).
PAUSE_REASONS: tuple[tuple[str, str], ...] = (
    ("休息", "Break"), ("会议", "Meeting"), ("业务培训", "Training"), ("临时离开", "Away briefly"),
    ("系统故障", "System fault"), ("其他", "Other"),
)

# 办结's one touch: what came of the service (contract.messages.OUTCOMES), the usual first; a 补正 then
# asks which materials are missing, a 不予受理 why (the citizen is told in writing).
OUTCOME_CHOICES: tuple[tuple[str, str, str, str | None], ...] = tuple(
    (code, *OUTCOME_NAMES[code], needs) for code, needs in (
        ("accepted", None), ("on_the_spot", None), ("consultation", None), ("supplement", "materials"),
        ("refused", "reasons")))
OUTCOME_WORDS = {code: (zh, en) for code, zh, en, _ in OUTCOME_CHOICES}
MATERIALS_OFFERED = 18  # a 补正 dialog's picks: the materials of the ticket's category's items

STATUS_TEXT = {
    "closed": ("未登录", "Logged out"), "open": ("空闲", "Idle"),
    "paused": ("暂停服务", "Paused"), "serving": ("服务中", "Serving"),
}
# Why a button is disabled, where staff would otherwise wonder (the button and the message line say it)
WHY_DISABLED = {
    "call_next": {"zh": "本窗口暂无等候", "en": "Nobody waiting here"},
}
ALERTS_KEPT = 4
HELD_SHOWN = 5  # numbers of the held line (a 1024-px screen's half)
ALERTS_SHOWN = 2  # on screen: the newest ones, and a line saying how many more
COMMAND = "command"  # the requester's key of the one staff command on its way
STATS = "window_stats"
QUEUE_LINES_SHOWN = 2  # a 7-inch screen has room for two categories' lines and one for the rest


class CallerPresenter:
    def __init__(self, window: int, hall: HallMirror, link):
        self.window = window
        self.hall = hall
        self.link = link
        self.online = False
        self.busy: str | None = None  # the action waiting for its reply
        self.late = False  # ... and it passed its timeout: said on screen, its button asks again
        self.message: dict | None = None  # {"kind": "error"|"info", "zh", "en"}
        self.stats: dict | None = None  # the window_stats result
        self.stats_wanted = True
        self.alerts: list[dict] = []
        self.changed: Callable[[], None] = lambda: None  # the screen redraws

    # --- what comes in ----------------------------------------------------------------

    def subscriptions(self) -> list[str]:
        return self.hall.subscriptions("ticket", "called", "alert")

    def on_message(self, topic: str, data) -> str | None:
        kind = self.hall.apply(topic, data)
        if kind == "ticket" and isinstance(data, dict):
            if data.get("window") == self.window and data.get("kind") in ("finished", "no_show", "transferred"):
                self.stats_wanted = True
        elif kind == "alert" and isinstance(data, dict) and data.get("window") == self.window:
            self._alert(data)
        elif kind == "queues" and self.hall.day and self.stats and self.stats.get("day") not in (None, self.hall.day):
            self.stats, self.stats_wanted = None, True  # a new service day
        return kind

    @staticmethod
    def _alert_key(data: dict):
        """One alert's identity: a stored alert's id, a 差评's follow-up (closed with it), else what it says."""
        return data.get("id") or data.get("followup_id") or (data.get("kind"), data.get("number"), data.get("at"))

    def _alert(self, data: dict) -> None:
        key = self._alert_key(data)
        self.alerts = [a for a in self.alerts if self._alert_key(a) != key]
        if data.get("status") not in ("closed", "acked", "resolved"):
            self.alerts.insert(0, data)
            del self.alerts[ALERTS_KEPT:]

    def set_online(self, online: bool) -> None:
        self.online = online
        if online:
            self.stats_wanted = True
            if self.message and self.message.get("code") == "offline" and not self.busy:
                self.message = None

    # --- the window as the controller holds it ---------------------------------------

    @property
    def state(self):
        return self.hall.window(self.window)

    @property
    def status(self) -> str:
        return self.hall.status(self.window)

    @property
    def logged_in(self) -> bool:
        return self.status != "closed"

    @property
    def current(self):
        return self.state.current if self.state else None

    @property
    def can_give_up(self) -> bool:
        return self.busy is not None and self.late

    @property
    def can_log_in(self) -> bool:
        return self.online and (self.busy is None or (self.busy == "login" and self.late))

    def enabled(self, action: str) -> bool:
        """Whether the button of `action` can be pressed now (a late command's own button asks again)."""
        if not self.online or not self.logged_in:
            return False
        if self.busy:
            return self.late and action == self.busy
        status, current = self.status, self.current
        at_window = current.status if current else None
        paused = status == "paused"
        anyone_waiting = self.hall.waiting_total() > 0
        rules = {
            "call_next": not paused and self.someone_for_me(),
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
            "invite_rating": current is not None or self.hall.last_served(self.window) is not None,
            "application_link": current is not None or self.hall.last_served(self.window) is not None,
            "logout": not current,
        }
        return rules.get(action, False)

    def someone_for_me(self) -> bool:
        """Someone waits whom this window's 呼叫下一位 could call: in a category it serves now, sent to
        it by a transfer, or (a green-channel window) a priority ticket of any category."""
        state = self.state
        if state is None:
            return False
        if (self.hall.waiting_for(self.window) or 0) + state.sent > 0:
            return True
        return state.green_channel and any(q.priority_waiting for q in self.hall.queues.values())

    def why_disabled(self, action: str) -> dict | None:
        """{zh, en} of why a logged-in window's button is off, where that is not plain to see."""
        if action == "call_next" and self.online and self.logged_in and not self.busy and \
                self.status != "paused" and not self.someone_for_me():
            return WHY_DISABLED["call_next"]
        return None

    def explain(self, action: str) -> None:
        """A press of a disabled button (or its F-key): say why on the message line."""
        why = self.why_disabled(action)
        if why:
            zh, en = self._label(action)
            self.message = {"kind": "error", "code": "disabled", "zh": f"{zh}：{why['zh']}", "en": f"{en}: {why['en']}"}

    def buttons(self) -> list[dict]:
        return [{"action": a.name, "zh": a.zh, "en": a.en, "key": a.key, "enabled": self.enabled(a.name)}
                for a in ACTIONS]

    # --- what goes out ------------------------------------------------------------------

    def login(self, staff_id: str, pin: str) -> tuple[str, dict] | None:
        if not self.can_log_in:
            return None
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
        if action == "finish":
            fields = self._outcome_fields(**fields)
            if fields is None:
                return None
        if action == "application_link":
            number = ApplicationEntry.normalize(fields.get("application_no", ""))
            if number is None:
                self.message = {"kind": "error", "zh": "请输入办件编号（4-40位字母、数字或-）",
                                "en": "Enter the application number (4-40 letters, digits or -)"}
                return None
            fields = {"application_no": number}
        return self._send(action, fields)

    def _outcome_fields(self, outcome: str = "accepted", materials=(), reasons=()) -> dict | None:
        """A finish's fields, or None (with the reason on screen) when its outcome lacks what it needs."""
        needs = {code: need for code, _, _, need in OUTCOME_CHOICES}
        if outcome not in needs:
            return None
        if needs[outcome] == "materials" and not materials:
            self.message = {"kind": "error", "zh": "补正：请选择缺少的材料", "en": "Materials missing: choose which"}
            return None
        if needs[outcome] == "reasons" and not reasons:
            self.message = {"kind": "error", "zh": "不予受理：请选择理由", "en": "Refused: choose the reason"}
            return None
        fields = {"outcome": outcome}
        if needs[outcome] == "materials":
            fields["materials"] = list(materials)
        elif needs[outcome] == "reasons":
            fields["reasons"] = list(reasons)
        return fields

    def _send(self, action: str, fields: dict) -> tuple[str, dict]:
        """Send it, or (its own button again, late) ask for the open one with the same id."""
        if self.busy is None:
            self.busy, self.late = action, False
            self.message = None
        self.link.send(action, fields, self.on_reply, key=COMMAND, on_overdue=self._overdue)
        return action, fields

    def _overdue(self, request) -> None:
        if self.busy is None:
            return
        self.late = True
        zh, en = self._label(self.busy)
        self.message = {"kind": "error", "code": "late", "zh": f"{zh}：系统响应较慢，仍在等待结果（可再按一次，或放弃）",
                        "en": f"{en}: no answer yet, still waiting (press it again, or give up)"}
        self.changed()

    def give_up(self) -> None:
        """放弃: stop waiting for the late command; the window's state shows what happened."""
        if not self.can_give_up:
            return
        zh, en = self._label(self.busy)
        self.link.give_up(COMMAND)
        self.busy, self.late = None, False
        self.message = {"kind": "error", "code": "given_up", "zh": f"已放弃等待{zh}的结果，以本窗口当前状态为准",
                        "en": f"Stopped waiting for {en}: the window shows what happened"}
        self.changed()

    @staticmethod
    def _label(action: str) -> tuple[str, str]:
        label = BY_NAME.get(action)
        return (label.zh, label.en) if label else (("登录", "Log in") if action == "login" else (action, action))

    def tick(self) -> None:
        """Every half second: fetch the window's figures when they changed."""
        if self.take_stats_request():
            self.link.send(STATS, {}, self._stats_reply, key=STATS)

    def _stats_reply(self, reply: dict) -> None:
        if reply.get("ok"):
            self.stats = reply["result"]
            self.changed()

    def on_reply(self, reply: dict) -> None:
        self._answered(reply)
        self.changed()

    def _answered(self, reply: dict) -> None:
        action = reply.get("action") or self.busy or ""
        late, self.busy, self.late = self.late, None, False
        zh, en = self._label(action)
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
        if action in ("login", "call_next", "call_back", "call_specific", "finish", "no_show", "recall", "transfer"):
            self.stats_wanted = True
        words = self._done_words(action, number, result)
        if late:
            words = {"zh": f"{words['zh']}（回复较迟）", "en": f"{words['en']} (late answer)"}
        self.message = {"kind": "info", **words}

    def _done_words(self, action: str, number: str, result: dict) -> dict:
        if action == "login":
            return {"zh": f"{result.get('staff', '')} 已登录", "en": f"{result.get('staff', '')} logged in"}
        if action == "recall" and result.get("no_show"):
            return {"zh": f"{number} 已达呼叫次数，记为过号", "en": f"{number} reached the call limit: no-show"}
        if action == "application_link":
            application = result.get("application") or {}
            due = application.get("due_at")
            when = self.hall.hall_time(due).strftime("%Y-%m-%d") if isinstance(due, (int, float)) else ""
            return {"zh": f"已关联办件 {application.get('application_no', '')}" + (f"，承诺{when}前办结" if when else ""),
                    "en": f"Linked application {application.get('application_no', '')}" + (f", due by {when}" if when else "")}
        if action == "finish":
            zh, en = OUTCOME_WORDS.get((result.get("outcome") or {}).get("outcome"), ("", ""))
            said = {"zh": f"已办结 {number} · {zh}".strip(" ·"), "en": f"Finished {number} · {en}".strip(" ·")}
            if result.get("notice"):  # the written notice goes to this window's printer (controller/notices.py)
                said = {"zh": f"{said['zh']} · 告知书打印中", "en": f"{said['en']} · notice printing"}
            return said
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
        name = self.hall.window_name(self.window)
        zh, en = STATUS_TEXT.get(self.status, (self.status, self.status))
        staff, staff_id = self.hall.staff_at(self.window)
        return {"window_zh": name.zh, "window_en": name.en,
                "staff": f"{staff} ({staff_id})" if staff_id else "",
                "status_zh": zh, "status_en": en, "tidal": bool(self.state and self.state.tidal),
                "online_zh": "在线" if self.online else "离线", "online_en": "online" if self.online else "offline",
                "online": self.online}

    def ticket(self) -> dict:
        """The ticket at the window, with its running timer (or why there is none)."""
        current = self.current
        if not current:
            if self.status == "paused":
                reason = self.state.pause_reason or ""
                return {"number": "—", "category_zh": f"暂停服务 {reason}".strip(), "category_en": "Paused",
                        "status_zh": "", "status_en": "", "timer": ""}
            return {"number": "—", "category_zh": "当前无号码", "category_en": "No ticket",
                    "status_zh": "", "status_en": "", "timer": ""}
        name = self.hall.category_name(current.category)
        now = self.hall.hall_now()
        if current.status == "serving" and current.started_at:
            status_zh, status_en = "办理中", "Serving"
            timer = clock_text(now - current.started_at)
        else:
            times = current.times_called or 1
            status_zh, status_en = f"呼叫中 · 第{times}次", f"Calling · call {times}"
            timer = clock_text(now - current.called_at) if current.called_at else ""
        return {"number": current.number, "category_zh": name.zh, "category_en": name.en,
                "status_zh": status_zh, "status_en": status_en, "timer": timer}

    def my_categories(self) -> list[str]:
        primary, secondary = self.hall.serves(self.window)
        return primary + [c for c in secondary if c not in primary]

    def queue_lines(self) -> list[dict]:
        """One line per category this window serves: waiting, estimated wait, the next numbers."""
        primary = set(self.hall.serves(self.window)[0])
        lines = []
        for code in self.my_categories():
            entry = self.hall.category(code)
            name = self.hall.category_name(code)
            wait = wait_text(entry.est_wait_s if entry else None)
            lines.append({"code": code, "zh": name.zh, "en": name.en, "primary": code in primary,
                          "waiting": entry.waiting if entry else 0, "wait_zh": wait["zh"], "wait_en": wait["en"],
                          "next": list(entry.next if entry else ())[:3]})
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
        """The newest ALERTS_SHOWN alerts, and a line for how many more (the box has a fixed size)."""
        lines = []
        for alert in self.alerts[:ALERTS_SHOWN]:
            text = alert.get("text") if isinstance(alert.get("text"), dict) else {}
            lines.append({"level": alert.get("level", "yellow"),
                          "zh": text.get("zh") or alert.get("message_zh") or str(alert.get("kind", "")),
                          "en": text.get("en") or alert.get("message") or ""})
        more = len(self.alerts) - ALERTS_SHOWN
        if more > 0:
            lines.append({"level": "more", "zh": f"另有{more}条提醒", "en": f"{more} more alert{'s' if more > 1 else ''}"})
        return lines

    def held_line(self) -> dict | None:
        """The tickets this window set aside today (held, no-show), from its retained state."""
        held = self.hall.held(self.window)
        if not held:
            return None
        shown, more = held[:HELD_SHOWN], len(held) - HELD_SHOWN
        zh = " ".join(t.number + ("(过号)" if t.status == "no_show" else "") for t in shown)
        en = " ".join(t.number + ("(no-show)" if t.status == "no_show" else "") for t in shown)
        if more > 0:
            zh, en = f"{zh} 等", f"{en} +{more}"
        return {"zh": f"本窗口挂起/过号 {len(held)} 个：{zh}", "en": f"Set aside here ({len(held)}): {en}",
                "numbers": [t.number for t in held]}

    def confirm_text(self, action: str) -> dict:
        """The question before an action that cannot be undone (弃号)."""
        number = self.current.number if self.current else ""
        return {"zh": f"确认 {number} 弃号？", "en": f"Mark {number} as a no-show?",
                "hint_zh": "未到窗口的群众可在今日内回呼", "hint_en": "It can still be called back today (回呼 F5)"}

    # --- what the dialogs offer ----------------------------------------------------------

    def transfer_targets(self) -> dict:
        """Categories other than the ticket's own, and the other windows (a closed one cannot take it)."""
        own = self.current.category if self.current else None
        codes = list(self.hall.queues) or list(self.hall.config.get("categories") or {})
        categories = [{"code": c, **self.hall.category_name(c)._asdict()} for c in codes if c != own]
        windows = []
        for number in self.hall.window_numbers():
            if number == self.window:
                continue
            status = self.hall.status(number)
            zh, en = STATUS_TEXT.get(status, (status, status))
            windows.append({"window": number, **self.hall.window_name(number)._asdict(), "enabled": status != "closed",
                            "status_zh": zh, "status_en": en.lower()})
        return {"categories": categories, "windows": windows}

    def number_suggestions(self, action: str) -> list[str]:
        """Quick picks: held / no-show numbers for 回呼, the next waiting numbers for 指定呼叫."""
        if action == "call_back":
            return sorted({ticket.number for ticket in self.hall.held()})[:8]
        picks = []
        for code in self.my_categories():
            entry = self.hall.category(code)
            for number in entry.next if entry else ():
                if number not in picks:
                    picks.append(number)
        return picks[:8]

    def prefixes(self) -> list[str]:
        return self.hall.prefixes()

    @staticmethod
    def outcomes() -> list[dict]:
        """办结's choices: {outcome, zh, en, needs} (needs: None, "materials" or "reasons")."""
        return [{"outcome": code, "zh": zh, "en": en, "needs": need} for code, zh, en, need in OUTCOME_CHOICES]

    def missing_materials(self) -> list[dict]:
        """What a 补正 may name: the materials of the items of the current ticket's category, once each."""
        category = self.current.category if self.current else None
        picks: dict[str, dict] = {}
        for item in (self.hall.config.get("items") or {}).values():
            if not isinstance(item, dict) or item.get("category") != category:
                continue
            for material in (item.get("guide") or {}).get("materials") or ():
                name = material.get("name") or {}
                if name.get("zh") and name["zh"] not in picks:
                    picks[name["zh"]] = {"zh": name["zh"], "en": name.get("en") or name["zh"],
                                         "material": name["zh"]}
        if not picks:
            return [{"zh": "申请材料不齐全", "en": "Materials incomplete", "material": "申请材料不齐全"}]
        return list(picks.values())[:MATERIALS_OFFERED]

    @staticmethod
    def refusal_reasons() -> list[dict]:
        return [{"zh": zh, "en": en, "reason": zh} for zh, en in REFUSAL_REASONS]

    @staticmethod
    def pause_reasons() -> list[dict]:
        return [{"zh": zh, "en": en, "reason": f"{zh} {en}"} for zh, en in PAUSE_REASONS]

"""The caller app's widgets: a thin layer between the presenter and Kivy.

Every decision is the presenter's (caller/presenter.py); this module turns
its views into label texts and enabled buttons and turns touches and F-keys
into its commands, which it sends over the HallLink. Nothing here reads
MQTT or decides anything about the queue.
"""
from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.core.window import Keyboard, Window
from kivy.lang import Builder
from kivy.metrics import dp, mm, sp
from kivy.properties import ColorProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView

from contract.hall import HallMirror

from .entry import BACKSPACE, CLEAR, ApplicationEntry, LoginEntry, NumberEntry
from .presenter import BY_KEY, BY_NAME, CallerPresenter

Builder.load_file(str(Path(__file__).with_name("caller.kv")))

TONES = {
    "call_next": (0.12, 0.42, 0.75, 1), "recall": (0.12, 0.42, 0.75, 1), "call_back": (0.20, 0.50, 0.78, 1),
    "call_specific": (0.20, 0.50, 0.78, 1), "start": (0.15, 0.55, 0.33, 1), "finish": (0.15, 0.55, 0.33, 1),
    "no_show": (0.85, 0.45, 0.10, 1), "hold": (0.85, 0.45, 0.10, 1), "transfer": (0.55, 0.40, 0.70, 1),
    "pause": (0.40, 0.45, 0.52, 1), "resume": (0.40, 0.45, 0.52, 1), "invite_rating": (0.70, 0.35, 0.45, 1),
}
OUTCOME_TONES = {"accepted": (0.15, 0.55, 0.33, 1), "on_the_spot": (0.15, 0.55, 0.33, 1),
                 "consultation": (0.20, 0.50, 0.78, 1), "supplement": (0.85, 0.45, 0.10, 1),
                 "refused": (0.75, 0.18, 0.16, 1)}
KEY_NAMES = {code: name for name, code in Keyboard.keycodes.items()}
MESSAGE_TONES = {"error": (0.75, 0.18, 0.16, 1), "info": (0.13, 0.50, 0.30, 1), None: (0.35, 0.38, 0.42, 1)}


class BigButton(ButtonBehavior, BoxLayout):
    zh = StringProperty("")
    en = StringProperty("")
    tone = ColorProperty((0.12, 0.42, 0.75, 1))
    ink = ColorProperty((1, 1, 1, 1))
    zh_size = NumericProperty(sp(21))
    action = StringProperty("")


class ChoiceDialog(ModalView):
    title = StringProperty("")


def keypad(keys, on_key, tone=(1, 1, 1, 1)) -> list[BigButton]:
    buttons = []
    for key in keys:
        button = BigButton(zh=key, tone=tone, ink=(0.13, 0.16, 0.20, 1), zh_size=sp(26))
        button.bind(on_release=lambda b, k=key: on_key(k))
        buttons.append(button)
    return buttons


class CallerScreen(FloatLayout):
    """The whole caller: login page, working page, dialogs, F-keys."""

    message_tone = ColorProperty(MESSAGE_TONES[None])
    dialog = ObjectProperty(None, allownone=True)
    action_buttons = ListProperty()

    def __init__(self, window: int, link, **kwargs):
        super().__init__(**kwargs)
        self.window = window
        self.link = link
        self.hall = HallMirror(link.topics)
        self.presenter = CallerPresenter(window, self.hall, link)
        self.presenter.changed = self.refresh
        self.login_entry = LoginEntry()
        link.on_message = self._on_message
        link.on_online = self._on_online
        for topic in self.presenter.subscriptions():
            link.subscribe(topic)
        self._build_actions()
        for button in keypad("123456789", self.key_login) + keypad([CLEAR, "0", BACKSPACE], self.key_login):
            self.ids.login_keypad.add_widget(button)
        Window.bind(on_keyboard=self._on_keyboard)
        self._ticker = Clock.schedule_interval(self._tick, 0.5)
        self.refresh()

    def close(self) -> None:
        """Stop the timers and key handling (tests mount several screens in one process)."""
        self._ticker.cancel()
        Window.unbind(on_keyboard=self._on_keyboard)
        if self.dialog:
            self.dialog.dismiss()

    def _build_actions(self) -> None:
        for view in self.presenter.buttons():
            if view["action"] == "logout":
                continue
            button = BigButton(zh=view["zh"], en=f"{view['en']} · {view['key']}", action=view["action"],
                               tone=TONES.get(view["action"], (0.3, 0.4, 0.5, 1)))
            button.bind(on_release=lambda b: self.press(b.action))
            self.ids.actions.add_widget(button)
            self.action_buttons.append(button)

    # --- from the link ----------------------------------------------------------------

    def _on_message(self, topic, data) -> None:
        self.presenter.on_message(topic, data)
        self.refresh()

    def _on_online(self, online: bool) -> None:
        self.presenter.set_online(online)
        self.refresh()

    def _tick(self, dt) -> None:
        self.link.check_online()
        self.presenter.tick()
        self._refresh_timer()

    def _send(self, outgoing) -> None:
        """The presenter sent it (or refused it); show the screen as it is now."""
        self.refresh()

    def give_up(self) -> None:
        self.presenter.give_up()

    # --- what the staff do ------------------------------------------------------------

    def press(self, action: str) -> None:
        """A button or an F-key: ask first if the action needs a choice, else send it."""
        if not self.presenter.enabled(action):
            self.presenter.explain(action)
            self.refresh()
            return
        kind = BY_NAME[action].dialog
        if kind == "confirm":
            self.open_confirm_dialog(action)
        elif kind == "number":
            self.open_number_dialog(action)
        elif kind == "transfer":
            self.open_transfer_dialog()
        elif kind == "reason":
            self.open_reason_dialog()
        elif kind == "outcome":
            self.open_outcome_dialog()
        elif kind == "application":
            self.open_application_dialog()
        else:
            self._send(self.presenter.command(action))

    def choose_field(self, field: str) -> None:
        self.login_entry.field = field
        self.refresh()

    def key_login(self, key: str) -> None:
        self.login_entry.press(key)
        self.refresh()

    def submit_login(self) -> None:
        outgoing = self.presenter.login(self.login_entry.staff_id, self.login_entry.pin)
        self.login_entry.pin = ""
        self._send(outgoing)

    def _on_keyboard(self, window, key, scancode, codepoint, modifiers) -> bool:
        name = KEY_NAMES.get(key, "")
        if self.dialog is not None:
            return self.dialog.on_key(name, codepoint)
        if name == "escape" and self.presenter.can_give_up:
            self.give_up()
            return True
        if not self.presenter.logged_in:
            if name in ("enter", "numpadenter"):
                self.submit_login()
            elif name == "tab":
                self.login_entry.next_field()
            elif name == "backspace":
                self.login_entry.press(BACKSPACE)
            elif codepoint and codepoint.isascii() and codepoint.isalnum():
                self.login_entry.press(codepoint)
            else:
                return False
            self.refresh()
            return True
        shortcut = f"Ctrl+{name.upper()}" if name in ("q", "l") and "ctrl" in modifiers else name.upper()
        action = BY_KEY.get(shortcut)
        if action:
            self.press(action)
            return True
        return False

    # --- dialogs ------------------------------------------------------------------------

    def _dialog(self, title: str) -> ChoiceDialog:
        dialog = ChoiceDialog(title=title)
        dialog.on_key = lambda name, codepoint: (dialog.dismiss() or True) if name == "escape" else False
        dialog.bind(on_dismiss=lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        return dialog

    def _choice(self, zh: str, en: str, on_pick, tone=(0.12, 0.42, 0.75, 1), enabled=True,
                zh_size=None) -> BigButton:
        button = BigButton(zh=zh, en=en, tone=tone, zh_size=zh_size or sp(19), disabled=not enabled)
        button.bind(on_release=lambda b: on_pick())
        return button

    def _pick(self, action: str, **fields) -> None:
        if self.dialog:
            self.dialog.dismiss()
        self._send(self.presenter.command(action, **fields))

    def open_number_dialog(self, action: str) -> None:
        words = BY_NAME[action]
        dialog = self._dialog(f"{words.zh} {words.en} — 输入号码 Enter the number")
        entry = NumberEntry()
        left = BoxLayout(orientation="vertical", spacing=dp(8), size_hint_x=0.55)
        shown = Label(text="", font_size=sp(48), bold=True, color=(0.09, 0.27, 0.45, 1), size_hint_y=None,
                      height=mm(16))
        left.add_widget(shown)
        picks = self.presenter.number_suggestions(action)
        hint = "挂起或过号的号码 Held or no-show" if action == "call_back" else "下一位 Next waiting"
        left.add_widget(Label(text=hint if picks else "（无）None to suggest — type it", font_size=sp(14),
                              color=(0.38, 0.42, 0.48, 1), size_hint_y=None, height=dp(22)))
        pick_grid = GridLayout(cols=4, spacing=dp(6), row_force_default=True, row_default_height=mm(15))
        for number in picks:
            pick_grid.add_widget(self._choice(number, "", lambda n=number: self._pick(action, number=n)))
        left.add_widget(pick_grid)
        prefixes = self.presenter.prefixes()
        rows = max(1, -(-len(prefixes) // 7))
        letters = GridLayout(cols=7, spacing=dp(6), size_hint_y=None, height=rows * mm(15) + (rows - 1) * dp(6),
                             row_force_default=True, row_default_height=mm(15))

        def key(k: str) -> None:
            shown.text = entry.press(k)
            confirm.disabled = entry.value is None

        for button in keypad(prefixes, key, tone=(0.86, 0.91, 0.97, 1)):
            letters.add_widget(button)
        left.add_widget(letters)
        right = BoxLayout(orientation="vertical", spacing=dp(8), size_hint_x=0.45)
        digits = GridLayout(cols=3, spacing=dp(6))
        for button in keypad("123456789", key) + keypad([CLEAR, "0", BACKSPACE], key):
            digits.add_widget(button)
        right.add_widget(digits)
        confirm = self._choice("确定", "OK · Enter", lambda: self._pick(action, number=entry.value or ""),
                               tone=(0.15, 0.55, 0.33, 1), enabled=False)
        confirm.size_hint_y = None
        confirm.height = mm(15)
        right.add_widget(confirm)
        dialog.ids.body.add_widget(left)
        dialog.ids.body.add_widget(right)

        def on_key(name, codepoint):
            if name == "escape":
                dialog.dismiss()
            elif name in ("enter", "numpadenter") and entry.value:
                self._pick(action, number=entry.value)
            elif name == "backspace":
                key(BACKSPACE)
            elif codepoint and codepoint.isascii() and codepoint.isalnum():
                key(codepoint.upper())
            else:
                return False
            return True

        dialog.on_key = on_key
        dialog.entry, dialog.shown = entry, shown
        dialog.open()

    def open_transfer_dialog(self) -> None:
        """Categories on top, then the windows: each list scrolls when a large hall has more than fit."""
        number = self.presenter.current.number if self.presenter.current else ""
        dialog = self._dialog(f"转移 {number} Transfer")
        dialog.ids.body.orientation = "vertical"
        targets = self.presenter.transfer_targets()
        categories = [self._choice(t["zh"], t["en"], lambda c=t["code"]: self._pick("transfer", category=c),
                                   tone=(0.55, 0.40, 0.70, 1)) for t in targets["categories"]]
        windows = [self._choice(f"{t['zh']} · {t['status_zh']}", f"{t['en']} · {t['status_en']}",
                                lambda w=t["window"]: self._pick("transfer", to_window=w),
                                tone=(0.20, 0.50, 0.78, 1), enabled=t["enabled"], zh_size=sp(17))
                   for t in targets["windows"]]
        for title, buttons, cols, rows in (("转到业务 To a category", categories, 4, 2),
                                           ("转到窗口 To a window", windows, 3, None)):
            more = len(buttons) > cols * rows if rows else True
            caption = Label(text=title + ("（上下滑动查看更多 · scroll for more）" if more and len(buttons) > cols else ""),
                            font_size=sp(16), bold=True, color=(0.13, 0.16, 0.20, 1), size_hint_y=None,
                            height=dp(24), halign="left", valign="middle")
            caption.bind(size=lambda w, size: setattr(w, "text_size", size))
            dialog.ids.body.add_widget(caption)
            grid = GridLayout(cols=cols, spacing=dp(6), size_hint_y=None, row_force_default=True,
                              row_default_height=mm(15))
            grid.bind(minimum_height=grid.setter("height"))
            for button in buttons:
                grid.add_widget(button)
            scroll = ScrollView(do_scroll_x=False, bar_width=dp(8), scroll_type=["bars", "content"])
            if rows:
                shown = min(rows, max(1, -(-len(buttons) // cols)))
                scroll.size_hint_y, scroll.height = None, shown * mm(15) + (shown - 1) * dp(6)
            scroll.add_widget(grid)
            dialog.ids.body.add_widget(scroll)
        dialog.open()

    def open_confirm_dialog(self, action: str) -> None:
        """弃号 cannot be undone at this window: ask first (Enter confirms, Esc cancels)."""
        words = BY_NAME[action]
        text = self.presenter.confirm_text(action)
        dialog = self._dialog(f"{words.zh} {words.en}")
        dialog.size_hint = (0.7, 0.6)
        dialog.ids.body.orientation = "vertical"
        for line, size in ((text["zh"], sp(26)), (text["en"], sp(18)),
                           (f"{text['hint_zh']} · {text['hint_en']}", sp(14))):
            dialog.ids.body.add_widget(Label(text=line, font_size=size, color=(0.13, 0.16, 0.20, 1)))
        confirm = self._choice("确定弃号", "Confirm · Enter", lambda: self._pick(action),
                               tone=TONES.get(action, (0.85, 0.45, 0.10, 1)))
        confirm.size_hint_y, confirm.height = None, mm(15)
        dialog.ids.body.add_widget(confirm)
        dialog.confirm = confirm

        def on_key(name, codepoint):
            if name == "escape":
                dialog.dismiss()
            elif name in ("enter", "numpadenter"):
                self._pick(action)
            else:
                return False
            return True

        dialog.on_key = on_key
        dialog.open()

    def open_reason_dialog(self) -> None:
        dialog = self._dialog("暂停服务 Pause — 选择原因 choose a reason")
        grid = GridLayout(cols=3, spacing=dp(10))
        for reason in self.presenter.pause_reasons():
            grid.add_widget(self._choice(reason["zh"], reason["en"],
                                         lambda r=reason["reason"]: self._pick("pause", reason=r),
                                         tone=(0.40, 0.45, 0.52, 1)))
        dialog.ids.body.add_widget(grid)
        dialog.open()

    def open_outcome_dialog(self) -> None:
        """办结: one touch on the outcome (Enter: 受理); 补正 and 不予受理 then ask which materials or why."""
        number = self.presenter.current.number if self.presenter.current else ""
        dialog = self._dialog(f"办结 {number} Finish — 办理结果 the outcome")
        grid = GridLayout(cols=3, spacing=dp(10))
        for choice in self.presenter.outcomes():
            if choice["needs"] is None:
                pick = (lambda o=choice["outcome"]: self._pick("finish", outcome=o))
            else:
                pick = (lambda c=choice: self.open_outcome_detail(c))
            grid.add_widget(self._choice(choice["zh"], choice["en"], pick, tone=OUTCOME_TONES[choice["outcome"]]))
        dialog.ids.body.add_widget(grid)
        accept = dialog.on_key
        dialog.on_key = lambda name, codepoint: (self._pick("finish", outcome="accepted") or True) \
            if name in ("enter", "numpadenter") else accept(name, codepoint)
        dialog.open()

    def open_application_dialog(self) -> None:
        """关联办件: the number the business system gave this service, typed on the keypad, the keyboard
        or by a barcode scanner (which types it and presses Enter)."""
        current = self.presenter.current
        number = current.number if current else ""
        dialog = self._dialog(f"关联办件 {number} Link application — 输入办件编号 Enter its number")
        entry = ApplicationEntry()
        left = BoxLayout(orientation="vertical", spacing=dp(8), size_hint_x=0.55)
        shown = Label(text="", font_size=sp(32), bold=True, color=(0.09, 0.27, 0.45, 1), size_hint_y=None,
                      height=mm(16))
        left.add_widget(shown)
        left.add_widget(Label(text="扫码或输入受理单上的办件编号 Scan or type the number on the receipt",
                              font_size=sp(14), color=(0.38, 0.42, 0.48, 1), size_hint_y=None, height=dp(22)))
        right = BoxLayout(orientation="vertical", spacing=dp(8), size_hint_x=0.45)
        digits = GridLayout(cols=3, spacing=dp(6))

        def key(k: str) -> None:
            shown.text = entry.press(k)
            confirm.disabled = entry.value is None

        for button in keypad("123456789", key) + keypad([CLEAR, "0", BACKSPACE], key):
            digits.add_widget(button)
        right.add_widget(digits)
        confirm = self._choice("确定", "OK · Enter", lambda: self._pick("application_link",
                                                                       application_no=entry.value or ""),
                               tone=(0.15, 0.55, 0.33, 1), enabled=False)
        confirm.size_hint_y = None
        confirm.height = mm(15)
        right.add_widget(confirm)
        dialog.ids.body.add_widget(left)
        dialog.ids.body.add_widget(right)
        escape = dialog.on_key

        def typed(name: str, codepoint) -> bool:
            if name in ("enter", "numpadenter"):
                if entry.value is not None:
                    self._pick("application_link", application_no=entry.value)
                return True
            if name == "backspace":
                key(BACKSPACE)
                return True
            if codepoint and len(codepoint) == 1 and codepoint.isascii() and (codepoint.isalnum() or codepoint == "-"):
                key(codepoint)
                return True
            return escape(name, codepoint)

        dialog.on_key = typed
        dialog.entry, dialog.shown = entry, shown
        dialog.open()

    def open_outcome_detail(self, choice: dict) -> None:
        """补正: the missing materials; 不予受理: the reasons — touched on and off, then 确定."""
        if self.dialog:
            self.dialog.dismiss()
        materials = choice["needs"] == "materials"
        picks = self.presenter.missing_materials() if materials else self.presenter.refusal_reasons()
        what = ("缺少的材料 the missing materials", "material") if materials else ("理由 the reasons", "reason")
        dialog = self._dialog(f"{choice['zh']} {choice['en']} — 选择{what[0]}")
        chosen: list[str] = []
        grid = GridLayout(cols=3, spacing=dp(8))
        tone, on = OUTCOME_TONES[choice["outcome"]], (0.13, 0.16, 0.20, 1)

        def toggle(button, value):
            if value in chosen:
                chosen.remove(value)
            else:
                chosen.append(value)
            button.tone = on if value in chosen else tone

        for pick in picks:
            button = self._choice(pick["zh"], pick["en"], lambda: None, tone=tone)
            button.bind(on_release=lambda b, v=pick[what[1]]: toggle(b, v))
            grid.add_widget(button)
        fields = "materials" if materials else "reasons"
        grid.add_widget(self._choice("确定", "Confirm", lambda: self._pick("finish", outcome=choice["outcome"],
                                                                          **{fields: list(chosen)}),
                                     tone=(0.15, 0.55, 0.33, 1)))
        dialog.ids.body.add_widget(grid)
        dialog.open()

    # --- the presenter's views onto the widgets ---------------------------------------------

    def refresh(self) -> None:
        p, ids = self.presenter, self.ids
        header = p.header()
        ids.window_name.text = f"{header['window_zh']}  {header['window_en']}"
        status = f"{header['status_zh']} {header['status_en']}"
        if header["staff"]:
            status = f"{header['staff']} · {status}"
        if header["tidal"]:
            status += " · 潮汐窗口 tidal"
        ids.status.text = status
        ids.online.text = f"● {header['online_zh']} {header['online_en']}"
        ids.online.color = (0.55, 0.95, 0.6, 1) if header["online"] else (1, 0.55, 0.5, 1)
        ids.logout.disabled = not p.enabled("logout")
        ids.logout.opacity = 1 if p.logged_in else 0
        ids.pages.current = "work" if p.logged_in else "login"
        entry = self.login_entry
        ids.staff_field.zh = f"工号  {entry.staff_id}" if entry.staff_id else "工号"
        ids.pin_field.zh = f"密码  {entry.pin_shown}" if entry.pin else "密码"
        for field, widget in (("staff_id", ids.staff_field), ("pin", ids.pin_field)):
            widget.tone = (0.86, 0.91, 0.97, 1) if entry.field == field else (1, 1, 1, 1)
        ids.login_button.disabled = not p.can_log_in
        ids.give_up.disabled = not p.can_give_up
        ids.give_up.opacity = 1 if p.can_give_up else 0
        for button in self.action_buttons:
            button.disabled = not p.enabled(button.action)
            why = p.why_disabled(button.action)
            button.en = f"{why['zh']} {why['en']}" if why else f"{BY_NAME[button.action].en} · {BY_NAME[button.action].key}"
        ticket = p.ticket()
        ids.number.text = ticket["number"]
        ids.category.text = f"{ticket['category_zh']}  {ticket['category_en']}"
        ids.ticket_status.text = f"{ticket['status_zh']}  {ticket['status_en']}".strip()
        ids.timer.text = ticket["timer"]
        queue = p.queue_view()
        ids.waiting.text = f"本窗口等候 {p.waiting_total()} 人 · Waiting: {p.waiting_total()}"
        ids.queue_lines.clear_widgets()
        for line in queue["lines"]:
            helper = "" if line["primary"] else "·协办"
            ids.queue_lines.add_widget(QueueLine(
                zh=f"{line['zh']}{helper}  {line['waiting']}人 · {line['wait_zh']}",
                en=f"{line['en']}: {line['waiting']} waiting · {line['wait_en']}",
                next=f"下一位 Next: {' '.join(line['next']) or '—'}"))
        if queue["others"]:
            ids.queue_lines.add_widget(QueueLine(zh=queue["others"]["zh"], en=queue["others"]["en"]))
        stats = p.stats_line()
        ids.stats.text = f"{stats['zh']}\n{stats['en']}"
        ids.alerts.clear_widgets()
        for alert in p.alert_lines():
            ids.alerts.add_widget(_alert_line(alert))
        held = p.held_line()
        ids.held.text = f"{held['zh']}\n{held['en']}" if held else ""
        message = p.message
        why = p.why_disabled("call_next")
        self.message_tone = MESSAGE_TONES[message["kind"] if message else None]
        if message:
            ids.message.text = f"{message['zh']}    {message['en']}"
        elif p.busy:
            ids.message.text = "正在发送… Sending…"
        elif why:
            ids.message.text = (f"{why['zh']}，有人取号后可呼叫下一位    {why['en']}: "
                                "Call next comes back when someone takes a ticket")
        else:
            ids.message.text = "F1 呼叫下一位 · F2 重呼 · F7 开始 · F8 办结 — F1 call next · F2 recall · F7 start · F8 finish"

    def _refresh_timer(self) -> None:
        self.ids.timer.text = self.presenter.ticket()["timer"]
        self.ids.clock.text = self.hall.hall_time().strftime("%H:%M")


class QueueLine(BoxLayout):
    zh = StringProperty("")
    en = StringProperty("")
    next = StringProperty("")


class AlertLine(BoxLayout):
    tone = ColorProperty((1, 0.90, 0.60, 1))
    zh = StringProperty("")
    en = StringProperty("")


ALERT_TONES = {"red": (1, 0.80, 0.78, 1), "more": (0.90, 0.91, 0.93, 1)}


def _alert_line(alert: dict) -> AlertLine:
    line = AlertLine(zh=alert["zh"], en=alert["en"], tone=ALERT_TONES.get(alert["level"], (1, 0.90, 0.60, 1)))
    if alert["level"] == "more":
        line.height = dp(40)
    return line

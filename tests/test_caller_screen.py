"""The caller app rendered off-screen against a real controller and Mosquitto, driven by touches.

What is asserted is what staff see (labels, enabled buttons, the message line) and what
crosses the wire (the controller's retained window state and its events).
"""
from __future__ import annotations

# first: it prepares Kivy (off-screen) before anything imports kivy; `mount` is a fixture
from tests.support.screens import SHOTS, link_for, mount, texts  # noqa: F401  # isort: skip
from kivy.core.window import Window

from caller.app import CallerScreen
from controller.store import Store
from testbed.controller import PIN, staffed_window
from testbed.screens import find, settle, snapshot, tap
from tests.support.hall import Inbox

SIZE = (1024, 600)  # a 7-inch window terminal


def button(screen, action):
    return next(b for b in screen.action_buttons if b.action == action)


def key(root, label):
    return find(root, lambda w: getattr(w, "zh", None) == label and hasattr(w, "tone"))


def login(screen, staff_id="1003", pin=PIN):
    tap(screen.ids.staff_field)
    for char in staff_id:
        tap(key(screen.ids.login_keypad, char))
    tap(screen.ids.pin_field)
    for char in pin:
        tap(key(screen.ids.login_keypad, char))
    tap(screen.ids.login_button)
    settle(until=lambda: screen.presenter.logged_in)


def enabled(screen) -> set[str]:
    return {b.action for b in screen.action_buttons if not b.disabled}


def assert_touch_targets(root) -> int:
    """Every button a finger may press is at least 15 mm each way; returns how many there are."""
    from kivy.metrics import mm

    from caller.app import BigButton

    buttons = [w for w in root.walk(restrict=False) if isinstance(w, BigButton) and w.opacity]
    for b in buttons:
        assert b.width >= mm(15) - 0.5 and b.height >= mm(15) - 0.5, (b.zh, b.size)
    return len(buttons)


def test_login_call_serve_and_finish_by_touch(controller, kiosk, mount):
    for _ in range(4):
        assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    inbox = Inbox()
    watcher = controller.device("display-watch", deliver=inbox, watch=(controller.service.topics.event("called"),))
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    settle(until=lambda: screen.presenter.hall.config and screen.presenter.hall.queues)
    assert screen.ids.pages.current == "login"
    tap(screen.ids.staff_field)
    for char in "1003":
        tap(key(screen.ids.login_keypad, char))
    tap(screen.ids.pin_field)
    for char in PIN:
        tap(key(screen.ids.login_keypad, char))
    assert screen.ids.pin_field.zh == "密码  ●●●●"  # the PIN is never shown
    assert assert_touch_targets(screen.ids.pages.get_screen("login")) == 15
    snapshot(SHOTS / "caller-login.png")
    tap(screen.ids.login_button)
    settle(until=lambda: screen.ids.pages.current == "work")
    assert "刘*燕 (1003)" in screen.ids.status.text
    assert enabled(screen) == {"call_next", "call_specific", "call_back", "pause"}

    tap(button(screen, "call_next"))
    settle(until=lambda: screen.ids.number.text == "B001")
    _, called = inbox.wait_for(lambda t, d: t.endswith("/event/called") and d["number"] == "B001")
    assert called["window"] == 3 and called["text"]["zh"] == "请B001号到3号窗口办理"
    assert enabled(screen) >= {"recall", "no_show", "start", "hold", "finish", "transfer"}
    assert "pause" not in enabled(screen) and "resume" not in enabled(screen)
    assert "呼叫中 · 第1次" in screen.ids.ticket_status.text
    assert assert_touch_targets(screen) == 14  # thirteen actions and 退出登录
    assert "B002" in texts(screen.ids.queue_lines)  # the next tickets of its categories
    assert "本窗口等候 3 人" in screen.ids.waiting.text

    tap(button(screen, "recall"))
    settle(until=lambda: "第2次" in screen.ids.ticket_status.text)
    inbox.wait_for(lambda t, d: t.endswith("/event/called") and d["times_called"] == 2)
    tap(button(screen, "start"))
    settle(until=lambda: "办理中" in screen.ids.ticket_status.text)
    assert "start" not in enabled(screen) and "recall" not in enabled(screen)
    settle(until=lambda: ":" in screen.ids.timer.text)  # the service timer runs
    snapshot(SHOTS / "caller-serving.png")
    tap(button(screen, "finish"))  # one touch more: the outcome
    settle(until=lambda: screen.dialog is not None)
    assert {"受理", "补正", "不予受理", "即办", "咨询"} <= set(texts(screen.dialog).split())
    tap(key(screen.dialog, "受理"))
    settle(until=lambda: "今日办结 1 件" in screen.ids.stats.text)
    assert screen.ids.number.text == "—"
    assert controller.service.engine.tickets[f"{controller.service.engine.day}-B001"].status == "done"
    watcher.stop()


def test_failed_action_shows_the_controllers_reason(controller, kiosk, mount):
    assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    login(screen)
    tap(button(screen, "call_specific"))
    settle(until=lambda: screen.dialog is not None)
    dialog = screen.dialog
    assert "B001" in texts(dialog)  # the next waiting number is offered
    for label in ("B", "0", "9", "9"):
        tap(key(dialog, label))
    assert dialog.shown.text == "B099"
    assert assert_touch_targets(dialog) >= 20  # picks, letters, digits, OK, cancel
    snapshot(SHOTS / "caller-number-dialog.png")
    tap(key(dialog, "确定"))
    settle(until=lambda: screen.presenter.message and screen.presenter.message["kind"] == "error")
    assert screen.dialog is None
    message = screen.ids.message.text
    assert "指定呼叫失败：今天没有B099号" in message and "Call a number failed: no ticket B099 today" in message
    snapshot(SHOTS / "caller-error.png")


def test_transfer_pause_and_keyboard_shortcuts(controller, kiosk, mount):
    for _ in range(2):
        assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    staffed_window(controller, 4)  # staff 1003
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    login(screen, "1007")
    Window.dispatch("on_keyboard", 282, 0, None, [])  # F1: call next
    settle(until=lambda: screen.ids.number.text == "B001")

    tap(button(screen, "transfer"))
    settle(until=lambda: screen.dialog is not None)
    shown = texts(screen.dialog)
    assert "税务" in shown and "4号窗口 · 空闲" in shown and "社保医保" not in shown  # not to its own category
    closed = find(screen.dialog, lambda w: getattr(w, "zh", "") == "5号窗口 · 未登录")
    assert closed.disabled and closed.en == "Window 5 · logged out"  # nobody there to take it; in both languages
    assert assert_touch_targets(screen.dialog) == 17  # 5 categories, 11 windows, cancel
    snapshot(SHOTS / "caller-transfer-dialog.png")
    tap(find(screen.dialog, lambda w: getattr(w, "zh", "") == "4号窗口 · 空闲"))
    settle(until=lambda: screen.ids.number.text == "—")
    ticket = controller.service.engine.tickets[f"{controller.service.engine.day}-B001"]
    assert ticket.status == "waiting" and ticket.target_window == 4

    Window.dispatch("on_keyboard", 291, 0, None, [])  # F10: pause asks for a reason
    settle(until=lambda: screen.dialog is not None)
    snapshot(SHOTS / "caller-pause-dialog.png")
    tap(find(screen.dialog, lambda w: getattr(w, "zh", "") == "会议"))
    settle(until=lambda: screen.presenter.status == "paused")
    assert controller.service.engine.windows[3].pause_reason == "会议 Meeting"
    assert enabled(screen) == {"resume"}
    Window.dispatch("on_keyboard", 282, 0, None, [])  # F1 does nothing while paused
    settle(4)
    assert screen.presenter.busy is None and screen.presenter.status == "paused"
    Window.dispatch("on_keyboard", 292, 0, None, [])  # F11: resume
    settle(until=lambda: screen.presenter.status == "open")


def test_alerts_about_its_own_window_are_shown(controller, kiosk, mount):
    """A 差评 of window 3 raises a real alert (event/alert); window 3's caller shows it."""
    issued = kiosk.request("issue_ticket", {"category": "social"})
    assert issued["ok"]
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    login(screen)
    tap(button(screen, "call_next"))
    settle(until=lambda: screen.ids.number.text == "B001")
    tap(button(screen, "finish"))
    settle(until=lambda: screen.dialog is not None)
    Window.dispatch("on_keyboard", 13, 0, None, [])  # Enter: 受理
    settle(until=lambda: screen.ids.number.text == "—")
    reply = kiosk.request("rate", {"rating_token": issued["result"]["ticket"]["rating_token"], "level": 1,
                                   "reasons": ["slow"]})
    assert reply["ok"], reply
    settle(until=lambda: screen.presenter.alerts)
    assert "B001" in texts(screen.ids.alerts)
    figures = screen.ids.stats
    for line in screen.ids.alerts.children:  # the alert box is beside the figures, never over them
        x, y = line.to_window(line.x, line.y)
        fx, fy = figures.to_window(figures.x, figures.y)
        assert x + line.width <= fx or fx + figures.width <= x or y + line.height <= fy or fy + figures.height <= y
    snapshot(SHOTS / "caller-alert.png")
    admin = controller.device("admin-test")
    followup = reply["result"]["rating"]["followup_id"]
    assert admin.request("followup_update", {"followup_id": followup, "status": "visited", "note": "电话回访"})["ok"]
    settle(4)
    assert "B001" in screen.ids.alerts.children[0].zh  # still open
    assert admin.request("followup_update", {"followup_id": followup, "status": "closed", "note": "已解释",
                                             "verdict": "satisfied"})["ok"]
    settle(until=lambda: not screen.ids.alerts.children)


def test_no_show_asks_first_and_held_tickets_and_invite_rating_survive_a_restart(controller, kiosk, mount):
    for _ in range(2):
        assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    login(screen)
    tap(button(screen, "call_next"))
    settle(until=lambda: screen.ids.number.text == "B001")
    tap(button(screen, "no_show"))
    settle(until=lambda: screen.dialog is not None)
    assert "确认 B001 弃号？" in texts(screen.dialog) and "Mark B001 as a no-show?" in texts(screen.dialog)
    snapshot(SHOTS / "caller-no-show-confirm.png")
    day = controller.service.engine.day
    assert controller.service.engine.tickets[f"{day}-B001"].status == "called"  # nothing sent yet
    Window.dispatch("on_keyboard", 13, 0, None, [])  # Enter confirms
    settle(until=lambda: "B001(过号)" in screen.ids.held.text)
    assert controller.service.engine.tickets[f"{day}-B001"].status == "no_show"
    # the held list may show before the no-show's reply, and till then every button is disabled
    settle(until=lambda: not button(screen, "call_next").disabled)
    tap(button(screen, "call_next"))
    settle(until=lambda: screen.ids.number.text == "B002")
    tap(button(screen, "finish"))  # one touch more: the outcome
    settle(until=lambda: screen.dialog is not None)
    tap(key(screen.dialog, "受理"))
    settle(until=lambda: screen.ids.number.text == "—" and not screen.presenter.busy)
    assert "call_next" not in enabled(screen)  # nobody waits any more: said on the button and the line
    assert button(screen, "call_next").en == "本窗口暂无等候 Nobody waiting here"
    Window.dispatch("on_keyboard", 282, 0, None, [])  # F1 anyway: the line says why, nothing is sent
    assert screen.ids.message.text == "呼叫下一位：本窗口暂无等候    Call next: Nobody waiting here"
    assert screen.presenter.busy is None
    screen.close()
    Window.remove_widget(screen)
    screen.link.stop()

    again = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)  # the caller restarted
    settle(until=lambda: again.presenter.logged_in and "B001(过号)" in again.ids.held.text, timeout=10)
    assert "invite_rating" in enabled(again)
    tap(button(again, "invite_rating"))
    settle(until=lambda: again.presenter.message and "B002" in again.presenter.message["zh"])
    assert again.presenter.message["zh"] == "已邀请评价 B002"


def test_broker_loss_disables_buttons_and_says_so(controller, kiosk, mount):
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    login(screen)
    assert "在线" in screen.ids.online.text
    controller.service.stop()
    controller.thread.join(10)
    settle(until=lambda: "离线" in screen.ids.online.text, timeout=10)
    assert enabled(screen) == set()


def test_f1_calls_the_next_ticket_and_never_opens_kivys_settings_panel(controller, kiosk):
    """The caller as `main.py caller` runs it — inside its App, whose F1 Kivy would take for its own
    settings panel (full screen, FPS, logging) — pressed as SDL delivers a key: F1 calls over the broker."""
    from kivy.app import App
    from kivy.uix.settings import Settings

    from appkit.runner import ScreenApp

    assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    link = link_for(controller, "window-3")
    app = ScreenApp("caller", lambda: CallerScreen(3, link), link=link)
    Window.size = SIZE
    app._run_prepare()  # what App.run() does before its loop: build, show, bind Kivy's keys
    screen = app.root
    try:
        settle(until=lambda: link.online, timeout=10)
        login(screen)
        for code in (282, 27):  # F1, and Escape (which would close a settings panel, or the app)
            if not Window.dispatch("on_key_down", code, 0, None, []):
                Window.dispatch("on_keyboard", code, 0, None, [])
        settle(until=lambda: screen.ids.number.text == "B001")
        assert app.open_settings() is False and app._app_settings is None
        assert not any(isinstance(w, Settings) for w in Window.children for w in w.walk())
        window = controller.service.engine.windows[3]
        assert controller.service.engine.tickets[window.current].number == "B001"
    finally:
        screen.close()
        Window.remove_widget(screen)
        link.stop()
        App._running_app = None
        settle(2)


def test_finish_with_a_supplement_names_the_missing_materials(controller, kiosk, mount):
    """办结 → 补正 → the materials touched on (and one off again) → 确定: the ledger has the list."""
    assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    login(screen)
    tap(button(screen, "call_next"))
    settle(until=lambda: screen.ids.number.text == "B001")
    tap(button(screen, "finish"))
    settle(until=lambda: screen.dialog is not None)
    tap(key(screen.dialog, "补正"))
    settle(until=lambda: screen.dialog is not None and "确定" in texts(screen.dialog))
    dialog = screen.dialog
    offered = [m["zh"] for m in screen.presenter.missing_materials()]
    assert len(offered) >= 2 and all(name in texts(dialog) for name in offered[:2])
    assert assert_touch_targets(dialog) >= 3
    for name in (offered[0], offered[1], offered[0]):  # the first touched on and off again
        tap(key(dialog, name))
    snapshot(SHOTS / "caller-outcome-supplement.png")
    tap(key(dialog, "确定"))
    settle(until=lambda: screen.ids.number.text == "—")
    assert "已办结 B001 · 补正" in screen.ids.message.text and "Materials missing" in screen.ids.message.text
    store = Store(str(controller.db))
    try:
        finished = store.ledger("kind = 'ticket_finished'")
    finally:
        store.close()
    assert [(r["data"]["outcome"], r["data"]["materials"]) for r in finished] == [("supplement", [offered[1]])]


def test_the_window_links_an_application_number_to_the_ticket_it_serves(controller, kiosk, mount):
    assert kiosk.request("issue_ticket", {"item": "B04"})["ok"]  # 退休待遇申领: 10 working days
    screen = mount(CallerScreen(3, link_for(controller, "window-3")), SIZE)
    login(screen)
    tap(button(screen, "call_next"))
    settle(until=lambda: screen.ids.number.text == "B001")
    Window.dispatch("on_keyboard", 108, 0, "l", ["ctrl"])  # Ctrl+L: 关联办件
    settle(until=lambda: screen.dialog is not None)
    dialog = screen.dialog
    for char in "sq":  # a scanner or the keyboard types the letters
        Window.dispatch("on_keyboard", ord(char), 0, char, [])
    for label in "2026001":
        tap(key(dialog, label))
    assert dialog.shown.text == "SQ2026001"
    assert assert_touch_targets(dialog) >= 13  # digits, 清除, 退格, OK, cancel
    snapshot(SHOTS / "caller-application-dialog.png")
    tap(key(dialog, "确定"))
    settle(until=lambda: screen.presenter.message and "已关联办件" in screen.presenter.message["zh"])
    assert "承诺" in screen.ids.message.text and "Linked application SQ2026001" in screen.ids.message.text
    row = controller.service.store.record("applications", "SQ2026001")
    assert row["item"] == "B04" and row["window"] == 3 and row["staff_id"] == "1003" and row["limit_days"] == 10

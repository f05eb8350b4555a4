"""The kiosk and the evaluator rendered off-screen against a real controller and Mosquitto.

Driven by simulated touches (testbed.screens.tap) on what is on screen; what is
asserted is what a citizen reads there, what the virtual printer on its pty
pair received, and what crossed the wire.
"""
from __future__ import annotations

import copy

import pytest

from tests.support.kiosk_app import start, stop  # first: it prepares Kivy off-screen

from kivy.core.window import Window  # noqa: E402
from kivy.uix.behaviors import ButtonBehavior  # noqa: E402
from kivy.uix.scrollview import ScrollView  # noqa: E402

from firmware_bridge.virtual.printer import VirtualPrinter  # noqa: E402
from kiosk.ui.app import EvaluatorApp, KioskApp  # noqa: E402
from testbed.broker import PrivateBroker  # noqa: E402
from testbed.controller import RunningController, staffed_window  # noqa: E402
from testbed.screens import find, settle, tap  # noqa: E402
from tests.support.hall import Inbox  # noqa: E402

pytest_plugins = ("tests.support.bridge_fixtures",)  # printer_bridge: `main.py bridge` with a printer twin


def shown(root, text: str):
    """The widget on the current screen showing `text` (in either language), or None."""
    return find(root, lambda w: text in str(getattr(w, "text", "")) and getattr(w, "opacity", 1) > 0)


def touch(app, text: str) -> None:
    """Tap the button that says `text`."""
    widget = find(app.root, lambda w: isinstance(w, ButtonBehavior) and text in str(getattr(w, "text", ""))
                  and w.opacity > 0 and not w.disabled)
    assert widget is not None, f"no button saying {text!r} on screen {app.root.current}"
    view = _scroll_view_of(widget)
    if view is not None:  # scrolled out of sight: scrolled to first, as a finger would
        view.scroll_to(widget, animate=False)
        settle(2)
    tap(widget)
    settle(2)


def _scroll_view_of(widget):
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            return parent
        parent = parent.parent
    return None


def screen_text(app) -> str:
    return "\n".join(str(getattr(w, "text", "")) for w in app.root.current_screen.walk(restrict=True))


@pytest.fixture
def printer(tmp_path):
    virtual = VirtualPrinter().start_on_pty(tmp_path / "printer")
    yield virtual
    virtual.stop()


@pytest.fixture
def kiosk_app(controller, printer):
    app = start(KioskApp(name="K1", hall=controller.hall, host="127.0.0.1", port=controller.broker.port,
                         printer=f"serial:{printer.device}"))
    settle(until=lambda: app.root.current == "home" and shown(app.root, "社保医保"), timeout=15)
    yield app
    stop(app)


def test_take_a_ticket_by_touch_and_get_it_printed(controller, kiosk_app, printer):
    touch(kiosk_app, "社保医保")
    assert kiosk_app.root.current == "group"
    assert shown(kiosk_app.root, "绿色通道") and shown(kiosk_app.root, "优先取号")
    touch(kiosk_app, "普通取号")
    settle(until=lambda: kiosk_app.root.current == "ticket", timeout=10)
    screen = kiosk_app.root.current_screen
    assert screen.ids.number.text == "B001"
    assert controller.service.engine.by_number["B001"].category == "social"  # the number is the controller's
    assert "前面还有 0 人" in screen.ids.ahead.text and "3号窗口、4号窗口" in screen.ids.windows.text
    assert screen.ids.qr.texture is not None and screen.ids.token.text == controller.service.engine.by_number[
        "B001"].rating_token
    slip = printer.wait_for_slips(1)[0]
    assert b"\x1c&" in slip and b"\x1d!\x33B001\n" in slip and slip.endswith(b"\x1c.\x1dVB\x03")
    settle(until=lambda: "请取走小票" in screen.ids.message.text, timeout=5)
    touch(kiosk_app, "完成")
    assert kiosk_app.root.current == "home"
    settle(until=lambda: "等候 1 人" in screen_text(kiosk_app), timeout=5)  # the queue it joined, live


def test_priority_needs_a_confirmation_and_an_item_lands_in_its_category(controller, kiosk_app, printer):
    touch(kiosk_app, "搜索事项")
    for letter in "GJJTQ":
        tap(find(kiosk_app.root, lambda w, letter=letter: getattr(w, "key", None) == letter))
    settle(2)
    touch(kiosk_app, "公积金提取")
    assert kiosk_app.root.current == "group" and shown(kiosk_app.root, "公积金提取（公积金）")
    touch(kiosk_app, "优先取号")
    assert shown(kiosk_app.root, "工作人员可能核验相关证件")
    touch(kiosk_app, "确认取号")
    settle(until=lambda: kiosk_app.root.current == "ticket", timeout=10)
    assert kiosk_app.root.current_screen.ids.number.text == "F001"
    ticket = controller.service.engine.by_number["F001"]
    assert ticket.group == "priority" and ticket.item == "F01"


def test_paper_out_is_said_the_number_shown_on_screen_and_the_controller_told(controller, kiosk_app, printer):
    inbox = Inbox()
    controller.device("admin-spy", deliver=inbox,
                      watch=(controller.service.topics.cmd("kiosk-K1", "device_status"),))
    printer.set_status("paper_out")
    touch(kiosk_app, "税务")
    touch(kiosk_app, "普通取号")
    settle(until=lambda: kiosk_app.root.current == "printer", timeout=10)
    assert shown(kiosk_app.root, "打印机缺纸") and "E001" not in controller.service.engine.by_number
    inbox.wait_for(lambda topic, data: data.get("status") == "paper_out" and data.get("component") == "printer")
    touch(kiosk_app, "在屏幕上显示号码")
    settle(until=lambda: kiosk_app.root.current == "ticket", timeout=10)
    assert kiosk_app.root.current_screen.ids.number.text == "E001"
    assert "请记下号码或拍照" in kiosk_app.root.current_screen.ids.message.text
    assert printer.slips == []
    printer.set_status("ok")  # paper back in: the next ticket prints again
    touch(kiosk_app, "完成")
    touch(kiosk_app, "税务")
    touch(kiosk_app, "普通取号")
    settle(until=lambda: kiosk_app.root.current == "ticket", timeout=10)
    assert b"E002" in printer.wait_for_slips(1)[0]
    inbox.wait_for(lambda topic, data: data.get("status") == "ok")


def test_a_ticket_printed_through_a_firmware_bridge(controller, printer_bridge):
    rig, bridge_id = printer_bridge
    inbox = Inbox()
    controller.device("admin-spy", deliver=inbox,
                      watch=(controller.service.topics.cmd("kiosk-K2", "device_status"),))
    app = start(KioskApp(name="K2", hall=controller.hall, host="127.0.0.1", port=controller.broker.port,
                         printer=f"bridge:{bridge_id}/printer"))
    try:
        settle(until=lambda: app.root.current == "home" and app.presenter.printer_watch.status == "ok", timeout=15)
        touch(app, "社保医保")
        touch(app, "普通取号")
        settle(until=lambda: app.root.current == "ticket", timeout=10)
        assert app.root.current_screen.ids.number.text == "B001"
        receipt = rig.printer.wait_for(lambda: rig.printer.receipts, what="the slip")[0]
        token = controller.service.engine.by_number["B001"].rating_token
        # the QR code is the ticket's page on the phone; its code is printed under it for the kiosk's keypad
        assert "B001" in receipt["lines"] and receipt["qr"] == [f"{controller.config.web.public_url}/t/{token}"]
        assert token in receipt["lines"]
        settle(until=lambda: "请取走小票" in app.root.current_screen.ids.message.text, timeout=10)
        touch(app, "完成")
        rig.printer.set_status("paper_out")  # heard from the bridge's retained status, not at the next poll
        settle(until=lambda: shown(app.root, "打印机缺纸"), timeout=10)
        inbox.wait_for(lambda topic, data: data.get("status") == "paper_out" and data.get("component") == "printer")
    finally:
        stop(app)


def test_a_service_guide_by_pinyin_initials(kiosk_app):
    touch(kiosk_app, "办事指南")
    for letter in "BDC":
        tap(find(kiosk_app.root, lambda w, letter=letter: getattr(w, "key", None) == letter))
    settle(2)
    assert shown(kiosk_app.root, "BDC")
    touch(kiosk_app, "不动产权证书补换")
    assert kiosk_app.root.current == "guide"
    for heading in ("受理条件", "申请材料", "办理流程", "办理时限", "收费标准", "办理窗口", "咨询电话", "设定依据"):
        assert shown(kiosk_app.root, heading), heading
    assert shown(kiosk_app.root, "权利人居民身份证")
    touch(kiosk_app, "打印一次性告知单")
    settle(until=lambda: shown(kiosk_app.root, "告知单已打印"), timeout=5)


def test_the_hall_status_screen_lists_every_queue(controller, kiosk_app):
    device = controller.device("kiosk-K9")
    for _ in range(3):
        assert device.request("issue_ticket", {"category": "estate"})["ok"]
    touch(kiosk_app, "排队情况")
    settle(until=lambda: shown(kiosk_app.root, "等候 3 人"), timeout=5)
    for name in ("综合受理", "社保医保", "不动产登记", "企业开办", "税务", "公积金"):
        assert shown(kiosk_app.root, name)


def test_progress_lookup_by_touch(controller, kiosk_app):
    admin = controller.device("admin-ops")
    reply = admin.request("progress_set", {"application_no": "SQ20261123001", "item": "C01", "status": "reviewing",
                                           "note": "材料齐全", "applicant_name": "张三丰"})
    assert reply["ok"], reply
    touch(kiosk_app, "办理进度")
    def type_and_look_up(text):
        for key in text:
            tap(find(kiosk_app.root, lambda w, key=key: getattr(w, "key", None) == key))
        touch(kiosk_app, "查询")

    type_and_look_up("SQ20261123001")
    settle(until=lambda: shown(kiosk_app.root, "8位查询码"), timeout=5)  # the number alone shows nothing
    assert not shown(kiosk_app.root, "二手房转移登记")
    type_and_look_up(reply["result"]["query_code"])
    settle(until=lambda: shown(kiosk_app.root, "二手房转移登记"), timeout=5)
    assert shown(kiosk_app.root, "张*丰") and not shown(kiosk_app.root, "张三丰")
    assert shown(kiosk_app.root, "材料齐全")


def test_rating_by_the_qr_code_of_a_served_ticket(controller, kiosk_app):
    device = controller.device("kiosk-K9")
    token = device.request("issue_ticket", {"category": "social"})["result"]["ticket"]["rating_token"]
    window = staffed_window(controller, 3)
    assert window.request("call_next")["ok"] and window.request("finish")["ok"]
    touch(kiosk_app, "扫码评价")
    Window.dispatch("on_textinput", token)  # a scanner types the QR's text
    Window.dispatch("on_key_down", 13, 0, None, [])  # and presses Enter
    settle(until=lambda: kiosk_app.root.current == "rate", timeout=5)
    touch(kiosk_app, "非常满意")
    settle(until=lambda: kiosk_app.root.current == "thanks", timeout=5)
    assert shown(kiosk_app.root, "感谢您的评价")


def test_ticketing_pauses_without_the_controller_or_the_broker_and_recovers(tmp_path, hall_raw):
    broker = PrivateBroker().start()
    running = RunningController(copy.deepcopy(hall_raw), tmp_path / "hall.db", broker)
    app = start(KioskApp(name="K1", hall=running.hall, host="127.0.0.1", port=broker.port))
    try:
        settle(until=lambda: app.root.current == "home", timeout=15)
        running.stop()  # the controller goes: its last will says offline
        settle(until=lambda: app.root.current == "paused", timeout=10)
        assert shown(app.root, "暂停取号") and shown(app.root, "Ticketing paused")
        assert not shown(app.root, "普通取号") and not shown(app.root, "社保医保")
        running = RunningController(copy.deepcopy(hall_raw), tmp_path / "hall.db", broker)
        settle(until=lambda: app.root.current == "home", timeout=15)
        port = broker.port
        broker.stop()  # the broker goes: the link drops
        settle(until=lambda: app.root.current == "paused", timeout=10)
        broker = PrivateBroker(port=port).start()
        settle(until=lambda: app.root.current == "home", timeout=20)
    finally:
        stop(app)
        running.stop()
        broker.stop()


def test_the_evaluator_wakes_shows_the_staff_and_takes_one_bad_rating(controller):
    inbox = Inbox()
    controller.device("display-spy", deliver=inbox, watch=(controller.service.topics.event("rating"),))
    app = start(EvaluatorApp(window=3, hall=controller.hall, host="127.0.0.1",
                             port=controller.broker.port))
    try:
        Window.size = (1024, 600)
        window = staffed_window(controller, 3)
        settle(until=lambda: app.root.current == "idle" and shown(app.root, "工号 1003"), timeout=15)
        assert shown(app.root, "刘*燕")
        device = controller.device("kiosk-K9")
        assert device.request("issue_ticket", {"category": "social"})["ok"]
        assert window.request("call_next")["ok"] and window.request("finish")["ok"]
        settle(until=lambda: app.root.current == "rate", timeout=10)
        assert shown(app.root, "B001") and shown(app.root, "工号 1003")
        touch(app, "不满意")
        touch(app, "提交评价")
        assert shown(app.root, "请选择不满意的原因")  # a 差评 needs a reason first
        assert shown(app.root, "正在评价：B001")  # which service is being rated
        touch(app, "办理效率低")
        touch(app, "等候时间太长")  # a comment in Chinese without a keyboard: a touched phrase
        assert app.root.current_screen.ids.comment.zh == "等候时间太长"
        touch(app, "提交评价")
        settle(until=lambda: app.root.current == "thanks", timeout=10)
        # the ticket left no phone number: the thanks promises no call back
        assert shown(app.root, "感谢您的评价") and shown(app.root, "您的意见已记录") and not shown(app.root, "回访")
        _, event = inbox.wait_for(lambda topic, data: data.get("kind") == "rated")
        assert event["level"] == 2 and event["bad"] and event["channel"] == "evaluator" and event["window"] == 3
        assert window.request("invite_rating")["ok"]  # invited again for the same ticket: not asked twice
        settle(10)
        assert app.root.current in ("thanks", "idle")
    finally:
        stop(app)


def test_a_category_no_window_serves_says_so_and_refuses_tickets_when_configured(tmp_path, broker, hall_raw):
    raw = copy.deepcopy(hall_raw)
    raw["categories"]["tax"]["when_unserved"] = "refuse"
    running = RunningController(raw, tmp_path / "hall.db", broker)
    app = start(KioskApp(name="K1", hall=running.hall, host="127.0.0.1", port=broker.port))
    try:
        settle(until=lambda: app.root.current == "home" and shown(app.root, "税务"), timeout=15)
        assert shown(app.root, "暂无窗口办理，暂停取号") and not shown(app.root, "无需等候")
        device = running.device("kiosk-K8")
        refused = device.request("issue_ticket", {"category": "tax"})
        assert not refused["ok"] and refused["error"]["code"] == "closed"
        assert device.request("issue_ticket", {"category": "estate"})["ok"]  # issued, but no wait promised
        staffed_window(running, 8)  # a window of tax opens: tickets again
        settle(until=lambda: not shown(app.root, "暂无窗口办理，暂停取号"), timeout=10)
        assert device.request("issue_ticket", {"category": "tax"})["ok"]
    finally:
        stop(app)
        running.stop()


def test_a_phone_number_is_seen_whole_while_typed_and_masked_after(kiosk_app):
    touch(kiosk_app, "社保医保")
    touch(kiosk_app, "实名登记")
    assert kiosk_app.root.current == "phone"
    assert shown(kiosk_app.root, "固定电话") and not shown(kiosk_app.root, "身份证")  # this kiosk has no reader
    for digit in "13812345678":
        tap(find(kiosk_app.root, lambda w, digit=digit: getattr(w, "key", None) == digit))
    settle(2)
    assert kiosk_app.root.current_screen.ids.phone.text == "138 1234 5678"
    touch(kiosk_app, "确定")
    assert kiosk_app.root.current == "group" and shown(kiosk_app.root, "已实名 138****5678")
    assert not shown(kiosk_app.root, "13812345678") and not shown(kiosk_app.root, "138 1234")

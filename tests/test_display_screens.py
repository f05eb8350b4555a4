"""The hall screen and the window screen rendered off-screen against a real controller and Mosquitto.

They are driven only by what the controller publishes: tickets issued by a kiosk, calls
made by windows, config changes made by an admin — and asserted by what a citizen
could read on them.
"""
from __future__ import annotations

# first: it prepares Kivy (off-screen) before anything imports kivy; `mount` is a fixture
from tests.support.screens import link_for, mount, texts  # noqa: F401  # isort: skip
from display.hall_screen import HallScreen
from display.window_screen import WindowScreen
from testbed.controller import staffed_window
from testbed.screens import settle

HALL = (1920, 1080)
WINDOW = (1280, 720)


def busy_hall(controller, kiosk):
    """Tickets in four categories, windows 1, 3 and 5 staffed, two calls made."""
    for category, n in (("general", 5), ("social", 3), ("estate", 2), ("tax", 1)):
        for _ in range(n):
            assert kiosk.request("issue_ticket", {"category": category})["ok"]
    windows = {n: staffed_window(controller, n) for n in (1, 3, 5)}
    assert windows[1].request("call_next")["ok"]
    assert windows[3].request("call_next")["ok"]
    return windows


def test_hall_screen_shows_the_call_the_windows_and_the_queues(controller, kiosk, mount):
    windows = busy_hall(controller, kiosk)
    screen = mount(HallScreen(link_for(controller, "display-hall")), HALL)
    settle(until=lambda: screen.ids.call_number.text == "B001" and len(screen.ids.tiles.children) == 12)
    assert screen.ids.call_window.text == "3号窗口"  # the newest call, from the retained list
    assert screen.ids.hall_zh.text == "示范市政务服务中心"

    assert windows[5].request("call_next")["ok"]  # a new call blinks
    settle(until=lambda: screen.ids.call_number.text == "C001")
    assert screen.presenter.blinking()
    shown = texts(screen)
    assert "请 C001 号到 5号窗口 办理" in shown and "Number C001, please go to Window 5" in shown
    # the rest of the screen follows the call a moment later
    settle(until=lambda: {t.name_zh: t for t in screen.ids.tiles.children}["5号窗口"].number == "C001")
    tiles = {t.name_zh: t for t in screen.ids.tiles.children}
    assert tiles["5号窗口"].flash
    assert tiles["1号窗口"].number == "A001" and tiles["2号窗口"].dim  # window 2 is closed
    rows = {r.zh: r for r in screen.ids.queues.children}
    assert rows["综合受理"].waiting == "4人" and rows["综合受理"].windows == "1"
    assert rows["税务"].waiting == "1人" and rows["税务"].windows == "—"
    calls = [c.number for c in reversed(screen.ids.calls.children)]
    assert calls == ["C001", "B001", "A001"]
    staff = controller.config.staff
    assert not any(person.name in texts(screen) for person in staff.values())  # no names on the hall screen


def test_live_config_reaches_every_screen(controller, kiosk, mount):
    """Admin renames a category, reassigns a window and sets the notice: the screens follow, no restart."""
    busy_hall(controller, kiosk)
    hall = mount(HallScreen(link_for(controller, "display-hall")), HALL)
    settle(until=lambda: hall.ids.call_number.text == "B001")
    admin = controller.device("admin-test")
    reply = admin.request("config_patch", {"patch": {
        "categories": {"social": {"name": {"zh": "社会保障", "en": "Social Security"}}},
        "windows": {"3": {"primary": ["tax"], "secondary": []}},
        "notice": {"zh": "今日下午16:00后不动产登记暂停取号，敬请谅解。",
                   "en": "Real estate tickets stop at 16:00 today. Thank you for your understanding."}}})
    assert reply["ok"], reply
    settle(until=lambda: "社会保障" in texts(hall.ids.queues) and hall.ids.notice.text)
    assert "今日下午16:00后" in hall.ids.notice.text and "Real estate tickets" in hall.ids.notice.text
    settle(until=lambda: {t.name_zh: t for t in hall.ids.tiles.children}["3号窗口"].categories == "税务")
    line = hall.ids.notice.ids.line
    settle(until=lambda: line.x < hall.ids.notice.right - 1200, timeout=15)  # it scrolls in from the right

    reply = admin.request("tidal_switch", {"target_window": 11, "category": "social"})  # nobody at window 11
    assert reply["ok"], reply
    settle(until=lambda: {t.name_zh: t for t in hall.ids.tiles.children}["11号窗口"].badge == "潮汐")
    assert hall.ids.tidal.text == ""  # not announced: nobody is there to go to
    staffed_window(controller, 10)
    reply = admin.request("tidal_switch", {"target_window": 10, "category": "social"})  # a tidal window opened
    assert reply["ok"], reply
    settle(until=lambda: "潮汐窗口已开放" in hall.ids.tidal.text)
    assert "10号窗口 社会保障" in hall.ids.tidal.text and "11号窗口" not in hall.ids.tidal.text
    settle(until=lambda: {t.name_zh: t for t in hall.ids.tiles.children}["10号窗口"].badge == "潮汐")
    hall.close()

    window = mount(WindowScreen(3, link_for(controller, "display-window3")), WINDOW)
    settle(until=lambda: "税务" in window.ids.serves_zh.text)
    assert "社会保障" not in window.ids.serves_zh.text
    window.close()
    tidal = mount(WindowScreen(10, link_for(controller, "display-window10")), WINDOW)
    settle(until=lambda: "潮汐窗口" in tidal.ids.badges.text)
    assert tidal.ids.serves_zh.text.startswith("办理业务：社会保障")


def test_window_screen_modes(controller, kiosk, mount):
    assert kiosk.request("issue_ticket", {"category": "social"})["ok"]
    screen = mount(WindowScreen(3, link_for(controller, "display-window3")), WINDOW)
    settle(until=lambda: screen.ids.big.text == "窗口关闭")
    assert screen.ids.window_zh.text == "3号窗口" and "社保医保" in screen.ids.serves_zh.text
    assert "兼办 综合受理" in screen.ids.serves_zh.text

    staff = staffed_window(controller, 3)
    settle(until=lambda: screen.ids.big.text == "欢迎光临")
    assert screen.ids.big_en.text == "Welcome" and "刘*燕" in screen.ids.staff.text
    assert "刘晓燕" not in texts(screen)  # masked name only

    assert staff.request("call_next")["ok"]
    settle(until=lambda: screen.ids.big.text == "B001")
    assert screen.ids.line_zh.text == "请到本窗口办理" and screen.presenter.blinking()
    assert staff.request("start")["ok"]
    settle(until=lambda: screen.ids.line_zh.text == "正在办理")
    assert staff.request("finish")["ok"]
    assert staff.request("pause", {"reason": "会议 Meeting"})["ok"]
    settle(until=lambda: screen.ids.big.text == "暂停服务")
    assert "会议" in screen.ids.line_zh.text

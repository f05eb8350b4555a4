"""The hall screen's and the window screen's decisions, without Kivy."""
from __future__ import annotations

import pytest

from appkit.texts import clock_text, wait_text
from contract.hall import HallMirror
from contract.topics import Topics
from display.hall_presenter import BLINK_S, MAX_TILES, HallPresenter, category_scale, grid_shape
from display.window_presenter import WindowPresenter

T = Topics("demo")
NOW = 1_800_000_000.0


class FakeTime:
    """A monotonic clock the test moves by hand (blinking and paging depend on it)."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def config(windows: int = 12, notice=None) -> dict:
    cfg = {"name": {"zh": "示范市政务服务中心", "en": "Demo City"}, "timezone": "Asia/Shanghai",
           "categories": {"general": {"name": {"zh": "综合受理", "en": "General Affairs"}, "prefix": "A"},
                          "social": {"name": {"zh": "社保医保", "en": "Social Insurance"}, "prefix": "B"}},
           "windows": {str(n): {"name": {"zh": f"{n}号窗口", "en": f"Window {n}"}, "primary": ["general"]}
                       for n in range(1, windows + 1)}}
    if notice:
        cfg["notice"] = notice
    return {"version": 1, "config": cfg}


def at_window(number: str, status: str) -> dict:
    """The ticket at a window, as state/window/<n> carries it."""
    return {"id": f"2027-01-15-{number}", "number": number, "category": "general", "status": status,
            "called_at": NOW - 60, "started_at": NOW - 30 if status == "serving" else None, "times_called": 1}


def window(number, status="open", current=None, **extra):
    return {"window": number, "name": {"zh": f"{number}号窗口", "en": f"Window {number}"}, "status": status,
            "staff": "王*华" if status != "closed" else "", "staff_id": "1001" if status != "closed" else None,
            "categories": extra.pop("categories", ["general"]), "secondary": [], "current": current,
            "pause_reason": extra.pop("pause_reason", None), "tidal": False, "green_channel": False, "at": NOW,
            **extra}


def hall(windows=12, notice=None, clock=None) -> HallPresenter:
    p = HallPresenter(HallMirror(T, clock=lambda: NOW), monotonic=clock or FakeTime())
    p.on_message(T.state_config(), config(windows, notice))
    return p


@pytest.mark.parametrize("tiles,shape", [(1, (1, 1)), (4, (4, 1)), (5, (4, 2)), (8, (4, 2)), (9, (4, 3)),
                                         (12, (4, 3)), (13, (6, 3)), (18, (6, 3)), (24, (6, 4)), (40, (6, 4))])
def test_window_tiles_grid(tiles, shape):
    assert grid_shape(tiles) == shape


@pytest.mark.parametrize("tiles,shape", [(3, (3, 1)), (12, (4, 3)), (13, (4, 4)), (24, (4, 6)), (40, (4, 6))])
def test_a_portrait_screen_has_four_columns_at_most(tiles, shape):
    assert grid_shape(tiles, portrait=True) == shape


@pytest.mark.parametrize("rows,scale", [(1, 1.0), (8, 1.0), (10, 0.8), (16, 0.6), (30, 0.6)])
def test_queue_table_shrinks_only_past_eight_categories(rows, scale):
    assert category_scale(rows) == scale


def test_a_new_call_blinks_for_a_few_seconds_then_stays_large():
    clock = FakeTime()
    p = hall(clock=clock)
    assert p.current_call() is None and not p.blinking()
    p.on_message(T.event("called"), {"number": "A001", "window": 3, "times_called": 1, "at": NOW})
    assert p.blinking()
    assert p.current_call()["zh"] == "请 A001 号到 3号窗口 办理"
    clock.t += BLINK_S + 0.1
    assert not p.blinking() and p.current_call()["number"] == "A001"
    p.on_message(T.event("called"), {"number": "A001", "window": 3, "times_called": 2, "at": NOW})
    assert p.blinking() and p.current_call()["again_zh"] == "第2次呼叫"
    assert p.current_call()["zh"] == "再次呼叫 A001 号到 3号窗口 办理"
    assert p.current_call()["en"] == "Calling again: A001 to Window 3"


def test_a_restarted_screen_shows_the_newest_retained_call():
    p = hall()
    p.on_message(T.state_calls(), {"at": NOW, "calls": [
        {"ticket_id": "x", "number": "B002", "window": 4, "category": "social", "times_called": 1, "at": NOW,
         "text": {"zh": "请B002号到4号窗口办理", "en": "Number B002, please go to window 4"}},
        {"ticket_id": "y", "number": "A001", "window": 1, "category": "general", "times_called": 1, "at": NOW,
         "text": {"zh": "请A001号到1号窗口办理", "en": "Number A001, please go to window 1"}}]})
    assert p.current_call()["number"] == "B002" and not p.blinking()
    assert [(c["number"], c["window_zh"]) for c in p.latest_calls()] == [("B002", "4号窗口"), ("A001", "1号窗口")]


def test_tiles_show_the_ticket_or_the_status_and_no_names():
    p = hall(windows=4)
    p.on_message(T.state_window(1), window(1, "serving", at_window("A001", "called")))
    p.on_message(T.state_window(2), window(2, "serving", at_window("A002", "serving")))
    p.on_message(T.state_window(3), window(3, "paused", pause_reason="休息 Break"))
    p.on_message(T.state_window(4), window(4, "closed", tidal=True))
    tiles = {t["window"]: t for t in p.tiles()}
    assert (tiles[1]["number"], tiles[1]["line_zh"]) == ("A001", "请到本窗口")
    assert (tiles[2]["number"], tiles[2]["line_zh"]) == ("A002", "办理中")
    assert (tiles[3]["number"], tiles[3]["line_zh"]) == ("", "暂停服务")
    assert tiles[4]["dim"] and tiles[4]["badge"] == "潮汐"
    assert "王" not in repr(p.tiles())  # the hall screen shows no staff names


def test_a_big_hall_leaves_out_closed_windows_then_pages():
    clock = FakeTime()
    p = hall(windows=60, clock=clock)
    for n in range(1, 31):
        p.on_message(T.state_window(n), window(n))
    tiles = p.tiles()
    assert len(tiles) == 30 and all(t["status"] != "closed" for t in tiles)
    first = [t["window"] for t in p.page(tiles)]
    assert len(first) == MAX_TILES and first[0] == 1 and p.page_number(tiles) == (1, 2)
    clock.t += 10
    assert [t["window"] for t in p.page(tiles)][0] == 25 and p.page_number(tiles) == (2, 2)
    assert p.layout()["cols"] == 6 and p.layout(portrait=True)["cols"] == 4
    assert p.page_number(tiles[:MAX_TILES]) == (1, 1)


def test_tidal_windows_and_the_notice_line():
    p = hall(notice={"zh": "今日16:00后暂停取号", "en": "No tickets after 16:00"})
    assert p.notice() == "今日16:00后暂停取号      No tickets after 16:00"
    assert p.tidal_line() is None and p.layout()["notice"]
    p.on_message(T.state_window(11), window(11, categories=["social"], tidal=True))
    assert p.tidal_line()["zh"] == "潮汐窗口已开放：11号窗口 社保医保"
    p.on_message(T.state_config(), config())
    assert p.notice() == "" and not p.layout()["notice"]  # admin cleared it


def test_a_renamed_category_shows_under_its_new_name():
    p = hall()
    p.on_message(T.state_queues(), {"at": NOW, "day": "2026-11-23", "categories": [
        {"code": "social", "prefix": "B", "name": {"zh": "社保医保", "en": "Social"}, "waiting": 3,
         "priority_waiting": 0, "est_wait_s": 0, "open_windows": [], "next": []}]})
    renamed = config()
    renamed["config"]["categories"]["social"]["name"] = {"zh": "社会保障", "en": "Social Security"}
    p.on_message(T.state_config(), renamed)
    row = p.queue_rows()[0]
    assert (row["zh"], row["waiting"], row["wait_zh"], row["windows"]) == ("社会保障", 3, "无需等候", "—")


def test_the_clock_is_the_halls():
    p = hall()
    header = p.header()
    assert header["date_zh"] == "2027年1月15日 星期五" and header["time"] == "16:00:00"  # NOW in Asia/Shanghai


WINDOW_MODES = [
    (window(3, "closed"), "closed", "窗口关闭", ""),
    (window(3, "open"), "open", "欢迎光临", ""),
    (window(3, "paused", pause_reason="会议 Meeting"), "paused", "暂停服务", "原因：会议 Meeting"),
    (window(3, "serving", at_window("B007", "called")), "serving", "", "请到本窗口办理"),
    (window(3, "serving", at_window("B007", "serving")), "serving", "", "正在办理"),
]


@pytest.mark.parametrize("state,mode,big,line", WINDOW_MODES, ids=[m[1] + "-" + (m[3] or m[2]) for m in WINDOW_MODES])
def test_window_screen_modes(state, mode, big, line):
    p = WindowPresenter(3, HallMirror(T, clock=lambda: NOW), monotonic=FakeTime())
    p.on_message(T.state_config(), config())
    p.on_message(T.state_window(3), state)
    screen = p.screen()
    assert (screen["mode"], screen["big_zh"], screen["line_zh"]) == (mode, big, line)
    assert screen["serves_zh"] == "综合受理"
    assert ("王*华" in screen["staff"]) == (mode != "closed")


def test_window_screen_blinks_only_for_its_own_calls():
    clock = FakeTime()
    p = WindowPresenter(3, HallMirror(T, clock=lambda: NOW), monotonic=clock)
    p.on_message(T.state_window(3), window(3, "serving", at_window("B007", "called")))
    p.on_message(T.event("called"), {"number": "A001", "window": 4, "at": NOW})
    assert not p.blinking()
    p.on_message(T.event("called"), {"number": "B007", "window": 3, "at": NOW})
    assert p.blinking()


@pytest.mark.parametrize("seconds,text", [(None, "--"), (0, "0:00"), (65, "1:05"), (3725, "1:02:05")])
def test_timer_text(seconds, text):
    assert clock_text(seconds) == text


@pytest.mark.parametrize("seconds,zh,en", [(0, "无需等候", "no wait"), (30, "约1分钟", "about 1 min"),
                                           (601, "约11分钟", "about 11 min"), (9000, "约2.5小时", "about 2.5 h")])
def test_wait_text(seconds, zh, en):
    assert wait_text(seconds) == {"zh": zh, "en": en}

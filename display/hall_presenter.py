"""The hall screen's (综合屏) logic, without Kivy: what a 1920×1080 TV shows, and how it is laid out.

It shows only what the retained state and the events say — no polling: a
call arrives as `event/called` and is shown large and blinking for a few
seconds; the windows, the queues, the latest calls and the notice come from
`state/*`, so a restarted screen, and a live config change, show at once.
Personal data never reaches it: the state carries ticket numbers and masked
staff names only, and this screen does not even show those names.
"""
from __future__ import annotations

import math
import time

from appkit.texts import wait_text
from contract.hall import WINDOW_STATUS, HallMirror

BLINK_S = 6.0  # how long a new call blinks
CALLS_SHOWN = 8  # rows of the latest-calls list
MAX_TILES = 24  # window tiles on one page
PAGE_S = 10.0  # when more windows than tiles: each page shows this long
WEEKDAYS_ZH = "一二三四五六日"


def grid_shape(tiles: int, portrait: bool = False) -> tuple[int, int]:
    """(columns, rows) of the window tiles: one row for a small hall, then as many columns as
    leave each tile room for a long window name ("不动产登记24号窗口") and its ticket."""
    if tiles <= 0:
        return 1, 1
    if tiles <= 4:
        return tiles, 1
    cols = 4 if portrait or tiles <= 12 else 6
    return cols, math.ceil(min(tiles, MAX_TILES) / cols)


def category_scale(rows: int) -> float:
    """Text scale of the queue table: full size up to 8 categories, then smaller (not under 0.6)."""
    return 1.0 if rows <= 8 else max(0.6, 8 / rows)


class HallPresenter:
    def __init__(self, hall: HallMirror, monotonic=time.monotonic):
        self.hall = hall
        self.monotonic = monotonic
        self.latest: tuple[str, int, int] | None = None  # (number, window, times called) of the newest event/called
        self.blink_until = 0.0

    def on_message(self, topic: str, data) -> str | None:
        kind = self.hall.apply(topic, data)
        if kind == "called" and isinstance(data, dict) and isinstance(data.get("number"), str) \
                and isinstance(data.get("window"), int):
            times = data.get("times_called")
            self.latest = (data["number"], data["window"], times if isinstance(times, int) else 1)
            self.blink_until = self.monotonic() + BLINK_S
        return kind

    # --- the parts of the screen --------------------------------------------------------

    def header(self) -> dict:
        name = self.hall.name
        now = self.hall.hall_time()
        return {"name_zh": name.zh, "name_en": name.en, "time": now.strftime("%H:%M:%S"),
                "date_zh": f"{now.year}年{now.month}月{now.day}日 星期{WEEKDAYS_ZH[now.weekday()]}",
                "date_en": now.strftime("%a %d %b %Y")}

    def blinking(self) -> bool:
        return self.latest is not None and self.monotonic() < self.blink_until

    def current_call(self) -> dict | None:
        """The call shown large: the newest event, else the newest call the retained list holds."""
        if self.latest is None and not self.hall.calls:
            return None
        number, window, times = self.latest or (self.hall.calls[0].number, self.hall.calls[0].window,
                                                 self.hall.calls[0].times_called)
        name = self.hall.window_name(window)
        times = times or 1
        return {"number": number, "window": window, "window_zh": name.zh,
                "window_en": name.en, "again_zh": f"第{times}次呼叫" if times > 1 else "",
                "again_en": f"call {times}" if times > 1 else "",
                "zh": f"{'再次呼叫' if times > 1 else '请'} {number} 号到 {name.zh} 办理",
                "en": (f"Calling again: {number} to {name.en}" if times > 1
                       else f"Number {number}, please go to {name.en}")}

    def tiles(self) -> list[dict]:
        """One tile per window: the ticket at it, or its status; a closed window is dimmed.

        With more windows than fit, closed windows are left out first; then the tiles page.
        """
        tiles = []
        for number in self.hall.window_numbers():
            state = self.hall.window(number)
            status = state.status if state else "closed"
            current = state.current if state else None
            name = self.hall.window_name(number)
            names = [self.hall.category_name(c) for c in self.hall.serves(number)[0]]
            words = WINDOW_STATUS.get(status, (status, status))
            called = current is not None and current.status == "called"
            tidal, green = bool(state and state.tidal), bool(state and state.green_channel)
            tiles.append({
                "window": number, "name_zh": name.zh, "name_en": name.en, "status": status,
                "number": current.number if current else "",
                "line_zh": ("请到本窗口" if called else words[0]) if current else words[0],
                "line_en": ("Your turn" if called else words[1]) if current else words[1],
                "categories_zh": "·".join(n.zh for n in names),
                "categories_en": " · ".join(n.en for n in names),
                "tidal": tidal, "green": green,
                "badge": " ".join(word for word, on in (
                    ("潮汐", tidal), ("绿色通道", green and "绿色通道" not in name.zh)) if on),
                "dim": status == "closed",
                "flash": bool(self.blinking() and self.latest and self.latest[1] == number)})
        if len(tiles) > MAX_TILES:
            tiles = [t for t in tiles if t["status"] != "closed"] or tiles
        return tiles

    def page(self, tiles: list[dict]) -> list[dict]:
        """The tiles on screen now: all of them, or one page of MAX_TILES turning every PAGE_S."""
        index, _ = self.page_number(tiles)
        return tiles[(index - 1) * MAX_TILES:index * MAX_TILES]

    def page_number(self, tiles: list[dict]) -> tuple[int, int]:
        """(the page on screen now, pages): a citizen looking for window 30 knows to wait for it."""
        pages = max(1, math.ceil(len(tiles) / MAX_TILES))
        return int(self.monotonic() // PAGE_S) % pages + 1, pages

    def queue_rows(self) -> list[dict]:
        rows = []
        for code, entry in self.hall.queues.items():
            name = self.hall.category_name(code)
            wait = wait_text(entry.est_wait_s if entry.waiting else 0)
            rows.append({"code": code, "zh": name.zh, "en": name.en, "waiting": entry.waiting,
                         "wait_zh": wait["zh"], "wait_en": wait["en"],
                         "windows": "、".join(str(n) for n in entry.open_windows) if entry.open_windows else "—"})
        return rows

    def latest_calls(self) -> list[dict]:
        """The newest calls (state/calls), one per ticket: number → window."""
        rows = []
        for call in self.hall.calls[:CALLS_SHOWN]:
            name = self.hall.window_name(call.window)
            rows.append({"number": call.number, "window_zh": name.zh, "window_en": name.en,
                         "times": call.times_called or 1})
        return rows

    def tidal_line(self) -> dict | None:
        """Which tidal windows are open now and what they serve; None when none is."""
        parts_zh, parts_en = [], []
        for number in self.hall.window_numbers():
            state = self.hall.window(number)
            if state and state.tidal and state.status != "closed":
                names = [self.hall.category_name(c) for c in state.categories]
                parts_zh.append(f"{number}号窗口 {'、'.join(n.zh for n in names)}")
                parts_en.append(f"window {number}: {', '.join(n.en for n in names)}")
        if not parts_zh:
            return None
        return {"zh": "潮汐窗口已开放：" + "；".join(parts_zh), "en": "Tidal windows open — " + "; ".join(parts_en)}

    def notice(self) -> str:
        """The scrolling line: the admin's notice, Chinese then English; empty hides the bar."""
        notice = self.hall.notice
        if not notice:
            return ""
        return f"{notice.zh}      {notice.en}".strip()

    def layout(self, portrait: bool = False) -> dict:
        """The decisions that depend on the hall's size and the screen's shape, for the widget to apply."""
        tiles = self.tiles()
        shown = min(len(tiles), MAX_TILES)
        cols, rows = grid_shape(shown, portrait)  # every page keeps the shape of a full one: tiles never jump in size
        queue_rows = len(self.hall.queues)
        return {"cols": cols, "rows": rows, "tiles": shown, "category_scale": category_scale(queue_rows),
                "notice": bool(self.notice()), "tidal": self.tidal_line() is not None}

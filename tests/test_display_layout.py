"""The hall and window screens of a large hall fit every screen they are shown on.

The layout check of the kiosk's screens (testbed.screens.layout_problems), strict — every text on
one line, every widget inside its parent — on the screens of a 24- and a 40-window hall with 12
categories and window names as long as a real hall's ("不动产登记15号窗口" / "Window 15 · Real
Estate"), made busy through the real controller (calls, services, pauses, a tidal window, the
notice), at 1920×1080 (the hall TV), 1280×720 and 1080×1920 portrait. Every tile and window
screen shows the Chinese and the English name together, so one pass checks both languages.
"""
from __future__ import annotations

# first: it prepares Kivy (off-screen) before anything imports kivy; `mount` is a fixture
from tests.support.screens import link_for, mount  # noqa: F401  # isort: skip
import pytest
from kivy.core.window import Window
from PIL import Image

from display.hall_presenter import MAX_TILES, PAGE_S
from display.hall_screen import HallScreen
from display.shots import NOTICE, SIZES, busy, large_hall, set_notice, show, window_shots
from display.window_screen import WindowScreen
from testbed.controller import RunningController
from testbed.screens import layout_problems, settle, snapshot

GOLD = (255, 204, 64)  # the ticket numbers, the badge and the frame of a tile just called


@pytest.fixture(params=[24, 40], ids=lambda n: f"{n}-windows")
def hall(request, broker, hall_raw, tmp_path):
    running = RunningController(large_hall(hall_raw, request.param), tmp_path / "hall.db", broker)
    running.staffed = request.param * 5 // 6
    busy(running, running.staffed)
    yield running
    running.stop()


def test_every_tile_shows_its_whole_name_and_ticket_at_every_size(hall, mount):
    set_notice(hall, NOTICE)
    screen = mount(HallScreen(link_for(hall, "display-hall")), SIZES[0])
    presenter = screen.presenter
    settle(until=lambda: screen.ids.notice.text and screen.ids.tidal.text
           and len(screen.ids.tiles.children) == min(len(presenter.tiles()), MAX_TILES) > 20, timeout=30)
    pages = 2 if hall.staffed > MAX_TILES else 1
    for size in SIZES:
        show(screen, size)
        seen = set()
        for page in range(pages):
            presenter.monotonic = lambda page=page: page * PAGE_S + 1.0  # the pages turn on this clock
            screen.show_tiles()
            settle(4)
            assert layout_problems(screen, strict=True) == [], f"page {page + 1} at {size}"
            shown = {tile.name_zh: tile for tile in screen.ids.tiles.children}
            for tile in presenter.page(presenter.tiles()):
                widget = shown[tile["name_zh"]]  # the whole name, as configured
                assert widget.name_en == tile["name_en"] and widget.number == tile["number"]
                assert widget.badge == ("潮汐" if tile["window"] == 10 else "")  # beside the whole English name
                seen.add(tile["window"])
            if pages > 1:
                assert f"第{page + 1}/{pages}页" in screen.ids.tiles_caption.text
        # every window that is not closed is on a page (the closed ones are left out of a big hall)
        expected = set(range(1, hall.staffed + 1)) if pages > 1 else set(range(1, len(hall.config.windows) + 1))
        assert seen == expected, size


def test_an_idle_tile_has_no_mark_and_a_called_one_its_frame(hall, mount, tmp_path):
    """What the TV shows, read from its pixels: a tile is gold only where a ticket, the tidal
    badge or the frame of the window just called is."""
    screen = mount(HallScreen(link_for(hall, "display-hall")), SIZES[0])
    screen.presenter.monotonic = lambda: 1.0  # the first page stays on screen, and a new call blinks on
    settle(until=lambda: len(screen.ids.tiles.children) == min(len(screen.presenter.tiles()), MAX_TILES) > 20,
           timeout=30)
    welcome = [n for n in range(1, MAX_TILES + 1) if n % 5 == 3]  # open, nobody at the window
    assert hall.device(f"window-{welcome[0]}").request("call_next")["ok"]

    def tile(number):
        return next(t for t in screen.ids.tiles.children if t.name_en.startswith(f"Window {number} "))

    settle(until=lambda: tile(welcome[0]).flash and tile(welcome[0]).number, timeout=15)
    frame = Image.open(snapshot(tmp_path / "hall.png")).convert("RGB")
    assert _gold(frame, tile(welcome[0]))["edge"] > 200  # its frame, all round
    idle = welcome[1:] + ([hall.staffed + 1] if hall.staffed < MAX_TILES else [])  # idle, and closed
    for number in idle:
        assert _gold(frame, tile(number)) == {"edge": 0, "inside": 0}, number


def _gold(frame, tile) -> dict:
    """Gold pixels of a tile: on its edge (4 px wide) and inside it."""
    x0, y0 = (int(v) for v in tile.to_window(tile.x, tile.y))
    x1, y1 = x0 + int(tile.width), y0 + int(tile.height)
    top, bottom = frame.height - y1, frame.height - y0  # the PNG's rows run top down
    counts = {"edge": 0, "inside": 0}
    for y in range(top, bottom):
        for x in range(x0, x1):
            r, g, b = frame.getpixel((x, y))
            if abs(r - GOLD[0]) < 40 and abs(g - GOLD[1]) < 40 and b < 130:
                edge = min(x - x0, x1 - 1 - x, y - top, bottom - 1 - y) < 4
                counts["edge" if edge else "inside"] += 1
    return counts


def test_every_window_screen_fits_at_every_size(hall, mount):
    for name, number in window_shots(hall.staffed):
        screen = mount(WindowScreen(number, link_for(hall, f"display-window{number}")), SIZES[0])
        settle(until=lambda: screen.ids.window_zh.text == hall.raw["windows"][number]["name"]["zh"], timeout=30)
        for size in SIZES:
            show(screen, size)
            assert layout_problems(screen, strict=True) == [], f"{name} (window {number}) at {size}"
        screen.close()
        Window.remove_widget(screen)
        screen.link.stop()

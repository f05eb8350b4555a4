"""Screenshots of the hall screen and the window screens of a large hall, and their layout check.

    python -m display.shots [--out docs/screenshots] [--windows 24] [--sizes 1920x1080,1280x720,1080x1920]
    xvfb-run -a -s "-screen 0 1920x1920x24" .venv/bin/python -m display.shots   # in a real X window

It starts a private Mosquitto and the real controller with a large hall — 12 categories,
windows named as a real hall names them ("不动产登记3号窗口" / "Window 3 · Real Estate") — puts
the hall in a telling state through real device logins and calls, and shows each screen in
the window at every size. With a display (Xvfb) the window is a real one and the PNG is what
it shows; without, it renders off-screen. The first size's frames are saved; at every size
`testbed.screens.layout_problems` is printed (the tests assert there are none).
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((1920, 1080), (1280, 720), (1080, 1920))
NOTICE = {"zh": "今日16:00后不动产登记暂停取号，敬请谅解。", "en": "No real estate tickets after 16:00 today. Thank you."}

# (code, zh, en, prefix, the short English name a window sign uses)
MORE_CATEGORIES = (
    ("household", "户籍办理", "Household Registration", "G", "Household"),
    ("entry", "出入境", "Exit & Entry Administration", "H", "Exit & Entry"),
    ("vehicles", "车驾管", "Vehicle & Driver Services", "J", "Vehicles"),
    ("civil", "民政婚姻", "Civil Affairs & Marriage", "K", "Civil Affairs"),
    ("jobs", "人才就业", "Employment & Talent Services", "W", "Employment"),
    ("utilities", "水电气报装", "Water, Power & Gas Connection", "M", "Utilities"),
)
SIGNS = {"general": "General", "social": "Social Insurance", "estate": "Real Estate", "business": "Business",
         "tax": "Tax", "fund": "Housing Fund"}
PAUSED = (4, 9)  # windows paused in the busy hall
TIDAL = 10  # switched to serve 社保医保 first


def large_hall(raw: dict, windows: int) -> dict:
    """The demo hall with 12 categories and `windows` windows, one member of staff each (the demo's PIN)."""
    raw = copy.deepcopy(raw)
    signs = dict(SIGNS)
    for order, (code, zh, en, prefix, sign) in enumerate(MORE_CATEGORIES, start=len(raw["categories"]) + 1):
        raw["categories"][code] = {"name": {"zh": zh, "en": en}, "prefix": prefix, "daily_cap": 300,
                                   "default_service_s": 480, "order": order}
        signs[code] = sign
    codes = list(raw["categories"])
    raw["windows"] = {}
    for n in range(1, windows + 1):
        code = codes[(n - 1) % len(codes)]
        raw["windows"][n] = {"name": {"zh": f"{raw['categories'][code]['name']['zh']}{n}号窗口",
                                      "en": f"Window {n} · {signs[code]}"},
                             "primary": [code], "secondary": [codes[n % len(codes)]], "tidal_capable": n == TIDAL}
    pin_hash = next(iter(raw["staff"].values()))["pin_hash"]
    raw["staff"] = {staff_id(n): {"name": f"职员{n}", "pin_hash": pin_hash, "windows": [n]}
                    for n in range(1, windows + 1)}
    return raw


def staff_id(window: int) -> str:
    return str(5000 + window)


def busy(controller, staffed: int) -> dict:
    """Tickets waiting in every category; windows 1..`staffed` logged in, most calling or serving,
    PAUSED paused, TIDAL switched, a few open with nobody at them; the rest closed. Returns the
    window devices by number."""
    from testbed.controller import PIN

    kiosk = controller.device("kiosk-K1")
    for _ in range(3):
        for code in controller.config.categories:
            kiosk.request("issue_ticket", {"category": code})
    windows = {}
    for n in range(1, staffed + 1):
        windows[n] = controller.device(f"window-{n}")
        _ok(windows[n].request("login", {"staff_id": staff_id(n), "pin": PIN}))
    if staffed >= TIDAL:
        _ok(controller.device("admin-shots").request("tidal_switch", {"target_window": TIDAL, "category": "social"}))
    for n, window in windows.items():
        if n in PAUSED:
            _ok(window.request("pause", {"reason": "会议 Meeting"}))
        elif n % 5 != 3:
            _ok(window.request("call_next"))
            if n % 2:
                _ok(window.request("start"))
    return windows


def set_notice(controller, notice: dict | None) -> None:
    _ok(controller.device("admin-shots").request("config_patch", {"patch": {"notice": notice}}))


def _ok(reply: dict) -> dict:
    if not reply.get("ok"):
        raise RuntimeError(f"the hall refused: {reply}")
    return reply


def window_shots(staffed: int) -> list[tuple[str, int]]:
    """(name, window) of each window screen shot: what each of its four modes, and a tidal window, look like."""
    return [("calling", 2), ("paused", PAUSED[0]), ("welcome", 3), ("closed", staffed + 1), ("tidal", TIDAL)]


def show(screen, size) -> None:
    """The screen alone in the window, at `size`."""
    from kivy.core.window import Window

    from testbed.screens import settle

    Window.size = size
    screen.size_hint = (None, None)
    screen.size, screen.pos = size, (0, 0)
    if screen.parent is None:
        Window.add_widget(screen)
    settle(8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the hall and window screens of a large hall")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--windows", type=int, default=24, help="windows in the hall (default 24)")
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES))
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]

    sys.path.insert(0, str(ROOT))
    from appkit import boot

    headless = boot.prepare(size=sizes[0])
    import yaml
    from kivy.animation import Animation
    from kivy.core.window import Window

    from appkit.link import HallLink
    from display.hall_screen import HallScreen
    from display.window_screen import WindowScreen
    from testbed.broker import PrivateBroker
    from testbed.controller import RunningController
    from testbed.screens import layout_problems, screenshot, settle, snapshot

    shoot = snapshot if headless else screenshot  # a real window: the pixels it shows
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = "shots", []
    out, work = Path(args.out), Path(tempfile.mkdtemp(prefix="qms-shots-"))
    staffed = args.windows * 5 // 6
    problems = 0

    def look(screen, tag: str, size, save: bool) -> None:
        nonlocal problems
        show(screen, size)
        if save:
            shoot(out / f"{tag}.png")
        for problem in layout_problems(screen, strict=True):
            problems += 1
            print(f"{tag} {size[0]}x{size[1]}: {problem}")

    with PrivateBroker() as broker:
        controller = RunningController(large_hall(raw, args.windows), work / "hall.db", broker)
        try:
            busy(controller, staffed)
            hall = HallScreen(HallLink("display-hall", "shots", "127.0.0.1", broker.port))
            hall.link.start()
            settle(until=lambda: hall.link.online and hall.ids.tiles.children, timeout=30)
            for index, size in enumerate(sizes):
                set_notice(controller, None)
                settle(until=lambda: not hall.ids.notice.text, timeout=30)
                look(hall, "hall-screen", size, index == 0)
                set_notice(controller, NOTICE)
                line, bar = hall.ids.notice.ids.line, hall.ids.notice
                settle(until=lambda: line.x > bar.width * 0.5, timeout=30)  # it scrolls in from the right
                Animation.cancel_all(line)  # held where its start has scrolled in, whatever the machine's pace
                line.x = bar.x + 0.05 * bar.width
                look(hall, "hall-screen-notice", size, index == 0)
                bar.restart()
            hall.close()
            Window.remove_widget(hall)
            hall.link.stop()
            for name, number in window_shots(staffed):
                screen = WindowScreen(number, HallLink(f"display-window{number}", "shots", "127.0.0.1", broker.port))
                screen.link.start()
                settle(until=lambda: screen.link.online and screen.ids.window_zh.text, timeout=30)
                for index, size in enumerate(sizes):
                    look(screen, f"window-screen-{name}", size, index == 0)
                screen.close()
                Window.remove_widget(screen)
                screen.link.stop()
        finally:
            controller.stop()
    print(f"screenshots in {out} ({'off-screen' if headless else 'a real window'}); {problems} layout problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

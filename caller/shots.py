"""Screenshots of the caller in a large hall, and their layout check.

    python -m caller.shots [--out docs/screenshots] [--large-text 1.25]
    xvfb-run -a -s "-screen 0 1024x600x24" .venv/bin/python -m caller.shots   # in a real X window

It starts a private Mosquitto and the real controller with the large hall of the screens'
shots (24 windows, 12 categories, display/shots.py), made busy, and works one window's caller
through the real broker: tickets called, held, marked no-show, served and badly rated, so the
working page shows tickets set aside and alerts, then each dialog (no-show confirmation,
transfer to 11 categories and 23 windows, call back, pause). Each scene is shot at 1024×600 —
the 7-inch window terminal — once at the normal text size and once in large text (Kivy's font
scale, as a system's large-text setting sets it), and `testbed.screens.layout_problems` is
printed (tests/test_caller_layout.py asserts there are none). The caller's texts are all
bilingual, so one pass checks English too.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1024, 600)
WINDOW = 21  # logged in by the caller itself: windows 1-20 are the busy hall's
LARGE_TEXT = 1.25  # Kivy's font scale in large text: the most a 1024×600 terminal holds


def prepare_hall(controller) -> None:
    """The busy 24-window hall (display.shots.busy), more tickets for the caller's window."""
    from display.shots import busy

    busy(controller, WINDOW - 1)
    kiosk = controller.device("kiosk-K2")
    primary, secondary = controller.config.windows[WINDOW].primary, controller.config.windows[WINDOW].secondary
    for code in primary * 10 + secondary * 2:
        _ok(kiosk.request("issue_ticket", {"category": code}))


def scenes(controller, screen, kiosk):
    """(name, widget to check) of each scene, the screen put into it step by step through the broker."""
    from display.shots import staff_id
    from testbed.controller import PIN
    from testbed.screens import settle

    p = screen.presenter
    settle(until=lambda: p.hall.ready and p.hall.queues and p.online, timeout=30)
    yield "caller-login", screen
    screen.login_entry.staff_id, screen.login_entry.pin = staff_id(WINDOW), PIN
    screen.submit_login()
    settle(until=lambda: p.logged_in and not p.busy, timeout=15)

    def do(action, **fields):
        screen._send(p.command(action, **fields))
        settle(until=lambda: not p.busy, timeout=15)
        if p.message and p.message["kind"] == "error":
            raise RuntimeError(f"{action}: {p.message}")

    day = controller.service.engine.day
    do("call_next")
    do("hold")
    do("call_next")
    do("no_show")
    for _ in range(3):
        do("call_next")
        number = p.current.number
        do("finish")
        token = controller.service.engine.tickets[f"{day}-{number}"].rating_token  # as printed on its slip
        _ok(kiosk.request("rate", {"rating_token": token, "level": 1, "reasons": ["slow"]}))
    settle(until=lambda: len(p.alerts) >= 3 and len(p.hall.held(WINDOW)) >= 2, timeout=15)
    do("call_next")
    yield "caller-calling", screen
    screen.press("no_show")
    yield "caller-no-show-confirm", screen.dialog
    screen.dialog.dismiss()
    do("start")
    settle(until=lambda: ":" in screen.ids.timer.text, timeout=10)
    yield "caller-serving", screen
    screen.press("transfer")
    yield "caller-transfer-dialog", screen.dialog
    screen.dialog.dismiss()
    screen.press("call_back")
    yield "caller-number-dialog", screen.dialog
    screen.dialog.dismiss()
    do("finish")
    screen.press("pause")
    yield "caller-pause-dialog", screen.dialog
    screen.dialog.dismiss()


def run(controller, out: Path | None, font_scale: float, shoot, tag: str = "") -> list[str]:
    """Every scene at SIZE with the given font scale; returns the layout problems found."""
    from kivy.core.window import Window
    from kivy.metrics import Metrics

    from appkit.link import HallLink
    from caller.app import CallerScreen
    from display.shots import show
    from testbed.screens import layout_problems, settle

    before = Metrics.fontscale
    Metrics.fontscale = font_scale  # before the screen is built: its kv rules take sp() then
    problems = []
    screen = CallerScreen(WINDOW, HallLink(f"window-{WINDOW}", controller.hall, "127.0.0.1",
                                           controller.broker.port))
    kiosk = controller.device(f"kiosk-shots{tag or '0'}")
    try:
        show(screen, SIZE)
        screen.link.start()
        for name, widget in scenes(controller, screen, kiosk):
            settle(6)
            if out is not None:
                shoot(out / f"{name}{tag}.png")
            problems += [f"{name}{tag}: {problem}" for problem in layout_problems(widget)]
        screen._send(screen.presenter.command("logout"))
        settle(until=lambda: not screen.presenter.logged_in, timeout=10)
    finally:
        screen.close()
        Window.remove_widget(screen)
        screen.link.stop()
        kiosk.stop()
        Metrics.fontscale = before
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the caller in a 24-window, 12-category hall")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--large-text", type=float, default=LARGE_TEXT, help="the font scale of large text")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from appkit import boot

    headless = boot.prepare(size=SIZE)
    import yaml

    from display.shots import large_hall
    from testbed.broker import PrivateBroker
    from testbed.controller import RunningController
    from testbed.screens import screenshot, snapshot

    shoot = snapshot if headless else screenshot  # a real window: the pixels it shows
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = "shots", []
    out, work = Path(args.out), Path(tempfile.mkdtemp(prefix="qms-caller-shots-"))
    problems = []
    with PrivateBroker() as broker:
        controller = RunningController(large_hall(raw, 24), work / "hall.db", broker)
        try:
            prepare_hall(controller)
            problems += run(controller, out, 1.0, shoot)
            problems += run(controller, out, args.large_text, shoot, "-large-text")
        finally:
            controller.stop()
    for problem in problems:
        print(problem)
    print(f"screenshots in {out} ({'off-screen' if headless else 'a real window'}); {len(problems)} layout problems")
    return 1 if problems else 0


def _ok(reply: dict) -> dict:
    if not reply.get("ok"):
        raise RuntimeError(f"the hall refused: {reply}")
    return reply


if __name__ == "__main__":
    sys.exit(main())

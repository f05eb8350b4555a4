"""A tour of every kiosk and evaluator screen: screenshots for the docs, and a layout check.

    python -m kiosk.shots [--out docs/screenshots] [--sizes 1280x800,800x1280,1920x1080,1080x1920]

It starts a private Mosquitto, the real controller, a virtual printer on a
pty pair and the real app off-screen, puts each screen in a telling state and
saves it, with the layout problems `testbed.screens.layout_problems` finds at
every size (the tests assert there are none).
"""
from __future__ import annotations

import argparse
import copy
import itertools
import os
import sys
import tempfile
from pathlib import Path

from testbed.controller import staffed_window
from testbed.screens import layout_problems, settle, snapshot

ROOT = Path(__file__).resolve().parent.parent
KIOSK_SIZES = ((1280, 800), (800, 1280), (1920, 1080), (1080, 1920))
EVALUATOR_SIZE = (1024, 600)


# Phone numbers of the people the tours book for, one each across every tour of a run.
BOOKED = itertools.count(1)


def kiosk_tour(app, controller, printer, lang: str = "zh", large: bool = False):
    """(name, prepare) for each kiosk screen; prepare() puts the app in that state, in the language
    and text size given (the default tour also shows the home screen switched to large English)."""
    kiosk = app.presenter
    device = controller.device("kiosk-K9")
    for category in ("social", "social", "estate", "general"):
        device.request("issue_ticket", {"category": category})
    for number in (1, 5):
        window = controller.service.engine.windows.get(number)
        if window is None or not window.staff_id:  # a second tour of the same hall finds them staffed
            staffed_window(controller, number)

    def ticket():
        printer.set_status("ok")
        kiosk.take.start(item="B03")
        kiosk.take.choose("normal")
        settle(until=lambda: kiosk.screen == "ticket" and kiosk.ticket.print_state != "printing", timeout=10)

    def group():
        kiosk.take.start(category="social")
        kiosk.take.open_phone()
        for digit in "13812345678":
            kiosk.take.press(digit)
        kiosk.take.phone_done()

    def priority():
        kiosk.take.start(category="social")
        kiosk.take.choose("priority")

    def phone():
        kiosk.take.start(category="social")
        kiosk.take.open_phone()
        for digit in "138123":
            kiosk.take.press(digit)

    def printer_out():
        printer.set_status("paper_out")
        kiosk.take.start(category="tax")
        kiosk.take.choose("normal")
        settle(until=lambda: kiosk.screen == "printer", timeout=10)

    def search():
        kiosk.search.open("ticket")
        for letter in "DJ":
            kiosk.search.press(letter)

    def progress():
        admin = controller.device("admin-shots")
        admin.request("progress_set", {"application_no": "SQ20261123001", "item": "C01", "status": "in_progress",
                                       "note": "材料齐全，正在审核", "applicant_name": "张三丰", "phone": "13812345678"})
        kiosk.go("progress")
        kiosk.progress.reset()
        kiosk.progress.set_text("SQ20261123001")
        kiosk.progress.submit()
        kiosk.progress.set_text("5678")  # the applicant's phone's last four digits
        kiosk.progress.submit()
        settle(until=lambda: not kiosk.progress.asking, timeout=5)

    def progress_code():
        """The second step: the number typed, the query code or the phone's last four digits asked for."""
        kiosk.go("progress")
        kiosk.progress.reset()
        kiosk.progress.set_text("SQ20261123001")
        kiosk.progress.submit()
        kiosk.progress.set_text("56")

    def checkin():
        kiosk.go("checkin")
        kiosk.checkin.set_text("YY2026")

    def book_days():
        kiosk.booking.start("B02")
        settle(until=lambda: all(result is not None for result in kiosk.booking.days.values()), timeout=10)

    def book_slots():
        book_days()
        kiosk.booking.choose_day(next(d.date for d in kiosk.booking.day_choices() if d.open))

    def book_phone():
        book_slots()
        kiosk.booking.choose_slot(next(s.start for s in kiosk.booking.slot_choices() if s.open))
        for digit in "139":
            kiosk.booking.press(digit)

    def book_done():
        book_phone()
        for digit in f"{next(BOOKED):08d}":  # a new person each time: a second booking of one is refused
            kiosk.booking.press(digit)
        kiosk.booking.submit()
        settle(until=lambda: kiosk.booking.step == "done" and kiosk.booking.printed is not None, timeout=10)

    def rate():
        kiosk.rating.start(token="ABCDEFGHIJKLMNOP")
        kiosk.go("rate")
        kiosk.rating.choose_level(2)
        kiosk.rating.toggle_reason("slow")
        kiosk.rating.toggle_phrase(2)

    def rate_code():
        kiosk.go("rate_code")
        kiosk.rate_code.set_text("ABCDEFGH")

    def thanks():
        kiosk.thanks.show({"bad": True}, None)
        kiosk.go("thanks")

    def paused():
        kiosk.go("home")
        kiosk.set_online(False)

    def home():
        kiosk.set_online(True)
        kiosk.lang, kiosk.elderly = lang, large
        kiosk.go("home")

    def large_english():
        kiosk.toggle_lang()
        kiosk.toggle_elderly()

    def search_reset():
        home()
        search()

    switched = [("home-large-text-english", large_english)] if (lang, large) == ("zh", False) else []
    return [("home", home), *switched, ("search", search_reset), ("group", group), ("group-priority", priority),
            ("phone", phone), ("ticket", ticket), ("printer-paper-out", printer_out),
            ("guide", lambda: kiosk.guide.open("C01")), ("progress-code", progress_code), ("progress", progress),
            ("status", lambda: kiosk.go("status")), ("checkin", checkin),
            ("book-days", book_days), ("book-slots", book_slots), ("book-phone", book_phone), ("book-done", book_done),
            ("rate-code", rate_code), ("rate", rate), ("thanks", thanks), ("paused", paused), ("home-again", home)]


def evaluator_tour(app, controller, lang: str = "zh", large: bool = False):
    evaluator = app.presenter
    evaluator.lang, evaluator.elderly = lang, large
    staffed = controller.service.engine.windows.get(evaluator.window)
    if staffed is None or not staffed.staff_id:  # a second tour finds the window staffed
        staffed_window(controller, evaluator.window)
    settle(until=lambda: evaluator.staff[1] != "", timeout=10)

    def rate():
        evaluator.categories["2026-11-23-B007"] = "social"
        evaluator.prompt("2026-11-23-B007", "B007")

    def why():
        evaluator.rating.choose_level(1)
        evaluator.rating.toggle_reason("attitude")
        evaluator.rating.toggle_phrase(0)

    def thanks():
        evaluator.thanks.show({"bad": False}, None)
        evaluator.go("thanks")

    def idle():
        evaluator.go("idle")

    return [("idle", idle), ("rate", rate), ("rate-reasons", why), ("thanks", thanks)]


# (file suffix, language, large text): each tour is shot in these; the large ones at LARGE_SIZES
MODES = (("", "zh", False), ("-large-text-english", "en", True), ("-large-text", "zh", True))
LARGE_SIZES = ((1080, 1920),)
KEY_SCREENS = ("home", "home-large-text-english", "ticket", "guide", "rate", "search", "group", "book-slots", "book-done")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of every kiosk and evaluator screen")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in KIOSK_SIZES))
    parser.add_argument("--only", help="comma-separated screen names")
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]

    sys.path.insert(0, str(ROOT))
    from appkit import boot

    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
    headless = boot.prepare(size=sizes[0])  # under Xvfb a real window, whose pixels are saved
    import yaml
    from kivy.core.window import Window

    from display.shots import large_hall
    from firmware_bridge.virtual.printer import VirtualPrinter
    from kiosk.ui.app import EvaluatorApp, KioskApp
    from testbed.broker import PrivateBroker
    from testbed.controller import RunningController
    from testbed.screens import contrast_problems, screenshot

    shoot = snapshot if headless else screenshot
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = "shots", []
    raw["appointments"]["hours"] = [["08:30", "12:00"], ["13:30", "17:30"]]  # bookings keep the demo's hours
    out = Path(args.out)
    only = set(args.only.split(",")) if args.only else None
    work = Path(tempfile.mkdtemp(prefix="qms-shots-"))
    problems = 0

    def check(root, tag: str) -> None:
        nonlocal problems
        for problem in layout_problems(root, thorough=True) + contrast_problems(root):
            problems += 1
            print(f"{tag}: {problem}")

    with PrivateBroker() as broker:
        # the large hall of a field trial: 24 windows, 12 categories
        controller = RunningController(large_hall(copy.deepcopy(raw), 24), work / "hall.db", broker)
        printer = VirtualPrinter().start_on_pty(work / "printer")
        try:
            app = KioskApp(name="K1", hall="shots", host="127.0.0.1", port=broker.port,
                           printer=f"serial:{printer.device}")
            app._run_prepare()
            settle(until=lambda: app.presenter.screen == "home", timeout=15)
            for suffix, lang, large in MODES:
                tour = kiosk_tour(app, controller, printer, lang=lang, large=large)
                for index, size in enumerate(LARGE_SIZES if large else sizes):
                    Window.size = size
                    for name, prepare in tour:
                        if only and name not in only:
                            continue
                        prepare()
                        settle(6)
                        tag = f"kiosk-{name}{suffix}-{size[0]}x{size[1]}.png"
                        if large or index == 0 or name in KEY_SCREENS:
                            shoot(out / tag)
                        check(app.root, tag)
            app.shutdown()
            Window.remove_widget(app.root)
            for size in (EVALUATOR_SIZE, (1080, 1920)):
                Window.size = size
                settle(4)
                app = EvaluatorApp(window=3, hall="shots", host="127.0.0.1", port=broker.port)
                app._run_prepare()
                Window.size = size
                settle(until=lambda: app.presenter.screen == "idle", timeout=15)
                for suffix, lang, large in MODES[:2]:
                    for name, prepare in evaluator_tour(app, controller, lang=lang, large=large):
                        prepare()
                        settle(6)
                        tag = f"evaluator-{name}{suffix}-{size[0]}x{size[1]}.png"
                        shoot(out / tag)
                        check(app.root, tag)
                app.shutdown()
                Window.remove_widget(app.root)
        finally:
            printer.stop()
            controller.stop()
    print(f"screenshots in {out}; {problems} layout problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

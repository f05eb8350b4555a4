"""Screenshots of the public pages for the docs, in a real browser against a real hall.

    python -m web.shots [--out docs/screenshots] [--sizes 360x640,1280x800]

It starts a private Mosquitto, the real controller (on a thread), `main.py web` and headless
chromium, puts the hall in a telling state (windows staffed, tickets waiting, a few called) and
saves each page as the viewport shows it, and the guide's whole length at a phone's width.
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((360, 640), (1280, 800))
PAGES = (("hall", "/hall"), ("guides", "/guides?q=GJJ"), ("guide", "/guides/C03"), ("notice", "/guides/C03/notice"))


def busy_hall(controller) -> None:
    """Windows open and serving, people waiting in most queues, the latest calls on the board."""
    from testbed.controller import staffed_window

    kiosk = controller.device("kiosk-K9")
    for category, n in (("general", 5), ("social", 9), ("estate", 4), ("business", 2), ("tax", 3), ("fund", 1)):
        for _ in range(n):
            kiosk.request("issue_ticket", {"category": category, "group": "normal", "lang": "zh"})
    for number in (1, 3, 4, 5, 7, 9):
        window = staffed_window(controller, number)
        window.request("call_next")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the web tier's public pages")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--sizes", default=",".join(f"{w}x{h}" for w, h in SIZES))
    args = parser.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    sys.path.insert(0, str(ROOT))
    import yaml

    from testbed.broker import PrivateBroker
    from testbed.controller import RunningController
    from testbed.web import Browser, WebProcess

    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"], raw["ticketing_hours"] = "webshots", []
    out, work = Path(args.out), Path(tempfile.mkdtemp(prefix="qms-webshots-"))
    config = work / "hall.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with PrivateBroker() as broker:
        controller = RunningController(copy.deepcopy(raw), work / "hall.db", broker)
        web = browser = None
        try:
            busy_hall(controller)
            web = WebProcess(config, broker.port, work / "web.log").wait_ready()
            browser = Browser()
            for width, height in sizes:
                browser.view(width, height)
                for name, path in PAGES:
                    browser.open(web.url(path))
                    target = out / f"web-{name}-{width}x{height}.png"
                    browser.screenshot(target)
                    print(target)
            browser.view(*sizes[0])
            browser.open(web.url("/guides/C03"))
            target = out / f"web-guide-{sizes[0][0]}-full.png"
            browser.screenshot(target, full=True)
            print(target)
        finally:
            if browser is not None:
                browser.quit()
            if web is not None:
                web.stop()
            controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

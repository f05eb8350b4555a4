"""The kiosk in `main.py demo`: real windows when there is a display, a scripted visit when not.

With a display, a kiosk (with a virtual printer on a pty pair) and the
evaluator of one window open as their own `main.py kiosk` processes on the
demo's broker, for a person to touch. Headless, near the end of the demo a
scripted citizen uses an off-screen kiosk for a few seconds — home, a ticket
taken by touch, the hall's queues — and the screens are saved as PNGs.

    python -m kiosk.demo --broker 127.0.0.1:PORT --hall demo --out DIR   # the scripted visit alone
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from testbed.processes import die_with_parent, stop_process

ROOT = Path(__file__).resolve().parent.parent
EVALUATOR_WINDOW = 3


def add_options(parser) -> None:
    parser.add_argument("--no-kiosk", action="store_true",
                        help="no kiosk in the demo (neither windows nor the headless screenshots)")


class DemoKiosk:
    def __init__(self, config, args, port: int, workdir: Path):
        self.config, self.args, self.port, self.workdir = config, args, port, Path(workdir)
        self.enabled = not getattr(args, "no_kiosk", False)
        self.processes: list[subprocess.Popen] = []
        self.printer = None

    @property
    def windowed(self) -> bool:
        from appkit.boot import has_display

        return self.enabled and has_display()

    def start(self) -> None:
        if not self.windowed:
            return
        from firmware_bridge.virtual.printer import VirtualPrinter

        self.printer = VirtualPrinter().start_on_pty(self.workdir / "printer")
        common = [sys.executable, str(ROOT / "main.py"), "kiosk", "--hall", self.config.hall,
                  "--broker", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        for extra in (["--name", "K0", "--printer", f"serial:{self.printer.device}", "--size", "1280x800"],
                      ["--mode", "evaluator", "--window", str(EVALUATOR_WINDOW), "--size", "1024x600"]):
            self.processes.append(subprocess.Popen(common + extra, cwd=ROOT, stdin=subprocess.DEVNULL,
                                                   preexec_fn=die_with_parent))
        print(f"kiosk K0 and the evaluator of window {EVALUATOR_WINDOW} are open; "
              f"printed tickets go to the virtual printer {self.printer.device}", flush=True)

    def finish(self) -> None:
        """Headless: the scripted visit, while the hall is still running."""
        if not self.enabled or self.windowed:
            return
        out = self.workdir / "kiosk-screens"
        try:
            result = subprocess.run([sys.executable, "-m", "kiosk.demo", "--broker", f"127.0.0.1:{self.port}",
                                     "--hall", self.config.hall, "--out", str(out)], cwd=ROOT, timeout=60,
                                    stdin=subprocess.DEVNULL, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            print("kiosk: the scripted visit did not finish within 60 s; skipped", flush=True)
            return
        print(result.stdout.strip() or f"kiosk: the scripted visit failed: {result.stderr.strip()[-500:]}",
              flush=True)

    def stop(self) -> None:
        for process in self.processes:
            stop_process(process)
        self.processes = []
        if self.printer is not None:
            self.printer.stop()
            self.printer = None


def scripted_visit(host: str, port: int, hall: str, out: Path) -> list[Path]:
    """An off-screen kiosk on the demo's hall: home, a ticket taken by touch, the queues. Returns the PNGs."""
    from appkit import boot

    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
    boot.prepare(headless=True, size=(1280, 800))
    from testbed.screens import settle, snapshot, tap

    from .ui.app import KioskApp

    app = KioskApp(name="Kdemo", hall=hall, host=host, port=port)
    app._run_prepare()
    shots = []
    try:
        settle(until=lambda: app.presenter.screen == "home" and app.presenter.home.tiles(), timeout=20)
        settle(10)
        shots.append(snapshot(out / "kiosk-home.png"))
        tiles = app.root.current_screen.ids.tiles.children
        busiest = max(app.presenter.home.tiles(), key=lambda t: int("".join(filter(str.isdigit, t.waiting.zh)) or 0))
        tap(next(t for t in tiles if t.key == busiest.code))
        settle(4)
        tap(next(w for w in app.root.current_screen.walk(restrict=True) if getattr(w, "key", None) == "normal"))
        settle(until=lambda: app.presenter.screen in ("ticket", "group"), timeout=10)
        settle(until=lambda: app.presenter.screen == "ticket" or app.presenter.take.error, timeout=10)
        shots.append(snapshot(out / "kiosk-ticket.png"))
        number = app.presenter.ticket.number if app.presenter.screen == "ticket" else None
        app.presenter.go("status")
        settle(6)
        shots.append(snapshot(out / "kiosk-status.png"))
    finally:
        app.shutdown()
    print(f"kiosk: a scripted citizen took {number or 'no ticket'} by touch; screens in {out}", flush=True)
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A scripted visit to an off-screen kiosk (the headless demo)")
    parser.add_argument("--broker", required=True)
    parser.add_argument("--hall", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    from contract.client import parse_broker

    host, port = parse_broker(args.broker)
    scripted_visit(host, port, args.hall, Path(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

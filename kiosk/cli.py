"""`main.py kiosk`: the touch kiosk, or (`--mode evaluator --window N`) a window's rating screen."""
from __future__ import annotations

import os
import sys

from appkit.cli import add_hall_option, connection
from contract.privacy import read_salt


def id_salt(path: str | None) -> bytes | None:
    """The hall's secret salt for ID numbers, or None without one: then the kiosk hashes no ID number
    itself (a bridge's reader hashes with its own copy of the salt). Never a default anyone can know."""
    if not path:
        return None
    try:
        return read_salt(path)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"kiosk: --id-salt-file: {exc}") from None


def parse_size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"kiosk: bad --size {text!r}: use WIDTHxHEIGHT, e.g. 1280x800") from None
    return width, height


def run_kiosk(args) -> int:
    from .printing.transport import SpecError, parse_spec

    if args.mode == "evaluator" and not args.window:
        raise SystemExit("kiosk: evaluator mode needs --window N (the window it stands at)")
    try:
        parse_spec(args.printer)
    except SpecError as exc:
        raise SystemExit(f"kiosk: {exc}") from None
    hall, broker = connection(args)

    from appkit import boot

    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
    boot.prepare(size=parse_size(args.size), fullscreen=args.fullscreen)
    from .ui.app import EvaluatorApp, KioskApp

    common = {"hall": hall, "host": broker.host, "port": broker.port,
              "password": broker.password, "tls_ca": broker.tls_ca}
    if args.mode == "evaluator":
        app = EvaluatorApp(window=args.window, **common)
    else:
        app = KioskApp(name=args.name, printer=args.printer, printer_width=args.printer_width, id_reader=args.id_reader,
                       id_salt=id_salt(args.id_salt_file), **common)
    import signal

    from kivy.clock import Clock

    # systemd stops with SIGTERM: leave through App.stop, so the link says goodbye (retained offline).
    signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda dt: app.stop()))
    app.run()
    return 0


def add_parser(sub, common) -> None:
    p = sub.add_parser("kiosk", help="the touch kiosk: tickets, guides, progress, ratings, printing",
                       description="Run the touch kiosk (取号机) or, with --mode evaluator, a window's "
                                   "rating screen (评价器).")
    common(p)
    p.add_argument("--name", default=os.environ.get("QMS_KIOSK_NAME", "K1"),
                   help="this kiosk's name: it logs in as kiosk-<name> (env QMS_KIOSK_NAME); an evaluator logs in "
                        "as evaluator-<window>")
    add_hall_option(p)
    p.add_argument("--mode", choices=["kiosk", "evaluator"], default="kiosk")
    p.add_argument("--window", type=int, help="evaluator mode: the window it stands at")
    p.add_argument("--printer", default=os.environ.get("QMS_PRINTER", "none"),
                   help="none, file:/path, serial:/dev/ttyUSB0[:baud], usb:VID:PID, network:host:port, or "
                        "bridge:BRIDGE/PRINTER for a printer on a firmware bridge (env QMS_PRINTER)")
    p.add_argument("--printer-width", type=int, default=48, choices=[32, 42, 48],
                   help="characters per line: 48 on 80 mm paper, 32 on 58 mm")
    p.add_argument("--id-salt-file", default=os.environ.get("QMS_ID_SALT_FILE"),
                   help="secret salt for ID card numbers, the same on every kiosk of the hall (env QMS_ID_SALT_FILE)")
    p.add_argument("--id-reader", default=os.environ.get("QMS_ID_READER"), metavar="BRIDGE/DEVICE",
                   help="the ID card reader of this kiosk on a firmware bridge, e.g. bridge-K1/idreader "
                        "(env QMS_ID_READER); without one, real names are by phone number")
    p.add_argument("--fullscreen", action="store_true", help="full screen, no cursor (a kiosk on its own screen)")
    p.add_argument("--size", help="window size WIDTHxHEIGHT, e.g. 1280x800 or 1080x1920")
    p.set_defaults(func=run_kiosk)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run it as: python main.py kiosk --name K1")

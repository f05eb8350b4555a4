"""What the hall's device processes read from their command line: the hall, the broker, the password,
and the options every screen process shares. No Kivy here: main.py imports it for every subcommand."""
from __future__ import annotations

import os
from pathlib import Path

from config.loader import load_file
from contract.client import parse_broker


def add_hall_option(parser) -> None:
    parser.add_argument("--hall", default=os.environ.get("QMS_HALL"),
                        help="hall id (env QMS_HALL; default: the `hall` of --config): a device box needs no hall file")


def connection(args) -> tuple[str, str, int, str | None]:
    """(hall id, host, port, password) from main.py's common options and --hall."""
    hall = getattr(args, "hall", None)
    if not hall:
        try:
            hall = str(load_file(args.config)[0]["hall"])
        except (OSError, KeyError, TypeError, ValueError) as exc:
            raise SystemExit(f"give --hall (the hall id could not be read from {args.config}: {exc})") from None
    host, port = parse_broker(args.broker)
    password = Path(args.password_file).read_text(encoding="utf-8").strip() if args.password_file else None
    return hall, host, port, password


def add_screen_options(parser) -> None:
    """The options every screen process shares."""
    parser.add_argument("--fullscreen", action="store_true", help="fill the screen, no cursor (production)")
    parser.add_argument("--max-fps", type=int, default=60,
                        help="frames per second at most (default 60; lower on a box without a GPU)")
    parser.add_argument("--snapshot", metavar="PNG", help="write the last frame to this PNG when stopping")


def limit_fps(fps: int) -> None:
    """Kivy draws, and handles messages, at most this often (boot.prepare has run, and has
    already created Kivy's Clock, which read its limit from the config then)."""
    from kivy.clock import Clock
    from kivy.config import Config

    Config.set("graphics", "maxfps", str(max(1, fps)))
    Clock._max_fps = float(max(1, fps))

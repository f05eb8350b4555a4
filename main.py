#!/usr/bin/env python3
"""One entry point, one subcommand per process of the hall (see README)."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from appkit.cli import ENV, add_broker_options, broker_of


def setup_logging(level: str) -> None:
    fmt = "%(levelname)s %(name)s: %(message)s"
    if sys.stderr.isatty():
        fmt = "%(asctime)s " + fmt
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO), format=fmt, stream=sys.stderr)


def common(parser: argparse.ArgumentParser, *, db: bool = False) -> None:
    parser.add_argument("--config", default=os.environ.get(ENV["config"], "config/hall.yaml"),
                        help="hall config file (env QMS_CONFIG; default config/hall.yaml)")
    add_broker_options(parser)
    parser.add_argument("--log-level", default=os.environ.get(ENV["log_level"], "info"),
                        choices=["debug", "info", "warning", "error"], help="(env QMS_LOG_LEVEL)")
    if db:
        parser.add_argument("--db", default=os.environ.get(ENV["db"], "hall.db"),
                            help="SQLite file of the controller (env QMS_DB; default hall.db)")


def cmd_controller(args) -> int:
    from controller.run import run_controller

    return run_controller(args.config, args.db, broker_of(args), synchronous=args.synchronous,
                          clock_start=args.clock_start, clock_speed=args.clock_speed, data_key=args.data_key,
                          config_wins=args.config_wins)


def cmd_config_export(args) -> int:
    from controller.run import export_config

    return export_config(args.db, args.out, args.data_key)


def cmd_rotate_key(args) -> int:
    from controller.run import rotate_key

    return rotate_key(args.db, args.data_key)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qms", description="Hall queue-calling system (叫号系统)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("controller", help="the hall controller: owns the queue, the store and the state",
                       description="Run the hall controller (single writer of the queue).")
    common(p, db=True)
    p.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"],
                   help="SQLite sync: FULL survives power loss, NORMAL only a crash (default FULL)")
    p.add_argument("--clock-start", metavar="HH:MM", help="demo only: start the hall clock at this time today")
    p.add_argument("--clock-speed", type=float, default=1.0, help="demo only: run the hall clock this many times faster")
    key_help = ("the hall's data key, which seals phone numbers in the store (0600; env QMS_DATA_KEY; "
                "default <db>.key, made with a new database)")
    p.add_argument("--data-key", default=os.environ.get(ENV["data_key"]), metavar="FILE", help=key_help)
    p.add_argument("--config-wins", choices=["file", "live"],
                   help="when the hall file was edited and the live config was changed over MQTT too: which "
                        "one to start from (without it the controller refuses to start and says what differs)")
    p.set_defaults(func=cmd_controller)
    tools = p.add_subparsers(dest="tool", metavar="TOOL")
    r = tools.add_parser("rotate-key", help="seal the store's phone numbers with a new data key (controller stopped)",
                         description="Make a new data key, seal every stored phone number with it and drop "
                                     "the old key. Stop the controller first (docs/operations.md).")
    # given after rotate-key or before it, as for the controller (SUPPRESS: the controller's value stands)
    r.add_argument("--db", default=argparse.SUPPRESS, help="as for the controller")
    r.add_argument("--data-key", default=argparse.SUPPRESS, metavar="FILE", help=key_help)
    r.set_defaults(func=cmd_rotate_key)
    e = tools.add_parser("config-export", help="write the store's live config as YAML (controller stopped or not)",
                         description="Write the newest config version of the store — the live config, with "
                                     "every change made over MQTT — as a YAML hall file.")
    e.add_argument("--db", default=argparse.SUPPRESS, help="as for the controller")
    e.add_argument("--data-key", default=argparse.SUPPRESS, metavar="FILE", help=key_help)
    e.add_argument("--out", metavar="FILE", help="the file to write (default: standard output)")
    e.set_defaults(func=cmd_config_export)

    from admin.cli import add_parser as add_admin
    add_admin(sub, common)

    from admin.add_device import add_parser as add_device
    add_device(sub, common)

    from demo.run import add_parser as add_demo
    add_demo(sub, common)

    from simulator.cli import add_parser as add_simulate
    add_simulate(sub)

    from kiosk.cli import add_parser as add_kiosk
    add_kiosk(sub, common)

    from firmware_bridge.run import add_parser as add_bridge
    add_bridge(sub, common)

    from caller.run import add_parser as add_caller
    add_caller(sub, common)

    from display.run import add_parser as add_display
    add_display(sub, common)

    from display.voice.run import add_parser as add_voice
    add_voice(sub, common)

    from web.run import add_parser as add_web
    add_web(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

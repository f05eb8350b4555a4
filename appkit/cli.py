"""What the hall's processes read from their command line: the hall, the broker (its address, this
device's password, the hall CA for TLS), and the options every screen process shares. No Kivy here:
main.py imports it for every subcommand, the controller's included."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from config.loader import load_file
from contract.client import PLAIN_PORT, TLS_PORT, parse_broker

ENV = {"config": "QMS_CONFIG", "broker": "QMS_BROKER", "db": "QMS_DB", "log_level": "QMS_LOG_LEVEL",
       "password_file": "QMS_PASSWORD_FILE", "tls_ca": "QMS_TLS_CA", "data_key": "QMS_DATA_KEY"}


@dataclass(frozen=True)
class Broker:
    """How one process reaches the hall's broker: HallClient(..., **broker.client_options())."""

    host: str
    port: int
    password: str | None = None
    tls_ca: str | None = None

    def client_options(self) -> dict:
        return {"host": self.host, "port": self.port, "password": self.password, "tls_ca": self.tls_ca}


def add_broker_options(parser) -> None:
    parser.add_argument("--broker", default=os.environ.get(ENV["broker"], "127.0.0.1"),
                        help=f"MQTT broker HOST[:PORT] (env QMS_BROKER; default 127.0.0.1, port {PLAIN_PORT}, "
                             f"or {TLS_PORT} with --tls-ca)")
    parser.add_argument("--password-file", default=os.environ.get(ENV["password_file"]),
                        help="file holding this device's MQTT password (env QMS_PASSWORD_FILE)")
    parser.add_argument("--tls-ca", default=os.environ.get(ENV["tls_ca"]), metavar="FILE",
                        help="the hall CA's certificate (PEM): connect with TLS and accept only a broker "
                             "certificate it signed for the host given (env QMS_TLS_CA; scripts/make-hall-ca.sh)")


def broker_of(args) -> Broker:
    """The broker options of main.py's common options."""
    tls_ca = args.tls_ca or None
    if tls_ca and not Path(tls_ca).is_file():
        raise SystemExit(f"--tls-ca {tls_ca}: no such file")
    try:
        host, port = parse_broker(args.broker, TLS_PORT if tls_ca else PLAIN_PORT)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    password = Path(args.password_file).read_text(encoding="utf-8").strip() if args.password_file else None
    return Broker(host, port, password, tls_ca)


def add_hall_option(parser) -> None:
    parser.add_argument("--hall", default=os.environ.get("QMS_HALL"),
                        help="hall id (env QMS_HALL; default: the `hall` of --config): a device box needs no hall file")


def hall_of(args) -> str:
    """--hall, else the `hall` of --config (a device box may have no hall file of its own)."""
    hall = getattr(args, "hall", None)
    if hall:
        return hall
    try:
        return str(load_file(args.config)[0]["hall"])
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise SystemExit(f"give --hall (the hall id could not be read from {args.config}: {exc})") from None


def connection(args) -> tuple[str, Broker]:
    """(hall id, broker) from main.py's common options and --hall."""
    return hall_of(args), broker_of(args)


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

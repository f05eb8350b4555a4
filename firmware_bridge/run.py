"""`main.py bridge`: read the bridge config, check it strictly, run the bridge until SIGTERM."""
from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from config.schema import ConfigError
from contract.client import parse_broker

from .bridge import Bridge
from .config import load

log = logging.getLogger("bridge")


def run_bridge(args) -> int:
    try:
        config = load(args.config)
        host, port = parse_broker(args.broker)
        password = Path(args.password_file).read_text().strip() if args.password_file else None
        bridge = Bridge(config, host, port, password=password)
    except (ConfigError, OSError, ValueError) as exc:
        print(f"bridge: {args.config}: {exc}", file=sys.stderr)
        return 2

    def stop(signum, frame):
        log.info("signal %d: stopping", signum)
        bridge.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("%s for hall %s: %s", config.device_id, config.hall,
             ", ".join(f"{name} ({p.driver} on {p.path}: {', '.join(p.devices)})" for name, p in config.ports.items()))
    bridge.run()
    return 0


def add_parser(sub, common) -> None:
    p = sub.add_parser("bridge", help="serial keypads, evaluators, LED screens, printers, ID readers <-> MQTT",
                       description="Run the firmware bridge: the serial devices of config/bridge.yaml become MQTT "
                                   "devices of the hall (docs/devices.md).")
    common(p)
    for action in p._actions:
        if action.dest == "config":  # the bridge reads its own file, not the hall's
            action.default = os.environ.get("QMS_BRIDGE_CONFIG", "config/bridge.yaml")
            action.help = "bridge config file (env QMS_BRIDGE_CONFIG; default config/bridge.yaml)"
    p.set_defaults(func=run_bridge)

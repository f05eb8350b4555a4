"""`main.py bridge`: read the bridge config, check it strictly, run the bridge until SIGTERM."""
from __future__ import annotations

import logging
import os
import signal
import sys

from appkit.cli import broker_of
from config.schema import ConfigError

from .bridge import Bridge
from .config import load

log = logging.getLogger("bridge")


def run_bridge(args) -> int:
    try:
        config = load(args.config)
        broker = broker_of(args)
        bridge = Bridge(config, broker.host, broker.port, password=broker.password, tls_ca=broker.tls_ca)
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

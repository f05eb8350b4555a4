"""The repository's deployment files in use: Mosquitto with hall.conf and hall.acl, device logins, units."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess

import pytest

from contract.client import HallClient
from testbed.broker import PrivateBroker
from testbed.controller import ROOT
from testbed.processes import free_port

DEVICES = ("controller", "kiosk-K1", "window-3", "window-4")


@pytest.fixture(scope="module")
def hall_broker():
    """Mosquitto with the repository's hall.conf and hall.acl, paths moved to a temp dir."""
    port = free_port()
    broker = PrivateBroker(port=port)
    conf = (ROOT / "config/mosquitto/hall.conf").read_text()
    conf = conf.replace("/etc/qms/", f"{broker.dir}/").replace("listener 1883", f"listener {port} 127.0.0.1")
    conf = conf.replace("persistence true", "persistence false").replace("log_dest syslog", "log_dest stderr")
    broker.conf.write_text(conf)
    shutil.copy(ROOT / "config/mosquitto/hall.acl", broker.dir / "mosquitto.acl")
    passwd = broker.dir / "mosquitto.passwd"
    env = {**os.environ, "QMS_PASSWD_FILE": str(passwd), "QMS_SECRETS_DIR": str(broker.dir / "secrets"),
           "QMS_USER": "root"}
    for device in DEVICES:
        subprocess.run([str(ROOT / "scripts/add-device.sh"), device], check=True, env=env, capture_output=True)
    for path in [passwd, broker.dir / "mosquitto.acl", *(broker.dir / "secrets").iterdir()]:
        os.chmod(path, 0o644)  # readable by the mosquitto user the broker drops to
    os.chmod(broker.dir / "secrets", 0o755)
    broker.start()
    yield broker
    broker.stop()


def password(broker, device):
    return (broker.dir / "secrets" / f"{device}.password").read_text().strip()


def connect(broker, device, deliver=None, watch=()):
    client = HallClient(device, "h1", "127.0.0.1", broker.port, password=password(broker, device), deliver=deliver)
    for topic in watch:
        client.subscribe(topic)
    assert client.start(wait=5), f"{device} could not log in"
    return client


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(ROOT / "systemd" / name)
    return parser

"""The repository's deployment files in use: Mosquitto with hall.conf and hall.acl (and its TLS listener with
certificates from scripts/make-hall-ca.sh), device logins, units."""
from __future__ import annotations

import configparser
import os
import shutil
import signal
import subprocess
import time

import pytest

from contract.client import HallClient
from testbed.broker import PrivateBroker
from testbed.controller import ROOT
from testbed.processes import free_port

DEVICES = ("controller", "kiosk-K1", "window-3", "window-4", "admin-ops")


def make_ca(folder, *names: str) -> None:
    subprocess.run([str(ROOT / "scripts/make-hall-ca.sh"), *names], check=True, capture_output=True,
                   env={**os.environ, "QMS_TLS_DIR": str(folder)})


@pytest.fixture(scope="module")
def hall_broker():
    """Mosquitto with the repository's hall.conf and hall.acl, paths moved to a temp dir, its TLS
    certificates made by scripts/make-hall-ca.sh (for localhost and 127.0.0.1)."""
    port, tls_port = free_port(), free_port()
    broker = PrivateBroker(port=port)
    broker.tls_port = tls_port
    make_ca(broker.dir / "tls", "localhost", "127.0.0.1")
    conf = (ROOT / "config/mosquitto/hall.conf").read_text()
    assert "listener 1883 127.0.0.1\n" in conf and "listener 8883\n" in conf
    conf = conf.replace("/etc/qms/", f"{broker.dir}/").replace("listener 1883 127.0.0.1", f"listener {port} 127.0.0.1")
    conf = conf.replace("listener 8883", f"listener {tls_port}")
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


def add_device(broker, *devices: str) -> None:
    """More logins on the running broker, made by scripts/add-device.sh as an operator makes them."""
    env = {**os.environ, "QMS_PASSWD_FILE": str(broker.dir / "mosquitto.passwd"),
           "QMS_SECRETS_DIR": str(broker.dir / "secrets"), "QMS_USER": "root"}
    for device in devices:
        subprocess.run([str(ROOT / "scripts/add-device.sh"), device], check=True, env=env, capture_output=True)
    for path in [broker.dir / "mosquitto.passwd", *(broker.dir / "secrets").iterdir()]:
        os.chmod(path, 0o644)
    broker.process.send_signal(signal.SIGHUP)  # Mosquitto reads its password file again
    time.sleep(0.3)


def pair_kiosk(broker, kiosk: str, *devices: str) -> None:
    """scripts/pair-kiosk.sh on the broker's ACL (`--printer B/P`, `--id-reader B/R`), and the broker reads
    it again, as an operator gives a kiosk its printer and reader on a bridge."""
    subprocess.run([str(ROOT / "scripts/pair-kiosk.sh"), kiosk, *devices], check=True, capture_output=True,
                   env={**os.environ, "QMS_ACL_FILE": str(broker.dir / "mosquitto.acl")})
    broker.process.send_signal(signal.SIGHUP)
    time.sleep(0.3)


def password(broker, device):
    return (broker.dir / "secrets" / f"{device}.password").read_text().strip()


def connect(broker, device, deliver=None, watch=(), tls_ca=None, hall="h1"):
    port = broker.tls_port if tls_ca else broker.port
    client = HallClient(device, hall, "127.0.0.1", port, password=password(broker, device), deliver=deliver,
                        tls_ca=tls_ca)
    for topic in watch:
        client.subscribe(topic)
    assert client.start(wait=5), f"{device} could not log in"
    return client


def listening(port: int) -> set[str]:
    """The local addresses a socket listens on at `port`, as the kernel has them (/proc/net/tcp*)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        with open(table) as handle:
            for line in handle.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port and len(address) == width:
                    found.add(address)
    return found


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(ROOT / "systemd" / name)
    return parser

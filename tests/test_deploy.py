"""The deployment files: the hall's Mosquitto users and ACL, and the systemd units."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from contract.client import HallClient
from demo.broker import PrivateBroker, free_port
from tests.conftest import ROOT, Inbox

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


def test_devices_are_bound_to_their_own_topics(hall_broker):
    seen = Inbox()
    controller = connect(hall_broker, "controller", deliver=seen, watch=("qms/h1/cmd/#",))
    w3_inbox = Inbox()
    w3 = connect(hall_broker, "window-3", deliver=w3_inbox, watch=("qms/h1/reply/window-3", "qms/h1/reply/window-4",
                                                                    "qms/h1/state/#"))
    kiosk = connect(hall_broker, "kiosk-K1")
    try:
        time.sleep(0.2)
        w3.publish("qms/h1/cmd/window-4/call_next", {"id": "spoof"})     # denied: not its own
        kiosk.publish("qms/h1/state/queues", {"fake": True}, retain=True)  # denied: only the controller
        w3.publish("qms/h1/cmd/window-3/call_next", {"id": "mine"})       # allowed
        seen.wait_for(lambda t, d: t == "qms/h1/cmd/window-3/call_next")
        controller.publish("qms/h1/reply/window-4", {"id": "for-4"})
        controller.publish("qms/h1/reply/window-3", {"id": "for-3"})
        controller.publish("qms/h1/state/queues", {"real": True}, retain=True)
        w3_inbox.wait_for(lambda t, d: t == "qms/h1/reply/window-3")
        w3_inbox.wait_for(lambda t, d: t == "qms/h1/state/queues" and d == {"real": True})
        time.sleep(0.3)
        assert [m.topic for m in seen.messages if "/cmd/" in m.topic] == ["qms/h1/cmd/window-3/call_next"]
        assert not [m for m in w3_inbox.messages if m.topic == "qms/h1/reply/window-4"]
        assert not [m for m in w3_inbox.messages if m.topic == "qms/h1/state/queues" and m.json() == {"fake": True}]
    finally:
        for client in (controller, w3, kiosk):
            client.stop()


@pytest.mark.parametrize("username, secret", [(None, None), ("window-3", "wrong"), ("intruder", "x")])
def test_strangers_cannot_log_in(hall_broker, username, secret):
    refused = threading.Event()

    def on_connect(client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            refused.set()

    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    if username:
        client.username_pw_set(username, secret)
    client.on_connect = on_connect
    client.connect("127.0.0.1", hall_broker.port)
    client.loop_start()
    try:
        assert refused.wait(5)
    finally:
        client.loop_stop()
        client.disconnect()


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(ROOT / "systemd" / name)
    return parser


def test_controller_unit_runs_the_venv_controller_and_restarts():
    service = unit("qms-controller.service")["Service"]
    assert service["Restart"] == "always"
    assert service["ExecStart"] == "/opt/qms/.venv/bin/python /opt/qms/main.py controller"
    text = (ROOT / "systemd/qms-controller.service").read_text()
    for line in ("Environment=QMS_CONFIG=/etc/qms/hall.yaml", "Environment=QMS_DB=/var/lib/qms/hall.db",
                 "Environment=QMS_PASSWORD_FILE=/etc/qms/secrets/controller.password", "After=qms-broker.service"):
        assert line in text


def test_broker_unit_uses_the_hall_config():
    service = unit("qms-broker.service")["Service"]
    assert service["ExecStart"] == "/usr/sbin/mosquitto -c /etc/qms/mosquitto.conf"
    assert service["Restart"] == "always"


def test_controller_help_lists_its_options():
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "controller", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for option in ("--config", "--broker", "--db", "QMS_CONFIG", "QMS_BROKER", "QMS_DB"):
        assert option in out

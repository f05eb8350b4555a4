"""The deployment files: the hall's Mosquitto users and ACL, and the systemd units."""
from __future__ import annotations

import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from testbed.controller import ROOT
from tests.support.deploy import connect, hall_broker, unit  # noqa: F401  (hall_broker: the module's broker)
from tests.support.hall import Inbox

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

"""The deployment files: the hall's Mosquitto users, ACL and TLS listener, and the systemd units."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from appkit.cli import broker_of
from contract.client import HallClient
from main import build_parser
from testbed.controller import ROOT
from tests.support.deploy import hall_broker  # noqa: F401  (the module's broker)
from tests.support.deploy import connect, listening, make_ca, password, unit
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
                 "Environment=QMS_PASSWORD_FILE=/etc/qms/secrets/controller.password", "After=qms-broker.service",
                 "Environment=QMS_DATA_KEY=/etc/qms/secrets/data.key"):
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


def test_the_plain_listener_is_this_box_only_and_tls_is_for_the_hall(hall_broker):
    assert listening(hall_broker.port) == {"0100007F"}  # 127.0.0.1, and no IPv6 socket
    assert "00000000" in listening(hall_broker.tls_port)  # every address: the other boxes reach it


def test_a_device_reaches_the_controller_over_tls_with_the_hall_ca(hall_broker):
    ca = str(hall_broker.dir / "tls" / "hall-ca.crt")
    seen, w3_inbox = Inbox(), Inbox()
    controller = connect(hall_broker, "controller", deliver=seen, watch=("qms/h1/cmd/#",))  # plain, on the box
    w3 = connect(hall_broker, "window-3", deliver=w3_inbox, watch=("qms/h1/reply/window-3",), tls_ca=ca)
    try:
        w3.publish("qms/h1/cmd/window-3/call_next", {"id": "over-tls"})
        seen.wait_for(lambda t, d: t == "qms/h1/cmd/window-3/call_next" and d == {"id": "over-tls"})
        controller.publish("qms/h1/reply/window-3", {"id": "over-tls", "ok": True})
        w3_inbox.wait_for(lambda t, d: t == "qms/h1/reply/window-3" and d["id"] == "over-tls")
    finally:
        w3.stop()
        controller.stop()
    checked = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{hall_broker.tls_port}", "-CAfile", ca,
                              "-verify_return_error", "-verify_ip", "127.0.0.1", "-brief"],
                             input="", capture_output=True, text=True, timeout=20)
    assert checked.returncode == 0 and "Verification: OK" in checked.stderr, checked.stderr


def test_a_client_with_another_ca_or_without_tls_is_refused(hall_broker, tmp_path, caplog):
    make_ca(tmp_path / "other", "localhost", "127.0.0.1")  # a CA of its own, same names: not the hall's
    other = HallClient("window-4", "h1", "127.0.0.1", hall_broker.tls_port, password=password(hall_broker, "window-4"),
                       tls_ca=str(tmp_path / "other" / "hall-ca.crt"))
    plain = HallClient("window-3", "h1", "127.0.0.1", hall_broker.tls_port, password=password(hall_broker, "window-3"))
    try:
        with caplog.at_level(logging.WARNING, logger="contract.client"):
            other.start(wait=None)
            plain.start(wait=None)
            assert not other.connected.wait(3) and not plain.connected.wait(0.5)
        assert "certificate verify failed" in caplog.text
    finally:
        other.stop()
        plain.stop()


def test_the_admin_cli_and_a_screens_link_take_the_hall_ca(hall_broker, hall_raw, tmp_path):
    from appkit.link import HallLink
    from config.schema import validate
    from controller.service import ControllerService
    from controller.store import Store

    ca = str(hall_broker.dir / "tls" / "hall-ca.crt")
    store = Store(str(tmp_path / "hall.db"))
    service = ControllerService(validate(hall_raw), store, "127.0.0.1", hall_broker.port,
                                password=password(hall_broker, "controller"))
    thread = threading.Thread(target=service.run, daemon=True)
    thread.start()
    link = HallLink("kiosk-K1", hall_raw["hall"], "127.0.0.1", hall_broker.tls_port,
                    password=password(hall_broker, "kiosk-K1"), tls_ca=ca, schedule=lambda fn: fn())
    try:
        link.start()
        deadline = time.monotonic() + 10
        while not link.online and time.monotonic() < deadline:
            time.sleep(0.05)
        assert link.online  # over TLS, and the controller's heartbeat heard through it
        env = {**os.environ, "QMS_TLS_CA": ca, "QMS_BROKER": f"127.0.0.1:{hall_broker.tls_port}"}
        got = subprocess.run([sys.executable, str(ROOT / "main.py"), "admin", "--hall", hall_raw["hall"], "--name",
                              "ops", "--password-file", str(hall_broker.dir / "secrets" / "admin-ops.password"),
                              "config-get"], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env)
        assert got.returncode == 0, got.stderr
        assert '"version": 1' in got.stdout
    finally:
        link.stop()
        service.stop()
        thread.join(10)
        store.close()


@pytest.mark.parametrize("command", ["controller", "admin", "kiosk", "caller", "display", "voice", "bridge", "web"])
def test_every_process_takes_the_hall_ca(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    out = capsys.readouterr().out
    assert "--tls-ca" in out and "QMS_TLS_CA" in out
    args = build_parser().parse_args([command, "--tls-ca", __file__, "--broker", "controller.hall.lan",
                                      *(["--window", "3"] if command == "caller" else []),
                                      *(["config-get"] if command == "admin" else [])])
    assert broker_of(args).port == 8883 and broker_of(args).tls_ca == __file__  # TLS: 8883 unless a port is given

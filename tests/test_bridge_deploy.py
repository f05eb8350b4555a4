"""The bridge's deployment files: the hall ACL lets a bridge own its devices' topics and kiosks print through
it, and nobody else speak for its devices; the systemd unit runs it with the serial group."""
from __future__ import annotations

import time

from testbed.controller import ROOT
from tests.support.deploy import add_device, connect, hall_broker, unit  # noqa: F401  (the module's broker with hall.acl)
from tests.support.hall import Inbox


def test_the_acl_gives_a_bridge_its_device_topics_and_kiosks_its_printer(hall_broker):  # noqa: F811
    add_device(hall_broker, "bridge-b1")
    jobs, kiosk_inbox, window_inbox = Inbox(), Inbox(), Inbox()
    bridge = connect(hall_broker, "bridge-b1", deliver=jobs, watch=("qms/h1/device/bridge-b1/+/print",))
    kiosk = connect(hall_broker, "kiosk-K1", deliver=kiosk_inbox, watch=("qms/h1/device/bridge-b1/+/result",))
    window = connect(hall_broker, "window-3", deliver=window_inbox, watch=("qms/h1/status/bridge-b1/#",))
    try:
        time.sleep(0.2)
        window.publish("qms/h1/status/bridge-b1/keypad-3", {"status": "offline", "forged": True}, retain=True)
        bridge.publish("qms/h1/status/bridge-b1/keypad-3", {"status": "online"}, retain=True)
        kiosk.publish("qms/h1/device/bridge-b1/printer/print", {"id": "k1-1", "blocks": [{"text": "A001"}]})
        jobs.wait_for(lambda t, d: t == "qms/h1/device/bridge-b1/printer/print" and d["id"] == "k1-1")
        bridge.publish("qms/h1/device/bridge-b1/printer/result", {"id": "k1-1", "ok": True, "paper": "ok"})
        kiosk_inbox.wait_for(lambda t, d: t.endswith("/printer/result") and d["ok"])
        window_inbox.wait_for(lambda t, d: t == "qms/h1/status/bridge-b1/keypad-3" and d == {"status": "online"})
        time.sleep(0.3)
        assert not [m for m in window_inbox.messages if b"forged" in m.payload]
    finally:
        for client in (bridge, kiosk, window):
            client.stop()


def test_the_bridge_unit_runs_the_venv_bridge_with_the_serial_group():
    service = unit("qms-bridge.service")["Service"]
    assert service["ExecStart"] == "/opt/qms/.venv/bin/python /opt/qms/main.py bridge"
    assert service["SupplementaryGroups"] == "dialout" and service["Restart"] == "always"
    text = (ROOT / "systemd/qms-bridge.service").read_text()
    for line in ("Environment=QMS_BRIDGE_CONFIG=/etc/qms/bridge.yaml", "DeviceAllow=char-ttyUSB rw",
                 "Environment=QMS_PASSWORD_FILE=/etc/qms/secrets/bridge-floor1.password"):
        assert line in text

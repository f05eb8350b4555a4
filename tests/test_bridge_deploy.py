"""The bridge's deployment files: the hall ACL lets a bridge own its devices' topics and a kiosk paired with
its printer and reader (scripts/pair-kiosk.sh) print through it and hear its cards, and nobody else speak for
its devices or hear them; the systemd unit runs it with the serial group."""
from __future__ import annotations

import time

from testbed.controller import ROOT
from tests.support.deploy import add_device, connect, hall_broker, pair_kiosk, unit  # noqa: F401  (the module's broker)
from tests.support.hall import Inbox


def test_the_acl_gives_a_bridge_its_device_topics_and_kiosks_its_printer(hall_broker):  # noqa: F811
    add_device(hall_broker, "bridge-b1")
    pair_kiosk(hall_broker, "kiosk-K1", "--printer", "bridge-b1/printer", "--id-reader", "bridge-b1/idreader")
    jobs, kiosk_inbox, window_inbox = Inbox(), Inbox(), Inbox()
    bridge = connect(hall_broker, "bridge-b1", deliver=jobs, watch=("qms/h1/device/bridge-b1/+/print",))
    kiosk = connect(hall_broker, "kiosk-K1", deliver=kiosk_inbox, watch=("qms/h1/device/bridge-b1/+/result",
                                                                          "qms/h1/device/bridge-b1/+/card"))
    window = connect(hall_broker, "window-3", deliver=window_inbox, watch=("qms/h1/status/bridge-b1/#",))
    try:
        time.sleep(0.2)
        window.publish("qms/h1/status/bridge-b1/keypad-3", {"status": "offline", "forged": True}, retain=True)
        bridge.publish("qms/h1/status/bridge-b1/keypad-3", {"status": "online"}, retain=True)
        kiosk.publish("qms/h1/device/bridge-b1/printer/print", {"id": "k1-1", "blocks": [{"text": "A001"}]})
        jobs.wait_for(lambda t, d: t == "qms/h1/device/bridge-b1/printer/print" and d["id"] == "k1-1")
        bridge.publish("qms/h1/device/bridge-b1/printer/result", {"id": "k1-1", "ok": True, "paper": "ok"})
        bridge.publish("qms/h1/device/bridge-b1/idreader/card", {"id_hash": "h", "name": "张*"})
        kiosk_inbox.wait_for(lambda t, d: t.endswith("/printer/result") and d["ok"])
        kiosk_inbox.wait_for(lambda t, d: t.endswith("/idreader/card"))
        window_inbox.wait_for(lambda t, d: t == "qms/h1/status/bridge-b1/keypad-3" and d == {"status": "online"})
        time.sleep(0.3)
        assert not [m for m in window_inbox.messages if b"forged" in m.payload]
    finally:
        for client in (bridge, kiosk, window):
            client.stop()


def test_no_device_prints_on_another_ones_printer_or_hears_another_ones_reader(hall_broker):  # noqa: F811
    """Issue 9, item 9, as the other devices of the hall would try it: another kiosk, a window, another
    bridge, each with its own login under the shipped ACL."""
    for device in ("bridge-b1", "bridge-b2", "kiosk-K2"):
        add_device(hall_broker, device)
    pair_kiosk(hall_broker, "kiosk-K1", "--printer", "bridge-b1/printer", "--id-reader", "bridge-b1/idreader")
    pair_kiosk(hall_broker, "kiosk-K2", "--printer", "bridge-b2/printer", "--id-reader", "bridge-b2/idreader")
    pair_kiosk(hall_broker, "kiosk-K2", "--printer", "bridge-b2/printer")  # paired again: the old lines go
    everything = ("qms/h1/device/#",)
    seen = {name: Inbox() for name in ("bridge-b1", "bridge-b2", "kiosk-K1", "kiosk-K2", "window-3")}
    clients = {name: connect(hall_broker, name, deliver=inbox, watch=everything) for name, inbox in seen.items()}
    try:
        time.sleep(0.2)
        clients["kiosk-K2"].publish("qms/h1/device/bridge-b1/printer/print", {"id": "forged-k2"})
        clients["window-3"].publish("qms/h1/device/bridge-b1/printer/print", {"id": "forged-w3"})
        clients["bridge-b2"].publish("qms/h1/device/bridge-b1/printer/print", {"id": "forged-b2"})
        clients["bridge-b2"].publish("qms/h1/device/bridge-b1/idreader/card", {"id_hash": "forged-b2"})
        clients["kiosk-K1"].publish("qms/h1/device/bridge-b1/idreader/card", {"id_hash": "forged-k1"})
        clients["kiosk-K1"].publish("qms/h1/device/bridge-b2/printer/print", {"id": "forged-k1"})
        clients["kiosk-K1"].publish("qms/h1/device/bridge-b1/printer/print", {"id": "k1-1"})  # its own printer
        clients["kiosk-K2"].publish("qms/h1/device/bridge-b2/printer/print", {"id": "k2-1"})
        seen["bridge-b1"].wait_for(lambda t, d: d.get("id") == "k1-1")
        seen["bridge-b2"].wait_for(lambda t, d: d.get("id") == "k2-1")
        clients["bridge-b1"].publish("qms/h1/device/bridge-b1/printer/result", {"id": "k1-1", "ok": True})
        clients["bridge-b1"].publish("qms/h1/device/bridge-b1/idreader/card", {"id_hash": "citizen-of-k1"})
        clients["bridge-b2"].publish("qms/h1/device/bridge-b2/idreader/card", {"id_hash": "no-longer-k2s"})
        seen["kiosk-K1"].wait_for(lambda t, d: d.get("id_hash") == "citizen-of-k1")
        seen["kiosk-K1"].wait_for(lambda t, d: t.endswith("/printer/result"))
        time.sleep(0.4)
        assert not [m for inbox in seen.values() for m in inbox.messages if b"forged" in m.payload]
        heard = {name: sorted({(m.topic, m.payload) for m in inbox.messages}) for name, inbox in seen.items()}
        assert [t for t, _ in heard["kiosk-K1"]] == ["qms/h1/device/bridge-b1/idreader/card",
                                                     "qms/h1/device/bridge-b1/printer/result"]
        assert heard["kiosk-K2"] == [] and heard["window-3"] == []  # K2's reader was taken away from it
        assert [t for t, _ in heard["bridge-b2"]] == ["qms/h1/device/bridge-b2/idreader/card",
                                                      "qms/h1/device/bridge-b2/printer/print"]
        assert all("bridge-b1/" in t for t, _ in heard["bridge-b1"])
    finally:
        for client in clients.values():
            client.stop()


def test_the_bridge_unit_runs_the_venv_bridge_with_the_serial_group():
    service = unit("qms-bridge.service")["Service"]
    assert service["ExecStart"] == "/opt/qms/.venv/bin/python /opt/qms/main.py bridge"
    assert service["SupplementaryGroups"] == "dialout" and service["Restart"] == "always"
    text = (ROOT / "systemd/qms-bridge.service").read_text()
    for line in ("Environment=QMS_BRIDGE_CONFIG=/etc/qms/bridge.yaml", "DeviceAllow=char-ttyUSB rw",
                 "Environment=QMS_PASSWORD_FILE=/etc/qms/secrets/bridge-floor1.password"):
        assert line in text

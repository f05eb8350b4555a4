"""The kiosk's printer: where it is (specs), a virtual printer on the kiosk's own pty, and the same slip
through a firmware bridge — the same bytes at the printer either way, and one vocabulary for its paper.

The bytes themselves are pinned by tests/test_escpos.py (the one codec and the golden ticket).
"""
from __future__ import annotations

import pytest

from firmware_bridge.codecs import escpos
from firmware_bridge.virtual.printer import VirtualPrinter
from kiosk.printing import slips
from kiosk.printing.service import PrinterService
from kiosk.printing.transport import SpecError, parse_spec, usb_device_node
from tests.support.bridge import until
from tests.support.hall import Inbox
from tests.support.slips import GOLDEN, SLIP

pytest_plugins = ("tests.support.bridge_fixtures",)  # printer_bridge: `main.py bridge` with a printer twin
TICKET = slips.ticket(SLIP)


@pytest.mark.parametrize("spec, parsed", [
    ("none", ("none", ())), (None, ("none", ())), ("file:/tmp/x.bin", ("file", ("/tmp/x.bin",))),
    ("serial:/dev/ttyUSB0", ("serial", ("/dev/ttyUSB0", 9600))),
    ("serial:/dev/ttyS1:115200", ("serial", ("/dev/ttyS1", 115200))),
    ("usb:0416:5011", ("usb", (0x0416, 0x5011))), ("network:10.0.0.9:9100", ("network", ("10.0.0.9", 9100))),
    ("network:printer", ("network", ("printer", 9100))),
    ("bridge:bridge-K1/printer", ("bridge", ("bridge-K1", "printer"))),
])
def test_printer_specs(spec, parsed):
    assert parse_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["lpt:1", "usb:xyz", "serial:/dev/x:fast", "file:", "bridge:bridge-K1",
                                  "bridge:bridge+/printer", "bridge:/printer"])
def test_bad_printer_specs_say_how_to_write_them(spec):
    with pytest.raises(SpecError, match="use"):
        parse_spec(spec)


def test_a_usb_printer_is_found_by_its_ids_in_sysfs(tmp_path):
    device = tmp_path / "devices" / "usb1" / "1-1" / "1-1:1.0"
    device.mkdir(parents=True)
    (device.parent / "idVendor").write_text("0416\n")
    (device.parent / "idProduct").write_text("5011\n")
    (tmp_path / "class" / "lp0").mkdir(parents=True)
    (tmp_path / "class" / "lp0" / "device").symlink_to(device)
    assert usb_device_node(0x0416, 0x5011, str(tmp_path / "class")) == "/dev/usb/lp0"
    with pytest.raises(OSError, match="no USB printer 0416:5012"):
        usb_device_node(0x0416, 0x5012, str(tmp_path / "class"))


@pytest.fixture
def virtual(tmp_path):
    printer = VirtualPrinter().start_on_pty(tmp_path / "own")
    yield printer
    printer.stop()


def test_a_slip_through_the_virtual_printer_arrives_byte_for_byte(virtual):
    service = PrinterService(f"serial:{virtual.device}")
    try:
        assert service.print_now(TICKET) == ("ok", True)
        assert virtual.wait_for_slips(1) == [GOLDEN.read_bytes()]
        assert virtual.status_requests == 2  # asked before and after
        assert virtual.receipts[0]["qr"] == ["ABCDEFGHIJKLMNOP"] and "B007" in virtual.receipts[0]["lines"]
    finally:
        service.stop()


def test_paper_out_near_end_offline_gone_and_back(virtual):
    service = PrinterService(f"serial:{virtual.device}")
    try:
        virtual.set_status("paper_out")
        assert service.print_now(TICKET) == ("paper_out", False)
        assert virtual.slips == []  # nothing sent to a printer without paper
        virtual.set_status("paper_near_end")
        assert service.print_now(TICKET) == ("paper_near_end", True)
        virtual.set_status("offline")  # switched off: it answers nothing
        assert service.print_now(TICKET) == ("offline", False)
        virtual.set_status("ok")
        virtual.unplug()
        assert service.status() == "offline"
        assert service.print_now(TICKET) == ("offline", False)
        virtual.plug()
        assert service.print_now(TICKET) == ("ok", True)
        assert len(virtual.wait_for_slips(2)) == 2
    finally:
        service.stop()


def test_the_service_hands_outcomes_back_through_deliver(virtual):
    delivered = []
    service = PrinterService(f"serial:{virtual.device}", deliver=lambda fn: delivered.append(fn))
    try:
        outcomes = []
        service.check(outcomes.append)
        service.print(TICKET, lambda status, printed: outcomes.append((status, printed)))
        virtual.wait_for_slips(1)
        service.stop()  # drains the queue
        for fn in delivered:
            fn()
        assert outcomes == ["ok", ("ok", True)]
    finally:
        service.stop()


def test_a_file_printer_appends_and_cannot_read_status(tmp_path):
    path = tmp_path / "spool.bin"
    service = PrinterService(f"file:{path}")
    one, two = [{"text": "one"}], [{"text": "two"}]
    assert service.print_now(one) == ("ok", True) and service.print_now(two) == ("ok", True)
    service.stop()
    assert path.read_bytes() == escpos.encode_job(one) + escpos.encode_job(two)


def test_no_printer_at_all_is_not_an_error():
    service = PrinterService("none")
    assert not service.enabled and service.status() == "ok"


def test_a_bridge_printer_needs_the_kiosks_link():
    with pytest.raises(ValueError, match="MQTT"):
        PrinterService("bridge:bridge-K1/printer")


# --- the same slip through a firmware bridge ------------------------------------------------------

def kiosk_printer(controller, spec: str):
    """The kiosk's printer service on a kiosk's MQTT client (what KioskApp wires up): (service, client)."""
    services: list[PrinterService] = []
    client = controller.device("kiosk-K7", deliver=lambda m: [s.on_message(m.topic, m.json() if m.payload else None)
                                                              for s in services])
    service = PrinterService(spec, client=client)
    services.append(service)
    for topic in service.topics():
        client.subscribe(topic)
    return service, client


def test_one_slip_is_the_same_bytes_on_the_kiosks_port_and_through_a_bridge(controller, printer_bridge, virtual):
    rig, bridge_id = printer_bridge
    own = PrinterService(f"serial:{virtual.device}")
    via, _ = kiosk_printer(controller, f"bridge:{bridge_id}/printer")
    try:
        assert own.print_now(TICKET) == ("ok", True)
        until(lambda: via.status() == "ok", timeout=15, what="the bridge's printer online")
        assert via.print_now(TICKET) == ("ok", True)
        assert rig.printer.wait_for_slips(1) == virtual.wait_for_slips(1) == [GOLDEN.read_bytes()]
    finally:
        own.stop()
        via.stop()


def test_paper_near_end_out_and_offline_in_one_vocabulary_from_twin_to_controller(controller, printer_bridge):
    rig, bridge_id = printer_bridge
    alerts = Inbox()
    controller.device("display-alerts", deliver=alerts, watch=(controller.service.topics.event("alert"),))
    via, kiosk = kiosk_printer(controller, f"bridge:{bridge_id}/printer")
    try:
        until(lambda: via.status() == "ok", timeout=15, what="the bridge's printer online")
        for status, printed in (("paper_near_end", True), ("paper_out", False), ("offline", False)):
            rig.printer.set_status(status)
            until(lambda: via.status() == status, timeout=5, what=f"{status} heard by the kiosk")
            assert via.print_now(TICKET) == (status, printed)
            # what the kiosk's PrinterWatch sends on a change, in the same words
            assert kiosk.request("device_status", {"component": "printer", "status": via.status()})["ok"]
            alerts.wait_for(lambda topic, data: data.get("status") == status and data.get("component") == "printer")
        assert len(rig.printer.receipts) == 1  # only the slip printed near the end of the roll
    finally:
        via.stop()

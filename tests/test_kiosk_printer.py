"""The ticket printer: exact ESC/POS bytes (golden file) and a virtual printer on a pty pair.

`QMS_UPDATE_GOLDEN=1 pytest tests/test_kiosk_printer.py` rewrites the golden
file after an intended change of the slip; review its diff (`xxd`) before committing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.printing import escpos as p
from kiosk.printing import slips
from kiosk.printing.service import PrinterService
from kiosk.printing.transport import SpecError, parse_spec, usb_device_node
from kiosk.printing.virtual import VirtualPrinter

GOLDEN = Path(__file__).parent / "golden" / "kiosk_ticket.bin"

SLIP = slips.TicketSlip(
    hall=("示范市政务服务中心", "Demo City Government Service Center"), number="B007",
    category=("社保医保", "Social & Medical Insurance"), item=("养老保险关系转移", "Pension Transfer"),
    ahead=("前面还有 2 人", "2 ahead of you"), wait=("约 14 分钟", "about 14 min"),
    windows=("办理窗口：3号窗口、4号窗口", "Windows: Window 3, Window 4"), issued="2026-11-23 09:03",
    rating_token="ABCDEFGHIJKLMNOP", group=("优先取号（老弱病残孕、军人）", "Priority (elderly, disabled, pregnant, military)"))


def test_commands_are_the_bytes_printers_expect():
    assert p.CHINESE_ON == b"\x1c\x26" and p.CHINESE_OFF == b"\x1c\x2e"
    assert p.size(4, 4) == b"\x1d\x21\x33" and p.size(1, 1) == b"\x1d\x21\x00"
    assert p.cut() == b"\x1d\x56\x42\x03"
    assert p.align("center") == b"\x1b\x61\x01"
    assert p.PAPER_STATUS_REQUEST == b"\x10\x04\x04"
    assert p.qr("AB") == bytes.fromhex(
        "1d286b0400314132 00"  # model 2
        "1d286b0300314306"     # module 6 dots
        "1d286b0300314531"     # error correction M
        "1d286b050031503041 42"  # store "AB"
        "1d286b0300315130")    # print
    assert p.text("社保") == "社保".encode("gb18030") == b"\xc9\xe7\xb1\xa3"


@pytest.mark.parametrize("byte, status", [(0x12, "ok"), (0x1E, "paper_near_end"), (0x72, "paper_out"),
                                          (0x7E, "paper_out"), (0x00, None), (0xFF, None)])
def test_paper_status_answers(byte, status):
    assert p.paper_status(byte) == status
    if status:
        assert p.paper_status(p.status_byte(status)) == status


def test_lines_wrap_by_printed_width():
    assert p.wrap("办理窗口：3号窗口、4号窗口", 16) == ["办理窗口：3号窗", "口、4号窗口"]
    assert p.wrap("Windows: Window 3, Window 4", 16) == ["Windows: Window", "3, Window 4"]
    assert all(p.columns(line) <= 32 for line in p.wrap("请留意叫号，过号请与窗口联系 Listen for your number", 32))


def test_the_ticket_slip_is_byte_for_byte_the_golden_file():
    data = slips.ticket(SLIP, width=48)
    if os.environ.get("QMS_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()
    assert data.startswith(p.INIT + p.CHINESE_ON) and data.endswith(p.CHINESE_OFF + p.cut())
    assert p.size(4, 4) + b"B007\n" in data and "社保医保".encode("gb18030") in data
    assert p.qr("ABCDEFGHIJKLMNOP") in data and b"2026-11-23 09:03" in data


def test_the_one_time_notice_lists_the_materials_in_order():
    notice = slips.NoticeSlip(hall=SLIP.hall, item=("抵押登记", "Mortgage Registration"),
                              materials=[("1. 抵押人居民身份证", "1. ID card"), ("2. 不动产权证书", "2. Title deed")],
                              limits=("法定 5 个工作日，承诺 3 个工作日", "By law 5 working days, promised 3"),
                              windows=("办理窗口：5号窗口", "Windows: Window 5"), phone="0571-12345",
                              printed="2026-11-23 09:05")
    data = slips.notice(notice, width=32)
    first, second = "抵押人居民身份证".encode("gb18030"), "不动产权证书".encode("gb18030")
    assert "一次性告知单".encode("gb18030") in data and data.index(first) < data.index(second)
    assert data.endswith(p.CHINESE_OFF + p.cut())


@pytest.mark.parametrize("spec, parsed", [
    ("none", ("none", ())), (None, ("none", ())), ("file:/tmp/x.bin", ("file", ("/tmp/x.bin",))),
    ("serial:/dev/ttyUSB0", ("serial", ("/dev/ttyUSB0", 9600))),
    ("serial:/dev/ttyS1:115200", ("serial", ("/dev/ttyS1", 115200))),
    ("usb:0416:5011", ("usb", (0x0416, 0x5011))), ("network:10.0.0.9:9100", ("network", ("10.0.0.9", 9100))),
    ("network:printer", ("network", ("printer", 9100))),
])
def test_printer_specs(spec, parsed):
    assert parse_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["lpt:1", "usb:xyz", "serial:/dev/x:fast", "file:"])
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
    printer = VirtualPrinter(tmp_path).start()
    yield printer
    printer.stop()


def test_a_slip_through_the_virtual_printer_arrives_byte_for_byte(virtual):
    service = PrinterService(f"serial:{virtual.device}")
    try:
        assert service.print_now(GOLDEN.read_bytes()) == ("ok", True)
        assert virtual.wait_for_slips(1) == [GOLDEN.read_bytes()]
        assert virtual.status_requests == 2  # asked before and after
    finally:
        service.stop()


def test_paper_out_near_end_gone_and_back(virtual):
    service = PrinterService(f"serial:{virtual.device}")
    slip = slips.ticket(SLIP)
    try:
        virtual.set_paper("paper_out")
        assert service.print_now(slip) == ("paper_out", False)
        assert virtual.slips == []  # nothing sent to a printer without paper
        virtual.set_paper("paper_near_end")
        assert service.print_now(slip) == ("paper_near_end", True)
        virtual.unplug()
        assert service.status() == "offline"
        assert service.print_now(slip) == ("offline", False)
        virtual.plug()
        virtual.set_paper("ok")
        assert service.print_now(slip) == ("ok", True)
        assert len(virtual.wait_for_slips(2)) == 2
    finally:
        service.stop()


def test_the_service_hands_outcomes_back_through_deliver(virtual):
    delivered = []
    service = PrinterService(f"serial:{virtual.device}", deliver=lambda fn: delivered.append(fn))
    try:
        outcomes = []
        service.check(outcomes.append)
        service.print(slips.ticket(SLIP), lambda status, printed: outcomes.append((status, printed)))
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
    assert service.print_now(b"one") == ("ok", True) and service.print_now(b"two") == ("ok", True)
    service.stop()
    assert path.read_bytes() == b"onetwo"


def test_no_printer_at_all_is_not_an_error():
    service = PrinterService("none")
    assert not service.enabled and service.status() == "ok"

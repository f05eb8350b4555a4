"""The ticket slip of the golden file, for the codec's tests and the printing tests."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from firmware_bridge.codecs import escpos
from kiosk.printing import slips

GOLDEN = Path(__file__).parent.parent / "golden" / "kiosk_ticket.bin"

SLIP = slips.TicketSlip(
    hall=("示范市政务服务中心", "Demo City Government Service Center"), number="B007",
    category=("社保医保", "Social & Medical Insurance"), item=("养老保险关系转移", "Pension Transfer"),
    ahead=("前面还有 2 人", "2 ahead of you"), wait=("约 14 分钟", "about 14 min"),
    windows=("办理窗口：3号窗口、4号窗口", "Windows: Window 3, Window 4"), issued="2026-11-23 09:03",
    qr="ABCDEFGHIJKLMNOP", rating_code="ABCDEFGHIJKLMNOP",
    group=("优先取号（老弱病残孕、军人）", "Priority (elderly, disabled, pregnant, military)"))


# The window notices of the golden files: a 补正 and a refusal of B007 (养老保险关系转移) at window 3 of the
# demo hall, 2026-11-23 09:05 hall time (controller/notices.py words them from the config).
NOTICE_GOLDEN = {"supplement": Path(__file__).parent.parent / "golden" / "supplement_notice.bin",
                 "refused": Path(__file__).parent.parent / "golden" / "refusal_notice.bin"}
NOTICE_DETAIL = {"supplement": {"materials": ["基本养老保险参保缴费凭证", "养老保险关系转移接续申请表", "户口簿"]},
                 "refused": {"reasons": ["申请人不符合申请条件", "超过法定申请期限"]}}
NOTICE_AT = 1795395900.0  # 2026-11-23 09:05 in Asia/Shanghai
NOTICE_TICKET = SimpleNamespace(id="2026-11-23-B007", number="B007", item="B03")


def printed_lines(data: bytes) -> list[str]:
    """What a person reads on the paper: the text between line feeds, decoded as the printer's
    Chinese mode does (GB18030)."""
    lines, line = [], bytearray()
    for event in escpos.JobParser().feed(data):
        if event[0] == "text":
            line += event[1]
        elif event[0] == "lf":
            lines.append(line.decode("gb18030"))
            line.clear()
    return lines

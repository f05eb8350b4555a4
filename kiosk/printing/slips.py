"""What a printed slip says: the queue ticket and the one-time notice of materials (一次性告知单).

Pure functions from plain data to ESC/POS bytes, so a golden file pins the
exact bytes a printer receives. Chinese first, English under it; the width is
in half-width columns (48 on an 80 mm roll, 32 on 58 mm).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import escpos as p


@dataclass(frozen=True)
class TicketSlip:
    hall: tuple[str, str]
    number: str
    category: tuple[str, str]
    item: tuple[str, str] | None
    ahead: tuple[str, str]
    wait: tuple[str, str]
    windows: tuple[str, str]
    issued: str  # hall time, e.g. 2026-11-23 09:03
    rating_token: str
    group: tuple[str, str] | None = None


@dataclass(frozen=True)
class NoticeSlip:
    hall: tuple[str, str]
    item: tuple[str, str]
    materials: list[tuple[str, str]]
    limits: tuple[str, str]
    windows: tuple[str, str]
    phone: str
    printed: str
    notes: list[tuple[str, str]] = field(default_factory=list)


def _pair(pair: tuple[str, str], width: int) -> bytes:
    zh, en = pair
    out = b"".join(p.line(part) for part in p.wrap(zh, width))
    if en and en != zh:
        out += b"".join(p.line(part) for part in p.wrap(en, width))
    return out


def _rule(width: int) -> bytes:
    return p.line("-" * width)


def ticket(slip: TicketSlip, width: int = 48) -> bytes:
    out = [p.INIT, p.CHINESE_ON, p.align("center"), p.bold(True), _pair(slip.hall, width), p.bold(False),
           p.line("排队凭条 Queue ticket"), _rule(width),
           p.size(2, 2), _pair(slip.category, width // 2), p.size(1, 1)]
    if slip.item:
        out.append(_pair(slip.item, width))
    out += [p.size(4, 4), p.line(slip.number), p.size(1, 1)]
    if slip.group:
        out += [p.bold(True), _pair(slip.group, width), p.bold(False)]
    out += [_pair(slip.ahead, width), _pair(slip.wait, width)]
    if slip.windows[0]:
        out.append(_pair(slip.windows, width))
    out += [p.line(f"取号时间 Issued {slip.issued}"), _rule(width),
            p.qr(slip.rating_token), p.line(slip.rating_token),
            p.line("办结后扫码评价 Scan to rate after your service"),
            _pair(("请留意叫号，过号请与窗口联系", "Listen for your number; if you miss it, ask at a window"), width),
            p.CHINESE_OFF, p.cut()]
    return b"".join(out)


def notice(slip: NoticeSlip, width: int = 48) -> bytes:
    out = [p.INIT, p.CHINESE_ON, p.align("center"), p.bold(True), _pair(slip.hall, width),
           p.size(1, 2), p.line("一次性告知单"), p.size(1, 1), p.line("Materials to bring"), p.bold(False),
           _rule(width), p.align("left"), p.bold(True), _pair(slip.item, width), p.bold(False), _rule(width)]
    for index, material in enumerate(slip.materials, 1):
        out.append(_pair((f"{index}. {material[0]}", f"   {material[1]}"), width))
    out.append(_rule(width))
    for note in slip.notes:
        out.append(_pair(note, width))
    out += [_pair(slip.limits, width), _pair(slip.windows, width), p.line(f"咨询电话 Enquiries {slip.phone}"),
            p.line(f"打印时间 Printed {slip.printed}"), p.CHINESE_OFF, p.cut()]
    return b"".join(out)

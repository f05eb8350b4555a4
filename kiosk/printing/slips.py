"""What a printed slip says: the queue ticket, the one-time notice of materials (一次性告知单) and a window's notices.

The window's written notices of an outcome (the 补正通知 and the 不予受理通知书, `OutcomeNotice`) are
worded here too; the controller sends them to the window's printer (controller/notices.py).

Pure functions from plain data to print blocks — the `blocks` of a print job
(`contract.devices.PrintJob`) — so the same slip goes to the kiosk's own port
or to a firmware bridge's printer, and the one encoder
(`firmware_bridge.codecs.escpos.encode_job`) makes the same bytes of it either
way; a golden file pins them. Chinese first, English under it; the width is in
half-width columns (48 on an 80 mm roll, 32 on 58 mm).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from contract.guide import OUTCOME_NOTICES

LISTEN = ("请留意叫号，过号请与窗口联系", "Listen for your number; if you miss it, ask at a window")


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
    qr: str  # what the QR code holds, printed as given
    rating_code: str  # printed under the QR code, for typing it in at a kiosk
    group: tuple[str, str] | None = None


@dataclass(frozen=True)
class NoticeSlip:
    """An item's guide on paper: every section it has, each a heading and its lines as the guide
    words them (contract/guide.py numbers materials and steps already: printed as given)."""

    hall: tuple[str, str]
    item: tuple[str, str]
    sections: list[tuple[tuple[str, str], list[tuple[str, str]]]]
    printed: str
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OutcomeNotice:
    """A window's written answer on paper: the 补正通知 (一次性告知: every missing material, told once) or
    the 不予受理通知书 (the reasons and the citizen's legal remedy). The ticket number, never a name or phone:
    the slip goes to whoever holds the ticket."""

    hall: tuple[str, str]
    outcome: str  # supplement / refused
    item: tuple[str, str] | None
    number: str
    window: tuple[str, str]
    day: str  # hall time, 2026-11-23
    lines: list[tuple[str, str]]  # the missing materials, or the reasons
    printed: str  # hall time, 2026-11-23 09:05
    basis: tuple[str, str] | None = None  # a refusal's legal basis: the item's 设定依据
    phone: str | None = None  # the item's 咨询电话, for a question about the notice


def _block(lines: list[str], align: str, size: int | list[int] = 1, bold: bool = False) -> dict:
    return {"text": "\n".join(lines), "align": align, "size": size, "bold": bold}


def _pair(pair: tuple[str, str], width: int) -> list[str]:
    zh, en = pair
    return wrap(zh, width) + (wrap(en, width) if en and en != zh else [])


def ticket(slip: TicketSlip, width: int = 48) -> list[dict]:
    rule = "-" * width
    blocks = [_block(_pair(slip.hall, width), "center", bold=True),
              _block(["排队凭条 Queue ticket", rule], "center"),
              _block(_pair(slip.category, width // 2), "center", size=2)]
    if slip.item:
        blocks.append(_block(_pair(slip.item, width), "center"))
    blocks.append(_block([slip.number], "center", size=4))
    if slip.group:
        blocks.append(_block(_pair(slip.group, width), "center", bold=True))
    lines = _pair(slip.ahead, width) + _pair(slip.wait, width)
    if slip.windows[0]:
        lines += _pair(slip.windows, width)
    blocks += [_block([*lines, f"取号时间 Issued {slip.issued}", rule], "center"),
               {"qr": slip.qr, "align": "center"},
               _block([slip.rating_code, "办结后扫码评价 Scan to rate after your service", *_pair(LISTEN, width)],
                      "center")]
    return blocks


def notice(slip: NoticeSlip, width: int = 48) -> list[dict]:
    """The 一次性告知单: the item, then each section with a bold heading; a section without words is left out."""
    rule = "-" * width
    blocks = [_block(_pair(slip.hall, width), "center", bold=True),
              _block(["一次性告知单"], "center", size=[1, 2], bold=True),
              _block(wrap("One-time notice: what to bring and do", width), "center", bold=True),
              _block([rule], "center"),
              _block(_pair(slip.item, width), "left", bold=True)]
    for heading, lines in slip.sections:
        body = [line for pair in lines if pair[0] or pair[1] for line in _pair(pair, width)]
        if body:
            blocks += [_block([rule, *wrap(f"【{heading[0]}】 {heading[1]}", width)], "left", bold=True),
                       _block(body, "left")]
    tail = [line for note in slip.notes for line in _pair(note, width)]
    blocks.append(_block([rule, *tail, *wrap(f"打印时间 Printed {slip.printed}", width)], "left"))
    return blocks


def outcome_notice(slip: OutcomeNotice, width: int = 48) -> list[dict]:
    """The 补正通知 or 不予受理通知书: what it is, of what and for which ticket, the numbered list, the
    remedy or the one-time promise, the time it was printed."""
    words = OUTCOME_NOTICES[slip.outcome]
    rule = "-" * width
    title_zh, title_en = words["title"]
    facts = []
    if slip.item:
        facts += wrap(f"办理事项 Item：{slip.item[0]}", width) + (wrap(slip.item[1], width) if slip.item[1] else [])
    facts += wrap(f"排队号码 Ticket：{slip.number}", width)
    facts += wrap(f"办理窗口 Window：{slip.window[0]} {slip.window[1]}", width)
    facts += wrap(f"日期 Date：{slip.day}", width)
    if slip.phone:
        facts += wrap(f"咨询电话 Enquiries：{slip.phone}", width)
    body = []
    for index, (zh, en) in enumerate(slip.lines, 1):
        body += wrap(f"{index}. {zh}", width) + (wrap(f"   {en}", width) if en and en != zh else [])
    blocks = [_block(_pair(slip.hall, width), "center", bold=True),
              _block(wrap(title_zh, width), "center", size=[1, 2], bold=True),
              _block(wrap(title_en, width), "center", bold=True),
              _block([rule, *facts], "left"),
              _block([rule, *wrap(f"【{words['heading'][0]}】 {words['heading'][1]}", width)], "left", bold=True),
              _block(body, "left")]
    if slip.basis and (slip.basis[0] or slip.basis[1]):
        blocks += [_block([rule, "【设定依据】 Legal basis"], "left", bold=True),
                   _block(_pair(slip.basis, width), "left")]
    tail = [line for note in words["tail"] for line in _pair(note, width)]
    blocks.append(_block([rule, *tail, *wrap(f"打印时间 Printed {slip.printed}", width)], "left"))
    return blocks


# Chinese marks that never begin a line (the rule of 避头点): the character before them goes down with them.
NO_LINE_START = set("，。、；：！？）》」』】,.;:!?)")


def columns(value: str) -> int:
    """Printed width in half-width columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def wrap(value: str, width: int) -> list[str]:
    """Lines of at most `width` columns, breaking at spaces for Latin text and between Chinese
    characters, never before a closing mark."""
    lines: list[str] = []
    for paragraph in value.split("\n"):
        current, used = "", 0
        for word in _tokens(paragraph):
            w = columns(word)
            if used + w > width and current:
                carry = ""
                if word in NO_LINE_START and len(current) > 1 and columns(current[-1]) == 2:
                    current, carry = current[:-1], current[-1]  # a closing mark takes its character along
                lines.append(current.rstrip())
                word = carry + word.lstrip()
                current, used = "", 0
                w = columns(word)
            while w > width:  # a single token longer than a line
                cut_at = _fit(word, width)
                lines.append(word[:cut_at])
                word = word[cut_at:]
                w = columns(word)
            current += word
            used += w
        lines.append(current.rstrip())
    return lines


def _tokens(value: str) -> list[str]:
    """Latin words keep their following space; each wide character is its own token."""
    tokens, word = [], ""
    for ch in value:
        if unicodedata.east_asian_width(ch) in "WF":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
            if ch == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def _fit(value: str, width: int) -> int:
    used = 0
    for index, ch in enumerate(value):
        used += columns(ch)
        if used > width:
            return max(1, index)
    return len(value)

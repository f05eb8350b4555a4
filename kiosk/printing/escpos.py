"""ESC/POS commands as bytes: a small pure encoder, checked byte for byte by golden tests.

Why not python-escpos for this part: most Chinese thermal printers print
GB18030 only inside their Chinese mode (`FS &` … `FS .`), which python-escpos
does not send, and a ticket is a dozen commands. Keeping the encoder pure (no
port, no device) means the exact bytes are tested without a printer, and it
can be folded with the firmware bridge's codec later: same command names.
"""
from __future__ import annotations

import unicodedata

ESC, GS, FS, DLE, EOT = b"\x1b", b"\x1d", b"\x1c", b"\x10", b"\x04"

INIT = ESC + b"@"
CHINESE_ON = FS + b"&"   # FS &: enter the printer's Chinese (GB18030) character mode
CHINESE_OFF = FS + b"."  # FS .: leave it
LF = b"\n"

# DLE EOT 4: real-time roll paper sensor status, answered with one byte.
PAPER_STATUS_REQUEST = DLE + EOT + b"\x04"
_NEAR_END_BITS = 0x0C  # bits 2-3: roll paper near end
_PAPER_OUT_BITS = 0x60  # bits 5-6: roll paper end
_FIXED_MASK, _FIXED_VALUE = 0x93, 0x12  # bits 1 and 4 always set, 0 and 7 always clear

ALIGN = {"left": 0, "center": 1, "right": 2}
QR_CORRECTION = {"L": 48, "M": 49, "Q": 50, "H": 51}


def text(value: str) -> bytes:
    """Text in GB18030 (send inside CHINESE_ON … CHINESE_OFF); what it cannot hold becomes '?'."""
    return value.encode("gb18030", errors="replace")


def line(value: str = "") -> bytes:
    return text(value) + LF


def align(where: str) -> bytes:
    return ESC + b"a" + bytes([ALIGN[where]])


def size(width: int = 1, height: int = 1) -> bytes:
    """GS !: character width and height multipliers 1-8 (Chinese characters too)."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError("character size multipliers are 1-8")
    return GS + b"!" + bytes([(width - 1) << 4 | (height - 1)])


def bold(on: bool) -> bytes:
    return ESC + b"E" + bytes([1 if on else 0])


def feed(lines: int) -> bytes:
    return ESC + b"d" + bytes([max(0, min(255, lines))])


def cut(feed_lines: int = 3) -> bytes:
    """GS V 66 n: feed n lines, then a partial cut (the slip stays until it is taken)."""
    return GS + b"V" + bytes([66, max(0, min(255, feed_lines))])


def _qr_function(fn: int, data: bytes) -> bytes:
    body = b"\x31" + bytes([fn]) + data  # cn = 49: QR code
    return GS + b"(k" + len(body).to_bytes(2, "little") + body


def qr(data: str, module: int = 6, correction: str = "M") -> bytes:
    """GS ( k: model 2, module size, error correction, store the data, print it."""
    payload = data.encode("ascii")
    if not 1 <= len(payload) <= 7089:
        raise ValueError("QR data must be 1-7089 bytes")
    if not 1 <= module <= 16:
        raise ValueError("QR module size is 1-16 dots")
    return (_qr_function(65, b"\x32\x00")          # fn 165: model 2
            + _qr_function(67, bytes([module]))    # fn 167: module size
            + _qr_function(69, bytes([QR_CORRECTION[correction]]))  # fn 169: error correction
            + _qr_function(80, b"\x30" + payload)  # fn 180: store
            + _qr_function(81, b"\x30"))           # fn 181: print


def paper_status(byte: int) -> str | None:
    """The answer to PAPER_STATUS_REQUEST as ok / paper_near_end / paper_out; None if it is not one."""
    if byte & _FIXED_MASK != _FIXED_VALUE:
        return None
    if byte & _PAPER_OUT_BITS:
        return "paper_out"
    if byte & _NEAR_END_BITS:
        return "paper_near_end"
    return "ok"


def status_byte(status: str) -> int:
    """What a printer answers to PAPER_STATUS_REQUEST in a given state (the virtual printer's side)."""
    return _FIXED_VALUE | {"ok": 0, "paper_near_end": _NEAR_END_BITS, "paper_out": _PAPER_OUT_BITS | _NEAR_END_BITS}[status]


def columns(value: str) -> int:
    """Printed width in half-width columns: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def wrap(value: str, width: int) -> list[str]:
    """Lines of at most `width` columns, breaking at spaces for Latin text and anywhere for Chinese."""
    lines: list[str] = []
    for paragraph in value.split("\n"):
        current, used = "", 0
        for word in _tokens(paragraph):
            w = columns(word)
            if used + w > width and current:
                lines.append(current.rstrip())
                current, used = "", 0
                word = word.lstrip()
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

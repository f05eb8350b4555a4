"""ESC/POS for the kiosks' thermal ticket printers: the job bytes, the paper status, and the printer's side.

Written here rather than taken from python-escpos because the bridge needs
only a dozen commands, needs `FS &` (which python-escpos does not send), and
needs the same bytes parsed back by the virtual printer and by golden-byte
tests. Chinese text goes out in GB18030 between `FS &` and `FS .`; ASCII
prints the same inside that mode, so the whole job is written in it.

Paper status is `DLE EOT 4` (roll paper sensor); the answer is one byte with
fixed bits 0x12, paper near its end 0x0C, paper out 0x60.
"""
from __future__ import annotations

from collections.abc import Iterable

from .base import NEED_MORE, Scan, StreamParser

ESC, FS, GS, DLE, EOT, LF = 0x1B, 0x1C, 0x1D, 0x10, 0x04, 0x0A
INIT = b"\x1b\x40"
CHINESE_ON, CHINESE_OFF = b"\x1c\x26", b"\x1c\x2e"
PAPER_STATUS = b"\x10\x04\x04"
CUT = b"\x1d\x56\x42\x00"  # GS V 66 0: feed to the cutter, then a partial cut
ALIGN = {"left": 0, "center": 1, "right": 2}
QR_LEVELS = {"L": 0x30, "M": 0x31, "Q": 0x32, "H": 0x33}
MAX_QR = 7089
STATUS_FIXED_MASK, STATUS_FIXED = 0x93, 0x12
PAPER_NEAR_END, PAPER_OUT = 0x0C, 0x60


def align(where: str) -> bytes:
    return bytes((ESC, 0x61, ALIGN[where]))


def bold(on: bool) -> bytes:
    return bytes((ESC, 0x45, 1 if on else 0))


def size(scale: int) -> bytes:
    """GS ! n: width and height both `scale` times (1-8)."""
    scale = max(1, min(scale, 8)) - 1
    return bytes((GS, 0x21, (scale << 4) | scale))


def feed(lines: int) -> bytes:
    return bytes((ESC, 0x64, max(0, min(lines, 255))))


def _qr_function(fn: int, params: bytes) -> bytes:
    length = len(params) + 2
    return bytes((GS, 0x28, 0x6B, length & 0xFF, length >> 8, 0x31, fn)) + params


def qr(data: str, module: int = 6, level: str = "M") -> bytes:
    """GS ( k: model 2, module size, error correction, store the data, print it."""
    payload = data.encode("utf-8")
    if not payload or len(payload) > MAX_QR:
        raise ValueError(f"a QR code holds 1-{MAX_QR} bytes")
    return (_qr_function(0x41, b"\x32\x00") + _qr_function(0x43, bytes((max(1, min(module, 16)),)))
            + _qr_function(0x45, bytes((QR_LEVELS[level],))) + _qr_function(0x50, b"\x30" + payload)
            + _qr_function(0x51, b"\x30"))


def encode_job(blocks: Iterable[dict], cut: bool = True) -> bytes:
    """A print job: blocks of {"text", "align", "size", "bold"}, {"qr", "align", "module"} or {"feed"}."""
    out = bytearray(INIT + CHINESE_ON)
    for block in blocks:
        if block.get("text") is not None:
            out += align(block.get("align", "left")) + size(block.get("size", 1)) + bold(block.get("bold", False))
            for line in str(block["text"]).split("\n"):
                out += line.encode("gb18030", errors="replace") + bytes((LF,))
            out += size(1) + bold(False)
        elif block.get("qr") is not None:
            out += align(block.get("align", "center")) + qr(block["qr"], block.get("module", 6)) + bytes((LF,))
        elif block.get("feed") is not None:
            out += feed(block["feed"])
    out += align("left") + CHINESE_OFF
    if cut:
        out += feed(3) + CUT
    return bytes(out)


def is_status(byte: int) -> bool:
    return byte & STATUS_FIXED_MASK == STATUS_FIXED


def paper_state(status: int) -> str:
    """'out', 'near_end' or 'ok' from the answer to DLE EOT 4."""
    if status & PAPER_OUT:
        return "out"
    if status & PAPER_NEAR_END:
        return "near_end"
    return "ok"


def status_byte(paper: str) -> int:
    return STATUS_FIXED | {"ok": 0, "near_end": PAPER_NEAR_END, "out": PAPER_OUT | PAPER_NEAR_END}[paper]


class StatusParser(StreamParser):
    """The bridge's side: status bytes from the printer; anything else is noise."""

    def scan(self, buf: bytearray) -> Scan:
        if is_status(buf[0]):
            return 1, buf[0], None
        return 1, None, "garbage"


# --- the printer's side (virtual printer, tests) -------------------------------------------------

_FIXED_LENGTH = {(ESC, 0x40): 2, (FS, 0x26): 2, (FS, 0x2E): 2, (ESC, 0x61): 3, (ESC, 0x45): 3, (GS, 0x21): 3,
                 (ESC, 0x64): 3, (DLE, EOT): 3}
_COMMAND_BYTES = (ESC, FS, GS, DLE)


class JobParser(StreamParser):
    """Printer-side: ESC/POS bytes to events ('text', bytes) ('lf',) ('chinese', on) ('qr', data) ('cut',)
    ('status', n) ('init',) ('align', n) ('size', n) ('bold', n) ('feed', n); unknown commands are skipped."""

    def __init__(self) -> None:
        super().__init__()
        self._qr_data = b""

    def scan(self, buf: bytearray) -> Scan:
        first = buf[0]
        if first == LF:
            return 1, ("lf",), None
        if first not in _COMMAND_BYTES:
            end = 1
            while end < len(buf) and buf[end] != LF and buf[end] not in _COMMAND_BYTES:
                end += 1
            return end, ("text", bytes(buf[:end])), None
        if len(buf) < 2:
            return NEED_MORE
        key = (first, buf[1])
        if key == (GS, 0x56):
            return self._cut(buf)
        if key == (GS, 0x28):
            return self._function(buf)
        size_ = _FIXED_LENGTH.get(key)
        if size_ is None:
            return 2 if first != DLE else 1, None, "unknown_command"
        if len(buf) < size_:
            return NEED_MORE
        arg = buf[2] if size_ == 3 else None
        events = {(ESC, 0x40): ("init",), (FS, 0x26): ("chinese", True), (FS, 0x2E): ("chinese", False),
                  (ESC, 0x61): ("align", arg), (ESC, 0x45): ("bold", arg), (GS, 0x21): ("size", arg),
                  (ESC, 0x64): ("feed", arg), (DLE, EOT): ("status", arg)}
        return size_, events[key], None

    def _cut(self, buf: bytearray) -> Scan:
        if len(buf) < 3:
            return NEED_MORE
        size_ = 4 if buf[2] in (65, 66) else 3
        if len(buf) < size_:
            return NEED_MORE
        return size_, ("cut",), None

    def _function(self, buf: bytearray) -> Scan:
        if len(buf) < 5:
            return NEED_MORE
        if buf[2] != 0x6B:
            return 2, None, "unknown_command"
        length = buf[3] | buf[4] << 8
        if not 2 <= length <= MAX_QR + 3:
            return 2, None, "bad_length"
        if len(buf) < 5 + length:
            return NEED_MORE
        fn, params = buf[6], bytes(buf[7:5 + length])
        if fn == 0x50:
            self._qr_data = params[1:]
            return 5 + length, ("qr_store", len(self._qr_data)), None
        if fn == 0x51:
            return 5 + length, ("qr", self._qr_data.decode("utf-8", errors="replace")), None
        return 5 + length, ("qr_setting", fn), None

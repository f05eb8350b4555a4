"""ESC/POS for the hall's thermal ticket printers: the one encoder, the paper status, and the printer's side.

Both ways a slip is printed use this module: the kiosk on its own port
(`kiosk/printing`) and a firmware bridge that owns the printer (its
`device/.../print` topic) encode the same blocks with `encode_job`, so a slip
is the same bytes either way; `tests/golden/kiosk_ticket.bin` pins them.

A job is `ESC @`, `FS &` (the Chinese mode most Chinese thermal printers need
before they print GB18030; ASCII prints the same inside it), the blocks, `FS .`
and `GS V 66 3` (feed to the cutter, partial cut: the slip stays until it is
taken). A block's style is its alignment, size and weight: alignment and bold
are sent when they change, an enlarged block is set back to normal size right
after it. QR codes are `GS ( k` model 2 with UTF-8 data, printed as given.
The paper sensor is `DLE EOT 4`; its answer has the fixed bits 0x12, 0x0C when
the roll is near its end and 0x60 when it is out. Statuses are the contract's
words (`contract.messages.PrinterStatus`).

Why not python-escpos, decided on purpose: it would carry the transports
(serial, USB, network) and printer profiles, but for these printers it
carries none of them well enough. Text: it sends no `FS &` and its encoder
picks single-byte code pages, so Chinese would go through its raw writes
anyway. Status: its `paper_status()` counts a printer that does not answer as
"paper adequate" and does not check the fixed bits; a kiosk must treat
silence as offline (show the number on screen), so that part would be
rewritten. USB: its `Usb` class goes through pyusb/libusb and detaches the
kernel's usblp driver; the kiosk writes to the usblp node instead
(`/dev/usb/lpN`, no libusb). Serial and network are pyserial and a socket,
used directly here already. Profiles: what differs between the printers of a
hall is the paper width (the kiosk's `--printer-width`) and the baud rate;
every command sent is in every ESC/POS printer's base set, so a profile
database (and the Pillow, pyusb, python-barcode dependencies that come with
it) would change no byte. And the bridge and the virtual printer need the
bytes parsed back (`JobParser`), which it does not do. Worth revisiting if
slips ever carry images, barcodes or per-model quirks.
"""
from __future__ import annotations

from collections.abc import Iterable

from .base import NEED_MORE, Scan, StreamParser

ESC, FS, GS, DLE, EOT, LF = 0x1B, 0x1C, 0x1D, 0x10, 0x04, 0x0A
INIT = b"\x1b\x40"
CHINESE_ON, CHINESE_OFF = b"\x1c\x26", b"\x1c\x2e"  # FS &: enter the Chinese (GB18030) mode; FS .: leave it
PAPER_STATUS = b"\x10\x04\x04"  # DLE EOT 4: real-time roll paper sensor status, answered with one byte
ALIGN = {"left": 0, "center": 1, "right": 2}
QR_LEVELS = {"L": 0x30, "M": 0x31, "Q": 0x32, "H": 0x33}
MAX_QR = 7089
STATUS_FIXED_MASK, STATUS_FIXED = 0x93, 0x12  # bits 1 and 4 always set, 0 and 7 always clear
PAPER_NEAR_END, PAPER_OUT = 0x0C, 0x60
PAPER_BITS = {"ok": 0, "paper_near_end": PAPER_NEAR_END, "paper_out": PAPER_OUT | PAPER_NEAR_END}


def text(value: str) -> bytes:
    """Text in GB18030 (send inside CHINESE_ON … CHINESE_OFF); what it cannot hold becomes '?'."""
    return value.encode("gb18030", errors="replace")


def line(value: str = "") -> bytes:
    return text(value) + bytes((LF,))


def align(where: str) -> bytes:
    return bytes((ESC, 0x61, ALIGN[where]))


def bold(on: bool) -> bytes:
    return bytes((ESC, 0x45, 1 if on else 0))


def size(width: int = 1, height: int = 1) -> bytes:
    """GS ! n: character width and height multipliers 1-8 (Chinese characters too)."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError("character size multipliers are 1-8")
    return bytes((GS, 0x21, (width - 1) << 4 | (height - 1)))


def feed(lines: int) -> bytes:
    return bytes((ESC, 0x64, max(0, min(lines, 255))))


def cut(units: int = 3) -> bytes:
    """GS V 66 n: feed until the last line is past the cutter (plus n motion units), then a partial cut."""
    return bytes((GS, 0x56, 66, max(0, min(units, 255))))


def _qr_function(fn: int, params: bytes) -> bytes:
    length = len(params) + 2  # cn = 49 (QR code) and fn count too
    return bytes((GS, 0x28, 0x6B, length & 0xFF, length >> 8, 0x31, fn)) + params


def qr(data: str, module: int = 6, level: str = "M") -> bytes:
    """GS ( k: model 2, module size, error correction, store the data, print it."""
    payload = data.encode("utf-8")
    if not 1 <= len(payload) <= MAX_QR:
        raise ValueError(f"a QR code holds 1-{MAX_QR} bytes")
    if not 1 <= module <= 16:
        raise ValueError("QR module size is 1-16 dots")
    return (_qr_function(0x41, b"\x32\x00")                      # fn 165: model 2
            + _qr_function(0x43, bytes((module,)))               # fn 167: module size
            + _qr_function(0x45, bytes((QR_LEVELS[level],)))     # fn 169: error correction
            + _qr_function(0x50, b"\x30" + payload)              # fn 180: store
            + _qr_function(0x51, b"\x30"))                       # fn 181: print


def scale(value: int | list[int] | tuple[int, int]) -> tuple[int, int]:
    """A block's size: n (n times wide and high) or [width, height]."""
    if isinstance(value, int):
        return value, value
    width, height = value
    return int(width), int(height)


def encode_job(blocks: Iterable[dict], cut_after: bool = True) -> bytes:
    """A print job from blocks {"text", "align", "size", "bold"}, {"qr", "align", "module"} or {"feed"}."""
    out = bytearray(INIT + CHINESE_ON)
    where, heavy = "left", False  # what ESC @ leaves

    def style(to: str, weight: bool | None = None) -> None:
        nonlocal where, heavy
        if to != where:
            out.extend(align(to))
            where = to
        if weight is not None and weight != heavy:
            out.extend(bold(weight))
            heavy = weight

    for block in blocks:
        if block.get("text") is not None:
            style(block.get("align", "left"))
            width, height = scale(block.get("size", 1))
            if (width, height) != (1, 1):
                out += size(width, height)
            style(where, bool(block.get("bold", False)))
            for part in str(block["text"]).split("\n"):
                out += line(part)
            if (width, height) != (1, 1):
                out += size(1, 1)
        elif block.get("qr") is not None:
            style(block.get("align", "center"))
            out += qr(str(block["qr"]), int(block.get("module", 6)))
        elif block.get("feed") is not None:
            out += feed(int(block["feed"]))
    out += CHINESE_OFF
    if cut_after:
        out += cut()
    return bytes(out)


def paper_status(byte: int) -> str | None:
    """The answer to PAPER_STATUS as ok / paper_near_end / paper_out; None if the byte is not a status."""
    if byte & STATUS_FIXED_MASK != STATUS_FIXED:
        return None
    if byte & PAPER_OUT:
        return "paper_out"
    if byte & PAPER_NEAR_END:
        return "paper_near_end"
    return "ok"


def status_byte(paper: str) -> int:
    """What a printer answers to PAPER_STATUS with this much paper (the virtual printer's side)."""
    return STATUS_FIXED | PAPER_BITS[paper]


class StatusParser(StreamParser):
    """The host's side: status bytes from the printer; anything else is noise."""

    def scan(self, buf: bytearray) -> Scan:
        if paper_status(buf[0]) is not None:
            return 1, buf[0], None
        return 1, None, "garbage"


# --- the printer's side (virtual printer, tests) -------------------------------------------------

_FIXED_LENGTH = {(ESC, 0x40): 2, (FS, 0x26): 2, (FS, 0x2E): 2, (ESC, 0x61): 3, (ESC, 0x45): 3, (GS, 0x21): 3,
                 (ESC, 0x64): 3, (DLE, EOT): 3}
_COMMAND_BYTES = (ESC, FS, GS, DLE)


class JobParser(StreamParser):
    """Printer-side: ESC/POS bytes to events ('text', bytes) ('lf',) ('chinese', on) ('qr', data)
    ('cut', the job's bytes) ('status', n) ('init',) ('align', n) ('size', n) ('bold', n) ('feed', n).
    Unknown commands are skipped. A job's bytes are everything since the last cut except the
    real-time status requests, which a printer answers at once and never prints."""

    def __init__(self) -> None:
        super().__init__()
        self._qr_data = b""
        self._job = bytearray()

    def scan(self, buf: bytearray) -> Scan:
        consumed, event, problem = self._scan(buf)
        if consumed and not (event and event[0] == "status"):
            self._job += buf[:consumed]
        if event == ("cut",):
            event = ("cut", bytes(self._job))
            self._job.clear()
        return consumed, event, problem

    def _scan(self, buf: bytearray) -> Scan:
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
        length = _FIXED_LENGTH.get(key)
        if length is None:
            return 2 if first != DLE else 1, None, "unknown_command"
        if len(buf) < length:
            return NEED_MORE
        arg = buf[2] if length == 3 else None
        events = {(ESC, 0x40): ("init",), (FS, 0x26): ("chinese", True), (FS, 0x2E): ("chinese", False),
                  (ESC, 0x61): ("align", arg), (ESC, 0x45): ("bold", arg), (GS, 0x21): ("size", arg),
                  (ESC, 0x64): ("feed", arg), (DLE, EOT): ("status", arg)}
        return length, events[key], None

    def _cut(self, buf: bytearray) -> Scan:
        if len(buf) < 3:
            return NEED_MORE
        length = 4 if buf[2] in (65, 66) else 3
        if len(buf) < length:
            return NEED_MORE
        return length, ("cut",), None

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

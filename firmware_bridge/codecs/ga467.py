"""GA 467 SAM frames of second-generation ID card readers (二代证阅读器), 115200 8N1.

    AA AA AA 96 69 | LEN (2 bytes, big-endian) | PAYLOAD | CHK
    LEN = len(PAYLOAD) + 1;  CHK = XOR of the two LEN bytes and the payload
    host → reader  PAYLOAD = CMD PARA DATA…   (20 01 find card, 20 02 select, 30 01 read base info)
    reader → host  PAYLOAD = SW1 SW2 SW3 DATA…  (SW3 90 done; 9F card found; 80 no card; 81 select failed)

Base info (30 01) DATA: text length and photo length (2 bytes each, big-endian),
then 256 bytes of UCS-2 (little-endian) text in fixed fields, then the photo.
The protocol calls SW3 0x90 OK; readers answer a successful *find* with 0x9F,
so both count as success there (docs/devices.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .base import FramedParser

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
MAX_LEN = 4096
FIND, SELECT, READ_BASE = b"\x20\x01", b"\x20\x02", b"\x30\x01"
SW_OK, SW_FOUND, SW_NO_CARD, SW_SELECT_FAILED, SW_READ_FAILED, SW_CHECKSUM = 0x90, 0x9F, 0x80, 0x81, 0x41, 0x10
TEXT_BYTES, PHOTO_BYTES = 256, 1024
# (field, characters) in the order of the 256-byte text block
FIELDS = (("name", 15), ("sex", 1), ("nation", 2), ("birth", 8), ("address", 35), ("id_number", 18),
          ("authority", 15), ("valid_from", 8), ("valid_to", 8), ("reserved", 18))
SEXES = {"0": ("未知", "unknown"), "1": ("男", "male"), "2": ("女", "female"), "9": ("未说明", "unstated")}


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.sw1 == 0 and self.sw2 == 0 and self.sw3 in (SW_OK, SW_FOUND)


@dataclass(frozen=True)
class CardInfo:
    name: str
    sex: str
    nation: str
    birth: str
    address: str
    id_number: str
    authority: str
    valid_from: str
    valid_to: str

    def age(self, today: dt.date) -> int | None:
        try:
            born = dt.date(int(self.birth[:4]), int(self.birth[4:6]), int(self.birth[6:8]))
        except ValueError:
            return None
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def expired(self, today: dt.date) -> bool:
        if not self.valid_to.isdigit() or len(self.valid_to) != 8:
            return False  # 长期 (no end date)
        return today.strftime("%Y%m%d") > self.valid_to


def _xor(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def encode(payload: bytes) -> bytes:
    length = len(payload) + 1
    if length > MAX_LEN:
        raise ValueError(f"GA 467 payload of {len(payload)} bytes is too long")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + payload + bytes((_xor(head + payload),))


def request(command: bytes, data: bytes = b"") -> bytes:
    return encode(command + data)


def response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return encode(bytes((sw1, sw2, sw3)) + data)


def as_response(payload: bytes) -> Response | None:
    if len(payload) < 3:
        return None
    return Response(payload[0], payload[1], payload[2], payload[3:])


class Parser(FramedParser):
    """GA 467 payloads (without preamble, length and checksum) from a byte stream, either direction."""

    sync, header = PREAMBLE, 7

    def total(self, buf: bytearray) -> int | None:
        length = int.from_bytes(buf[5:7], "big")
        return 7 + length if 3 <= length <= MAX_LEN else None

    def build(self, frame: bytes) -> tuple[bytes, int]:
        return frame[7:-1], _xor(frame[5:-1])


def decode_base_info(data: bytes) -> CardInfo:
    """The card holder's text fields from the DATA of a 30 01 answer; ValueError if it is not one."""
    if len(data) < 4:
        raise ValueError("base info shorter than its lengths")
    text_len, photo_len = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
    if text_len != TEXT_BYTES or len(data) < 4 + text_len + photo_len:
        raise ValueError(f"base info of {len(data)} bytes with text {text_len} and photo {photo_len}")
    text = data[4:4 + TEXT_BYTES].decode("utf-16-le", errors="replace")
    values, at = {}, 0
    for field, chars in FIELDS:
        values[field] = text[at:at + chars].strip(" \x00")
        at += chars
    values.pop("reserved")
    return CardInfo(**values)


def encode_base_info(info: CardInfo, photo: bytes = b"\x00" * PHOTO_BYTES) -> bytes:
    """The DATA a reader sends for 30 01 (used by the virtual reader and the golden tests)."""
    values = {**info.__dict__, "reserved": ""}
    text = "".join(values[field][:chars].ljust(chars) for field, chars in FIELDS)
    return TEXT_BYTES.to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text.encode("utf-16-le") + photo

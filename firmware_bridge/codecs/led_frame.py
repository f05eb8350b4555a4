"""The framed LED text protocol of window screens (窗口屏), as common RS-485 LED controllers speak it.

    A5 ADDR CMD LEN DATA[LEN] CS 5A
    CS = ADDR ^ CMD ^ LEN ^ every DATA byte

Host → screen:  30 ping · 31 text (ROW, EFFECT, COLOUR, then GB2312/GBK bytes)
                · 32 clear every row · 33 brightness (1 byte, 1-16)
Screen → host:  06 ACK (data: the command acknowledged)
                · 15 NAK (data: the command, a reason code)
Address FF is every screen at once and is not answered. The full description,
with examples, is in docs/devices.md; vendors differ in the command numbers,
which is why this is one codec module and one driver, not the whole bridge.
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import FramedParser

START, END = 0xA5, 0x5A
CMD_PING, CMD_TEXT, CMD_CLEAR, CMD_BRIGHTNESS = 0x30, 0x31, 0x32, 0x33
CMD_ACK, CMD_NAK = 0x06, 0x15
EFFECT_STATIC, EFFECT_SCROLL, EFFECT_FLASH = 0, 1, 2
COLOUR_RED, COLOUR_GREEN, COLOUR_YELLOW = 1, 2, 3
NAK_CHECKSUM, NAK_LENGTH, NAK_COMMAND, NAK_ROW, NAK_TEXT = 1, 2, 3, 4, 5
MAX_DATA = 240


@dataclass(frozen=True)
class Frame:
    address: int
    cmd: int
    data: bytes = b""


def checksum(address: int, cmd: int, data: bytes) -> int:
    value = address ^ cmd ^ len(data)
    for byte in data:
        value ^= byte
    return value


def encode(frame: Frame) -> bytes:
    if len(frame.data) > MAX_DATA:
        raise ValueError(f"LED frame data of {len(frame.data)} bytes; at most {MAX_DATA}")
    return (bytes((START, frame.address, frame.cmd, len(frame.data))) + frame.data
            + bytes((checksum(frame.address, frame.cmd, frame.data), END)))


def unshowable(message: str, encoding: str) -> int:
    """How many characters of `message` the screen's character set lacks (they go out as '?')."""
    missing = 0
    for ch in message:
        try:
            ch.encode(encoding)
        except UnicodeEncodeError:
            missing += 1
    return missing


def text(address: int, row: int, message: str, encoding: str = "gb2312", effect: int = EFFECT_STATIC,
         colour: int = COLOUR_RED) -> Frame:
    data = message.encode(encoding, errors="replace")
    return Frame(address, CMD_TEXT, bytes((row, effect, colour)) + data[:MAX_DATA - 3])


def clear(address: int) -> Frame:
    return Frame(address, CMD_CLEAR)


def ping(address: int) -> Frame:
    return Frame(address, CMD_PING)


def brightness(address: int, level: int) -> Frame:
    return Frame(address, CMD_BRIGHTNESS, bytes((max(1, min(level, 16)),)))


def ack(address: int, cmd: int) -> Frame:
    return Frame(address, CMD_ACK, bytes((cmd,)))


def nak(address: int, cmd: int, reason: int) -> Frame:
    return Frame(address, CMD_NAK, bytes((cmd, reason)))


class Parser(FramedParser):
    """LED frames from a byte stream, in either direction."""

    sync, header, end = bytes((START,)), 4, END

    def total(self, buf: bytearray) -> int | None:
        return 4 + buf[3] + 2 if buf[3] <= MAX_DATA else None

    def build(self, frame: bytes) -> tuple[Frame, int]:
        address, cmd, data = frame[1], frame[2], frame[4:-2]
        return Frame(address, cmd, data), checksum(address, cmd, data)

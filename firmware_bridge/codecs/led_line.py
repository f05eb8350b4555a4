"""The line mode of hall LED strips (综合条屏): one command per text line, GB2312/GBK, CR LF.

    host → strip   $AA,R,E,TEXT\r\n    AA address (2 digits), R row (1-4), E effect
                                       (S static, L scroll left, F flash), TEXT in GBK
                   $AA,P\r\n           ping
    strip → host   OKAA\r\n            done
                   ERAA,C\r\n          refused, C a reason digit (1 syntax, 2 row, 3 text)

Line mode needs no escaping: CR and LF never occur inside a GB2312/GBK
character (lead bytes are 0x81-0xFE, trail bytes 0x40-0xFE), so a line is a
command. No checksum: the strip answers every line, and a garbled line is
answered ER or not at all, both of which the driver notices.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .base import Scan, StreamParser

EOL = b"\r\n"
MAX_LINE = 512
EFFECTS = {"static": "S", "scroll": "L", "flash": "F"}
ERR_SYNTAX, ERR_ROW, ERR_TEXT = 1, 2, 3

_TEXT = re.compile(rb"^\$(\d{2}),([1-4]),([SLF]),(.*)$", re.DOTALL)
_PING = re.compile(rb"^\$(\d{2}),P$")
_REPLY = re.compile(rb"^(OK|ER)(\d{2})(?:,(\d))?$")


@dataclass(frozen=True)
class Command:
    """A line the strip received: kind 'text' or 'ping'."""

    kind: str
    address: int
    row: int = 0
    effect: str = "S"
    text: bytes = b""


@dataclass(frozen=True)
class Reply:
    ok: bool
    address: int
    reason: int = 0


def text_line(address: int, row: int, message: str, encoding: str = "gbk", effect: str = "scroll") -> bytes:
    body = message.replace("\r", " ").replace("\n", " ").encode(encoding, errors="replace")
    return f"${address:02d},{row},{EFFECTS[effect]},".encode() + body[:MAX_LINE - 16] + EOL


def ping_line(address: int) -> bytes:
    return f"${address:02d},P".encode() + EOL


def reply_line(reply: Reply) -> bytes:
    if reply.ok:
        return f"OK{reply.address:02d}".encode() + EOL
    return f"ER{reply.address:02d},{reply.reason}".encode() + EOL


class _LineParser(StreamParser):
    """Lines ended by CR LF; an over-long line is noise and is dropped whole."""

    def scan(self, buf: bytearray) -> Scan:
        end = buf.find(EOL)
        if end < 0:
            if len(buf) > MAX_LINE:
                return len(buf), None, "too_long"
            return 0, None, None
        line = bytes(buf[:end])
        if end > MAX_LINE:
            return end + 2, None, "too_long"
        item = self.parse(line)
        if item is None:
            return end + 2, None, "bad_line"
        return end + 2, item, None

    def parse(self, line: bytes):
        raise NotImplementedError


class CommandParser(_LineParser):
    """The strip's side: host lines to commands."""

    def parse(self, line: bytes) -> Command | None:
        match = _TEXT.match(line)
        if match:
            address, row, effect, text = match.groups()
            return Command("text", int(address), int(row), effect.decode(), text)
        match = _PING.match(line)
        return Command("ping", int(match.group(1))) if match else None


class ReplyParser(_LineParser):
    """The bridge's side: strip answers."""

    def parse(self, line: bytes) -> Reply | None:
        match = _REPLY.match(line)
        if not match:
            return None
        word, address, reason = match.groups()
        if (word == b"ER") != (reason is not None):
            return None
        return Reply(word == b"OK", int(address), int(reason or 0))

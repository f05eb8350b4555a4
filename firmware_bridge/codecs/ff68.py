"""FF 68 frames of RS-485 call keypads (叫号器) and 4-key evaluators (评价器), as docs/devices.md gives them.

    FF 68 L L 68 ADDR FUNC DATA… CS 16
    L  = number of bytes ADDR + FUNC + DATA
    CS = (ADDR + FUNC + sum DATA) mod 256

Device → host: a key frame has FUNC ≠ 0x11 and one or more key codes as its
data, in the order pressed: one byte for a single key (`0C` 呼叫), the digit
then the key for a combination sent as one frame (`06 0F`, 6+确认 弃号), as
the keypads of deployed halls send them. An evaluator press has FUNC 0x11 and
the value in the first data byte. The host acknowledges every frame by
echoing it; an evaluator's echo carries FUNC 0x01 (so CS − 0x10).

Host → device: FUNC 02 + six digit bytes (0x0A blank) is the keypad display;
FUNC 03 with no data is one beep (CS = ADDR + 03), so two beeps are two
frames. What the bridge adds, and documents in docs/devices.md: FUNC 00 with
no data is a poll, which only hardware known to echo host frames is sent
(`poll_s` > 0). Because some hardware echoes, frames with FUNC 00/02/03 from
a device are answers, not key presses.
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import FramedParser

SYNC = b"\xff\x68"
START, END = 0x68, 0x16
MAX_L = 32  # ADDR + FUNC + DATA of any frame of this family is a handful of bytes

FUNC_POLL, FUNC_EVALUATOR_ACK, FUNC_DISPLAY, FUNC_BEEP, FUNC_EVALUATOR = 0x00, 0x01, 0x02, 0x03, 0x11
HOST_FUNCS = (FUNC_POLL, FUNC_DISPLAY, FUNC_BEEP)

BLANK = 0x0A
# key codes (the data bytes of a key frame); digits 0-9 are 0x00-0x09
KEY_RATE, KEY_CALL, KEY_RECALL, KEY_CANCEL, KEY_CONFIRM = 0x0B, 0x0C, 0x0D, 0x0E, 0x0F
KEY_LINE, KEY_PAUSE, KEY_TRANSFER = 0x11, 0x12, 0x13
KEY_NAMES: dict[int, str] = {**{d: str(d) for d in range(10)}, KEY_RATE: "评价 rate", KEY_CALL: "呼叫 call",
                             KEY_RECALL: "重呼 recall", KEY_CANCEL: "取消 cancel", KEY_CONFIRM: "确认 confirm",
                             KEY_LINE: "一米线 queue line", KEY_PAUSE: "暂停 pause", KEY_TRANSFER: "转移 transfer"}
# what a keypad's display shows (the `keypad_display` of a bus): the waiting count in the first three digits,
# the current ticket in the last three, or one of them with the other half blank, as deployed hosts show it
DISPLAY_STYLES = ("combined", "ticket", "count")
KEY_PRESS_FUNC = 0x10  # what keypads send; any FUNC outside HOST_FUNCS and 0x01/0x11 is a press


@dataclass(frozen=True)
class Frame:
    address: int
    func: int
    data: bytes = b""


def checksum(address: int, func: int, data: bytes) -> int:
    return (address + func + sum(data)) & 0xFF


def encode(frame: Frame) -> bytes:
    length = 2 + len(frame.data)
    if not 0 <= frame.address <= 0xFF or not 0 <= frame.func <= 0xFF or length > MAX_L:
        raise ValueError(f"frame out of range: {frame}")
    return (bytes((0xFF, START, length, length, START, frame.address, frame.func)) + frame.data
            + bytes((checksum(frame.address, frame.func, frame.data), END)))


def ack(frame: Frame) -> bytes:
    """The host's acknowledgement: the frame echoed, an evaluator's with FUNC 0x01."""
    func = FUNC_EVALUATOR_ACK if frame.func == FUNC_EVALUATOR else frame.func
    return encode(Frame(frame.address, func, frame.data))


def display_digits(waiting: int | None, number: str | None, style: str = "combined") -> bytes:
    """Six digit bytes: waiting count (capped at 999) and the last three digits of the ticket number,
    or only one of them (`style` "count" / "ticket") with the other three blank."""
    if style not in DISPLAY_STYLES:
        raise ValueError(f"a keypad display style is one of {DISPLAY_STYLES}, not {style!r}")
    waiting = None if style == "ticket" else waiting
    number = None if style == "count" else number
    left = bytes((BLANK,) * 3) if waiting is None else bytes(int(c) for c in f"{min(max(waiting, 0), 999):03d}")
    digits = "".join(c for c in (number or "") if c.isdigit())[-3:]
    right = bytes(int(c) for c in digits.rjust(3, "0")) if digits else bytes((BLANK,) * 3)
    return left + right


def entry_digits(text: str, mask: bool = False) -> bytes:
    """What a keypad shows while staff type: the last six typed digits, right-aligned (8s for a PIN)."""
    shown = ("8" * len(text) if mask else text)[-6:]
    return bytes((BLANK,) * (6 - len(shown))) + bytes(int(c) for c in shown)


def display(address: int, digits: bytes) -> Frame:
    if len(digits) != 6 or any(d > BLANK for d in digits):
        raise ValueError("a keypad display takes six digits 0-9 or 0x0A")
    return Frame(address, FUNC_DISPLAY, bytes(digits))


def beep(address: int) -> Frame:
    """One beep; beeping twice is this frame twice."""
    return Frame(address, FUNC_BEEP)


def poll(address: int) -> Frame:
    return Frame(address, FUNC_POLL)


def key_press(address: int, *keys: int) -> Frame:
    """A key frame: one key, or a combination (digits, then the key) as one frame."""
    if not keys:
        raise ValueError("a key frame carries at least one key")
    return Frame(address, KEY_PRESS_FUNC, bytes(keys))


def evaluator_press(address: int, value: int) -> Frame:
    return Frame(address, FUNC_EVALUATOR, bytes((value,)))


def is_key_press(frame: Frame) -> bool:
    return frame.func not in HOST_FUNCS and frame.func not in (FUNC_EVALUATOR, FUNC_EVALUATOR_ACK)


class Parser(FramedParser):
    """FF 68 frames from a byte stream, in either direction."""

    sync, header, end = SYNC, 5, END

    def total(self, buf: bytearray) -> int | None:
        length = buf[2]
        if buf[3] != length or buf[4] != START or not 2 <= length <= MAX_L:
            return None
        return 5 + length + 2

    def build(self, frame: bytes) -> tuple[Frame, int]:
        address, func, data = frame[5], frame[6], frame[7:-2]
        return Frame(address, func, data), checksum(address, func, data)

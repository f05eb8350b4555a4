"""The twins: each answers the host exactly as the device would, from the same codec modules.

A twin sits on the `device` end of a pty pair through the bridge's own
transport (so it, too, comes back after a replug). Everything it receives is
parsed and remembered; tests and the demo wait on what it shows with
`wait_for`, and script presses with `press` / `type` / `rate`.
"""
from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable

from ..codecs import ff68, ga467, led_frame, led_line
from ..codecs.base import StreamParser
from ..transport import PortEvent, SerialPort

KEYS = {"call": ff68.KEY_CALL, "recall": ff68.KEY_RECALL, "rate": ff68.KEY_RATE, "cancel": ff68.KEY_CANCEL,
        "confirm": ff68.KEY_CONFIRM, "pause": ff68.KEY_PAUSE, "transfer": ff68.KEY_TRANSFER,
        **{str(d): d for d in range(10)}}


class Twin:
    parser_class: type[StreamParser] = StreamParser
    baud = 9600

    def __init__(self, name: str):
        self.name = name
        self.parser = self.parser_class()
        self.cond = threading.Condition()
        self.silent = False  # a device that stopped answering
        self.port: SerialPort | None = None
        self.listeners: list[Callable[[str, object, float], None]] = []

    def attach(self, path: str) -> Twin:
        self.port = SerialPort(f"twin-{self.name}", path, self.baud, self._post, reopen_min_s=0.05,
                               reopen_max_s=0.3, quiet=True).start()
        return self

    def detach(self) -> None:
        if self.port is not None:
            self.port.stop()

    def wait_attached(self, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.port is None or not self.port.is_open:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _post(self, event: PortEvent) -> None:
        if event.kind != "data":
            return
        with self.cond:
            answers = [self.receive(item, event.at) for item in self.parser.feed(event.data)]
            self.cond.notify_all()
        for answer in answers:
            if answer and not self.silent and self.port is not None:
                self.port.write(answer)

    def receive(self, item, at: float) -> bytes | None:
        """Take one parsed message from the host; return the device's answer."""
        raise NotImplementedError

    def notify(self, what: str, value, at: float) -> None:
        for listener in self.listeners:
            listener(what, value, at)

    def write(self, data: bytes) -> bool:
        return self.port is not None and self.port.write(data)

    def wait_for(self, predicate: Callable[[], object], timeout: float = 15.0, what: str = "") -> object:
        with self.cond:
            result = self.cond.wait_for(predicate, timeout)
        if not result:
            raise AssertionError(f"{self.name}: {what or 'condition'} not seen within {timeout} s; {self.describe()}")
        return result

    def describe(self) -> str:
        return ""


KEY_STYLES = ("separate", "one_frame")


class VirtualFf68Bus(Twin):
    """Keypads and evaluators on one RS-485 bus (addresses that answer are `addresses`).

    `key_style` is how its keypads send what staff type: "separate" (every key its own frame) or
    "one_frame" (digits kept on the keypad and sent with the key after them, `06 0F`, as keypads of
    deployed halls do). `echo` is whether they echo the host's poll / display / beep frames; the
    keypads of deployed halls are not known to, so a bus of them is not polled."""

    parser_class = ff68.Parser

    def __init__(self, name: str, addresses: set[int], key_style: str = "separate", echo: bool = True):
        super().__init__(name)
        if key_style not in KEY_STYLES:
            raise ValueError(f"key_style is one of {KEY_STYLES}")
        self.addresses, self.key_style, self.echo = set(addresses), key_style, echo
        self.displays: dict[int, bytes] = {}
        self.beeps: Counter[int] = Counter()
        self.acks: Counter[bytes] = Counter()
        self.host_frames: deque[bytes] = deque(maxlen=2000)  # the latest frames the host sent to our addresses
        self.typed: dict[int, list[int]] = {}  # one_frame style: digits a keypad holds until the next key

    def receive(self, frame: ff68.Frame, at: float) -> bytes | None:
        if frame.address not in self.addresses:
            return None
        self.host_frames.append(ff68.encode(frame))  # the parser checked it: re-encoded, it is the wire's bytes
        if frame.func == ff68.FUNC_DISPLAY:
            self.displays[frame.address] = frame.data
            self.notify("display", (frame.address, display_text(frame.data)), at)
        elif frame.func == ff68.FUNC_BEEP:
            self.beeps[frame.address] += 1
            self.notify("beep", frame.address, at)
        elif frame.func != ff68.FUNC_POLL:
            self.acks[ff68.encode(frame)] += 1  # the host's acknowledgement of one of our presses
            return None
        return ff68.encode(frame) if self.echo else None

    def _send_until_acked(self, frame: ff68.Frame, ack: bytes, retries: int, ack_timeout: float) -> bool:
        """Send a press; like the hardware, send it again when no acknowledgement comes."""
        with self.cond:
            before = self.acks[ack]
        for _ in range(retries + 1):
            self.write(ff68.encode(frame))
            with self.cond:
                if self.cond.wait_for(lambda: self.acks[ack] > before, ack_timeout):
                    return True
        return False

    def press(self, address: int, *keys: int | str, retries: int = 2, ack_timeout: float = 0.3) -> bool:
        """One key frame of these keys (names or codes): press(3, "call"), press(3, 6, "confirm")."""
        frame = ff68.key_press(address, *(KEYS[key] if isinstance(key, str) else key for key in keys))
        return self._send_until_acked(frame, ff68.ack(frame), retries, ack_timeout)

    def type(self, address: int, *keys: str) -> bool:
        """Type as staff do, in this bus's key style, e.g. type(3, "1001", "confirm", "1234", "confirm")."""
        ok = True
        for key in keys:
            for part in ([key] if key in KEYS and not key.isdigit() else list(key)):
                if self.key_style == "separate":
                    ok &= self.press(address, part)
                elif part.isdigit():
                    self.typed.setdefault(address, []).append(KEYS[part])
                else:
                    ok &= self.press(address, *self.typed.pop(address, []), part)
        return ok

    def rate(self, address: int, value: int, retries: int = 2, ack_timeout: float = 0.3) -> bool:
        frame = ff68.evaluator_press(address, value)
        return self._send_until_acked(frame, ff68.ack(frame), retries, ack_timeout)

    def display(self, address: int) -> str:
        with self.cond:
            return display_text(self.displays.get(address, b""))

    def wait_display(self, address: int, predicate: Callable[[str], bool], timeout: float = 15.0) -> str:
        self.wait_for(lambda: predicate(display_text(self.displays.get(address, b""))), timeout,
                      f"display of address {address}")
        return self.display(address)

    def describe(self) -> str:
        return f"displays {({a: display_text(d) for a, d in self.displays.items()})}, beeps {dict(self.beeps)}"


def display_text(digits: bytes) -> str:
    """'012 005' for waiting 12 and ticket …005; blanks as '_'."""
    text = "".join("_" if d == ff68.BLANK else str(d) if d <= 9 else "?" for d in digits)
    return f"{text[:3]} {text[3:]}" if len(text) == 6 else text


class VirtualLedScreens(Twin):
    """Window screens on one bus: each address keeps its rows of text."""

    parser_class = led_frame.Parser

    def __init__(self, name: str, addresses: set[int], encoding: str = "gbk"):
        super().__init__(name)
        self.addresses, self.encoding = set(addresses), encoding
        self.rows: dict[int, dict[int, str]] = {a: {} for a in addresses}

    def receive(self, frame: led_frame.Frame, at: float) -> bytes | None:
        if frame.address not in self.addresses:
            return None
        if frame.cmd == led_frame.CMD_TEXT:
            if len(frame.data) < 3 or not 1 <= frame.data[0] <= 4:
                return led_frame.encode(led_frame.nak(frame.address, frame.cmd, led_frame.NAK_ROW))
            text = frame.data[3:].decode(self.encoding, errors="replace")
            self.rows[frame.address][frame.data[0]] = text
            self.notify("text", (frame.address, frame.data[0], text), at)
        elif frame.cmd == led_frame.CMD_CLEAR:
            self.rows[frame.address] = {}
        elif frame.cmd not in (led_frame.CMD_PING, led_frame.CMD_BRIGHTNESS):
            return led_frame.encode(led_frame.nak(frame.address, frame.cmd, led_frame.NAK_COMMAND))
        return led_frame.encode(led_frame.ack(frame.address, frame.cmd))

    def text(self, address: int, row: int = 1) -> str:
        with self.cond:
            return self.rows[address].get(row, "")

    def wait_text(self, address: int, predicate: Callable[[str], bool], row: int = 1, timeout: float = 15.0) -> str:
        self.wait_for(lambda: predicate(self.rows[address].get(row, "")), timeout, f"text of screen {address}")
        return self.text(address, row)

    def describe(self) -> str:
        return f"rows {self.rows}"


class VirtualStrip(Twin):
    """A hall LED strip in line mode."""

    parser_class = led_line.CommandParser

    def __init__(self, name: str, address: int = 1, encoding: str = "gbk"):
        super().__init__(name)
        self.address, self.encoding = address, encoding
        self.rows: dict[int, str] = {}

    def receive(self, command: led_line.Command, at: float) -> bytes | None:
        if command.address != self.address:
            return None
        if command.kind == "text":
            self.rows[command.row] = command.text.decode(self.encoding, errors="replace")
            self.notify("text", (command.row, self.rows[command.row]), at)
        return led_line.reply_line(led_line.Reply(True, self.address))

    def wait_row(self, predicate: Callable[[str], bool], row: int = 1, timeout: float = 15.0) -> str:
        self.wait_for(lambda: predicate(self.rows.get(row, "")), timeout, f"strip row {row}")
        with self.cond:
            return self.rows.get(row, "")

    def describe(self) -> str:
        return f"rows {self.rows}"


class VirtualIdReader(Twin):
    """A GA 467 reader: `put(card)` lays a card on it, `lift()` takes it away."""

    parser_class = ga467.Parser
    baud = 115200

    def __init__(self, name: str):
        super().__init__(name)
        self.card: ga467.CardInfo | None = None
        self.requests: Counter[bytes] = Counter()

    def put(self, card: ga467.CardInfo) -> None:
        with self.cond:
            self.card = card

    def lift(self) -> None:
        with self.cond:
            self.card = None

    def receive(self, payload: bytes, at: float) -> bytes | None:
        command = payload[:2]
        self.requests[command] += 1
        if command == ga467.FIND:
            return ga467.response(ga467.SW_FOUND if self.card else ga467.SW_NO_CARD)
        if command == ga467.SELECT:
            return ga467.response(ga467.SW_OK if self.card else ga467.SW_SELECT_FAILED)
        if command == ga467.READ_BASE:
            if self.card is None:
                return ga467.response(ga467.SW_READ_FAILED)
            return ga467.response(ga467.SW_OK, ga467.encode_base_info(self.card))
        return ga467.response(0x21)  # unknown command

"""Call keypads and evaluators on an FF 68 RS-485 bus: key presses → window actions, hall state → displays.

Keys (docs/devices.md, with the card staff get):
    呼叫 call → call_next · 重呼 recall → recall · 评价 → invite_rating
    暂停 → pause, or resume when the window is paused
    转移, window digits, 确认 → transfer to that window
    6 确认 → no_show (弃号) · 0 确认 → hold (挂起) · 3 确认 → call_back of the oldest ticket this window held
    (else the oldest it marked no-show; 3 NNN 确认: the one ending NNN) · 9 确认 → logout · 取消 clears what was typed
    on a closed window: staff number, 确认, PIN, 确认 → login
Digits come as presses of their own before 确认, or in one frame with it (`06 0F`), as the keypads of deployed
halls send a combination; both mean the same. A frame that means nothing as a whole (an unknown key, 一米线,
a key after digits other than 确认) beeps and does nothing: no part of it acts.
An evaluator press becomes `rate` for the ticket the window just finished or invited to rate.

Never a double action: a keypad has at most one command in flight (presses
meanwhile are counted as `busy` and dropped, with a beep unless they repeat
the frame in flight), the same action frame again within `key_holdoff_s` is a
bounce or a retransmission (`repeat`), and a ticket is rated once however
often the evaluator is pressed. A command the controller does not answer in
`command_timeout_s` beeps twice but stays the keypad's command: its request
id is sent again (also by the next action key pressed, which sends nothing
new) until its reply comes; 取消 gives it up.
"""
from __future__ import annotations

import logging
from collections import OrderedDict

from ..codecs import ff68
from .base import Driver

log = logging.getLogger("bridge.keypad")

PAUSE_REASON = "键盘暂停 paused on the keypad"
POOR_RATING_REASON = "评价器差评 evaluator"  # used when the hall lists no `evaluator` reason code
ENTRY_TIMEOUT_S = 20.0  # typed digits are forgotten when staff walk away mid-entry
ACTION_KEYS = (ff68.KEY_CALL, ff68.KEY_RECALL, ff68.KEY_RATE, ff68.KEY_PAUSE, ff68.KEY_TRANSFER, ff68.KEY_CONFIRM)
KNOWN_KEYS = (*range(10), ff68.KEY_CANCEL, *ACTION_KEYS)
LAST_IN_A_COMBINATION = (*range(10), ff68.KEY_CONFIRM)
ENTRY_KEPT = 8  # typed digits kept: a staff number, a PIN, a window or a ticket number
RATED_KEPT = 500


class Keypad:
    """One call keypad: its typing state, and the window action each press means."""

    def __init__(self, name: str, address: int, window: int, bus: Ff68Bus):
        self.name, self.address, self.window, self.bus = name, address, window, bus
        self.entry = ""
        self.mode: str | None = None  # None, "transfer" or "pin"
        self.staff_id: str | None = None
        self.busy: bytes | None = None  # the key frame whose command is in flight
        self.last_key: tuple[bytes, float] = (b"", 0.0)  # the last key frame's data, and when it came
        self.shown: bytes | None = None

    # --- presses ----------------------------------------------------------------------

    def press(self, keys: bytes, now: float) -> None:
        """One key frame, every byte in order: a key, digits, or digits then 确认 (a combination in one frame)."""
        why = self.meaningless(keys)
        if why:
            self.bus.counts["unknown_key"] += 1
            log.info("%s (window %d): key frame %s: %s", self.name, self.window, keys.hex(" "), why)
            self.beep()
            return
        *digits, key = keys
        if self.busy is not None and key in ACTION_KEYS:  # not remembered either: pressed again later, it counts
            self.bus.counts["busy"] += 1
            if keys != self.busy:  # another key than the one in flight is lost: the clerk must hear it
                self.beep()
            return
        last, at = self.last_key
        self.last_key = (keys, now)
        if key <= 9:
            self.entry = (self.entry + "".join(map(str, keys)))[-ENTRY_KEPT:]
            self.show_entry()
            return
        if key == ff68.KEY_CANCEL:
            self.bus.bridge.give_up(self.name)
            self.busy = None
            self.reset()
            self.refresh(force=True)
            return
        if keys == last and now - at < self.bus.cfg.key_holdoff_s:
            self.bus.counts["repeat"] += 1
            return
        if digits:
            self.entry = "".join(map(str, digits))[-ENTRY_KEPT:]  # a combination frame carries all it means
        elif key not in (ff68.KEY_CONFIRM, ff68.KEY_TRANSFER):
            self.reset()  # an action key ends whatever was being typed
        decided = self.decide(key)
        if decided is not None:
            self.send(*decided)

    @staticmethod
    def meaningless(keys: bytes) -> str | None:
        """Why a key frame means nothing as a whole, or None. Only digits combine, and only with 确认."""
        for code in keys:
            if code not in KNOWN_KEYS:
                return f"{ff68.KEY_NAMES.get(code, f'key code 0x{code:02X}')} has no action here"
        if any(code > 9 for code in keys[:-1]) or (len(keys) > 1 and keys[-1] not in LAST_IN_A_COMBINATION):
            return "only digits, or digits then 确认, come in one frame"
        return None

    def decide(self, key: int) -> tuple[str, dict] | None:
        status = self.bus.bridge.hall.status(self.window)
        if key == ff68.KEY_CALL:
            return "call_next", {}
        if key == ff68.KEY_RECALL:
            return "recall", {}
        if key == ff68.KEY_RATE:
            return "invite_rating", {}
        if key == ff68.KEY_PAUSE:
            return ("resume", {}) if status == "paused" else ("pause", {"reason": PAUSE_REASON})
        if key == ff68.KEY_TRANSFER:
            self.entry, self.mode = "", "transfer"
            self.show_entry()
            return None
        return self.confirm(status)

    def confirm(self, status: str) -> tuple[str, dict] | None:
        entry, mode = self.entry, self.mode
        self.entry, self.mode = "", None
        if mode == "transfer":
            if entry and 1 <= int(entry) <= 999:
                return "transfer", {"to_window": int(entry)}
            return self.refuse("转移：请输入窗口号 transfer: type the window number first")
        if mode == "pin":
            staff_id, self.staff_id = self.staff_id, None
            if entry:
                return "login", {"staff_id": staff_id, "pin": entry}
            return self.refuse("登录：请输入密码 login: type the PIN")
        if status == "closed":
            if not entry:
                return self.refuse("登录：工号、确认、密码、确认 login: staff number, confirm, PIN, confirm")
            self.staff_id, self.mode = entry, "pin"
            self.show_entry()
            return None
        if entry == "6":
            return "no_show", {}
        if entry == "0":
            return "hold", {}
        if entry == "9":
            return "logout", {}
        if entry[:1] == "3":
            number = self.call_back_number(entry[1:])
            if number:
                return "call_back", {"number": number}
            return self.refuse("没有可回呼的号码 nothing to call back")
        return self.refuse(f"未知组合 {entry or '(空)'}+确认 unknown combination")

    def call_back_number(self, digits: str) -> str | None:
        """The ticket '3 [NNN] 确认' means: the oldest held at this window (挂起 is for coming back to), else
        the oldest it marked no-show; or the one ending in NNN."""
        kept = self.bus.bridge.hall.set_aside.get(self.window, {})
        if not digits:
            return next((n for n, kind in kept.items() if kind == "held"), next(iter(kept), None))
        digits = digits[-3:].rjust(3, "0")
        for number in kept:
            if number.endswith(digits):
                return number
        prefix = self.bus.bridge.hall.prefix_of(self.window)
        return f"{prefix}{digits}" if prefix else None

    def refuse(self, why: str) -> None:
        self.bus.counts["bad_combination"] += 1
        log.info("%s (window %d): %s", self.name, self.window, why)
        self.beep()
        self.refresh(force=True)

    # --- the controller's answer ---------------------------------------------------

    def send(self, action: str, fields: dict) -> None:
        if self.bus.bridge.send(action, {"window": self.window, **fields}, lambda reply: self.answered(action, reply),
                                key=self.name, on_overdue=lambda request: self.answered(request.action, None)):
            self.busy = self.last_key[0]
            return
        self.bus.counts["no_controller"] += 1
        log.warning("%s: %s not sent: the controller is not online", self.name, action)
        self.beep(2)
        self.refresh(force=True)

    def answered(self, action: str, reply: dict | None) -> None:
        self.busy = None
        if reply is None:
            self.bus.counts["timeout"] += 1
            log.warning("%s: no answer to %s", self.name, action)
            self.beep(2)
        elif not reply.get("ok"):
            error = reply.get("error") or {}
            self.bus.counts["refused"] += 1
            log.info("%s (window %d): %s refused: %s %s", self.name, self.window, action, error.get("code"),
                     error.get("message_zh"))
            self.beep()
        self.refresh(force=True)

    # --- the display --------------------------------------------------------------------

    def reset(self) -> None:
        self.entry, self.mode, self.staff_id = "", None, None

    def digits(self) -> bytes:
        hall = self.bus.bridge.hall
        waiting = hall.waiting_for(self.window)
        return ff68.display_digits(waiting, hall.current_number(self.window), self.bus.cfg.keypad_display)

    def refresh(self, force: bool = False) -> None:
        """Show the window's current ticket and waiting count, unless staff are typing."""
        if self.entry or self.mode:
            return
        digits = self.digits()
        if force or digits != self.shown:
            self.shown = digits
            self.bus.send_frame(self.name, ff68.display(self.address, digits))

    def show_entry(self) -> None:
        self.shown = None
        self.bus.send_frame(self.name, ff68.display(self.address, ff68.entry_digits(self.entry, self.mode == "pin")))

    def beep(self, times: int = 1) -> None:
        for _ in range(times):
            self.bus.send_frame(self.name, ff68.beep(self.address))

    def tick(self, now: float) -> None:
        if (self.entry or self.mode) and now - self.last_key[1] > ENTRY_TIMEOUT_S:
            self.reset()
            self.refresh(force=True)


class Evaluator:
    """One 4-key evaluator: a press rates the ticket its window just served, once."""

    def __init__(self, name: str, address: int, window: int, levels: dict[int, int], bus: Ff68Bus):
        self.name, self.address, self.window, self.levels, self.bus = name, address, window, levels, bus
        self.rated: OrderedDict[str, None] = OrderedDict()

    def press(self, value: int, now: float) -> None:
        level = self.levels.get(value)
        if level is None:
            self.bus.counts["unknown_value"] += 1
            log.info("%s: value %d is no key of this evaluator", self.name, value)
            return
        target = self.bus.bridge.hall.rating_target(self.window)
        if target is None:
            self.bus.counts["no_ticket_to_rate"] += 1
            log.info("%s: pressed %d, but window %d served nobody lately", self.name, value, self.window)
            return
        ticket_id, number = target
        if ticket_id in self.rated:
            self.bus.counts["already_rated"] += 1
            return
        fields = {"window": self.window, "ticket_id": ticket_id, "level": level}
        if level <= 2:
            codes = self.bus.bridge.hall.reason_codes
            fields["reasons"] = ["evaluator"] if "evaluator" in codes else [POOR_RATING_REASON]
        if not self.bus.bridge.send("rate", fields, lambda reply: self.answered(number, level, reply),
                                    on_overdue=lambda request: self.answered(number, level, None)):
            self.bus.counts["no_controller"] += 1
            log.warning("%s: rating %d of %s not sent: the controller is not online", self.name, level, number)
            return
        self.rated[ticket_id] = None  # sent: whatever comes back, this ticket is not rated again from here
        while len(self.rated) > RATED_KEPT:
            self.rated.popitem(last=False)

    def answered(self, number: str, level: int, reply: dict | None) -> None:
        if reply is None:
            self.bus.counts["timeout"] += 1
            log.warning("%s: no answer to the rating %d of %s", self.name, level, number)
        elif not reply.get("ok"):
            error = reply.get("error") or {}
            self.bus.counts["rating_refused"] += 1
            log.warning("%s: rating %d of %s refused: %s %s", self.name, level, number, error.get("code"),
                        error.get("message"))
        else:
            log.info("%s: %s rated %d", self.name, number, level)


class Ff68Bus(Driver):
    """One RS-485 bus of keypads and evaluators, each at its own address."""

    parser_class = ff68.Parser

    def __init__(self, name, cfg, bridge):
        super().__init__(name, cfg, bridge)
        self.by_address: dict[int, Keypad | Evaluator] = {}
        for device, dcfg in cfg.devices.items():
            if dcfg.kind == "keypad":
                self.by_address[dcfg.address] = Keypad(device, dcfg.address, dcfg.window, self)
            else:
                self.by_address[dcfg.address] = Evaluator(device, dcfg.address, dcfg.window, dict(dcfg.levels), self)
        self.keypads = [d for d in self.by_address.values() if isinstance(d, Keypad)]

    def send_frame(self, device: str, frame: ff68.Frame) -> None:
        if self.write(ff68.encode(frame)):
            self.expect(device, self.bridge.clock())

    def on_item(self, frame: ff68.Frame, now: float) -> None:
        device = self.by_address.get(frame.address)
        if frame.func in ff68.HOST_FUNCS:  # a device echoing our display / beep / poll
            if device is None:
                self.unknown_address(frame.address)
            else:
                self.heard(device.name, now)
            return
        if frame.func == ff68.FUNC_EVALUATOR_ACK:
            self.counts["unexpected"] += 1  # our own acknowledgement: an adapter with local echo on
            return
        self.write(ff68.ack(frame))
        if device is None:
            self.unknown_address(frame.address)
            return
        self.heard(device.name, now)
        if frame.func == ff68.FUNC_EVALUATOR and isinstance(device, Evaluator) and frame.data:
            device.press(frame.data[0], now)
        elif ff68.is_key_press(frame) and isinstance(device, Keypad) and frame.data:
            device.press(frame.data, now)
        else:
            self.counts["wrong_kind"] += 1
            log.info("port %s: frame FUNC 0x%02X from %s does not fit a %s", self.name, frame.func, device.name,
                     type(device).__name__.lower())

    def on_hall(self, change, now: float) -> None:
        kind, window = change
        for keypad in self.keypads:
            if kind == "queues" or (kind == "window" and window == keypad.window):
                keypad.refresh()

    def on_connected(self, now: float) -> None:
        for keypad in self.keypads:
            keypad.shown = None
            keypad.refresh()

    def poll(self, now: float) -> None:
        for device in self.by_address.values():
            if isinstance(device, Keypad):
                if not (device.entry or device.mode):
                    device.refresh(force=True)
            else:
                self.send_frame(device.name, ff68.poll(device.address))

    def tick(self, now: float) -> None:
        super().tick(now)
        for keypad in self.keypads:
            keypad.tick(now)

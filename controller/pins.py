"""PIN guessing, bounded: wrong PINs for a staff number or at a window lock it for a while.

A 4-digit PIN falls to a device that may try as often as it likes (10,000 tries, each a PBKDF2 of
contract/privacy.py on the controller's one loop: a flood of them also delays every other device).
So `pin_lock.max_wrong` wrong PINs in a row for a staff number, or at a window, lock that staff
number or that window for `pin_lock.lock_s` seconds; while it is locked every login there is
refused `locked` at once, without hashing anything. A right PIN resets the count of its staff
number and its window. Counting both keys means a device cannot spread its guesses over many staff
numbers (its window locks) nor over several windows (the staff number locks).

Pure like the engine: time comes in, decisions come out. The engine holds the PinGuard; the locks
are stored (table `pin_locks`) so a restart does not lift them, the counts below a lock are not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contract.errors import CommandError
from contract.privacy import check_pin

from .model import Event


def keys(staff_id: str | None, window: int) -> list[str]:
    """What a login counts against: its window, and its staff number when it is a real one (random
    numbers would only fill memory; their guesses count at the window)."""
    return [f"window:{window}"] + ([f"staff:{staff_id}"] if staff_id is not None else [])


@dataclass
class PinGuard:
    wrong: dict[str, int] = field(default_factory=dict)  # key -> wrong PINs in a row
    locked: dict[str, float] = field(default_factory=dict)  # key -> locked until (hall time)

    def restore(self, rows) -> None:
        """The stored locks (rows of `pin_locks`) at start."""
        for row in rows:
            self.locked[row["key"]] = max(self.locked.get(row["key"], 0.0), row["until"])

    def locked_until(self, names: list[str], now: float) -> float | None:
        """The latest end of a lock on any of these keys still running at `now`, or None."""
        for name in [n for n in names if n in self.locked and self.locked[n] <= now]:
            del self.locked[name]
        ends = [self.locked[n] for n in names if n in self.locked]
        return max(ends) if ends else None

    def wrong_pin(self, names: list[str], now: float, max_wrong: int, lock_s: float) -> list[str]:
        """Count a wrong PIN against each key; the keys it locks now (their count starts again)."""
        locked = []
        for name in names:
            self.wrong[name] = self.wrong.get(name, 0) + 1
            if self.wrong[name] >= max_wrong:
                del self.wrong[name]
                self.locked[name] = now + lock_s
                locked.append(name)
        return locked

    def right_pin(self, names: list[str]) -> None:
        for name in names:
            self.wrong.pop(name, None)


def _clock(engine, at: float) -> str:
    return datetime.fromtimestamp(at, engine.tz).strftime("%H:%M")


def locked_error(engine, until: float) -> CommandError:
    when = _clock(engine, until)
    return CommandError("locked", f"too many wrong PINs: logins here are locked until {when}",
                        f"密码错误次数过多，已锁定，请于{when}后再试")


def check(engine, change, window, staff_id: str, pin: str, pin_hash: str | None) -> None:
    """Refuse a login that is locked out or has a wrong PIN (counting it, locking, raising the alert);
    returns only for a right PIN at a window and staff number that are not locked."""
    rules = engine.config.pin_lock
    names = keys(staff_id if pin_hash is not None else None, window.number)
    until = engine.pins.locked_until(names, change.now)
    if until is not None:
        raise locked_error(engine, until)
    if pin_hash is not None and check_pin(pin, pin_hash):
        engine.pins.right_pin(names)
        return
    now_locked = engine.pins.wrong_pin(names, change.now, rules.max_wrong, rules.lock_s)
    for name in now_locked:
        kind, _, what = name.partition(":")
        row = {"key": name, "kind": kind, "window": window.number, "staff_id": what if kind == "staff" else None,
               "device": change.device, "locked_at": change.now, "until": change.now + rules.lock_s,
               "wrong": rules.max_wrong}
        change.record("pin_locks", name, row)
        change.event(Event("pin_locked", change.now, change.device, window=window.number,
                           staff_id=row["staff_id"], data={**row, "text": _alert_text(engine, row)}))
    if now_locked:
        raise locked_error(engine, change.now + rules.lock_s)
    raise CommandError("forbidden", "wrong staff id or PIN", "工号或密码错误")


def _alert_text(engine, row: dict) -> dict:
    when = _clock(engine, row["until"])
    if row["kind"] == "staff":
        return {"zh": f"工号{row['staff_id']}密码连续错误{row['wrong']}次（{row['window']}号窗口），"
                      f"已锁定至{when}",
                "en": f"{row['wrong']} wrong PINs in a row for staff {row['staff_id']} (window {row['window']}): "
                      f"locked until {when}"}
    return {"zh": f"{row['window']}号窗口密码连续错误{row['wrong']}次，已锁定至{when}",
            "en": f"{row['wrong']} wrong PINs in a row at window {row['window']}: logins locked until {when}"}

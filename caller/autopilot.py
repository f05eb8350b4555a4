"""A demo member of staff who works the caller app by touch, for a headless `make demo`.

It presses the app's real buttons through Kivy's touch dispatch (the same
path a finger takes), so the demo exercises the caller as staff use it:
log in on the keypad, 呼叫下一位, 开始, 办结 (and its outcome: mostly 受理, now and then 即办 or
咨询), now and then 邀请评价. Times are
hall seconds, divided by the demo's clock speed.
"""
from __future__ import annotations

import random
import time

from kivy.clock import Clock

from testbed.screens import find, tap

WALK_TO_WINDOW_S = 25  # a called citizen walks to the window
SERVICE_S = 240  # mean service time


class Autopilot:
    def __init__(self, screen, staff_id: str, pin: str, *, speed: float = 1.0, seed: int = 3):
        self.screen, self.staff_id, self.pin = screen, staff_id, pin
        self.speed = max(speed, 0.001)
        self.rng = random.Random(seed)
        self.next_at = 0.0
        self.taps = 0
        self.invited: str | None = None

    def start(self) -> Autopilot:
        self._event = Clock.schedule_interval(self.step, 0.3)
        return self

    def stop(self) -> None:
        self._event.cancel()

    def _later(self, hall_seconds: float) -> None:
        self.next_at = time.monotonic() + hall_seconds / self.speed

    def _tap(self, widget) -> None:
        if widget is not None and not widget.disabled:
            tap(widget)
            self.taps += 1

    def button(self, action: str):
        return next((b for b in self.screen.action_buttons if b.action == action), None)

    def step(self, dt) -> None:
        presenter = self.screen.presenter
        if time.monotonic() < self.next_at or presenter.busy or not presenter.online:
            return
        if not presenter.logged_in:
            self._login()
            self._later(5)
            return
        if self.screen.dialog is not None:  # 办结's outcome
            outcome = self.rng.choices(("受理", "即办", "咨询"), (8, 1, 1))[0]
            self._tap(find(self.screen.dialog, lambda w: getattr(w, "zh", None) == outcome))
            self._later(10)
            return
        current = presenter.current
        if current is None:
            if presenter.enabled("call_next"):
                self._tap(self.button("call_next"))
                self._later(WALK_TO_WINDOW_S)
            else:
                self._later(20)
        elif current.status == "called":
            self._tap(self.button("start"))
            self._later(self.rng.expovariate(1 / SERVICE_S))
        elif self.invited != current.number and self.rng.random() < 0.3:
            self.invited = current.number
            self._tap(self.button("invite_rating"))
            self._later(5)
        else:
            self._tap(self.button("finish"))
            self._later(1)

    def _login(self) -> None:
        ids = self.screen.ids
        self._tap(ids.staff_field)
        for _ in range(16):
            self._tap(self._key("退格"))
        for char in self.staff_id:
            self._tap(self._key(char))
        self._tap(ids.pin_field)
        for char in self.pin:
            self._tap(self._key(char))
        self._tap(ids.login_button)

    def _key(self, text: str):
        return find(self.screen.ids.login_keypad, lambda w: getattr(w, "zh", None) == text)

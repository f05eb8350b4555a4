"""The hall as its retained state and events tell it, folded into plain dicts.

Screens and the caller never ask the controller what the hall looks like: they
subscribe to `state/#` (and the events they care about) and fold every message
in here. A screen that starts, or comes back after a broker restart, gets the
retained state again and shows the hall as it is; a live config change arrives
the same way, so nothing restarts. Plain Python, no Kivy: the presenters built
on it are tested without a window.
"""
from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contract.topics import Topics


class HallView:
    def __init__(self, topics: Topics, clock=time.time):
        self.topics = topics
        self.clock = clock
        self.config: dict = {}
        self.config_version = 0
        self.day = ""
        self.queues: dict[str, dict] = {}  # category code -> entry, in the controller's display order
        self.windows: dict[int, dict] = {}  # window number -> state/window payload
        self.calls: list[dict] = []  # newest first
        # The controller's clock minus ours. Service timers count from the controller's
        # timestamps; in the demo its clock runs faster, and a box may have no NTP.
        self.clock_offset = 0.0
        self._offset_from_event = False

    def apply(self, topic: str, data) -> str | None:
        """Fold one message in; returns its kind ('config', 'queues', 'window', 'calls' or an
        event kind such as 'called'), or None for a message this view does not hold."""
        root = self.topics.root
        if not topic.startswith(root + "/"):
            return None
        if topic == self.topics.state_config():
            if isinstance(data, dict) and isinstance(data.get("config"), dict):
                self.config, self.config_version = data["config"], data.get("version", 0)
                self._prune_windows()
                return "config"
            return None
        if topic == self.topics.state_queues():
            if isinstance(data, dict) and isinstance(data.get("categories"), list):
                self.queues = {c["code"]: c for c in data["categories"] if isinstance(c, dict) and "code" in c}
                self.day = data.get("day", self.day)
                self._note_time(data.get("at"), event=False)
                return "queues"
            return None
        if topic == self.topics.state_calls():
            if isinstance(data, dict) and isinstance(data.get("calls"), list):
                self.calls = [c for c in data["calls"] if isinstance(c, dict)]
                return "calls"
            return None
        number = self.topics.parse_window_state(topic)
        if number is not None:
            if isinstance(data, dict) and data.get("window") == number:
                self.windows[number] = data
                self._note_time(data.get("at"), event=False)
            else:  # an empty retained payload: the window was removed from the config
                self.windows.pop(number, None)
            return "window"
        kind = self.topics.parse_event(topic)
        if kind is not None and isinstance(data, dict):
            self._note_time(data.get("at"), event=True)
            return kind
        return None

    def _note_time(self, at, *, event: bool) -> None:
        """Events are never retained, so their `at` is fresh; retained state may be hours old
        and is used only until the first event arrives."""
        if not isinstance(at, (int, float)):
            return
        offset = at - self.clock()
        if event:
            self.clock_offset, self._offset_from_event = offset, True
        elif not self._offset_from_event:
            self.clock_offset = max(self.clock_offset, offset) if self.clock_offset else offset

    def _prune_windows(self) -> None:
        windows = self.config.get("windows") or {}
        for number in [n for n in self.windows if str(n) not in windows and n not in windows]:
            del self.windows[number]

    # --- what screens ask -----------------------------------------------------------

    def hall_now(self) -> float:
        """Now on the controller's clock."""
        return self.clock() + self.clock_offset

    def hall_time(self) -> datetime:
        """Now on the controller's clock, in the hall's time zone (what every screen's clock shows)."""
        try:
            tz = ZoneInfo(self.config.get("timezone") or "Asia/Shanghai")
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo("Asia/Shanghai")
        return datetime.fromtimestamp(self.hall_now(), tz)

    def category_name(self, code: str) -> dict[str, str]:
        """{zh, en} of a category, from the live config (a rename shows at once)."""
        cat = (self.config.get("categories") or {}).get(code) or {}
        name = cat.get("name") or (self.queues.get(code) or {}).get("name")
        return dict(name) if isinstance(name, dict) else {"zh": code, "en": code}

    def window_config(self, number: int) -> dict:
        windows = self.config.get("windows") or {}
        return windows.get(str(number)) or windows.get(number) or {}

    def window_name(self, number: int) -> dict[str, str]:
        name = self.window_config(number).get("name") or (self.windows.get(number) or {}).get("name")
        return dict(name) if isinstance(name, dict) else {"zh": f"{number}号窗口", "en": f"Window {number}"}

    def window_numbers(self) -> list[int]:
        """Every window of the hall: the config's, else those with state."""
        numbers = {int(n) for n in (self.config.get("windows") or {})} or set(self.windows)
        return sorted(numbers)

    def hall_name(self) -> dict[str, str]:
        name = self.config.get("name")
        return dict(name) if isinstance(name, dict) else {"zh": "政务服务中心", "en": "Government Service Center"}

    def notice(self) -> dict[str, str] | None:
        notice = self.config.get("notice")
        return dict(notice) if isinstance(notice, dict) else None

    def waiting_total(self) -> int:
        return sum(int(q.get("waiting") or 0) for q in self.queues.values())


def clock_text(seconds: float | None) -> str:
    """A running timer: 4:05, 1:02:03; '--' when unknown."""
    if seconds is None:
        return "--"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def wait_text(seconds: float | None) -> dict[str, str]:
    """An estimated wait for people: 约5分钟 / about 5 min, rounded up to a whole minute."""
    if seconds is None:
        return {"zh": "--", "en": "--"}
    if seconds <= 0:
        return {"zh": "无需等候", "en": "no wait"}
    minutes = max(1, -(-int(seconds) // 60))
    if minutes >= 120:
        hours = round(minutes / 60, 1)
        return {"zh": f"约{hours:g}小时", "en": f"about {hours:g} h"}
    return {"zh": f"约{minutes}分钟", "en": f"about {minutes} min"}

"""The hall as a client sees it: one typed mirror of the controller's retained state.

Every client keeps one of these and asks it — the kiosk and the evaluator, the
caller, the hall and window screens, the bridge's keypads and LED screens —
and none rebuilds the hall from events. The retained state (`state/config`,
`state/queues`, `state/window/<n>`, `state/calls`) is the only source: the
broker hands it out again to a client that restarts, a live config change
arrives the same way, and what clients used to piece together from events
and lose on restart is in it (a window's tickets set aside, the ticket it
served last, which windows serve a category now, the call sentence). Each
payload is checked against its model (contract/messages.py) before it
replaces what was held; a malformed one is logged and the old state kept.

Events only pass by: `apply` names their kind, and their `at` (always fresh,
never retained) keeps the controller's clock. Plain Python, no Kivy, no
MQTT: the presenters built on it are tested without a window.

The controller's own view for its supervision rules (`HallView` of
controller/supervision.py) is not this, on purpose: it is built from the
engine inside the controller, with what no client is given (issue times of
waiting tickets, tickets sent to one window, follow-ups and their deadlines);
routing it through the published state would tie supervision to the wire.
"""
from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from .bilingual import Bi, bi
from .messages import CallEntry, CallsState, ConfigState, QueueEntry, QueuesState, Served, SetAside, WindowState
from .topics import Topics

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"
# A window's `status` in words (the hall screen's tiles, the web's hall page)
WINDOW_STATUS = {"serving": Bi("办理中", "Serving"), "open": Bi("空闲", "Open"), "paused": Bi("暂停服务", "Paused"),
                 "closed": Bi("未开放", "Closed")}


@dataclass(frozen=True)
class CategoryView:
    code: str
    prefix: str
    name: Bi
    waiting: int
    est_wait_s: int
    open_windows: tuple[int, ...]
    next: tuple[str, ...]
    allow_green: bool
    refused_when_unserved: bool = False  # the config's `when_unserved: refuse`: no ticket while no window serves it

    @property
    def served(self) -> bool:
        """Some open window serves it now (state/queues' `open_windows`, tidal switches included)."""
        return bool(self.open_windows)

    @property
    def takes_tickets(self) -> bool:
        return self.served or not self.refused_when_unserved


@dataclass(frozen=True)
class ItemView:
    id: str
    name: Bi
    category: str
    guide: dict


class HallMirror:
    def __init__(self, topics: Topics | None = None, clock=time.time):
        self.topics = topics
        self.clock = clock
        self.config: dict = {}
        self.config_version: int | None = None
        self.day = ""
        self.queues: dict[str, QueueEntry] = {}  # category code -> entry, in the controller's display order
        self.windows: dict[int, WindowState] = {}
        self.calls: list[CallEntry] = []  # newest first
        self.arrived: set[str] = set()  # the kinds of state heard at least once: config, queues, window, calls
        # The controller's clock minus ours. Service timers count from the controller's
        # timestamps; in the demo its clock runs faster, and a box may have no NTP.
        self.clock_offset = 0.0
        self._offset_from_event = False

    def subscriptions(self, *events: str) -> list[str]:
        """The retained state (all of it: a window's screen also names the categories) and the events asked for."""
        return [self.topics.state_all(), *(self.topics.event(kind) for kind in events)]

    # --- messages in -------------------------------------------------------------------------

    def apply(self, topic: str, data) -> str | None:
        """Take one message in; returns its kind ('config', 'queues', 'window', 'calls' or an event
        kind such as 'called'), or None for one this mirror does not hold (or refused)."""
        t = self.topics
        if not topic.startswith(t.root + "/"):
            return None
        if topic == t.state_config():
            return "config" if self.apply_config(data) else None
        if topic == t.state_queues():
            return "queues" if self.apply_queues(data) else None
        if topic == t.state_calls():
            return "calls" if self.apply_calls(data) else None
        number = t.parse_window_state(topic)
        if number is not None:
            return "window" if self.apply_window(number, data) else None
        kind = t.parse_event(topic)
        if kind is not None and isinstance(data, dict):
            self._note_time(data.get("at"), event=True)
            return kind
        return None

    def apply_config(self, data) -> bool:
        state = _checked(ConfigState, data, "state/config")
        if state is None:
            return False
        self.config, self.config_version = state.config, state.version
        self.arrived.add("config")
        windows = self.config.get("windows") or {}
        for number in [n for n in self.windows if str(n) not in windows and n not in windows]:
            del self.windows[number]
        return True

    def apply_queues(self, data) -> bool:
        state = _checked(QueuesState, data, "state/queues")
        if state is None:
            return False
        self.queues = {entry.code: entry for entry in state.categories}
        self.arrived.add("queues")
        self.day = state.day
        self._note_time(state.at, event=False)
        return True

    def apply_calls(self, data) -> bool:
        state = _checked(CallsState, data, "state/calls")
        if state is None:
            return False
        self.calls = list(state.calls)
        self.arrived.add("calls")
        return True

    def apply_window(self, number: int, data) -> bool:
        """state/window/<n>; an empty payload: the window was removed from the config."""
        if not data:
            self.windows.pop(number, None)
            return True
        state = _checked(WindowState, data, f"state/window/{number}")
        if state is None or state.window != number:
            return False
        self.windows[number] = state
        self.arrived.add("window")
        self._note_time(state.at, event=False)
        return True

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

    # --- the hall's clock ------------------------------------------------------------------------

    def hall_now(self) -> float:
        """Now on the controller's clock."""
        return self.clock() + self.clock_offset

    @property
    def timezone(self) -> str:
        return str(self.config.get("timezone") or DEFAULT_TIMEZONE)

    def hall_time(self, at: float | None = None) -> datetime:
        """`at` (default now, on the controller's clock) in the hall's time zone: what every screen's clock shows."""
        try:
            tz = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo(DEFAULT_TIMEZONE)
        return datetime.fromtimestamp(self.hall_now() if at is None else at, tz)

    # --- the config --------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """The config has arrived: there is something to offer."""
        return bool(self.config.get("categories"))

    @property
    def hall_id(self) -> str:
        return str(self.config.get("hall") or "")

    @property
    def name(self) -> Bi:
        return bi(self.config.get("name") or {"zh": "政务服务中心", "en": "Government Service Center"})

    @property
    def notice(self) -> Bi | None:
        """The admin's scrolling notice of the hall screen."""
        notice = self.config.get("notice")
        return bi(notice) if isinstance(notice, dict) else None

    def categories(self) -> list[CategoryView]:
        """Categories in the hall's order, with their live queue figures."""
        cats = self.config.get("categories") or {}
        ordered = sorted(cats.items(), key=lambda kv: (kv[1].get("order", 0), kv[0]))
        return [self.category(code) for code, _ in ordered]

    def category(self, code: str | None) -> CategoryView | None:
        cat = (self.config.get("categories") or {}).get(code) if code else None
        if not isinstance(cat, dict):
            return None
        queue = self.queues.get(code)
        return CategoryView(code=code, prefix=str(cat.get("prefix", "")), name=bi(cat.get("name")),
                            waiting=queue.waiting if queue else 0, est_wait_s=queue.est_wait_s if queue else 0,
                            open_windows=tuple(queue.open_windows) if queue else (),
                            next=tuple(queue.next) if queue else (), allow_green=bool(cat.get("allow_green", True)),
                            refused_when_unserved=cat.get("when_unserved") == "refuse")

    def category_name(self, code: str) -> Bi:
        """{zh, en} of a category, from the live config (a rename shows at once), else the queue's."""
        cat = (self.config.get("categories") or {}).get(code) or {}
        name = cat.get("name") or (self.queues[code].name if code in self.queues else None)
        return bi(name) if name else Bi(code, code)

    def prefixes(self) -> list[str]:
        found = {q.prefix for q in self.queues.values() if q.prefix}
        found |= {c.get("prefix") for c in (self.config.get("categories") or {}).values() if c.get("prefix")}
        return sorted(found)

    def items(self, category: str | None = None) -> list[ItemView]:
        found = [self.item(item_id) for item_id in sorted(self.config.get("items") or {})]
        return [i for i in found if i is not None and (category is None or i.category == category)]

    def item(self, item_id: str | None) -> ItemView | None:
        raw = (self.config.get("items") or {}).get(item_id) if item_id else None
        if not isinstance(raw, dict):
            return None
        return ItemView(id=item_id, name=bi(raw.get("name")), category=str(raw.get("category", "")),
                        guide=raw.get("guide") or {})

    def ticket_url(self, token: str) -> str:
        """What a ticket's QR code holds (the printed slip, the kiosk's screen): its page on the
        citizens' web tier, `<web.public_url>/t/<rating_token>`, which follows it through the visit
        and then takes its rating; the bare token while the config names no web tier. A kiosk's
        scanner reads the token back out of either."""
        url = str((self.config.get("web") or {}).get("public_url") or "").rstrip("/")
        return f"{url}/t/{token}" if url and token else token

    def reasons(self) -> dict[str, Bi]:
        """The 差评 reasons of the config (`ratings.reasons`), code -> words."""
        configured = (self.config.get("ratings") or {}).get("reasons")
        return {code: bi(text) for code, text in configured.items()} if isinstance(configured, dict) else {}

    def window_config(self, number: int) -> dict:
        windows = self.config.get("windows") or {}
        return windows.get(str(number)) or windows.get(number) or {}

    def window_name(self, number: int) -> Bi:
        name = self.window_config(number).get("name") or (self.windows[number].name if number in self.windows
                                                          else None)
        return bi(name) if name else Bi(f"{number}号窗口", f"Window {number}")

    def window_numbers(self) -> list[int]:
        """Every window of the hall: the config's, else those with state."""
        return sorted({int(n) for n in (self.config.get("windows") or {})} or set(self.windows))

    def green_windows(self) -> list[int]:
        return [n for n in self.window_numbers() if self.window_config(n).get("green_channel")]

    # --- the windows now ------------------------------------------------------------------------------

    def window(self, number: int) -> WindowState | None:
        return self.windows.get(number)

    def status(self, number: int) -> str:
        state = self.windows.get(number)
        return state.status if state else "closed"

    def staff_at(self, number: int) -> tuple[str, str]:
        """(masked name, 工号) of whoever is logged in at a window; the controller already masks the name."""
        state = self.windows.get(number)
        return (state.staff or "", state.staff_id or "") if state else ("", "")

    def serves(self, number: int) -> tuple[list[str], list[str]]:
        """(primary, secondary) categories a window serves now (a tidal switch included), else its config's."""
        state = self.windows.get(number)
        if state is not None:
            return list(state.categories), list(state.secondary)
        wcfg = self.window_config(number)
        return list(wcfg.get("primary") or []), list(wcfg.get("secondary") or [])

    def serving_windows(self, code: str) -> list[int]:
        """Where a ticket of this category will be called: the windows open for it now (tidal switches
        included, `open_windows` of state/queues), or the windows configured for it while none is."""
        queue = self.queues.get(code)
        if queue is not None and queue.open_windows:
            return list(queue.open_windows)
        return self.configured_windows(code)

    def configured_windows(self, code: str) -> list[int]:
        """The windows the config gives a category as primary (a guide's 办理窗口)."""
        return [n for n in self.window_numbers() if code in (self.window_config(n).get("primary") or [])]

    def held(self, number: int | None = None) -> list[SetAside]:
        """Tickets set aside (held or no-show today) at one window, or at every window; oldest first."""
        if number is None:
            states = [self.windows[n] for n in sorted(self.windows)]
        else:
            states = [self.windows[number]] if number in self.windows else []
        return [ticket for state in states for ticket in state.held]

    def last_served(self, number: int) -> Served | None:
        state = self.windows.get(number)
        return state.last_served if state else None

    def waiting_total(self) -> int:
        return sum(q.waiting for q in self.queues.values())

    def waiting_for(self, number: int) -> int | None:
        """Tickets a window could call now: waiting in what it serves (primary and secondary); None
        before its state and the queues have arrived."""
        if number not in self.windows or not self.queues:
            return None
        primary, secondary = self.serves(number)
        return sum(self.queues[code].waiting for code in set(primary) | set(secondary) if code in self.queues)

    def prefix_of(self, number: int) -> str | None:
        """The ticket prefix of the first category a window serves now (keypads type digits only)."""
        primary, _ = self.serves(number)
        if primary and primary[0] in self.queues:
            return self.queues[primary[0]].prefix
        cat = self.category(primary[0]) if primary else None
        return cat.prefix if cat and cat.prefix else None


def _checked(model, data, what: str):
    """The payload as its model, or None (logged): a client keeps what it had rather than half a state.

    Fields it does not know are left out (a newer controller may add some); every field it knows
    must be as the contract says."""
    if not isinstance(data, dict):
        log.warning("%s: not a JSON object; kept the state held", what)
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    if all(error["type"] == "extra_forbidden" for error in errors):
        trimmed = copy.deepcopy(data)
        for error in errors:
            _drop(trimmed, error["loc"])
        try:
            return model.model_validate(trimmed)
        except ValidationError as exc:
            errors = exc.errors()
    first = errors[0]
    log.warning("%s does not match contract v1 (%s: %s); kept the state held", what,
                ".".join(str(p) for p in first["loc"]), first["msg"])
    return None


def _drop(data, loc) -> None:
    for part in loc[:-1]:
        data = data[part]
    data.pop(loc[-1], None)

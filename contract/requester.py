"""The one requester: how every device sends a command and hears its reply.

The controller answers a repeated request id from the same device with the
reply it stored and changes nothing; a new id is a new command. So a retry is
safe only with the same id, and a device that gives up on an id too early
and tries again with a fresh one gets a second ticket, a second call (a 7 s
stall of the controller once gave two tickets for one touch). Hence:

- A request keeps its id until its reply arrives or its owner gives it up
  (`give_up`: the person walked away, pressed cancel). A timeout does not end
  it: `timeout_s` after it went out unanswered it is *overdue*; its owner is
  told (`on_overdue`, to say so on screen) and the same id goes out again.
- When the controller comes (back) online — after a reconnect, a stale
  status, a restart — every open request goes out again with its id: one the
  broker dropped while the controller was away is not lost, one the
  controller already took is answered from its stored reply.
- Requests are made under a `key` (the button, the keypad, "the ticket of
  this kiosk"). A second `send` under the key of an open request makes no new
  command: it sends the open id again when that is overdue, else it waits.
- A reply goes to the request of its id, once; a second answer to a re-sent
  id, or the answer to a given-up one, is logged and dropped. Its owner is
  the one who knows whether it came late (it was told it was overdue) and
  shows it for what it is.

One lock guards the table; callbacks run through `dispatch` (the owner's
thread: Kivy's clock, the bridge's inbox), never under the lock.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

OFFLINE_ERROR = {"code": "offline", "message": "The hall controller is not reachable now",
                 "message_zh": "系统连接中断，请稍后再试"}


def offline_reply(action: str) -> dict:
    """The local answer to a command that could not go out: the controller is not online."""
    return {"id": None, "action": action, "ok": False, "error": dict(OFFLINE_ERROR)}


@dataclass
class Request:
    id: str
    action: str
    fields: dict
    key: str
    on_reply: Callable[[dict], None]
    on_overdue: Callable[[Request], None] | None
    deadline: float
    sends: int = 1  # how often this id went out
    overdue: int = 0  # timeouts passed without a reply


class Requester:
    def __init__(self, publish: Callable[[str, dict], object], topic: Callable[[str], str], *,
                 online: Callable[[], bool] = lambda: True, timeout_s: float = 5.0,
                 dispatch: Callable[[Callable[[], None]], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, name: str = "", say_offline: bool = False):
        self._publish, self._topic, self._online = publish, topic, online
        self.say_offline = say_offline  # answer a command that cannot go with offline_reply (screens)
        self.timeout_s = timeout_s
        self.dispatch = dispatch or (lambda fn: fn())
        self.clock = clock
        self.name = name
        self._open: dict[str, Request] = {}  # request id -> request
        self._keys: dict[str, str] = {}  # key -> request id
        self._given_up: deque[str] = deque(maxlen=200)
        self._lock = threading.Lock()

    # --- sending ---------------------------------------------------------------------------

    def send(self, action: str, fields: dict | None, on_reply: Callable[[dict], None], *, key: str | None = None,
             on_overdue: Callable[[Request], None] | None = None, request_id: str | None = None,
             hold: bool = False) -> Request | None:
        """Send a command, or find the one already open under `key` (sent again if it is overdue).

        None when the controller is not online and nothing is open under the key: nothing was
        sent and nothing is kept (with `say_offline`, `on_reply` hears `offline_reply`). With
        `hold`, such a request is kept instead and goes out when the controller comes back
        (tools that wait; screens and keypads refuse at once)."""
        now = self.clock()
        with self._lock:
            open_id = self._keys.get(key) if key is not None else None
            if open_id is not None:
                request = self._open[open_id]
                if request.overdue and self._online():
                    self._out(request, now)
                    log.info("%s %s %s: asked again with the same id", self.name, request.action, request.id)
                else:
                    log.info("%s %s %s: still waiting for its reply; not sent again", self.name, request.action,
                             request.id)
                return request
            online = self._online()
            request = None
            if online or hold:
                request_id = request_id or uuid.uuid4().hex
                key = key if key is not None else request_id
                request = Request(request_id, action, dict(fields or {}), key, on_reply, on_overdue,
                                  deadline=now + self.timeout_s, sends=0)
                self._open[request_id] = request
                self._keys[key] = request_id
                if online:
                    self._out(request, now)
        if request is None and self.say_offline:
            self.dispatch(lambda: on_reply(offline_reply(action)))
        return request

    def _out(self, request: Request, now: float) -> None:
        request.sends += 1
        request.deadline = now + self.timeout_s
        self._publish(self._topic(request.action), {"id": request.id, **request.fields})

    def open(self, key: str) -> Request | None:
        with self._lock:
            request_id = self._keys.get(key)
            return self._open.get(request_id) if request_id else None

    def give_up(self, key: str) -> Request | None:
        """The person stopped waiting: forget the request (a reply that still comes is dropped)."""
        with self._lock:
            request_id = self._keys.pop(key, None)
            request = self._open.pop(request_id, None) if request_id else None
            if request is not None:
                self._given_up.append(request.id)
        if request is not None:
            log.info("%s %s %s: given up after %d sends", self.name, request.action, request.id, request.sends)
        return request

    # --- what comes back ---------------------------------------------------------------------

    def take(self, reply) -> bool:
        """A message of our reply topic (decoded); True when it answered an open request."""
        request_id = reply.get("id") if isinstance(reply, dict) else None
        if not isinstance(request_id, str):
            return False
        with self._lock:
            request = self._open.pop(request_id, None)
            if request is not None:
                self._keys.pop(request.key, None)
            given_up = request is None and request_id in self._given_up
        if request is None:
            if given_up:
                log.info("%s: reply to %s came after it was given up: %s", self.name, request_id,
                         "ok" if reply.get("ok") else (reply.get("error") or {}).get("code"))
            return given_up
        if request.overdue:
            log.info("%s %s %s answered late (%d sends)", self.name, request.action, request.id, request.sends)
        self.dispatch(lambda: request.on_reply(reply))
        return True

    def tick(self, now: float | None = None) -> None:
        """Call often (the owner's loop): overdue requests are said so and sent again."""
        now = self.clock() if now is None else now
        due = []
        with self._lock:
            online = self._online()
            for request in list(self._open.values()):
                if now >= request.deadline:
                    request.overdue += 1
                    if online:
                        self._out(request, now)
                    else:
                        request.deadline = now + self.timeout_s
                    due.append(request)
        for request in due:
            log.warning("%s %s %s: no reply within %.1f s (%d); %s", self.name, request.action, request.id,
                        self.timeout_s, request.overdue, "sent again" if online else "the controller is away")
            if request.on_overdue is not None:
                self.dispatch(lambda r=request: r.on_overdue(r))

    def controller_back(self) -> None:
        """The controller is (back) online: every open request goes out again with its id."""
        now = self.clock()
        with self._lock:
            waiting = list(self._open.values())
            for request in waiting:
                self._out(request, now)
        if waiting:
            log.info("%s: controller back; %d open requests sent again", self.name, len(waiting))

    def open_requests(self) -> list[Request]:
        with self._lock:
            return list(self._open.values())

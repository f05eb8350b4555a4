"""The web process on the hall's broker: one mirror of the hall, and commands awaited on asyncio.

The process is a device like the others. Its public side logs in as `web-<name>` (the rights the
controller gives citizens' pages); the console and the API, when they listen, log in as
`admin-<name>`. It holds no queue state of its own: the hall is the one client mirror
(contract/hall.py) fed by one subscription to the retained state and the events, for every
page of every listener, and every change is a command to the controller.

paho's network thread never touches the mirror or a page: each message is decoded there and
handed to the event loop (`call_soon_threadsafe`), where the mirror takes it and the live pages
are told (web/live.py). Commands go through each login's one requester (contract/requester.py),
as the screens' (appkit/link.py) do, with its replies dispatched onto the loop: a route awaits
`Commands.send`, which never blocks the loop. A second request under the key of an open one (a
form sent twice) makes no second command and awaits the same reply. A reply late past the
requester's timeout is not an error: the same id goes out again (every tick) until `wait_s`,
when the page gives up and says so; the retained state shows what happened.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from appkit.cli import Broker
from contract.client import HallClient, Incoming
from contract.hall import HallMirror
from contract.requester import Request

log = logging.getLogger(__name__)

TICK_S = 0.5  # the requesters' timeouts and the controller's availability are looked at this often
EVENTS = ("called", "ticket", "rating", "config", "tidal")  # moments the live pages may show

GAVE_UP = {"code": "timeout", "message": "The hall controller did not answer in time",
           "message_zh": "系统响应超时，请稍后查看结果"}


class Commands:
    """One login's commands, awaited on the event loop."""

    def __init__(self, client: HallClient, loop: asyncio.AbstractEventLoop, wait_s: float):
        self.client, self.loop, self.wait_s = client, loop, wait_s
        client.requests.dispatch = lambda fn: loop.call_soon_threadsafe(fn)
        client.requests.say_offline = True  # refused at once while the controller is away
        self._waiting: dict[str, asyncio.Future] = {}  # requester key -> the reply its callers await

    @property
    def device(self) -> str:
        return self.client.device

    async def send(self, action: str, fields: dict | None = None, *, key: str | None = None,
                   wait_s: float | None = None, request_id: str | None = None) -> dict:
        """The controller's reply (`ok`, `result` or `error`), a local `offline` error at once when it
        is away, or a local `timeout` error after `wait_s` (the request is given up). A `request_id`
        the caller keeps (a form's) makes a form sent again the same command for the controller."""
        future = self._waiting.get(key) if key is not None else None
        if future is None:
            future = self.loop.create_future()

            def answered(reply: dict, future=future) -> None:
                if not future.done():
                    future.set_result(reply)

            request = self.client.requests.send(action, fields, answered, key=key, on_overdue=self._overdue,
                                                request_id=request_id)
            key = request.key if request is not None else key
            if key is not None and not future.done():
                self._waiting[key] = future
                future.add_done_callback(lambda _, key=key: self._waiting.pop(key, None))
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.wait_s if wait_s is None else wait_s)
        except asyncio.TimeoutError:
            if key is not None and self.client.requests.give_up(key) is not None:
                self._waiting.pop(key, None)
            return {"id": None, "action": action, "ok": False, "error": dict(GAVE_UP)}

    def _overdue(self, request: Request) -> None:
        log.info("%s %s %s: waiting for its reply (%d sends)", self.device, request.action, request.id,
                 request.sends)

    def tick(self) -> None:
        self.client.requests.tick()


class WebLink:
    """The hall as the web process knows it: the mirror, availability, and the two logins' commands."""

    def __init__(self, hall: str, name: str, broker: Broker, loop: asyncio.AbstractEventLoop, *,
                 admin_broker: Broker | None = None, on_change: Callable[[str], None] = lambda kind: None,
                 wait_s: float = 15.0):
        self.loop, self.on_change = loop, on_change
        self.on_event: Callable[[str, dict], None] = lambda kind, data: None  # an event's payload (web/tickets.py)
        public = HallClient(f"web-{name}", hall, **broker.client_options(), deliver=self._deliver, keepalive=10)
        self.mirror = HallMirror(public.topics)
        public.watch_controller()
        public.listen_for_replies()
        for topic in self.mirror.subscriptions(*EVENTS):
            public.subscribe(topic)
        self.public = Commands(public, loop, wait_s)
        self.admin: Commands | None = None
        if admin_broker is not None:  # the console or the API listens: their login (its own password)
            client = HallClient(f"admin-{name}", hall, **admin_broker.client_options(), keepalive=10)
            client.watch_controller()
            client.listen_for_replies()
            self.admin = Commands(client, loop, wait_s)
        self._online = False
        self._ticker: asyncio.Task | None = None

    @property
    def clients(self) -> list[HallClient]:
        return [c.client for c in (self.public, self.admin) if c is not None]

    def start(self) -> None:
        for client in self.clients:
            client.start(wait=None)
        self._ticker = self.loop.create_task(self._tick())

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        for client in self.clients:
            client.stop()

    @property
    def online(self) -> bool:
        """The broker is there and the controller's heartbeat is live: only then are actions offered."""
        return self.public.client.controller_online()

    # --- messages, handed from paho's thread to the loop ---------------------------------------------

    def _deliver(self, incoming: Incoming) -> None:
        if incoming.topic == self.mirror.topics.status("controller"):
            self.loop.call_soon_threadsafe(self._check_online)
            return
        try:
            data = incoming.json() if incoming.payload else None
        except ValueError:
            log.warning("undecodable message on %s", incoming.topic)
            return
        self.loop.call_soon_threadsafe(self._apply, incoming.topic, data)

    def _apply(self, topic: str, data) -> None:
        kind = self.mirror.apply(topic, data)
        if kind is not None:
            if kind in EVENTS and isinstance(data, dict):
                self.on_event(kind, data)
            self.on_change(kind)

    def _check_online(self) -> None:
        online = self.online
        if online != self._online:
            self._online = online
            log.info("the hall controller is %s", "online" if online else "away: actions are not offered")
            self.on_change("online")

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self._check_online()
            for commands in (self.public, self.admin):
                if commands is not None:
                    commands.tick()

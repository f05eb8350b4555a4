"""The MQTT link of a Kivy app: HallClient messages delivered on Kivy's thread.

paho's network thread never touches a widget: every message and every reply
is handed to `Clock.schedule_once`, and the app's presenters see plain dicts.
Commands go through the client's one requester (contract/requester.py): a
command keeps its id until its reply comes or the person gives up, a second
touch under the same key sends no second command, and `on_overdue` lets a
screen say "still waiting" instead of freezing or inventing an error.
"""
from __future__ import annotations

import logging
from typing import Callable

from contract.client import HallClient, Incoming
from contract.errors import ERROR_CODES
from contract.requester import Request

log = logging.getLogger(__name__)


def friendly_error(error: dict) -> dict[str, str]:
    """{zh, en} a person can read for an error of a reply (the controller's own words first)."""
    code = error.get("code", "")
    zh, en = ERROR_CODES.get(code, (error.get("message_zh") or "操作失败", error.get("message") or "Failed"))
    return {"zh": error.get("message_zh") or zh, "en": error.get("message") or en}


class HallLink:
    def __init__(self, device: str, hall: str, host: str, port: int, *, password: str | None = None,
                 tls_ca: str | None = None, on_message: Callable[[str, dict | None], None] | None = None,
                 on_online: Callable[[bool], None] | None = None, schedule=None, timeout_s: float = 5.0):
        if schedule is None:
            from kivy.clock import Clock

            def schedule(fn):
                Clock.schedule_once(lambda dt: fn(), 0)
        self.schedule = schedule
        self.on_message = on_message
        self.on_online = on_online
        # A short keepalive: a kiosk must notice a silent broker within seconds, not minutes.
        self.client = HallClient(device, hall, host, port, password=password, tls_ca=tls_ca, deliver=self._deliver,
                                 keepalive=3, on_connected=lambda: self._online_changed(), dispatch=schedule,
                                 request_timeout_s=timeout_s)
        self.client.requests.say_offline = True
        self.topics = self.client.topics
        self.client.watch_controller()
        self.client.listen_for_replies()
        self._was_online: bool | None = None

    def start(self) -> None:
        self.client.start(wait=None)

    def stop(self) -> None:
        self.client.stop()

    def subscribe(self, topic: str) -> None:
        self.client.subscribe(topic)

    @property
    def online(self) -> bool:
        """The broker is there and the controller's heartbeat is live (a retained "online" is not enough)."""
        return self.client.controller_online()

    def check_online(self) -> None:
        """Call every half second from the app: a lost broker or a controller that stopped beating
        sends no message to react to; overdue commands are said so and sent again from here too."""
        self._online_changed()
        self.client.requests.tick()

    def _online_changed(self) -> None:
        online = self.online
        if online != self._was_online:
            self._was_online = online
            if self.on_online:
                self.schedule(lambda: self.on_online(online))

    def _deliver(self, incoming: Incoming) -> None:
        if incoming.topic == self.topics.status("controller"):
            self._online_changed()
            return
        if incoming.topic == self.topics.reply(self.client.device):
            return  # a second answer to an id sent twice: the requester took the first
        try:
            data = incoming.json() if incoming.payload else None
        except ValueError:
            log.warning("undecodable message on %s", incoming.topic)
            return
        if self.on_message:
            self.schedule(lambda: self.on_message(incoming.topic, data))

    # --- commands: the one requester, on Kivy's thread -----------------------------------------

    def send(self, action: str, fields: dict | None, on_reply: Callable[[dict], None], *, key: str | None = None,
             on_overdue: Callable[[Request], None] | None = None) -> Request | None:
        """Send a command (or find the one open under `key`); `on_reply(reply)` runs on Kivy's
        thread, with a local `offline` error at once when the controller is not online."""
        return self.client.requests.send(action, fields, on_reply, key=key, on_overdue=on_overdue)

    def give_up(self, key: str) -> None:
        self.client.requests.give_up(key)

    def pending(self, key: str) -> Request | None:
        return self.client.requests.open(key)

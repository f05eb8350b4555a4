"""The MQTT link of a Kivy app: HallClient messages delivered on Kivy's thread.

paho's network thread never touches a widget: every message and every reply
is handed to `Clock.schedule_once`, and the app's presenters see plain dicts.
A request whose reply does not come in time is answered with a local
`timeout` error, so a screen never waits forever.
"""
from __future__ import annotations

import logging
import threading
import uuid
from typing import Callable

from contract.client import HallClient, Incoming
from contract.errors import ERROR_CODES

log = logging.getLogger(__name__)

TIMEOUT_ERROR = {"code": "timeout", "message": "No answer from the hall controller", "message_zh": "系统无响应，请稍后再试"}


def friendly_error(error: dict) -> dict[str, str]:
    """{zh, en} a person can read for an error of a reply (the controller's own words first)."""
    code = error.get("code", "")
    zh, en = ERROR_CODES.get(code, (error.get("message_zh") or "操作失败", error.get("message") or "Failed"))
    return {"zh": error.get("message_zh") or zh, "en": error.get("message") or en}


class HallLink:
    def __init__(self, device: str, hall: str, host: str, port: int, *, password: str | None = None,
                 on_message: Callable[[str, dict | None], None] | None = None,
                 on_online: Callable[[bool], None] | None = None, schedule=None):
        if schedule is None:
            from kivy.clock import Clock

            def schedule(fn):
                Clock.schedule_once(lambda dt: fn(), 0)
        self.schedule = schedule
        self.on_message = on_message
        self.on_online = on_online
        # A short keepalive: a kiosk must notice a silent broker within seconds, not minutes.
        self.client = HallClient(device, hall, host, port, password=password, deliver=self._deliver,
                                 keepalive=3, on_connected=lambda: self._online_changed())
        self.topics = self.client.topics
        self.client.watch_controller()
        self.client.listen_for_replies()
        self._waiting: dict[str, tuple[Callable[[dict], None], object]] = {}
        self._lock = threading.Lock()
        self._was_online: bool | None = None

    def start(self) -> None:
        self.client.start(wait=None)

    def stop(self) -> None:
        self.client.stop()

    def subscribe(self, topic: str) -> None:
        self.client.subscribe(topic)

    @property
    def online(self) -> bool:
        return self.client.connected.is_set() and self.client.controller_online.is_set()

    def check_online(self) -> None:
        """Call every half second from the app: a lost broker gives no message to react to."""
        self._online_changed()

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
        try:
            data = incoming.json() if incoming.payload else None
        except ValueError:
            log.warning("undecodable message on %s", incoming.topic)
            return
        if incoming.topic == self.topics.reply(self.client.device) and isinstance(data, dict):
            with self._lock:
                waiter = self._waiting.pop(str(data.get("id")), None)
            if waiter is not None:
                callback, timer = waiter
                timer.cancel()
                self.schedule(lambda: callback(data))
            return
        if self.on_message:
            self.schedule(lambda: self.on_message(incoming.topic, data))

    def send(self, action: str, fields: dict | None, on_reply: Callable[[dict], None], timeout: float = 5.0,
             request_id: str | None = None) -> str:
        """Send a command; `on_reply(reply)` runs on Kivy's thread, with a local timeout error if need be.

        A retry after a timeout should pass the first attempt's `request_id`: the controller
        then answers it once (a second ticket is never issued for one touch)."""
        request_id = request_id or uuid.uuid4().hex
        if not self.online:
            reply = {"id": request_id, "action": action, "ok": False,
                     "error": {**TIMEOUT_ERROR, "code": "offline"}}
            self.schedule(lambda: on_reply(reply))
            return request_id

        def expire():
            with self._lock:
                waiter = self._waiting.pop(request_id, None)
            if waiter is not None:
                self.schedule(lambda: on_reply({"id": request_id, "action": action, "ok": False,
                                                "error": dict(TIMEOUT_ERROR)}))

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        with self._lock:
            self._waiting[request_id] = (on_reply, timer)
        timer.start()
        self.client.publish(self.topics.cmd(self.client.device, action), {"id": request_id, **(fields or {})})
        return request_id

"""A paho-mqtt v2 client wrapper every process uses.

What it guarantees, after Home Assistant's MQTT handling:
- availability: a retained `status/<device>` birth on connect and a retained
  last will, so every other part knows who is there;
- subscriptions are remembered and made again on every (re)connect;
- TCP_NODELAY on the socket (a QoS 1 round trip otherwise waits ~40 ms);
- JSON in and out (UTF-8, no ASCII escaping);
- messages are handed to the owner's loop through `deliver`, never handled on
  the network thread, and an exception there is logged, never fatal.
"""
from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .topics import Topics

log = logging.getLogger(__name__)

ONLINE = {"status": "online"}
OFFLINE = {"status": "offline"}


def encode(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_broker(text: str, default_port: int = 1883) -> tuple[str, int]:
    """'host:port' (or just 'host') → (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad broker address {text!r}: use HOST:PORT")
    return host or "127.0.0.1", int(port)


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes
    retain: bool = False

    def json(self) -> Any:
        """The decoded payload; raises ValueError for bytes that are not UTF-8 JSON."""
        return json.loads(self.payload.decode("utf-8"))


class RequestTimeout(TimeoutError):
    pass


class HallClient:
    """One MQTT session of one device of one hall."""

    def __init__(
        self,
        device: str,
        hall: str,
        host: str = "127.0.0.1",
        port: int = 1883,
        *,
        password: str | None = None,
        deliver: Callable[[Incoming], None] | None = None,
        keepalive: int = 30,
        max_inflight: int = 100,
        on_connected: Callable[[], None] | None = None,
    ):
        self.topics = Topics(hall)
        self.device = device
        self.host, self.port = host, port
        self.keepalive = keepalive
        self.deliver = deliver
        self.on_connected = on_connected
        self.connected = threading.Event()
        self.controller_online = threading.Event()
        self._subscriptions: dict[str, int] = {}
        self._pending: dict[str, tuple[threading.Event, list]] = {}
        self._lock = threading.Lock()
        self._client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"{device}-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv311,
        )
        self._client.username_pw_set(device, password)
        self._client.will_set(self.topics.status(device), encode(OFFLINE), qos=1, retain=True)
        self._client.max_inflight_messages_set(max_inflight)
        self._client.max_queued_messages_set(0)
        self._client.reconnect_delay_set(min_delay=1, max_delay=5)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_socket_open = self._on_socket_open

    # --- connection ----------------------------------------------------------

    def start(self, wait: float | None = 10.0) -> bool:
        """Connect in the background (retrying while the broker is away)."""
        self._client.connect_async(self.host, self.port, self.keepalive)
        self._client.loop_start()
        if wait:
            return self.connected.wait(wait)
        return self.connected.is_set()

    def stop(self) -> None:
        """Say goodbye (retained offline) and disconnect cleanly."""
        self._stopping = True
        if self.connected.is_set():
            info = self._client.publish(self.topics.status(self.device), encode(OFFLINE), qos=1, retain=True)
            try:
                info.wait_for_publish(2)
            except (RuntimeError, ValueError):
                pass
        self._client.disconnect()
        self._client.loop_stop()
        self.connected.clear()

    def _on_socket_open(self, client, userdata, sock):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            log.warning("could not set TCP_NODELAY: %s", exc)

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("broker refused %s: %s", self.device, reason_code)
            return
        with self._lock:
            subscriptions = list(self._subscriptions.items())
        if subscriptions:
            client.subscribe(subscriptions)
        # The broker handles packets in order: whoever sees this birth knows we are subscribed.
        client.publish(self.topics.status(self.device), encode(ONLINE), qos=1, retain=True)
        log.info("%s connected to %s:%s", self.device, self.host, self.port)
        self.connected.set()
        if self.on_connected is not None:
            try:
                self.on_connected()
            except Exception:
                log.exception("%s: on_connected failed", self.device)

    _stopping = False

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        if self.connected.is_set() and not self._stopping:
            log.warning("%s lost the broker (%s); reconnecting", self.device, reason_code)
        self.connected.clear()

    # --- messages --------------------------------------------------------------

    def subscribe(self, topic_filter: str, qos: int = 1) -> None:
        with self._lock:
            self._subscriptions[topic_filter] = qos
        if self.connected.is_set():
            self._client.subscribe(topic_filter, qos)

    def publish(self, topic: str, payload: Any, qos: int = 1, retain: bool = False):
        data = payload if isinstance(payload, (bytes, bytearray)) else encode(payload)
        return self._client.publish(topic, data, qos=qos, retain=retain)

    def _on_message(self, client, userdata, message):
        incoming = Incoming(message.topic, message.payload, bool(message.retain))
        try:
            if message.topic == self._controller_status:
                self._track_controller(incoming)
            if self._pending and message.topic == self.topics.reply(self.device) and self._resolve(incoming):
                return
            if self.deliver is not None:
                self.deliver(incoming)
        except Exception:
            log.exception("%s: handling %s failed", self.device, message.topic)

    # --- the controller's availability ---------------------------------------

    _controller_status: str | None = None

    def watch_controller(self) -> None:
        """Track the controller's retained birth / last will in `controller_online`."""
        self._controller_status = self.topics.status("controller")
        self.subscribe(self._controller_status)

    def _track_controller(self, incoming: Incoming) -> None:
        try:
            online = incoming.json().get("status") == "online"
        except (ValueError, AttributeError):
            online = False
        if online:
            self.controller_online.set()
        else:
            self.controller_online.clear()

    def wait_for_controller(self, timeout: float) -> bool:
        if self._controller_status is None:
            self.watch_controller()
        return self.controller_online.wait(timeout)

    # --- request / reply (devices and tools) ----------------------------------

    def _resolve(self, incoming: Incoming) -> bool:
        try:
            reply = incoming.json()
            waiter = self._pending.get(reply.get("id")) if isinstance(reply, dict) else None
        except ValueError:
            return False
        if waiter is None:
            return False
        waiter[1].append(reply)
        waiter[0].set()
        return True

    def listen_for_replies(self) -> None:
        self.subscribe(self.topics.reply(self.device))

    def request(self, action: str, fields: dict | None = None, timeout: float = 5.0, request_id: str | None = None) -> dict:
        """Send a command and wait for its reply (which says it is durable)."""
        if self.topics.reply(self.device) not in self._subscriptions:
            self.listen_for_replies()
        request_id = request_id or uuid.uuid4().hex
        done = threading.Event()
        box: list = []
        self._pending[request_id] = (done, box)
        try:
            self.publish(self.topics.cmd(self.device, action), {"id": request_id, **(fields or {})})
            if not done.wait(timeout):
                raise RequestTimeout(f"no reply to {action} within {timeout} s")
            return box[0]
        finally:
            self._pending.pop(request_id, None)

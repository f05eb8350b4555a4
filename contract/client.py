"""A paho-mqtt v2 client wrapper every process uses.

What it guarantees, after Home Assistant's MQTT handling:
- availability: a retained `status/<device>` birth on connect and a retained
  last will, so every other part knows who is there;
- subscriptions are remembered and made again on every (re)connect;
- TCP_NODELAY on the socket (a QoS 1 round trip otherwise waits ~40 ms);
- JSON in and out (UTF-8, no ASCII escaping);
- messages are handed to the owner's loop through `deliver`, never handled on
  the network thread, and an exception there is logged, never fatal;
- the controller counts as online only while its heartbeat is live
  (`contract/availability.py`), and every command goes through the one
  requester (`contract/requester.py`), which keeps its id until it is answered;
- with `tls_ca`, TLS to the broker, whose certificate must be signed by that
  CA and name the host dialled (a hall's own CA: `scripts/make-hall-ca.sh`);
- with `mqtt5`, MQTT 5, so that a subscription can keep the RETAIN flag a
  message was published with (`retain_as_published`): under 3.1.1 a broker
  clears it on everything it forwards live, and the controller could not tell
  a retained command from a live one.
"""
from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.subscribeoptions import SubscribeOptions

from .availability import ControllerWatch
from .messages import decode_json
from .requester import Requester
from .topics import Topics

log = logging.getLogger(__name__)

ONLINE = {"status": "online"}
OFFLINE = {"status": "offline"}


def encode(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


PLAIN_PORT, TLS_PORT = 1883, 8883


def parse_broker(text: str, default_port: int = PLAIN_PORT) -> tuple[str, int]:
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
        """The decoded payload; raises ValueError for bytes that are not UTF-8 JSON (`decode_json`)."""
        return decode_json(self.payload)


class _Client(mqtt.Client):
    """paho's client, keeping why the last connection attempt failed (paho only says that it did)."""

    last_error: OSError | None = None

    def reconnect(self):
        try:
            return super().reconnect()
        except OSError as exc:
            self.last_error = exc
            raise


class RequestTimeout(TimeoutError):
    def __init__(self, message: str, request_id: str | None = None):
        super().__init__(message)
        self.request_id = request_id


class HallClient:
    """One MQTT session of one device of one hall."""

    def __init__(
        self,
        device: str,
        hall: str,
        host: str = "127.0.0.1",
        port: int = PLAIN_PORT,
        *,
        password: str | None = None,
        deliver: Callable[[Incoming], None] | None = None,
        keepalive: int = 30,
        max_inflight: int = 100,
        on_connected: Callable[[], None] | None = None,
        tls_ca: str | None = None,
        birth: Callable[[], dict] | None = None,
        dispatch: Callable[[Callable[[], None]], None] | None = None,
        request_timeout_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        mqtt5: bool = False,
    ):
        self.topics = Topics(hall)
        self.device = device
        self.host, self.port = host, port
        self.keepalive = keepalive
        self.deliver = deliver
        self.on_connected = on_connected
        self.birth = birth or (lambda: ONLINE)
        self.connected = threading.Event()
        self.watch = ControllerWatch(clock)
        self._subscriptions: dict[str, int | SubscribeOptions] = {}
        self._lock = threading.Lock()
        # Not following the controller (a tool, a test): every command goes out, paho queues it until connected.
        self.requests = Requester(self.publish, lambda action: self.topics.cmd(self.device, action),
                                  online=lambda: self._controller_status is None or self.controller_online(),
                                  timeout_s=request_timeout_s, dispatch=dispatch, clock=clock, name=device)
        self._client = _Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"{device}-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5 if mqtt5 else mqtt.MQTTv311,
        )
        self.mqtt5 = mqtt5
        self._client.username_pw_set(device, password)
        if tls_ca:
            # The hall's CA only (not the system's), and the certificate must name the host dialled.
            self._client.tls_set(ca_certs=tls_ca, cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        self._client.will_set(self.topics.status(device), encode(OFFLINE), qos=1, retain=True)
        self._client.max_inflight_messages_set(max_inflight)
        self._client.max_queued_messages_set(0)
        self._client.reconnect_delay_set(min_delay=1, max_delay=5)
        self._client.on_connect = self._on_connect
        self._client.on_connect_fail = self._on_connect_fail
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_socket_open = self._on_socket_open
        self._connect_error: str | None = None
        self.refused: str | None = None  # why the broker refused the last login (bad password, not authorized)

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
            self.refused = str(reason_code)  # a login turned down, not a broker out of reach
            return
        self.refused = None
        self._connect_error = None
        with self._lock:
            subscriptions = list(self._subscriptions.items())
        if subscriptions:
            client.subscribe(subscriptions)
        # The broker handles packets in order: whoever sees this birth knows we are subscribed.
        client.publish(self.topics.status(self.device), encode(self.birth()), qos=1, retain=True)
        log.info("%s connected to %s:%s", self.device, self.host, self.port)
        self.connected.set()
        if self.on_connected is not None:
            try:
                self.on_connected()
            except Exception:
                log.exception("%s: on_connected failed", self.device)

    def _on_connect_fail(self, client, userdata):
        """A TCP or TLS failure (a wrong CA, a certificate for another name): said once, retried."""
        error = str(client.last_error or "connection failed")
        if error != self._connect_error:
            self._connect_error = error
            log.warning("%s could not connect to %s:%s (%s); retrying", self.device, self.host, self.port, error)

    _stopping = False

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        if self.connected.is_set() and not self._stopping:
            log.warning("%s lost the broker (%s); reconnecting", self.device, reason_code)
        self.connected.clear()

    # --- messages --------------------------------------------------------------

    def subscribe(self, topic_filter: str, qos: int = 1, retain_as_published: bool = False) -> None:
        """Subscribe now and on every reconnect; `retain_as_published` (MQTT 5 only) keeps the
        publisher's RETAIN flag on live messages too."""
        if retain_as_published and not self.mqtt5:
            raise ValueError("retain_as_published needs an MQTT 5 client (mqtt5=True)")
        option: int | SubscribeOptions = SubscribeOptions(qos=qos, retainAsPublished=True) \
            if retain_as_published else qos
        with self._lock:
            self._subscriptions[topic_filter] = option
        if self.connected.is_set():
            self._client.subscribe([(topic_filter, option)])

    def publish(self, topic: str, payload: Any, qos: int = 1, retain: bool = False):
        data = payload if isinstance(payload, (bytes, bytearray)) else encode(payload)
        return self._client.publish(topic, data, qos=qos, retain=retain)

    def _on_message(self, client, userdata, message):
        incoming = Incoming(message.topic, message.payload, bool(message.retain))
        try:
            if message.topic == self._controller_status and self.watch.heard(message.payload, incoming.retain):
                self.requests.controller_back()
            if message.topic == self.topics.reply(self.device) and self._answered(incoming):
                return
            if self.deliver is not None:
                self.deliver(incoming)
        except Exception:
            log.exception("%s: handling %s failed", self.device, message.topic)

    def _answered(self, incoming: Incoming) -> bool:
        try:
            return self.requests.take(incoming.json())
        except ValueError:
            log.warning("%s: a reply that is not JSON; ignored", self.device)
            return False

    # --- the controller's availability ---------------------------------------

    _controller_status: str | None = None

    def watch_controller(self) -> None:
        """Follow the controller's status (`controller_online`): from then on commands go out only
        while it is online (until then every command goes)."""
        self._controller_status = self.topics.status("controller")
        self.subscribe(self._controller_status)

    def controller_online(self) -> bool:
        """Connected, and the controller's heartbeat heard live lately (not just a retained copy)."""
        return self.connected.is_set() and self.watch.online()

    def wait_for_controller(self, timeout: float) -> bool:
        if self._controller_status is None:
            self.watch_controller()
            if self.connected.is_set():  # the beat for our birth may have gone before we listened: ask again
                self.publish(self.topics.status(self.device), self.birth(), retain=True)
        return self.watch.wait(timeout) and self.connected.wait(timeout)

    # --- request / reply (tools and tests that wait) ------------------------------

    def listen_for_replies(self) -> None:
        self.subscribe(self.topics.reply(self.device))

    def request(self, action: str, fields: dict | None = None, timeout: float = 5.0, request_id: str | None = None) -> dict:
        """Send a command and wait for its reply (which says it is durable).

        It goes through the requester like every command: sent again with the same id when the
        controller comes back or a requester timeout passes, given up after `timeout`
        (RequestTimeout names the id: sending it again with that id is safe)."""
        if self.topics.reply(self.device) not in self._subscriptions:
            self.listen_for_replies()
        done = threading.Event()
        box: list = []

        def answered(reply: dict) -> None:
            box.append(reply)
            done.set()

        request = self.requests.send(action, fields, answered, request_id=request_id, hold=True)
        deadline = time.monotonic() + timeout
        while not done.wait(min(0.25, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                self.requests.give_up(request.key)
                if done.is_set():
                    break
                raise RequestTimeout(f"no reply to {action} within {timeout} s", request.id)
            self.requests.tick()
        return box[0]

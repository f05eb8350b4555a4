"""The controller's MQTT service loop: commands in, durable replies and state out.

paho's network thread only puts messages on `inbox`; this loop owns the
engine and the store. It takes a batch of waiting commands, lets time pass
once, checks each command (topic, size, JSON, id, rights, fields) and hands it
to the one dispatch (controller/dispatch.py), commits the whole batch in one
SQLite transaction, and only then publishes the replies, the events and the
changed retained state. The 好差评 reports of the outbox go out on the deliverer's
thread (controller/delivery.py); the loop hands it the due rows after a commit
and writes what came of each try in its next batch.

Every device may send anything (docs/protocol.md, "Hostile input"): a message
the loop cannot take is answered `bad_request` or logged and dropped, a
command published retained is cleared from the broker and never run, and one
failing publish or command never costs the others of its batch.
"""
from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from typing import Callable

from pydantic import ValidationError

from config.loader import public
from config.schema import HallConfig
from contract.client import HallClient, Incoming
from contract.devices import BridgeDeviceStatus, PrintResult
from contract.errors import CommandError
from contract.messages import ACTIONS, TooDeep, describe_validation_error, is_text, reply_error, reply_ok
from contract.topics import Topics

from . import dispatch, forecast, notices, notify, outbox, publish
from .change import Outcome
from .delivery import Deliverer
from .engine import Engine
from .heartbeat import Heartbeat
from .rights import acting_window, check_user
from .store import Batch, Store, StoreView

log = logging.getLogger("controller")

BATCH_MAX = 512
TICK_S = 1.0
DAY_S = 86400
REPLIES_KEPT_S = 2 * DAY_S  # a device retrying a command is never that late
# Put on the inbox by every (re)connect: a broker that restarted without persistence
# has lost the retained state, so the loop publishes all of it again.
REPUBLISH = Incoming("", b"")
# Put on the inbox by the outbox's deliverer after each round: its results are written at once.
DELIVERED = Incoming("", b"")
_ID_IN_PREFIX = re.compile(rb'"id"\s*:\s*"([^"\\]{1,64})"')


def load_engine(config: HallConfig, store: Store, now: float, version: int = 1) -> Engine:
    """The engine as the store left it: what a restart after `kill -9` sees."""
    probe = Engine(config, b"", now)
    engine = Engine(config, store.secret(), now, tickets=store.load_tickets(probe.day),
                    windows=store.load_windows(), sessions=store.load_open_sessions(),
                    recent=store.recent_services(config.queue.recent_services),
                    calls=store.recent_calls(probe.day, config.queue.calls_shown), next_seq=store.next_seq(),
                    version=version, open_alerts=store.alerts("open"), next_alert_id=store.last_alert_id() + 1)
    engine.figures.add_rows(store.day_ledger(engine.day))  # the day's figures so far
    engine.pins.restore(store.pin_locks(now))  # a restart does not lift a PIN lock-out
    learn_forecast(engine, store)
    return engine


def learn_forecast(engine: Engine, store: Store) -> None:
    """What the hall expects today, from the stored days before it (at start, each new day, each config change).
    Only the rota and the report's "expected today" use it: a failure keeps the forecast it had, and the hall runs."""
    config = engine.config
    try:
        engine.forecast = forecast.learn(store.forecast_events(*forecast.learning_span(config, engine.day)),
                                         config) if config.forecast.enabled else None
    except Exception:
        log.exception("could not learn the forecast from the store; keeping the one the controller had")


class ControllerService:
    def __init__(self, config: HallConfig, store: Store, host: str, port: int, *, version: int = 1,
                 clock: Callable[[], float] = time.time, password: str | None = None, tls_ca: str | None = None):
        self.store = store
        self.clock = clock
        self.engine = load_engine(config, store, clock(), version)
        self.inbox: queue.SimpleQueue[Incoming] = queue.SimpleQueue()
        self.heartbeat = Heartbeat(Topics(config.hall), clock)
        self.client = HallClient("controller", config.hall, host, port, password=password,
                                 deliver=self.inbox.put, max_inflight=1000, tls_ca=tls_ca,
                                 on_connected=lambda: self.inbox.put(REPUBLISH), birth=self.heartbeat.status,
                                 mqtt5=True)
        self.topics = self.client.topics
        # MQTT 5's retain-as-published: a command published retained says so even when it comes live.
        self.client.subscribe(self.topics.cmd_all(), retain_as_published=True)
        self.client.subscribe(self.topics.status_all())  # device births: a beat at once
        # the window printers (controller/notices.py): their status and their notices' results
        self.client.subscribe(f"{self.topics.status_all()}/+")
        self.client.subscribe(f"{self.topics.root}/device/+/+/result")
        self.printers = notices.PrinterWatch()
        self._printers_heard_from = clock() + notices.STATUS_GRACE_S  # the retained statuses arrive first
        self._print_results: list[tuple[str, PrintResult]] = []  # (printer, result) heard in this batch
        self._notices_waiting = True  # False once the store had none unprinted: no query per batch then
        self.stopping = threading.Event()
        self._batch_replies: dict[tuple[str, str], dict] = {}
        # Request ids already answered (kept in SQLite for two days); the set spares
        # a SELECT per command, the store still holds the reply itself.
        self._answered: set[tuple[str, str]] = store.answered_requests()
        self._notify_section = config.appointments.notify
        self.notifier = notify.for_config(self._notify_section)
        self.forget_personal(clock())
        # 好差评 reports (controller/outbox.py): rows handed to the deliverer and not yet back
        self.deliverer = Deliverer(wake=lambda: self.inbox.put(DELIVERED), clock=clock)
        self._delivering: set[str] = set()

    def forget_personal(self, now: float) -> None:
        """The retention setting: personal data older than `privacy.retention_days` is replaced by
        null in the store (at start, then at each new service day)."""
        days = self.config.privacy.retention_days
        forgotten = self.store.forget_personal(now - days * DAY_S)
        if any(forgotten.values()):
            log.info("personal data older than %d days forgotten: %s", days,
                     ", ".join(f"{n} {table}" for table, n in forgotten.items() if n))

    @property
    def config(self) -> HallConfig:
        return self.engine.config

    # --- life cycle -----------------------------------------------------------------

    def run(self) -> None:
        """Serve until `stop()`; returns after a clean disconnect."""
        if not self.client.start(wait=30):
            log.warning("broker %s:%s not reachable yet; still trying", self.client.host, self.client.port)
        next_tick = time.monotonic() + TICK_S
        while not self.stopping.is_set():
            items = []
            try:
                wake = min(next_tick, self.heartbeat.wake_at())
                items.append(self.inbox.get(timeout=max(0.0, wake - time.monotonic())))
                while len(items) < BATCH_MAX:
                    items.append(self.inbox.get_nowait())
            except queue.Empty:
                pass
            try:
                self.process(items)
            except Exception:  # a bug must not end the hall's only writer: start again from what is stored
                log.exception("a batch of %d messages failed; reloading state from the store", len(items))
                self._reload()
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + TICK_S
        self.client.stop()
        self.deliverer.stop()
        self.notifier.stop()

    def _reload(self) -> None:
        try:
            self.engine = load_engine(self.config, self.store, self.clock(), self.engine.version)
            self._batch_replies.clear()
            self._answered = self.store.answered_requests()
        except Exception:
            log.exception("could not reload state from the store")

    def stop(self) -> None:
        self.stopping.set()
        self.inbox.put(Incoming(self.topics.root, b""))  # wakes the loop; not a command topic, so dropped

    # --- one batch --------------------------------------------------------------------

    def process(self, items: list[Incoming]) -> None:
        now = self.clock()
        batch = Batch()
        stored = StoreView(self.store, batch)
        config, version = self.engine.config, self.engine.version  # what a failed commit goes back to
        replies: list[tuple[str, dict]] = []
        outcomes = []
        tick = self.engine.tick(now)
        new_day = any(event.kind == "day_rollover" for event in tick.events)
        self._keep(batch, outcomes, tick, "controller", None, "tick")
        self._keep(batch, outcomes, self.delivered(), "controller", None, "outbox")
        republish = False
        for item in items:
            if item is DELIVERED:
                continue
            if item is REPUBLISH:
                republish = True
                self.heartbeat.ask()
                continue
            try:
                if self.printer_heard(item) or self.heartbeat.heard(item):
                    continue
                answer = self.command(item, now, batch, outcomes, stored)
            except Exception:
                log.exception("command on %s failed unexpectedly", item.topic)
                answer = None
            if answer is not None:
                replies.append(answer)
        try:
            self._keep(batch, outcomes, dispatch.settle(self.engine, now, stored), "controller", None, "settle")
        except Exception:
            log.exception("settling appointments failed; tried again next time")
        try:
            self._keep(batch, outcomes, dispatch.supervise(self.engine, now, stored), "controller", None,
                       "supervision")
        except Exception:
            log.exception("supervision review failed; alerts unchanged")
        try:
            self._keep(batch, outcomes, self.notices_heard(now), "controller", None, "notice_print")
        except Exception:
            log.exception("the window notices' results not written; their jobs are sent again")
        try:
            self.store.commit(batch)
            self._answered.update(self._batch_replies)
            self._notices_waiting |= "notice_prints" in batch.rows
        except Exception:
            log.exception("could not commit %d commands; reloading state from the store", len(items))
            self.engine = load_engine(config, self.store, now, version)
            failure = CommandError("internal", "the change could not be saved; try again", "保存失败，请重试")
            replies = [(d, reply_error(r["id"], r["action"], failure)) for d, r in replies]
            outcomes = []
        finally:
            self._batch_replies.clear()
        for device, reply in replies:
            self._send(self.topics.reply(device), reply)
        self.deliver(now)
        self.print_notices(now)
        config_changed = any(outcome.config is not None for outcome in outcomes)
        removed = sorted(set(config.windows) - set(self.config.windows)) if config_changed else []
        self.publish_changes(outcomes, now, config_changed or new_day or republish, removed)
        self.notify(outcomes)
        beat = self.heartbeat.due()
        if beat is not None:
            self._send(self.topics.status("controller"), beat, retain=True)
        if new_day or config_changed:
            learn_forecast(self.engine, self.store)
        if new_day:
            pruned = self.store.prune_replies(now - REPLIES_KEPT_S)
            self._answered = self.store.answered_requests()
            log.info("new service day %s; %d old replies pruned", self.engine.day, pruned)
            try:
                self.store.prune_outbox(now - self.config.rating_reports.keep_sent_days * DAY_S)
                self.store.prune_notices(now - notices.KEEP_PRINTED_S)
            except Exception:
                log.exception("could not prune the outbox or the printed notices; tried again at the next service day")
            try:
                self.forget_personal(now)
            except Exception:
                log.exception("retention pass failed; tried again at the next service day or start")

    # --- 好差评 reports (controller/outbox.py, controller/delivery.py) ----------------------

    def delivered(self) -> Outcome:
        """The outbox rows after the tries the deliverer finished, to be written with this batch. A
        result lost with a failed commit only means the report is sent again, under its same id."""
        out = Outcome()
        section = self.config.rating_reports
        for row, status, error, at in self.deliverer.results():
            self._delivering.discard(row["id"])
            out.rows.setdefault("outbox", {})[row["id"]] = outbox.after_try(row, status=status, error=error,
                                                                            now=at, section=section)
        return out

    def deliver(self, now: float) -> None:
        """Hand the due reports to the deliverer once it has finished the last round (it never makes the
        loop wait)."""
        section = self.config.rating_reports
        if not section.enabled or self._delivering:
            return
        try:
            rows = self.store.outbox_due(now, section.batch)
        except Exception:
            log.exception("could not read the outbox; tried again at the next batch")
            return
        if rows:
            try:  # a 办件 linked since a report was queued: its number goes with the report's first try
                rows = [outbox.with_application(row, outbox.application_of(self.store, self.config, row["ticket_id"]))
                        if outbox.lacks_application(row) else row for row in rows]
            except Exception:
                log.exception("could not read the 办件 of the reports; they go as queued")
            self._delivering.update(row["id"] for row in rows)
            self.deliverer.hand(rows, section)

    # --- the window notices (controller/notices.py) -------------------------------------

    def printer_heard(self, item: Incoming) -> bool:
        """A bridge's or a bridge device's status, or a print result: taken here (True), never a command."""
        root = self.topics.root
        parts = item.topic[len(root) + 1:].split("/") if item.topic.startswith(root + "/") else []
        if len(parts) == 3 and parts[0] == "status" and parts[1].startswith("bridge-"):
            status = self._checked(BridgeDeviceStatus, item)
            if status is not None or not item.payload:  # a broken status is logged, the one held kept
                self.printers.heard(parts[1], parts[2], status.model_dump() if status else None)
            return True
        if len(parts) == 2 and parts[0] == "status" and parts[1].startswith("bridge-"):
            try:
                data = item.json() if item.payload else None
            except ValueError:
                data = None
            self.printers.heard(parts[1], None, data if isinstance(data, dict) else None)
            return False  # a bridge's birth asks for a beat too
        bridge_device = self.topics.parse_bridge_device(item.topic)
        if bridge_device is None:
            return False
        bridge, device, kind = bridge_device
        result = self._checked(PrintResult, item) if kind == "result" else None
        if result is not None and result.id is not None and result.id.startswith("notice-"):
            self._print_results.append((f"{bridge}/{device}", result))
        return True

    @staticmethod
    def _checked(model, item: Incoming):
        if not item.payload:
            return None
        try:
            return model.model_validate(item.json())
        except (ValueError, ValidationError):
            log.warning("%s: not a %s; ignored", item.topic, model.__name__)
            return None

    def notices_heard(self, now: float) -> Outcome:
        """The notices' rows after the results heard in this batch, and after a printer that cannot print
        took a notice it should print: each change a ledger event, each wait an alert to its window."""
        out = Outcome()
        results, self._print_results = self._print_results, []
        if not self._notices_waiting:
            return out  # a result now is of a notice printed already, or none of ours
        changed: dict[str, dict] = {}
        unprinted = self.store.notices_unprinted()
        rows = {row["id"]: row for row in unprinted}
        for printer, result in results:
            row = changed.get(result.id) or rows.get(result.id)
            if row is None or row["printer"] != printer:
                continue  # printed already (a repeated result), or not this hall's notice
            if result.ok:
                after, event = notices.printed(row, result.paper, now)
                self.printers.done(row["id"])
            else:
                code = result.error.code if result.error else "offline"
                after, event = notices.not_printed(row, code, result.paper, now, tried=True)
                self.printers.refuse(row["id"], printer, now)
            changed[row["id"]] = after
            out.events.append(event)
        for row in unprinted:
            sent = self.printers.sent.get(row["id"])
            if row["id"] in changed or (sent is not None and now - sent < notices.RESULT_TIMEOUT_S):
                continue  # out to the printer: its result will say
            why = self.printers.readiness(row["printer"])
            if why == "unknown_printer" and now < self._printers_heard_from:
                continue  # just started: the printers' retained statuses are on their way
            if why not in notices.READY and row["last_error"] != why:
                after, event = notices.not_printed(row, why, row["paper"], now, tried=False)
                changed[row["id"]] = after
                out.events.append(event)
        if changed:
            out.rows["notice_prints"] = changed
        return out

    def print_notices(self, now: float) -> None:
        """Publish the committed notices whose printer can print now (a job's id is printed once)."""
        if not self._notices_waiting:
            return
        try:
            unprinted = self.store.notices_unprinted()
        except Exception:
            log.exception("could not read the window notices; tried again at the next batch")
            return
        self._notices_waiting = bool(unprinted)
        rows = self.printers.due(unprinted, now)
        for row in rows:
            bridge, _, device = row["printer"].partition("/")
            self.printers.sent[row["id"]] = now
            self._send(self.topics.bridge_device(bridge, device, "print"), notices.job(row))

    def notify(self, outcomes: list) -> None:
        """Messages to applicants of what the committed batch did (controller/notify.py); a changed
        `appointments.notify` takes effect here."""
        section = self.config.appointments.notify
        if section != self._notify_section:
            self.notifier.stop()
            self._notify_section, self.notifier = section, notify.for_config(section)
        try:
            bookings = {code: row for o in outcomes for code, row in o.rows.get("appointments", {}).items()}
            challenges = {cid: row for o in outcomes for cid, row in o.rows.get("remote_challenges", {}).items()}
            applications = {no: row for o in outcomes for no, row in o.rows.get("applications", {}).items()}
            events = [e for o in outcomes for e in o.events] if bookings or challenges or applications else []
            if bookings or applications:
                self.notifier.send(notify.notices(self.config, events, bookings, applications))
            if challenges:
                self.notifier.send(notify.remote_notices(self.config, events, challenges, self.engine.secret))
        except Exception:
            log.exception("notices of this batch not sent")

    def _keep(self, batch: Batch, outcomes: list, outcome, device: str, request_id: str | None, action: str) -> None:
        """An outcome that changed anything goes into the batch, and is published once it is committed."""
        if outcome.events or outcome.tickets or outcome.windows or outcome.sessions or outcome.rows \
                or outcome.config is not None:
            batch.add(outcome, day=self.engine.day, device=device, request_id=request_id, action=action)
            outcomes.append(outcome)

    def command(self, item: Incoming, now: float, batch: Batch, outcomes: list,
                stored: StoreView) -> tuple[str, dict] | None:
        """Handle one command message; returns (device, reply) or None to drop it."""
        if item.retain and item.topic.startswith(f"{self.topics.root}/cmd/"):
            # Run at every controller start were it kept: never run, and cleared (an empty retained
            # payload; the clearing itself comes back empty and retained, and is dropped here).
            if item.payload:
                log.warning("a retained command on %r (%d bytes) cleared from the broker, not run", item.topic,
                            len(item.payload))
                self._send(item.topic, b"", retain=True)
            return None
        parsed = self.topics.parse_cmd(item.topic)
        if parsed is None:
            if self.stopping.is_set():
                return None
            log.warning("dropped a message on unexpected topic %r", item.topic)
            return None
        device, action = parsed
        if len(item.payload) > self.config.limits.max_payload_bytes:
            match = _ID_IN_PREFIX.search(item.payload[:256])
            request_id = _usable_id(match.group(1).decode("utf-8", "replace")) if match else None
            log.warning("%s %s: payload of %d bytes refused", device, action, len(item.payload))
            return device, reply_error(request_id, action, CommandError(
                "bad_request", f"payload too large ({len(item.payload)} bytes, limit "
                f"{self.config.limits.max_payload_bytes})", "请求内容过大"))
        try:
            payload = item.json()
        except TooDeep:
            log.warning("%s %s: JSON nested too deeply to decode", device, action)
            return device, reply_error(None, action, CommandError("bad_request", "payload is nested too deeply",
                                                                  "请求内容嵌套过深"))
        except ValueError as exc:
            log.warning("%s %s: not JSON (%s)", device, action, exc)
            return device, reply_error(None, action, CommandError("bad_request", "payload is not UTF-8 JSON",
                                                                  "请求不是有效的 JSON"))
        if not isinstance(payload, dict):
            log.warning("%s %s: payload is JSON %s, not an object", device, action, type(payload).__name__)
            return device, reply_error(None, action, CommandError("bad_request", "payload must be a JSON object",
                                                                  "请求必须是 JSON 对象"))
        request_id = _usable_id(payload.get("id"))
        if request_id is None:
            log.warning("%s %s: no usable id", device, action)
            return device, reply_error(None, action, CommandError("bad_request", "id: a string of 1-64 characters is required",
                                                                  "缺少请求编号 id"))
        key = (device, request_id)
        seen = self._batch_replies.get(key) or (self.store.reply_for(device, request_id)
                                                if key in self._answered else None)
        if seen is not None:
            log.info("%s %s %s: repeated request, same reply", device, action, request_id)
            return device, seen
        try:
            reply = self._apply(device, action, request_id, payload, now, batch, outcomes, stored)
        except Exception:  # a bug, not the device's fault: said to it, not kept, so its retry runs again
            log.exception("%s %s %s failed unexpectedly", device, action, request_id)
            return device, reply_error(request_id, action, CommandError("internal"))
        self._batch_replies[(device, request_id)] = reply
        batch.replies.append((device, request_id, now, action, json.dumps(reply, ensure_ascii=False)))
        return device, reply

    def _apply(self, device, action, request_id, payload, now, batch, outcomes, stored) -> dict:
        try:
            if action not in ACTIONS:
                raise CommandError("unknown_action", f"no action {action!r} in contract v1", f"不支持的操作 {action}")
            role, model = ACTIONS[action]
            try:
                command = model.model_validate(payload)
            except ValidationError as exc:
                raise CommandError("bad_request", describe_validation_error(exc), "请求内容有误") from None
            window = acting_window(device, role, command.window, action)
            check_user(device, command.user)
            fields = command.model_dump(exclude={"id", "window", "user"}, exclude_none=False)
        except CommandError as exc:
            log.info("%s %s refused: %s", device, action, exc)
            return reply_error(request_id, action, exc)
        outcome = dispatch.apply(self.engine, action, device, fields, now, window, stored, user=command.user)
        self._keep(batch, outcomes, outcome, device, request_id, action)
        if outcome.error is not None:
            log.info("%s %s refused: %s", device, action, outcome.error)
            return reply_error(request_id, action, outcome.error)
        number = (outcome.result.get("ticket") or {}).get("number", "")
        log.info("%s %s ok %s", device, action, number)
        return reply_ok(request_id, action, outcome.result)

    # --- publishing -----------------------------------------------------------------------

    def publish_changes(self, outcomes: list, now: float, everything: bool, removed_windows: list[int] = ()) -> None:
        windows: set[int] = set()
        calls = False
        queues = everything
        for outcome in outcomes:
            windows |= publish.windows_touched(outcome)
            queues |= bool(outcome.tickets or outcome.windows)
            for event in outcome.events:
                for kind, payload in publish.event_messages(event):
                    calls |= kind == "called"
                    self._send(self.topics.event(kind), payload)
        if everything:
            self.publish_all_state(removed_windows)
            return
        for number, state in publish.window_states(self.engine, sorted(windows), now).items():
            if state is not None:
                self._send(self.topics.state_window(number), state, retain=True)
        if queues:
            self._send(self.topics.state_queues(), publish.queues_state(self.engine, now), retain=True)
        if calls:
            self._send(self.topics.state_calls(), publish.calls_state(self.engine, now), retain=True)

    def _send(self, topic: str, payload, retain: bool = False) -> None:
        """Publish one message; a failure is logged and costs only this message, never the rest of the
        batch's replies and state."""
        try:
            self.client.publish(topic, payload, retain=retain)
        except Exception:
            log.exception("could not publish on %s", topic)

    def publish_all_state(self, removed_windows: list[int] = ()) -> None:
        now = self.clock()
        self._send(self.topics.state_config(), {"version": self.engine.version, "config": public(self.config)},
                            retain=True)
        for number, state in publish.window_states(self.engine, self.engine.windows, now).items():
            self._send(self.topics.state_window(number), state, retain=True)
        for number in removed_windows:
            self._send(self.topics.state_window(number), b"", retain=True)
        self._send(self.topics.state_queues(), publish.queues_state(self.engine, now), retain=True)
        self._send(self.topics.state_calls(), publish.calls_state(self.engine, now), retain=True)


def _usable_id(value) -> str | None:
    """A request id the controller can store and send back: 1-64 characters of text."""
    if isinstance(value, str) and 0 < len(value) <= 64 and is_text(value):
        return value
    return None

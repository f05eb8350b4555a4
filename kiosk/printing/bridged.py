"""A kiosk's printer behind a firmware bridge: the slip's blocks go out as a print job, the result comes back.

The bridge owns the serial port and encodes the blocks with the same codec a
kiosk uses on its own port, so the printer gets the same bytes. What the
kiosk knows of the printer is what the bridge publishes: the retained status
of the bridge (its birth / last will) and of the printer (online, paper),
and each job's result. Everything heard is checked against the contract
models; what does not fit is logged and counts as not heard.

Called from two threads: `on_message` from the app's (where the link
delivers), `status` and `print_job` from the printer service's worker.
"""
from __future__ import annotations

import logging
import threading
import uuid

from pydantic import ValidationError

from contract.devices import BridgeDeviceStatus, PrintJob, PrintResult

log = logging.getLogger(__name__)

RESULT_TIMEOUT_S = 10.0  # the bridge answers once the printer did (its own timeouts are shorter)


class BridgePrinter:
    def __init__(self, client, bridge: str, device: str):
        self.client, self.bridge, self.device = client, bridge, device
        t = client.topics
        self.job_topic = t.bridge_device(bridge, device, "print")
        self.result_topic = t.bridge_device(bridge, device, "result")
        self.bridge_topic = t.status(bridge)
        self.device_topic = t.bridge_device_status(bridge, device)
        self._cond = threading.Condition()
        self._bridge_online = False
        self._printer: BridgeDeviceStatus | None = None
        self._results: dict[str, PrintResult | None] = {}  # the jobs waited for, and their results once in

    def topics(self) -> list[str]:
        return [self.bridge_topic, self.device_topic, self.result_topic]

    def on_message(self, topic: str, data) -> str | None:
        """"status" or "result" when the message was this printer's, else None."""
        if topic not in (self.bridge_topic, self.device_topic, self.result_topic):
            return None
        with self._cond:
            if topic == self.bridge_topic:
                self._bridge_online = isinstance(data, dict) and data.get("status") == "online"
            elif topic == self.device_topic:
                self._printer = self._checked(BridgeDeviceStatus, data, topic)
            elif (result := self._checked(PrintResult, data, topic)) is not None and result.id in self._results:
                self._results[result.id] = result  # results of other kiosks' jobs share the topic
            self._cond.notify_all()
        return "result" if topic == self.result_topic else "status"

    @staticmethod
    def _checked(model, data, topic: str):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            log.warning("%s: not a %s: %s", topic, model.__name__, exc.errors()[0].get("msg"))
            return None

    def status(self) -> str:
        """What the bridge last said of the printer; offline when the bridge or the printer is away."""
        with self._cond:
            printer = self._printer
            if not self._bridge_online or printer is None or printer.status != "online":
                return "offline"
            return printer.paper or "offline"

    def print_job(self, blocks: list[dict]) -> tuple[str, bool]:
        before = self.status()
        if before in ("paper_out", "offline"):
            return before, False
        job_id = f"{self.client.device}-{uuid.uuid4().hex[:12]}"
        job = PrintJob.model_validate({"id": job_id, "blocks": blocks})
        with self._cond:
            self._results[job_id] = None
        self.client.publish(self.job_topic, job.model_dump())
        with self._cond:
            answered = self._cond.wait_for(lambda: self._results[job_id] is not None, RESULT_TIMEOUT_S)
            result = self._results.pop(job_id)
        if not answered:
            log.warning("printer %s/%s: no result for job %s within %.0f s", self.bridge, self.device, job_id,
                        RESULT_TIMEOUT_S)
            return "offline", False
        if not result.ok:
            log.warning("printer %s/%s: job %s not printed: %s", self.bridge, self.device, job_id,
                        result.error.code if result.error else "?")
        return result.paper, result.ok

    def close(self) -> None:
        """Nothing to close: the MQTT link is the app's."""

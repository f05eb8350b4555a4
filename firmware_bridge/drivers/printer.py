"""A kiosk's thermal ticket printer on serial: print jobs arrive over MQTT and are written as ESC/POS.

Before each job the paper sensor is asked (`DLE EOT 4`): a ticket printed on
an empty roll is a citizen without a number, so a job on a printer that says
"paper out" is refused with `paper_out` and the kiosk can tell the person. The
job's blocks are encoded by the same codec the kiosk uses on its own port, so
a slip is the same bytes whichever way it is printed. Paper is said in the
contract's words (ok / paper_near_end / paper_out; offline until the printer
answers). A
job id already printed is answered with the same result and not printed twice
(MQTT QoS 1 may deliver a job twice); a job refused (paper out, offline) may
be sent again under its id once the printer can print, and is printed then
(the controller's window notices wait for their printer that way). Jobs queue in arrival order, one at a time.
"""
from __future__ import annotations

import logging
from collections import OrderedDict, deque

from pydantic import ValidationError

from contract.devices import PrintJob, print_error
from contract.messages import decode_json, describe_validation_error

from ..codecs import escpos
from .base import Driver

log = logging.getLogger("bridge.printer")

QUEUE_MAX = 20
RESULTS_KEPT = 200


class EscPosPrinter(Driver):
    parser_class = escpos.StatusParser

    def __init__(self, name, cfg, bridge):
        super().__init__(name, cfg, bridge)
        self.device = next(iter(cfg.devices))
        self.paper = "offline"  # until the printer answers a status request
        self.jobs: deque[PrintJob] = deque()
        self.waiting: tuple[PrintJob, float] | None = None  # the job whose paper check is out, and its deadline
        # Status bytes carry no tag: a job's paper check is sent only when no other check is unanswered,
        # so the next byte is its answer (and a late answer to a poll is never taken for it).
        self.asked: tuple[int, float] = (0, 0.0)  # unanswered checks, since when
        self.results: OrderedDict[str, dict] = OrderedDict()

    def subscriptions(self) -> list[str]:
        return [self.bridge.topics.bridge_device(self.bridge.device_id, self.device, "print")]

    # --- jobs in -----------------------------------------------------------------------

    def on_device_message(self, device: str, kind: str, payload: bytes, now: float) -> None:
        if device != self.device or kind != "print":
            return
        data = None
        try:
            data = decode_json(payload)  # a ValueError for JSON nested past the stack too
            job = PrintJob.model_validate(data)
        except (UnicodeDecodeError, ValueError) as exc:
            request_id = data.get("id") if isinstance(data, dict) else None
            why = describe_validation_error(exc) if isinstance(exc, ValidationError) else "payload is not UTF-8 JSON"
            self.counts["bad_job"] += 1
            log.warning("%s: print job refused: %s", self.device, why)
            self.result(request_id if isinstance(request_id, str) and 0 < len(request_id) <= 64 else None,
                        error=print_error("bad_request", why))
            return
        if job.id in self.results:
            self.counts["duplicate_job"] += 1
            self.bridge.publish(self.topic("result"), self.results[job.id])
            return
        if any(queued.id == job.id for queued in self.jobs) or (self.waiting and self.waiting[0].id == job.id):
            self.counts["duplicate_job"] += 1
            return
        if len(self.jobs) >= QUEUE_MAX:
            self.result(job.id, error=print_error("busy"))
            return
        self.jobs.append(job)
        self.next_job(now)

    def next_job(self, now: float) -> None:
        if self.waiting is not None or not self.jobs:
            return
        if not self.port.is_open:
            while self.jobs:
                self.result(self.jobs.popleft().id, error=print_error("offline"))
            return
        if self.asked[0]:
            return  # a poll's answer is still due; tick() starts the job once it came or timed out
        job = self.jobs.popleft()
        if self.ask(now):
            self.waiting = (job, now + self.cfg.answer_timeout_s)
        else:
            self.result(job.id, error=print_error("offline"))

    def ask(self, now: float) -> bool:
        if not self.write(escpos.PAPER_STATUS):
            return False
        self.asked = (self.asked[0] + 1, self.asked[1] if self.asked[0] else now)
        self.expect(self.device, now)
        return True

    # --- the printer's answers ----------------------------------------------------

    def on_item(self, status: int, now: float) -> None:
        self.heard(self.device, now)
        self.asked = (max(0, self.asked[0] - 1), self.asked[1])
        paper = escpos.paper_status(status)
        if paper != self.paper:
            log.log(logging.WARNING if paper != "ok" else logging.INFO, "%s: paper %s", self.device, paper)
            self.paper = paper
            self.publish_status(self.device)
        if self.waiting is None or self.asked[0]:
            self.next_job(now)
            return
        job, _ = self.waiting
        self.waiting = None
        if paper == "paper_out":
            self.result(job.id, error=print_error("paper_out"))
        elif self.write(escpos.encode_job([b.model_dump() for b in job.blocks], cut_after=job.cut)):
            self.counts["printed"] += 1
            self.result(job.id)
        else:
            self.result(job.id, error=print_error("offline"))
        self.next_job(now)

    def tick(self, now: float) -> None:
        super().tick(now)
        if self.asked[0] and now - self.asked[1] > self.cfg.answer_timeout_s:
            self.asked = (0, 0.0)  # those answers are lost
        if self.waiting is None:
            self.next_job(now)
        elif now > self.waiting[1]:
            job, _ = self.waiting
            self.waiting = None
            self.counts["timeout"] += 1
            log.warning("%s: no paper status within %.1f s; job %s not printed", self.device,
                        self.cfg.answer_timeout_s, job.id)
            if self.paper != "offline":  # a printer that does not answer is offline until it does
                self.paper = "offline"
                self.publish_status(self.device)
            self.result(job.id, error=print_error("timeout"))
            self.next_job(now)

    def poll(self, now: float) -> None:
        if self.waiting is None and not self.jobs and not self.asked[0]:
            self.ask(now)

    def on_port(self, up: bool, now: float) -> None:
        if not up:
            self.paper, self.asked = "offline", (0, 0.0)
        super().on_port(up, now)

    # --- results out ------------------------------------------------------------------

    def topic(self, kind: str) -> str:
        return self.bridge.topics.bridge_device(self.bridge.device_id, self.device, kind)

    def result(self, job_id: str | None, error: dict | None = None) -> None:
        result = {"id": job_id, "ok": error is None, "paper": self.paper, "error": error}
        if job_id is not None and error is None:  # only a printed job is answered again as printed
            self.results[job_id] = result
            while len(self.results) > RESULTS_KEPT:
                self.results.popitem(last=False)
        if error is not None:
            self.counts["refused"] += 1
        self.bridge.publish(self.topic("result"), result)

    def publish_status(self, device: str, **extra) -> None:
        super().publish_status(device, paper=self.paper, **extra)

"""Delivering the outbox (controller/outbox.py) over HTTP, on a thread of its own.

The service loop hands the due rows to `Deliverer.hand` — it only queues, so a slow, failing or
silent platform never holds up a batch — and reads back what came of each try with `results`,
which it writes to the store in its next batch: the controller stays the single writer, and a
try whose result was never written (the controller killed mid-way) is simply tried again under
the same idempotency id. `wake` is called after each round so the loop writes the results without
waiting for its next tick.

`post_json` is the one HTTP POST of the controller: JSON out, the status back, any failure (no
answer in `timeout_s`, a refused connection, an HTTP error) an exception.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import urllib.error
import urllib.request
from typing import Callable

from .outbox import ACKNOWLEDGED, body

log = logging.getLogger("controller.delivery")


def post_json(url: str, payload: dict, *, timeout_s: float, headers: dict[str, str] | None = None) -> int:
    """POST `payload` as UTF-8 JSON; the HTTP status (an error status is returned, not raised)."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


class Deliverer:
    """Sends the rows it is handed, one after the other, and keeps what came of each for the loop."""

    def __init__(self, wake: Callable[[], None], clock: Callable[[], float]):
        self.wake, self.clock = wake, clock
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()
        self.done: queue.SimpleQueue = queue.SimpleQueue()
        self.thread: threading.Thread | None = None

    def hand(self, rows: list[dict], section) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
            self.thread.start()
        self.inbox.put((rows, section))

    def results(self) -> list[tuple[dict, int | None, str | None, float]]:
        """(row, HTTP status or None, error or None, when) of every try finished since the last call."""
        out = []
        while True:
            try:
                out.append(self.done.get_nowait())
            except queue.Empty:
                return out

    def stop(self) -> None:
        if self.thread is not None:
            self.inbox.put(None)
            self.thread.join(1)  # a POST waiting for its timeout is not waited for: the thread is a daemon

    def _run(self) -> None:
        while True:
            work = self.inbox.get()
            if work is None:
                return
            rows, section = work
            for row in rows:
                status, error = None, None
                try:
                    status = post_json(section.url, body(row, section), timeout_s=section.timeout_s,
                                       headers={**section.headers, "Idempotency-Key": row["id"]})
                    if not (200 <= status < 300 or status in ACKNOWLEDGED):
                        error = f"HTTP {status}"
                except Exception as exc:  # URLError, a timeout, a reset, a garbled answer: all tried again
                    error = f"{type(exc).__name__}: {exc}"
                if error:
                    log.warning("outbox %s: try %d failed: %s", row["id"], row["attempts"] + 1, error)
                self.done.put((row, status, error, self.clock()))
            self.wake()

"""A provincial 好差评 platform on a local port, for the outbox's tests (tests/test_outbox.py) and the
console's page of it (tests/test_console_outbox.py), and the config section that reports to it."""
from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from testbed.processes import free_port


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the sender gave up on a late answer: a broken pipe here is the point


class Platform:
    """A provincial platform on a free local port: it keeps each report by its id (a repeat is
    acknowledged, not kept again) and, when `chaos`, answers 500, 503, nothing at all, or too late
    (after keeping the report: the sender never learns it arrived) for a part of the POSTs."""

    def __init__(self, chaos: float = 0.0, seed: int = 15, late_s: float = 0.6):
        self.kept: dict[str, dict] = {}
        self.posts: list[str] = []
        self.headers: list[dict] = []
        self.down = False
        self.late_all = False  # every report kept, every answer too late
        self.hang = threading.Event()
        self.lock = threading.Lock()
        self.random, self.chaos, self.late_s = random.Random(seed), chaos, late_s
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with platform.lock:
                    platform.posts.append(data["id"])
                    platform.headers.append(dict(self.headers))
                    roll = platform.random.random() if platform.chaos else 1.0
                    down = platform.down
                    if platform.late_all:
                        roll = platform.chaos * 0.99
                while platform.hang.is_set():
                    time.sleep(0.05)
                if down or roll < platform.chaos * 0.3:
                    return self._answer(500, {"error": "internal"})
                if roll < platform.chaos * 0.5:
                    return self._answer(503, "<html>busy</html>")
                if roll < platform.chaos * 0.7:
                    self.close_connection = True  # no answer at all
                    return None
                with platform.lock:
                    repeat = data["id"] in platform.kept
                    platform.kept.setdefault(data["id"], data)
                if roll < platform.chaos:
                    time.sleep(platform.late_s)  # kept, but the answer comes after the sender's timeout
                return self._answer(200, {"id": data["id"], "duplicate": repeat})

            def _answer(self, status, payload):
                body = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.port = free_port()
        self.server = QuietServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/evaluations"

    def wait_for(self, ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if ids <= set(self.kept):
                    return
            time.sleep(0.1)
        with self.lock:
            missing = ids - set(self.kept)
        raise AssertionError(f"{len(missing)} reports never arrived, e.g. {sorted(missing)[:3]}")

    def close(self) -> None:
        self.hang.clear()
        self.server.shutdown()
        self.server.server_close()


def reporting(raw: dict, url: str, **extra) -> dict:
    raw["rating_reports"] = {"enabled": True, "url": url, "timeout_s": 0.3, "backoff_s": 0.05,
                             "backoff_max_s": 0.4, "headers": {"Authorization": "Bearer hall-token"}, **extra}
    return raw

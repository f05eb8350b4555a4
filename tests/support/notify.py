"""A local HTTP server standing for the SMS gateway of the webhook notifier (controller/notify.py): the
notices tests read what the controller sent (test_notify.py, test_web_take.py)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Gateway:
    """A local HTTP server standing for an SMS gateway: answers each POST with the next status of
    `statuses` (the last one repeats), after `delay_s`."""

    def __init__(self, statuses=(200,), delay_s: float = 0.0):
        self.statuses, self.delay_s, self.received, self.answered = list(statuses), delay_s, [], threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(json.loads(body))
                time.sleep(gateway.delay_s)
                status = gateway.statuses.pop(0) if len(gateway.statuses) > 1 else gateway.statuses[0]
                self.send_response(status)
                self.end_headers()
                if status == 200:
                    gateway.answered.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway_factory():
    made = []

    def make(*args, **kwargs):
        made.append(Gateway(*args, **kwargs))
        return made[-1]

    yield make
    for gateway in made:
        gateway.close()

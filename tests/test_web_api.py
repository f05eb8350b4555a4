"""The integration API against the real broker, `main.py controller` and `main.py web`: a business
system's key sets an application's progress, records the outcome at its window and shows its
evaluator; a retry under the same request id gets the same answer; wrong keys are refused."""
from __future__ import annotations

import json

from testbed.web import get

pytest_plugins = ("tests.support.web_fixtures",)
WEB_CONFIG = {"rate_limits": {"forms": {"per_s": 50, "burst": 200}}}


def call(web_hall, path, key=None, body=None, request_id=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    if request_id:
        headers["Idempotency-Key"] = request_id
    data = json.dumps(body).encode() if body is not None else None
    status, _, raw = get(web_hall.url(f"/api/v1{path}", "api"), headers, data, "POST" if data is not None else "GET")
    return status, json.loads(raw)


def test_a_system_drives_an_application_and_a_retry_gets_the_same_answer(web_hall):
    key = web_hall.web.add_key("yichuang", "progress,outcome,evaluate,ratings", "3")
    other = web_hall.web.add_key("other", "progress,outcome", "2")
    body = {"item": "C01", "status": "submitted", "phone": "13812345678"}
    first = call(web_hall, "/applications/SQ2026900/progress", key, body, "r-1")
    assert first[0] == 200 and first[1]["result"]["application"]["status"] == "submitted", first
    assert call(web_hall, "/applications/SQ2026900/progress", key, body, "r-1") == first
    again = call(web_hall, "/applications/SQ2026900/progress", key, {**body, "status": "approved"}, "r-1")
    assert again[0] == 409 and again[1]["error"]["code"] == "request_id_reused"
    assert call(web_hall, "/applications/SQ2026900/progress", None, body, "r-2")[0] == 401
    assert call(web_hall, "/applications/SQ2026900/progress", key[:-1] + "x", body, "r-2")[0] == 401
    refused = call(web_hall, "/windows/3/outcome", other, {"outcome": "accepted"}, "r-3")
    assert refused[0] == 403 and refused[1]["error"]["code"] == "forbidden"
    assert call(web_hall, "/windows/3/outcome", key, {"outcome": 3}, "r-4")[0] == 422
    assert call(web_hall, "/windows/3/outcome", key, {"outcome": "accepted"})[0] == 400  # no request id
    web_hall.staff(3)
    web_hall.take_ticket("social")
    web_hall.ask("window-3", "call_next")
    done = call(web_hall, "/windows/3/outcome", key, {"outcome": "accepted"}, "r-5")
    assert done[0] == 200 and done[1]["result"]["outcome"]["outcome"] == "accepted", done
    assert call(web_hall, "/windows/3/outcome", key, {"outcome": "accepted"}, "r-5") == done
    shown = call(web_hall, "/windows/3/evaluation", key, {}, "r-6")
    assert shown[0] == 200 and shown[1]["result"]["ticket_id"], shown

"""The integration API against the real broker, `main.py controller` and `main.py web`: a business
system's key sets an application's progress, records the outcome at its window and shows its
evaluator; a retry under the same request id gets the same answer; wrong keys are refused."""
from __future__ import annotations

import json
import time
from datetime import date

from testbed.controller import ROOT
from testbed.web import get
from tests.support.web import api_call as call
from web import api

pytest_plugins = ("tests.support.web_fixtures",)
WEB_CONFIG = {"rate_limits": {"forms": {"per_s": 50, "burst": 200}, "api_key": {"per_s": 1, "burst": 15}}}


def test_a_system_drives_an_application_and_a_retry_gets_the_same_answer(web_hall):
    key = web_hall.web.add_key("yichuang", "progress,outcome,evaluate,ratings", "3")
    other = web_hall.web.add_key("other", "progress,outcome", "2")
    body = {"item": "C01", "status": "submitted", "phone": "13812345678"}
    first = call(web_hall, "/applications/SQ2026900/progress", key, body, "r-1")
    assert first[0] == 200 and first[1]["result"]["application"]["status"] == "accepted", first
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


def test_the_checked_in_openapi_copy_is_what_the_api_serves(web_hall):
    """docs/openapi.json is written by `python -m web.api --openapi docs/openapi.json`; a route or field
    changed without writing it again fails here."""
    status, headers, served = get(web_hall.url("/api/v1/openapi.json", "api"))
    assert status == 200 and headers["content-type"].startswith("application/json")
    copy = (ROOT / api.OPENAPI_COPY).read_text(encoding="utf-8")
    assert json.loads(served) == json.loads(copy) == api.openapi(), \
        "docs/openapi.json is stale: python -m web.api --openapi docs/openapi.json"
    assert copy == api.openapi_text()  # byte for byte: the command's own output
    paths = json.loads(copy)["paths"]
    assert set(paths) == {"/api/v1/health", "/api/v1/applications/{application_no}",
                          "/api/v1/applications/{application_no}/progress",
                          "/api/v1/applications/{application_no}/link",
                          "/api/v1/windows/{window}/outcome", "/api/v1/windows/{window}/evaluation",
                          "/api/v1/ratings"}
    for path in ("/api/v1/windows/{window}/outcome", "/api/v1/applications/{application_no}/progress",
                 "/api/v1/applications/{application_no}/link"):
        assert {"401", "403", "409", "415", "422", "429"} <= set(paths[path]["post"]["responses"])


def test_a_write_that_is_not_json_is_415(web_hall):
    key = web_hall.web.add_key("formsender", "progress", "")
    body = {"item": "C01", "status": "submitted"}
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        status, reply = call(web_hall, "/applications/SQ2026415/progress", key, body, "r-415", content_type)
        assert status == 415 and reply["error"]["code"] == "unsupported", (content_type, status, reply)
        assert reply["error"]["message_zh"] == "请以 JSON 提交"
    ok = call(web_hall, "/applications/SQ2026415/progress", key, body, "r-415", "application/json; charset=utf-8")
    assert ok[0] == 200 and ok[1]["result"]["application"]["application_no"] == "SQ2026415"


def test_a_key_past_its_rate_is_429_with_retry_after_and_other_keys_go_on(web_hall):
    """web.rate_limits.api_key (here a burst of 15, 1 a second): per key, whatever address it calls from."""
    busy = web_hall.web.add_key("busyloop", "ratings", "3")
    calm = web_hall.web.add_key("calm", "ratings", "3")
    backwards = "/ratings?from=2026-12-02&to=2026-12-01"  # refused at once (400), a token taken all the same
    statuses, first_429 = [], None
    for _ in range(25):
        status, headers, raw = get(web_hall.url(f"/api/v1{backwards}", "api"), {"Authorization": f"Bearer {busy}"})
        statuses.append(status)
        if status == 429 and first_429 is None:
            first_429 = (headers, json.loads(raw))
    assert statuses[:15] == [400] * 15 and statuses.count(429) >= 8, statuses
    headers, reply = first_429
    assert reply["error"]["code"] == "rate_limited" and int(headers["retry-after"]) >= 1
    assert call(web_hall, backwards, calm)[0] == 400  # the other system is not held up
    time.sleep(1.2)
    assert call(web_hall, backwards, busy)[0] == 400  # a token again a second later


def test_ratings_of_the_keys_windows_day_by_day(web_hall):
    key = web_hall.web.add_key("reader", "ratings", "4")
    web_hall.staff(4)
    ticket = web_hall.take_ticket("social")
    web_hall.ask("window-4", "call_specific", {"number": ticket["number"]})
    web_hall.ask("window-4", "finish")
    web_hall.ask("evaluator-4", "rate", {"ticket_id": ticket["id"], "level": 2, "reasons": ["slow"]})
    today = ticket["id"][:10]  # the hall's service day
    status, reply = call(web_hall, f"/ratings?from={today}", key)
    assert status == 200, reply
    [day] = reply["result"]["days"]
    assert day == {"date": today, "windows": [{"window": 4, "rated": 1, "avg_rating": 2.0, "bad_ratings": 1,
                                               "by_level": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}}]}, day
    before = (date.fromisoformat(today).toordinal() - 1)
    two = call(web_hall, f"/ratings?from={date.fromordinal(before).isoformat()}&to={today}&window=4", key)
    assert [d["date"] for d in two[1]["result"]["days"]] == [date.fromordinal(before).isoformat(), today]
    assert two[1]["result"]["days"][0]["windows"] in ([], [{"window": 4, "rated": 0, "avg_rating": None,
                                                             "bad_ratings": 0, "by_level": {"1": 0, "2": 0, "3": 0,
                                                                                            "4": 0, "5": 0}}])
    assert call(web_hall, f"/ratings?from={today}&window=3", key)[0] == 403  # not the key's window
    assert call(web_hall, "/ratings?from=2026-01-01&to=2026-03-01", key)[0] == 400  # over 31 days

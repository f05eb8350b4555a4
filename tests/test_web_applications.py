"""A 办件 from link to result ready, driven by the integration API over the real broker, `main.py
controller` and `main.py web`, while the citizen's progress page in headless chromium shows each step
and the promised date; the result-ready notice reaches the applicant's phone (the log notifier). And
a 办件 finished, rated and read back by its number through the API."""
from __future__ import annotations

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.web import api_call as call, ask_in_browser

pytest_plugins = ("tests.support.web_fixtures",)
WEB_CONFIG = {"rate_limits": {"forms": {"per_s": 50, "burst": 200}}}
NUMBER = "SQ2026555"


def hall_changes(raw: dict, folder) -> None:
    raw["appointments"]["notify"] = {"backend": "log", "log_path": str(folder / "notices.jsonl")}


def notices(web_hall) -> list[dict]:
    path = web_hall.raw["appointments"]["notify"]["log_path"]
    try:
        with open(path, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines]
    except FileNotFoundError:
        return []


def shown(phone, status: str) -> list[str]:
    """Ask the page for the application and wait for `status`; the steps it lists, newest first."""
    ask_in_browser(phone, NUMBER, "5678")
    phone.wait_for(lambda: status in phone.text(".application-status"), what=status)
    # read in one go: the page draws its answer again as it polls, so a node found first may be gone
    return phone.driver.execute_script("return [...document.querySelectorAll('ol.history li')].map(e => e.innerText)")


def test_the_api_drives_an_application_from_link_to_result_ready_and_the_page_shows_each_step(web_hall, phone):
    key = web_hall.web.add_key("yichuang-apps", "progress", "5")
    web_hall.staff(5)
    ticket = web_hall.take_ticket("estate")
    web_hall.ask("window-5", "call_next")
    body = {"window": 5, "item": "C01", "applicant_name": "王小明", "phone": "13812345678"}
    assert call(web_hall, f"/applications/{NUMBER}/link", key, {**body, "window": 4}, "l-0")[0] == 403
    assert call(web_hall, f"/applications/{NUMBER}/link", key, {"item": "C01"}, "l-0")[0] == 400
    linked = call(web_hall, f"/applications/{NUMBER}/link", key, body, "l-1")
    assert linked[0] == 200, linked
    assert call(web_hall, f"/applications/{NUMBER}/link", key, body, "l-1") == linked  # a retry: the same answer
    application = linked[1]["result"]["application"]
    due = datetime.fromtimestamp(application["due_at"], ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    assert application["status"] == "accepted" and application["limit_days"] == 5

    phone.open(web_hall.url("/progress"))
    steps = shown(phone, "已受理")
    assert len(steps) == 1 and f"关联{ticket['number']}号" in steps[0]
    assert phone.text("dd.due") == f"{due}前"
    answer = phone.text("section.application")
    assert "王*明" in answer and "王小明" not in answer and "13812345678" not in answer

    for n, (status, note, words) in enumerate((("in_progress", "材料审核", "办理中"),
                                               ("supplement", "请补交身份证复印件", "需补正材料"))):
        step = call(web_hall, f"/applications/{NUMBER}/progress", key, {"item": "C01", "status": status,
                                                                        "note": note}, f"p-{n}")
        assert step[0] == 200, step
        steps = shown(phone, words)
        assert len(steps) == n + 2 and words in steps[0] and note in steps[0]
    assert "计时暂停" in phone.text("dd.due")

    assert notices(web_hall) == []
    ready = call(web_hall, f"/applications/{NUMBER}/progress", key, {"item": "C01", "status": "result_ready"}, "p-9")
    assert ready[0] == 200 and ready[1]["result"]["application"]["closed_at"], ready
    steps = shown(phone, "已办结，请领取结果")
    assert len(steps) == 4 and "已办结" in steps[0] and "需补正材料" in steps[1] and "已受理" in steps[3]
    assert phone.text("dd.due") == f"{due}前"  # resumed the same day: the 补正 cost no working day

    deadline = time.monotonic() + 10
    while not notices(web_hall) and time.monotonic() < deadline:
        time.sleep(0.1)
    [notice] = notices(web_hall)
    assert (notice["kind"], notice["phone"], notice["code"]) == ("result_ready", "13812345678", NUMBER)
    assert "已办结" in notice["text"]["zh"] and "collect" in notice["text"]["en"]


RATED = "SQ2026777"


def test_an_application_is_finished_rated_and_read_back_by_its_number_through_the_api(web_hall):
    """link → 办结 with the number (补正) → the evaluator asked for the 办件 → a 差评 on the window's
    evaluator: the number's ratings are exactly that one, and the 办件 shows each step; a replay
    is one effect, and another system's key gets the 404 of an unknown number."""
    key = web_hall.web.add_key("yichuang-rated", "progress,outcome,evaluate,ratings", "6")
    other = web_hall.web.add_key("other-system", "progress,ratings", "7")
    web_hall.staff(6)

    def serve() -> dict:
        ticket = web_hall.ask("kiosk-T1", "issue_ticket", {"item": "C01", "group": "normal", "lang": "zh"})["ticket"]
        web_hall.ask("window-6", "call_next")
        return ticket

    ticket = serve()
    assert call(web_hall, f"/applications/{RATED}/link", key, {"window": 6, "item": "C01"}, "x-1")[0] == 200
    outcome = {"outcome": "supplement", "materials": ["身份证复印件"], "application_no": RATED}
    done = call(web_hall, "/windows/6/outcome", key, outcome, "x-2")
    assert done[0] == 200 and done[1]["result"]["application"]["status"] == "supplement", done
    assert call(web_hall, "/windows/6/outcome", key, outcome, "x-2") == done  # a replay: the same answer
    asked = call(web_hall, "/windows/6/evaluation", key, {"application_no": RATED}, "x-3")
    assert asked[0] == 200 and asked[1]["result"]["ticket_id"] == ticket["id"], asked
    assert call(web_hall, "/windows/6/evaluation", key, {"application_no": RATED}, "x-3") == asked
    web_hall.ask("evaluator-6", "rate", {"ticket_id": ticket["id"], "level": 2, "reasons": ["slow"]})
    unlinked = serve()  # rated at the same window, of no 办件
    web_hall.ask("window-6", "finish")
    web_hall.ask("evaluator-6", "rate", {"ticket_id": unlinked["id"], "level": 5})

    status, reply = call(web_hall, f"/ratings?application_no={RATED}", key)
    assert status == 200, reply
    [rating] = reply["result"]["ratings"]
    assert {k: rating[k] for k in ("ticket_id", "number", "level", "bad", "reasons", "channel", "window", "item",
                                   "followup", "rectification")} == {
        "ticket_id": ticket["id"], "number": ticket["number"], "level": 2, "bad": True, "reasons": ["slow"],
        "channel": "evaluator", "window": 6, "item": "C01", "followup": "open", "rectification": None}
    assert rating["level_text"] == {"zh": "不满意", "en": "Dissatisfied"} and rating["at_hall"].endswith("+08:00")
    assert not {"phone", "applicant", "comment", "staff_id", "contact"} & set(rating)
    assert call(web_hall, f"/ratings?application_no={RATED}&from=2026-12-01", key)[0] == 400  # by 办件 or by day

    followup = f"FU-{ticket['id']}"
    for status_, fields in (("visited", {}), ("rectifying", {}),
                            ("closed", {"verdict": "anonymous", "reply": "已调整窗口人员，缩短等候"})):
        web_hall.ask("admin-B1", "followup_update", {"followup_id": followup, "status": status_, "note": "内部记录",
                                                     **fields})
    [rating] = call(web_hall, f"/ratings?application_no={RATED}", key)[1]["result"]["ratings"]
    fixed = rating["rectification"]
    assert (fixed["result"], fixed["reply"], fixed["verdict"]) == ("rectifying", "已调整窗口人员，缩短等候", "anonymous")

    assert call(web_hall, f"/applications/{RATED}/progress", key, {"item": "C01", "status": "result_ready"}, "x-4")[0] == 200
    status, reply = call(web_hall, f"/applications/{RATED}", key)
    assert status == 200, reply
    shown = reply["result"]["application"]
    assert [step["status"] for step in shown["history"]] == ["accepted", "supplement", "result_ready"]  # one each
    assert shown["status"] == "result_ready" and shown["on_time"] is True and shown["due_hall"].endswith("+08:00")
    assert shown["tickets"] == [{"id": ticket["id"], "number": ticket["number"]}]
    assert [step["ticket"] for step in shown["history"]] == [ticket["number"], ticket["number"], None]
    assert not any("by" in step for step in shown["history"]) and "applicant" not in shown

    for path in (f"/applications/{RATED}", f"/ratings?application_no={RATED}"):
        assert call(web_hall, path, key[:-1] + "x")[0] == 401
        unknown = call(web_hall, path.replace(RATED, "SQ2026000"), key)
        assert unknown[0] == 404 and call(web_hall, path, other) == unknown, path  # no existence leak

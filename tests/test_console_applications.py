"""The console's 办件 page over real HTTP against the real broker, `main.py controller` and `main.py web`:
a director links an application to a ticket by its id and walks it through a 补正 to result ready, the
list shows its due date and paused clock; a social supervisor reads the list without a form."""
from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.console import PASSWORD, ConsoleUser

pytest_plugins = ("tests.support.web_fixtures",)


def text(body: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_a_director_links_and_steps_an_application_and_a_social_supervisor_only_reads(web_hall):
    for name, role in (("li.ming", "director"), ("qian.jun", "social_supervisor")):
        web_hall.web.add_user(name, role, PASSWORD)
    ticket = web_hall.take_ticket("estate")
    director = ConsoleUser(web_hall, address="198.51.100.41")
    director.login("li.ming")
    status, _, body = director.get("/console/applications")
    assert status == 200 and "目前没有计时中的办件" in text(body) and 'href="/console/applications"' in body
    assert director.post("/console/applications/link", {"application_no": "SQ2026700", "ticket_id": "bad",
                                                         "item": "C01"})[0] == 400
    status, headers, _ = director.post("/console/applications/link", {
        "application_no": "sq2026700", "ticket_id": ticket["id"], "item": "C01"})
    assert status == 303 and headers["Location"].endswith("/console/applications?done=SQ2026700")
    due = datetime.fromtimestamp(web_hall.ask("admin-P1", "applications")["applications"][0]["due_at"],
                                 ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    status, _, body = director.get("/console/applications?done=SQ2026700")
    shown = text(body)
    assert "已更新：SQ2026700" in shown and f"承诺期限：{due}" in shown and "二手房转移登记" in shown
    assert 'action="/console/applications/SQ2026700/step"' in body
    assert director.post("/console/applications/SQ2026700/step", {"status": "lost", "note": ""})[0] == 400
    status, _, _ = director.post("/console/applications/SQ2026700/step", {"status": "supplement",
                                                                          "note": "请补交身份证复印件"})
    assert status == 303
    body = director.get("/console/applications")[2]
    shown = text(body)
    assert "需补正材料" in shown and "计时暂停" in shown
    assert '<option value="supplement" selected>' in body  # the form starts at where the 办件 stands
    assert director.post("/console/applications/SQ2026700/step", {"status": "result_ready", "note": ""})[0] == 303
    assert "目前没有计时中的办件" in text(director.get("/console/applications")[2])  # 办结: off the clock

    ticket = web_hall.take_ticket("estate")
    director.post("/console/applications/link", {"application_no": "SQ2026701", "ticket_id": ticket["id"],
                                                 "item": "C02"})
    reader = ConsoleUser(web_hall, address="198.51.100.42")
    reader.login("qian.jun")
    status, _, body = reader.get("/console/applications")
    assert status == 200 and "SQ2026701" in body and "<form class=\"step\"" not in body and "applications/link" not in body
    assert reader.post("/console/applications/link", {"application_no": "SQ2026702", "ticket_id": ticket["id"],
                                                      "item": "C02"})[0] == 403

"""The console's reports without a browser: a period's figures from a scripted ledger against a
count by hand (controller/period.py, days merged before averaging), the CSV's bytes (BOM, headers
in zh and en), the page with its server-drawn bars, and who may read what over real HTTP."""
from __future__ import annotations

import pytest

from controller.figures import DayFigures
from controller.period import of_period
from tests.support.console import PASSWORD, ConsoleUser
from web.presenters.console_reports import period_of, report_csv, report_page, visible

pytest_plugins = ("tests.support.web_fixtures",)
TZ = "Asia/Shanghai"
D1, D2 = "2026-11-27", "2026-11-28"  # a Friday and a Saturday
BASE = {D1: 1795746000.0, D2: 1795832400.0}  # 09:00 local of each


class Calendar:
    holidays, workdays = (), ()


def service(day, n, window, staff, wait, service_s, level=None, reasons=(), item="I1"):
    """The ledger rows of one ticket: issued at 09:00 + n min, called after `wait`, finished after `service_s`."""
    tid, t0 = f"{day}-A{n:03d}", BASE[day] + 60 * n
    ticket = {"category": "general", "item": item, "issued_at": t0}
    rows = [{"kind": "ticket_issued", "at": t0, "ticket_id": tid, "window": None, "staff_id": None, "before": {},
             "after": ticket, "data": {}},
            {"kind": "ticket_called", "at": t0 + wait, "ticket_id": tid, "window": window, "staff_id": staff,
             "before": {**ticket, "status": "waiting"}, "after": ticket, "data": {}},
            {"kind": "ticket_finished", "at": t0 + wait + service_s, "ticket_id": tid, "window": window,
             "staff_id": staff, "before": {**ticket, "called_at": t0 + wait}, "after": ticket,
             "data": {"service_s": service_s, "outcome": "supplement" if n == 2 else "accepted"}}]
    if level is not None:
        rows.append({"kind": "ticket_rated", "at": t0 + wait + service_s + 5, "ticket_id": tid, "window": window,
                     "staff_id": staff, "before": ticket, "after": {**ticket, "window": window, "staff_id": staff},
                     "data": {"level": level, "reasons": list(reasons)}})
    return rows


def two_days() -> dict:
    d1 = service(D1, 1, 1, "1001", 120, 300, 5) + service(D1, 2, 1, "1001", 600, 420, 1, ["slow", "rude"]) \
        + service(D1, 3, 2, "1002", 60, 180)
    d2 = service(D2, 1, 2, "1002", 300, 240, 2, ["slow"], item="I2")
    days = [(day, DayFigures(day).add_rows(rows)) for day, rows in ((D1, d1), (D2, d2))]
    closed = [{"item": "I1", "window": 1, "staff_id": "1001", "closed_at": BASE[D1], "due_at": BASE[D1] + 1},
              {"item": "I1", "window": 2, "staff_id": "1002", "closed_at": BASE[D2], "due_at": BASE[D2] - 1},
              {"item": "I2", "window": 2, "staff_id": "1002", "closed_at": BASE[D2], "due_at": BASE[D2]},
              {"item": "I2", "window": 2, "staff_id": "1002", "closed_at": BASE[D2], "due_at": None}]  # no limit
    report = of_period(days, timezone=TZ, calendar=Calendar, followups=[], now=BASE[D2] + 7200, applications=closed)
    report.update(names={"categories": {"general": {"zh": "综合", "en": "General"}},
                         "windows": {"1": {"zh": "1号窗口", "en": "Window 1"}, "2": {"zh": "2号窗口", "en": "Window 2"}},
                         "staff": {"1001": "张*", "1002": "李*"}},
                  items_names={"I1": {"zh": "社保登记", "en": "Insurance"}}, reasons_names={"slow": {"zh": "慢", "en": "slow"}})
    return report


def test_a_period_is_its_days_added_up_by_hand():
    r = two_days()
    hall = r["hall"]
    assert (hall["issued"], hall["served"], hall["rated"], hall["bad_ratings"]) == (4, 4, 3, 2)
    assert hall["avg_wait_s"] == (120 + 600 + 60 + 300) / 4 and hall["avg_service_s"] == (300 + 420 + 180 + 240) / 4
    assert (hall["good_rate"], hall["active_rating_rate"]) == (33.3, 75.0)
    assert hall["outcomes"]["supplement"] == 1 and hall["outcomes"]["accepted"] == 3
    assert (r["windows"]["2"]["served"], r["windows"]["2"]["avg_wait_s"]) == (2, 180.0)
    assert r["rankings"] == {"windows": ["1", "2"], "staff": ["1001", "1002"], "items": ["I1", "I2"]}
    assert r["bad_reasons"] == [{"category": "general", "item": "I1", "reason": "rude", "count": 1},
                                {"category": "general", "item": "I1", "reason": "slow", "count": 1},
                                {"category": "general", "item": "I2", "reason": "slow", "count": 1}]
    assert [(d["day"], d["working"], d["served"]) for d in r["days"]] == [(D1, True, 3), (D2, False, 1)]
    assert r["working_days"] == 1
    on_time = r["applications"]
    assert (on_time["closed"], on_time["on_time"], on_time["late"], on_time["on_time_rate"]) == (3, 2, 1, 66.7)
    assert on_time["windows"]["2"] == {"closed": 2, "on_time": 1, "late": 1, "on_time_rate": 50.0}
    assert on_time["items"]["I2"]["on_time_rate"] == 100.0 and on_time["staff"]["1001"]["closed"] == 1
    assert on_time["months"] == {"2026-11": {"closed": 3, "on_time": 2, "late": 1, "on_time_rate": 66.7}}


def test_the_csv_starts_with_the_bom_and_its_headers_in_the_language_asked():
    r = two_days()
    zh, en = report_csv(r, "zh"), report_csv(r, "en")
    assert zh.startswith(b"\xef\xbb\xbf") and en.startswith(b"\xef\xbb\xbf")
    lines = zh.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "范围,名次,key,名称,办结,平均等候(分),平均办理(分),评价数,好评率%,主动评价率%,差评,受理,补正,不予受理,即办,咨询"
    assert lines[1] == "全厅,,,全厅,4,4.5,4.8,3,33.3,75.0,2,3,1,0,0,0"
    assert "窗口,1,1,1号窗口,2,6.0,6.0,2,50.0,100.0,1,1,1,0,0,0" in lines
    assert en.decode("utf-8-sig").split("\r\n")[0].startswith("Scope,Rank,key,Name,Served,Avg wait (min)")
    assert "办件按时办结率,范围,key,名称,办结件数,按时办结,超期办结,按时办结率%" in lines
    assert "办件按时办结率,全厅,,全厅,3,2,1,66.7" in lines and "办件按时办结率,窗口,2,2号窗口,2,1,1,50.0" in lines
    assert "办件按时办结率,月份,2026-11,2026-11,3,2,1,66.7" in lines


def test_the_page_draws_its_bars_and_a_window_lead_sees_only_their_windows():
    r = two_days()
    view = report_page(r, "zh", kind="range", asked={}, query="")["report"]
    assert [row["bar"] for row in view["windows"]["rows"]] == [240, 240]
    assert [d["bar"] for d in view["days"]] == [240, 80]
    assert view["period"] == f"{D1} 至 {D2}（2天，其中工作日1天）" and view["applications"]["rate"] == "66.7%"
    assert [(row["scope"], row["name"], row["cells"]) for row in view["applications"]["rows"]][:2] == [
        ("全厅", "全厅", ["3", "2", "1", "66.7"]), ("事项", "社保登记", ["2", "1", "1", "50.0"])]
    english = report_page(r, "en", kind="range", asked={}, query="")
    assert english["report"]["period"] == f"{D1} to {D2} (2 days, 1 of them working)"
    assert english["columns"][:2] == ["Served", "Avg wait (min)"] and english["texts"]["BY_WINDOW"] == "Windows ranked"
    mine = visible(r, (2,))
    assert list(mine["windows"]) == ["2"] and mine["staff"] == {} and mine["rankings"]["windows"] == ["2"]
    assert list(mine["applications"]["windows"]) == ["2"] and mine["applications"]["staff"] == {}
    assert report_csv(mine, "zh").decode("utf-8-sig").split("\r\n")[1].startswith("窗口,1,2,2号窗口,2,")
    assert period_of("month", "", "", "", "2026-02", "2026-12-02") == ("2026-02-01", "2026-02-28")
    assert period_of("range", "", "2026-13-01", "2026-12-01", "", "2026-12-02") is None


@pytest.fixture(scope="module")
def readers(web_hall):
    for name, role, options in (("li.ming", "director", ()), ("qian.jun", "social_supervisor", ()),
                                ("sun.li", "window_lead", ("--windows", "3")), ("wu.lead", "window_lead", ())):
        try:
            web_hall.web.add_user(name, role, PASSWORD, *options)
        except ValueError:  # made already by another module on the same hall
            pass
    return web_hall


@pytest.mark.parametrize("path", ["/console/reports", "/console/reports.csv"])
def test_who_may_read_the_reports_on_each_route(readers, path):
    for n, (name, status) in enumerate((("li.ming", 200), ("qian.jun", 200), ("sun.li", 200), ("wu.lead", 403))):
        user = ConsoleUser(readers, address=f"198.51.100.{80 + n}")
        user.login(name)
        got, headers, body = user.get(path + "?kind=month")
        assert got == status, (name, path, got)
        if path.endswith(".csv") and status == 200:
            assert headers["Content-Type"].startswith("text/csv") and "attachment" in headers["Content-Disposition"]
    nobody = ConsoleUser(readers, address="198.51.100.90")
    assert nobody.get(path, body=False)[0] == 303

"""The console's pure parts, without a server or a browser: sessions and login throttling with the
time passed in, and the presenters of the live hall, the 电子监察 board and the audit list over the
demo hall's retained state in a real mirror."""
from __future__ import annotations

from tests.support.console import CJK, CLOCK, NOW, T, demo_hall
from tests.support.kiosk_fakes import current_ticket, window_payload
from web.presenters.console_alerts import age, alerts_board, audit_list
from web.presenters.console_hall import desk_now
from web.sessions import Sessions, Throttle



def test_a_session_ends_when_idle_past_its_limit_or_its_day_and_at_logout():
    sessions = Sessions(idle_s=60, max_s=300)
    token = sessions.start("li.ming", "director", "10.0.0.5", 1000.0)
    assert sessions.get(token, 1050.0).user == "li.ming"
    assert sessions.get(token, 1100.0) is not None  # 50 s after the last request: still open
    assert sessions.get(token, 1161.0) is None  # 61 s idle: gone, and forgotten
    assert sessions.get(token, 1162.0) is None
    busy = sessions.start("li.ming", "director", "10.0.0.5", 2000.0)
    for t in range(2050, 2300, 50):
        assert sessions.get(busy, float(t)) is not None
    assert sessions.get(busy, 2301.0) is None  # however busy, past max_s from the login
    other = sessions.start("zhao.min", "supervisor", "10.0.0.6", 3000.0)
    assert sessions.get("x" * 43, 3000.0) is None and sessions.get(None, 3000.0) is None
    assert sessions.end(other).user == "zhao.min" and sessions.get(other, 3001.0) is None
    assert token not in repr(sessions._open)  # only digests are kept


def test_wrong_passwords_lock_a_name_for_a_while_and_a_right_one_clears_its_count():
    throttle = Throttle(max_fails=3, window_s=600, lock_s=900)
    keys = ("name:li.ming", "addr:10.0.0.5")
    for t in (0.0, 10.0):
        throttle.failed(keys, t)
    assert throttle.locked(keys, 11.0) == 0
    throttle.succeeded("name:li.ming")
    throttle.failed(keys, 20.0)
    assert throttle.locked(("name:li.ming",), 21.0) == 0  # the right password started the name again
    assert throttle.locked(keys, 21.0) == 899  # three from the address: it is locked for lock_s
    assert throttle.locked(keys, 921.0) == 0
    far = Throttle(max_fails=3, window_s=600, lock_s=900)
    for t in (0.0, 700.0, 1400.0):  # three wrong ones, but never three within the window
        far.failed(keys, t)
    assert far.locked(keys, 1401.0) == 0


def test_the_live_hall_shows_every_window_with_its_ticket_service_time_and_todays_figures():
    hall = demo_hall()
    hall.apply(T.state_window(3), window_payload(3, "serving", current_ticket("B007"), tidal=True, tidal_pinned=True))
    hall.apply(T.state_window(4), window_payload(4, "paused"))
    CLOCK[0] = NOW + 125
    stats = {"hall": {"issued": 42, "served": 30, "no_show": 2, "avg_wait_s": 405, "max_wait_s": 1800,
                      "avg_service_s": 300, "avg_rating": 4.62, "bad_ratings": 1},
             "windows": {"3": {"served": 11}}}
    now = desk_now(hall, stats, NOW, "zh")
    three = next(row for row in now["windows"] if row["number"] == 3)
    assert three["ticket"] == "B007" and three["status"] == "办理中" and three["staff"] == "刘*燕 1003"
    assert three["service_time"] == "1分05秒"  # from its start (60 s after the call), hall clock 125 s on
    assert three["tidal"] == "潮汐（锁定）" and three["served"] == "11"
    four = next(row for row in now["windows"] if row["number"] == 4)
    assert four["status"] == "暂停服务" and four["ticket"] == "" and four["service_time"] == ""
    assert len(now["windows"]) == len(hall.window_numbers())  # closed windows too: the director sees all
    figures = {f["key"]: f["value"] for f in now["figures"]}
    assert figures == {"issued": "42", "served": "30", "no_show": "2", "avg_wait": "6分45秒", "max_wait": "30分00秒",
                       "avg_service": "5分00秒", "avg_rating": "4.6", "bad_ratings": "1"}
    social = next(q for q in now["queues"] if q["code"] == "social")
    assert social["waiting"] == "3"
    assert desk_now(hall, None, None, "zh")["figures"] == []


def test_the_console_in_english_has_no_chinese_but_the_names_it_is_given():
    hall = demo_hall()
    hall.apply(T.state_window(3), window_payload(3, "serving", current_ticket("B007"), staff="Liu*n"))
    now = desk_now(hall, {"hall": {"issued": 1}}, NOW, "en")
    board = alerts_board(hall, [alert(1, "red")], "en", can_ack=True)
    audit = audit_list(hall, [{"at": NOW, "what": "login", "user": "li.ming", "address": "10.0.0.x",
                               "role": "director"}], "en")
    for part in (now, board, audit):
        assert not CJK.search(repr(part)), part


def alert(n: int, level: str, since: float = NOW - 3 * 3600, **extra) -> dict:
    return {"id": n, "kind": "long_wait", "level": level, "status": "open", "since": since, "acked_at": None,
            "acked_by": None, "note": None, "text": {"zh": f"告警{n}", "en": f"alert {n}"}, **extra}


def test_the_board_puts_red_cards_first_with_their_age_and_who_acknowledged():
    hall = demo_hall()
    found = [alert(1, "yellow", NOW + 100), alert(2, "red", NOW - 3600),
             alert(3, "yellow", NOW - 600, acked_at=NOW, acked_by="admin-W1/zhao.min", note="已安排")]
    CLOCK[0] = NOW + 125
    board = alerts_board(hall, found, "zh", can_ack=False)
    assert [a["id"] for a in board["alerts"]] == [2, 3, 1]
    assert [a["age"] for a in board["alerts"]] == ["1小时2分", "12分钟", "25秒"]
    assert board["alerts"][1]["acked"].startswith("已处理：已安排（admin-W1/zhao.min，")
    assert board["alerts"][0]["level_text"] == "红牌" and board["can_ack"] is False
    assert age(59, "en") == "59 s" and age(3 * 3600 + 60, "en") == "3 h 1 min"


def test_the_board_says_who_handles_an_alert_its_duban_overdue_and_its_whole_trail():
    from web.accounts import Account
    from web.presenters.console_people import people_choices

    hall = demo_hall()
    accounts = [Account("li.ming", "director", "x"), Account("qian.jun", "social_supervisor", "x")]
    people = people_choices(accounts, {"1001": {"name": "王丽华"}}, "zh")
    assert people == {"li.ming": "li.ming（大厅管理员）", "staff-1001": "王*华（工号1001）"}  # no read-only people
    trail = [{"step": "opened", "at": NOW - 600, "by": "controller", "level": "yellow"},
             {"step": "assigned", "at": NOW - 500, "by": "admin-T1/zhao.min", "to": "staff-1001"},
             {"step": "duban", "at": NOW - 400, "by": "admin-T1/zhao.min", "deadline": NOW - 60, "note": "今天办结"},
             {"step": "overdue", "at": NOW - 50, "by": "controller", "deadline": NOW - 60}]
    found = [alert(1, "yellow", NOW - 600, assigned_to="staff-1001", duban_deadline=NOW - 60, overdue=True,
                   trail=trail)]
    [card] = alerts_board(hall, found, "zh", can_ack=True, people=people)["alerts"]
    assert card["assigned"] == "承办人：王*华（工号1001）" and card["overdue"] == "督办超期"
    assert card["duban"] == "督办期限：" + hall.hall_time(NOW - 60).strftime("%Y-%m-%d %H:%M")
    assert [(line["what"], line["by"]) for line in card["trail"]] == [
        ("产生告警", "系统"), ("指派", "zhao.min"), ("督办", "zhao.min"), ("督办超期", "系统")]
    assert card["trail"][0]["said"] == "黄牌" and card["trail"][1]["said"] == "承办人 王*华（工号1001）"
    assert card["trail"][2]["said"].endswith("今天办结") and card["trail"][2]["said"].startswith("期限 ")
    trail[2]["note"] = "by tonight"  # what people wrote stays as written; the rest is in English
    english = alerts_board(hall, found, "en", can_ack=True,
                           people=people_choices(accounts, {"1001": {"name": "Li Wei"}}, "en"))
    assert not CJK.search(repr(english)) and english["alerts"][0]["overdue"] == "Overdue"


def test_a_live_page_lasts_as_long_as_its_session_and_closes_at_logout(tmp_path, monkeypatch):
    import asyncio
    from types import SimpleNamespace

    from web import desk as desks
    from web.hub import Hub

    monkeypatch.setattr(desks, "WATCH_S", 0.01)

    async def run():
        site = SimpleNamespace(link=SimpleNamespace(on_change=lambda kind: None), hub=Hub())
        desk = desks.Desk(site, tmp_path / "accounts.json")
        account = desk.accounts.add("li.ming", "director", "a-long-password")
        token = desk.sessions.start("li.ming", "director", "10.0.0.5", desk.clock(), account.created_at)
        stream = site.hub.open(["desk:zh"])
        desk.follow(stream, token)
        await asyncio.sleep(0.05)
        assert not stream.closed  # the session is there: the page stays
        desk.logout(token, "10.0.0.5")
        await asyncio.sleep(0.05)
        assert stream.closed and site.hub.streams == 0
        assert [e["what"] for e in desk.audit.latest()] == ["logout"]
        assert oct(desk.audit.path.stat().st_mode & 0o777) == "0o600"
    asyncio.run(run())


def test_the_case_queue_shows_a_web_report_of_a_thing_not_done_with_its_window_and_the_phone_masked():
    from web.presenters.console_cases import case_queue
    report = {"id": "BC-2026-11-23-001", "kind": "undone", "status": "open", "status_text": {"zh": "待回访"},
              "channel": "web", "deadline_at": NOW + 5 * 86400, "working_days_left": 5, "overdue": False,
              "item": "C01", "window": 5, "text": "系统查不到我的房", "phone": "139****2468", "reachable": True,
              "next": ["visited", "closed"], "reasons": []}
    page = case_queue(demo_hall(), [report], "zh", can_change=True, satisfaction=None, questions={})
    [row] = page["cases"]
    assert row["kind"] == "办不成事" and "5号窗口" in row["about"] and "系统查不到我的房" in row["about"]
    assert "139****2468" in row["contact"] and [s["status"] for s in row["steps"]] == ["visited"]
    assert "undone" in [k["value"] for k in page["new"]["kinds"]]


def test_a_case_is_given_to_a_person_of_the_alerts_list_and_named_as_the_board_names_them():
    from web.accounts import Account
    from web.presenters.console_cases import case_queue
    from web.presenters.console_people import people_choices

    hall = demo_hall()
    accounts = [Account("li.ming", "director", "x"), Account("qian.jun", "social_supervisor", "x")]
    people = people_choices(accounts, {"1001": {"name": "王丽华"}}, "zh")
    complaint = {"id": "TS-2026-11-23-001", "kind": "complaint", "status": "open",
                 "status_text": {"zh": "待回访", "en": "Awaiting a call"}, "deadline_at": NOW + 86400, "working_days_left": 1, "overdue": False, "text": "等太久",
                 "phone": None, "reachable": False, "next": ["visited", "closed"], "reasons": [],
                 "assignee": "staff-1001"}
    by_cli = {**complaint, "id": "TS-2026-11-23-002", "assignee": "wang.old"}  # a name the CLI wrote
    page = case_queue(hall, [complaint, by_cli], "zh", can_change=True, satisfaction=None, questions={},
                      people=people)
    board = alerts_board(hall, [alert(1, "yellow", NOW - 60, assigned_to="staff-1001")], "zh", can_ack=True,
                         people=people)
    assert [row["assigned"] for row in page["cases"]] == ["承办人：王*华（工号1001）", "承办人：wang.old"]
    assert page["cases"][0]["assigned"] == board["alerts"][0]["assigned"]
    assert page["people"] == board["people"] == [{"value": "li.ming", "label": "li.ming（大厅管理员）"},
                                                 {"value": "staff-1001", "label": "王*华（工号1001）"}]
    assert (page["assign_to"], page["assign"]) == (board["assign_to"], board["assign"]) == ("指派给", "指派")
    english = case_queue(hall, [complaint], "en", can_change=True, satisfaction=None, questions={},
                         people=people_choices(accounts, {"1001": {"name": "Li Wei"}}, "en"))
    assert english["cases"][0]["assigned"] == "Assigned to L****i (staff 1001)"
    assert not CJK.search(repr((english["people"], english["assign_to"], english["assign"])))


def test_the_day_desk_lists_bookings_by_slot_masked_and_the_blacklist_in_the_halls_clock():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from web.presenters.console_appointments import day_desk

    hall = demo_hall()
    tz = ZoneInfo(hall.timezone)
    start = datetime(2026, 12, 3, 9, 30, tzinfo=tz).timestamp()
    result = {"day": "2026-12-03", "appointments": [
        {"code": "YYJFUX6C7X", "item": None, "category": "social", "slot_start": start, "slot_end": start + 1800,
         "status": "checked_in", "channel": "phone", "applicant": "张*丰", "phone": "139****0077",
         "ticket_id": "2026-12-03-B004"}],
        "blacklist": [{"person": "b" * 64, "since": start, "until": start + 86400 * 365, "phone": "137****0000",
                       "no_shows": ["YYA", "YYB", "YYC"]}]}
    desk = day_desk(hall, result, "zh", can_change=True, day="2026-12-03")
    [row] = desk["rows"]
    assert (row["time"], row["status"], row["channel"], row["ticket"]) == ("09:30-10:00", "已签到", "电话", "B004")
    assert row["phone"] == "139****0077" and row["applicant"] == "张*丰" and desk["heading"] == "2026-12-03 的预约"
    [bar] = desk["bars"]
    assert (bar["since"], bar["until"], bar["missed"]) == ("2026-12-03", "2027-12-03", 3)
    english = day_desk(hall, {**result, "appointments": []}, "en", can_change=False, day="2026-12-03")
    assert not CJK.search(repr(english)) and english["empty"] == "No booking that day"

"""我的窗口's page model (web/presenters/console_team.py): a window lead sees the staff of their windows
only, masked, with where each is signed in now; the form offers only the lead's windows and keeps
the others; the live view is the hall's with the lead's windows and queues only; in English no
Chinese but the names. Pure: a mirror fed the controller's retained state."""
from __future__ import annotations

import re

from tests.support.console import NOW, T, demo_hall
from tests.support.kiosk_fakes import current_ticket, window_payload
from web.presenters.console_team import new_windows, parse_argument, scope_argument, team_now, team_page

CJK = re.compile(r"[\u3400-\u9fff]")
STAFF = {"1001": {"name": "王丽华", "windows": [1, 2, 12], "pin_hash": "pbkdf2_sha256$1$aa$" + "0" * 64},
         "1003": {"name": "刘晓燕", "windows": [3, 4, 10], "pin_hash": "pbkdf2_sha256$1$bb$" + "0" * 64},
         "1007": {"name": "周雅琴", "windows": [3, 4, 9], "pin_hash": "pbkdf2_sha256$1$cc$" + "0" * 64},
         "1009": {"name": "任意人", "windows": [], "pin_hash": "pbkdf2_sha256$1$dd$" + "0" * 64}}
LEAD = frozenset({3, 4})


def test_a_lead_sees_only_the_staff_of_their_windows_masked_and_where_each_is_signed_in():
    hall = demo_hall()
    hall.apply(T.state_window(4), window_payload(4, "serving", current_ticket("B007"), staff="周*琴", staff_id="1007"))
    view = team_page(hall, STAFF, LEAD, "zh")
    assert [row["id"] for row in view["rows"]] == ["1003", "1007"]  # not 1001 (windows 1, 2, 12), not 1009 (any)
    rows = {row["id"]: row for row in view["rows"]}
    assert rows["1007"]["name"] == "周*琴" and rows["1007"]["at"] == "4号窗口" and rows["1007"]["status"] == "办理中"
    assert rows["1003"]["at"] == "未登录" and rows["1003"]["status"] == "" and rows["1003"]["state"] == "out"
    assert "刘晓燕" not in repr(view) and "pbkdf2" not in repr(view)
    assert view["scope"] == "您负责的窗口：3号窗口、4号窗口" and view["form"] is None


def test_the_form_offers_only_the_leads_windows_and_keeps_the_others():
    hall = demo_hall()
    form = team_page(hall, STAFF, LEAD, "zh", chosen="1003")["form"]
    assert [(c["number"], c["checked"]) for c in form["choices"]] == [(3, True), (4, True)]
    assert form["kept"] == "另可登录（其他负责人的窗口，保持不变）：10号窗口"
    assert team_page(hall, STAFF, LEAD, "zh", chosen="1001")["form"] is None  # another lead's: no form
    assert new_windows([3, 4, 10], {4}, LEAD) == [4, 10]
    assert new_windows([3, 4, 10], {4, 7}, LEAD) == [4, 10]  # a window outside the scope is never added
    assert new_windows([3], set(), LEAD) == []  # none left: the handler refuses it (none is every window)


def test_the_live_view_is_the_halls_with_the_leads_windows_and_queues_only():
    hall = demo_hall()
    hall.apply(T.state_window(3), window_payload(3, "serving", current_ticket("B007")))
    now = team_now(hall, {"hall": {"issued": 9}, "windows": {"3": {"served": 4}}}, NOW, "zh", True, LEAD)
    assert [row["number"] for row in now["windows"]] == [3, 4]
    assert now["windows"][0]["ticket"] == "B007" and now["windows"][0]["served"] == "4"
    assert now["figures"] is None  # the hall's figures are not the lead's
    assert {q["code"] for q in now["queues"]} == {"social", "fund"}  # 3 serves social now, 4 (no state) its config
    assert parse_argument(scope_argument("en", LEAD)) == ("en", LEAD)
    for forged in ("zh-", "de-3", "zh-3;4", "zh-0", "zh-3.4000"):
        assert parse_argument(forged) is None


def test_in_english_the_page_has_no_chinese_but_the_names_it_is_given():
    hall = demo_hall()
    hall.apply(T.state_window(3), window_payload(3, "open", staff="Liu*n"))
    staff = {sid: {**p, "name": "Liu Xiaoyan"} for sid, p in STAFF.items()}
    view = team_page(hall, staff, LEAD, "en", chosen="1003")
    now = team_now(hall, None, None, "en", True, LEAD)
    for part in (view, now):
        assert not CJK.search(repr(part)), part

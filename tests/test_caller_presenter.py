"""The caller's logic without Kivy: which buttons are enabled when, what the staff read.

The presenter is fed the same retained state and replies the controller sends, as
plain dicts, with the topics of contract v1.
"""
from __future__ import annotations

import pytest

from caller.entry import BACKSPACE, CLEAR, LoginEntry, NumberEntry
from caller.presenter import ACTIONS, BY_KEY, CallerPresenter
from contract.hall import HallMirror
from contract.topics import Topics
from tests.support.kiosk_fakes import FakeLink

T = Topics("demo")
NOW = 1_800_000_000.0
CONFIG = {"version": 3, "config": {
    "name": {"zh": "示范市政务服务中心", "en": "Demo"}, "timezone": "Asia/Shanghai",
    "categories": {"general": {"name": {"zh": "综合受理", "en": "General"}, "prefix": "A"},
                   "social": {"name": {"zh": "社保医保", "en": "Social"}, "prefix": "B"},
                   "tax": {"name": {"zh": "税务", "en": "Tax"}, "prefix": "E"},
                   "fund": {"name": {"zh": "公积金", "en": "Fund"}, "prefix": "F"}},
    "windows": {"3": {"name": {"zh": "3号窗口", "en": "Window 3"}, "primary": ["social"], "secondary": ["general"]},
                "4": {"name": {"zh": "4号窗口", "en": "Window 4"}, "primary": ["social"]},
                "5": {"name": {"zh": "5号窗口", "en": "Window 5"}, "primary": ["tax"]}}}}


def window(status="open", current=None, number=3, **extra):
    staffed = status != "closed"
    return {"window": number, "name": {"zh": f"{number}号窗口", "en": f"Window {number}"}, "status": status,
            "staff": "刘*燕" if staffed else "", "staff_id": "1003" if staffed else None,
            "categories": ["social"], "secondary": ["general"], "current": current,
            "pause_reason": "会议 Meeting" if status == "paused" else None, "tidal": False, "green_channel": False,
            "at": NOW, **extra}


def held(number, category, status="held"):
    return {"ticket_id": f"2026-11-23-{number}", "number": number, "category": category, "status": status}


def ticket(status="called", number="B001", times=1, called_at=NOW - 65, started_at=None):
    return {"id": f"2026-11-23-{number}", "number": number, "category": "social", "status": status,
            "called_at": called_at, "started_at": started_at, "times_called": times}


def queues(social=3, general=0, tax=0):
    def entry(code, prefix, zh, waiting, nxt):
        return {"code": code, "prefix": prefix, "name": {"zh": zh, "en": code}, "waiting": waiting,
                "priority_waiting": 0, "est_wait_s": waiting * 420, "open_windows": [3], "next": nxt[:waiting]}
    return {"at": NOW, "day": "2026-11-23", "categories": [
        entry("general", "A", "综合受理", general, ["A004", "A005"]),
        entry("social", "B", "社保医保", social, ["B002", "B003", "B004", "B005"]),
        entry("tax", "E", "税务", tax, ["E001"]), entry("fund", "F", "公积金", 0, [])]}


def presenter(state=None, waiting=3, online=True, clock=lambda: NOW) -> CallerPresenter:
    p = CallerPresenter(3, HallMirror(T, clock=clock), FakeLink())
    p.on_message(T.state_config(), CONFIG)
    p.on_message(T.state_queues(), queues(social=waiting))
    if state is not None:
        p.on_message(T.state_window(3), state)
    p.set_online(online)
    return p


def enabled(p) -> set[str]:
    return {b["action"] for b in p.buttons() if b["enabled"]}


CALLING = {"recall", "no_show", "start", "hold", "finish", "transfer", "invite_rating", "application_link"}

ENABLED_WHEN = [
    ("offline", dict(state=window(), online=False), set()),
    ("logged out", dict(state=window("closed")), set()),
    ("idle, people waiting", dict(state=window()),
     {"call_next", "call_specific", "call_back", "pause", "logout"}),
    ("idle, nobody waiting", dict(state=window(), waiting=0), {"call_back", "pause", "logout"}),
    ("calling", dict(state=window("serving", ticket())), {"call_next", "call_specific", "call_back"} | CALLING),
    ("serving", dict(state=window("serving", ticket("serving", started_at=NOW - 30))),
     {"call_next", "call_specific", "call_back", "hold", "finish", "transfer", "invite_rating", "application_link"}),
    ("paused", dict(state=window("paused")), {"resume", "logout"}),
]


@pytest.mark.parametrize("case,kwargs,expected", ENABLED_WHEN, ids=[c[0] for c in ENABLED_WHEN])
def test_buttons_enabled_by_the_windows_state(case, kwargs, expected):
    assert enabled(presenter(**kwargs)) == expected


def test_every_action_of_the_contract_has_a_button_and_a_shortcut():
    from contract.messages import ACTIONS as CONTRACT

    window_actions = {a for a, (role, _) in CONTRACT.items() if role == "window"} - {"login", "window_stats"}
    assert {a.name for a in ACTIONS} == window_actions
    assert BY_KEY["F1"] == "call_next" and BY_KEY["F2"] == "recall" and BY_KEY["F8"] == "finish"
    assert len({a.key for a in ACTIONS}) == len(ACTIONS)


def test_a_command_in_flight_disables_everything_until_its_reply():
    p = presenter(window())
    assert p.command("call_next") == ("call_next", {})
    assert enabled(p) == set()
    assert p.command("call_next") is None  # a double tap sends nothing
    assert p.link.actions() == ["call_next"]
    p.link.last("call_next").ok({"ticket": ticket()})
    assert "call_next" in enabled(p)
    assert p.message == {"kind": "info", "zh": "已呼叫 B001", "en": "Called B001"}


def test_a_refusal_shows_the_controllers_reason_in_both_languages():
    p = presenter(window("serving", ticket()))
    p.command("recall")
    p.link.last("recall").error("invalid_state", "当前没有正在呼叫或办理的号码", "no ticket at this window")
    assert p.message["kind"] == "error"
    assert p.message["zh"] == "重呼失败：当前没有正在呼叫或办理的号码"
    assert p.message["en"] == "Recall failed: no ticket at this window"


def test_a_late_answer_is_said_its_button_asks_again_with_the_same_id_and_it_can_be_given_up():
    p = presenter(window("serving", ticket()))
    p.command("call_next")
    first = p.link.last("call_next")
    p.link.overdue()
    assert p.message["zh"] == "呼叫下一位：系统响应较慢，仍在等待结果（可再按一次，或放弃）" and p.can_give_up
    assert enabled(p) == {"call_next"}  # its own button only: nothing else can be pressed meanwhile
    p.command("call_next")
    assert [s.id for s in p.link.sent] == [first.id, first.id, first.id]  # the timeout's re-send, the press
    first.ok({"ticket": ticket(number="B002")})
    assert p.message == {"kind": "info", "zh": "已呼叫 B002（回复较迟）", "en": "Called B002 (late answer)"}
    p.command("call_next")
    p.link.overdue()
    p.give_up()
    assert p.busy is None and p.message["code"] == "given_up" and "call_next" in enabled(p)
    p.link.last("call_next").ok({"ticket": ticket(number="B003")})  # after giving up: dropped
    assert p.message["code"] == "given_up"


def test_no_broker_is_said_plainly():
    p = presenter(window())
    p.link.controller_online = False
    p.command("call_next")
    assert p.message["zh"] == "呼叫下一位失败：系统连接中断，请稍后再试" and p.link.sent == []
    p.link.controller_online = True
    p.set_online(True)
    assert p.message is None  # cleared once the controller is back


def test_login_needs_both_fields_and_the_pin_is_sent_not_kept():
    p = presenter(window("closed"))
    assert p.login("1003", "") is None
    assert p.message["zh"] == "请输入工号和密码"
    assert p.login(" 1003 ", "1234") == ("login", {"staff_id": "1003", "pin": "1234"})


@pytest.mark.parametrize("typed,sent", [("B5", "B005"), ("b12", "B012"), ("A001", "A001"), ("5", None),
                                        ("AB1", None), ("A1234", None), ("", None)])
def test_numbers_are_normalized_before_they_are_sent(typed, sent):
    p = presenter(window())
    result = p.command("call_specific", number=typed)
    assert (result[1]["number"] if result else None) == sent


def test_transfer_targets_leave_out_its_own_category_and_closed_windows():
    p = presenter(window("serving", ticket()))
    p.on_message(T.state_window(4), window(number=4))
    p.on_message(T.state_window(5), window("closed", number=5))
    targets = p.transfer_targets()
    assert [c["code"] for c in targets["categories"]] == ["general", "tax", "fund"]
    assert [(w["window"], w["enabled"]) for w in targets["windows"]] == [(4, True), (5, False)]
    assert p.command("transfer") is None  # neither a category nor a window
    assert p.command("transfer", to_window=4) == ("transfer", {"to_window": 4})


def test_the_ticket_shows_its_status_and_a_timer_on_the_controllers_clock():
    p = presenter(window("serving", ticket(times=2)))
    shown = p.ticket()
    assert (shown["number"], shown["status_zh"], shown["timer"]) == ("B001", "呼叫中 · 第2次", "1:05")
    # the controller's clock runs 100 s ahead of ours (the demo's fast clock, a box without NTP)
    p.on_message(T.event("called"), {"number": "B001", "window": 3, "at": NOW + 100})
    p.on_message(T.state_window(3), window("serving", ticket("serving", started_at=NOW + 100 - 754)))
    assert p.ticket()["status_zh"] == "办理中" and p.ticket()["timer"] == "12:34"


def test_queue_lines_next_numbers_and_a_summary_of_the_rest():
    p = presenter(window())
    view = p.queue_view()
    assert [(line["zh"], line["waiting"], line["next"]) for line in view["lines"]] == [
        ("社保医保", 3, ["B002", "B003", "B004"]), ("综合受理", 0, [])]
    assert view["others"] is None
    assert p.number_suggestions("call_specific") == ["B002", "B003", "B004"]
    big = presenter(window(secondary=["general", "tax", "fund"]))
    assert len(big.queue_view()["lines"]) == 2
    assert big.queue_view()["others"]["zh"] == "另有2项协办业务，等候0人"


def test_held_and_no_show_tickets_are_offered_for_call_back_until_called_again():
    p = presenter(window(held=[held("A003", "general", "no_show")]))
    p.on_message(T.state_window(4), window(number=4, held=[held("B007", "social")]))
    assert p.number_suggestions("call_back") == ["A003", "B007"]
    p.on_message(T.state_window(4), window("serving", ticket(number="B007"), number=4))  # called back at 4
    assert p.number_suggestions("call_back") == ["A003"]


def test_only_alerts_about_this_window_are_kept():
    p = presenter(window())
    p.on_message(T.event("alert"), {"kind": "bad_rating", "level": "yellow", "window": 4, "at": NOW,
                                     "text": {"zh": "4号窗口差评", "en": "window 4"}})
    p.on_message(T.event("alert"), {"kind": "long_service", "level": "red", "window": 3, "at": NOW,
                                     "text": {"zh": "3号窗口办理超时", "en": "window 3 over time"}})
    assert p.alert_lines() == [{"level": "red", "zh": "3号窗口办理超时", "en": "window 3 over time"}]


def test_a_notice_waiting_for_paper_shows_at_the_window_until_it_is_printed():
    """The controller's alert of a window notice (controller/notices.py), as it sends it, shown in the
    caller's box and dropped once the notice is printed."""
    from controller import notices

    row = {"id": "notice-2026-11-23-B007", "ticket_id": "2026-11-23-B007", "number": "B007", "window": 3,
           "printer": "bridge-W1/printer", "outcome": "refused", "blocks": "[]", "created_at": NOW, "attempts": 0,
           "printed_at": None, "last_error": None, "paper": None}
    waiting, event = notices.not_printed(row, "paper_out", "paper_out", NOW, tried=True)
    p = presenter(window())
    p.on_message(T.event("alert"), notices.alert(event))
    assert p.alert_lines() == [{"level": "red", "zh": "B007号的不予受理通知书未打印：打印机缺纸，补纸后自动打印",
                                "en": "The notice of refusal of B007 is not printed: the printer is out of paper; "
                                      "it prints once paper is in"}]
    _, printed = notices.printed(waiting, "ok", NOW + 60)
    p.on_message(T.event("alert"), notices.alert(printed))
    assert p.alert_lines() == []


def test_todays_figures_come_from_window_stats_when_they_change():
    p = presenter(window())
    p.tick()
    assert p.link.actions() == ["window_stats"] and not p.take_stats_request()
    assert p.stats_line()["zh"] == "今日办结 --"
    p.link.last("window_stats").ok({"day": "2026-11-23", "served": 12, "avg_service_s": 272.4})
    assert p.stats_line() == {"zh": "今日办结 12 件 · 平均办理 4:32", "en": "Today: 12 served · average 4:32"}
    p.on_message(T.event("ticket"), {"kind": "finished", "number": "B001", "window": 3, "category": "social"})
    assert p.take_stats_request()
    assert not p.enabled("invite_rating")
    p.on_message(T.state_window(3), window(last_served={"ticket_id": "2026-11-23-B001", "number": "B001",
                                                         "category": "social", "finished_at": NOW}))
    assert p.enabled("invite_rating")  # the last one served can still be invited to rate (after a restart too)


def test_number_entry_follows_the_keypad():
    entry = NumberEntry()
    for key in ("B", "0", "9", "9", "9"):
        entry.press(key)
    assert entry.text == "B099" and entry.value == "B099"
    entry.press(BACKSPACE)
    assert entry.value == "B009"
    entry.press("7")  # a digit without a letter does nothing after a clear
    entry.press(CLEAR)
    entry.press("7")
    assert entry.text == "" and entry.value is None
    entry.press("a")
    assert entry.text == "A"


def test_login_entry_types_into_the_chosen_field():
    entry = LoginEntry()
    for key in "1003":
        entry.press(key)
    entry.next_field()
    for key in "1234":
        entry.press(key)
    assert (entry.staff_id, entry.pin, entry.pin_shown) == ("1003", "1234", "●●●●")
    entry.press(BACKSPACE)
    assert entry.pin == "123"


def test_call_next_is_off_with_its_reason_when_nobody_waits_for_this_window():
    p = presenter(window(), waiting=0)
    p.on_message(T.state_queues(), queues(social=0, tax=2))  # people wait, but for window 5's 税务
    assert not p.enabled("call_next") and p.enabled("call_specific")
    assert p.why_disabled("call_next") == {"zh": "本窗口暂无等候", "en": "Nobody waiting here"}
    p.explain("call_next")  # F1 anyway: the message line says why
    assert p.message["zh"] == "呼叫下一位：本窗口暂无等候" and p.message["en"] == "Call next: Nobody waiting here"
    p.on_message(T.state_window(3), window(sent=1))  # a ticket of 税务 transferred to this very window
    assert p.enabled("call_next") and p.why_disabled("call_next") is None
    p.on_message(T.state_window(3), window("paused"))
    assert p.why_disabled("call_next") is None  # paused says so itself


def test_no_show_asks_first():
    p = presenter(window("serving", ticket()))
    from caller.presenter import BY_NAME
    assert BY_NAME["no_show"].dialog == "confirm"
    assert p.confirm_text("no_show")["zh"] == "确认 B001 弃号？"


def test_the_windows_held_tickets_are_listed_from_its_state():
    p = presenter(window(held=[held("B003", "social"), held("A002", "general", "no_show")]))
    assert p.held_line()["zh"] == "本窗口挂起/过号 2 个：B003 A002(过号)"
    assert p.held_line()["en"] == "Set aside here (2): B003 A002(no-show)"
    many = presenter(window(held=[held(f"B0{n:02d}", "social") for n in range(10, 17)]))
    assert many.held_line()["zh"].endswith("B014 等") and many.held_line()["en"].endswith("+2")
    assert presenter(window()).held_line() is None


def test_a_bad_rating_alert_goes_when_its_follow_up_is_closed_and_the_box_keeps_its_size():
    p = presenter(window())
    bad = {"kind": "bad_rating", "level": "yellow", "window": 3, "number": "B001", "followup_id": "FU-1",
           "text": {"zh": "B001号对3号窗口差评（1分），请按期回访", "en": "Poor rating"}, "at": NOW}
    p.on_message(T.event("alert"), bad)
    assert [a["zh"] for a in p.alert_lines()] == ["B001号对3号窗口差评（1分），请按期回访"]
    for n in range(3):
        p.on_message(T.event("alert"), {"kind": "long_service", "change": "opened", "id": n + 1, "status": "open",
                                         "level": "red", "window": 3, "text": {"zh": f"超时{n}", "en": "late"},
                                         "at": NOW + n})
    assert [a["zh"] for a in p.alert_lines()] == ["超时2", "超时1", "另有2条提醒"]
    p.on_message(T.event("alert"), {**bad, "status": "closed", "at": NOW + 99})
    p.on_message(T.event("alert"), {"kind": "long_service", "change": "closed", "id": 1, "status": "closed",
                                     "level": "red", "window": 3, "text": {"zh": "超时0", "en": "late"}, "at": NOW})
    assert [a["zh"] for a in p.alert_lines()] == ["超时2", "超时1"]


@pytest.mark.parametrize("fields, sent", [
    ({}, {"outcome": "accepted"}),
    ({"outcome": "on_the_spot"}, {"outcome": "on_the_spot"}),
    ({"outcome": "supplement", "materials": ["户口簿"]}, {"outcome": "supplement", "materials": ["户口簿"]}),
    ({"outcome": "refused", "reasons": ["申请人不符合申请条件"]}, {"outcome": "refused", "reasons": ["申请人不符合申请条件"]}),
    ({"outcome": "supplement"}, None),      # which materials? asked, not sent
    ({"outcome": "refused", "reasons": []}, None),
    ({"outcome": "approved"}, None),
])
def test_finish_sends_its_outcome(fields, sent):
    p = presenter(window("serving", ticket("serving", started_at=NOW - 30)))
    out = p.command("finish", **fields)
    assert (out[1] if out else None) == sent
    assert [s.fields for s in p.link.sent] == ([sent] if sent else [])
    if sent is None and fields.get("outcome") in ("supplement", "refused"):
        assert p.message["kind"] == "error" and p.message["en"]


def test_the_outcome_choices_and_what_a_supplement_may_name():
    p = presenter(window("serving", ticket("serving", started_at=NOW - 30)))
    assert [(c["outcome"], c["zh"], c["needs"]) for c in p.outcomes()] == [
        ("accepted", "受理", None), ("on_the_spot", "即办", None), ("consultation", "咨询", None),
        ("supplement", "补正", "materials"), ("refused", "不予受理", "reasons")]
    assert all(c["en"] for c in p.outcomes()) and all(r["en"] for r in p.refusal_reasons())
    assert [m["zh"] for m in p.missing_materials()] == ["申请材料不齐全"]  # no item of social in this config
    items = {"retire": {"name": {"zh": "退休", "en": "Retirement"}, "category": "social", "guide": {"materials": [
        {"name": {"zh": "身份证", "en": "ID card"}}, {"name": {"zh": "户口簿", "en": "Household register"}}]}},
        "other": {"name": {"zh": "x", "en": "x"}, "category": "tax", "guide": {"materials": [
            {"name": {"zh": "税务登记证", "en": "Tax certificate"}}]}},
        "again": {"name": {"zh": "y", "en": "y"}, "category": "social", "guide": {"materials": [
            {"name": {"zh": "身份证", "en": "ID card"}}]}}}
    p.on_message(T.state_config(), {"version": 4, "config": {**CONFIG["config"], "items": items}})
    assert [(m["zh"], m["en"]) for m in p.missing_materials()] == [("身份证", "ID card"), ("户口簿", "Household register")]


def test_a_window_links_the_application_number_to_its_ticket_and_is_told_the_due_date():
    p = presenter(window("serving", ticket("serving", started_at=NOW - 30)))
    assert p.command("application_link", application_no="sq") is None and p.message["kind"] == "error"
    assert p.link.sent == []
    assert p.command("application_link", application_no=" sq-2026-0001 ") == (
        "application_link", {"application_no": "SQ-2026-0001"})
    due = p.hall.hall_time(NOW).replace(hour=23, minute=59, second=59).timestamp()
    p.link.sent[-1].ok({"application": {"application_no": "SQ-2026-0001", "due_at": due}})
    day = p.hall.hall_time(NOW).strftime("%Y-%m-%d")
    assert (p.message["zh"], p.message["en"]) == (f"已关联办件 SQ-2026-0001，承诺{day}前办结",
                                                  f"Linked application SQ-2026-0001, due by {day}")


def test_a_finish_reply_names_its_outcome():
    p = presenter(window("serving", ticket("serving", started_at=NOW - 30)))
    p.command("finish", outcome="consultation")
    p.link.sent[-1].ok({"ticket": {"number": "B001"}, "outcome": {"outcome": "consultation"}})
    assert (p.message["zh"], p.message["en"]) == ("已办结 B001 · 咨询", "Finished B001 · Consultation only")


def test_a_finish_that_prints_its_notice_says_so():
    p = presenter(window("serving", ticket("serving", started_at=NOW - 30)))
    p.command("finish", outcome="refused", reasons=["超过法定申请期限"])
    p.link.sent[-1].ok({"ticket": {"number": "B001"}, "outcome": {"outcome": "refused", "reasons": ["超过法定申请期限"]},
                        "notice": {"id": "notice-2026-11-23-B001", "printer": "bridge-W1/printer"}})
    assert (p.message["zh"], p.message["en"]) == ("已办结 B001 · 不予受理 · 告知书打印中", "Finished B001 · Refused · notice printing")

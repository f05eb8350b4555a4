"""The kiosk's screens as logic, without Kivy: what each screen shows and what each touch sends.

The hall is the demo config as the controller publishes it; the link, the
printer port and the clock are the only stand-ins (tests/support/kiosk_fakes.py).
"""
from __future__ import annotations

import pytest

from contract.errors import ERROR_CODES
from contract.privacy import hash_id_number
from kiosk import words
from kiosk.presenters import kiosk as k
from kiosk.presenters.evaluator import Evaluator
from kiosk.presenters.kiosk import Kiosk
from contract.search import initials
from tests.support.kiosk_fakes import (
    FakeClock,
    FakeLink,
    FakePrinter,
    current_ticket,
    demo_config_payload,
    queues_payload,
    ticket_result,
    window_payload,
)


@pytest.fixture
def link():
    return FakeLink()


@pytest.fixture
def clock():
    return FakeClock()


SALT = b"hall-salt-0123456789"  # at least 16 bytes, as the hall's id-salt file


def make_kiosk(link, clock, printer=None, online=True) -> Kiosk:
    kiosk = Kiosk(link, printer, clock=clock, id_salt=SALT)
    kiosk.on_config(demo_config_payload())
    kiosk.on_queues(queues_payload(social=3))
    kiosk.set_online(online)
    return kiosk


@pytest.fixture
def kiosk(link, clock):
    return make_kiosk(link, clock)


# --- home, live config, paused ---------------------------------------------------------------------


def test_home_shows_the_halls_categories_in_order_with_their_queues(kiosk):
    tiles = kiosk.home.tiles()
    assert [t.name.zh for t in tiles] == ["综合受理", "社保医保", "不动产登记", "企业开办", "税务", "公积金"]
    social = tiles[1]
    assert social.waiting == ("等候 3 人", "3 waiting") and social.wait == ("约 12 分钟", "about 12 min")
    assert tiles[0].wait == ("暂无窗口办理", "not served now") and tiles[0].takes_tickets  # no window open for it
    kiosk.on_queues(queues_payload(open_windows={"general": [1], "social": [3, 4]}, social=3))
    assert kiosk.home.tiles()[0].wait == ("无需等候", "no wait")
    assert kiosk.home.title == ("示范市政务服务中心", "Demo City Government Service Center")


def test_an_admin_change_of_the_config_shows_without_restart(kiosk):
    payload = demo_config_payload()
    payload["config"]["categories"]["tax"]["name"] = {"zh": "税务服务", "en": "Tax Services"}
    del payload["config"]["categories"]["fund"]
    payload["config"]["items"] = {i: v for i, v in payload["config"]["items"].items() if v["category"] != "fund"}
    kiosk.on_config({**payload, "version": 2})
    names = [t.name.zh for t in kiosk.home.tiles()]
    assert "税务服务" in names and "公积金" not in names
    kiosk.on_queues(queues_payload(tax=5))
    assert kiosk.home.tiles()[4].waiting.zh == "等候 5 人"


def test_paused_until_the_controller_and_the_config_are_there(link, clock):
    kiosk = Kiosk(link, None, clock=clock)
    assert kiosk.screen == k.PAUSED
    kiosk.set_online(True)
    assert kiosk.screen == k.PAUSED  # no config yet: nothing to offer
    kiosk.on_config(demo_config_payload())
    assert kiosk.screen == k.HOME


def test_losing_the_controller_pauses_ticketing_and_it_recovers_by_itself(kiosk, link):
    kiosk.home.choose_category("social")
    assert kiosk.screen == k.GROUP
    kiosk.set_online(False)
    assert kiosk.screen == k.PAUSED
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    assert "issue_ticket" not in link.actions()  # never asks while paused
    kiosk.set_online(True)
    assert kiosk.screen == k.HOME


def test_a_ticket_on_screen_stays_when_the_link_drops(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").ok(ticket_result())
    kiosk.set_online(False)
    assert kiosk.screen == k.TICKET and kiosk.ticket.number == "B007"


def test_untouched_screens_go_home_and_forget_what_was_typed(kiosk, clock):
    kiosk.take.start(category="social")
    kiosk.take.open_phone()
    for digit in "1381234":
        kiosk.take.press(digit)
    clock.advance(Kiosk.IDLE_TIMEOUT_S - 1)
    kiosk.tick()
    assert kiosk.screen == k.PHONE
    clock.advance(2)
    kiosk.tick()
    assert kiosk.screen == k.HOME and kiosk.take.phone.text == "" and kiosk.take.applicant == {}


# --- search --------------------------------------------------------------------------------------------


def test_pinyin_initials_of_item_names():
    assert initials("不动产权证书补换") == "bdcqzsbh"
    assert initials("公积金提取") == "gjjtq"


def test_search_by_pinyin_initials_by_name_and_by_category(kiosk):
    search = kiosk.search
    search.open("ticket")
    for key in "GJJ":
        search.press(key)
    found = [name.zh for _, name, _ in search.results()]
    assert found[0].startswith("公积金") and all("公积金" in n or "缴存" in n or n for n in found)
    assert "公积金提取" in found
    search.clear()
    search.set_text("抵押")
    assert [name.zh for _, name, _ in search.results()] == ["抵押登记", "抵押权注销登记"]
    search.clear()
    search.set_category("tax")
    assert {cat.zh for _, _, cat in search.results()} == {"税务"}
    assert len(search.results()) == 6


def test_a_search_that_finds_nothing_says_so(kiosk):
    kiosk.search.open("guide")
    for key in "XQZ":
        kiosk.search.press(key)
    assert kiosk.search.results() == [] and kiosk.search.hint() == words.NO_MATCH


def test_choosing_an_item_lands_in_its_category(kiosk):
    kiosk.search.open("ticket")
    kiosk.search.set_text("BDCQ")
    item_id = kiosk.search.results()[0][0]
    kiosk.search.choose(item_id)
    assert kiosk.screen == k.GROUP and kiosk.take.category == "estate" and kiosk.take.item == "C03"
    assert kiosk.take.target.zh == "不动产权证书补换（不动产登记）"


# --- taking a ticket -----------------------------------------------------------------------------------


def test_groups_offer_green_only_where_the_category_allows_it(kiosk):
    kiosk.take.start(category="business")
    assert [code for code, _ in kiosk.take.groups()] == ["normal", "priority"]
    kiosk.take.start(category="social")
    assert [code for code, _ in kiosk.take.groups()] == ["normal", "priority", "green"]
    kiosk.take.choose("green")
    assert kiosk.take.confirm_text() == words.GREEN_CONFIRM


def test_priority_asks_for_a_confirmation_before_the_ticket(kiosk, link):
    kiosk.take.start(item="B03")
    kiosk.take.choose("priority")
    assert "工作人员可能核验" in kiosk.take.confirm_text().zh and link.sent == []
    kiosk.take.cancel()
    assert kiosk.take.confirming is None and link.sent == []
    kiosk.take.choose("priority")
    kiosk.take.confirm()
    assert link.last("issue_ticket").fields == {"item": "B03", "group": "priority", "lang": "zh"}


def test_the_number_shown_is_the_controllers_and_a_second_tap_waits(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    kiosk.take.choose("normal")
    assert link.actions() == ["issue_ticket"]
    assert kiosk.screen == k.GROUP  # nothing to show before the reply
    link.last("issue_ticket").ok(ticket_result(number="B007", ahead=2, est_wait_s=840))
    ticket = kiosk.ticket
    assert kiosk.screen == k.TICKET and ticket.number == "B007"
    assert ticket.category == ("社保医保", "Social & Medical Insurance")
    assert ticket.ahead == ("前面还有 2 人", "2 ahead of you") and ticket.wait == ("约 14 分钟", "about 14 min")
    assert ticket.windows == ("办理窗口：3号窗口、4号窗口", "Windows: Window 3, Window 4")
    assert ticket.qr_text == "http://127.0.0.1:8080/t/ABCDEFGHIJKLMNOP"  # web.public_url: its page on the phone
    assert ticket.rating_code == "ABCDEFGHIJKLMNOP"
    assert ticket.message == words.SCREEN_ONLY  # printing is off on this kiosk


def test_the_windows_of_a_ticket_follow_tidal_switches_and_no_wait_is_promised_unserved(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").ok(ticket_result(number="B007", ahead=2, est_wait_s=840))
    kiosk.on_queues(queues_payload(open_windows={"social": [3, 10]}, social=3))  # window 10 switched to social
    assert kiosk.ticket.windows == ("办理窗口：3号窗口、10号窗口", "Windows: Window 3, Window 10")
    kiosk.on_queues(queues_payload(open_windows={}, social=3))  # both went to lunch
    ticket = kiosk.ticket
    assert ticket.wait == words.NOT_SERVED_WAIT and "分钟" not in ticket.slip().wait[0]
    assert ticket.windows == ("办理窗口：暂未开放（通常为 3号窗口、4号窗口）", "Windows: none open now (usually Window 3, Window 4)")


def test_a_category_no_window_serves_may_refuse_tickets_by_config(link, clock):
    payload = demo_config_payload()
    payload["config"]["categories"]["general"]["when_unserved"] = "refuse"
    kiosk = make_kiosk(link, clock)
    kiosk.on_config({**payload, "version": 2})
    general = kiosk.home.tiles()[0]
    assert general.wait == ("暂无窗口办理，暂停取号", "not served now: no tickets") and not general.takes_tickets
    kiosk.home.choose_category("general")
    assert kiosk.screen == k.HOME
    kiosk.take.start(item="A01")  # by an item found in search: the screen offers no ticket
    assert kiosk.take.groups() == [] and "暂无窗口办理" in kiosk.take.queue_line().zh
    kiosk.take.choose("normal")
    assert link.actions() == []
    kiosk.on_queues(queues_payload(open_windows={"general": [1]}))  # a window opens for it
    assert kiosk.home.tiles()[0].takes_tickets and [code for code, _ in kiosk.take.groups()] == ["normal", "priority", "green"]


def test_a_refused_ticket_is_explained_and_no_number_appears(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").error("closed", "今日该业务号源已取完", "today's 400 tickets of social are all issued")
    assert kiosk.screen == k.GROUP
    headline, detail = kiosk.take.error
    assert headline == words.ACTION_ERRORS[("issue_ticket", "closed")] and detail.zh == "今日该业务号源已取完"
    kiosk.take.choose("normal")  # and the citizen may try again
    assert link.actions() == ["issue_ticket", "issue_ticket"]


def test_a_slow_controller_is_said_and_a_second_touch_is_not_a_second_ticket(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    first = link.last("issue_ticket")
    kiosk.take.choose("normal")  # before the timeout: nothing goes out
    assert [s.id for s in link.sent] == [first.id]
    link.overdue()  # the timeout passes: said on screen, and the same id goes out again
    assert kiosk.take.error == (words.STILL_WAITING, words.TICKET_ON_ITS_WAY) and kiosk.screen == k.GROUP
    kiosk.take.choose("normal")  # another touch: still that one request
    link.overdue()
    assert {s.id for s in link.sent} == {first.id} and len(link.sent) == 3
    first.ok(ticket_result(number="B007"))  # the reply comes late: the ticket shows, said to be late
    assert kiosk.screen == k.TICKET and kiosk.ticket.number == "B007"
    assert kiosk.ticket.message.zh.startswith(words.LATE_TICKET.zh) and not kiosk.busy
    first.ok(ticket_result(number="B007"))  # the answer to a re-send changes nothing
    assert kiosk.screen == k.TICKET and link.actions().count("issue_ticket") == 3


def test_going_back_gives_up_a_slow_ticket_and_its_late_reply_is_nobodys(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.overdue()
    first = link.last("issue_ticket")
    kiosk.go(k.HOME)
    assert link.pending("ticket") is None and not kiosk.busy
    first.ok(ticket_result(number="B007"))
    assert kiosk.screen == k.HOME  # not shown to the next person
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")  # a new touch after giving up is a new request
    assert link.last("issue_ticket").id != first.id


def test_a_ticket_on_its_way_survives_the_controller_going_away(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    first = link.last("issue_ticket")
    link.controller_online = False
    kiosk.set_online(False)
    assert kiosk.screen == k.GROUP  # the ticket on its way keeps its screen
    link.overdue()
    assert len(link.sent) == 1  # nothing goes out while it is away
    link.controller_online = True
    link.requests.controller_back()  # the link's watch hears the controller again
    kiosk.set_online(True)
    assert [s.id for s in link.sent] == [first.id, first.id]
    first.ok(ticket_result(number="B009"))
    assert kiosk.screen == k.TICKET and kiosk.ticket.number == "B009"


def test_the_ticket_screen_counts_down_and_goes_home(kiosk, link, clock):
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").ok(ticket_result())
    assert kiosk.ticket.countdown == ("30 秒后返回首页", "Back to home in 30 s")
    clock.advance(29.5)
    kiosk.tick()
    assert kiosk.screen == k.TICKET and kiosk.ticket.countdown.zh == "1 秒后返回首页"
    clock.advance(1)
    kiosk.tick()
    assert kiosk.screen == k.HOME


def test_a_phone_number_is_checked_sent_and_shown_masked(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.open_phone()
    for digit in "12345":
        kiosk.take.press(digit)
    kiosk.take.phone_done()
    assert kiosk.screen == k.PHONE and kiosk.take.phone_error == words.PHONE_BAD
    kiosk.take.phone.clear()
    for digit in "13812345678":
        kiosk.take.press(digit)
    assert kiosk.take.phone_shown == "138 1234 5678"  # in full while typed: a wrong digit is seen
    kiosk.take.phone_done()
    assert kiosk.screen == k.GROUP and kiosk.take.shown_applicant.zh == "已实名 138****5678"
    kiosk.take.choose("normal")
    assert link.last("issue_ticket").fields["applicant"] == {"phone": "13812345678"}


def test_the_id_card_is_offered_only_where_a_reader_is_configured(link, clock):
    kiosk = make_kiosk(link, clock)
    assert "身份证" not in kiosk.take.phone_hint.zh and "ID card" not in kiosk.take.phone_hint.en
    kiosk.has_id_reader = True
    assert kiosk.take.phone_hint == words.REAL_NAME_HINT


def test_a_kiosk_without_the_halls_salt_hashes_no_id_number(link, clock):
    kiosk = Kiosk(link, None, clock=clock)
    kiosk.on_config(demo_config_payload())
    kiosk.take.start(category="social")
    kiosk.take.card_read({"id_number": "11010519491231002X", "name": "张三丰"})
    assert kiosk.take.applicant == {}, "no hash with a salt anyone could know"


def test_an_id_card_gives_only_a_salted_hash_and_a_masked_name(kiosk, link):
    kiosk.take.start(category="social")
    kiosk.take.card_read({"id_number": "11010519491231002X", "name": "张三丰"})
    applicant = kiosk.take.applicant
    assert applicant == {"id_hash": hash_id_number("11010519491231002X", SALT), "name": "张*丰"}
    bridge_hash = "ab" * 32
    kiosk.take.card_read({"id_hash": bridge_hash, "name": "李*", "age": 70})
    assert kiosk.take.applicant["id_hash"] == bridge_hash
    kiosk.take.choose("normal")
    sent = str(link.last("issue_ticket").fields)
    assert "11010519491231002X" not in sent and "张三丰" not in sent


def test_a_card_read_on_another_screen_is_ignored(kiosk):
    kiosk.card = kiosk.take.card_read({"id_hash": "ab" * 32, "name": "李四"})
    assert kiosk.take.applicant == {}


# --- printing ------------------------------------------------------------------------------------------


def test_with_paper_the_ticket_is_asked_for_then_printed(link, clock):
    printer = FakePrinter("ok")
    kiosk = make_kiosk(link, clock, printer)
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").ok(ticket_result(number="B007"))
    assert kiosk.ticket.message == words.TAKE_YOUR_TICKET
    slip = printer.printed[0]
    assert b"\x1c&" in slip and b"B007" in slip and "社保医保".encode("gb18030") in slip and slip.endswith(b"\x1dVB\x03")
    assert link.last("device_status").fields == {"component": "printer", "status": "ok", "detail": "打印机正常"}


def test_paper_out_is_said_before_any_ticket_and_the_screen_is_offered(link, clock):
    printer = FakePrinter("paper_out")
    kiosk = make_kiosk(link, clock, printer)
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    assert kiosk.screen == k.PRINTER and "issue_ticket" not in link.actions()
    assert link.last("device_status").fields["status"] == "paper_out"
    assert kiosk.home.banner().zh == "打印机缺纸，号码将显示在屏幕上"
    kiosk.show_on_screen()
    link.last("issue_ticket").ok(ticket_result(number="B008"))
    assert kiosk.screen == k.TICKET and kiosk.ticket.number == "B008"
    assert kiosk.ticket.message == words.SCREEN_ONLY and printer.printed == []


def test_back_from_the_printer_screen_asks_for_nothing(link, clock):
    kiosk = make_kiosk(link, clock, FakePrinter("offline"))
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    kiosk.printer_back()
    assert kiosk.screen == k.GROUP and "issue_ticket" not in link.actions()


def test_a_slip_that_failed_to_print_is_said_on_screen(link, clock):
    printer = FakePrinter("ok")
    printer.fail_next_print = True
    kiosk = make_kiosk(link, clock, printer)
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").ok(ticket_result())
    assert kiosk.screen == k.TICKET and kiosk.ticket.message == words.NOT_PRINTED
    link.last("device_status").ok({})  # "ok" from before the ticket is heard; the change follows it
    assert link.last("device_status").fields["status"] == "paper_out"


def test_a_printer_that_comes_back_is_used_and_reported_again(link, clock):
    printer = FakePrinter("paper_out")
    kiosk = make_kiosk(link, clock, printer)
    kiosk.tick()
    assert link.last("device_status").fields["status"] == "paper_out"
    link.last("device_status").ok({})
    printer.status = "ok"
    clock.advance(Kiosk.PRINTER_POLL_S)
    kiosk.tick()
    assert link.last("device_status").fields["status"] == "ok" and kiosk.home.banner() is None
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").ok(ticket_result())
    assert len(printer.printed) == 1


def test_paper_running_low_still_prints_and_says_so(link, clock):
    printer = FakePrinter("paper_near_end")
    kiosk = make_kiosk(link, clock, printer)
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    link.last("issue_ticket").ok(ticket_result())
    assert printer.printed and "打印纸即将用完" in kiosk.ticket.message.zh
    assert link.last("device_status").fields["status"] == "paper_near_end"


def test_a_status_the_controller_did_not_hear_is_sent_again_when_it_is_back(link, clock):
    kiosk = make_kiosk(link, clock, FakePrinter("paper_out"), online=False)
    kiosk.tick()
    assert "device_status" not in link.actions()
    kiosk.set_online(True)
    first = link.last("device_status")
    link.controller_online = False  # gone before it answered
    kiosk.set_online(False)
    link.controller_online = True
    link.requests.controller_back()
    kiosk.set_online(True)
    assert [s.id for s in link.sent if s.action == "device_status"] == [first.id, first.id]
    first.ok({})
    assert kiosk.printer_watch.reported == "paper_out"


# --- check-in, guides, progress, hall status -------------------------------------------------------------


def test_check_in_by_appointment_code(kiosk, link):
    kiosk.home.open(k.CHECKIN)
    for key in "AB1":
        kiosk.checkin.press(key)
    kiosk.checkin.submit()
    assert kiosk.checkin.error[0] == words.CODE_BAD and link.sent == []
    kiosk.checkin.press("9")
    kiosk.checkin.submit()
    assert link.last("check_in").fields == {"appointment_code": "AB19", "lang": "zh"}
    link.last("check_in").error("invalid_state", "您的预约时段为 14:00-14:30", "your slot is 14:00-14:30")
    headline, detail = kiosk.checkin.error
    assert headline == words.ACTION_ERRORS[("check_in", "invalid_state")] and "14:00-14:30" in detail.zh
    kiosk.checkin.submit()
    link.last("check_in").ok(ticket_result(number="A031", category="general"))
    assert kiosk.screen == k.TICKET and kiosk.ticket.number == "A031"


def test_a_service_guide_has_every_section(kiosk):
    kiosk.guide.open("C01")
    sections = {title.zh: lines for title, lines in kiosk.guide.sections()}
    assert list(sections) == ["受理条件", "申请材料", "办理流程", "办理时限", "收费标准", "办理窗口", "咨询电话", "设定依据"]
    assert sections["申请材料"][0].zh.startswith("1. 买卖双方居民身份证（原件 1 份）")
    assert sections["办理时限"][0].zh.startswith("法定") and "承诺 5 个工作日" in sections["办理时限"][0].zh
    assert sections["办理窗口"][0] == ("5号窗口、6号窗口", "Window 5, Window 6")
    assert kiosk.guide.can_take and not kiosk.guide.can_print


def test_the_one_time_notice_prints_the_materials(link, clock):
    printer = FakePrinter("ok")
    kiosk = make_kiosk(link, clock, printer)
    kiosk.guide.open("A01")
    kiosk.guide.print_notice()
    slip = printer.printed[0]
    assert "一次性告知单".encode("gb18030") in slip and "居民户口簿".encode("gb18030") in slip
    for heading in ("受理条件", "申请材料", "办理流程", "办理时限", "收费标准", "办理窗口", "咨询电话", "设定依据"):
        assert f"【{heading}】".encode("gb18030") in slip
    assert "1. 1.".encode("gb18030") not in slip
    assert kiosk.guide.message == words.NOTICE_PRINTED


def test_progress_lookup_asks_for_a_second_factor(kiosk, link):
    kiosk.home.open(k.PROGRESS)
    assert kiosk.progress.hint == words.PROGRESS_HINT
    kiosk.progress.submit()
    assert kiosk.progress.error[0] == words.CODE_BAD and link.sent == []
    kiosk.progress.set_text("sq-2026-0001")
    kiosk.progress.submit()
    assert link.sent == [] and kiosk.progress.entry.text == ""  # the number alone is not sent
    assert "SQ-2026-0001" in kiosk.progress.hint.zh and "手机号后四位" in kiosk.progress.hint.zh
    assert "last four digits" in kiosk.progress.hint.en
    for typed in ("567", "ABCDEFG1"):  # three digits; a code with 1 (not in A-Z2-7)
        kiosk.progress.set_text(typed)
        kiosk.progress.submit()
        assert kiosk.progress.error[0] == words.FACTOR_BAD and link.sent == []
    kiosk.progress.set_text("5678")
    kiosk.progress.submit()
    assert link.last("query_progress").fields == {"application_no": "SQ-2026-0001", "phone_last4": "5678"}
    link.last("query_progress").ok({"application": {
        "application_no": "SQ-2026-0001", "item": "C01", "item_name": {"zh": "二手房转移登记", "en": "Resale transfer"},
        "applicant": "张*丰", "status": "reviewing", "status_text": {"zh": "审核中", "en": "Under review"},
        "updated_at": 1795400000.0, "due_at": 1795535999.0, "paused": False, "paused_text": None, "history": [
            {"at": 1795300000.0, "status": "accepted", "status_text": {"zh": "已受理", "en": "Accepted"}, "note": ""},
            {"at": 1795400000.0, "status": "reviewing", "status_text": {"zh": "审核中", "en": "Under review"},
             "note": "材料齐全"}]}})
    lines = {label.zh: value.zh for label, value in kiosk.progress.lines()}
    assert lines["办理事项"] == "二手房转移登记" and lines["申请人"] == "张*丰" and lines["当前状态"] == "审核中"
    assert lines["承诺办结时限"] == "2026-11-24前"
    history = kiosk.progress.history()
    assert "审核中：材料齐全" in history[0].zh and "已受理" in history[1].zh  # newest first
    assert kiosk.progress.hint == words.PROGRESS_HINT and kiosk.progress.entry.text == ""  # the next lookup


def test_progress_by_the_receipts_query_code_and_back_to_the_number(kiosk, link):
    kiosk.progress.set_text("SQ01")
    kiosk.progress.submit()
    kiosk.progress.delete()  # DEL on an empty factor: back to the number, as typed
    assert kiosk.progress.hint == words.PROGRESS_HINT and kiosk.progress.entry.text == "SQ01"
    kiosk.progress.press("2")
    kiosk.progress.submit()
    kiosk.progress.set_text("abcd2345")  # a scanner or keyboard in lower case
    kiosk.progress.submit()
    assert link.last("query_progress").fields == {"application_no": "SQ012", "query_code": "ABCD2345"}


def test_progress_not_found_or_locked_is_explained(kiosk, link):
    kiosk.progress.set_text("SQ404")
    kiosk.progress.submit()
    kiosk.progress.set_text("1234")
    kiosk.progress.submit()
    link.last("query_progress").error("not_found")
    assert kiosk.progress.error[0] == words.ACTION_ERRORS[("query_progress", "not_found")]
    assert "查询码" in kiosk.progress.error[0].zh and "query code" in kiosk.progress.error[0].en
    assert kiosk.progress.result is None
    assert kiosk.progress.hint == words.PROGRESS_HINT and kiosk.progress.entry.text == "SQ404"  # check the number
    kiosk.progress.submit()
    kiosk.progress.set_text("4321")
    kiosk.progress.submit()
    link.last("query_progress").error("locked", "查询错误次数过多，请于10:15后再试",
                                      "too many wrong tries: locked until 10:15")
    headline, detail = kiosk.progress.error
    assert headline == words.ACTION_ERRORS[("query_progress", "locked")] and "10:15" in detail.zh


def test_hall_status_lists_every_category(kiosk):
    rows = kiosk.status.rows()
    assert len(rows) == 6
    social = rows[1]
    assert social[0].zh == "社保医保" and social[1].zh == "等候 3 人" and social[3].zh == "3号窗口、4号窗口"
    assert rows[0][3] == ("暂无窗口开放", "no window open")


# --- ratings -----------------------------------------------------------------------------------------------


def test_the_kiosk_scanner_reads_the_token_out_of_the_tickets_url(kiosk):
    kiosk.home.open(k.RATE_CODE)
    kiosk.rate_code.set_text(kiosk.hall.ticket_url("ABCDEFGHIJKLMNOP"))
    assert kiosk.rate_code.entry.text == "ABCDEFGHIJKLMNOP"


def test_rating_by_the_code_of_a_ticket(kiosk, link, clock):
    kiosk.home.open(k.RATE_CODE)
    kiosk.rate_code.set_text("http://hall/rate?t=abcdefghijklmnop")  # what a scanner types
    assert kiosk.rate_code.entry.text == "ABCDEFGHIJKLMNOP"
    kiosk.rate_code.submit()
    assert kiosk.screen == k.RATE
    kiosk.rating.choose_level(5)
    assert link.last("rate").fields == {"level": 5, "reasons": [], "channel": "qr", "rating_token": "ABCDEFGHIJKLMNOP"}
    link.last("rate").ok({"rating": {"ticket_id": "t", "number": "B007", "level": 5, "bad": False, "followup_id": None}})
    assert kiosk.screen == k.THANKS and kiosk.thanks.text == words.THANKS
    clock.advance(Kiosk.THANKS_TIMEOUT_S)
    kiosk.tick()
    assert kiosk.screen == k.HOME


def test_a_bad_rating_needs_a_reason_and_may_carry_a_comment(kiosk, link):
    kiosk.rating.start(token="ABCDEFGHIJKLMNOP")
    kiosk.go(k.RATE)
    kiosk.rating.choose_level(1)
    assert kiosk.rating.asking_why and link.sent == []
    kiosk.rating.submit()
    assert kiosk.rating.error[0] == words.REASONS_TITLE and link.sent == []
    assert [code for code, _, _ in kiosk.rating.reason_options()] == [
        "attitude", "slow", "unclear", "materials", "environment", "other"]
    kiosk.rating.toggle_reason("slow")
    kiosk.rating.toggle_reason("unclear")
    kiosk.rating.set_comment("  等了很久  " + "长" * 600)
    kiosk.rating.submit()
    fields = link.last("rate").fields
    assert fields["level"] == 1 and fields["reasons"] == ["slow", "unclear"]
    assert len(fields["comment"]) <= 500 and fields["comment"].startswith("等了很久")
    link.last("rate").ok({"rating": {"ticket_id": "t", "number": "B007", "level": 1, "bad": True, "followup_id": "F1",
                                     "contact": True}})
    assert kiosk.thanks.detail == words.THANKS_BAD  # a phone number was left: a call back is promised


def test_chinese_comments_by_touching_phrases_and_a_call_back_only_with_a_contact(kiosk, link):
    kiosk.rating.start(token="ABCDEFGHIJKLMNOP")
    assert kiosk.rating.subject == ("正在评价：评价码 ABCDEFGHIJKLMNOP", "You are rating: rating code ABCDEFGHIJKLMNOP")
    kiosk.rating.choose_level(2)
    kiosk.rating.toggle_reason("slow")
    kiosk.rating.toggle_phrase(0)
    kiosk.rating.toggle_phrase(2)
    kiosk.rating.toggle_phrase(99)  # not a phrase: nothing
    assert kiosk.rating.comment_shown == ("等候时间太长；希望增加办理窗口", "The wait was too long; Please open more windows")
    kiosk.rating.toggle_phrase(0)
    kiosk.rating.submit()
    assert link.last("rate").fields["comment"] == "希望增加办理窗口"
    link.last("rate").ok({"rating": {"ticket_id": "t", "number": "B007", "level": 2, "bad": True, "followup_id": "F1",
                                     "contact": False}})
    assert kiosk.thanks.detail == words.THANKS_BAD_NO_CONTACT and "回访" not in kiosk.thanks.detail.zh
    kiosk.rating.start(token="ABCDEFGHIJKLMNOP")
    kiosk.rating.choose_level(5)
    link.last("rate").ok({"rating": {"ticket_id": "t", "number": "B007", "level": 5, "bad": False,
                                     "followup_id": None, "contact": True}})
    assert kiosk.thanks.detail is None


def test_a_ticket_rated_before_says_so(kiosk, link):
    kiosk.rating.start(token="ABCDEFGHIJKLMNOP")
    kiosk.rating.choose_level(4)
    link.last("rate").error("duplicate")
    assert kiosk.screen == k.THANKS and kiosk.thanks.text == words.ACTION_ERRORS[("rate", "duplicate")]


def test_reasons_come_from_the_config_once_it_has_them(kiosk):
    payload = demo_config_payload()
    payload["config"]["ratings"] = {"reasons": {"queue": {"zh": "排队太久", "en": "Long queue"},
                                                "evaluator": {"zh": "评价器差评", "en": "Evaluator"}}}
    kiosk.on_config(payload)
    kiosk.rating.start(token="ABCDEFGHIJKLMNOP")
    assert [(c, t.zh) for c, t, _ in kiosk.rating.reason_options()] == [("queue", "排队太久")]


@pytest.fixture
def evaluator(link, clock):
    ev = Evaluator(link, 3, clock=clock)
    ev.on_config(demo_config_payload())
    ev.on_window(3, window_payload(3, "serving", current_ticket("B007")))
    ev.set_online(True)
    return ev


def test_the_evaluator_wakes_for_its_window_only(evaluator, link):
    assert evaluator.screen == "idle" and evaluator.staff == ("刘*燕", "1003")
    evaluator.on_rating_event({"kind": "invited", "ticket_id": "2026-11-23-A001", "number": "A001", "window": 4})
    assert evaluator.screen == "idle"
    evaluator.on_rating_event({"kind": "invited", "ticket_id": "2026-11-23-B007", "number": "B007", "window": 3,
                               "staff_id": "1003"})
    assert evaluator.screen == "rate"
    assert evaluator.rating.subject == ("正在评价：B007  社保医保", "You are rating: B007  Social & Medical Insurance")
    assert evaluator.rating.staff == ("工作人员 刘*燕  工号 1003", "Staff 刘*燕  No. 1003")
    evaluator.rating.choose_level(5)
    assert link.last("rate").fields == {"level": 5, "reasons": [], "channel": "evaluator",
                                        "ticket_id": "2026-11-23-B007"}


def test_one_rating_per_ticket_at_the_evaluator(evaluator, link, clock):
    finished = {"kind": "finished", "ticket_id": "2026-11-23-B007", "number": "B007", "category": "social", "window": 3}
    evaluator.on_ticket_event(finished)
    assert evaluator.screen == "rate"
    evaluator.on_rating_event({"kind": "invited", "ticket_id": "2026-11-23-B007", "number": "B007", "window": 3})
    evaluator.rating.choose_level(4)
    link.last("rate").ok({"rating": {"ticket_id": "2026-11-23-B007", "level": 4, "bad": False}})
    assert evaluator.screen == "thanks"
    clock.advance(Evaluator.THANKS_TIMEOUT_S)
    evaluator.tick()
    assert evaluator.screen == "idle"
    evaluator.on_rating_event({"kind": "invited", "ticket_id": "2026-11-23-B007", "number": "B007", "window": 3})
    assert evaluator.screen == "idle" and link.actions() == ["rate"]


def test_a_prompt_closes_when_the_ticket_is_rated_elsewhere_or_left_alone(evaluator, clock):
    evaluator.prompt("2026-11-23-B007", "B007")
    evaluator.on_rating_event({"kind": "rated", "ticket_id": "2026-11-23-B007", "number": "B007", "window": 3,
                               "level": 5, "channel": "qr", "bad": False})
    assert evaluator.screen == "idle"
    evaluator.prompt("2026-11-23-B008", "B008")
    clock.advance(Evaluator.RATE_TIMEOUT_S)
    evaluator.tick()
    assert evaluator.screen == "idle"


def test_the_evaluator_pauses_without_the_controller(evaluator):
    evaluator.set_online(False)
    assert evaluator.screen == "paused"
    evaluator.prompt("2026-11-23-B007", "B007")
    assert evaluator.screen == "paused"
    evaluator.set_online(True)
    assert evaluator.screen == "idle"


# --- words -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(set(ERROR_CODES) | {"offline", "something_new"}))
def test_every_error_code_has_friendly_words_in_both_languages(code):
    for action in ("issue_ticket", "check_in", "rate", "query_progress", "device_status"):
        headline, _ = words.friendly_error(action, {"code": code, "message": "x", "message_zh": "x"})
        assert headline.zh and headline.en and headline.en.lower() != code and code not in headline.zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in headline.zh)


def test_waits_are_said_in_whole_minutes():
    assert words.wait_text(0) == ("无需等候", "no wait")
    assert words.wait_text(20) == ("约 1 分钟", "about 1 min")
    assert words.wait_text(150) == ("约 2 分钟", "about 2 min")


def test_language_and_large_text_switches(kiosk):
    kiosk.toggle_lang()
    kiosk.toggle_elderly()
    assert kiosk.lang == "en" and kiosk.elderly
    kiosk.take.start(category="social")
    kiosk.take.choose("normal")
    assert kiosk.link.last("issue_ticket").fields["lang"] == "en"

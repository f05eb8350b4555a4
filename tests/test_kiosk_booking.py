"""现场预约 at the kiosk as logic, without Kivy: item → day → time → mobile → the code, and what each touch
sends; the demo config as the controller publishes it, the link and the printer stood in for."""
from __future__ import annotations

import pytest

from kiosk import words
from kiosk.presenters import kiosk as k
from kiosk.presenters.booking import DAY, DONE, PHONE, SLOT
from kiosk.presenters.kiosk import Kiosk
from tests.support.kiosk_fakes import FakeClock, FakeLink, FakePrinter, demo_config_payload, queues_payload


def slot(start: int, time: str, left: int, off_hours: bool = False) -> dict:
    return {"start": start, "end": start + 1800, "time": time, "off_hours": off_hours, "capacity": 2, "left": left}


@pytest.fixture
def link():
    return FakeLink()


@pytest.fixture
def printer():
    return FakePrinter()


@pytest.fixture
def kiosk(link, printer):
    kiosk = Kiosk(link, printer, clock=FakeClock(), id_salt=b"hall-salt")
    kiosk.on_config(demo_config_payload())
    kiosk.on_queues(queues_payload())
    kiosk.set_online(True)
    return kiosk


def answer_days(link, booking, by_day):
    """Reply to each day's appointment_slots: `by_day` maps an offset from today to its slots (else none)."""
    asked = [s for s in link.sent if s.action == "appointment_slots"]
    for offset, sent in enumerate(asked):
        sent.ok({"date": sent.fields["date"], "working_day": offset in by_day, "category": "social", "item": "B02",
                 "slots": by_day.get(offset, [])})


def test_the_booking_flow_from_the_home_screen_to_the_printed_code(kiosk, link, printer):
    kiosk.home.book()
    assert kiosk.screen == k.SEARCH and kiosk.search.title == words.BOOK
    kiosk.search.choose("B02")
    booking = kiosk.booking
    assert kiosk.screen == k.BOOK and booking.step == DAY and booking.title.zh == "医保异地就医备案"
    asked = [s.fields for s in link.sent if s.action == "appointment_slots"]
    assert len(asked) == booking.DAYS and asked[0]["item"] == "B02"
    assert all(d.state == words.BOOK_ASKING and not d.open for d in booking.day_choices())
    answer_days(link, booking, {1: [slot(1000, "09:00-09:30", 0), slot(2800, "17:30-18:00", 2, True)],
                                2: [slot(5000, "09:00-09:30", 0)]})
    days = booking.day_choices()
    assert days[0].state == words.BOOK_NONE and not days[0].open            # today: nothing bookable
    assert days[1].open and days[1].state == ("余2", "2 left")
    assert days[2].state == words.BOOK_FULL and not days[2].open            # full: greyed
    booking.choose_day(days[2].date)
    assert booking.step == DAY, "a greyed day does nothing"
    booking.choose_day(days[1].date)
    assert booking.step == SLOT
    slots = booking.slot_choices()
    assert [(s.label.zh, s.open) for s in slots] == [("09:00-09:30", False), ("17:30-18:00", True)]
    assert slots[1].state.zh == "余2 · 非工作时间" and slots[1].state.en == "2 left · Off hours"
    booking.choose_slot(1000)
    assert booking.step == SLOT, "a full slot does nothing"
    booking.choose_slot(2800)
    assert booking.step == PHONE and "17:30-18:00" in booking.chosen().zh
    for key in "1381234":
        booking.press(key)
    booking.submit()
    assert booking.error[0] == words.PHONE_BAD and "book_appointment" not in link.actions()
    for key in "5678":
        booking.press(key)
    assert booking.phone_shown == "138 1234 5678"  # in full while typed, as on the ticket's phone screen
    booking.submit()
    booking.submit()
    sent = link.last("book_appointment")
    assert sent.fields == {"item": "B02", "slot_start": 2800, "channel": "kiosk", "applicant": {"phone": "13812345678"}}
    assert link.actions().count("book_appointment") == 1, "one touch, one booking"
    sent.ok({"appointment": {"code": "YYABCD2345", "category": "social", "item": "B02", "slot_start": 1796376600,
                             "slot_end": 1796378400, "off_hours": True, "materials": []}})
    assert booking.step == DONE and booking.booked["code"] == "YYABCD2345"
    assert booking.done_lines()[1].zh == "2026-12-04 17:30-18:00"
    assert len(printer.printed) == 1
    text = printer.printed[0].decode("gb18030", errors="ignore")
    first_material = kiosk.booking.materials()[0].zh
    assert "YYABCD2345" in text and "请携带" in text and first_material[2:8] in text
    kiosk.go(k.HOME)
    assert booking.booked is None and booking.phone.text == "", "nothing is left for the next person"


def test_a_slot_taken_meanwhile_asks_the_day_again_and_a_barred_person_is_told(kiosk, link):
    kiosk.booking.start("B02")
    answer_days(link, kiosk.booking, {1: [slot(2800, "17:30-18:00", 1, True)]})
    booking = kiosk.booking
    booking.choose_day(booking.day_choices()[1].date)
    booking.choose_slot(2800)
    for key in "13812345678":
        booking.press(key)
    booking.submit()
    link.last("book_appointment").error("slot_full")
    assert booking.step == SLOT and booking.error[0] == words.ERRORS["slot_full"]
    assert link.sent[-1].action == "appointment_slots" and link.sent[-1].fields["date"] == booking.day
    link.sent[-1].ok({"slots": [slot(2800, "17:30-18:00", 0, True), slot(4600, "18:00-18:30", 2, True)]})
    assert [s.open for s in booking.slot_choices()] == [False, True]
    booking.choose_slot(4600)
    for key in "13812345678":
        booking.press(key)
    booking.submit()
    link.last("book_appointment").error("blacklisted", "因多次预约未到，2027年03月06日前暂停预约服务（可现场取号）")
    headline, detail = booking.error
    assert headline == words.ERRORS["blacklisted"] and "2027年03月06日" in detail.zh
    booking.back()
    assert booking.step == SLOT
    booking.back()
    booking.back()
    assert kiosk.screen == k.HOME


def test_the_guide_offers_booking_only_for_a_bookable_item(kiosk, link):
    kiosk.guide.open("B02")
    assert kiosk.guide.can_book
    kiosk.guide.book()
    assert kiosk.screen == k.BOOK and kiosk.booking.item_id == "B02"
    payload = demo_config_payload()
    payload["config"]["appointments"]["categories"] = {"social": {"enabled": False}}
    kiosk.on_config({**payload, "version": 2})
    kiosk.guide.open("B02")
    assert not kiosk.guide.can_book
    kiosk.search.open("book")
    assert "B02" not in [item for item, _, _ in kiosk.search.results()]
    assert "A02" in [item for item, _, _ in kiosk.search.results()]

"""预约's page models without a server: the demo hall's config in a real mirror, the contract's
answers as the controller gives them."""
from __future__ import annotations

import re

from contract.hall import HallMirror
from contract.topics import Topics
from tests.support.kiosk_fakes import demo_config_payload
from web import words as w
from web.presenters import booking as pages
from web.presenters.guides import GuideIndex

T = Topics("demo")
CJK = re.compile(r"[\u3400-\u9fff]")


def hall() -> HallMirror:
    mirror = HallMirror(T)
    mirror.apply(T.state_config(), demo_config_payload())
    return mirror


def test_only_bookable_items_are_listed_and_found_by_pinyin_initials():
    mirror = hall()
    page = pages.item_list(mirror, GuideIndex(mirror), "zh")
    assert page["results"] and all(pages.bookable(mirror, r["href"].split("/")[-1]) for r in page["results"])
    found = pages.item_list(mirror, GuideIndex(mirror), "zh", "BDC")["results"]
    assert found and all("不动产" in r["name"] for r in found)
    assert pages.item_list(mirror, GuideIndex(mirror), "zh", "ZZZZ")["empty"] == w.NO_MATCH.zh


def test_days_without_places_are_shown_but_not_chosen():
    mirror = hall()
    answers = {"2026-12-03": {"slots": [{"start": 1, "left": 2}, {"start": 2, "left": 1}]},
               "2026-12-05": {"slots": []}, "2026-12-07": {"slots": [{"start": 3, "left": 0}]}, "2026-12-08": None}
    page = pages.day_list(mirror, "C01", answers, "zh")
    assert [(d["label"], d["state"], d["open"]) for d in page["days"]] == [
        ("12月3日 周四", "余3", True), ("12月5日 周六", "不可约", False), ("12月7日 周一", "约满", False),
        ("12月8日 周二", "不可约", False)]
    assert page["error"] == w.BOOK_NOT_SENT.zh  # one day did not answer: said, not hidden
    assert pages.day_list(mirror, "C01", answers, "en")["days"][0]["label"] == "Thu 03 Dec"


def test_a_full_slot_is_disabled_and_off_hours_are_marked():
    result = {"slots": [{"start": 100, "time": "09:00-09:30", "left": 0},
                        {"start": 200, "time": "17:30-18:00", "left": 2, "off_hours": True}]}
    page = pages.slot_list(hall(), "C01", "2026-12-03", result, "zh")
    assert [(s["time"], s["state"], s["open"]) for s in page["slots"]] == [
        ("09:00-09:30", "约满", False), ("17:30-18:00", "余2 · 非工作时间", True)]
    assert page["slots"][1]["href"] == "/book/C01/2026-12-03/200"
    assert pages.slot_list(hall(), "C01", "2026-12-03", {"slots": []}, "zh")["empty"] == w.BOOK_NO_SLOTS.zh


def test_what_is_typed_is_checked_before_anything_is_sent():
    assert pages.applicant_of("138 1234 5678", "") == ({"phone": "13812345678"}, None)
    assert pages.applicant_of("13812345678", " 王小明 ") == ({"phone": "13812345678", "name": "王小明"}, None)
    assert pages.applicant_of("1234", "")[1] is w.BOOK_PHONE_BAD
    assert pages.applicant_of("13812345678", "x" * 21)[1] is w.BOOK_NAME_BAD
    assert pages.cancel_of(" yyabcdefgh ", "5678") == ({"code": "YYABCDEFGH", "phone_last4": "5678"}, None)
    assert pages.cancel_of("YYABCDEFGH", "56a8")[1] is w.CANCEL_BAD
    assert pages.cancel_of("A001", "5678")[1] is w.CANCEL_BAD


def test_the_confirmation_says_code_time_windows_materials_and_the_reminder():
    mirror = hall()
    appointment = {"code": "YYABCDEFGH", "category": "estate", "item": "C01", "slot_start": 1796000400,
                   "slot_end": 1796004000, "phone": "138****5678", "off_hours": False,
                   "materials": [{"name": {"zh": "身份证", "en": "ID card"}, "copies": 2, "original": True}]}
    page = pages.done_page(mirror, appointment, "zh", reminded=True)
    rows = {r["label"]: r["value"] for r in page["rows"]}
    assert page["code"] == "YYABCDEFGH" and rows["预约时段"] == "2026-11-30 09:00-10:00"
    assert rows["手机号"] == "138****5678" and "号" in rows["办理窗口"]
    assert page["materials"] == ["身份证（2份）"] and page["reminder"] == w.BOOK_REMINDER.zh
    english = pages.done_page(mirror, {**appointment, "materials": []}, "en", reminded=False)
    assert english["materials"] and english["reminder"] == w.BOOK_NO_REMINDER.en
    assert not [v for v in (english["heading"], english["hint"], *english["materials"],
                            *(r["label"] + r["value"] for r in english["rows"])) if CJK.search(v)]


def test_refusals_say_the_reason_in_the_visitors_language():
    barred = {"code": "blacklisted", "message": "no booking service until 2027-12-01 (3 missed bookings)",
              "message_zh": "因多次预约未到，2027年12月01日前暂停预约服务（可现场取号）"}
    assert pages.refusal_text(barred, "zh").startswith(w.BOOK_BARRED.zh) and "2027年12月01日" in pages.refusal_text(barred, "zh")
    assert pages.refusal_text(barred, "en").startswith(w.BOOK_BARRED.en) and not CJK.search(pages.refusal_text(barred, "en"))
    assert pages.refusal_text({"code": "slot_full"}, "en") == w.BOOK_TAKEN.en
    assert pages.refusal_text({"code": "timeout", "message_zh": "x"}, "zh") == w.BOOK_NOT_SENT.zh

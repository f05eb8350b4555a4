"""The web pages' presenters, without a server or a browser: the demo hall's retained state as the
controller publishes it, in a real mirror."""
from __future__ import annotations

import re

from contract.hall import HallMirror
from contract.topics import Topics
from tests.support.kiosk_fakes import current_ticket, demo_config_payload, queues_payload, window_payload
from web.presenters.frame import Prefs, frame, safe_next
from web.presenters.guides import GuideIndex, guide_list, guide_page, notice_page
from web.presenters.hall import hall_now
from web.words import HALL_NOW

T = Topics("demo")
CJK = re.compile(r"[\u3400-\u9fff]")


def demo_hall(**waiting) -> HallMirror:
    hall = HallMirror(T)
    hall.apply(T.state_config(), demo_config_payload())
    hall.apply(T.state_queues(), queues_payload(**waiting))
    return hall


def test_the_hall_now_before_the_state_arrives_says_it_is_waiting():
    hall = HallMirror(T)
    hall.apply(T.state_config(), demo_config_payload())
    assert hall_now(hall, "zh") == {"ready": False, "not_yet": "正在获取大厅情况…", "texts": hall_now(hall, "zh")["texts"]}


def test_the_hall_now_shows_queues_waits_open_windows_and_calls():
    hall = demo_hall(social=3)
    hall.apply(T.state_window(3), window_payload(3, "serving", current_ticket("B007")))
    hall.apply(T.state_window(4), window_payload(4, "paused"))
    hall.apply(T.state_window(5), window_payload(5, "closed"))
    hall.apply(T.state_calls(), {"at": 1795400000.0, "calls": [
        {"ticket_id": "2026-11-23-B007", "number": "B007", "window": 3, "category": "social", "times_called": 1,
         "text": {"zh": "请B007号到3号窗口办理", "en": "Number B007, please go to window 3"}, "at": 1795400000.0}]})
    now = hall_now(hall, "zh")
    social = next(q for q in now["queues"] if q["code"] == "social")
    assert social == {"code": "social", "name": "社保医保", "waiting": "3 人", "wait": "约12分钟", "windows": "3号、4号"}
    assert [(w["name"], w["status"], w["number"]) for w in now["windows"]] == [("3号窗口", "办理中", "B007"),
                                                                              ("4号窗口", "暂停服务", "")]
    assert now["open_count"] == f"开放 2 个，共 {len(hall.window_numbers())} 个"
    assert now["calls"] == [{"number": "B007", "window": "3号窗口", "time": "10:13"}]  # 1795400000 in Asia/Shanghai
    english = hall_now(hall, "en")
    assert next(q for q in english["queues"] if q["code"] == "social")["windows"] == "W3, W4"
    assert english["windows"][0]["status"] == "Serving"


def test_guides_are_found_by_pinyin_initials_name_and_category():
    hall = demo_hall()
    index = GuideIndex(hall)
    found = guide_list(hall, index, "zh", "BDC")
    assert [r["name"] for r in found["results"]] == ["不动产权证书补换"]
    assert found["results"][0]["href"] == "/guides/C03" and found["empty"] == ""
    assert [r["name"] for r in guide_list(hall, index, "zh", "公积金提取")["results"]][0] == "公积金提取"
    by_category = guide_list(hall, index, "zh", "", "fund")
    assert len(by_category["results"]) == 6 and by_category["category"] == "fund"
    assert [c["current"] for c in by_category["categories"]].count(True) == 1
    nothing = guide_list(hall, index, "zh", "QQQQ", "nonsense")
    assert nothing["results"] == [] and nothing["empty"].startswith("没有找到") and nothing["category"] == ""
    assert len(guide_list(hall, index, "zh", "x" * 500)["query"]) == 40


def test_the_index_follows_a_new_config_version():
    hall = demo_hall()
    index = GuideIndex(hall)
    assert [r["href"] for r in guide_list(hall, index, "zh", "GJJTQ")["results"]] == ["/guides/F01"]
    payload = demo_config_payload()
    payload["version"] = 2
    payload["config"]["items"] = {k: v for k, v in payload["config"]["items"].items() if k != "F01"}
    hall.apply(T.state_config(), payload)
    assert guide_list(hall, index, "zh", "GJJTQ")["results"] == []


def test_a_guide_has_every_section_in_the_printed_order():
    page = guide_page(demo_hall(), "C03", "zh")
    assert [s["heading"] for s in page["sections"]] == ["受理条件", "申请材料", "办理流程", "办理时限", "收费标准",
                                                       "办理窗口", "咨询电话", "设定依据"]
    materials = page["sections"][1]["lines"]
    assert materials[0].startswith("1. ") and "原件" in materials[0]
    assert page["sections"][3]["lines"] == ["法定 30 个工作日，承诺 20 个工作日"]
    assert guide_page(demo_hall(), "nope", "zh") is None


def test_the_one_time_notice_lists_the_materials_and_where_to_go():
    page = notice_page(demo_hall(), "A01", "en")
    assert page["heading"] == "One-time notice of documents" and page["materials"]
    assert [f["label"] for f in page["facts"]] == ["Time limits", "Windows", "Enquiries"]
    assert page["facts"][0]["text"].endswith("done on the spot")


def test_english_pages_say_nothing_in_chinese_but_the_way_back_to_it():
    hall = demo_hall(social=2)
    english = Prefs(lang="en")
    around = frame(hall, english, title=HALL_NOW, path="/hall", csrf="t", online=False)
    assert around["lang_label"] == "中文" and around["lang_value"] == "zh"
    texts = [around[k] for k in ("title", "hall_name", "switches", "size_label", "offline", "skip", "footer")]
    texts += strings(hall_now(hall, "en")) + strings(guide_list(hall, GuideIndex(hall), "en"))
    texts += strings(guide_page(hall, "B03", "en")) + strings(notice_page(hall, "B03", "en"))
    assert [t for t in texts if CJK.search(t)] == []


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_preferences_come_from_cookies_and_a_switch_goes_back_only_to_this_site():
    assert Prefs.of({}) == Prefs("zh", False)
    assert Prefs.of({"qms_lang": "en", "qms_size": "large"}) == Prefs("en", True)
    assert Prefs.of({"qms_lang": "fr"}).lang == "zh"
    assert [safe_next(p) for p in ("/guides/B03", "//evil.example", "https://evil.example", "", "/\\evil")] == [
        "/guides/B03", "/", "/", "/", "/"]

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
from web.presenters.progress import progress_page, query_of
from web import words
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


def test_the_one_time_notice_lists_the_materials_then_every_other_section_and_its_address():
    hall = demo_hall()
    page = notice_page(hall, "A01", "en")
    assert page["heading"] == "One-time notice of documents" and page["materials"]
    assert [f["label"] for f in page["facts"]] == ["Who can apply", "Steps", "Time limits", "Fees", "Windows",
                                                   "Enquiries", "Legal basis"]
    assert page["facts"][2]["lines"][0].endswith("done on the spot")
    assert len(page["facts"][1]["lines"]) == len(hall.item("A01").guide["steps"])  # a step a line
    hall.config["web"] = {"public_url": "https://hall.example.gov.cn/"}
    assert notice_page(hall, "A01", "zh")["share"] == "本告知单地址：https://hall.example.gov.cn/guides/A01/notice"
    hall.config["web"] = {}
    assert notice_page(hall, "A01", "zh")["share"] == ""  # no web tier configured: no address to print


def test_progress_takes_only_the_shapes_the_contract_allows_and_says_the_answer():
    assert query_of(" sq-2026-0001 ", "56 78") == ({"application_no": "SQ-2026-0001", "phone_last4": "5678"}, None)
    assert query_of("SQ2026001", "abcd2345")[0] == {"application_no": "SQ2026001", "query_code": "ABCD2345"}
    assert query_of("SQ", "5678") == (None, words.NUMBER_BAD)
    for factor in ("", "567", "56789", "ABCD1234", "ABCD23456"):
        assert query_of("SQ2026001", factor) == (None, words.FACTOR_BAD), factor
    hall = demo_hall()
    application = {"application_no": "SQ2026001", "item": "C01", "item_name": {"zh": "不动产登记", "en": "Property"},
                   "applicant": "王*明", "status": "supplement",
                   "status_text": {"zh": "需补正材料", "en": "More documents needed"}, "updated_at": 1764640800.0,
                   "history": [{"at": 1764554400.0, "status": "submitted", "note": "",
                                "status_text": {"zh": "已受理", "en": "Accepted"}},
                               {"at": 1764640800.0, "status": "supplement", "note": "请补交身份证复印件",
                                "status_text": {"zh": "需补正材料", "en": "More documents needed"}}]}
    page = progress_page(hall, "en", number="SQ2026001", application=application)
    result = page["result"]
    assert result["status"] == "More documents needed" and page["number"] == ""
    assert [row["value"] for row in result["rows"]] == ["SQ2026001", "Property", "王*明", "2025-12-02 10:00"]
    assert [step["status"] for step in result["history"]] == ["More documents needed", "Accepted"]  # newest first
    assert result["history"][0]["note"] == "请补交身份证复印件"
    empty = progress_page(hall, "zh", number="SQ1", error="x")
    assert empty["result"] is None and empty["number"] == "SQ1" and empty["error"] == "x"


def test_english_pages_say_nothing_in_chinese_but_the_way_back_to_it():
    hall = demo_hall(social=2)
    english = Prefs(lang="en")
    around = frame(hall, english, title=HALL_NOW, path="/hall", csrf="t", online=False)
    assert around["lang_label"] == "中文" and around["lang_value"] == "zh"
    texts = [around[k] for k in ("title", "hall_name", "switches", "size_label", "offline", "skip", "footer")]
    texts += strings(hall_now(hall, "en")) + strings(guide_list(hall, GuideIndex(hall), "en"))
    texts += strings(guide_page(hall, "B03", "en")) + strings(notice_page(hall, "B03", "en"))
    texts += strings(progress_page(hall, "en", error="")) + [words.say(p, "en") for p in (
        words.NUMBER_BAD, words.FACTOR_BAD, words.PROGRESS_NOT_SENT, words.PROGRESS_SLOW_DOWN, words.ANOTHER_QUERY)]
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


# --- a ticket's page and 好差评公开 ------------------------------------------------------------------

def record(**changes) -> dict:
    """The controller's `ticket_by_token` answer, as it has it."""
    return {"id": "2026-11-23-B007", "day": "2026-11-23", "number": "B007", "category": "social", "item": "B01",
            "group": "normal", "status": "waiting", "window": None, "issued_at": 1795400000.0, "ahead": 2,
            "est_wait_s": 480, "times_called": 0, "transfers": 0, "finished_at": None, "level": None,
            "rateable": False, "rate_days_left": 7, **changes}


def test_a_ticket_page_says_each_stage_of_the_visit_in_both_languages():
    from web.presenters.ticket import ticket_now
    hall = demo_hall(social=3)
    waiting = ticket_now(record(), hall, "zh")
    assert waiting["headline"] == "前面还有 2 人" and waiting["lines"][:2] == ["预计等候 约8分钟", "办理窗口：3号窗口、4号窗口"]
    assert not waiting["reload"] and not waiting["alert"]
    assert ticket_now(record(ahead=0), hall, "en")["headline"] == "You are next: listen for your number"
    called = ticket_now(record(status="called", window=3, times_called=1), hall, "zh")
    assert called["headline"] == "请到3号窗口" and called["alert"] == "3-1"
    again = ticket_now(record(status="called", window=3, times_called=2), hall, "en")
    assert again["headline"] == "Called again: please go to Window 3" and again["alert"] == "3-2"
    moved = ticket_now(record(category="tax", transfers=1), hall, "zh")
    assert "已转至“税务”，继续排队" in moved["lines"]
    assert ticket_now(record(status="held", window=3), hall, "zh")["headline"] == "已暂停办理，请留意再次叫号"
    missed = ticket_now(record(status="no_show", window=3), hall, "zh")
    assert missed["headline"].startswith("已过号") and not missed["reload"]  # it may be called back: followed
    assert ticket_now(record(status="done", window=3), hall, "zh")["reload"]  # the page becomes the rating page
    assert ticket_now(record(status="expired"), hall, "en")["headline"].startswith("The day has ended")
    english = " ".join(str(v) for v in ticket_now(record(status="called", window=3), hall, "en").values())
    assert CJK.findall(english) == []


def test_the_rating_form_is_there_only_after_the_service_while_the_phone_may_rate():
    from web.presenters.ticket import ticket_page
    hall = demo_hall()
    assert ticket_page(record(status="serving", window=3, rateable=True), hall, "zh", True)["form"] is None
    form = ticket_page(record(status="done", window=3, rateable=True), hall, "zh", True)["form"]
    assert [level["label"] for level in form["levels"]] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert "evaluator" not in [r["code"] for r in form["reasons"]] and form["days"] == "7 天内可评价"
    kept = ticket_page(record(status="done", rateable=True), hall, "zh", True,
                       sent={"level": 2, "reasons": ["slow"], "comment": "慢", "contact": "139"}, error="x")["form"]
    assert [l["checked"] for l in kept["levels"]] == [False, False, False, True, False] and kept["error"] == "x"
    assert [r["code"] for r in kept["reasons"] if r["checked"]] == ["slow"] and kept["comment"] == "慢"
    assert ticket_page(record(status="done", rateable=True, rate_days_left=0), hall, "zh", True)["form"] is None
    rated = ticket_page(record(status="done", level=1, rateable=False), hall, "en", True)
    assert rated["form"] is None and rated["rated"] == "Your rating: Very dissatisfied" and rated["thanks_bad"]


def test_after_the_visit_the_ticket_page_offers_the_complaint_page_with_its_item_and_window():
    from web.presenters.ticket import ticket_page
    hall = demo_hall()
    assert ticket_page(record(status="waiting"), hall, "zh", True)["complain"] is None
    done = ticket_page(record(status="done", window=3, item="C01", rateable=True), hall, "en", True)["complain"]
    assert done == {"href": "/complain?item=C01&window=3", "label": words.COMPLAIN_LINK.en}


def test_the_complaint_pages_check_what_is_typed_and_say_the_answer_date_in_hall_time():
    from web.presenters import complain as pages
    hall = demo_hall()
    fields, problem = pages.complaint_of(hall, "undone", "C01", "5", " 跑了三次 ", "139-0000 2468")
    assert problem is None and fields == {"kind": "undone", "text": "跑了三次", "channel": "web", "item": "C01",
                                          "about_window": 5, "phone": "13900002468"}
    assert pages.complaint_of(hall, "complaint", "", "", "x", "")[0] == {"kind": "complaint", "text": "x",
                                                                          "channel": "web"}
    assert pages.lookup_of(" ts-2026-11-23-001 ", "2468") == ({"case_id": "TS-2026-11-23-001", "phone_last4": "2468"}, None)
    assert pages.lookup_of("TS-2026-11-23-001", "abcd efgh")[0]["query_code"] == "ABCDEFGH"
    assert pages.lookup_of("A001", "2468")[1] is words.COMPLAIN_REF_BAD
    case = {"id": "BC-2026-11-23-001", "kind_text": {"zh": "办不成事反映", "en": "Couldn't get it done"},
            "status": "open", "opened_at": 1795399200, "deadline_at": 1796054399, "limit_days": 5, "window": 5}
    done = pages.done_page(hall, case, "ABCDEFGH", "en")
    rows = {r["label"]: r["value"] for r in done["rows"]}
    assert rows["We answer by"] == "within 5 working days: by 2026-11-30" and rows["Sent"] == "2026-11-23 10:00"
    assert done["how"] == words.COMPLAIN_NO_PHONE.en and not re.search(r"[\u3400-\u9fff]", str(done))
    late = pages.case_page(hall, case["id"], "zh", case={**case, "overdue": True})["result"]
    assert late["late"] and late["reply"] == "" and late["no_reply"] == words.COMPLAIN_NO_REPLY.zh


def test_the_ratings_page_says_the_controllers_figures_and_the_reply_only_once_closed():
    from web.presenters.ratings import ratings_page
    hall = demo_hall()
    zero = {"served": 0, "rated": 0, "by_level": {str(n): 0 for n in range(5, 0, -1)}, "active_rating_rate": None,
            "good_rate": None, "bad_ratings": 0}
    five = {**zero, "served": 4, "rated": 3, "by_level": {"5": 1, "4": 1, "3": 0, "2": 0, "1": 1},
            "active_rating_rate": 75.0, "good_rate": 66.7, "bad_ratings": 1}
    answer = {"day": "2026-11-23", "hall": five, "windows": {"5": five, "6": zero}, "items": {"C01": five},
              "bad": [{"at": 1795400000.0, "window": 5, "item": "C01", "category": "estate", "level": 1,
                       "reasons": ["attitude"], "status": "visited", "status_text": {"zh": "已回访", "en": "Citizen called"},
                       "reply": None, "closed_at": None}]}
    page = ratings_page(hall, answer, "zh", "2026-11-23")
    assert page["hall"]["active"] == "主动评价率 75%" and page["hall"]["good"] == "好评率 66.7%"
    assert [b["key"] for b in page["window_blocks"]] == ["5"]  # a window that did nothing is not listed
    assert [l["n"] for l in page["item_blocks"][0]["levels"]] == [1, 1, 0, 0, 1]
    [bad] = page["bad"]
    assert bad["reply"] == "处理中（已回访）" and bad["reasons"] == "原因：服务态度差" and not bad["closed"]
    answer["bad"][0].update(status="closed", reply="已整改", status_text={"zh": "已办结", "en": "Closed"})
    assert ratings_page(hall, answer, "en", "")["bad"][0]["reply"] == "The hall's reply: 已整改"
    assert ratings_page(hall, None, "zh", "")["ready"] is False


def test_a_ticket_s_live_part_from_its_mould_is_what_jinja_renders_at_every_stage():
    from types import SimpleNamespace

    from web.pages import Pages
    from web.presenters.ticket import HallWords, ticket_now

    hall = demo_hall(social=3)
    hall.apply(T.state_window(3), window_payload(3, "serving", current_ticket("B007")))
    pages, words = Pages(SimpleNamespace()), HallWords(hall)
    jinja = pages.env.get_template("ticket_now.html").render
    stages = [record(), record(ahead=0, est_wait_s=0), record(ahead=41, est_wait_s=9000, transfers=1, category="tax"),
              record(group="green"), record(item=None), record(number="B<&>\"'7"),
              record(status="called", window=3, times_called=1), record(status="called", window=3, times_called=2),
              record(status="serving", window=3), record(status="held", window=3), record(status="no_show", window=3),
              record(status="done", window=3), record(status="expired")]
    for lang in ("zh", "en"):
        for online in (True, False):
            for stage in stages * 2:  # the second time from the cast of its shape
                now = ticket_now(stage, hall, lang, online, words)
                assert pages.render("ticket_now.html", now=now) == jinja(now=now)
    assert not pages.moulds["ticket_now.html"].broken and len(pages.moulds["ticket_now.html"].casts) > 5

"""One case life cycle — 差评 follow-ups, complaints, consultations — with time passed in: deadlines across
the National Day holiday and its 调休 Saturday, the steps, the anonymous close, 整改满意率, the
frequency report, the reply the public page publishes, and a late complaint raising its 电子监察 alert.

A hall on an engine and a real SQLite store (tests/support/booking.py), no broker.
"""
from __future__ import annotations

import json

import pytest

from contract.errors import CommandError
from controller import alerts, cases, supervision
from controller.store import Store
from tests.support.booking import BookingHall, demo_config, local

ADMIN = "admin-ops"


@pytest.fixture
def hall(tmp_path):
    return BookingHall(tmp_path / "hall.db", demo_config(), local("2026-09-30 10:00"))  # a Wednesday


def ok(hall, action, **fields) -> dict:
    return hall.ok(ADMIN, action, **fields)


def refused(hall, code, action, **fields) -> CommandError:
    out = hall.command(ADMIN, action, **fields)
    assert out.error is not None and out.error.code == code, out.error
    return out.error


def test_deadlines_count_working_days_across_the_holiday_and_its_makeup_saturday(hall):
    """Opened Wed 30 Sep: 1-7 Oct are the holiday, Sat 10 Oct is worked (调休)."""
    question = ok(hall, "case_open", kind="consultation", text="社保转移要带什么材料？", item="B01")["case"]
    complaint = ok(hall, "case_open", kind="complaint", text="窗口让我跑了三次", channel="desk")["case"]
    assert question["deadline_at"] == local("2026-10-10 23:59") + 59       # 8, 9, 10 (Saturday, worked)
    assert complaint["deadline_at"] == local("2026-10-13 23:59") + 59      # 8, 9, 10, 12, 13
    assert (question["id"], complaint["id"]) == ("ZX-2026-09-30-001", "TS-2026-09-30-001")
    assert question["kind_text"]["zh"] == "咨询" and complaint["channel"] == "desk"


def test_a_complaint_is_assigned_visited_put_right_and_closed_with_the_citizens_verdict(hall):
    case = ok(hall, "case_open", kind="complaint", text="材料被退回两次", phone="13912345678")["case"]
    cid = case["id"]
    assert case["phone"] == "139****5678" and case["reachable"]
    ok(hall, "case_update", case_id=cid, status="open", note="交综合科", assignee="li.ming")
    refused(hall, "invalid_state", "case_update", case_id=cid, status="closed", note="x", verdict="satisfied")
    ok(hall, "case_update", case_id=cid, status="visited", note="已电话联系")
    ok(hall, "case_update", case_id=cid, status="rectifying", note="一次性告知材料清单")
    refused(hall, "bad_request", "case_update", case_id=cid, status="closed", note="办结", verdict="anonymous")
    refused(hall, "bad_request", "case_update", case_id=cid, status="closed", note="办结")
    closed = ok(hall, "case_update", case_id=cid, status="closed", note="办结", verdict="satisfied",
                reply="已修订材料清单并一次告知")["case"]
    assert closed["status"] == "closed" and closed["verdict"] == "satisfied" and closed["assignee"] == "li.ming"
    assert [h["status"] for h in closed["history"]] == ["open", "open", "visited", "rectifying", "closed"]
    assert closed["reply"] == "已修订材料清单并一次告知" and not closed["overdue"]
    refused(hall, "invalid_state", "case_update", case_id=cid, status="closed", note="again", verdict="satisfied")


def test_a_case_nobody_can_be_asked_closes_anonymous_without_a_verdict(hall):
    case = ok(hall, "case_open", kind="complaint", text="大厅空调太冷")["case"]
    assert not case["reachable"]
    closed = ok(hall, "case_update", case_id=case["id"], status="closed", note="已调温度", verdict="anonymous",
                reply="已将空调调至26度")["case"]
    assert closed["verdict"] == "anonymous" and closed["status_text"]["zh"] == "已办结"


def test_a_consultation_answered_at_once_is_closed_and_counted_in_the_frequency_report(hall):
    for text, item in (("社保转移要带什么材料？", "B01"), ("社保转移要带什么材料", "B01"), ("能不能异地办？", "B01"),
                       ("营业执照怎么办", "A01")):
        ok(hall, "case_open", kind="consultation", text=text, item=item, answer="带身份证和参保证明")
    tracked = ok(hall, "case_open", kind="consultation", text="社保 转移要带什么材料?", item="B01")["case"]
    assert tracked["status"] == "open"
    answered = ok(hall, "cases", kind="consultation", status="closed")["cases"]
    assert len(answered) == 4 and {c["verdict"] for c in answered} == {"anonymous"}
    report = ok(hall, "consultation_report")["questions"]
    assert report["B01"][0] == {"question": "社保转移要带什么材料？", "count": 3}
    assert report["B01"][1]["count"] == 1 and report["A01"] == [{"question": "营业执照怎么办", "count": 1}]
    refused(hall, "bad_request", "case_open", kind="complaint", text="x", answer="y")
    refused(hall, "bad_request", "case_open", kind="consultation", text="x", item="NOPE")


def test_a_late_complaint_raises_its_alert_yellow_then_red_and_it_closes_with_the_case(hall):
    case = ok(hall, "case_open", kind="complaint", text="办不成事：系统说不在清单内")["case"]
    config, supervisor = hall.config, alerts.Supervisor()

    def review(now, rows):
        view = supervision.HallView(waiting={}, windows=(), open_now=True, names={}, followups=tuple(rows))
        return [(step, after["kind"], after["level"], after["followup_id"], after["text_zh"])
                for step, _, after in supervisor.review(supervision.findings(view, config.supervision), now, "d")]

    due = case["deadline_at"]
    open_rows = hall.store.open_followups()
    assert review(due - config.supervision.followup_warn_s - 1, open_rows) == []
    [(step, kind, level, fid, text)] = review(due - config.supervision.followup_warn_s + 1, open_rows)
    assert (step, kind, level, fid) == ("opened", "followup_due", "yellow", case["id"]) and text.startswith("投诉")
    assert [s[:3] for s in review(due + 1, open_rows)] == [("escalated", "followup_due", "red")]
    hall.now = due + 2
    listed = ok(hall, "cases", overdue=True)["cases"]
    assert [c["id"] for c in listed] == [case["id"]]
    ok(hall, "case_update", case_id=case["id"], status="closed", note="答复", verdict="anonymous")
    assert [s[0] for s in review(due + 3, hall.store.open_followups())] == ["closed"]


def test_followup_update_still_walks_a_poor_rating_and_the_old_rows_are_kept(tmp_path):
    """A store with follow-up rows written before cases had kinds: they read as 差评 follow-ups."""
    path = tmp_path / "old.db"
    store = Store(str(path))
    row = {"id": "FU-old", "ticket_id": "2026-09-29-A001", "number": "A001", "day": "2026-09-29", "window": 1,
           "staff_id": "1001", "level": 1, "reasons": "[]", "real_name": 0, "phone": None, "opened_at": 1.0,
           "deadline_at": 2.0, "status": "open", "verdict": None, "closed_at": None, "updated_at": 1.0,
           "history": json.dumps([{"at": 1.0, "status": "open", "note": "", "by": "controller"}])}
    store.db["followups"].insert(row)
    store.db.execute("UPDATE followups SET kind = NULL, channel = NULL")
    store.close()
    migrated = Store(str(path)).record("followups", "FU-old")
    assert migrated["kind"] == "rating_followup" and migrated["channel"] == "rating"
    shown = cases.public_case(migrated, 3.0)
    assert shown["kind"] == "rating_followup" and shown["overdue"] and not shown["reachable"]


def test_the_rectification_satisfaction_rate_counts_verdicts_and_leaves_anonymous_closes_out():
    from controller import figures

    def row(status, verdict):
        return {"status": status, "verdict": verdict, "closed_at": 5.0, "deadline_at": 9.0, "real_name": 0}
    rows = [row("closed", "satisfied"), row("closed", "satisfied"), row("closed", "unsatisfied"),
            row("closed", "anonymous"), row("visited", None)]
    got = figures._ratings({"levels": [1, 1, 2, 2, 1, 5], "served": [1] * 6}, rows, 10.0)
    assert got["rectification_satisfaction_rate"] == round(100 * 2 / 3, 1) or \
        got["rectification_satisfaction_rate"] == pytest.approx(66.7, abs=0.1)
    assert got["followups_closed_anonymous"] == 1 and got["bad_closed"] == 4


def test_the_queue_says_working_days_left_across_the_holiday(hall):
    ok(hall, "case_open", kind="consultation", text="能否异地办理？", item="B01")
    [case] = ok(hall, "cases", status="open")["cases"]
    assert case["working_days_left"] == 3                      # due Sat 10 Oct, the 调休 day
    hall.now = local("2026-10-12 09:00")
    [case] = ok(hall, "cases", status="open")["cases"]
    assert case["working_days_left"] == -1 and case["overdue"]


WEB = "web-W1"


def test_a_citizens_web_page_opens_only_a_complaint_or_a_report_and_sees_only_its_own_view(hall):
    sent = hall.ok(WEB, "case_open", kind="undone", text="公积金提取说我不符合条件，窗口让我去别处问", channel="web",
                   item="B01", about_window=3, phone="13912345678")
    case, code = sent["case"], sent["query_code"]
    assert case["id"] == "BC-2026-09-30-001" and case["kind_text"]["zh"] == "办不成事反映"
    assert case["deadline_at"] == local("2026-10-13 23:59") + 59 and case["limit_days"] == 5  # a complaint's limit
    assert case["status_text"] == {"zh": "已受理", "en": "Received"} and case["window"] == 3 and case["reply_by_phone"]
    assert not {"phone", "history", "text", "assignee"} & set(case) and len(code) == 8
    for fields in ({"kind": "consultation"}, {"channel": "desk"}, {"name_given": True}):
        hall.refused("forbidden", WEB, "case_open", **{"kind": "complaint", "text": "x", "channel": "web", **fields})
    hall.refused("bad_request", WEB, "case_open", kind="complaint", text="x", channel="web", about_window=99)
    stored = hall.store.db.execute("SELECT phone, window, channel FROM followups WHERE id = ?", [case["id"]]).fetchone()
    assert "5678" not in str(stored[0]) and stored[1:] == (3, "web")                     # the phone sealed at rest
    assert hall.store.record("followups", case["id"])["phone"] == "13912345678"
    [listed] = ok(hall, "cases", kind="undone")["cases"]
    assert listed["phone"] == "139****5678" and listed["channel"] == "web"


def test_a_case_is_looked_up_with_its_code_or_phone_digits_and_guessing_is_locked(hall):
    case = hall.ok(WEB, "case_open", kind="complaint", text="排队两小时没叫到号", channel="web", phone="13912345678")
    cid, code = case["case"]["id"], case["query_code"]
    anonymous = hall.ok(WEB, "case_open", kind="complaint", text="厕所没有纸", channel="web")
    assert hall.ok(WEB, "case_lookup", case_id=cid, query_code=code)["case"]["reply"] is None
    assert hall.ok(WEB, "case_lookup", case_id=cid, phone_last4="5678")["case"]["id"] == cid
    assert hall.ok(WEB, "case_lookup", case_id=anonymous["case"]["id"], query_code=anonymous["query_code"])
    unknown = hall.refused("not_found", WEB, "case_lookup", case_id="TS-2026-09-30-099", query_code=code)
    wrong = hall.refused("not_found", WEB, "case_lookup", case_id=cid, phone_last4="0000")
    assert (unknown.message, unknown.message_zh) == (wrong.message, wrong.message_zh)  # an unknown ref says nothing
    hall.refused("not_found", WEB, "case_lookup", case_id=anonymous["case"]["id"], phone_last4="0000")  # no phone
    hall.refused("bad_request", WEB, "case_lookup", case_id=cid)
    for _ in range(3):                                        # 5 wrong for one case (with the 1 above) lock it
        hall.refused("not_found", WEB, "case_lookup", case_id=cid, query_code="AAAAAAAA")
    locked = hall.refused("locked", WEB, "case_lookup", case_id=cid, query_code="AAAAAAAA")
    assert "后再试" in locked.message_zh
    hall.refused("locked", WEB, "case_lookup", case_id=cid, query_code=code)        # even the right code now
    assert "progress_locked" in hall.events
    hall.at(hall.now + hall.config.progress_lock.lock_s + 1)
    assert hall.ok(WEB, "case_lookup", case_id=cid, query_code=code)["case"]["id"] == cid
    with pytest.raises(CommandError, match="forbidden"):               # a web page's action only (rights.py)
        hall.command("kiosk-K1", "case_lookup", case_id=cid, query_code=code)


def test_the_lookup_shows_the_published_reply_once_closed_and_never_a_rating_follow_up(hall):
    sent = hall.ok(WEB, "case_open", kind="complaint", text="窗口人员态度差", channel="web", phone="13912345678")
    cid = sent["case"]["id"]
    ok(hall, "case_update", case_id=cid, status="visited", note="内部备注：已电话联系，当事人情绪激动")
    seen = hall.ok(WEB, "case_lookup", case_id=cid, phone_last4="5678")["case"]
    assert seen["status_text"]["zh"] == "办理中" and seen["reply"] is None
    ok(hall, "case_update", case_id=cid, status="closed", note="办结", verdict="satisfied",
       reply="已对窗口人员批评教育并调整岗位")
    seen = hall.ok(WEB, "case_lookup", case_id=cid, phone_last4="5678")["case"]
    assert seen["status_text"]["zh"] == "已办结" and seen["reply"] == "已对窗口人员批评教育并调整岗位"
    assert "内部备注" not in json.dumps(seen, ensure_ascii=False)
    followup = {"id": "FU-1", "kind": "rating_followup", "phone": "13912345678", "status": "open"}
    assert not cases.opens(followup, "X", phone_last4="5678", query_code=None)

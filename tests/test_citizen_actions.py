"""What a citizen's phone may ask the controller (`web-*`): its ticket by token, rating it with
channel qr for `ratings.qr_days` days, the public 好差评 — and nothing else."""
from __future__ import annotations

from testbed.controller import RunningController, staffed_window
from tests.support.hall import HallClock, at, ok, refused


def serve(kiosk, window, item="A01", applicant=None):
    ticket = ok(kiosk.request("issue_ticket", {"item": item, **({"applicant": applicant} if applicant else {})}))
    ticket = ticket["ticket"]
    assert ok(window.request("call_next"))["ticket"]["id"] == ticket["id"]
    ok(window.request("finish"))
    return ticket


def test_a_phone_sees_its_ticket_by_token_and_nothing_personal(controller, kiosk):
    phone = controller.device("web-W1")
    first = ok(kiosk.request("issue_ticket", {"item": "A01", "applicant": {"name": "王小明", "phone": "13812345678"}}))
    second = ok(kiosk.request("issue_ticket", {"item": "A01"}))["ticket"]
    mine = ok(phone.request("ticket_by_token", {"rating_token": second["rating_token"]}))["ticket"]
    assert mine["number"] == second["number"] and mine["status"] == "waiting" and mine["ahead"] == 1
    assert mine["est_wait_s"] > 0 and mine["rateable"] is False and mine["level"] is None
    theirs = ok(phone.request("ticket_by_token", {"rating_token": first["ticket"]["rating_token"]}))["ticket"]
    text = repr(theirs)
    assert "王小明" not in text and "138" not in text and "rating_token" not in theirs and "staff_id" not in theirs
    refused(phone.request("ticket_by_token", {"rating_token": "A" * 16}), "not_found")
    refused(phone.request("ticket_by_token", {"rating_token": "not-a-token"}), "bad_request")
    # a phone is not a kiosk nor a window nor an admin
    for action, fields in (("issue_ticket", {"category": "general"}), ("call_next", {}), ("stats", {}),
                           ("followups", {})):
        refused(phone.request(action, fields), "forbidden")
    refused(kiosk.request("ticket_by_token", {"rating_token": second["rating_token"]}), "forbidden")


def test_a_phone_rates_by_token_with_channel_qr_and_a_contact_for_the_followup(controller, kiosk):
    phone, admin = controller.device("web-W1"), controller.device("admin-A")
    window = staffed_window(controller, 1)
    ticket = serve(kiosk, window)
    refused(phone.request("rate", {"ticket_id": ticket["id"], "level": 5}), "forbidden")  # ids are guessable
    refused(phone.request("rate", {"rating_token": ticket["rating_token"], "level": 5, "window": 1}), "bad_request")
    refused(phone.request("rate", {"rating_token": ticket["rating_token"], "level": 2}), "bad_request")  # reason
    mine = ok(phone.request("ticket_by_token", {"rating_token": ticket["rating_token"]}))["ticket"]
    assert mine["status"] == "done" and mine["rateable"] and mine["rate_days_left"] == 7
    rating = ok(phone.request("rate", {"rating_token": ticket["rating_token"], "level": 2, "reasons": ["slow"],
                                       "comment": "等了很久", "contact": "13900001111", "channel": "kiosk"}))
    assert rating["rating"]["bad"] and rating["rating"]["followup_id"]
    stored = controller.store.record("ratings", ticket["id"])
    assert stored["channel"] == "qr" and stored["device"] == "web-W1" and stored["level"] == 2
    followup = ok(admin.request("followups"))["followups"][0]
    assert followup["phone"] == "139****1111"
    assert ok(phone.request("ticket_by_token", {"rating_token": ticket["rating_token"]}))["ticket"]["level"] == 2
    refused(phone.request("rate", {"rating_token": ticket["rating_token"], "level": 5}), "duplicate")


def test_a_ticket_is_rated_from_the_phone_for_qr_days_and_then_is_gone(broker, hall_raw, tmp_path):
    hall_raw["ratings"]["qr_days"] = 2
    clock = HallClock(at("10:00"))
    running = RunningController(hall_raw, tmp_path / "hall.db", broker, clock=clock)
    try:
        kiosk, phone = running.device("kiosk-K1"), running.device("web-W1")
        window = staffed_window(running, 1)
        served, other = serve(kiosk, window), serve(kiosk, window)
        called_back = serve(kiosk, window, applicant={"name": "赵六", "phone": "13512345678"})
        clock.now = at("10:00", "2026-11-24")  # the next service day
        ok(kiosk.request("issue_ticket", {"category": "general"}))
        seen = ok(phone.request("ticket_by_token", {"rating_token": served["rating_token"]}))["ticket"]
        assert seen["day"] == "2026-11-23" and seen["rateable"] and seen["rate_days_left"] == 1
        ok(phone.request("rate", {"rating_token": served["rating_token"], "level": 4}))
        assert running.store.record("ratings", served["id"])["channel"] == "qr"
        assert ok(phone.request("ticket_by_token", {"rating_token": served["rating_token"]}))["ticket"]["level"] == 4
        refused(kiosk.request("rate", {"rating_token": other["rating_token"], "level": 4}), "not_found")  # kiosk: today
        # a 差评 of yesterday's ticket: its follow-up calls the phone the ticket was taken with, kept sealed
        ok(phone.request("rate", {"rating_token": called_back["rating_token"], "level": 1, "reasons": ["slow"]}))
        [followup] = ok(running.device("admin-A").request("followups"))["followups"]
        assert followup["phone"] == "135****5678" and followup["ticket_id"] == called_back["id"]
        again = running.store.ticket_by_token(called_back["rating_token"])
        assert again.applicant_phone == "13512345678" and again.rating_level == 1
        # counted on the day given, the closed day's figures as they were
        admin = running.device("admin-A")
        today, yesterday = ok(admin.request("stats")), ok(admin.request("stats", {"date": "2026-11-23"}))
        assert today["hall"]["rated"] == 2 and today["hall"]["by_level"]["4"] == 1 and today["hall"]["served"] == 0
        assert today["windows"]["1"]["bad_ratings"] == 1 and today["items"]["A01"]["rated"] == 2
        assert yesterday["hall"]["rated"] == 0 and yesterday["hall"]["served"] == 3
        assert ok(phone.request("public_ratings"))["hall"]["rated"] == 2
        clock.now = at("10:00", "2026-11-25")
        ok(kiosk.request("issue_ticket", {"category": "general"}))
        refused(phone.request("ticket_by_token", {"rating_token": other["rating_token"]}), "not_found")
        refused(phone.request("rate", {"rating_token": other["rating_token"], "level": 4}), "not_found")
    finally:
        running.stop()


def test_public_ratings_are_the_stats_figures_and_every_bad_rating_anonymised(controller, kiosk):
    phone, admin = controller.device("web-W1"), controller.device("admin-A")
    one, three = staffed_window(controller, 1), staffed_window(controller, 3)
    good, bad = serve(kiosk, one, "A01"), serve(kiosk, one, "A01")
    unrated = serve(kiosk, three, "B01", applicant={"name": "李四", "phone": "13700002222"})
    ok(phone.request("rate", {"rating_token": good["rating_token"], "level": 5}))
    reply = ok(phone.request("rate", {"rating_token": bad["rating_token"], "level": 1, "reasons": ["attitude"]}))
    followup_id = reply["rating"]["followup_id"]
    ok(kiosk.request("rate", {"rating_token": unrated["rating_token"], "level": 3}))
    public = ok(phone.request("public_ratings"))
    assert public["bad"][0]["reply"] is None and public["bad"][0]["reasons"] == ["attitude"]
    ok(admin.request("followup_update", {"followup_id": followup_id, "status": "visited", "note": "电话联系王先生"}))
    ok(admin.request("followup_update", {"followup_id": followup_id, "status": "closed", "verdict": "satisfied",
                                         "note": "已对窗口人员批评教育并整改"}))
    public, stats = ok(phone.request("public_ratings")), ok(admin.request("stats"))
    for key in ("rated", "by_level", "active_rating_rate", "good_rate", "served"):
        assert public["hall"][key] == stats["hall"][key] == (stats["ratings"][key] if key in stats["ratings"]
                                                             else stats["hall"][key])
        for scope in ("items", "windows"):
            assert {k: v[key] for k, v in public[scope].items()} == {k: v[key] for k, v in stats[scope].items()}
    assert public["windows"]["1"]["by_level"] == {"5": 1, "4": 0, "3": 0, "2": 0, "1": 1}
    assert public["windows"]["1"]["good_rate"] == 50.0 and public["windows"]["1"]["active_rating_rate"] == 100.0
    assert public["items"]["A01"]["rated"] == 2 and public["items"]["B01"]["by_level"]["3"] == 1
    [entry] = public["bad"]
    assert entry["reply"] == "已对窗口人员批评教育并整改" and entry["status"] == "closed" and entry["item"] == "A01"
    text = repr(public)
    assert "staff" not in text and "phone" not in text and "王" not in text and "李四" not in text
    assert "ticket_id" not in text and bad["rating_token"] not in text


def test_qr_days_is_checked_like_every_key(hall_raw):
    import pytest

    from config.schema import validate

    assert validate(hall_raw).ratings.qr_days == 7
    for bad in (0, 31, "seven", 2.5):
        hall_raw["ratings"]["qr_days"] = bad
        with pytest.raises(Exception, match="qr_days"):
            validate(hall_raw)
    del hall_raw["ratings"]["qr_days"]
    hall_raw["ratings"]["qr_day"] = 3  # a misspelt key is refused, not ignored
    with pytest.raises(Exception, match="qr_day"):
        validate(hall_raw)


def test_places_of_many_pages_at_once_are_each_tickets_own_count(controller, kiosk):
    phone = controller.device("web-W1")
    taken = [ok(kiosk.request("issue_ticket", {"category": "social", "group": group}))["ticket"]
             for group in ("normal", "normal", "priority", "normal", "priority", "normal")]
    taken.append(ok(kiosk.request("issue_ticket", {"category": "tax"}))["ticket"])
    window = staffed_window(controller, 3)
    called = ok(window.request("call_next"))["ticket"]  # the first priority ticket
    tokens = [t["rating_token"] for t in taken] + ["A" * 16]
    places = ok(phone.request("places", {"rating_tokens": tokens}))["places"]
    assert called["rating_token"] not in places and "A" * 16 not in places  # not waiting / unknown: left out
    for ticket in taken:
        if ticket["id"] == called["id"]:
            continue
        one = ok(phone.request("ticket_by_token", {"rating_token": ticket["rating_token"]}))["ticket"]
        assert places[ticket["rating_token"]] == {"ahead": one["ahead"], "est_wait_s": one["est_wait_s"]}, ticket
    assert sorted(p["ahead"] for t, p in places.items() if t != taken[-1]["rating_token"]) == [0, 1, 2, 3, 4]
    refused(phone.request("places", {"rating_tokens": []}), "bad_request")
    refused(kiosk.request("places", {"rating_tokens": tokens[:1]}), "forbidden")


def test_a_phone_looks_up_progress_with_its_second_factor_and_its_wrong_tries_count(controller, kiosk):
    phone, admin = controller.device("web-W1"), controller.device("admin-A")
    receipt = ok(admin.request("progress_set", {"application_no": "SQ2026777", "item": "C01", "status": "reviewing",
                                                "applicant_name": "王小明", "phone": "13812345678"}))
    by_phone = ok(phone.request("query_progress", {"application_no": "SQ2026777", "phone_last4": "5678"}))
    by_code = ok(phone.request("query_progress", {"application_no": "SQ2026777",
                                                  "query_code": receipt["query_code"]}))
    assert by_phone == by_code and by_phone["application"]["status"] == "in_progress"
    assert "王小明" not in repr(by_phone) and "138" not in repr(by_phone)
    refused(phone.request("query_progress", {"application_no": "SQ2026777"}), "bad_request")  # no factor
    refused(phone.request("query_progress", {"application_no": "SQ2026777", "phone_last4": "0000"}), "not_found")
    refused(phone.request("query_progress", {"application_no": "SQ2026778", "phone_last4": "5678"}), "not_found")
    tries = controller.store.record("progress_tries", "device:web-W1")
    assert tries["wrong"] == 2  # the web device's tries are counted like a kiosk's
    refused(phone.request("progress_set", {"application_no": "SQ2026777", "item": "C01", "status": "approved"}),
            "forbidden")  # a phone reads progress, it never sets it


def test_each_phone_behind_the_web_has_its_own_device_budget_of_wrong_tries(controller, kiosk):
    """Every phone comes through the one web device: a keyed hash of its address (`client`) keeps
    one phone's guesses from locking everyone else's look-ups."""
    phone, admin = controller.device("web-W1"), controller.device("admin-A")
    ok(admin.request("progress_set", {"application_no": "SQ2026900", "item": "C01", "status": "reviewing",
                                      "applicant_name": "王小明", "phone": "13812345678"}))
    guesser, neighbour = "a1" * 8, "b2" * 8
    limit = controller.config.progress_lock.device_max_wrong
    answers = [phone.request("query_progress", {"application_no": f"SQX{n:04d}", "phone_last4": "0000",
                                                "client": guesser})
               for n in range(limit)]
    assert [a["error"]["code"] for a in answers[:-1]] == ["not_found"] * (limit - 1)
    refused(answers[-1], "locked")
    right = {"application_no": "SQ2026900", "phone_last4": "5678"}
    refused(phone.request("query_progress", {**right, "client": guesser}), "locked")
    assert ok(phone.request("query_progress", {**right, "client": neighbour}))["application"]["status"] == "in_progress"
    assert controller.store.record("progress_tries", f"device:web-W1:client:{guesser}")["until"] is not None
    assert controller.store.record("progress_tries", "device:web-W1") is None  # the web's own budget untouched
    refused(phone.request("query_progress", {**right, "client": "not-a-hash"}), "bad_request")
    refused(kiosk.request("query_progress", {**right, "client": neighbour}), "bad_request")  # a kiosk names no one

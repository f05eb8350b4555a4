"""One set of figures: a scripted day through the real controller and Mosquitto — transfers to a
category and to a window, no-shows by hand and by the recall limit, call-backs of a held and of a
missed ticket, holds, ratings with a 差评, a tidal switch by hand, a login over another member of
staff and a controller restart — where the live figures (`stats`, each window's `window_stats`)
equal the daily report's for that day, during the day and once it has closed, and both equal a
count by hand of what the script did."""
from __future__ import annotations

from controller.figures import of_day
from testbed.controller import RunningController, staffed_window
from tests.support.hall import HallClock, at, ok

DAY = "2026-11-23"
COUNTS = ("issued", "served", "no_show", "transferred", "expired", "unfinished", "waiting", "held")
FIVE = ("served", "no_show", "transferred", "avg_wait_s", "avg_service_s")  # a window's 今日 line


def scripted_day(running, clock, hall_raw, broker, db):
    """The day as the script plays it; returns the controller still running at 10:45."""
    def t(hhmm):
        clock.now = at(hhmm, DAY)

    tokens = {}  # number -> the rating code printed on its ticket

    def issue(category):
        ticket = ok(kiosk.request("issue_ticket", {"category": category}))["ticket"]
        tokens[ticket["number"]] = ticket["rating_token"]

    kiosk = running.device("kiosk-K1")
    t("09:00")
    for category in ("general", "general", "social", "social", "tax"):             # A001 A002 B001 B002 E001
        issue(category)
    w1, w3 = staffed_window(running, 1), staffed_window(running, 3)               # staff 1001, 1003
    t("09:02"); assert ok(w1.request("call_next"))["ticket"]["number"] == "A001"
    t("09:03"); ok(w1.request("start"))
    t("09:04"); assert ok(w3.request("call_next"))["ticket"]["number"] == "B001"
    t("09:10"); ok(w1.request("finish"))
    assert ok(w1.request("call_next"))["ticket"]["number"] == "A002"
    t("09:11"); ok(w1.request("recall"))
    t("09:12"); ok(w1.request("no_show"))                                          # 过号 by hand
    ok(w3.request("hold"))                                                         # B001 set aside
    t("09:13"); assert ok(w3.request("call_next"))["ticket"]["number"] == "B002"
    t("09:14"); ok(w3.request("start"))
    t("09:20"); ok(w3.request("transfer", {"category": "tax"}))
    t("09:21"); ok(w3.request("call_back", {"number": "B001"}))
    t("09:25"); ok(w3.request("finish"))
    w8 = staffed_window(running, 8)                                                # staff 1005
    t("09:26"); assert ok(w8.request("call_next"))["ticket"]["number"] == "B002"   # taken at 09:00, before E001
    t("09:30"); ok(w8.request("finish"))
    assert ok(w8.request("call_next"))["ticket"]["number"] == "E001"
    for minute in ("09:31", "09:32", "09:33"):
        t(minute)
        ok(w8.request("recall"))                                                   # the third: 过号
    t("09:40")
    running.stop()                                                                 # the figures so far: from the store
    running = RunningController(hall_raw, db, broker, clock=clock)
    kiosk, w1, w3, w8 = (running.device(name) for name in ("kiosk-K1", "window-1", "window-3", "window-8"))
    admin = running.device("admin-ops")
    t("09:45")
    issue("general")                                                               # A003
    issue("social")                                                                # B003
    t("09:46")
    w10 = staffed_window(running, 10)                                              # staff 1002
    ok(admin.request("tidal_switch", {"target_window": 10, "category": "social"}))
    t("09:47"); assert ok(w10.request("call_next"))["ticket"]["number"] == "B003"
    t("09:48"); ok(w1.request("call_back", {"number": "A002"}))
    t("09:50"); ok(w1.request("start"))
    t("09:58"); ok(w1.request("finish"))
    assert ok(w1.request("call_next"))["ticket"]["number"] == "A003"
    t("10:00"); ok(w10.request("finish"))
    t("10:02"); ok(w1.request("transfer", {"to_window": 8}))
    t("10:05"); assert ok(w8.request("call_next"))["ticket"]["number"] == "A003"
    t("10:06"); ok(w8.request("start"))
    t("10:16"); ok(w8.request("finish"))
    for hhmm, number, level, reasons in (("10:20", "A001", 5, []), ("10:21", "B002", 2, ["slow"]),
                                         ("10:22", "A003", 4, [])):
        t(hhmm)
        ok(kiosk.request("rate", {"rating_token": tokens[number], "level": level, "reasons": reasons}))
    t("10:30")
    ok(w10.request("logout"))
    ok(w3.request("login", {"staff_id": "1007", "pin": "1234"}))                  # 1003's session ends
    t("10:40")
    for category in ("general", "tax", "estate"):                                  # A004 E002 C001
        ok(kiosk.request("issue_ticket", {"category": category}))
    t("10:41"); assert ok(w1.request("call_next"))["ticket"]["number"] == "A004"
    t("10:42"); ok(w1.request("hold"))
    t("10:43"); assert ok(w8.request("call_next"))["ticket"]["number"] == "E002"
    t("10:45")
    return running


def minutes(*hhmm_pairs) -> float:
    return sum(at(b, DAY) - at(a, DAY) for a, b in hhmm_pairs)


# --- the count by hand ---------------------------------------------------------------------
# waits (taking the ticket or the transfer → called from the queue), by category and calling window:
WAITS = [("general", 1, 120), ("social", 3, 240), ("general", 1, 600), ("social", 3, 780), ("tax", 8, 360),
         ("tax", 8, 1800), ("social", 10, 120), ("general", 1, 780), ("general", 8, 180), ("general", 1, 60),
         ("tax", 8, 180)]
# services finished (start, or the call when never started → finish): A001 B001 B002 A002 B003 A003
SERVICES = [("general", 1, 420), ("social", 3, 240), ("tax", 8, 240), ("general", 1, 480), ("social", 10, 780),
            ("general", 8, 600)]
STAFF = {1: "1001", 3: "1003", 8: "1005", 10: "1002"}


def by_hand(closed: bool) -> dict:
    """{scope: {key: figures}} as the script made them, at 10:45 or once the day has closed."""
    counts = {  # issued, served, no_show, transferred, expired, unfinished, waiting, held
        ("hall", ""): (10, 6, 2, 2, 3, 1, 0, 0) if closed else (10, 6, 2, 2, 0, 0, 1, 1),
        ("categories", "general"): (4, 3, 1, 1, 1, 0, 0, 0) if closed else (4, 3, 1, 1, 0, 0, 0, 1),
        ("categories", "social"): (3, 2, 0, 1, 0, 0, 0, 0),
        ("categories", "tax"): (2, 1, 1, 0, 1, 1, 0, 0) if closed else (2, 1, 1, 0, 0, 0, 0, 0),
        ("categories", "estate"): (1, 0, 0, 0, 1, 0, 0, 0) if closed else (1, 0, 0, 0, 0, 0, 1, 0),
        ("windows", "1"): (0, 2, 1, 1, 0, 0, 0, 0 if closed else 1),
        ("windows", "3"): (0, 1, 0, 1, 0, 0, 0, 0),
        ("windows", "8"): (0, 2, 1, 0, 0, 1 if closed else 0, 0, 0),
        ("windows", "10"): (0, 1, 0, 0, 0, 0, 0, 0),
        ("staff", "1007"): (0, 0, 0, 0, 0, 0, 0, 0),
    }
    for window, staff in STAFF.items():
        counts[("staff", staff)] = counts[("windows", str(window))]
    out = {}
    for (scope, key), values in counts.items():
        def mine(category, window):
            return {"hall": True, "categories": category == key, "windows": str(window) == key,
                    "staff": STAFF.get(window) == key}[scope]
        waits = [w for category, window, w in WAITS if mine(category, window)]
        services = [s for category, window, s in SERVICES if mine(category, window)]
        out.setdefault(scope, {})[key] = {**dict(zip(COUNTS, values)),
                                          "avg_wait_s": round(sum(waits) / len(waits), 1) if waits else None,
                                          "max_wait_s": max(waits) if waits else None,
                                          "avg_service_s": round(sum(services) / len(services), 1) if services else None}
    return out


def busy_and_staffed(closed: bool) -> dict:
    """(busy_s, staffed_s) per window: a ticket at the window, and staff logged in (to 10:45, or the day's end)."""
    end = ("10:45", DAY) if not closed else ("03:00", "2026-11-24")
    until = at(*end)
    return {"1": (minutes(("09:02", "09:10"), ("09:10", "09:12"), ("09:48", "09:58"), ("09:58", "10:02"),
                          ("10:41", "10:42")), until - at("09:00", DAY)),
            "3": (minutes(("09:04", "09:12"), ("09:13", "09:20"), ("09:21", "09:25")), until - at("09:00", DAY)),
            "8": (minutes(("09:26", "09:30"), ("09:30", "09:33"), ("10:05", "10:16")), until - at("09:25", DAY)),
            "10": (minutes(("09:47", "10:00")), minutes(("09:46", "10:30")))}


def assert_by_hand(figures: dict, closed: bool) -> None:
    expected = by_hand(closed)
    for scope, keys in expected.items():
        section = {"": figures["hall"]} if scope == "hall" else figures[scope]
        for key, want in keys.items():
            got = {k: section[key][k] for k in want}
            assert got == want, (scope, key)
    assert set(figures["categories"]) == set(expected["categories"])
    assert set(figures["windows"]) == set(expected["windows"])
    assert set(figures["staff"]) == set(expected["staff"])
    for window, (busy, staffed) in busy_and_staffed(closed).items():
        got = figures["windows"][window]
        assert (got["busy_s"], got["staffed_s"]) == (busy, staffed), window
    assert figures["staff"]["1003"]["staffed_s"] == minutes(("09:00", "10:30"))         # ended by 1007's login
    hall = figures["hall"]
    assert hall["p90_wait_s"] == 780 and hall["p90_service_s"] == 780
    if closed:
        assert hall["issued"] == hall["served"] + hall["expired"] + hall["unfinished"]  # every ticket accounted for
    assert [(h["hour"], h["issued"], h["served"], h["avg_wait_s"], h["max_waiting"]) for h in figures["hours"]] == [
        (9, 7, 4, 600.0, 5), (10, 3, 2, 140.0, 3)]
    ratings = figures["ratings"]
    assert (ratings["rated"], ratings["avg_rating"], ratings["bad"], ratings["by_level"]) == (
        3, 3.67, 1, {"5": 1, "4": 1, "3": 0, "2": 1, "1": 0})
    assert (ratings["active_rating_rate"], ratings["good_rate"], ratings["followups"]) == (50.0, 66.7, 1)
    assert (figures["windows"]["8"]["rated"], figures["windows"]["8"]["bad_ratings"]) == (2, 1)
    assert figures["categories"]["tax"]["avg_rating"] == 2.0


def live_equals_reported(running, windows: bool = True) -> dict:
    """`stats` (and, while it is the day, every window's `window_stats`) against the report of the
    same day at the same moment."""
    admin = running.device(f"admin-check{len(running.clients)}")
    live = ok(admin.request("stats", {"date": DAY}))
    reply = ok(admin.request("report", {"date": DAY}))
    daily = reply["daily"]
    assert {key: daily[key] for key in live} == live
    assert {key: reply[key] for key in live} == live
    for number in (1, 3, 8, 10) if windows else ():
        line = ok(running.device(f"window-{number}").request("window_stats"))
        assert {k: line[k] for k in FIVE} == {k: daily["windows"][str(number)][k] for k in FIVE}, number
        if line["staff_id"]:
            assert line["staff"] == {k: daily["staff"][line["staff_id"]][k] for k in FIVE}, number
    return live


def test_live_figures_equal_the_report_and_the_count_by_hand(broker, hall_raw, tmp_path):
    clock = HallClock(at("08:59", DAY))
    db = tmp_path / "hall.db"
    running = RunningController(hall_raw, db, broker, clock=clock)
    try:
        running = scripted_day(running, clock, hall_raw, broker, db)
        live = live_equals_reported(running)
        assert_by_hand(live, closed=False)
        w3 = ok(running.device("window-3").request("window_stats"))
        assert w3["staff_id"] == "1007" and w3["staff"] == {"served": 0, "no_show": 0, "transferred": 0,
                                                            "avg_wait_s": None, "avg_service_s": None}

        clock.now = at("03:00", "2026-11-24")                                      # the day ends
        assert ok(running.device("kiosk-K2").request("issue_ticket", {"category": "tax"}))["ticket"]["number"] == "E001"
        closed = live_equals_reported(running, windows=False)
        assert_by_hand(closed, closed=True)
        today = ok(running.device("admin-today").request("stats"))
        assert today["day"] == "2026-11-24" and today["hall"]["issued"] == 1 and today["staff"] == {}
        period_equals_by_hand(running.device("admin-period"))
    finally:
        running.stop()


def period_equals_by_hand(admin) -> None:
    """`period_report` (the console's reports): one closed day is the count by hand; that day and the
    next (one ticket waiting) add up; 差评 by reason; rankings by served, then 好评率, then wait."""
    one = ok(admin.request("period_report", {"first": DAY, "last": DAY}))
    for scope, keys in by_hand(closed=True).items():
        section = {"": one["hall"]} if scope == "hall" else one[scope]
        for key, want in keys.items():
            assert {k: section[key][k] for k in want} == want, (scope, key)
    for window, (busy, staffed) in busy_and_staffed(closed=True).items():
        assert (one["windows"][window]["busy_s"], one["windows"][window]["staffed_s"]) == (busy, staffed), window
    assert one["hall"]["peak_hour"] == 9 and one["hall"]["p90_wait_s"] == 780
    ratings = one["ratings"]
    assert (ratings["rated"], ratings["bad"], ratings["good_rate"], ratings["active_rating_rate"]) == (3, 1, 66.7, 50.0)
    assert one["bad_reasons"] == [{"category": "tax", "item": "", "reason": "slow", "count": 1}]
    assert one["rankings"]["windows"] == ["1", "8", "10", "3"]
    assert one["rankings"]["staff"] == ["1001", "1005", "1002", "1003"]
    assert one["days"] == [{"day": DAY, "working": True, "issued": 10, "served": 6, "avg_wait_s": 474.5,
                            "avg_service_s": 460.0, "rated": 3, "good_rate": 66.7, "bad_ratings": 1}]
    two = ok(admin.request("period_report", {"first": DAY, "last": "2026-11-30"}))  # days to come: none
    assert [d["day"] for d in two["days"]] == [DAY, "2026-11-24"] and two["working_days"] == 2
    assert (two["hall"]["issued"], two["hall"]["served"], two["hall"]["waiting"]) == (11, 6, 1)
    assert two["hall"]["avg_wait_s"] == one["hall"]["avg_wait_s"] and two["categories"]["tax"]["issued"] == 3
    refused = admin.request("period_report", {"first": "2026-01-01", "last": "2026-06-30"})
    assert refused["ok"] is False and refused["error"]["code"] == "bad_request"


def test_a_login_over_another_member_of_staff_ends_their_session():
    """The staffed time of one replaced at a window without logging out; and only this day's tickets
    count (the closing of an earlier day is recorded under this one)."""
    nine, ten = at("09:00", DAY), at("10:00", DAY)
    rows = [
        {"kind": "staff_login", "at": nine, "ticket_id": None, "window": 1, "staff_id": "1001",
         "before": {"staff_id": None}, "after": {"staff_id": "1001"}, "data": {}},
        {"kind": "ticket_closed_by_day_end", "at": nine + 5, "ticket_id": "2026-11-22-A001", "window": None,
         "staff_id": None, "before": {"status": "waiting"}, "after": {"status": "expired", "category": "general"},
         "data": {}},
        {"kind": "staff_login", "at": ten, "ticket_id": None, "window": 1, "staff_id": "1002",
         "before": {"staff_id": "1001", "login_at": nine}, "after": {"staff_id": "1002"}, "data": {}},
    ]
    figures = of_day(DAY, rows, timezone="Asia/Shanghai", now=ten + 600)
    assert figures["staff"]["1001"]["staffed_s"] == 3600 and figures["staff"]["1002"]["staffed_s"] == 600
    assert figures["windows"]["1"]["staffed_s"] == 4200 and figures["hall"]["expired"] == 0
    assert [h["hour"] for h in figures["hours"]] == [9, 10] and figures["categories"] == {}

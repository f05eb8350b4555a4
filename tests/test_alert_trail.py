"""电子监察's admin steps as rules with the time passed in: an alert assigned to a person, 督办 with a
deadline, overdue once that deadline passes with the alert still open, and the trail of every step
(who and when) — through the Supervisor and through the dispatch table as the controller runs it."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from contract.errors import CommandError
from contract.messages import SupervisionAlert
from controller import alerts
from controller.publish import event_messages
from controller.supervision import Finding
from tests.support.engine import Hall

T = 1_700_000_000.0
DAY = "2023-11-14"
WAIT = Finding("long_wait:A", "long_wait", T, 1800, 3600, ("等{min}", "wait {min}"), category="A")


def opened(supervisor=None):
    supervisor = supervisor or alerts.Supervisor()
    [(_, _, row)] = supervisor.review([WAIT], T + 1800, DAY)
    return supervisor, row


def steps(row) -> list[tuple]:
    return [(s["step"], s["at"], s["by"]) for s in alerts.trail(row)]


def test_the_trail_tells_every_step_with_who_and_when():
    supervisor, row = opened()
    _, row = supervisor.ack(row, "已通知", "admin-T1/zhao.min", T + 1900)
    _, row = supervisor.assign(row, "sun.li", None, "admin-T1/li.ming", T + 2000)
    _, row = supervisor.duban(row, T + 3000, "今天办结", None, "admin-T1/li.ming", T + 2100)
    [(change, _, red), (late, _, _)] = supervisor.review([WAIT], T + 3600, DAY)  # red, and its 督办 not met
    assert (change, late) == ("escalated", "overdue") and red["assigned_to"] == "sun.li" and red["note"] == "已通知"
    [(change, _, closed)] = supervisor.review([], T + 3700, DAY)
    assert change == "closed"
    assert steps(closed) == [("opened", T + 1800, "controller"), ("acked", T + 1900, "admin-T1/zhao.min"),
                             ("assigned", T + 2000, "admin-T1/li.ming"), ("duban", T + 2100, "admin-T1/li.ming"),
                             ("escalated", T + 3600, "controller"), ("overdue", T + 3600, "controller"),
                             ("closed", T + 3700, "controller")]
    said = {s["step"]: s for s in alerts.trail(closed)}
    assert said["opened"]["level"] == "yellow" and said["escalated"]["level"] == "red"
    assert said["acked"]["note"] == "已通知" and said["assigned"]["to"] == "sun.li"
    assert said["duban"]["deadline"] == T + 3000 and said["duban"]["note"] == "今天办结"


def test_a_duban_past_its_deadline_is_overdue_once_and_a_new_order_starts_again():
    supervisor, row = opened()
    _, row = supervisor.duban(row, T + 2000, "尽快", "wu.gang", "admin-T1/li.ming", T + 1850)
    assert row["assigned_to"] == "wu.gang" and not alerts.overdue(row, T + 2000) and alerts.overdue(row, T + 2001)
    assert supervisor.review([WAIT], T + 2000, DAY) == []
    [(change, _, late)] = supervisor.review([WAIT], T + 2001, DAY)
    assert change == "overdue" and late["overdue_at"] == T + 2001
    assert supervisor.review([WAIT], T + 2100, DAY) == []  # said once
    _, again = supervisor.duban(late, T + 3000, "再给一小时", None, "admin-T1/li.ming", T + 2200)
    assert again["overdue_at"] is None and again["assigned_to"] == "wu.gang"  # no new person: the old one stays
    assert [change for change, _, _ in supervisor.review([WAIT], T + 3001, DAY)] == ["overdue"]
    closed = supervisor.review([], T + 3100, DAY)[0][2]
    assert not alerts.overdue(closed, T + 9999)  # a closed alert is no longer waited for


@pytest.mark.parametrize("deadline", [T + 1800, T + 1000, T + 1800 + 91 * 86400])
def test_a_duban_deadline_must_lie_ahead_within_a_quarter(deadline):
    supervisor, row = opened()
    with pytest.raises(CommandError) as refused:
        supervisor.duban(row, deadline, "x", None, "admin-T1/li.ming", T + 1800)
    assert refused.value.code == "bad_request"


def test_a_closed_alert_is_neither_assigned_nor_ordered_but_may_still_be_noted():
    supervisor, row = opened()
    closed = supervisor.review([], T + 1900, DAY)[0][2]
    for act in (lambda: supervisor.assign(closed, "sun.li", None, "admin-T1/li.ming", T + 2000),
                lambda: supervisor.duban(closed, T + 9000, "x", None, "admin-T1/li.ming", T + 2000)):
        with pytest.raises(CommandError) as refused:
            act()
        assert refused.value.code == "invalid_state"
    _, noted = supervisor.ack(closed, "事后说明", "admin-T1/li.ming", T + 2000)
    assert [s["step"] for s in alerts.trail(noted)] == ["opened", "closed", "acked"]


def test_a_row_stored_before_alerts_kept_a_trail_gets_one_from_its_dates():
    row = {"opened_at": T, "escalated_at": T + 60, "acked_at": T + 30, "acked_by": "admin-ops", "note": "n",
           "closed_at": T + 90, "trail": None}
    assert [(s["step"], s["at"]) for s in alerts.trail(row)] == [("opened", T), ("acked", T + 30),
                                                                  ("escalated", T + 60), ("closed", T + 90)]


def test_assign_and_escalate_through_the_dispatch_table_say_who_and_go_on_the_wire():
    hall = Hall()
    supervisor, row = opened(hall.engine.supervisor)
    hall.store.records["alerts"] = {row["id"]: row}
    hall.now = T + 1900
    out = hall.do("alert_assign", by="admin-T1", alert_id=row["id"], to="孙丽 sun.li")
    assert out.error is None, out.error
    assert out.result["alert"]["assigned_to"] == "孙丽 sun.li" and out.result["alert"]["trail"][-1]["by"] == "admin-T1"
    tz = ZoneInfo(hall.config.timezone)
    local = datetime.fromtimestamp(T + 7200, tz).strftime("%Y-%m-%dT%H:%M")
    out = hall.do("alert_escalate", by="admin-T1", alert_id=row["id"], deadline=local, note="两小时内办结")
    assert out.error is None, out.error
    alert = out.result["alert"]
    assert alert["duban_deadline"] == datetime.fromisoformat(local).replace(tzinfo=tz).timestamp()
    assert alert["overdue"] is False and [s["step"] for s in alert["trail"]] == ["opened", "assigned", "duban"]
    [event] = [e for e in out.events if e.kind == "alert_duban"]
    [(kind, payload)] = event_messages(event)
    message = SupervisionAlert.model_validate(payload)
    assert kind == "alert" and message.change == "duban" and message.duban_deadline == alert["duban_deadline"]
    assert hall.do("alert_assign", by="admin-T1", alert_id=987654, to="x").error.code == "not_found"
    bad = hall.do("alert_escalate", by="admin-T1", alert_id=row["id"], deadline="2023-02-30T10:00", note="x")
    assert bad.error.code == "bad_request"

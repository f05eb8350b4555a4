"""电子监察: every alert rule by a table (time passed in), the alerts' life, and the view read from the engine."""
from __future__ import annotations

import pytest

from config.policies import Supervision
from contract.messages import SupervisionAlert
from controller import alerts, supervision
from controller.supervision import AtWindow, HallView, Waiting, WindowView
from controller.publish import event_messages
from tests.support.engine import Hall, local, make_config

T = 1_700_000_000.0
LIMITS = Supervision()          # the defaults: wait 30/60 min, service 30/60, no call 5/15, pause 15/30 ...
NAMES = {"A": {"zh": "综合受理", "en": "General"}, "B": {"zh": "社保医保", "en": "Social"}}


def view(**kw) -> HallView:
    return HallView(**{"waiting": {}, "windows": (), "open_now": True, "names": NAMES, **kw})


def keys(found):
    return sorted((f.kind, f.key, f.since) for f in found)


@pytest.mark.parametrize("name, state, expected", [
    ("nothing going on", view(), []),
    ("the oldest waiting ticket of each category",
     view(waiting={"A": Waiting("d-A001", "A001", T - 100, 3), "B": Waiting("d-B004", "B004", T - 5, 1)}),
     [("long_wait", "long_wait:A", T - 100), ("long_wait", "long_wait:B", T - 5)]),
    ("a service at a window, since it started",
     view(windows=(WindowView(3, True, current=AtWindow("d-B001", "B001", "B", T - 40), primary=("B",)),)),
     [("long_service", "long_service:3:d-B001", T - 40)]),
    ("an idle window while tickets it could call wait: dated by first sight",
     view(waiting={"B": Waiting("d-B001", "B001", T - 50, 2)},
          windows=(WindowView(1, True, primary=("A",), secondary=("B",)),)),
     [("long_wait", "long_wait:B", T - 50), ("no_call", "no_call:1", None)]),
    ("an idle window with nothing to call is fine",
     view(waiting={"B": Waiting("d-B001", "B001", T - 50, 2)}, windows=(WindowView(1, True, primary=("A",)),)),
     [("long_wait", "long_wait:B", T - 50)]),
    ("a ticket sent to this very window counts for it",
     view(windows=(WindowView(1, True, primary=("A",), sent_here=1),)),
     [("no_call", "no_call:1", None)]),
    ("a paused window, since its pause",
     view(windows=(WindowView(2, True, paused=True, paused_at=T - 70, pause_reason="break", primary=("A",)),)),
     [("long_pause", "long_pause:2", T - 70)]),
    ("nobody at a window the hall expects staffed while its own categories wait, in opening hours",
     view(staffed_windows=(4,), waiting={"A": Waiting("d-A001", "A001", T - 10, 1)},
          windows=(WindowView(4, False, primary=("A",)),)),
     [("long_wait", "long_wait:A", T - 10), ("unstaffed", "unstaffed:4", None)]),
    ("a closed window nobody is rostered for is not a cause",
     view(waiting={"A": Waiting("d-A001", "A001", T - 10, 1)},
          windows=tuple(WindowView(n, False, primary=("A",)) for n in range(1, 25))),
     [("long_wait", "long_wait:A", T - 10)]),
    ("outside opening hours an empty window is not a cause",
     view(open_now=False, staffed_windows=(4,), waiting={"A": Waiting("d-A001", "A001", T - 10, 1)},
          windows=(WindowView(4, False, primary=("A",)),)),
     [("long_wait", "long_wait:A", T - 10)]),
    ("only the windows that must be staffed",
     view(staffed_windows=(5,), waiting={"A": Waiting("d-A001", "A001", T - 10, 1)},
          windows=(WindowView(4, False, primary=("A",)),)),
     [("long_wait", "long_wait:A", T - 10)]),
    ("差评 follow-ups not closed, from their warning time",
     view(followups=({"id": "FU-1", "deadline_at": T + 3600, "status": "visited", "window": 3, "number": "B001"},
                     {"id": "FU-2", "deadline_at": T - 10, "status": "closed"})),
     [("followup_due", "followup_due:FU-1", T + 3600 - 86400)]),
    ("a long queue no tidal window can take",
     view(tidal_short={"B": (T - 30, 2400.0)}), [("tidal_short", "tidal_short:B", T - 30)]),
])
def test_rules_table(name, state, expected):
    assert keys(supervision.findings(state, LIMITS)) == sorted(expected), name


def test_limits_per_category_and_disabled():
    limits = Supervision.model_validate({"categories": {"B": {"wait": {"yellow_s": 60, "red_s": 120}}}})
    found = supervision.findings(view(waiting={"A": Waiting("a", "A001", T, 1), "B": Waiting("b", "B001", T, 1)}),
                                 limits)
    assert {f.category: (f.yellow_s, f.red_s) for f in found} == {"A": (1800, 3600), "B": (60, 120)}
    assert supervision.findings(view(waiting={"A": Waiting("a", "A001", T, 1)}),
                                Supervision.model_validate({"enabled": False})) == []


def lifecycle(state_at):
    """Play a Supervisor over (now, view) steps; returns [(now, change, kind, level)]."""
    supervisor = alerts.Supervisor()
    log = []
    for now, state in state_at:
        for change, before, after in supervisor.review(supervision.findings(state, LIMITS), now, "2024-03-05"):
            log.append((now, change, after["kind"], after["level"]))
    return supervisor, log


def test_an_alert_opens_yellow_turns_red_and_closes_when_its_cause_is_gone():
    waiting = view(waiting={"A": Waiting("d-A001", "A001", T, 4)})
    called = view()
    supervisor, log = lifecycle([(T + 1799, waiting), (T + 1800, waiting), (T + 2000, waiting),
                                 (T + 3600, waiting), (T + 3700, called)])
    assert log == [(T + 1800, "opened", "long_wait", "yellow"), (T + 3600, "escalated", "long_wait", "red"),
                   (T + 3700, "closed", "long_wait", "red")]
    assert supervisor.open == {}


def test_undated_causes_count_from_first_sight_and_start_again_when_they_stop():
    idle = view(waiting={"B": Waiting("b", "B001", T, 1)}, windows=(WindowView(1, True, primary=("B",)),))
    busy = view(waiting={"B": Waiting("b", "B001", T, 1)},
                windows=(WindowView(1, True, current=AtWindow("x", "B000", "B", T), primary=("B",)),))
    _, log = lifecycle([(T + 100, idle), (T + 399, idle), (T + 400, busy), (T + 500, idle), (T + 799, idle),
                        (T + 800, idle)])
    assert [(at, change, kind) for at, change, kind, _ in log if kind == "no_call"] == [(T + 800, "opened", "no_call")]


def test_a_follow_up_is_yellow_before_its_deadline_red_after_and_closes_when_closed():
    def state(status):
        return view(followups=({"id": "FU-9", "deadline_at": T, "status": status, "number": "B001", "window": 3},))
    _, log = lifecycle([(T - 90000, state("open")), (T - 86400, state("open")), (T + 1, state("visited")),
                        (T + 50, state("closed"))])
    assert log == [(T - 86400, "opened", "followup_due", "yellow"), (T + 1, "escalated", "followup_due", "red"),
                   (T + 50, "closed", "followup_due", "red")]


def test_ack_keeps_the_alert_open_and_the_row_says_who():
    waiting = view(waiting={"A": Waiting("d-A001", "A001", T, 4)})
    supervisor, _ = lifecycle([(T + 1800, waiting)])
    row = supervisor.open["long_wait:A"]
    before, after = supervisor.ack(row, "已增派人员 more staff sent", "admin-ops", T + 1900)
    assert before["acked_at"] is None and after["acked_by"] == "admin-ops" and after["status"] == "open"
    assert supervisor.open["long_wait:A"]["note"] == "已增派人员 more staff sent"
    event = alerts.event("acked", before, after, T + 1900, "admin-ops")
    assert event.window is None and event.ticket_id is None  # the ledger's ticket/window columns stay ticket rows
    [(kind, payload)] = event_messages(event)
    message = SupervisionAlert.model_validate(payload)
    assert kind == "alert" and message.change == "acked" and message.text.zh.startswith("综合受理：A001号已等候30分钟")


def test_the_view_read_from_the_engine():
    hall = Hall(make_config({"supervision": {"staffed_windows": [1, 2, 3]}}), now=local("09:00"))
    hall.login(1, "s1")
    hall.login(3, "s3")
    hall.issue("A")
    hall.issue("A")
    hall.issue("B")
    hall.ok("call_next", 1)
    hall.ok("pause", 3, reason="break")
    state = alerts.hall_view(hall.engine, hall.now)
    assert state.waiting["A"].number == "A002" and state.waiting["A"].count == 1
    assert state.waiting["B"].count == 1 and state.staffed_windows == (1, 2, 3)
    windows = {w.number: w for w in state.windows}
    assert windows[1].current.number == "A001" and windows[3].paused and not windows[2].staffed
    found = {f.kind for f in supervision.findings(state, hall.config.supervision)}
    assert found == {"long_wait", "long_service", "long_pause", "unstaffed"}

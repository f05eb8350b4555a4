"""The outcome at the window (受理, 补正, 不予受理, 即办, 咨询): what `finish` takes, what the ledger keeps,
and the daily figures against a count of the ledger's own rows."""
from __future__ import annotations

import csv
import re

import pytest
from pydantic import ValidationError

from contract.messages import OUTCOMES, Finish, describe_validation_error
from controller.store import Store
from reports.files import write_report
from testbed.controller import staffed_window
from tests.support.hall import ok, refused


@pytest.mark.parametrize("fields, problem", [
    ({"outcome": "supplement"}, "materials: a supplement"),
    ({"outcome": "refused"}, "reasons: a refusal"),
    ({"outcome": "refused", "reasons": []}, "reasons: a refusal"),
    ({"outcome": "accepted", "materials": ["身份证"]}, "materials: only with"),
    ({"outcome": "on_the_spot", "reasons": ["x"]}, "reasons: only with"),
    ({"outcome": "approved"}, "outcome:"),
    ({"outcome": "supplement", "materials": [""]}, "materials.0:"),
    ({"outcome": "supplement", "materials": ["x"] * 31}, "materials:"),
    ({"outcome": "refused", "reasons": ["不符合条件"], "note": "x"}, "note: unknown field"),
])
def test_finish_refuses_an_outcome_without_what_it_needs(fields, problem):
    with pytest.raises(ValidationError) as exc:
        Finish.model_validate({"id": "f1", **fields})
    assert problem in describe_validation_error(exc.value)


def test_a_finish_without_an_outcome_is_accepted():
    assert Finish.model_validate({"id": "f1"}).outcome == "accepted"  # keypads send no outcome
    assert Finish.model_validate({"id": "f1", "outcome": "supplement", "materials": ["户口簿"]}).materials == ["户口簿"]


# (outcome, details) of each service, in turn, at window 1
SERVICES = [
    ("accepted", {}), ("supplement", {"materials": ["户口簿原件", "近期免冠照片"]}),
    ("refused", {"reasons": ["申请人不符合申领条件"]}), ("on_the_spot", {}), ("consultation", {}),
    (None, {}),  # a keypad's 办结: no outcome
    ("supplement", {"materials": ["房产证复印件"]}), ("consultation", {}),
]


def test_outcomes_in_the_ledger_and_the_report(controller, kiosk, tmp_path):
    window, admin = staffed_window(controller, 1), controller.device("admin-console")
    for outcome, detail in SERVICES:
        ok(kiosk.request("issue_ticket", {"category": "general"}))
        ok(window.request("call_next"))
        reply = ok(window.request("finish", {**({"outcome": outcome} if outcome else {}), **detail}))
        assert reply["outcome"] == {"outcome": outcome or "accepted", **detail}
        assert reply["ticket"]["status"] == "done"
    ok(kiosk.request("issue_ticket", {"category": "general"}))
    ok(kiosk.request("issue_ticket", {"category": "general"}))
    ok(window.request("call_next"))
    ok(window.request("call_next"))  # ends the one before, accepted
    refused(window.request("finish", {"outcome": "refused"}), "bad_request")

    store = Store(str(controller.db))
    try:
        finished = [row for row in store.ledger("kind = 'ticket_finished'")]
    finally:
        store.close()
    by_hand = dict.fromkeys(OUTCOMES, 0)
    for row in finished:
        by_hand[row["data"]["outcome"]] += 1
    assert by_hand == {"accepted": 3, "supplement": 2, "refused": 1, "on_the_spot": 1, "consultation": 2}
    assert finished[1]["data"]["materials"] == ["户口簿原件", "近期免冠照片"]
    assert finished[2]["data"]["reasons"] == ["申请人不符合申领条件"]

    report = ok(admin.request("report"))
    for figures in (report, report["daily"]):  # live and replayed from the ledger
        assert figures["hall"]["outcomes"] == by_hand
        assert figures["windows"]["1"]["outcomes"] == by_hand
        assert figures["categories"]["general"]["outcomes"] == by_hand
        assert sum(figures["hall"]["outcomes"].values()) == figures["hall"]["served"]
    files = write_report(report["daily"], tmp_path / "out", charts_too=False)
    with open(files["csv"], encoding="utf-8-sig") as handle:
        hall = next(csv.DictReader(handle))
    assert {name: int(hall[f"outcome_{name}"]) for name in OUTCOMES} == by_hand
    html = files["html"].read_text(encoding="utf-8")
    table = html[html.index("办理结果 Outcomes at the window"):]
    table = table[:table.index("</table>")]
    assert "不予受理<br><small>Refused</small>" in table
    hall_line = table[table.index("全厅"):].split("</tr>")[0]
    assert [int(c) for c in re.findall(r"<td>(\d+)</td>", hall_line)] == [by_hand[o] for o in OUTCOMES]

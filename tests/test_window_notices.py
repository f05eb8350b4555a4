"""A window's written notices at its printer: a refusal (不予受理) or a 补正 recorded by `finish` prints its
notice at the window's printer behind a firmware bridge — the real broker, the controller, `main.py bridge`
as its own process and a printer twin on a pty pair. A printer out of paper keeps the notice and says why
at the window; it prints once paper is in. The bytes themselves are pinned by tests/test_escpos.py."""
from __future__ import annotations

import copy

from firmware_bridge.codecs import escpos
from controller.store import Store
from testbed.controller import RunningController, staffed_window
from tests.support.bridge import until
from tests.support.hall import Inbox, ok
from tests.support.slips import printed_lines

pytest_plugins = ("tests.support.bridge_fixtures",)  # printer_bridge: `main.py bridge` with a printer twin
WINDOW = 3  # the rig's window: serves social (B…)


def unprinted(controller) -> list[dict]:
    """The notices not printed yet, read as committed through a connection of the test's own (the
    controller's is its loop's)."""
    store = Store(str(controller.db))
    try:
        return store.notices_unprinted()
    finally:
        store.close()


def stored(controller, read):
    store = Store(str(controller.db))
    try:
        return read(store)
    finally:
        store.close()


def window_printer(controller, bridge_id: str) -> Inbox:
    """Window 3's printer set to the bridge's, live (config_patch); a listener on the hall's alerts and
    the bridge's device topics."""
    heard = Inbox()
    t = controller.service.topics
    controller.device("display-notices", deliver=heard, watch=(t.event("alert"), f"{t.root}/device/#"))
    admin = controller.device("admin-setup")
    ok(admin.request("config_patch", {"patch": {"windows": {str(WINDOW): {"printer": f"{bridge_id}/printer"}}}}))
    until(lambda: controller.service.printers.readiness(f"{bridge_id}/printer") == "ok", timeout=15,
          what="the controller hearing the window's printer online")
    return heard


def serve(controller, window, item: str = "B03") -> str:
    number = ok(controller.device("kiosk-K1").request("issue_ticket", {"item": item}))["ticket"]["number"]
    assert ok(window.request("call_next"))["ticket"]["number"] == number
    return number


def jobs(heard: Inbox) -> list[dict]:
    return [m.json() for m in heard.messages if m.topic.endswith("/printer/print")]


def test_a_refusal_at_the_window_prints_its_notice_at_the_windows_printer(controller, printer_bridge):
    rig, bridge_id = printer_bridge
    heard = window_printer(controller, bridge_id)
    window = staffed_window(controller, WINDOW)
    number = serve(controller, window)
    reply = ok(window.request("finish", {"outcome": "refused", "reasons": ["申请人不符合申请条件"]}))
    assert reply["notice"] == {"id": f"notice-{reply['ticket']['id']}", "printer": f"{bridge_id}/printer"}

    printed = rig.printer.wait_for_slips(1)
    assert len(jobs(heard)) == 1
    assert printed == [escpos.encode_job(jobs(heard)[0]["blocks"])]  # the controller's job, the one codec's bytes
    lines = printed_lines(printed[0])
    assert lines[:4] == ["示范市政务服务中心", "Demo City Government Service Center", "不予受理通知书", "Notice of refusal"]
    assert f"排队号码 Ticket：{number}" in lines and "办理事项 Item：养老保险关系转移" in lines
    assert "1. 申请人不符合申请条件" in lines and "   The applicant is not eligible" in lines
    assert any("行政复议" in line for line in lines) and any("administrative reconsideration" in line for line in lines)
    _, result = heard.wait_for(lambda t, d: t.endswith("/printer/result") and d["id"] == reply["notice"]["id"])
    assert result["ok"] is True
    until(lambda: unprinted(controller) == [], what="the notice marked printed")
    row = stored(controller, lambda store: store.record("notice_prints", reply["notice"]["id"]))
    assert row["printed_at"] and row["attempts"] == 1 and row["outcome"] == "refused"
    kinds = [r["kind"] for r in stored(controller, lambda store: store.ledger("kind LIKE 'notice_%'"))]
    assert "notice_printed" in kinds

    # an accepted service prints nothing
    serve(controller, window)
    ok(window.request("finish", {"outcome": "accepted"}))
    ok(window.request("window_stats"))  # a batch after it: a job would have gone out by now
    assert len(rig.printer.receipts) == 1 and len(jobs(heard)) == 1


def test_a_printer_out_of_paper_keeps_the_notice_says_why_and_prints_it_once_paper_is_in(controller, printer_bridge):
    rig, bridge_id = printer_bridge
    heard = window_printer(controller, bridge_id)
    window = staffed_window(controller, WINDOW)
    rig.printer.set_status("paper_out")
    until(lambda: controller.service.printers.readiness(f"{bridge_id}/printer") == "paper_out", timeout=10,
          what="paper out heard by the controller")
    number = serve(controller, window)
    reply = ok(window.request("finish", {"outcome": "supplement", "materials": ["居民身份证", "户口簿"]}))
    job = reply["notice"]["id"]

    _, waiting = heard.wait_for(lambda t, d: t.endswith("/event/alert") and d.get("kind") == "notice_print")
    assert waiting["id"] == job and waiting["window"] == WINDOW and waiting["status"] == "open"
    assert waiting["level"] == "red" and waiting["error"] == "paper_out" and waiting["number"] == number
    assert waiting["text"] == {"zh": f"{number}号的补正材料通知书未打印：打印机缺纸，补纸后自动打印",
                               "en": f"The notice of missing documents of {number} is not printed: "
                                     "the printer is out of paper; it prints once paper is in"}
    assert rig.printer.receipts == [] and jobs(heard) == []  # nothing sent to a printer without paper
    assert [row["id"] for row in unprinted(controller)] == [job]

    rig.printer.set_status("ok")
    printed = rig.printer.wait_for_slips(1)
    lines = printed_lines(printed[0])
    assert "补正材料通知书（一次性告知单）" in lines and f"排队号码 Ticket：{number}" in lines
    assert "1. 居民身份证（原件 1 份）" in lines and "2. 户口簿" in lines
    _, closed = heard.wait_for(lambda t, d: t.endswith("/event/alert") and d.get("kind") == "notice_print"
                               and d.get("status") == "closed")
    assert closed["id"] == job and closed["text"]["zh"] == f"{number}号的补正材料通知书已打印"
    until(lambda: unprinted(controller) == [], what="the notice marked printed")
    assert len(rig.printer.receipts) == 1 and len(jobs(heard)) == 1  # sent once paper was in, printed once


def test_a_refused_job_sent_again_by_its_id_is_printed_then(controller, printer_bridge):
    """The bridge answers a printed id again without printing; a refused id is printed when sent again."""
    rig, bridge_id = printer_bridge
    heard = window_printer(controller, bridge_id)
    client = controller.device("kiosk-K2")
    topic = controller.service.topics.bridge_device(bridge_id, "printer", "print")
    job = {"id": "k2-1", "blocks": [{"text": "B001"}]}
    rig.printer.set_status("paper_out")
    until(lambda: controller.service.printers.readiness(f"{bridge_id}/printer") == "paper_out", timeout=10,
          what="paper out")
    client.publish(topic, job)
    _, first = heard.wait_for(lambda t, d: t.endswith("/printer/result") and d["id"] == "k2-1")
    assert first["ok"] is False and first["error"]["code"] == "paper_out"
    rig.printer.set_status("ok")
    until(lambda: controller.service.printers.readiness(f"{bridge_id}/printer") == "ok", timeout=10, what="paper in")
    client.publish(topic, job)
    until(lambda: len([m for m in heard.messages if m.topic.endswith("/printer/result")]) == 2, what="the second answer")
    client.publish(topic, job)
    until(lambda: len([m for m in heard.messages if m.topic.endswith("/printer/result")]) == 3, what="the third answer")
    results = [m.json() for m in heard.messages if m.topic.endswith("/printer/result")]
    assert results[1]["ok"] and results[2] == results[1]
    assert len(rig.printer.receipts) == 1


def test_a_notice_waiting_for_paper_is_printed_by_the_next_controller_after_a_restart(controller, printer_bridge,
                                                                                      hall_raw, broker):
    rig, bridge_id = printer_bridge
    window_printer(controller, bridge_id)
    window = staffed_window(controller, WINDOW)
    rig.printer.set_status("paper_out")
    until(lambda: controller.service.printers.readiness(f"{bridge_id}/printer") == "paper_out", timeout=10,
          what="paper out")
    serve(controller, window)
    job = ok(window.request("finish", {"outcome": "refused", "reasons": ["超过法定申请期限"]}))["notice"]["id"]
    controller.stop()  # the reply meant stored: the notice is in the store, not in the stopped process

    raw = copy.deepcopy(hall_raw)
    raw["windows"][WINDOW]["printer"] = f"{bridge_id}/printer"
    again = RunningController(raw, controller.db, broker)
    try:
        assert [row["id"] for row in unprinted(again)] == [job]
        rig.printer.set_status("ok")
        printed = rig.printer.wait_for_slips(1)
        assert "不予受理通知书" in printed_lines(printed[0]) and "1. 超过法定申请期限" in printed_lines(printed[0])
        until(lambda: unprinted(again) == [], what="the notice marked printed")
        assert len(rig.printer.receipts) == 1
    finally:
        again.stop()


def test_a_printer_nobody_has_heard_of_keeps_the_notice_and_says_so_at_the_window(controller):
    heard = Inbox()
    controller.device("display-alerts", deliver=heard, watch=(controller.service.topics.event("alert"),))
    admin = controller.device("admin-setup")
    ok(admin.request("config_patch", {"patch": {"windows": {str(WINDOW): {"printer": "bridge-nowhere/printer"}}}}))
    window = staffed_window(controller, WINDOW)
    number = serve(controller, window)
    job = ok(window.request("finish", {"outcome": "refused", "reasons": ["其他法定不予受理情形"]}))["notice"]["id"]
    _, alert = heard.wait_for(lambda t, d: d.get("kind") == "notice_print", timeout=15)
    assert alert["id"] == job and alert["error"] == "unknown_printer" and alert["number"] == number
    assert alert["text"]["zh"].endswith("未打印：未找到配置的打印机") and alert["printer"] == "bridge-nowhere/printer"
    assert [row["id"] for row in unprinted(controller)] == [job]


def test_results_that_do_not_fit_mark_nothing_printed_and_the_loop_goes_on(controller, printer_bridge):
    """Garbage, a result of another printer for the notice's id, a result nobody asked for: ignored."""
    rig, bridge_id = printer_bridge
    heard = window_printer(controller, bridge_id)
    window = staffed_window(controller, WINDOW)
    rig.printer.set_status("paper_out")
    until(lambda: controller.service.printers.readiness(f"{bridge_id}/printer") == "paper_out", timeout=10,
          what="paper out")
    serve(controller, window)
    job = ok(window.request("finish", {"outcome": "refused", "reasons": ["超过法定申请期限"]}))["notice"]["id"]
    heard.wait_for(lambda t, d: t.endswith("/event/alert") and d.get("id") == job)
    t = controller.service.topics
    forger = controller.device("admin-forger")  # any login that could publish there (the broker's ACL aside)
    forged = {"id": job, "ok": True, "paper": "ok", "error": None}
    forger.publish(t.bridge_device("bridge-other", "printer", "result"), forged)  # not the notice's printer
    forger.publish(t.bridge_device(bridge_id, "printer", "result"), {"id": job, "ok": "yes"})  # not a result
    forger.publish(t.bridge_device(bridge_id, "printer", "result"), b"\xff{")
    forger.publish(f"{t.root}/status/{bridge_id}/printer", {"status": "online", "kind": "printer"})  # no port, at
    assert ok(window.request("window_stats"))  # the loop took them and goes on
    assert [row["id"] for row in unprinted(controller)] == [job]
    assert controller.service.printers.readiness(f"{bridge_id}/printer") == "paper_out"  # a broken status: kept
    rig.printer.set_status("ok")  # paper in: the notice prints
    rig.printer.wait_for_slips(1)
    until(lambda: unprinted(controller) == [], what="the notice marked printed")

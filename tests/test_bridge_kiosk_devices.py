"""A kiosk's serial printer and ID card reader behind the bridge: print jobs in over MQTT, ESC/POS out on the
pty; card reads out over MQTT with the ID number hashed before it leaves the bridge."""
from __future__ import annotations

import datetime as dt

from contract.devices import BridgeDeviceStatus, CardRead, PrintResult
from contract.privacy import hash_id_number
from firmware_bridge.codecs.ga467 import CardInfo
from tests.support.bridge import status_of, until

pytest_plugins = ("tests.support.bridge_fixtures",)

JOB = {"id": "k9-0001", "blocks": [
    {"text": "示范市政务服务中心", "align": "center", "size": 2, "bold": True},
    {"text": "B001\n社会保障 · 请留意叫号"},
    {"qr": "https://qms.example/rate/7f3a"},
    {"feed": 1}]}
CARD = CardInfo(name="张三丰", sex="1", nation="01", birth="19500102", address="浙江省杭州市上城区解放路1号",
                id_number="33010219500102001X", authority="杭州市公安局上城分局", valid_from="20100101",
                valid_to="长期")


def print_topic(bridge, kind="print"):
    return bridge.topics.bridge_device(bridge.device_id, "printer", kind)


def results(hall):
    return [m.json() for m in hall.messages if m.topic.endswith("/printer/result")]


def test_a_print_job_comes_out_as_chinese_esc_pos_with_qr_and_cut_once(controller, rig, bridge, hall):
    kiosk = controller.device("kiosk-K9")
    kiosk.publish(print_topic(bridge), JOB)
    _, result = hall.wait_for(lambda t, d: t.endswith("/printer/result"))
    assert result == {"id": "k9-0001", "ok": True, "paper": "ok", "error": None}
    PrintResult.model_validate(result)
    BridgeDeviceStatus.model_validate(status_of(hall, "printer"))
    rig.printer.wait_for(lambda: rig.printer.receipts, what="a receipt")
    receipt = rig.printer.receipts[0]
    assert receipt["chinese"] is True  # FS & was sent before the text
    assert receipt["lines"][:3] == ["示范市政务服务中心", "B001", "社会保障 · 请留意叫号"]
    assert receipt["qr"] == ["https://qms.example/rate/7f3a"]

    kiosk.publish(print_topic(bridge), JOB)  # QoS 1 delivered it twice: the same answer, one ticket
    until(lambda: len(results(hall)) == 2, what="the second answer")
    assert results(hall)[1] == result
    assert len(rig.printer.receipts) == 1 and bridge.stats()["printer"]["duplicate_job"] == 1


def test_paper_out_refuses_the_job_and_shows_in_the_status(controller, rig, bridge, hall):
    until(lambda: status_of(hall, "printer").get("paper") == "ok", what="paper ok")
    rig.printer.set_status("paper_out")
    until(lambda: status_of(hall, "printer").get("paper") == "paper_out", what="paper out in the retained status")
    controller.device("kiosk-K9").publish(print_topic(bridge), JOB)
    _, result = hall.wait_for(lambda t, d: t.endswith("/printer/result"))
    assert result["ok"] is False and result["paper"] == "paper_out"
    assert result["error"] == {"code": "paper_out", "message": "The printer is out of paper; please ask the staff",
                               "message_zh": "打印机缺纸，请联系工作人员"}
    rig.printer.set_status("paper_near_end")
    controller.device("kiosk-K8").publish(print_topic(bridge), {**JOB, "id": "k8-1"})
    until(lambda: len(results(hall)) == 2, what="the second answer")
    assert results(hall)[1]["ok"] and results(hall)[1]["paper"] == "paper_near_end"
    assert len(rig.printer.receipts) == 1


def test_a_bad_print_job_is_refused_naming_the_field(controller, rig, bridge, hall):
    kiosk = controller.device("kiosk-K9")
    kiosk.publish(print_topic(bridge), {"id": "k9-2", "blocks": [{"text": "x", "colour": "red"}]})
    kiosk.publish(print_topic(bridge), b"\xff not json")
    until(lambda: len(results(hall)) == 2, what="two answers")
    first, second = results(hall)
    assert first["id"] == "k9-2" and first["error"]["code"] == "bad_request"
    assert "blocks.0" in first["error"]["message"]
    assert second["id"] is None and second["error"]["code"] == "bad_request"
    assert rig.printer.receipts == [] and bridge.stats()["printer"]["bad_job"] == 2


def test_a_card_read_leaves_the_bridge_hashed_and_masked(controller, rig, bridge, hall):
    rig.reader.put(CARD)
    topic, event = hall.wait_for(lambda t, d: t.endswith("/device/bridge-virtual/reader/card"))
    CardRead.model_validate(event)  # the documented model, nothing more
    salt = rig.salt_file.read_bytes().strip()
    today = dt.date.today()
    age = today.year - 1950 - ((today.month, today.day) < (1, 2))
    assert {k: v for k, v in event.items() if k != "at"} == {
        "id_hash": hash_id_number(CARD.id_number, salt), "name": "张*丰", "sex": "男", "age": age, "expired": False}
    raw = next(m.payload for m in hall.messages if m.topic == topic)
    for secret in (CARD.id_number, "张三丰", "解放路", "19500102"):
        assert secret.encode() not in raw and secret.encode("utf-16-le") not in raw

    finds = rig.reader.requests[b"\x20\x01"]
    rig.reader.wait_for(lambda: rig.reader.requests[b"\x20\x01"] >= finds + 5, what="five more searches")
    assert len([m for m in hall.messages if m.topic == topic]) == 1  # a card lying there is read once
    rig.reader.lift()
    rig.reader.wait_for(lambda: rig.reader.requests[b"\x20\x01"] >= finds + 8, what="the card lifted")
    rig.reader.put(CARD)
    until(lambda: len([m for m in hall.messages if m.topic == topic]) == 2, what="the card put down again")

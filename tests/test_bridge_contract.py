"""The bridge's part of the contract: golden topic strings and strict payload models (contract/devices.py)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from contract.devices import BridgeDeviceStatus, CardRead, PrintJob, PrintResult, print_error
from contract.messages import describe_validation_error
from contract.topics import Topics


def test_bridge_topics_are_spelled_as_documented():
    t = Topics("demo")
    assert t.bridge_device_status("bridge-floor1", "keypad-3") == "qms/demo/status/bridge-floor1/keypad-3"
    assert t.bridge_device("bridge-k1", "printer", "print") == "qms/demo/device/bridge-k1/printer/print"
    assert t.bridge_device("bridge-k1", "printer", "result") == "qms/demo/device/bridge-k1/printer/result"
    assert t.bridge_device("bridge-k1", "reader", "card") == "qms/demo/device/bridge-k1/reader/card"
    assert t.bridge_device_all("bridge-k1", "print") == "qms/demo/device/bridge-k1/+/print"
    assert t.parse_bridge_device("qms/demo/device/bridge-k1/printer/print") == ("bridge-k1", "printer", "print")
    for topic in ("qms/other/device/b/p/print", "qms/demo/device/b/p/eject", "qms/demo/device/b/print", ""):
        assert t.parse_bridge_device(topic) is None
    with pytest.raises(ValueError):
        t.bridge_device("bridge-k1", "printer", "eject")
    with pytest.raises(ValueError):
        t.bridge_device_status("bridge-k1", "a/b")


def test_a_print_job_is_strict_and_names_the_bad_field():
    job = PrintJob.model_validate({"id": "k1-1", "blocks": [{"text": "A001", "size": 2}, {"qr": "x"}, {"feed": 2},
                                                            {"text": "告知单", "size": [1, 2]}]})
    assert [type(b).__name__ for b in job.blocks] == ["PrintText", "PrintQr", "PrintFeed", "PrintText"]
    for payload, field in [({"id": "k1-1", "blocks": []}, "blocks"),
                           ({"id": "k1-1", "blocks": [{"text": "A", "size": 9}]}, "blocks.0"),
                           ({"id": "k1-1", "blocks": [{"text": "A", "size": [1, 2, 3]}]}, "blocks.0"),
                           ({"id": "k1-1", "blocks": [{"text": "A"}], "copies": 2}, "copies: unknown field"),
                           ({"blocks": [{"text": "A"}]}, "id: required field missing")]:
        with pytest.raises(ValidationError) as exc:
            PrintJob.model_validate(payload)
        assert describe_validation_error(exc.value).startswith(field)


def test_results_statuses_and_card_reads_have_the_documented_shape():
    assert PrintResult.model_validate({"id": "k1-1", "ok": False, "paper": "paper_out",
                                       "error": print_error("paper_out")})
    for words in ("out", "near_end", "unknown"):  # one vocabulary: the kiosk's device_status words
        with pytest.raises(ValidationError):
            PrintResult.model_validate({"id": "k1-1", "ok": True, "paper": words})
    assert BridgeDeviceStatus.model_validate({"status": "online", "kind": "keypad", "port": "rs485", "window": 3,
                                        "paper": None, "at": 1.0})
    card = {"at": 1.0, "id_hash": "0" * 64, "name": "张*丰", "sex": "男", "age": 76, "expired": False}
    assert CardRead.model_validate(card)
    with pytest.raises(ValidationError):
        CardRead.model_validate({**card, "id_number": "33010219500102001X"})  # never part of a card read

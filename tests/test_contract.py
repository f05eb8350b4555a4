"""The contract module: golden topic strings, strict payload models, privacy helpers."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from contract.client import encode, parse_broker
from contract.errors import ERROR_CODES, CommandError
from contract.messages import ACTIONS, IssueTicket, Login, NumberCommand, describe_validation_error
from contract.privacy import check_pin, hash_id_number, hash_pin, mask_name, mask_phone
from contract.topics import Topics


def test_topics_are_spelled_as_the_contract_says():
    t = Topics("demo")
    assert t.cmd("kiosk-K1", "issue_ticket") == "qms/demo/cmd/kiosk-K1/issue_ticket"
    assert t.cmd_all() == "qms/demo/cmd/#"
    assert t.reply("window-3") == "qms/demo/reply/window-3"
    assert t.state_queues() == "qms/demo/state/queues"
    assert t.state_window(3) == "qms/demo/state/window/3"
    assert t.state_calls() == "qms/demo/state/calls"
    assert t.state_config() == "qms/demo/state/config"
    assert t.event("called") == "qms/demo/event/called"
    assert t.status("controller") == "qms/demo/status/controller"
    assert t.status_all() == "qms/demo/status/+"
    assert t.parse_cmd("qms/demo/cmd/window-3/call_next") == ("window-3", "call_next")
    assert t.parse_window_state("qms/demo/state/window/12") == 12
    assert t.parse_event("qms/demo/event/alert") == "alert"


@pytest.mark.parametrize("topic", ["qms/other/cmd/k/a", "qms/demo/cmd/k", "qms/demo/cmd/k/a/b", "qms/demo/reply/k",
                                   "qms/demo/cmd/+/a", "qms/demo/cmd/k/#", ""])
def test_foreign_or_malformed_command_topics_are_not_commands(topic):
    assert Topics("demo").parse_cmd(topic) is None


@pytest.mark.parametrize("bad", ["a/b", "+", "#", "", "x" * 65, "空格 id"])
def test_segments_that_would_break_routing_are_refused(bad):
    with pytest.raises(ValueError):
        Topics("demo").cmd(bad, "issue_ticket")
    with pytest.raises(ValueError):
        Topics(bad)


def test_event_kinds_are_closed():
    with pytest.raises(ValueError):
        Topics("demo").event("gossip")


def test_models_refuse_extra_keys_and_coercion():
    assert IssueTicket.model_validate({"id": "1", "category": "A"}).group == "normal"
    for payload, field in [({"id": "1", "category": "A", "extra": 1}, "extra: unknown field"),
                           ({"id": 1, "category": "A"}, "id:"),
                           ({"id": "1", "category": "A", "group": "vip"}, "group:"),
                           ({"id": "1", "lang": "fr"}, "lang:"),
                           ({"id": "1", "applicant": {"id_hash": "not-hex"}}, "applicant.id_hash:"),
                           ({"id": "1", "window": "3"}, "window:")]:
        with pytest.raises(ValidationError) as exc:
            IssueTicket.model_validate(payload)
        assert describe_validation_error(exc.value).startswith(field)
    with pytest.raises(ValidationError) as exc:
        Login.model_validate({"id": "1", "staff_id": "1001"})
    assert describe_validation_error(exc.value) == "pin: required field missing"
    with pytest.raises(ValidationError):
        NumberCommand.model_validate({"id": "1", "number": "A1"})


def test_every_contract_action_has_a_role_and_model():
    window_actions = {"login", "logout", "call_next", "recall", "no_show", "hold", "call_back", "call_specific",
                      "start", "finish", "transfer", "pause", "resume", "invite_rating"}
    assert window_actions <= {a for a, (role, _) in ACTIONS.items() if role == "window"}
    assert {"issue_ticket", "rate"} <= {a for a, (role, _) in ACTIONS.items() if role == "kiosk"}
    assert {"config_get", "config_set", "config_patch", "stats", "report"} <= {
        a for a, (role, _) in ACTIONS.items() if role == "admin"}


def test_error_codes_are_stable_and_bilingual():
    assert set(ERROR_CODES) >= {"bad_request", "unknown_action", "forbidden", "not_found", "invalid_state",
                                "queue_empty", "closed", "duplicate"}
    for zh, en in ERROR_CODES.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()
    assert CommandError("closed").as_dict() == {"code": "closed", "message": "Not open now", "message_zh": "暂停取号"}
    with pytest.raises(ValueError):
        CommandError("whatever")


def test_masks_and_hashes():
    assert mask_name("张三") == "张*" and mask_name("张三丰") == "张*丰" and mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("") == "" and mask_name(None) == ""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12") == "12" and mask_phone("") == ""
    salt = b"hall-salt-0123456789"
    digest = hash_id_number("11010519491231002x", salt)
    assert digest == hash_id_number("11010519491231002X ", salt) and len(digest) == 64
    assert "1101051949" not in digest and digest != hash_id_number("11010519491231002X", b"other-salt-0123456789")
    stored = hash_pin("1234", salt=b"12345678")
    assert check_pin("1234", stored) and not check_pin("4321", stored)
    assert not check_pin("1234", "garbage") and not check_pin("1234", "md5$1$00$00")


def test_json_and_broker_address_helpers():
    assert encode({"zh": "请A001号"}) == '{"zh":"请A001号"}'.encode()
    assert parse_broker("10.0.0.2:1884") == ("10.0.0.2", 1884)
    assert parse_broker("broker.local") == ("broker.local", 1883)
    with pytest.raises(ValueError):
        parse_broker("host:notaport")

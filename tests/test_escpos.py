"""The one ESC/POS codec, byte for byte: what the kiosk and the bridge both send, and the printer's side.

`QMS_UPDATE_GOLDEN=1 pytest tests/test_escpos.py` rewrites the golden files
after an intended change of the ticket slip or the window notices; review its diff (`xxd`) before committing.
"""
from __future__ import annotations

import os
import re

import pytest

from firmware_bridge.codecs import escpos as p
from contract import guide as guides
from kiosk.printing import slips
from tests.support.slips import GOLDEN, NOTICE_AT, NOTICE_DETAIL, NOTICE_GOLDEN, NOTICE_TICKET, SLIP, printed_lines

def b(text: str) -> bytes:
    return bytes.fromhex(text)


def test_commands_are_the_bytes_printers_expect():
    assert p.INIT == b("1b 40") and p.CHINESE_ON == b("1c 26") and p.CHINESE_OFF == b("1c 2e")
    assert p.size(4, 4) == b("1d 21 33") and p.size(1, 2) == b("1d 21 01") and p.size(1, 1) == b("1d 21 00")
    assert p.cut() == b("1d 56 42 03")  # GS V 66 3: feed past the cutter, partial cut
    assert p.align("center") == b("1b 61 01") and p.bold(True) == b("1b 45 01") and p.feed(2) == b("1b 64 02")
    assert p.PAPER_STATUS == b("10 04 04")
    assert p.qr("AB") == b(
        "1d 28 6b 04 00 31 41 32 00"      # model 2
        "1d 28 6b 03 00 31 43 06"         # module 6 dots
        "1d 28 6b 03 00 31 45 31"         # error correction M
        "1d 28 6b 05 00 31 50 30 41 42"   # store "AB"
        "1d 28 6b 03 00 31 51 30")        # print
    assert p.text("社保") == b("c9 e7 b1 a3")  # GB18030


def test_qr_data_is_utf8_and_bounded():
    assert p.qr("https://q/t/é")[-len("https://q/t/é".encode()) - 8:].startswith("https://q/t/é".encode())
    with pytest.raises(ValueError):
        p.qr("")
    with pytest.raises(ValueError):
        p.qr("x", module=17)


def test_a_job_sends_style_changes_only_and_sets_enlarged_text_back():
    job = p.encode_job([{"text": "号", "align": "center", "size": 2, "bold": True}, {"text": "A\nB", "align": "center"},
                        {"qr": "AB"}, {"feed": 1}, {"text": "x", "size": [1, 2]}])
    assert job == b(
        "1b 40 1c 26"                          # ESC @ init, FS & Chinese mode
        "1b 61 01 1d 21 11 1b 45 01 ba c5 0a"  # centre, double size, bold, 号 in GB18030, LF
        "1d 21 00"                             # back to normal size
        "1b 45 00 41 0a 42 0a"                 # bold off (alignment unchanged), two lines
        "1d 28 6b 04 00 31 41 32 00"           # the QR code, centred already: GS ( k model 2
        "1d 28 6b 03 00 31 43 06"              # module size 6
        "1d 28 6b 03 00 31 45 31"              # error correction M
        "1d 28 6b 05 00 31 50 30 41 42"        # store "AB"
        "1d 28 6b 03 00 31 51 30"              # print it
        "1b 64 01"                             # feed one line
        "1b 61 00 1d 21 01 78 0a 1d 21 00"     # left, double height, x, normal
        "1c 2e 1d 56 42 03")                   # FS . leave Chinese mode, cut
    assert p.encode_job([{"text": "x"}], cut_after=False).endswith(b("78 0a 1c 2e"))


@pytest.mark.parametrize("byte, status", [(0x12, "ok"), (0x1E, "paper_near_end"), (0x72, "paper_out"),
                                          (0x7E, "paper_out"), (0x00, None), (0xFF, None), (0x13, None)])
def test_paper_status_answers_in_the_contracts_words(byte, status):
    assert p.paper_status(byte) == status
    if status:
        assert p.paper_status(p.status_byte(status)) == status
        assert p.StatusParser().feed(bytes((0xFF, byte))) == [byte]  # noise before it is skipped


def test_the_printer_side_reads_a_job_back_with_its_bytes():
    job = p.encode_job([{"text": "示范市 A001"}, {"qr": "https://q/1"}])
    parser = p.JobParser()
    events = parser.feed(job[:4] + p.PAPER_STATUS + job[4:])  # a status request between two commands
    assert ("text", "示范市 A001".encode("gb18030")) in events and ("qr", "https://q/1") in events
    assert ("chinese", True) in events and ("status", 4) in events
    assert events[-1] == ("cut", job)  # the job's bytes, without the real-time request


def test_the_ticket_slip_is_byte_for_byte_the_golden_file():
    data = p.encode_job(slips.ticket(SLIP, width=48))
    if os.environ.get("QMS_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes()
    assert data.startswith(p.INIT + p.CHINESE_ON) and data.endswith(p.CHINESE_OFF + p.cut())
    assert p.size(4, 4) + b"B007\n" in data and "社保医保".encode("gb18030") in data
    assert p.qr("ABCDEFGHIJKLMNOP") in data and b"2026-11-23 09:03" in data


def test_the_slip_prints_the_qr_text_as_given_and_the_code_under_it():
    slip = slips.TicketSlip(**{**SLIP.__dict__, "qr": "https://hall.example/t/ABCDEFGHIJKLMNOP"})
    data = p.encode_job(slips.ticket(slip))
    assert p.qr("https://hall.example/t/ABCDEFGHIJKLMNOP") + b"ABCDEFGHIJKLMNOP\n" in data


def notice_sections(lines: list[str]) -> dict[str, list[str]]:
    """The printed 告知单 cut at its 【heading】 lines: heading -> the lines under it."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.startswith("【"):
            current = line[1:line.index("】")]
            sections[current] = []
        elif current and not line.startswith("-"):
            sections[current].append(line)
    return sections


def test_the_one_time_notice_prints_every_section_of_the_guide_once_numbered():
    from contract.hall import HallMirror
    from tests.support.kiosk_fakes import demo_config_payload

    hall = HallMirror()
    hall.apply_config(demo_config_payload())
    item = hall.item("C01")
    notice = slips.NoticeSlip(hall=tuple(hall.name), item=tuple(item.name), printed="2026-11-23 09:05",
                              sections=[(tuple(h), [tuple(line) for line in lines])
                                        for _, h, lines in guides.sections(hall, item)])
    for width in (48, 32):
        data = p.encode_job(slips.notice(notice, width=width))
        assert data.startswith(p.INIT + p.CHINESE_ON) and data.endswith(p.CHINESE_OFF + p.cut())
        lines = printed_lines(data)
        assert all(slips.columns(line) <= width for line in lines)
        sections = notice_sections(lines)
        assert list(sections) == ["受理条件", "申请材料", "办理流程", "办理时限", "收费标准", "办理窗口", "咨询电话",
                                  "设定依据"]
        text = {name: "".join(body) for name, body in sections.items()}
        guide = item.guide
        assert guide["conditions"]["zh"] in text["受理条件"]
        # each material's Chinese line, then its English, numbered once
        numbers = [int(m.group(1)) for line in sections["申请材料"] if (m := re.match(r"^(\d+)\. ", line))]
        assert numbers == [n for n in range(1, len(guide["materials"]) + 1) for _ in "zh en".split()]
        assert not any(re.match(r"^\d+\.\s*\d+\.", line) for line in lines)  # "1. 1." numbered twice
        for step in guide["steps"]:
            assert step["zh"] in text["办理流程"]
        assert "承诺 5 个工作日" in text["办理时限"] and "promised 5 working days" in " ".join(sections["办理时限"])
        assert guide["fees"]["en"] in " ".join(sections["收费标准"])
        assert guide["fees"]["zh"] in text["收费标准"]
        assert text["办理窗口"].startswith("5号窗口、6号窗口") and guide["phone"] in text["咨询电话"]
        english = " ".join(sections["受理条件"][1:])
        assert " ".join(guide["conditions"]["en"].split()) in " ".join(english.split())


def test_english_on_paper_breaks_between_words():
    text = ("Residents registered in this city whose resident ID card is lost, damaged, or being applied for or "
            "renewed, and who need to prove their identity, may apply for a temporary identity certificate.")
    for width in (48, 32):
        lines = slips.wrap(text, width)
        words = text.split()
        assert " ".join(lines).split() == words and all(slips.columns(line) <= width for line in lines)


def test_lines_wrap_by_printed_width():
    assert slips.wrap("办理窗口：3号窗口、4号窗口", 16) == ["办理窗口：3号窗", "口、4号窗口"]
    assert slips.wrap("Windows: Window 3, Window 4", 16) == ["Windows: Window", "3, Window 4"]
    assert all(slips.columns(line) <= 32 for line in slips.wrap("请留意叫号，过号请与窗口联系 Listen for your number", 32))


def test_slips_are_valid_print_jobs_for_a_bridge():
    from contract.devices import PrintJob

    job = PrintJob.model_validate({"id": "k1-1", "blocks": slips.ticket(SLIP)})
    assert p.encode_job([block.model_dump() for block in job.blocks]) == GOLDEN.read_bytes()


def window_notice(outcome: str) -> bytes:
    """The notice the controller sends to window 3's printer for B007 (controller/notices.py), as its bytes."""
    import yaml

    from config.schema import validate
    from controller import notices
    from testbed.controller import DEMO_CONFIG

    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    raw["windows"][3]["printer"] = "bridge-W1/printer"
    config = validate(raw)
    row = notices.row(config, 3, NOTICE_TICKET, outcome, NOTICE_DETAIL[outcome], NOTICE_AT)
    return p.encode_job(notices.job(row)["blocks"])


@pytest.mark.parametrize("outcome", ["supplement", "refused"])
def test_the_window_notices_are_byte_for_byte_their_golden_files(outcome):
    data = window_notice(outcome)
    if os.environ.get("QMS_UPDATE_GOLDEN"):
        NOTICE_GOLDEN[outcome].write_bytes(data)
    assert data == NOTICE_GOLDEN[outcome].read_bytes()
    assert data.startswith(p.INIT + p.CHINESE_ON) and data.endswith(p.CHINESE_OFF + p.cut())
    lines = printed_lines(data)
    assert all(slips.columns(line) <= 48 for line in lines)
    text = "\n".join(lines)
    assert "示范市政务服务中心" in lines and "排队号码 Ticket：B007" in lines and "日期 Date：2026-11-23" in lines
    assert "打印时间 Printed 2026-11-23 09:05" in lines and "办理事项 Item：养老保险关系转移" in lines
    if outcome == "supplement":
        assert lines[2:4] == ["补正材料通知书（一次性告知单）", "Notice of missing documents (one-time notice)"]
        # the materials the clerk picked, worded as the guide words them (copies, original), numbered once
        assert "1. 基本养老保险参保缴费凭证（原件 1 份）：由原参" in lines and "3. 户口簿" in lines
        assert "   Application form for the transfer of pension" in lines and "已一次性告知" in text
        assert "行政复议" not in text
    else:
        assert lines[2:4] == ["不予受理通知书", "Notice of refusal"]
        assert ["1. 申请人不符合申请条件", "   The applicant is not eligible", "2. 超过法定申请期限",
                "   Past the legal time limit"] == lines[lines.index("【不予受理的理由】 Reasons for the refusal") + 1:][:4]
        assert "【设定依据】 Legal basis" in lines and "《中华人民共和国社会保险法》" in text
        assert "六十日内依" in text and "administrative reconsideration" in text and "within six months." in lines
    # a ticket's holder only: no name, no phone of the citizen (the item's enquiry line is the hall's)
    assert "申请人：" not in text and "Applicant" not in text

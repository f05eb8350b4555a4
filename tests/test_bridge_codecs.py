"""Golden bytes of every frame the bridge writes or reads, and the parsers' resync on broken input.

ESC/POS, shared with the kiosk, is in test_escpos.py. The checksums here were worked out by hand from the protocols in docs/devices.md, not copied from the code."""
from __future__ import annotations

import datetime as dt

import pytest

from contract.messages import CallEntry, WindowState
from firmware_bridge.codecs import ff68, ga467, led_frame, led_line
from firmware_bridge.drivers.screens import strip_texts, window_texts


def b(text: str) -> bytes:
    return bytes.fromhex(text)


# --- FF 68: keypads and evaluators ----------------------------------------------------------

@pytest.mark.parametrize("frame, wire", [
    (ff68.key_press(3, ff68.KEY_CALL), "ff 68 03 03 68 03 10 0c 1f 16"),
    (ff68.key_press(3, ff68.KEY_CONFIRM), "ff 68 03 03 68 03 10 0f 22 16"),
    (ff68.evaluator_press(103, 4), "ff 68 03 03 68 67 11 04 7c 16"),
    (ff68.display(3, ff68.display_digits(12, "B005")), "ff 68 08 08 68 03 02 00 01 02 00 00 05 0d 16"),
    (ff68.display(3, ff68.display_digits(None, None)), "ff 68 08 08 68 03 02 0a 0a 0a 0a 0a 0a 41 16"),
    (ff68.poll(103), "ff 68 02 02 68 67 00 67 16"),
])
def test_ff68_frames(frame, wire):
    assert ff68.encode(frame) == b(wire)
    assert ff68.Parser().feed(b(wire)) == [frame]


# the frames of a deployed hall's keypads and host, as its call-keypad service reads and writes them (address 1)
DEPLOYED = {
    "弃号 6+确认": (ff68.key_press(1, 6, ff68.KEY_CONFIRM), "ff 68 04 04 68 01 10 06 0f 26 16"),
    "挂起 0+确认": (ff68.key_press(1, 0, ff68.KEY_CONFIRM), "ff 68 04 04 68 01 10 00 0f 20 16"),
    "回呼 3+确认": (ff68.key_press(1, 3, ff68.KEY_CONFIRM), "ff 68 04 04 68 01 10 03 0f 23 16"),
    "呼叫": (ff68.key_press(1, ff68.KEY_CALL), "ff 68 03 03 68 01 10 0c 1d 16"),
    "重呼": (ff68.key_press(1, ff68.KEY_RECALL), "ff 68 03 03 68 01 10 0d 1e 16"),
    "评价": (ff68.key_press(1, ff68.KEY_RATE), "ff 68 03 03 68 01 10 0b 1c 16"),
    "暂停": (ff68.key_press(1, ff68.KEY_PAUSE), "ff 68 03 03 68 01 10 12 23 16"),
    "转移": (ff68.key_press(1, ff68.KEY_TRANSFER), "ff 68 03 03 68 01 10 13 24 16"),
    "一米线": (ff68.key_press(1, ff68.KEY_LINE), "ff 68 03 03 68 01 10 11 22 16"),
    "beep": (ff68.beep(1), "ff 68 02 02 68 01 03 04 16"),
    "display, ticket only": (ff68.display(1, ff68.display_digits(12, "B005", "ticket")),
                             "ff 68 08 08 68 01 02 0a 0a 0a 00 00 05 26 16"),
    "display, count only": (ff68.display(1, ff68.display_digits(12, "B005", "count")),
                            "ff 68 08 08 68 01 02 00 01 02 0a 0a 0a 24 16"),
}


@pytest.mark.parametrize("frame, wire", DEPLOYED.values(), ids=DEPLOYED.keys())
def test_ff68_frames_of_deployed_halls(frame, wire):
    assert ff68.encode(frame) == b(wire)
    assert ff68.Parser().feed(b(wire)) == [frame]
    assert ff68.ack(frame) == b(wire)  # the host echoes every frame


def test_ff68_beeping_twice_is_two_frames_without_data():
    assert ff68.beep(3) == ff68.Frame(3, ff68.FUNC_BEEP, b"")
    assert ff68.encode(ff68.beep(3)) == b("ff 68 02 02 68 03 03 06 16")  # CS = ADDR + 03


def test_ff68_acknowledgements_echo_and_evaluators_get_func_01_cs_minus_10():
    press = ff68.key_press(3, ff68.KEY_CALL)
    assert ff68.ack(press) == ff68.encode(press)
    assert ff68.ack(ff68.evaluator_press(103, 4)) == b("ff 68 03 03 68 67 01 04 6c 16")  # 0x7c - 0x10


def test_ff68_key_codes_are_the_design_s():
    assert (ff68.KEY_RATE, ff68.KEY_CALL, ff68.KEY_RECALL, ff68.KEY_CANCEL, ff68.KEY_CONFIRM, ff68.KEY_LINE,
            ff68.KEY_PAUSE, ff68.KEY_TRANSFER) == (0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x11, 0x12, 0x13)
    assert ff68.is_key_press(ff68.key_press(1, 5)) and ff68.is_key_press(ff68.key_press(1, 6, ff68.KEY_CONFIRM))
    assert not any(ff68.is_key_press(f) for f in (ff68.evaluator_press(1, 1), ff68.poll(1), ff68.beep(1)))
    with pytest.raises(ValueError):
        ff68.key_press(1)


def test_ff68_display_digits():
    assert ff68.display_digits(1234, "A999") == bytes((9, 9, 9, 9, 9, 9))  # waiting capped at 999
    assert ff68.display_digits(0, "C042") == bytes((0, 0, 0, 0, 4, 2))
    assert ff68.entry_digits("1003") == bytes((10, 10, 1, 0, 0, 3))
    assert ff68.entry_digits("1234", mask=True) == bytes((10, 10, 8, 8, 8, 8))
    assert ff68.display_digits(7, None, "ticket") == bytes((10,) * 6)  # nobody called: the ticket half is blank
    assert ff68.display_digits(None, "B005", "count") == bytes((10,) * 6)
    with pytest.raises(ValueError):
        ff68.display(1, b"\x00\x0b\x00\x00\x00\x00")
    with pytest.raises(ValueError):
        ff68.display_digits(1, "A001", "both")


def test_ff68_parser_resyncs_after_garbage_truncation_and_bad_checksums():
    call = ff68.encode(ff68.key_press(3, ff68.KEY_CALL))
    bad = bytearray(call)
    bad[-2] ^= 1
    parser = ff68.Parser()
    frames = parser.feed(b"\x00\xff\xff\x68\x99" + call[:6] + bytes(bad) + call)
    assert frames == [ff68.key_press(3, ff68.KEY_CALL)]
    assert parser.counts["bad_checksum"] == 1 and parser.counts["garbage"] >= 1
    parser = ff68.Parser()
    assert [f for byte in call * 2 for f in parser.feed(bytes((byte,)))] == [ff68.key_press(3, ff68.KEY_CALL)] * 2
    assert parser.feed(call[:4]) == [] and parser.flush() == 4 and parser.counts["truncated"] == 1


# --- LED window screens (framed) and hall strips (line mode) ------------------------------------

@pytest.mark.parametrize("frame, wire", [
    (led_frame.text(3, 1, "A001 请到3号窗口"),
     "a5 03 31 13 01 00 01 41 30 30 31 20 c7 eb b5 bd 33 ba c5 b4 b0 bf da 78 5a"),
    (led_frame.text(3, 1, "暂停服务"), "a5 03 31 0b 01 00 01 d4 dd cd a3 b7 fe ce f1 28 5a"),
    (led_frame.text(3, 1, "欢迎光临"), "a5 03 31 0b 01 00 01 bb b6 d3 ad b9 e2 c1 d9 09 5a"),
    (led_frame.ack(3, led_frame.CMD_TEXT), "a5 03 06 01 31 35 5a"),
    (led_frame.nak(3, led_frame.CMD_TEXT, led_frame.NAK_CHECKSUM), "a5 03 15 02 31 01 24 5a"),
    (led_frame.clear(3), "a5 03 32 00 31 5a"),
    (led_frame.ping(3), "a5 03 30 00 33 5a"),
    (led_frame.brightness(3, 8), "a5 03 33 01 08 39 5a"),
])
def test_led_frames(frame, wire):
    assert led_frame.encode(frame) == b(wire)
    assert led_frame.Parser().feed(b("5a 00") + b(wire)) == [frame]


def test_led_text_is_gb2312_or_gbk_and_unshowable_characters_are_counted():
    assert led_frame.text(1, 1, "A001", "gbk").data == b"\x01\x00\x01A001"
    assert led_frame.unshowable("请到3号窗口", "gb2312") == 0
    assert led_frame.unshowable("𠮷A", "gbk") == 1  # outside GBK
    assert led_frame.text(1, 1, "𠮷", "gbk").data[3:] == b"?"


def test_led_line_mode():
    assert led_line.text_line(1, 2, "请A001号到3号窗口办理", effect="static") == (
        b"$01,2,S," + "请A001号到3号窗口办理".encode("gbk") + b"\r\n")
    assert led_line.ping_line(7) == b"$07,P\r\n"
    assert led_line.reply_line(led_line.Reply(False, 1, 3)) == b"ER01,3\r\n"
    replies = led_line.ReplyParser().feed(b"OK01\r\nER01,2\r\nOK1\r\n")
    assert replies == [led_line.Reply(True, 1), led_line.Reply(False, 1, 2)]
    commands = led_line.CommandParser().feed(led_line.text_line(1, 1, "欢迎光临") + led_line.ping_line(1))
    assert commands == [led_line.Command("text", 1, 1, "L", "欢迎光临".encode("gbk")), led_line.Command("ping", 1)]


def window_state(status: str, number: str | None = None) -> WindowState:
    current = {"id": f"d-{number}", "number": number, "category": "general", "status": "called", "called_at": 1.0,
               "started_at": None, "times_called": 1} if number else None
    return WindowState.model_validate({
        "window": 3, "name": {"zh": "3号窗口", "en": "Window 3"}, "status": status, "staff": "", "staff_id": None,
        "categories": ["general"], "secondary": [], "current": current, "pause_reason": None, "tidal": False,
        "green_channel": False, "at": 1.0})


def call(number: str, window: int) -> CallEntry:
    return CallEntry(ticket_id=f"d-{number}", number=number, window=window, category="general", times_called=1,
                     text={"zh": f"请{number}号到{window}号窗口办理", "en": f"Number {number}, please go to window {window}"},
                     at=1.0)


def test_screen_texts_from_retained_state():
    assert window_texts(window_state("serving", "A001"), 3) == ("A001 请到3号窗口", "A001 to window 3")
    assert window_texts(window_state("paused"), 3) == ("暂停服务", "Paused")
    assert window_texts(window_state("closed"), 3) == ("暂停服务", "Closed")
    assert window_texts(window_state("open"), 3) == ("欢迎光临", "Welcome")
    assert window_texts(None, 3) == ("", "")  # the window was removed from the config
    calls = [call("B002", 5), call("A001", 3)]
    assert strip_texts(calls, 1) == ["请B002号到5号窗口办理  Number B002, please go to window 5"]
    assert strip_texts(None, 2) == ["欢迎光临  Welcome", ""]


# --- GA 467 ID card readers -----------------------------------------------------------------

@pytest.mark.parametrize("wire, payload", [
    ("aa aa aa 96 69 00 03 20 01 22", b"\x20\x01"),         # find card
    ("aa aa aa 96 69 00 03 20 02 21", b"\x20\x02"),         # select card
    ("aa aa aa 96 69 00 03 30 01 32", b"\x30\x01"),         # read base info
    ("aa aa aa 96 69 00 04 00 00 9f 9b", b"\x00\x00\x9f"),  # card found
    ("aa aa aa 96 69 00 04 00 00 80 84", b"\x00\x00\x80"),  # no card
])
def test_ga467_frames(wire, payload):
    assert ga467.encode(payload) == b(wire)
    assert ga467.Parser().feed(b("aa aa 00") + b(wire)) == [payload]


def test_ga467_base_info_is_ucs2_in_fixed_fields():
    card = ga467.CardInfo("张三", "2", "01", "19900215", "杭州市", "330102199002150028", "杭州市公安局",
                          "20200101", "20400101")
    data = ga467.encode_base_info(card)
    assert data[:4] == b("01 00 04 00")  # 256 bytes of text, 1024 of photo
    assert data[4:10] == b("20 5f 09 4e 20 00")  # 张 U+5F20, 三 U+4E09 little-endian, padded with spaces
    assert data[4 + 30:4 + 32] == "2".encode("utf-16-le")  # sex right after the 15-character name
    assert ga467.decode_base_info(data) == card
    assert card.age(dt.date(2026, 2, 14)) == 35 and card.age(dt.date(2026, 2, 15)) == 36
    assert not card.expired(dt.date(2026, 1, 1)) and card.expired(dt.date(2040, 1, 2))
    response = ga467.as_response(ga467.Parser().feed(ga467.response(ga467.SW_OK, data))[0])
    assert response.ok and ga467.decode_base_info(response.data).id_number == "330102199002150028"
    with pytest.raises(ValueError):
        ga467.decode_base_info(data[:100])

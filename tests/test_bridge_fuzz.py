"""Random byte streams into every parser, and into every driver: nothing raises, buffers stay bounded,
good frames hidden in noise come out whole, and what comes out re-encodes to what went in."""
from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_bridge.bridge import Bridge
from firmware_bridge.codecs import escpos, ff68, ga467, led_frame, led_line
from firmware_bridge.config import validate
from firmware_bridge.virtual.rig import VirtualRig

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PARSERS = [ff68.Parser, led_frame.Parser, led_line.CommandParser, led_line.ReplyParser, escpos.StatusParser,
           escpos.JobParser, ga467.Parser]
noise = st.binary(max_size=600)
cuts = st.lists(st.integers(min_value=0, max_value=2000), max_size=12)


def chunks(data: bytes, points: list[int]) -> list[bytes]:
    edges = sorted({0, len(data), *(p % (len(data) + 1) for p in points)})
    return [data[a:b] for a, b in pairwise(edges)]


@pytest.mark.parametrize("parser_class", PARSERS, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}")
@FUZZ
@given(data=noise, points=cuts)
def test_random_bytes_never_break_a_parser(parser_class, data, points):
    parser = parser_class()
    items = [item for chunk in chunks(data, points) for item in parser.feed(chunk)]
    assert len(parser.buffer) <= parser.max_buffer + len(data)
    parser.flush()
    assert not parser.buffer
    if parser_class is ff68.Parser:
        assert all(ff68.Parser().feed(ff68.encode(f)) == [f] for f in items)
    if parser_class is led_frame.Parser:
        assert all(led_frame.Parser().feed(led_frame.encode(f)) == [f] for f in items)
    if parser_class is ga467.Parser:
        assert all(ga467.Parser().feed(ga467.encode(p)) == [p] for p in items)


# (parser, encoder, messages, the start byte kept out of the noise so only the real frames can start)
FRAMED = {
    "ff68": (ff68.Parser, ff68.encode, st.builds(ff68.Frame, st.integers(0, 255), st.integers(0, 255),
                                                 st.binary(max_size=8)), b"\xff"),
    "led_frame": (led_frame.Parser, led_frame.encode, st.builds(led_frame.Frame, st.integers(0, 255),
                                                                st.integers(0, 255), st.binary(max_size=40)), b"\xa5"),
    "ga467": (ga467.Parser, ga467.encode, st.binary(min_size=2, max_size=300), b"\xaa"),
}


@pytest.mark.parametrize("codec", FRAMED)
@FUZZ
@given(data=st.data(), points=cuts)
def test_frames_hidden_in_noise_come_out_whole(codec, data, points):
    parser_class, encode, messages, start = FRAMED[codec]
    frames = data.draw(st.lists(messages, max_size=5))
    gaps = data.draw(st.lists(noise.map(lambda n: n.replace(start, b"")), min_size=6, max_size=6))
    stream = gaps[0] + b"".join(encode(f) + gap for f, gap in zip(frames, gaps[1:]))
    parser = parser_class()
    assert [f for chunk in chunks(stream, points) for f in parser.feed(chunk)] == frames


@pytest.fixture(scope="module")
def offline_bridge(tmp_path_factory):
    """A bridge with every driver, never connected: the drivers' decisions run, nothing leaves."""
    rig = VirtualRig(tmp_path_factory.mktemp("fuzz"), "fuzz", (3,), printer=True, reader=True)
    rig.salt_file.parent.mkdir(parents=True, exist_ok=True)
    rig.salt_file.write_bytes(b"0123456789abcdef")
    return Bridge(validate(rig.config()), "127.0.0.1", 1)


@FUZZ
@given(port=st.sampled_from(["rs485", "led", "strip", "printer", "idreader"]), data=noise, points=cuts,
       presses=st.lists(st.tuples(st.sampled_from([3, 103, 9]), st.lists(st.integers(0, 0x20), min_size=1,
                                                                           max_size=6)), max_size=20))
def test_random_bytes_and_presses_never_break_a_driver(offline_bridge, port, data, points, presses):
    driver = offline_bridge.drivers[port]
    now = offline_bridge.clock()
    if port == "rs485":  # valid frames with any keys (a single key or a combination) or value, and noise
        data += b"".join(ff68.encode(ff68.Frame(a, ff68.FUNC_EVALUATOR if a > 100 else ff68.KEY_PRESS_FUNC,
                                                bytes(keys))) for a, keys in presses)
    for chunk in chunks(data, points):
        driver.on_bytes(chunk, now)
        driver.tick(now)
    assert offline_bridge.errors == 0 and not offline_bridge.client.requests.open_requests()

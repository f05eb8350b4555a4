"""The voice announcer: the words of a call, real espeak-ng clips, WAVs measured with sox,
and the order of announcements from a real controller under a burst of calls.
"""
from __future__ import annotations

import logging
import re
import subprocess

import pytest
from testbed.controller import staffed_window
from tests.support.hall import Inbox

from contract.calls import call_text
from display.voice.announcer import Announcer
from display.voice.clips import ClipCache, RATE, pcm_seconds
from display.voice.output import AplaySink, WavSink, sound_cards
from display.voice.run import VoiceService
from display.voice.synth import SynthError, Synthesizer
from display.voice.words import call_phrases, en_numeral, fixed_tokens, ticket_tokens, zh_numeral

# --- the words ------------------------------------------------------------------------------


@pytest.mark.parametrize("n,zh,en", [
    (1, "一", "one"), (3, "三", "three"), (10, "十", "ten"), (12, "十二", "twelve"), (20, "二十", "twenty"),
    (21, "二十一", "twenty one"), (100, "一百", "one hundred"), (105, "一百零五", "one hundred five"),
    (110, "一百一十", "one hundred ten"), (999, "九百九十九", "nine hundred ninety nine")])
def test_window_numbers_are_read_as_numbers(n, zh, en):
    assert "".join(zh_numeral(n)) == zh and " ".join(en_numeral(n)) == en


def test_ticket_numbers_are_read_letter_by_name_and_digit_by_digit():
    assert ticket_tokens("A001", "zh") == ["A", "零", "零", "一"]
    assert ticket_tokens("B120", "en") == ["B", "one", "two", "zero"]
    assert ticket_tokens("A-1", "zh") is None


def test_a_call_is_chinese_then_english_from_fixed_clips():
    zh, en = call_phrases("A001", 3, event_text={"zh": "请A001号到3号窗口办理",
                                                  "en": "Number A001, please go to window 3"})
    assert zh.tokens == ("请", "A", "零", "零", "一", "号", "到", "三", "号", "窗口", "办理")
    assert en.tokens == ("Number", "A", "zero", "zero", "one", "please go to window", "three")
    assert zh.text == "请A001号到3号窗口办理"
    assert [p.lang for p in call_phrases("A001", 3, english=False)] == ["zh"]
    for again in (False, True):  # every word any call can need is a fixed clip
        for phrase in call_phrases("Z999", 999, again=again):
            assert set(phrase.tokens) <= set(fixed_tokens(phrase.lang))


def test_a_recall_says_so():
    zh, en = call_phrases("A001", 3, again=True, event_text=call_text("A001", 3, again=True))
    assert zh.tokens == ("再次呼叫", "A", "零", "零", "一", "号", "到", "三", "号", "窗口", "办理")
    assert en.tokens == ("Calling again", "A", "zero", "zero", "one", "to window", "three")
    assert (zh.text, en.text) == ("再次呼叫A001号到3号窗口办理", "Calling again: A001 to window 3")
    assert "".join(zh.tokens).replace("零零一", "001").replace("三", "3") == zh.text  # the clips say the text
    announcer = Announcer(ClipCache(None, use_cache=False), [])
    (first,) = announcer.phrases(announcer_call("B012", 12, times=1), None)[:1]
    (again,) = announcer.phrases(announcer_call("B012", 12, times=2), None)[:1]
    assert first.tokens[0] == "请" and again.tokens[0] == "再次呼叫"


def test_an_unknown_number_format_falls_back_to_whole_phrase_synthesis():
    (zh,) = call_phrases("VIP-7", 3, english=False, event_text={"zh": "请VIP-7号到3号窗口办理"})
    assert zh.tokens is None and zh.text == "请VIP-7号到3号窗口办理"


# --- real espeak-ng ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def cache():
    """Every fixed clip synthesized once for the whole session (about a second)."""
    clips = ClipCache(Synthesizer())
    clips.warm()
    return clips


def sox_stat(path) -> dict:
    """`sox FILE -n stat`: length, RMS amplitude … as numbers."""
    out = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True).stderr
    return {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"^(.+?):\s+(-?[\d.]+)\s*$", out, re.MULTILINE)}


def soxi(path, flag: str) -> str:
    return subprocess.run(["soxi", flag, str(path)], capture_output=True, text=True, check=True).stdout.strip()


def test_every_fixed_word_has_a_trimmed_clip(cache):
    assert len(cache.clips) == len(fixed_tokens("zh")) + len(fixed_tokens("en"))
    for key, pcm in cache.clips.items():
        assert 0.05 < pcm_seconds(pcm) < 2.5, key


def test_an_unknown_voice_is_refused_at_start():
    with pytest.raises(SynthError, match="no voice"):
        Synthesizer(voices={"zh": "cmn-nonexistent", "en": "gmw/en-US"})


def test_wav_of_a_call_is_speech_at_the_right_rate(cache, tmp_path):
    announcer = Announcer(cache, [WavSink(tmp_path)])
    done = announcer.speak(announcer_call("A001", 3))
    path = done.outputs[0]["path"]
    assert soxi(path, "-r") == str(RATE) and soxi(path, "-c") == "1"
    stat = sox_stat(path)
    assert 5.0 < stat["Length (seconds)"] < 16.0  # chime, Chinese, English
    assert stat["RMS     amplitude"] > 0.03  # not silence
    assert not done.fallback and done.first_audio_at is not None


def test_repeats_say_it_again_and_fallback_still_speaks(cache, tmp_path):
    once = Announcer(cache, [WavSink(tmp_path / "once")], english=False).speak(announcer_call("B012", 12))
    twice = Announcer(cache, [WavSink(tmp_path / "twice")], english=False, repeats=2).speak(
        announcer_call("B012", 12))
    assert twice.seconds > 1.9 * once.seconds
    odd = Announcer(cache, [WavSink(tmp_path / "odd")], english=False).speak(
        announcer_call("VIP-7", 3), {"zh": "请VIP-7号到3号窗口办理"})
    assert odd.fallback and sox_stat(odd.outputs[0]["path"])["RMS     amplitude"] > 0.03


def announcer_call(number, window, times=1):
    from display.voice.announcer import Announcement

    return Announcement(0, number, window, times, 0.0)


def test_no_sound_card_is_a_clear_log_line_not_a_crash(cache, caplog, monkeypatch):
    """Runs on every machine: where `aplay -l` does list a card, the test makes it list none."""
    if sound_cards():
        monkeypatch.setattr("display.voice.output.sound_cards", lambda: [])
    with caplog.at_level(logging.ERROR, logger="voice.output"):
        sink = AplaySink()
    assert "no sound card found" in caplog.text and "NOT played aloud" in caplog.text
    done = Announcer(cache, [sink], english=False).speak(announcer_call("A001", 1))
    assert done.outputs[0]["error"].startswith("no sound card") and done.seconds > 1


def test_aplay_gets_the_audio(cache):
    """aplay's ALSA `null` device plays nothing but takes the stream as a card would."""
    done = Announcer(cache, [AplaySink(device="null")], english=False).speak(announcer_call("A001", 1))
    assert "error" not in done.outputs[0] and done.first_audio_at is not None


# --- against the controller ------------------------------------------------------------------


def test_a_burst_of_calls_is_announced_in_order_with_recalls(controller, kiosk, cache, tmp_path):
    for category in ("general", "social", "estate", "general", "social", "estate"):
        assert kiosk.request("issue_ticket", {"category": category})["ok"]
    heard = Inbox()
    controller.device("display-ear", deliver=heard, watch=(controller.service.topics.event("called"),))
    voice = VoiceService(controller.hall, "127.0.0.1", controller.broker.port, name="test", output="wav",
                         wav_dir=str(tmp_path), cache=cache, english=False)
    assert voice.start()
    try:
        windows = [staffed_window(controller, n) for n in (1, 3, 5)]
        for round_ in range(2):  # six calls in a burst, one recall among them
            for client in windows:
                client.publish(client.topics.cmd(client.device, "call_next"), {"id": f"burst-{round_}-{client.device}"})
        assert windows[0].request("recall")["ok"]
        calls = [heard.wait_for(lambda t, d, i=i: t.endswith("/event/called") and len(
            [m for m in heard.messages if m.topic.endswith("/event/called")]) > i) for i in range(7)]
        assert len(calls) == 7
        order = [(m.json()["number"], m.json()["times_called"]) for m in heard.messages
                 if m.topic.endswith("/event/called")]
        deadline_ok = _wait(lambda: len(voice.announcer.done) == 7)
        assert deadline_ok, f"{len(voice.announcer.done)} of 7 announced"
        spoken = [(a.number, a.times_called) for a in voice.announcer.done]
        assert spoken == order  # one at a time, in the order the controller called them
        assert sum(1 for _, times in spoken if times == 2) == 1  # the recall was said again, saying so
        recall = next(m.json() for m in heard.messages if m.topic.endswith("/event/called")
                      and m.json()["times_called"] == 2)
        assert recall["text"] == {"zh": f"再次呼叫{recall['number']}号到1号窗口办理",
                                  "en": f"Calling again: {recall['number']} to window 1"}
        files = sorted(tmp_path.glob("*.wav"))
        assert [f.name.split("-")[1] for f in files] == [number for number, _ in order]
        for f in files:
            assert soxi(f, "-r") == str(RATE) and sox_stat(f)["RMS     amplitude"] > 0.03
    finally:
        voice.stop()


def _wait(condition, timeout=20.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_tidal_window_is_announced_in_its_own_words_only_if_staffed(controller, cache, tmp_path):
    heard = Inbox()
    controller.device("display-ear", deliver=heard, watch=(controller.service.topics.event("tidal"),))
    voice = VoiceService(controller.hall, "127.0.0.1", controller.broker.port, name="test", output="wav",
                         wav_dir=str(tmp_path), cache=cache)
    assert voice.start()
    try:
        admin = controller.device("admin-t")
        # nobody is logged in at window 11: the switch has no words, and nothing is said
        assert admin.request("tidal_switch", {"target_window": 11, "category": "social"})["ok"]
        _, unstaffed = heard.wait_for(lambda t, d: d and d.get("window") == 11)
        assert unstaffed["kind"] == "switched" and unstaffed["text"] is None
        staffed_window(controller, 10)
        reply = admin.request("tidal_switch", {"target_window": 10, "category": "social"})
        assert reply["ok"], reply
        _, staffed = heard.wait_for(lambda t, d: d and d.get("window") == 10)
        assert staffed["text"]["zh"] == "10号窗口开始办理社保医保业务"
        assert _wait(lambda: len(voice.announcer.done) == 1)
        notice = voice.announcer.done[0]
        assert notice.kind == "notice" and notice.window == 10 and notice.fallback  # free words: synthesized whole
        assert [p.name.split("-", 1)[1] for p in tmp_path.glob("*.wav")] == ["notice-w10.wav"]
        path = next(tmp_path.glob("*-notice-w10.wav"))
        assert sox_stat(path)["Length (seconds)"] > 3 and sox_stat(path)["RMS     amplitude"] > 0.03
    finally:
        voice.stop()

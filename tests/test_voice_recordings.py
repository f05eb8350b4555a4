"""A hall's recorded words replace the synthesized ones, word by word: real WAV files made with sox
and espeak-ng, an announcement written by the real announcer, and its audio measured with sox.

Each recorded word here is a pure tone of its own pitch and length, so the announcement's audio
shows where each one is: sox reads the pitch of every stretch and the length of the whole.
"""
from __future__ import annotations

import logging
import re
import subprocess

import pytest

from display.voice.announcer import Announcement, Announcer
from display.voice.clips import JOIN_GAP_MS, ClipCache, pcm_seconds
from display.voice.output import WavSink
from display.voice.recordings import Recordings
from display.voice.synth import VOICES, Synthesizer
from main import build_parser

GAP_S = JOIN_GAP_MS / 1000
TONES = {  # word -> (file under the clips folder, pitch Hz, seconds); None: made by espeak-ng
    "chime": ("chime.wav", 1000, 0.5),
    "请": ("zh/请.wav", 440, 0.30),
    "A": ("zh/A.wav", 880, 0.20),
    "窗口": ("zh/窗口.wav", 660, 0.25),
    "再次呼叫": ("zh/再次呼叫.wav", 550, 0.40),
}


def sox(*args: str) -> str:
    return subprocess.run(["sox", *args], capture_output=True, text=True, check=True).stderr


def seconds(path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout)


def pitch(path, start: float, length: float) -> float:
    """sox's rough frequency of a stretch of the file."""
    stat = sox(str(path), "-n", "trim", f"{start:.4f}", f"{length:.4f}", "stat")
    return float(re.search(r"Rough\s+frequency:\s+(\d+)", stat).group(1))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """The clips folder of a hall: tones in odd formats (the chime 44.1 kHz stereo), an English phrase
    recorded from espeak-ng, and a file whose name is no word (a typo)."""
    folder = tmp_path_factory.mktemp("clips")
    for name, (file, hz, length) in TONES.items():
        (folder / file).parent.mkdir(exist_ok=True)
        rate, channels = ("44100", "2") if name == "chime" else ("16000", "1")
        sox("-n", "-r", rate, "-c", channels, "-b", "16", str(folder / file), "synth", str(length), "sine", str(hz))
    (folder / "en").mkdir()
    subprocess.run(["espeak-ng", "-v", VOICES["en"], "-w", str(folder / "en" / "Please_go_to_window.wav"),
                    "please go to window"], check=True)
    sox("-n", "-r", "22050", "-c", "1", str(folder / "zh" / "窗户.wav"), "synth", "0.2", "sine", "300")
    return folder


@pytest.fixture(scope="module")
def cache(clips):
    cache = ClipCache(Synthesizer(), recordings=Recordings(clips))
    cache.warm()
    return cache


def say(cache, tmp_path, number, window, times=1, english=False):
    announcer = Announcer(cache, [WavSink(tmp_path)], english=english)
    return announcer.speak(Announcement(1, number, window, times, 0.0)).outputs[0]["path"]


def test_recorded_words_replace_synthesized_ones_word_by_word(cache, clips, tmp_path):
    assert cache.recorded == {("zh", "请"), ("zh", "A"), ("zh", "窗口"), ("zh", "再次呼叫"), ("en", "please go to window")}
    path = say(cache, tmp_path, "A001", 3)
    words = ["请", "A", "零", "零", "一", "号", "到", "三", "号", "窗口", "办理"]
    # the whole: the recorded chime and words as long as their files, the synthesized ones as made
    lengths = [seconds(clips / TONES[w][0]) if w in TONES else pcm_seconds(cache.clips[("zh", w)]) for w in words]
    assert seconds(path) == pytest.approx(seconds(clips / "chime.wav") + sum(lengths) + GAP_S * (len(words) - 1),
                                          abs=0.003)
    # each recorded stretch at its place, in its own pitch; a synthesized one between them is speech
    at = {"chime": 0.0}
    start = seconds(clips / "chime.wav")
    for word, length in zip(words, lengths):
        at[word] = at.get(word, start)
        start += length + GAP_S
    for word in ("chime", "请", "A", "窗口"):
        hz, length = TONES[word][1], TONES[word][2]
        assert pitch(path, at[word] + 0.02, length - 0.04) == pytest.approx(hz, rel=0.03), word
    spoken = pitch(path, at["零"], lengths[2])
    assert all(abs(spoken - TONES[w][1]) > 30 for w in TONES)


def test_a_recall_starts_with_its_recorded_words(cache, clips, tmp_path):
    path = say(cache, tmp_path, "A002", 12, times=2)
    chime = seconds(clips / "chime.wav")
    assert pitch(path, chime + 0.02, TONES["再次呼叫"][2] - 0.04) == pytest.approx(550, rel=0.03)
    assert pitch(path, chime + TONES["再次呼叫"][2] + GAP_S + 0.02, 0.16) == pytest.approx(880, rel=0.03)


def test_an_english_phrase_recorded_at_espeaks_rate_is_said_as_recorded(cache, clips, tmp_path):
    """Not a tone: the English "please go to window" recorded (here by espeak-ng) is the clip said."""
    recorded = Recordings(clips).clip("en", "please go to window")
    assert cache.clips[("en", "please go to window")] == recorded


def test_a_misnamed_file_is_logged_and_the_voice_goes_on(clips, caplog):
    with caplog.at_level(logging.WARNING, logger="voice.clips"):
        cache = ClipCache(Synthesizer(), recordings=Recordings(clips))
        assert cache.warm() > 60
    assert "窗户.wav names no word the voice says" in caplog.text


def test_the_clips_folder_is_an_option_and_an_environment_variable(monkeypatch, clips):
    assert build_parser().parse_args(["voice", "--clips", str(clips)]).clips == str(clips)
    monkeypatch.setenv("QMS_VOICE_CLIPS", "/srv/qms/clips")
    assert build_parser().parse_args(["voice"]).clips == "/srv/qms/clips"

"""The clip cache: every fixed word made once at start-up, joined per call.

A call is the same dozen words in a new order, so the announcer says them
from memory: start-up makes the digits, letters, 十/百 and the words between
them (words.fixed_tokens) in each language — from the hall's recordings where
it has them (recordings.py), synthesized otherwise — trims the silence around
each clip, and keeps the PCM. Saying "请A001号到3号窗口办理" is then a join of
byte strings — microseconds, where synthesizing the sentence takes tens of
milliseconds. Anything outside the cache is synthesized whole (the fallback),
and counted, so a log or the benchmark shows when it happens.

Audio everywhere here is espeak's own format: mono, 16-bit little-endian, 22050 Hz.
"""
from __future__ import annotations

import logging
import math
import tempfile
import wave
from array import array
from pathlib import Path

from .words import Phrase, fixed_tokens

log = logging.getLogger("voice.clips")

RATE = 22050
SAMPLE_BYTES = 2
SILENCE_LEVEL = 250  # |sample| below this counts as silence when trimming
LEAD_MS, TAIL_MS = 10, 30  # what is kept of a clip's silence, so joins do not click or clip words
JOIN_GAP_MS = 10  # between the clips of one sentence


def silence(ms: float) -> bytes:
    return bytes(int(RATE * ms / 1000) * SAMPLE_BYTES)


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path), "rb") as wav:
        if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, SAMPLE_BYTES, RATE):
            raise ValueError(f"{path}: expected mono 16-bit {RATE} Hz, got {wav.getparams()}")
        return wav.readframes(wav.getnframes())


def trim(pcm: bytes) -> bytes:
    """The clip without espeak's leading and trailing silence (keeping a few ms of each)."""
    samples = array("h")
    samples.frombytes(pcm)
    loud = [i for i in range(len(samples)) if abs(samples[i]) >= SILENCE_LEVEL]
    if not loud:
        return pcm
    start = max(0, loud[0] - RATE * LEAD_MS // 1000)
    end = min(len(samples), loud[-1] + 1 + RATE * TAIL_MS // 1000)
    return samples[start:end].tobytes()


def chime() -> bytes:
    """A two-tone ding-dong (E5 then C5, bell-like decay), so people look up before the words."""
    out = array("h")
    for freq, ms in ((659.25, 420), (523.25, 620)):
        n = int(RATE * ms / 1000)
        for i in range(n):
            t = i / RATE
            fade = min(1.0, i / (RATE * 0.005), (n - i) / (RATE * 0.015))  # no click at either end
            envelope = math.exp(-4.0 * t) * fade
            value = math.sin(2 * math.pi * freq * t) + 0.35 * math.sin(4 * math.pi * freq * t)
            out.append(int(9000 * envelope * value))
    return out.tobytes() + silence(250)


def pcm_seconds(pcm: bytes) -> float:
    return len(pcm) / (RATE * SAMPLE_BYTES)


class ClipCache:
    """Trimmed PCM of every fixed word, per language; whole-phrase synthesis for the rest.

    `recordings`: a hall's recorded words (recordings.Recordings), said instead of synthesized ones."""

    def __init__(self, synth, langs=("zh", "en"), *, use_cache: bool = True, recordings=None):
        self.synth = synth
        self.langs = tuple(langs)
        self.use_cache = use_cache
        self.recordings = recordings
        self.clips: dict[tuple[str, str], bytes] = {}
        self.recorded: set[tuple[str, str]] = set()  # the clips that are the hall's recordings
        self.chime = chime()
        self.fallbacks = 0
        self._dir = Path(tempfile.mkdtemp(prefix="qms-voice-"))

    def warm(self) -> int:
        """Make every fixed word (about a second for both languages if all are synthesized); returns how many."""
        if self.recordings is not None:
            self.chime = self.recordings.chime() or self.chime
        if not self.use_cache:
            return 0
        for lang in self.langs:
            for token in fixed_tokens(lang):
                if (lang, token) in self.clips:
                    continue
                recorded = self.recordings.clip(lang, token) if self.recordings is not None else None
                if recorded:
                    self.recorded.add((lang, token))
                self.clips[(lang, token)] = recorded or trim(self._synthesize(token, lang))
        if self.recordings is not None:
            log.info("voice: %d of %d words from the recordings in %s", len(self.recorded), len(self.clips),
                     self.recordings.folder)
            for path in self.recordings.unused():
                log.warning("voice: %s names no word the voice says (see docs/screens.md); not used", path)
        return len(self.clips)

    def _synthesize(self, text: str, lang: str) -> bytes:
        path = self._dir / "clip.wav"
        try:
            return read_pcm(self.synth.to_file(text, lang, path))
        finally:
            path.unlink(missing_ok=True)

    def phrase(self, phrase: Phrase) -> bytes:
        """The PCM of one sentence: joined clips when all are cached, else synthesized whole."""
        tokens = phrase.tokens
        if self.use_cache and tokens and all((phrase.lang, t) in self.clips for t in tokens):
            gap = silence(JOIN_GAP_MS)
            return gap.join(self.clips[(phrase.lang, t)] for t in tokens)
        self.fallbacks += 1
        log.debug("whole-phrase synthesis for %r", phrase.text)
        return trim(self._synthesize(phrase.text, phrase.lang))

"""The announcer: every call spoken once its turn comes, one at a time, in call order.

Calls arrive on paho's network thread and only go into a queue there; one
worker thread speaks them in the order the controller published them (one
subscriber, one topic, QoS 1: the broker keeps that order). A recall is a new
`event/called` with a higher `times_called`, so it is spoken again; the very
same event delivered twice (QoS 1 may) is spoken once.

Each announcement: chime, Chinese, English (if on), repeated `repeats` times; a
recall says so ("再次呼叫A001号到3号窗口办理").
A tidal window's notice ("10号窗口开始办理社保医保业务", `event/tidal`) takes its
turn in the same queue; its words are not fixed, so it is synthesized whole.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from .clips import ClipCache, pcm_seconds, silence
from .words import Phrase, call_phrases

log = logging.getLogger("voice")

LANG_GAP_MS = 450  # between the Chinese and the English sentence
REPEAT_GAP_MS = 900  # before an announcement is said again


@dataclass
class Announcement:
    seq: int
    number: str
    window: int
    times_called: int
    received_at: float  # perf_counter when the event arrived
    kind: str = "call"  # or "notice"
    first_audio_at: float | None = None  # when a sink wrote its first sample
    first_speech_at: float | None = None  # when the first spoken sample was produced (after the chime)
    seconds: float = 0.0
    fallback: bool = False
    outputs: list[dict] = field(default_factory=list)


class Announcer:
    def __init__(self, cache: ClipCache, sinks, *, english: bool = True, repeats: int = 1,
                 with_chime: bool = True, on_done=None, history: int = 1000):
        if not 1 <= repeats <= 5:
            raise ValueError("repeats must be 1-5")
        self.cache, self.sinks = cache, list(sinks)
        self.english, self.repeats, self.with_chime = english, repeats, with_chime
        self.on_done = on_done
        self.done: deque[Announcement] = deque(maxlen=history)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._seen: deque = deque(maxlen=200)
        self._seq = 0
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._stopping = threading.Event()

    def start(self) -> Announcer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(timeout)

    def pending(self) -> int:
        return self._queue.qsize()

    def submit(self, event: dict) -> bool:
        """Queue a call (from any thread); False for a malformed or repeated event."""
        try:
            number, window, times = str(event["number"]), int(event["window"]), int(event.get("times_called", 1))
        except (KeyError, TypeError, ValueError):
            log.warning("voice: ignored a call without number/window: %r", event)
            return False
        key = (event.get("ticket_id", number), times, event.get("at"))
        if key in self._seen:
            return False
        self._seen.append(key)
        self._seq += 1
        self._queue.put((Announcement(self._seq, number, window, times, time.perf_counter()), event.get("text")))
        return True

    def submit_notice(self, event: dict) -> bool:
        """Queue a notice with its own words (`event/tidal`'s text); False when it has none."""
        text = event.get("text")
        if not isinstance(text, dict) or not text.get("zh"):
            return False
        key = ("notice", text.get("zh"), event.get("at"))
        if key in self._seen:
            return False
        self._seen.append(key)
        self._seq += 1
        window = event.get("window") if isinstance(event.get("window"), int) else 0
        self._queue.put((Announcement(self._seq, "", window, 0, time.perf_counter(), kind="notice"), text))
        return True

    def phrases(self, announcement: Announcement, text: dict | None) -> list[Phrase]:
        if announcement.kind == "notice":
            langs = ("zh", "en") if self.english else ("zh",)
            return [Phrase(lang, None, text[lang]) for lang in langs if (text or {}).get(lang)]
        return call_phrases(announcement.number, announcement.window, english=self.english,
                            again=announcement.times_called > 1, event_text=text)

    def _run(self) -> None:
        while not self._stopping.is_set():
            item = self._queue.get()
            if item is None:
                break
            announcement, text = item
            try:
                self.speak(announcement, text)
            except Exception:
                log.exception("voice: announcing %s failed", announcement.number)

    def speak(self, announcement: Announcement, text: dict | None = None) -> Announcement:
        """Say one call on every sink (the sound card plays it in real time)."""
        fallbacks = self.cache.fallbacks
        first_speech = []

        def chunks():
            for round_ in range(self.repeats):
                if round_:
                    yield silence(REPEAT_GAP_MS)
                if self.with_chime:
                    yield self.cache.chime
                for i, phrase in enumerate(self.phrases(announcement, text)):
                    if i:
                        yield silence(LANG_GAP_MS)
                    pcm = self.cache.phrase(phrase)
                    if not first_speech:
                        first_speech.append(time.perf_counter())
                    yield pcm

        label = (f"{announcement.number}-w{announcement.window}-c{announcement.times_called}"
                 if announcement.kind == "call" else f"notice-w{announcement.window}")
        pcm = None
        for sink in self.sinks:
            if pcm is None:  # the first sink streams as the audio is made; the others get it whole
                parts: list[bytes] = []
                stream = _tee(chunks(), parts)
                result = sink.play(stream, label)
                for _ in stream:  # a broken sink reads nothing: the audio is still made for the next one
                    pass
                pcm = b"".join(parts)
                announcement.first_speech_at = first_speech[0] if first_speech else None
            else:
                result = sink.play([pcm], label)
            result["sink"] = sink.name
            announcement.outputs.append(result)
        if pcm is None:
            pcm = b"".join(chunks())
        announcement.first_audio_at = next((o["written_at"] for o in announcement.outputs if o.get("written_at")),
                                           None)
        announcement.seconds = round(pcm_seconds(pcm), 3)
        announcement.fallback = self.cache.fallbacks > fallbacks
        log.info("voice: %s → window %d (%s %d)%s, %.1f s", announcement.number or "notice", announcement.window,
                 announcement.kind, announcement.times_called,
                 " [whole-phrase synthesis]" if announcement.fallback else "", announcement.seconds)
        self.done.append(announcement)
        if self.on_done:
            self.on_done(announcement)
        return announcement


def _tee(chunks, parts: list):
    for chunk in chunks:
        parts.append(chunk)
        yield chunk

"""`main.py voice`: the loudspeaker of the hall, speaking every `event/called` (and tidal notices).

Start-up builds the clip cache first (about a second), then subscribes: a call
that comes while the cache is warming waits in the queue rather than being
spoken by slow whole-phrase synthesis. English follows the Chinese when the
hall's config lists "en" among its languages (live) and --no-english is not given.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import threading

from appkit.cli import add_hall_option, connection
from contract.client import HallClient

from .announcer import Announcer
from .clips import ClipCache
from .output import AplaySink, WavSink
from .recordings import Recordings
from .synth import DEFAULT_RATE, SynthError, Synthesizer

log = logging.getLogger("voice")


def build_sinks(output: str, wav_dir: str | None, device: str | None) -> list:
    """auto: WAV files when a folder is given, else the sound card. The sound card comes first:
    the hall hears the call before its file is written."""
    if output == "auto":
        output = "wav" if wav_dir else "aplay"
    sinks: list = []
    if output in ("aplay", "both"):
        sinks.append(AplaySink(device))
    if output in ("wav", "both"):
        if not wav_dir:
            raise SystemExit("voice: --output wav needs --wav-dir DIR")
        sinks.append(WavSink(wav_dir))
    return sinks


class VoiceService:
    """The announcer on the hall's MQTT: calls in, sound out."""

    def __init__(self, hall: str, host: str, port: int, *, name: str = "hall", password: str | None = None,
                 tls_ca: str | None = None, output: str = "auto", wav_dir: str | None = None, device: str | None = None,
                 rate: int = DEFAULT_RATE, repeats: int = 1, english: bool = True, chime: bool = True,
                 use_cache: bool = True, clips: str | None = None, on_done=None, cache: ClipCache | None = None):
        self.english_wanted = english
        recordings = Recordings(clips) if clips else None
        self.cache = cache or ClipCache(Synthesizer(rate), use_cache=use_cache,  # tests share one warm cache
                                        recordings=recordings)
        self.announcer = Announcer(self.cache, build_sinks(output, wav_dir, device), english=english,
                                   repeats=repeats, with_chime=chime, on_done=on_done)
        self.client = HallClient(f"voice-{name}", hall, host, port, password=password, tls_ca=tls_ca,
                                 deliver=self._deliver)
        self.topics = self.client.topics
        self.client.subscribe(self.topics.state_config())
        self.client.subscribe(self.topics.event("called"))
        self.client.subscribe(self.topics.event("tidal"))

    def start(self, wait: float = 10.0) -> bool:
        clips = self.cache.warm()
        log.info("voice: %d clips ready%s", clips, "" if clips else " (clip cache off: whole-phrase synthesis)")
        self.announcer.start()
        return self.client.start(wait=wait)

    def stop(self) -> None:
        self.client.stop()
        self.announcer.stop()

    def _deliver(self, incoming) -> None:
        if not incoming.payload:
            return
        try:
            data = incoming.json()
        except ValueError:
            log.warning("voice: undecodable message on %s", incoming.topic)
            return
        if incoming.topic == self.topics.event("called") and isinstance(data, dict):
            self.announcer.submit(data)
        elif incoming.topic == self.topics.event("tidal") and isinstance(data, dict):
            self.announcer.submit_notice(data)  # "10号窗口开始办理社保医保业务"
        elif incoming.topic == self.topics.state_config() and isinstance(data, dict):
            languages = (data.get("config") or {}).get("languages") or ["zh", "en"]
            self.announcer.english = self.english_wanted and "en" in languages


class TimingLog:
    """One JSON line per announcement: what was said and when its audio started, on the
    system-wide monotonic clock (time.perf_counter), so another process — the benchmark, a
    monitoring script — can line it up with its own times."""

    def __init__(self, path: str):
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life
        self.lock = threading.Lock()

    def __call__(self, a) -> None:
        line = {"number": a.number, "window": a.window, "times_called": a.times_called, "kind": a.kind,
                "received_at": a.received_at, "first_audio_at": a.first_audio_at,
                "first_speech_at": a.first_speech_at, "seconds": a.seconds, "fallback": a.fallback}
        with self.lock:
            self.handle.write(json.dumps(line) + "\n")
            self.handle.flush()


def run_voice(args) -> int:
    hall, broker = connection(args)
    try:
        service = VoiceService(hall, broker.host, broker.port, name=args.name, password=broker.password,
                               tls_ca=broker.tls_ca,
                               output=args.output, wav_dir=args.wav_dir, device=args.device, rate=args.rate,
                               repeats=args.repeats, english=not args.no_english, chime=not args.no_chime,
                               use_cache=not args.no_cache, clips=args.clips,
                               on_done=TimingLog(args.timing_log) if args.timing_log else None)
    except SynthError as exc:
        log.error("voice: %s", exc)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if not service.start():
        log.warning("voice: broker %s not reachable yet; still trying", args.broker)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    service.stop()
    log.info("voice: %d announcements made", len(service.announcer.done))
    return 0


def add_parser(sub, common) -> None:
    p = sub.add_parser("voice", help="the voice announcer: speaks every call (请A001号到3号窗口办理)",
                       description="Speak every event/called with a chime, Chinese then English, "
                                   "from a clip cache built at start-up (pyttsx3 + espeak-ng).")
    common(p)
    add_hall_option(p)
    p.add_argument("--name", default="hall", help="device name: logs in as voice-NAME (default hall)")
    p.add_argument("--output", default="auto", choices=["auto", "aplay", "wav", "both"],
                   help="auto: the sound card, or only WAV files when --wav-dir is given (default auto)")
    p.add_argument("--wav-dir", help="write every announcement to a WAV file in this folder")
    p.add_argument("--device", help="ALSA device for aplay (default: the system's default)")
    p.add_argument("--rate", type=int, default=DEFAULT_RATE, help=f"speaking rate, words/min (default {DEFAULT_RATE})")
    p.add_argument("--repeats", type=int, default=1, choices=range(1, 6), metavar="1-5",
                   help="say each call this many times (default 1)")
    p.add_argument("--no-english", action="store_true", help="Chinese only")
    p.add_argument("--no-chime", action="store_true", help="no ding-dong before the words")
    p.add_argument("--clips", metavar="DIR", default=os.environ.get("QMS_VOICE_CLIPS"),
                   help="the hall's recorded words, one WAV each (zh/请.wav, en/number.wav, chime.wav …), "
                        "said instead of synthesized ones (env QMS_VOICE_CLIPS; docs/screens.md)")
    p.add_argument("--no-cache", action="store_true", help="synthesize every call whole (slower; for comparison)")
    p.add_argument("--timing-log", metavar="FILE", help="append a JSON line per announcement with its timing")
    p.set_defaults(func=run_voice)

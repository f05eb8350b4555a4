"""Speech synthesis to WAV files: pyttsx3 driving espeak-ng.

The care taken here, and why (docs/architecture.md, pitfalls of the stack):
- espeak-ng's `cmn` voice reads Chinese wrongly (号到 comes out as English
  letters); `cmn-latn-pinyin` reads it right, and still names Latin letters
  (A → "ei"), which is how a hall says its ticket letters.
- pyttsx3's `runAndWait()` can return before `save_to_file` has written the
  file, so every synthesis waits until the file is a complete WAV.
- An unknown voice name is ignored by espeak without a word (the previous
  voice keeps speaking), and so is a bare language name: voices are given by
  their file name and checked against espeak's list at start.
- pyttsx3's espeak driver prints "Audio saved to …" for every file; that
  goes to the debug log instead of the announcer's stdout.
- A pyttsx3 engine is not thread-safe: one lock around every synthesis.
"""
from __future__ import annotations

import logging
import threading
import time
import wave
from pathlib import Path

log = logging.getLogger("voice.synth")

VOICES = {"zh": "sit/cmn-latn-pinyin", "en": "gmw/en-US"}  # espeak-ng voice files; a bare "cmn-latn-pinyin" is not found
DEFAULT_RATE = 150  # words per minute; espeak's own default (175) is fast for a noisy hall


class SynthError(RuntimeError):
    pass


def wav_complete(path: Path) -> bool:
    """The file exists and holds as many frames as its header promises (and at least one)."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames = wav.getnframes()
            expected = 44 + frames * wav.getsampwidth() * wav.getnchannels()
        return frames > 0 and path.stat().st_size >= expected
    except (OSError, EOFError, wave.Error):
        return False


class Synthesizer:
    """pyttsx3 + espeak-ng at one speaking rate, one voice per language."""

    def __init__(self, rate: int = DEFAULT_RATE, voices: dict[str, str] | None = None):
        try:
            import pyttsx3
            import pyttsx3.drivers.espeak as espeak_driver
        except ImportError as exc:  # pragma: no cover - a broken install
            raise SynthError(f"pyttsx3 is not installed ({exc}): run `make setup`") from None
        espeak_driver.print = lambda *args, **kw: log.debug(" ".join(str(a) for a in args))
        try:
            self.engine = pyttsx3.init("espeak")
        except (OSError, RuntimeError, ValueError, KeyError, ImportError) as exc:  # libespeak-ng missing or broken
            raise SynthError(f"espeak-ng could not start ({exc}): apt-get install espeak-ng") from None
        self.rate = rate
        self.voices = dict(voices or VOICES)
        self.engine.setProperty("rate", rate)
        self._lock = threading.Lock()
        self._voice: str | None = None
        for voice in self.voices.values():  # fail at start, not at the first call
            self._use(voice)

    def _use(self, voice: str) -> None:
        """Queue the voice for the next synthesis (pyttsx3 applies properties in runAndWait)."""
        if voice == self._voice:
            return
        known = {str(v.id).lower(): str(v.id) for v in self.engine.getProperty("voices")}
        if voice.lower() not in known:
            raise SynthError(f"espeak-ng has no voice {voice!r}; `espeak-ng --voices` lists them "
                             f"(give the file name, e.g. sit/cmn-latn-pinyin)")
        self.engine.setProperty("voice", known[voice.lower()])
        self._voice = voice

    def to_file(self, text: str, lang: str, path: Path, timeout: float = 10.0) -> Path:
        """Speak `text` in `lang` into the WAV file `path`; returns once the file is complete."""
        path = Path(path)
        path.unlink(missing_ok=True)
        with self._lock:
            self._use(self.voices[lang])
            self.engine.save_to_file(text, str(path))
            self.engine.runAndWait()
        deadline = time.monotonic() + timeout
        while not wav_complete(path):
            if time.monotonic() > deadline:
                raise SynthError(f"espeak-ng wrote no complete WAV for {text!r} within {timeout} s")
            time.sleep(0.005)
        return path

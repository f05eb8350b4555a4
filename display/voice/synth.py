"""Speech synthesis to WAV files: pyttsx3 driving espeak-ng.

The care taken here, and why (docs/architecture.md, pitfalls of the stack):
- espeak-ng's `cmn` voice reads Chinese wrongly (号到 comes out as English
  letters); `cmn-latn-pinyin` reads it right, but reads many Latin letters as
  Chinese syllables: E as yì (E001 is heard as 一零零一), G as zhì, R as ér (二).
  So the Chinese text espeak gets spells every capital letter as the phonemes
  of its English name, in espeak's `[[ ]]` phoneme input (LETTER_NAMES); the
  English voice names letters right as they are.
- pyttsx3 synthesizes without espeak's PHONEMES flag (the espeak-ng command
  line sets it): `[[ ]]` would be read out as brackets and letters, so the
  flag is added to the driver's calls.
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
import re
import threading
import time
import wave
from pathlib import Path

log = logging.getLogger("voice.synth")

VOICES = {"zh": "sit/cmn-latn-pinyin", "en": "gmw/en-US"}  # espeak-ng voice files; a bare "cmn-latn-pinyin" is not found
DEFAULT_RATE = 150  # words per minute; espeak's own default (175) is fast for a noisy hall

# Each letter's English name in the phonemes of the Chinese voice (espeak's mnemonics, its tones by default).
# Aspirated p, t, k (ph, th, kh): an unaspirated one is what a Chinese ear hears as b, d, g.
LETTER_NAMES = {
    "A": "ei", "B": "bi:", "C": "si:", "D": "di:", "E": "i:", "F": "Ef", "G": "dZi:", "H": "eitS", "I": "ai",
    "J": "dZei", "K": "khei", "L": "El", "M": "Em", "N": "En", "O": "ou", "P": "phi:", "Q": "khju:", "R": "A:r",
    "S": "Es", "T": "thi:", "U": "ju:", "V": "vi:", "W": "dab@lju:", "X": "Eks", "Y": "wai", "Z": "zi:",
}
CAPITAL = re.compile(r"[A-Z]")


def espeak_text(text: str, lang: str) -> str:
    """The text as espeak-ng is given it: in Chinese every capital letter spelled as its name."""
    if lang != "zh":
        return text
    return CAPITAL.sub(lambda m: f" [[{LETTER_NAMES[m.group()]}]] ", text)


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
        _allow_phonemes(espeak_driver._espeak)
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
            self.engine.save_to_file(espeak_text(text, lang), str(path))
            self.engine.runAndWait()
        deadline = time.monotonic() + timeout
        while not wav_complete(path):
            if time.monotonic() > deadline:
                raise SynthError(f"espeak-ng wrote no complete WAV for {text!r} within {timeout} s")
            time.sleep(0.005)
        return path


def _allow_phonemes(espeak) -> None:
    """Make pyttsx3's espeak binding synthesize with the PHONEMES flag (once per process)."""
    synth = espeak.Synth
    if getattr(synth, "with_phonemes", False):
        return

    def with_phonemes(text, *args, flags=espeak.CHARS_AUTO, **kwargs):
        return synth(text, *args, flags=flags | espeak.PHONEMES, **kwargs)

    with_phonemes.with_phonemes = True
    espeak.Synth = with_phonemes

"""A hall's own recorded voice: a folder of WAV files, one per word, said instead of synthesis.

    clips/chime.wav             the ding-dong before every announcement
    clips/zh/请.wav  clips/zh/A.wav  clips/zh/零.wav … clips/zh/窗口.wav  clips/zh/再次呼叫.wav
    clips/en/number.wav  clips/en/A.wav  clips/en/twenty.wav … clips/en/please_go_to_window.wav

A file is named by the word it says (words.fixed_tokens; docs/screens.md lists them): case does
not matter, and a space in a word is written `_` (or kept). Any sample rate, width or channel
count: sox converts each file to the announcer's format once, at start-up. A word with no file
is synthesized as before; a file that names no word, or that sox cannot read, is logged so the
hall sees its typo, and the voice carries on.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from .clips import RATE, trim

log = logging.getLogger("voice.recordings")

CHIME = "chime"


def file_key(name: str) -> str:
    """A word or a file's stem as they are matched: lower case, `_` and `-` as spaces."""
    return " ".join(name.replace("_", " ").replace("-", " ").lower().split())


class Recordings:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise SystemExit(f"voice: the clips folder {self.folder} does not exist")
        self.sox = shutil.which("sox")
        if self.sox is None:
            raise SystemExit("voice: recorded clips need sox to read them (apt-get install sox)")
        self.files: dict[tuple[str, str], Path] = {}  # (lang or "", key) -> file
        for path in sorted(self.folder.glob("*.wav")) + sorted(self.folder.glob("*/*.wav")):
            lang = path.parent.name if path.parent != self.folder else ""
            self.files[(lang, file_key(path.stem))] = path
        self.used: set[Path] = set()

    def chime(self) -> bytes | None:
        return self._load(self.files.get(("", CHIME)))

    def clip(self, lang: str, word: str) -> bytes | None:
        """The trimmed PCM of `word` as recorded for `lang`, or None (no file, or one sox cannot read)."""
        return self._load(self.files.get((lang, file_key(word))))

    def _load(self, path: Path | None) -> bytes | None:
        if path is None:
            return None
        self.used.add(path)
        command = [self.sox, str(path), "-t", "raw", "-r", str(RATE), "-e", "signed-integer", "-b", "16", "-c", "1",
                   "-L", "-"]
        result = subprocess.run(command, capture_output=True, timeout=30, check=False)
        if result.returncode != 0 or not result.stdout:
            log.error("voice: cannot read the recorded clip %s (%s); that word is synthesized instead", path,
                      result.stderr.decode(errors="replace").strip() or "no audio")
            return None
        return trim(result.stdout)

    def unused(self) -> list[Path]:
        """The files that name no word the voice says (after every word has been looked up)."""
        return sorted(set(self.files.values()) - self.used)

"""Where an announcement's audio goes: the sound card (aplay) or WAV files.

Both take the audio as a sequence of PCM chunks and write the first chunk
(the chime) before the rest is ready, and both report when their first
sample was written: that is the latency the hall hears. The sound card plays
in real time, so `AplaySink.play` returns when the announcement has been
heard; a WAV file is written at disk speed.

A box without a sound card (or without aplay) must not stop the announcer:
it says so once, clearly, and the announcer goes on (writing WAVs if asked).
"""
from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
import wave
from collections.abc import Iterable
from pathlib import Path

from .clips import RATE, SAMPLE_BYTES

log = logging.getLogger("voice.output")


class AplaySink:
    """Pipes raw PCM into one `aplay` per announcement (ALSA default device, or `device`)."""

    name = "aplay"

    def __init__(self, device: str | None = None):
        self.device = device
        self.binary = shutil.which("aplay")
        self.broken: str | None = None
        if self.binary is None:
            self.broken = "aplay is not installed (apt-get install alsa-utils)"
        elif device is None and not sound_cards():
            self.broken = "no sound card found (`aplay -l` lists none)"
        if self.broken:
            log.error("voice: %s: calls are NOT played aloud; --wav-dir DIR writes them to files instead",
                      self.broken)

    def play(self, chunks: Iterable[bytes], label: str) -> dict:
        if self.broken:
            return {"written_at": None, "error": self.broken}
        command = [self.binary, "-q", "-t", "raw", "-f", "S16_LE", "-r", str(RATE), "-c", "1"]
        if self.device:
            command += ["-D", self.device]
        written_at = None
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            for chunk in chunks:
                process.stdin.write(chunk)
                if written_at is None:
                    process.stdin.flush()
                    written_at = time.perf_counter()
            process.stdin.close()
            error = process.stderr.read().decode(errors="replace").strip()
            if process.wait() != 0:
                raise OSError(error or f"aplay exited with {process.returncode}")
        except OSError as exc:
            self.broken = f"aplay failed: {exc}"
            log.error("voice: %s: calls are NOT played aloud from now on; check the sound card "
                      "(`aplay -l`) and restart the announcer", self.broken)
            return {"written_at": written_at, "error": self.broken}
        return {"written_at": written_at}


class WavSink:
    """One WAV file per announcement, numbered in call order: 0001-A001-w3-c1.wav."""

    name = "wav"

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(self.folder.glob("*.wav")))

    def play(self, chunks: Iterable[bytes], label: str) -> dict:
        self.count += 1
        path = self.folder / f"{self.count:04d}-{label}.wav"
        written_at = None
        with open(path, "wb") as handle, wave.open(handle, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(SAMPLE_BYTES)
            wav.setframerate(RATE)
            for chunk in chunks:
                wav.writeframesraw(chunk)  # the header's sizes are fixed up on close
                if written_at is None:
                    handle.flush()  # the header and the first samples are in the file now
                    written_at = time.perf_counter()
        return {"written_at": written_at, "path": str(path)}


def sound_cards() -> list[str]:
    """The ALSA playback cards `aplay -l` lists (empty when there are none or no aplay)."""
    binary = shutil.which("aplay")
    if binary is None:
        return []
    try:
        out = subprocess.run([binary, "-l"], capture_output=True, text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return re.findall(r"^card \d+: .*$", out, flags=re.MULTILINE)

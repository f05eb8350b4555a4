"""The caller, the hall and window screens and the voice in `main.py demo`.

Each runs as its own `main.py` process on the demo's broker, as in a hall. With a display they
open as windows (and the voice plays through the sound card as well); headless they render
off-screen and the voice writes WAV files. Either way one member of staff works window 4 through
the caller app by simulated touches (caller/autopilot.py), and when the demo ends each screen
saves its last frame as a PNG and the voice's announcements are counted and measured.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import wave
from pathlib import Path

from testbed.processes import die_with_parent, stop_process

ROOT = Path(__file__).resolve().parent.parent
CALLER_WINDOW = 4


def add_options(parser) -> None:
    parser.add_argument("--no-screens", action="store_true",
                        help="no caller app, hall/window screens or voice announcer in the demo")


class DemoScreens:
    def __init__(self, config, args, port: int, workdir: Path):
        from appkit.boot import has_display

        self.config, self.args, self.port = config, args, port
        self.workdir = Path(workdir)
        self.enabled = not getattr(args, "no_screens", False)
        self.windowed = has_display()
        self.window = CALLER_WINDOW if self.enabled else None
        self.staff: tuple[str, str] | None = None
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: list = []
        self.shots = self.workdir / "screens"
        self.voice_dir = self.workdir / "voice"

    def take_staff(self, staff_id: str, pin: str) -> None:
        """The member of staff who works the caller app's window (instead of a virtual window)."""
        self.staff = (staff_id, pin)

    def _spawn(self, name: str, *args: str) -> None:
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115 - open for the process's life
        self.logs.append(log)
        command = [sys.executable, str(ROOT / "main.py"), *args, "--config", self.args.config,
                   "--broker", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=log, preexec_fn=die_with_parent)

    def start(self) -> None:
        if not self.enabled:
            return
        self.shots.mkdir(parents=True, exist_ok=True)
        self._spawn("voice", "voice", "--name", "demo", "--wav-dir", str(self.voice_dir),
                    "--output", "both" if self.windowed else "wav")
        # Off-screen nobody watches the frames between start and end: a few a second spare the CPU
        # (software rendering) for the hall the demo is about.
        fps = [] if self.windowed else ["--max-fps", "4"]
        self._spawn("hall-screen", "display", "--mode", "hall", "--snapshot", str(self.shots / "hall-screen.png"), *fps)
        self._spawn("window-screen", "display", "--mode", "window", "--window", str(CALLER_WINDOW),
                    "--snapshot", str(self.shots / f"window-{CALLER_WINDOW}-screen.png"), *fps)
        caller = ["caller", "--window", str(CALLER_WINDOW), "--snapshot", str(self.shots / "caller.png"), *fps]
        if self.staff:
            caller += ["--autopilot", ":".join(self.staff), "--autopilot-speed", str(self.args.speed)]
        self._spawn("caller", *caller)
        self._wait_until_online()
        where = "as windows" if self.windowed else "off-screen"
        print(f"caller app (window {CALLER_WINDOW}, worked by touch), hall screen and window screen run {where}; "
              f"the voice writes {self.voice_dir}{' and plays aloud' if self.windowed else ''}", flush=True)

    def _wait_until_online(self, timeout: float = 20.0) -> None:
        """Until the voice (its clip cache warm) and the screens are online. Calls made before then
        are retained nowhere, so the voice would never say them; and starting four Kivy processes
        takes the CPU for a few seconds that the hall's accelerated hour should not lose."""
        from contract.client import HallClient

        devices = {"voice-demo", "display-hall", f"display-window{CALLER_WINDOW}", f"window-{CALLER_WINDOW}"}
        online: set[str] = set()
        everyone = threading.Event()

        def heard(message) -> None:
            if message.payload and message.json().get("status") == "online":
                online.add(message.topic.rsplit("/", 1)[1])
                if online >= devices:
                    everyone.set()

        watcher = HallClient("display-demo-watch", self.config.hall, "127.0.0.1", self.port, deliver=heard)
        for device in devices:
            watcher.subscribe(watcher.topics.status(device))
        try:
            watcher.start(wait=10)
            if not everyone.wait(timeout):
                late = ", ".join(sorted(devices - online))
                print(f"not online after {timeout:.0f} s: {late}; see the logs in {self.workdir}", flush=True)
        finally:
            watcher.stop()

    def finish(self) -> None:
        """Stop the screens (each saves its last frame) and the voice, and say what they made."""
        if not self.enabled:
            return
        for name, process in self.processes.items():
            if process.poll() is not None:
                print(f"{name} stopped early (exit {process.returncode}); see {self.workdir / (name + '.log')}",
                      flush=True)
        self.stop()
        wavs = sorted(self.voice_dir.glob("*.wav"))
        seconds = sum(_wav_seconds(path) for path in wavs)
        print(f"voice: {len(wavs)} announcements written, {seconds / 60:.1f} min of audio in {self.voice_dir}"
              + (f" (first {wavs[0].name}, {_wav_seconds(wavs[0]):.1f} s)" if wavs else ""), flush=True)
        shots = sorted(self.shots.glob("*.png"))
        print(f"screens: {', '.join(p.name for p in shots) or 'no screenshots'} in {self.shots}", flush=True)

    def stop(self) -> None:
        for process in self.processes.values():  # all at once: each screen saves its frame as it goes
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            stop_process(process, timeout=15)
        self.processes = {}
        for log in self.logs:
            log.close()
        self.logs = []


def _wav_seconds(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0.0

"""`main.py` run as a person runs it: a separate process, its output as text."""
from __future__ import annotations

import os
import subprocess
import sys

from testbed.controller import ROOT

MAIN = [sys.executable, str(ROOT / "main.py")]


def run(*args, env=None, timeout=60):
    return subprocess.run([*MAIN, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)

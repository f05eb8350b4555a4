"""`main.py demo` runs the bridge on virtual devices: the keypad of window 1 logs in and its LED screen
and display are printed next to the hall's events."""
from __future__ import annotations

import os
import subprocess
import sys

from testbed.controller import ROOT


def test_the_demo_drives_a_virtual_keypad_through_the_real_bridge():
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "demo", "--minutes", "30", "--speed", "240",
                             "--no-kiosk"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT, stdin=subprocess.DEVNULL,
                            env={**os.environ, "QMS_LOG_LEVEL": "warning"})
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "LED屏 screen 1号窗口 「暂停服务」 / 「Closed」" in out      # closed until the clerk logs in
    assert "键盘 keypad  1号窗口 显示 等候 ___ · 当前 888" in out     # the PIN typed, masked
    assert "LED屏 screen 1号窗口 「欢迎光临」 / 「Welcome」" in out     # logged in on the keypad
    assert "virtual keypad of window 1:" in out and "叫号 called" in out

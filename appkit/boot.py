"""Kivy start-up for the hall's apps, on a Pi's touch screen or off-screen in tests.

Kivy reads its environment at import time, so `prepare()` must run before the
first `import kivy`. Without a display (CI, a headless demo) SDL renders
off-screen; the private KIVY_HOME keeps a developer's own Kivy config out of it.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare(*, headless: bool | None = None, size: tuple[int, int] | None = None,
            fullscreen: bool = False) -> bool:
    """Set Kivy's environment; returns whether it renders off-screen."""
    headless = (not has_display()) if headless is None else headless
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    if "KIVY_HOME" not in os.environ:
        home = Path(tempfile.gettempdir()) / f"qms-kivy-{os.getuid()}"
        home.mkdir(exist_ok=True)
        os.environ["KIVY_HOME"] = str(home)
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    for module in Config.options("modules"):  # the inspector, screenshot and rotate keys: none of them
        Config.remove_option("modules", module)
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if size:
        Config.set("graphics", "width", str(size[0]))
        Config.set("graphics", "height", str(size[1]))
    if fullscreen and not headless:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "show_cursor", "0")
    register_cjk_font()
    lock_kivy_controls()
    return headless


def lock_kivy_controls() -> None:
    """No app of the hall opens Kivy's own settings panel, by F1 or any other key.

    Kivy's App binds F1 (and Android's menu key) to a panel where anyone at the keyboard could
    switch full screen, the frame rate and logging — and it takes F1 before the app sees it, so
    the caller's F1 (呼叫下一位) never arrived. Every app (kiosk, evaluator, caller, screens)
    starts through here, so the panel is switched off once, for all of them, on Kivy's App itself.
    """
    from kivy.app import App

    App.use_kivy_settings = False
    App.open_settings = lambda self, *args: False
    App._install_settings_keys = lambda self, window: None


def cjk_font() -> str:
    for path in CJK_FONTS:
        if os.path.exists(path):
            return path
    raise RuntimeError("no CJK font found: install fonts-wqy-microhei (make setup does)")


def register_cjk_font() -> None:
    """Make a CJK font Kivy's default: its own Roboto has no Chinese glyphs."""
    from kivy.core.text import LabelBase

    path = cjk_font()
    LabelBase.register("Roboto", path, path, path, path)

"""Keep a software-rendered screen from queueing frames behind the number people wait for.

Mesa's software renderer (llvmpipe, what an off-screen run and a box without GPU drivers use)
takes tens of milliseconds per 1920×1080 frame and, with no display to pace it, lets Kivy queue
several frames ahead; a new call's frame then waits for all of them. Finishing each frame
before the next keeps at most one in flight. On a GPU this is not needed and not done.
"""
from __future__ import annotations

SOFTWARE = ("llvmpipe", "softpipe", "swrast")


def is_software() -> bool:
    from kivy.graphics.opengl import GL_RENDERER, glGetString

    renderer = (glGetString(GL_RENDERER) or b"").decode(errors="replace").lower()
    return any(name in renderer for name in SOFTWARE)


def pace_software_frames() -> bool:
    """Finish every frame on a software renderer (call once the window exists); True if it did."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish

    if not is_software():
        return False
    Window.bind(on_flip=lambda *_: glFinish())
    return True

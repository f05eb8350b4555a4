"""How the hall's screens say a time: a running timer, an estimated wait."""
from __future__ import annotations


def clock_text(seconds: float | None) -> str:
    """A running timer: 4:05, 1:02:03; '--' when unknown."""
    if seconds is None:
        return "--"
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def wait_text(seconds: float | None) -> dict[str, str]:
    """An estimated wait for people: 约5分钟 / about 5 min, rounded up to a whole minute."""
    if seconds is None:
        return {"zh": "--", "en": "--"}
    if seconds <= 0:
        return {"zh": "无需等候", "en": "no wait"}
    minutes = max(1, -(-int(seconds) // 60))
    if minutes >= 120:
        hours = round(minutes / 60, 1)
        return {"zh": f"约{hours:g}小时", "en": f"about {hours:g} h"}
    return {"zh": f"约{minutes}分钟", "en": f"about {minutes} min"}

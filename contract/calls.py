"""The words of a call: the sentence the controller publishes in `event/called`, screens show and
the voice says ("请A001号到3号窗口办理" / "Number A001, please go to window 3"), and a recall's
("再次呼叫A001号到3号窗口办理" / "Calling again: A001 to window 3").

The voice says the sentence by joining a clip per word (display/voice/words.py), so it is built
here from those words and nowhere else.
"""
from __future__ import annotations

ZH_PLEASE, ZH_AGAIN, ZH_NUMBER, ZH_TO, ZH_WINDOW, ZH_SERVE = "请", "再次呼叫", "号", "到", "窗口", "办理"
EN_NUMBER, EN_GO_TO_WINDOW, EN_AGAIN, EN_TO_WINDOW = "Number", "please go to window", "Calling again", "to window"


def call_text(number: str, window: int, again: bool = False) -> dict[str, str]:
    """A call's sentence in each language; `again` for a recall (the same ticket called once more)."""
    zh_tail = f"{number}{ZH_NUMBER}{ZH_TO}{window}{ZH_NUMBER}{ZH_WINDOW}{ZH_SERVE}"
    if again:
        return {"zh": ZH_AGAIN + zh_tail, "en": f"{EN_AGAIN}: {number} {EN_TO_WINDOW} {window}"}
    return {"zh": ZH_PLEASE + zh_tail, "en": f"{EN_NUMBER} {number}, {EN_GO_TO_WINDOW} {window}"}

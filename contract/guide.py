"""An item's 办事指南 as people read it, in both languages: its sections in the order of a printed
guide, the materials as numbered lines, the time limits, the windows.

One wording for every place a guide is read — the kiosk's screen and its printed 一次性告知单, the
web's guide pages and their printable notice — taken from the live config in the client mirror; and
the words of a window's written notice of a 补正 or a refusal, printed at the window
(controller/notices.py) or read on the ticket's page (web/presenters/ticket.py).
"""
from __future__ import annotations

from .bilingual import Bi, bi
from .hall import HallMirror, ItemView

SECTIONS = {
    "basis": Bi("设定依据", "Legal basis"),
    "conditions": Bi("受理条件", "Who can apply"),
    "materials": Bi("申请材料", "Documents to bring"),
    "steps": Bi("办理流程", "Steps"),
    "limits": Bi("办理时限", "Time limits"),
    "fees": Bi("收费标准", "Fees"),
    "windows": Bi("办理窗口", "Windows"),
    "phone": Bi("咨询电话", "Enquiries"),
}
LIMITS = Bi("法定 {legal} 个工作日，承诺 {promised} 个工作日", "Legal limit {legal}, promised {promised}")
ON_THE_SPOT = Bi("当场办结", "done on the spot")
ORIGINAL = Bi("原件", "original")
COPY = Bi("复印件", "copy")
COPIES = Bi("{n} 份", "{n} copies")


# What each notice is called and says; the remedy is the one the law gives every refusal of an
# administrative application (行政复议法 60 days, 行政诉讼法 6 months).
OUTCOME_NOTICES = {
    "supplement": {
        "title": ("补正材料通知书（一次性告知单）", "Notice of missing documents (one-time notice)"),
        "heading": ("请补齐以下材料", "Please bring these documents"),
        "tail": [("以上为需补正的全部材料，已一次性告知。补齐后请重新取号办理，已提交的材料无需重复提交。",
                  "These are all the missing documents, told at once. Bring them and take a new ticket; "
                  "documents already handed in need not be brought again.")],
    },
    "refused": {
        "title": ("不予受理通知书", "Notice of refusal"),
        "heading": ("不予受理的理由", "Reasons for the refusal"),
        "tail": [("如对本决定不服，可自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起"
                  "行政诉讼。",
                  "If you disagree with this decision, you may apply for administrative reconsideration within "
                  "60 days of receiving this notice, or bring an administrative lawsuit before a people's court "
                  "within six months.")],
    },
}


def materials(item: ItemView) -> list[Bi]:
    """1. 身份证（原件 1 份）：note — one line per material."""
    lines = []
    for index, raw in enumerate(item.guide.get("materials") or [], 1):
        name = bi(raw.get("name"))
        kind = ORIGINAL if raw.get("original", True) else COPY
        n = raw.get("copies", 1)
        copies = Bi(COPIES.zh.format(n=n), COPIES.en.format(n=n)) if n != 1 else Bi("1 份", "1 copy")
        zh = f"{index}. {name.zh}（{kind.zh} {copies.zh}）"
        en = f"{index}. {name.en} ({kind.en}, {copies.en})"
        if raw.get("note"):
            note = bi(raw["note"])
            zh, en = f"{zh}：{note.zh}", f"{en}: {note.en}"
        lines.append(Bi(zh, en))
    return lines


def material_line(items: list[ItemView], name: str) -> Bi:
    """A material named by a clerk (a 补正's pick: its Chinese name) as the guide words it — copies, original
    or copy, note, unnumbered — from the first of `items` (the ticket's item first) that has it; else the
    clerk's words as given, with no English."""
    for item in items:
        for raw, line in zip(item.guide.get("materials") or (), materials(item)):
            if (raw.get("name") or {}).get("zh") == name:
                return Bi(_unnumbered(line.zh), _unnumbered(line.en))
    return Bi(name, "")


def _unnumbered(line: str) -> str:
    head, dot, rest = line.partition(". ")
    return rest if dot and head.isdigit() else line


def working_days(n: int) -> str:
    """'1 working day', '5 working days': English counts its nouns."""
    return f"{n} working day" if n == 1 else f"{n} working days"


def limits(item: ItemView) -> Bi:
    legal, promised = item.guide.get("legal_limit_days", 0), item.guide.get("promised_limit_days", 0)
    if promised == 0:
        return Bi(f"法定 {legal} 个工作日，{ON_THE_SPOT.zh}",
                  f"Legal limit {working_days(legal)}; {ON_THE_SPOT.en}")
    return Bi(LIMITS.zh.format(legal=legal, promised=promised),
              LIMITS.en.format(legal=working_days(legal), promised=working_days(promised)))


def window_names(hall: HallMirror, item: ItemView) -> list[Bi]:
    """The windows the config gives the item's category (a guide names where to go, not who is open now)."""
    return [hall.window_name(n) for n in hall.configured_windows(item.category)]


def windows(hall: HallMirror, item: ItemView) -> Bi:
    names = window_names(hall, item)
    return Bi("、".join(n.zh for n in names), ", ".join(n.en for n in names))


def sections(hall: HallMirror, item: ItemView) -> list[tuple[str, Bi, list[Bi]]]:
    """(key, heading, lines) of every section, in the order of a printed 办事指南."""
    guide, phone = item.guide, str(item.guide.get("phone", ""))
    return [
        ("conditions", SECTIONS["conditions"], [bi(guide.get("conditions"))]),
        ("materials", SECTIONS["materials"], materials(item)),
        ("steps", SECTIONS["steps"], [Bi(f"{i}. {bi(step).zh}", f"{i}. {bi(step).en}")
                                      for i, step in enumerate(guide.get("steps") or [], 1)]),
        ("limits", SECTIONS["limits"], [limits(item)]),
        ("fees", SECTIONS["fees"], [bi(guide.get("fees"))]),
        ("windows", SECTIONS["windows"], [windows(hall, item)]),
        ("phone", SECTIONS["phone"], [Bi(phone, phone)]),
        ("basis", SECTIONS["basis"], [bi(guide.get("basis"))]),
    ]

"""The written notice of a window's outcome, printed at the window's printer: the 补正通知 (一次性告知单)
and the 不予受理通知书.

A 补正 or a refusal is told to the citizen in writing (一次性告知; a refusal with its reasons and the
legal remedy). `finish` at a window with a `printer` (config `windows.<n>.printer`, a firmware bridge's
printer) stores the notice's print job in the `notice_prints` table in the batch that records the
outcome, so a reply to `finish` means the notice will be printed: a printer out of paper, switched off
or a bridge away only delays it. The service (controller/service.py) publishes a due job on the bridge's
print topic — the contract of a kiosk's ticket (`contract.devices.PrintJob`), the one ESC/POS codec at
the bridge — hears its result and the printer's retained status, and writes what came of it in its
next batch. A job refused (paper out, offline) waits for the printer's status to say it can print again
and is sent once more under its same id; the window hears why it waits as an `event/alert` of kind
`notice_print`, closed once it is printed.

Pure functions here, time passed in; what the notice says is kiosk/printing/slips.py's.
"""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from config.schema import HallConfig
from contract import guide as guides
from contract.bilingual import Bi, bi
from contract.hall import ItemView
from contract.messages import REFUSAL_REASONS
from kiosk.printing import slips

from .model import Event

PRINTABLE = ("supplement", "refused")
RESULT_TIMEOUT_S = 20.0  # a job sent and not answered is sent again under its id: the bridge prints an id once
READY = ("ok", "paper_near_end")
STATUS_GRACE_S = 5.0  # after a start, the printers' retained statuses come in before a printer counts as unknown
KEEP_PRINTED_S = 7 * 86400  # a printed notice's row (its words are in the ledger's ticket_finished for good)
WIDTH = 48  # half-width columns of an 80 mm roll, the window printers' paper
REASONS_EN = dict(REFUSAL_REASONS)
NAMES = {"supplement": Bi("补正材料通知书", "notice of missing documents"),
         "refused": Bi("不予受理通知书", "notice of refusal")}
WHY = {"paper_out": Bi("打印机缺纸，补纸后自动打印", "the printer is out of paper; it prints once paper is in"),
       "paper_near_end": Bi("打印机纸将用完", "the printer's paper is nearly out"),
       "offline": Bi("打印机未连接，恢复后自动打印", "the printer is not connected; it prints once it is back"),
       "timeout": Bi("打印机无响应，恢复后自动打印", "the printer does not answer; it prints once it does"),
       "busy": Bi("打印机忙，稍后自动打印", "the printer is busy; it prints shortly"),
       "bad_request": Bi("打印内容有误", "the print job was refused as malformed"),
       "unknown_printer": Bi("未找到配置的打印机", "the configured printer has not been heard of")}


def job_id(ticket_id: str) -> str:
    """One notice per ticket's 办结: the id the bridge prints once."""
    return f"notice-{ticket_id}"


def slip(config: HallConfig, window: int, ticket, outcome: str, detail: dict, now: float) -> slips.OutcomeNotice:
    """What the notice says: the hall, the item, the ticket's number, the window, the date in hall time,
    the materials (as the item's guide words them, with copies and originals) or the reasons, and for a
    refusal the item's legal basis. No name, no phone."""
    local = datetime.fromtimestamp(now, ZoneInfo(config.timezone))
    item = config.items.get(ticket.item) if ticket.item else None
    view = ItemView(id=ticket.item, name=bi(item.name.model_dump()), category=item.category,
                    guide=item.guide.model_dump()) if item else None
    if outcome == "supplement":
        lines = [_material(config, view, name) for name in detail.get("materials", ())]
    else:
        lines = [(reason, REASONS_EN.get(reason, "")) for reason in detail.get("reasons", ())]
    spec = config.windows.get(window)
    name = spec.name if spec is not None and spec.name is not None else None
    basis = (item.guide.basis.zh, item.guide.basis.en) if item is not None and outcome == "refused" else None
    return slips.OutcomeNotice(
        hall=(config.name.zh, config.name.en), outcome=outcome,
        item=(item.name.zh, item.name.en) if item else None, number=ticket.number,
        window=(name.zh, name.en) if name else (f"{window}号窗口", f"Window {window}"),
        day=local.strftime("%Y-%m-%d"), lines=lines, printed=local.strftime("%Y-%m-%d %H:%M"), basis=basis,
        phone=item.guide.phone if item else None)


def _material(config: HallConfig, item: ItemView | None, name: str) -> tuple[str, str]:
    """A missing material as the guide words it: the ticket's item's guide first, then any item's."""
    views = [item] if item else []
    views += [ItemView(id=key, name=bi(other.name.model_dump()), category=other.category,
                       guide=other.guide.model_dump()) for key, other in config.items.items()]
    line = guides.material_line(views, name)
    return line.zh, line.en


def row(config: HallConfig, window: int, ticket, outcome: str, detail: dict, now: float) -> dict | None:
    """The `notice_prints` row of a 补正 or refusal at a window with a printer; None otherwise."""
    spec = config.windows.get(window)
    if outcome not in PRINTABLE or spec is None or spec.printer is None:
        return None
    blocks = slips.outcome_notice(slip(config, window, ticket, outcome, detail, now), WIDTH)
    return {"id": job_id(ticket.id), "ticket_id": ticket.id, "number": ticket.number, "window": window,
            "printer": spec.printer, "outcome": outcome, "blocks": json.dumps(blocks, ensure_ascii=False),
            "created_at": now, "attempts": 0, "printed_at": None, "last_error": None, "paper": None}


def job(row: dict) -> dict:
    """The print job of a stored notice (contract.devices.PrintJob)."""
    return {"id": row["id"], "blocks": json.loads(row["blocks"]), "cut": True}


def printed(row: dict, paper: str, now: float) -> tuple[dict, Event]:
    after = {**row, "printed_at": now, "paper": paper, "attempts": row["attempts"] + 1, "last_error": None}
    return after, _event("notice_printed", row, after, now)


def not_printed(row: dict, code: str, paper: str | None, now: float, tried: bool) -> tuple[dict, Event]:
    """Why the notice waits: a refusal by the printer (`tried`) or a printer that cannot print now."""
    after = {**row, "last_error": code, "paper": paper, "attempts": row["attempts"] + (1 if tried else 0)}
    return after, _event("notice_unprinted", row, after, now)


def _event(kind: str, before: dict, after: dict, now: float) -> Event:
    data = {key: after[key] for key in ("id", "number", "printer", "outcome", "last_error", "paper", "attempts")}
    return Event(kind, now, "controller", ticket_id=after["ticket_id"], window=after["window"],
                 before={k: v for k, v in before.items() if k != "blocks"},
                 after={k: v for k, v in after.items() if k != "blocks"}, data=data)


def alert(event: Event) -> dict:
    """The window's alert of a notice waiting for its printer (red), and the same alert closed once printed:
    the caller shows the first and drops it with the second (both carry the job's `id`)."""
    data = event.data
    name = NAMES[data["outcome"]]
    common = {"kind": "notice_print", "id": data["id"], "window": event.window, "ticket_id": event.ticket_id,
              "number": data["number"], "printer": data["printer"], "at": event.at}
    if event.kind == "notice_printed":
        return {**common, "status": "closed", "level": "yellow", "paper": data["paper"],
                "text": {"zh": f"{data['number']}号的{name.zh}已打印", "en": f"The {name.en} of {data['number']} is printed"}}
    why = WHY.get(data["last_error"], WHY["offline"])
    return {**common, "status": "open", "level": "red", "error": data["last_error"], "paper": data["paper"],
            "text": {"zh": f"{data['number']}号的{name.zh}未打印：{why.zh}",
                     "en": f"The {name.en} of {data['number']} is not printed: {why.en}"}}


class PrinterWatch:
    """What the controller has heard of the window printers (their retained status and their bridges')
    and which notices are out to them. In memory: after a restart every unprinted notice is due again, and
    the bridge prints a job id once."""

    def __init__(self) -> None:
        self.bridges: dict[str, bool] = {}  # bridge device id -> online
        self.devices: dict[str, dict] = {}  # "bridge-x/printer" -> its BridgeDeviceStatus, as a dict
        self.sent: dict[str, float] = {}  # job id -> when it was published, until its result
        self.refused: dict[str, tuple[str, float]] = {}  # job id -> (printer, not before): sent again later

    def readiness(self, printer: str) -> str:
        """ok / paper_near_end when a job can go out now; else why not (paper_out, offline, unknown_printer)."""
        bridge = printer.partition("/")[0]
        status = self.devices.get(printer)
        if status is None or bridge not in self.bridges or status.get("kind") != "printer":
            return "unknown_printer"
        if not self.bridges[bridge] or status.get("status") != "online":
            return "offline"
        return status.get("paper") or "offline"

    def heard(self, bridge: str, device: str | None, status: dict | None) -> None:
        """A bridge's availability (`device` None) or one of its devices' status. A printer that can print
        again has its refused notices due at once."""
        if device is None:
            self.bridges[bridge] = bool(status) and status.get("status") == "online"
        elif status:
            self.devices[f"{bridge}/{device}"] = status
        else:
            self.devices.pop(f"{bridge}/{device}", None)
        for job, (printer, _) in list(self.refused.items()):
            if self.readiness(printer) in READY:
                self.refused[job] = (printer, 0.0)

    def refuse(self, job: str, printer: str, now: float) -> None:
        """The printer refused the job: tried again when it says it can print, or after RESULT_TIMEOUT_S."""
        self.sent.pop(job, None)
        self.refused[job] = (printer, now + RESULT_TIMEOUT_S)

    def done(self, job: str) -> None:
        self.sent.pop(job, None)
        self.refused.pop(job, None)

    def due(self, rows: list[dict], now: float) -> list[dict]:
        """The unprinted notices to publish now: their printer ready, not out already (or out too long)."""
        out = []
        for row in rows:
            sent = self.sent.get(row["id"])
            if sent is not None and now - sent < RESULT_TIMEOUT_S:
                continue
            if now < self.refused.get(row["id"], ("", 0.0))[1]:
                continue
            if self.readiness(row["printer"]) in READY:
                out.append(row)
        return out

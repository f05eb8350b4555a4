"""Messages to a booking's applicant: its confirmation, a reminder before the slot, the no-show notice;
and to an application's (办件) applicant, that its result is ready to collect (`result_ready`).

Two halves, like the rest of the controller. `notices` is pure: from a committed batch's events
(`appointment_booked`, `appointment_reminded`, `appointment_no_show`), the booking rows the batch wrote
and the config it makes the
messages, in zh and en, with the hall's local times. A `Notifier` delivers them: to a log file (one
JSON line each), or to an HTTP webhook — what an SMS gateway takes — on a thread of its own, retried
with back-off, so a slow or failing gateway never holds up the controller's loop; a notice that
still fails after `notify.retries` is logged and dropped (the ledger keeps the booking's steps).

The service hands each committed batch to `Notifier.send`, after the replies: nothing is sent for a
change that was not stored. The phone goes to the backend whole (it is the address); logs of the
controller itself show it masked.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from contract.privacy import mask_phone

from . import remote

log = logging.getLogger("controller.notify")

KINDS = {"appointment_booked": "confirmation", "appointment_reminded": "reminder", "appointment_no_show": "no_show"}
REMOTE_CODE = "remote_code"  # 线上取号's verification code (controller/remote.py), from `remote_code_sent`
APPLICATION_KINDS = {"application_result_ready": "result_ready"}


@dataclass(frozen=True)
class Notice:
    kind: str                # confirmation / reminder / no_show / remote_code / result_ready
    phone: str
    code: str                # the booking's code; of remote_code the code itself; of result_ready the 办件 number
    slot_start: float | None  # the booking's slot; of remote_code and result_ready, None
    slot_end: float | None    # … and of remote_code, when the code expires; of result_ready, None
    text: dict               # {"zh", "en"}
    hall: str
    at: float


def _what(config, row: dict) -> tuple[str, str]:
    if row.get("item") and row["item"] in config.items:
        name = config.items[row["item"]].name
    else:
        name = config.categories[row["category"]].name
    return name.zh, name.en


def texts(config, kind: str, row: dict) -> dict:
    """What the applicant reads, zh and en, times on the hall's clock."""
    tz = ZoneInfo(config.timezone)
    start, end = (datetime.fromtimestamp(row[k], tz) for k in ("slot_start", "slot_end"))
    when_zh, when_en = f"{start:%m月%d日 %H:%M}-{end:%H:%M}", f"{start:%d %b %H:%M}-{end:%H:%M}"
    what_zh, what_en = _what(config, row)
    hall_zh, hall_en, code = config.name.zh, config.name.en, row["code"]
    rule = config.appointments.blacklist
    if kind == "confirmation":
        materials = config.items[row["item"]].guide.materials if row.get("item") in config.items else []
        bring_zh = "；请携带：" + "、".join(m.name.zh for m in materials) if materials else ""
        bring_en = "; please bring: " + ", ".join(m.name.en for m in materials) if materials else ""
        return {"zh": f"【{hall_zh}】预约成功：{what_zh}，{when_zh}，预约码{code}{bring_zh}。到厅凭预约码签到取号，"
                      f"如不能前来请提前取消。",
                "en": f"[{hall_en}] Booked: {what_en}, {when_en}, code {code}{bring_en}. Check in at the kiosk "
                      f"with the code; if you cannot come, please cancel."}
    if kind == "reminder":
        return {"zh": f"【{hall_zh}】提醒：您预约的{what_zh}将于{when_zh}办理，预约码{code}。",
                "en": f"[{hall_en}] Reminder: your booking for {what_en} is at {when_en}, code {code}."}
    return {"zh": f"【{hall_zh}】您预约的{what_zh}（{when_zh}）未签到也未取消，已记为失约；{rule.period_days}天内失约"
                  f"{rule.no_shows}次将暂停预约服务{rule.bar_days}天（现场取号不受影响）。",
            "en": f"[{hall_en}] Your booking for {what_en} ({when_en}) was neither kept nor cancelled: a missed "
                  f"booking. {rule.no_shows} in {rule.period_days} days stop online booking for "
                  f"{rule.bar_days} days (walk-in tickets stay open)."}


def result_texts(config, row: dict) -> dict:
    """What an application's applicant reads when its result is ready, zh and en."""
    item = config.items.get(row["item"])
    what_zh, what_en = (item.name.zh, item.name.en) if item else (row["item"], row["item"])
    hall_zh, hall_en, number = config.name.zh, config.name.en, row["application_no"]
    return {"zh": f"【{hall_zh}】您申请的{what_zh}（办件编号{number}）已办结，请凭受理单及本人有效证件到大厅领取结果。",
            "en": f"[{hall_en}] Your application for {what_en} (no. {number}) is complete: please collect the "
                  f"result at the hall with the receipt and your ID."}


def notices(config, events, bookings: dict, applications: dict | None = None) -> list[Notice]:
    """The messages a committed batch's events call for, to the phone of the booking or application as
    the batch wrote it (`bookings`: code -> row, `applications`: number -> row; the ledger's snapshots
    are not read for a phone). Those with a phone only."""
    out = []
    for event in events:
        if event.kind in APPLICATION_KINDS:
            row = (applications or {}).get((event.data or {}).get("application_no")) or {}
            if row.get("phone"):
                out.append(Notice(APPLICATION_KINDS[event.kind], row["phone"], row["application_no"], None, None,
                                  result_texts(config, row), config.hall, event.at))
            continue
        kind = KINDS.get(event.kind)
        row = bookings.get((event.data or {}).get("code")) or {}
        if kind is None or not row.get("phone"):
            continue
        out.append(Notice(kind, row["phone"], row["code"], row["slot_start"], row["slot_end"],
                          texts(config, kind, row), config.hall, event.at))
    return out


def remote_texts(config, category: str, code: str, valid_s: int) -> dict:
    """The verification code's SMS, zh and en: the code, what it is for, how long it is good."""
    name = config.categories[category].name
    minutes = max(1, valid_s // 60)
    return {"zh": f"【{config.name.zh}】线上取号验证码{code}，用于{name.zh}取号，{minutes}分钟内有效。"
                  f"请勿告诉他人；如非本人操作请忽略。",
            "en": f"[{config.name.en}] Your code for a {name.en} ticket is {code}, valid for {minutes} min. "
                  f"Tell no one; if you did not ask for it, ignore this message."}


def remote_notices(config, events, challenges: dict, secret: bytes) -> list[Notice]:
    """The codes a committed batch's `remote_code_sent` events call for, to the phone of the
    challenge as the batch wrote it (`challenges`: id -> row); the code is derived here, never stored."""
    out = []
    for event in events:
        row = challenges.get((event.data or {}).get("challenge_id")) if event.kind == "remote_code_sent" else None
        if not row or not row.get("phone"):
            continue
        code = remote.code_of(secret, row["id"], config.remote_ticket.code.length)
        out.append(Notice(REMOTE_CODE, row["phone"], code, None, row["expires_at"],
                          remote_texts(config, row["category"], code, config.remote_ticket.code.valid_s),
                          config.hall, event.at))
    return out


# --- delivery ------------------------------------------------------------------------------------


class Notifier:
    """No messages (the backend `none`)."""

    def send(self, batch: list[Notice]) -> None:
        pass

    def stop(self) -> None:
        pass


class LogNotifier(Notifier):
    """One JSON line per notice, appended to a file (a hall without a gateway, the demo, tests)."""

    def __init__(self, path: str):
        self.path = path

    def send(self, batch: list[Notice]) -> None:
        if not batch:
            return
        try:
            with open(self.path, "a", encoding="utf-8") as out:
                for notice in batch:
                    out.write(json.dumps(asdict(notice), ensure_ascii=False) + "\n")
        except OSError as exc:
            log.error("notices not written to %s: %s", self.path, exc)


class WebhookNotifier(Notifier):
    """POSTs each notice as JSON to a URL on its own thread; a failure (no answer, not 2xx) is tried
    again after `backoff_s`, doubled each time, up to `retries` more times, then logged and dropped.
    `send` only queues: the controller's loop never waits for the gateway."""

    def __init__(self, url: str, *, timeout_s: float = 5, retries: int = 5, backoff_s: float = 2,
                 sleep=time.sleep):
        self.url, self.timeout_s, self.retries, self.backoff_s, self.sleep = url, timeout_s, retries, backoff_s, sleep
        self.inbox: queue.SimpleQueue[Notice | None] = queue.SimpleQueue()
        self.sent = self.failed = 0
        self.thread = threading.Thread(target=self._run, name="notify-webhook", daemon=True)
        self.thread.start()

    def send(self, batch: list[Notice]) -> None:
        for notice in batch:
            self.inbox.put(notice)

    def stop(self) -> None:
        self.inbox.put(None)
        self.thread.join(1)  # a notice in its back-off is not waited for: the thread is a daemon

    def _post(self, notice: Notice) -> None:
        body = json.dumps(asdict(notice), ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            if not 200 <= response.status < 300:
                raise urllib.error.HTTPError(self.url, response.status, "not 2xx", response.headers, None)

    def _run(self) -> None:
        while True:
            notice = self.inbox.get()
            if notice is None:
                return
            wait = self.backoff_s
            for attempt in range(self.retries + 1):
                try:
                    self._post(notice)
                    self.sent += 1
                    break
                except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
                    if attempt == self.retries:
                        self.failed += 1
                        log.error("%s notice of %s to %s dropped after %d tries: %s", notice.kind, _named(notice),
                                  mask_phone(notice.phone), attempt + 1, exc)
                        break
                    log.warning("%s notice of %s: webhook failed (%s); again in %.1f s", notice.kind, _named(notice),
                                exc, wait)
                    self.sleep(wait)
                    wait *= 2


def _named(notice: Notice) -> str:
    """A notice in the controller's log: its booking code, never a verification code."""
    return "a verification code" if notice.kind == REMOTE_CODE else notice.code


def for_config(section) -> Notifier:
    """The notifier `appointments.notify` asks for."""
    if section.backend == "log":
        return LogNotifier(section.log_path)
    if section.backend == "webhook":
        return WebhookNotifier(section.url, timeout_s=section.timeout_s, retries=section.retries,
                               backoff_s=section.backoff_s)
    return Notifier()

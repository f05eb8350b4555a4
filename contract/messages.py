"""Pydantic models of every payload in contract v1.

Commands are strict (no type coercion, unknown keys refused) because they come
from devices we do not control; the controller validates each one before the
engine sees it. State and event models document what the controller
publishes and are checked in tests against what actually crosses the wire.
"""
from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import plain_words

RequestId = Annotated[str, Field(min_length=1, max_length=64)]
Level = Annotated[int, Field(ge=1, le=5)]
WindowNo = Annotated[int, Field(ge=1, le=999)]
TicketNumber = Annotated[str, Field(pattern=r"^[A-Z]\d{3}$")]
Lang = Literal["zh", "en"]
MAX_PLACES = 2000  # tokens one `places` asks for (a web process asks in slices of this)
Category = Annotated[str, Field(min_length=1, max_length=32)]
# The web tier's keyed hash of the phone's client address on a second-factor look-up (16 lowercase hex,
# never the address itself): the device budget of wrong tries is counted per (device, client).
Client = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# --- hostile input: what no command may carry (docs/protocol.md, "Hostile input") ---------------------

MAX_DEPTH = 16  # containers in containers; the deepest command of v1 (a config_set of the demo hall) has 8


def is_text(value: str) -> bool:
    """False for a string that cannot be written back as UTF-8: a lone UTF-16 surrogate such as
    "\\ud800" is valid JSON, but it fails every later step (the reply, SQLite, a log line)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class TooDeep(ValueError):
    """JSON nested past Python's stack (a thousand levels): json.loads raises RecursionError, which is
    no ValueError, so a handler written for bad JSON would let it through and die of it."""


def decode_json(payload: bytes) -> Any:
    """UTF-8 JSON to a value; a ValueError for anything else a device may send (TooDeep for nesting
    past the stack, UnicodeDecodeError for bytes that are not UTF-8), so one `except ValueError` covers it."""
    try:
        return json.loads(payload.decode("utf-8"))
    except RecursionError:
        raise TooDeep("JSON nested too deeply to decode") from None


def wire_problem(payload: Any) -> str | None:
    """Why a decoded payload cannot be taken at all, or None: a string anywhere in it (key or
    value) that is not text, or nesting deeper than MAX_DEPTH. Iterative, so a payload nested
    however deep cannot exhaust the stack here."""
    stack = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if not is_text(value):
                return "a string that is not valid Unicode (a lone surrogate)"
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)
    return None


class FromDevice(Message):
    """A payload a device sends (a command, a print job): whatever its fields, no string that is not
    text and no absurd nesting (`wire_problem`)."""

    @model_validator(mode="before")
    @classmethod
    def _only_text(cls, data: Any) -> Any:
        problem = wire_problem(data)
        if problem is not None:
            raise ValueError(problem)
        return data


ConsoleUser = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]{1,31}$")]


class Command(FromDevice):
    id: RequestId
    window: WindowNo | None = None  # only from bridge-* devices
    # only from admin-* devices: the console user (web/accounts.py) on whose behalf the command is
    # sent, recorded as `user` in the data of every ledger event it makes
    user: ConsoleUser | None = None


class Applicant(Message):
    id_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    name: Annotated[str, Field(max_length=64)] | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{3,20}$")] | None = None


class IssueTicket(Command):
    """A walk-in's ticket. No `appointment_code`: appointment tickets go first, so only `check_in` of a
    stored, due booking makes one (an unknown field is refused like any other)."""

    category: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    item: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    group: Literal["normal", "priority", "green"] = "normal"
    applicant: Applicant | None = None
    lang: Lang = "zh"


class Rate(Command):
    ticket_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    rating_token: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    level: Level
    reasons: list[Annotated[str, Field(max_length=100)]] = []
    comment: Annotated[str, Field(max_length=500)] | None = None
    channel: Literal["evaluator", "kiosk", "qr"] | None = None
    contact: Annotated[str, Field(pattern=r"^[0-9+\- ]{3,20}$")] | None = None  # a phone for the 差评's 回访


class TicketByToken(Command):
    """A citizen's phone asks for its own ticket: the token is the only key (web-* devices)."""

    rating_token: Annotated[str, Field(pattern=r"^[A-Z2-7]{16}$")]


class Places(Command):
    """The web process's open pages waiting in a queue that moved, asked together."""

    rating_tokens: Annotated[list[Annotated[str, Field(pattern=r"^[A-Z2-7]{16}$")]],
                             Field(min_length=1, max_length=MAX_PLACES)]


class QueryProgress(Command):
    """办理进度 with a second factor: the applicant's phone's last four digits, or the receipt's query code."""

    application_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")]
    phone_last4: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    query_code: Annotated[str, Field(pattern=r"^[A-Z2-7]{8}$")] | None = None
    client: Client | None = None  # from a web-<name> login only: whose tries these are (controller/applications.py)


class CheckIn(Command):
    appointment_code: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,32}$")]
    lang: Lang = "zh"


# A printer's state in every message that carries one: a kiosk's `device_status`, a bridge's retained
# device status and print results (contract/devices.py). An ID card reader is ok or offline.
PrinterStatus = Literal["ok", "paper_near_end", "paper_out", "offline"]


class DeviceStatus(Command):
    component: Literal["printer", "id_reader"]
    status: PrinterStatus
    detail: Annotated[str, Field(max_length=200)] | None = None


class CaseStep(Command):
    status: Annotated[str, Field(min_length=1, max_length=20)]
    note: Annotated[str, Field(min_length=1, max_length=1000)]
    # anonymous: closed with nobody to ask (no name, no phone) — no verdict invented
    verdict: Literal["satisfied", "unsatisfied", "anonymous"] | None = None
    reply: Annotated[str, Field(min_length=1, max_length=1000)] | None = None  # published once closed
    assignee: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class FollowupUpdate(CaseStep):
    followup_id: Annotated[str, Field(min_length=1, max_length=80)]


class CaseUpdate(CaseStep):
    case_id: Annotated[str, Field(min_length=1, max_length=80)]


class CaseOpen(Command):
    """A complaint (有诉即办), a 办不成事 report or a consultation registered. From the citizens' web
    pages (`web-<name>`) only a complaint or a 办不成事 report, on the web channel, never answered."""

    kind: Literal["complaint", "undone", "consultation"]
    text: Annotated[str, Field(min_length=1, max_length=2000)]     # the complaint, or the question asked
    channel: Literal["desk", "console", "web"] = "console"
    item: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    about_window: WindowNo | None = None                            # the window it is about (not `window`: no window acts)
    phone: Annotated[str, Field(pattern=r"^1\d{10}$")] | None = None
    name_given: bool = False                                        # a real-name case: a verdict is asked for
    answer: Annotated[str, Field(min_length=1, max_length=2000)] | None = None  # a consultation answered at once


class CaseLookup(Command):
    """A complaint's status and published reply for whoever holds its second factor: the last four
    digits of the phone left with it, or the code shown when it was sent."""

    case_id: Annotated[str, Field(pattern=r"^[A-Z]{2}-\d{4}-\d{2}-\d{2}-\d{3,5}$")]
    phone_last4: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    query_code: Annotated[str, Field(pattern=r"^[A-Z2-7]{8}$")] | None = None
    client: Client | None = None  # as query_progress's


class Cases(Command):
    kind: Literal["rating_followup", "complaint", "undone", "consultation"] | None = None
    status: Annotated[str, Field(max_length=20)] | None = None
    overdue: bool = False


class InviteRating(Command):
    """评价器显示评价页面; `application_no`: the 办件 the rating is for (its ticket linked to it first)."""

    application_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")] | None = None


class ApplicationRead(Command):
    application_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")]


class Applications(Command):
    """办件 whose clock runs (not yet 办结), the earliest due first; `overdue`: only those past due."""

    overdue: bool = False


class ConsultationReport(Command):
    top: Annotated[int, Field(ge=1, le=100)] = 10


class Followups(Command):
    status: Annotated[str, Field(max_length=20)] | None = None
    overdue: bool = False


class ProgressSet(Command):
    application_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")]
    item: Annotated[str, Field(min_length=1, max_length=32)] | None = None  # required by the first step
    status: Annotated[str, Field(min_length=1, max_length=20)]
    note: Annotated[str, Field(max_length=500)] = ""
    applicant_name: Annotated[str, Field(max_length=64)] | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{3,20}$")] | None = None  # its last four digits open the progress


class ApplicationLink(Command):
    """办件 linked to a ticket: by its id, or (from a window, or naming one) the ticket being served
    there; the first link creates the application and starts its clock (controller/applications.py)."""

    application_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")]
    item: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    ticket_id: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}-[A-Z]\d{3,4}$")] | None = None
    note: Annotated[str, Field(max_length=500)] = ""
    applicant_name: Annotated[str, Field(max_length=64)] | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{3,20}$")] | None = None


class AppointmentAdd(Command):
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,32}$")]
    category: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    item: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    slot_start: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")]
    slot_end: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")]
    applicant_name: Annotated[str, Field(max_length=64)] | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9+\- ]{3,20}$")] | None = None


Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
ItemId = Annotated[str, Field(min_length=1, max_length=32)]
Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,32}$")]
IdHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class AppointmentSlots(Command):
    category: Category | None = None
    item: ItemId | None = None
    date: Day


class BookAppointment(Command):
    """`applicant` needs a phone or an id_hash; `platform_id` only with channel platform (an import is
    idempotent by it)."""

    category: Category | None = None
    item: ItemId | None = None
    slot_start: Annotated[int, Field(ge=0, le=4_102_444_800)]
    applicant: Applicant
    channel: Literal["kiosk", "web", "phone", "platform"]
    platform_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None


class CancelAppointment(Command):
    code: Code
    phone_last4: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    id_hash: IdHash | None = None


class Appointments(Command):
    date: Day | None = None  # default: today's service day
    category: Category | None = None
    item: ItemId | None = None
    status: Literal["booked", "checked_in", "cancelled", "no_show"] | None = None


class AppointmentUnbar(Command):
    """Lift a bar: the person's key from `appointments`' blacklist (a remote-ticket bar's starts with
    `remote:`), or their phone / id_hash (lifting both bars of the phone)."""

    person: Annotated[str, Field(pattern=r"^(remote:)?[0-9a-f]{64}$")] | None = None
    applicant: Applicant | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class Login(Command):
    staff_id: Annotated[str, Field(min_length=1, max_length=32)]
    pin: Annotated[str, Field(min_length=1, max_length=32)]


class NumberCommand(Command):
    number: TicketNumber


# What came of a service at the window (受理, 补正, 不予受理, 即办, 咨询); `finish` without one is accepted.
OUTCOMES = ("accepted", "supplement", "refused", "on_the_spot", "consultation")
OUTCOME_NAMES = {"accepted": ("受理", "Accepted"), "supplement": ("补正", "Materials missing"),
                 "refused": ("不予受理", "Refused"), "on_the_spot": ("即办", "Done on the spot"),
                 "consultation": ("咨询", "Consultation only")}
Outcome = Literal["accepted", "supplement", "refused", "on_the_spot", "consultation"]
# The grounds a 不予受理 usually gives (the caller offers them; the printed notice words them in both languages).
REFUSAL_REASONS: tuple[tuple[str, str], ...] = (
    ("不属于本机关职权范围", "Not within this office's remit"), ("申请人不符合申请条件", "The applicant is not eligible"),
    ("申请事项依法不需要取得行政许可", "No licence is needed by law"), ("申请材料存在虚假内容", "The materials are false"),
    ("超过法定申请期限", "Past the legal time limit"), ("其他法定不予受理情形", "Another ground in law"),
)


class Finish(Command):
    """办结 with its outcome: a 补正 names the missing materials (一次性告知), a 不予受理 its reasons
    (written, for the citizen); other outcomes carry neither."""

    outcome: Outcome = "accepted"
    materials: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=30)] = []
    reasons: Annotated[list[Annotated[str, Field(min_length=1, max_length=500)]], Field(max_length=10)] = []
    # the 办件 the business system made for this service, linked to the ticket at 办结
    application_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")] | None = None

    @model_validator(mode="after")
    def _what_each_outcome_needs(self):
        if self.outcome == "supplement" and not self.materials:
            raise ValueError("materials: a supplement (补正) names the missing materials")
        if self.outcome == "refused" and not self.reasons:
            raise ValueError("reasons: a refusal (不予受理) needs its reasons")
        if self.materials and self.outcome != "supplement":
            raise ValueError("materials: only with the outcome supplement")
        if self.reasons and self.outcome != "refused":
            raise ValueError("reasons: only with the outcome refused")
        return self


class Transfer(Command):
    category: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    to_window: WindowNo | None = None


class Pause(Command):
    reason: Annotated[str, Field(min_length=1, max_length=100)]


ConfigVersion = Annotated[int, Field(ge=1, le=2**31)]


class ConfigChange(Command):
    """A change of the config; `expect_version`: the version it was read at (a console form carries
    it), refused as a `conflict` when someone else changed the config since. Without it (the command
    line) the change applies to whatever version is live."""

    expect_version: ConfigVersion | None = None


class ConfigSet(ConfigChange):
    config: dict[str, Any]


class ConfigPatch(ConfigChange):
    patch: dict[str, Any]


StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class StaffSet(ConfigChange):
    """A member of staff made or changed from the console: the PIN as typed, which the controller
    hashes into the config (never stored or recorded as typed); no PIN keeps the one they have."""

    staff_id: StaffId
    name: Annotated[str, Field(max_length=200)] | None = None  # None keeps theirs
    windows: Annotated[list[Any], Field(max_length=100)] = []  # checked by the config schema, said per field
    pin: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    # a window lead's windows: the change may then touch only a member of staff of those windows,
    # and only those windows of theirs (controller/hall_config.py staff_set)
    scope: Annotated[list[WindowNo], Field(min_length=1, max_length=100)] | None = None


class ConfigVersions(Command):
    """The config's version history, newest first; `show`: that version's differences from the one
    before, or from version `against` (what a return to `show` would change, or any two compared)."""

    limit: Annotated[int, Field(ge=1, le=500)] = 50
    show: ConfigVersion | None = None
    against: ConfigVersion | None = None


class ConfigRestore(ConfigChange):
    version: ConfigVersion


class DateCommand(Command):
    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None


class PeriodCommand(Command):
    """A period of days, first to last (the manager console's reports): at most 92 days."""

    first: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    last: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class TidalSwitch(Command):
    """Switch a window by hand: `category` first, or null for back to its own (admin; `window` is the bridge's)."""

    target_window: WindowNo
    category: Category | None = None
    pin: bool = True


class TidalPin(Command):
    target_window: WindowNo
    pinned: bool


class TidalPolicy(Command):
    enabled: bool
    category: Category | None = None


class Alerts(Command):
    status: Literal["open", "closed", "all"] = "open"
    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 200


class AlertAck(Command):
    alert_id: Annotated[int, Field(ge=1, le=2**53)]  # past SQLite's integers a lookup would raise
    note: Annotated[str, Field(min_length=1, max_length=500)]


Person = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]


class AlertAssign(Command):
    alert_id: Annotated[int, Field(ge=1, le=2**53)]
    to: Person  # a console user or a member of staff, as the hall names them
    note: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class RemoteCode(Command):
    """线上取号: a verification code to this mobile for a ticket of the category."""

    phone: Annotated[str, Field(pattern=r"^1[3-9]\d{9}$")]
    category: Category
    lang: Lang = "zh"


class RemoteTicket(Command):
    """The code the phone received, for the challenge `remote_code` answered."""

    challenge_id: Annotated[str, Field(pattern=r"^RC[A-Z2-7]{16}$")]
    code: Annotated[str, Field(pattern=r"^\d{4,8}$")]
    lang: Lang = "zh"


class AlertEscalate(Command):
    """督办: `deadline` in the hall's time, "YYYY-MM-DDTHH:MM"."""

    alert_id: Annotated[int, Field(ge=1, le=2**53)]
    deadline: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")]
    note: Annotated[str, Field(min_length=1, max_length=500)]
    to: Person | None = None


# action -> (role, model). Roles: kiosk, window, admin, booking (kiosks, the web tier and admins:
# controller/rights.py). Window actions may also come from a bridge, which names the window in the payload.
ACTIONS: dict[str, tuple[str, type[Command]]] = {
    "issue_ticket": ("kiosk", IssueTicket),
    "rate": ("kiosk", Rate),
    "query_progress": ("kiosk", QueryProgress),
    "check_in": ("kiosk", CheckIn),
    "device_status": ("kiosk", DeviceStatus),
    "login": ("window", Login),
    "logout": ("window", Command),
    "call_next": ("window", Command),
    "recall": ("window", Command),
    "no_show": ("window", Command),
    "hold": ("window", Command),
    "call_back": ("window", NumberCommand),
    "call_specific": ("window", NumberCommand),
    "start": ("window", Command),
    "finish": ("window", Finish),
    "transfer": ("window", Transfer),
    "pause": ("window", Pause),
    "resume": ("window", Command),
    "invite_rating": ("window", InviteRating),
    "window_stats": ("window", Command),
    "config_get": ("admin", Command),
    "config_set": ("admin", ConfigSet),
    "config_patch": ("admin", ConfigPatch),
    "staff_set": ("admin", StaffSet),
    "config_versions": ("admin", ConfigVersions),
    "config_restore": ("admin", ConfigRestore),
    "stats": ("admin", DateCommand),
    "report": ("admin", DateCommand),
    "period_report": ("admin", PeriodCommand),
    "followup_update": ("admin", FollowupUpdate),
    "followups": ("admin", Followups),
    "case_open": ("admin", CaseOpen),
    "case_update": ("admin", CaseUpdate),
    "cases": ("admin", Cases),
    "consultation_report": ("admin", ConsultationReport),
    "progress_set": ("admin", ProgressSet),
    "application_link": ("window", ApplicationLink),
    "applications": ("admin", Applications),
    "application": ("admin", ApplicationRead),
    "appointment_add": ("admin", AppointmentAdd),
    "tidal_switch": ("admin", TidalSwitch),
    "tidal_pin": ("admin", TidalPin),
    "tidal_policy": ("admin", TidalPolicy),
    "alerts": ("admin", Alerts),
    "appointment_slots": ("booking", AppointmentSlots),
    "book_appointment": ("booking", BookAppointment),
    "cancel_appointment": ("booking", CancelAppointment),
    "appointments": ("admin", Appointments),
    "appointment_unbar": ("admin", AppointmentUnbar),
    "alert_ack": ("admin", AlertAck),
    "alert_assign": ("admin", AlertAssign),
    "alert_escalate": ("admin", AlertEscalate),
    "ticket_by_token": ("web", TicketByToken),
    "places": ("web", Places),
    "public_ratings": ("web", DateCommand),
    "case_lookup": ("web", CaseLookup),
    "remote_code": ("web", RemoteCode),
    "remote_ticket": ("web", RemoteTicket),
    "outbox": ("admin", Command),
}


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming every offending field, for a reply a person can act on."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "payload"
        if error["type"] == "extra_forbidden":
            parts.append(f"{field}: unknown field")
        elif error["type"] == "missing":
            parts.append(f"{field}: required field missing")
        else:
            parts.append(f"{field}: {plain_words(error)}")
    return "; ".join(parts)


# --- replies ---------------------------------------------------------------


class Problem(Message):
    key: str  # the offending setting's dotted path, "categories.tax.prefix"
    message: str


class ErrorBody(Message):
    code: str
    message: str
    message_zh: str
    problems: list[Problem] | None = None  # a refused config change: each offending setting


class ReplyOk(Message):
    id: RequestId | None
    action: str
    ok: Literal[True]
    result: dict[str, Any]


class ReplyError(Message):
    id: RequestId | None
    action: str
    ok: Literal[False]
    error: ErrorBody


# --- retained state ----------------------------------------------------------


class BilingualName(Message):
    zh: str
    en: str


class QueueEntry(Message):
    code: str
    prefix: str
    name: BilingualName
    waiting: int
    priority_waiting: int
    est_wait_s: int
    open_windows: list[int]
    next: list[str] = []  # the numbers a window of this category would likely call next (callers show them)


class QueuesState(Message):
    at: float
    day: str
    categories: list[QueueEntry]


class CurrentTicket(Message):
    id: str
    number: str
    category: str
    status: str
    called_at: float | None
    started_at: float | None
    times_called: int


class SetAside(Message):
    """A ticket a window held or marked no-show today: what its 回呼 / "3 确认" calls back."""

    ticket_id: str
    number: str
    category: str
    status: Literal["held", "no_show"]


class Served(Message):
    """The ticket a window finished last: what 邀请评价 and its evaluator rate once it has gone."""

    ticket_id: str
    number: str
    category: str
    finished_at: float | None


class WindowState(Message):
    window: int
    name: BilingualName
    status: Literal["closed", "open", "paused", "serving"]
    staff: str
    staff_id: str | None
    categories: list[str]
    secondary: list[str]
    current: CurrentTicket | None
    pause_reason: str | None
    tidal: bool
    tidal_pinned: bool = False
    home_categories: list[str] = []
    green_channel: bool
    held: list[SetAside] = []  # set aside at this window, in the order they were last called
    last_served: Served | None = None
    sent: int = 0  # waiting tickets transferred to this very window (`transfer` with `to_window`)
    at: float


class CallEntry(Message):
    ticket_id: str
    number: str
    window: int
    category: str
    times_called: int
    text: BilingualName  # the call sentence, as event/called says it: screens and strips show it as it is
    at: float


class CallsState(Message):
    at: float
    calls: list[CallEntry]


class ConfigState(Message):
    version: int
    config: dict[str, Any]


# --- events ------------------------------------------------------------------


class CalledEvent(Message):
    ticket_id: str
    number: str
    window: int
    category: str
    times_called: int
    text: BilingualName
    at: float


class RatingEvent(Message):
    kind: Literal["invited", "rated"]
    ticket_id: str
    number: str
    window: int
    staff_id: str | None
    at: float
    category: str | None = None  # invited
    item: str | None = None  # invited
    level: Level | None = None  # rated
    channel: Literal["evaluator", "kiosk", "qr"] | None = None  # rated
    bad: bool | None = None  # rated


class ConfigEvent(Message):
    version: int
    device: str
    at: float


class TidalEvent(Message):
    """event/tidal: a window switched (潮汐窗口), pinned or released; `text` is the voice notice."""

    kind: Literal["switched", "pinned", "unpinned"]
    window: int
    to: str | None
    category: str | None
    categories: list[str]
    secondary: list[str]
    home: list[str]
    reason: Literal["long_queue", "short_queue", "category_gone", "by_hand", "rota_lend", "rota_home"]
    by: str
    pinned: bool
    predicted_wait_s: int | None
    text: BilingualName | None
    at: float
    rota: dict | None = None  # a rota move's reason: the forecast's basis and days, the loads it decided on


class SupervisionAlert(Message):
    """event/alert of 电子监察: one step (`change`) in the life of a stored alert."""

    kind: Literal["long_wait", "long_service", "no_call", "long_pause", "unstaffed", "followup_due", "tidal_short",
                  "calendar", "application_due"]
    change: Literal["opened", "escalated", "closed", "acked", "assigned", "duban", "overdue"]
    id: int
    level: Literal["yellow", "red"]
    status: Literal["open", "closed"]
    category: str | None
    window: int | None
    ticket_id: str | None
    number: str | None
    followup_id: str | None
    since: float
    opened_at: float
    closed_at: float | None
    acked_at: float | None
    acked_by: str | None
    note: str | None
    assigned_to: str | None = None
    duban_deadline: float | None = None  # 督办: handled by then (epoch seconds)
    text: BilingualName
    at: float


class Status(Message):
    status: Literal["online", "offline"]


class ControllerStatus(Status):
    """status/controller: the birth, re-published as a heartbeat (contract/availability.py says why)."""

    boot: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    at: float | None = None
    every_s: Annotated[float, Field(ge=0.5, le=60)] | None = None


def reply_ok(request_id: str | None, action: str, result: dict[str, Any]) -> dict[str, Any]:
    return {"id": request_id, "action": action, "ok": True, "result": result}


def reply_error(request_id: str | None, action: str, error) -> dict[str, Any]:
    """`error` is a contract.errors.CommandError."""
    return {"id": request_id, "action": action, "ok": False, "error": error.as_dict()}

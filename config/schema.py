"""The hall configuration schema.

Strict in the Klipper sense: an unknown key or an out-of-range value is
refused with a message naming the key, at start and on every admin change.
Collections are keyed maps (category code, item id, window number, staff id)
so that a JSON merge patch can change one entry without restating the rest.
"""
from __future__ import annotations

import re
import string
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator, model_validator

from contract.errors import plain_words as plain

from .appointments import Appointments, unknown_references
from .policies import Forecast, Supervision, Tidal, unknown_categories
from .remote import RemoteTicket, remote_problems
from .reporting import RatingReports
from .web import Web

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# The letters a category's tickets may start with: those the voice reads by their name (the phonemes of
# each are tested against espeak-ng in both voices, tests/test_voice.py). A letter it could not read
# right would be left out here, and refused as a prefix.
TICKET_LETTERS = frozenset(string.ascii_uppercase)


def check_spans(spans, what: str = "span"):
    """Time spans of a day as [HH:MM, HH:MM], start before end (ticketing hours, staff shifts)."""
    for start, end in spans:
        if not _HHMM.match(start) or not _HHMM.match(end) or start >= end:
            raise ValueError(f"bad {what} {start!r}-{end!r}: use HH:MM-HH:MM, start before end")
    return spans


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonEmpty = Annotated[str, Field(min_length=1, max_length=200)]


class Text(_Strict):
    """A text people read, Chinese first, English second."""

    zh: NonEmpty
    en: NonEmpty


class LongText(_Strict):
    zh: Annotated[str, Field(min_length=1, max_length=4000)]
    en: Annotated[str, Field(min_length=1, max_length=4000)]


class Material(_Strict):
    name: Text
    copies: Annotated[int, Field(ge=1, le=20)] = 1
    original: bool = True
    note: Text | None = None


class Guide(_Strict):
    """办事指南 of one item."""

    basis: LongText
    conditions: LongText
    materials: Annotated[list[Material], Field(min_length=1)]
    steps: Annotated[list[Text], Field(min_length=1)]
    legal_limit_days: Annotated[int, Field(ge=0, le=365)]
    promised_limit_days: Annotated[int, Field(ge=0, le=365)]
    fees: Text
    phone: Annotated[str, Field(min_length=3, max_length=40)]

    @model_validator(mode="after")
    def _promise_within_law(self):
        if self.promised_limit_days > self.legal_limit_days:
            raise ValueError("promised_limit_days must not exceed legal_limit_days")
        return self


class Category(_Strict):
    name: Text
    prefix: str  # one of TICKET_LETTERS (checked in HallConfig, where the message can name the category)
    daily_cap: Annotated[int, Field(ge=1, le=999)] = 999
    allow_green: bool = True
    default_service_s: Annotated[int, Field(ge=30, le=7200)] = 600
    order: Annotated[int, Field(ge=0, le=999)] = 0
    # No open window serves the category now: "issue" tickets all the same (they are called once a
    # window opens; the kiosk says no window serves it now and promises no wait), or "refuse" them.
    when_unserved: Literal["issue", "refuse"] = "issue"


class Item(_Strict):
    """事项: one thing a citizen comes to do; it belongs to a category."""

    name: Text
    category: NonEmpty
    guide: Guide


class Window(_Strict):
    name: Text | None = None
    primary: Annotated[list[str], Field(min_length=1)]
    secondary: list[str] = []
    green_channel: bool = False
    tidal_capable: bool = False
    # 先本后他: when nothing of its own (primary, then secondary) waits, it helps every other category
    home_first: StrictBool = False
    # the window's notice printer: a firmware bridge's printer, `bridge-<name>/<device>` (docs/devices.md);
    # a 补正 or 不予受理 at the window prints its written notice there (controller/notices.py)
    printer: Annotated[str, Field(pattern=r"^bridge-[A-Za-z0-9_-]{1,57}/[A-Za-z0-9_-]{1,64}$")] | None = None


class Staff(_Strict):
    name: NonEmpty
    pin_hash: Annotated[str, Field(pattern=r"^pbkdf2_sha256\$\d+\$[0-9a-f]+\$[0-9a-f]{64}$")]
    windows: list[int] = []


class PinLock(_Strict):
    """PIN guessing, bounded (controller/pins.py): this many wrong PINs in a row for a staff number or
    at a window lock it for lock_s seconds."""

    max_wrong: Annotated[int, Field(ge=1, le=100)] = 5
    lock_s: Annotated[int, Field(ge=10, le=86400)] = 300


class QueueRules(_Strict):
    max_calls: Annotated[int, Field(ge=1, le=10)] = 3
    priority_ratio: Annotated[int, Field(ge=1, le=20)] = 2
    max_wait_s: Annotated[int, Field(ge=60, le=86400)] = 3600
    appointment_grace_s: Annotated[int, Field(ge=0, le=7200)] = 600
    recent_services: Annotated[int, Field(ge=1, le=500)] = 20
    calls_shown: Annotated[int, Field(ge=1, le=50)] = 10


class Limits(_Strict):
    max_payload_bytes: Annotated[int, Field(ge=1024, le=1_048_576)] = 262_144


class ProgressLock(_Strict):
    """办理进度 guessing, bounded (controller/applications.py): this many wrong tries within lock_s for one
    application number, or from one device, lock it for lock_s seconds."""

    max_wrong: Annotated[int, Field(ge=1, le=100)] = 5
    device_max_wrong: Annotated[int, Field(ge=1, le=1000)] = 20
    lock_s: Annotated[int, Field(ge=10, le=86400)] = 900


_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _default_reasons() -> dict[str, Text]:
    return {code: Text(zh=zh, en=en) for code, zh, en in (
        ("attitude", "服务态度差", "Unfriendly service"),
        ("slow", "办理效率低", "Too slow"),
        ("unclear", "一次性告知不清", "Requirements not explained at once"),
        ("materials", "材料要求繁琐", "Too many documents asked"),
        ("environment", "环境设施差", "Poor facilities"),
        ("other", "其他", "Other"),
        ("evaluator", "评价器差评（未选原因）", "Rated poor on the window evaluator"),
    )}


class Ratings(_Strict):
    """好差评: the reasons a 差评 (level 1-2) must choose from, and the follow-up deadline."""

    reasons: Annotated[dict[str, Text], Field(min_length=1)] = Field(default_factory=_default_reasons)
    followup_working_days: Annotated[int, Field(ge=1, le=60)] = 5
    # days a ticket's QR page (web, /t/<token>) takes its rating, the day of service counted: 1 = that day only
    qr_days: Annotated[int, Field(ge=1, le=30)] = 7


class Privacy(_Strict):
    """How long the hall keeps a citizen's personal data (phone, name, ID hash) in its store."""

    retention_days: Annotated[int, Field(ge=1, le=3650, strict=True)] = 180


class Calendar(_Strict):
    """Working days: the official calendar (the chinese-calendar package: holidays and 调休) with these
    local days over it; Mon-Fri for a year the package lacks, unless listed in `years` (controller/workdays.py)."""

    holidays: list[Annotated[str, Field(pattern=_DATE)]] = []
    workdays: list[Annotated[str, Field(pattern=_DATE)]] = []
    years: list[Annotated[int, Field(ge=2000, le=2100)]] = []  # years whose holidays the lists above give in full


class Cases(_Strict):
    """Complaints (有诉即办 / 办不成事) and consultations (咨询辅导台账): the working days each may take
    to be answered (controller/cases.py; a 差评 follow-up's is `ratings.followup_working_days`)."""

    complaint_working_days: Annotated[int, Field(ge=1, le=60)] = 5
    consultation_working_days: Annotated[int, Field(ge=1, le=60)] = 3


class Applications(_Strict):
    """办件 time limits (controller/applications.py): 电子监察 shows a yellow card when an application's
    due date is this many working days off or fewer, a red one once it has passed."""

    warn_working_days: Annotated[int, Field(ge=0, le=60, strict=True)] = 2


class HallConfig(_Strict):
    hall: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    name: Text
    # the hall screen's scrolling notice line (公告), set live by admin; None shows none
    notice: Text | None = None
    timezone: NonEmpty = "Asia/Shanghai"
    languages: list[str] = ["zh", "en"]
    day_rollover_hour: Annotated[int, Field(ge=0, le=23)] = 3
    ticketing_hours: list[tuple[str, str]] = []
    queue: QueueRules = QueueRules()
    limits: Limits = Limits()
    categories: Annotated[dict[str, Category], Field(min_length=1)]
    items: dict[str, Item] = {}
    windows: Annotated[dict[int, Window], Field(min_length=1)]
    staff: dict[str, Staff] = {}
    pin_lock: PinLock = PinLock()
    ratings: Ratings = Ratings()
    cases: Cases = Cases()
    rating_reports: RatingReports = RatingReports()
    calendar: Calendar = Calendar()
    tidal: Tidal = Tidal()
    forecast: Forecast = Forecast()
    supervision: Supervision = Supervision()
    progress_lock: ProgressLock = ProgressLock()
    applications: Applications = Applications()
    web: Web = Web()
    privacy: Privacy = Privacy()
    appointments: Appointments = Appointments()
    remote_ticket: RemoteTicket = RemoteTicket()

    def helps_others(self, number: int) -> bool:
        """Home-first: the window serves its own categories first and, when none of them waits, helps every
        other one — marked so itself, or tidal-capable in a hall whose `tidal.home_first` is on."""
        window = self.windows[number]
        return window.home_first or (self.tidal.home_first and window.tidal_capable)

    def others_of(self, categories) -> tuple[str, ...]:
        """Every category not in `categories`, in the hall's order (`order`, then code)."""
        mine = set(categories)
        return tuple(c for c in sorted(self.categories, key=lambda c: (self.categories[c].order, c)) if c not in mine)

    @field_validator("ticketing_hours")
    @classmethod
    def _hours(cls, spans):
        return check_spans(spans)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, name):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}") from None
        return name

    @model_validator(mode="after")
    def _cross_refs(self):
        problems: list[tuple[str, str]] = []
        prefixes: dict[str, str] = {}
        for code, cat in self.categories.items():
            if not re.match(r"^[A-Za-z0-9_-]{1,32}$", code):
                problems.append((f"categories.{code}", "code must be letters, digits, _ or -"))
            if cat.prefix not in TICKET_LETTERS:
                problems.append((f"categories.{code}.prefix", (
                    f"the ticket letter of category {cat.name.zh} ({cat.name.en}) must be one capital letter A-Z, "
                    f"which the voice reads by its name; {cat.prefix[:8]!r} is not")))
            elif cat.prefix in prefixes:
                problems.append((f"categories.{code}.prefix", f"prefix {cat.prefix} already used by {prefixes[cat.prefix]}"))
            prefixes[cat.prefix] = code
        for item_id, item in self.items.items():
            if item.category not in self.categories:
                problems.append((f"items.{item_id}.category", f"unknown category {item.category!r}"))
        for number, window in self.windows.items():
            if not 1 <= number <= 999:
                problems.append((f"windows.{number}", "window numbers are 1-999"))
            for field in ("primary", "secondary"):
                for code in getattr(window, field):
                    if code not in self.categories:
                        problems.append((f"windows.{number}.{field}", f"unknown category {code!r}"))
            for code in set(window.primary) & set(window.secondary):
                problems.append((f"windows.{number}.secondary", f"{code!r} is already primary"))
        for staff_id, person in self.staff.items():
            for number in person.windows:
                if number not in self.windows:
                    problems.append((f"staff.{staff_id}.windows", f"unknown window {number}"))
        problems += unknown_categories(self)
        problems += unknown_references(self)
        problems += remote_problems(self)
        if problems:
            raise ConfigError(*problems[0], problems=problems)
        return self


class ConfigError(ValueError):
    """A refused configuration, naming every offending key (dotted path): `key` and `message` are
    the first problem, `problems` all of them, and the text says each in words a hall manager reads."""

    def __init__(self, key: str, message: str, problems: list[tuple[str, str]] | None = None):
        self.key = key
        self.message = message
        self.problems = list(problems or [(key, message)])
        super().__init__("; ".join(f"{k}: {m}" for k, m in self.problems))


def validate(data: object) -> HallConfig:
    """The validated config, or ConfigError naming every offending key."""
    if not isinstance(data, dict):
        raise ConfigError("(root)", "the configuration must be a mapping")
    try:
        return HallConfig.model_validate(data)
    except ConfigError:
        raise
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            inner = (error.get("ctx") or {}).get("error")
            if isinstance(inner, ConfigError):
                problems += inner.problems
                continue
            problems.append((".".join(str(part) for part in error["loc"]) or "(root)", plain(error)))
        raise ConfigError(*problems[0], problems=problems) from None

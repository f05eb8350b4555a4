"""电子监察: the rules behind each alert, as pure functions of the hall's state.

Each rule looks at a `HallView` (plain data, built from the engine by
controller/alerts.py) and says which causes exist right now — a `Finding`
with a stable key (one cause, one alert), since when the cause has existed
and the limit (`config/policies.py`, `Limit`: a yellow card, then a red one)
that applies to it. Whether that is old enough for a card, and the card's life
(opened, escalated, closed when the cause is gone), is the Supervisor's job.

Some causes carry their own start in the state (a ticket's issue time, a
pause's start, a follow-up's deadline); for the rest — a window idle while
people wait, a window nobody staffs — the state does not say when they began,
so `since` is None and the Supervisor counts from when it first saw them
(and starts again when they stop, however briefly: a window idle while people
wait is judged on one unbroken spell).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Waiting:
    """The oldest waiting ticket of a category, and how many wait."""

    ticket_id: str
    number: str
    issued_at: float
    count: int


@dataclass(frozen=True)
class AtWindow:
    ticket_id: str
    number: str
    category: str
    since: float          # started (or called, if never started)


@dataclass(frozen=True)
class WindowView:
    number: int
    staffed: bool
    paused: bool = False
    paused_at: float | None = None
    pause_reason: str | None = None
    current: AtWindow | None = None
    primary: tuple[str, ...] = ()       # as it serves now (tidal switches included)
    secondary: tuple[str, ...] = ()
    sent_here: int = 0                  # tickets transferred to this very window, waiting


@dataclass(frozen=True)
class HallView:
    waiting: dict[str, Waiting]                 # category -> its oldest waiting ticket
    windows: tuple[WindowView, ...]
    open_now: bool                              # inside the hall's opening (ticketing) hours
    names: dict[str, dict]                      # category -> {"zh", "en"}
    timezone: str = "Asia/Shanghai"
    followups: tuple[dict, ...] = ()            # cases not closed (cases.py): at least id, deadline_at, status, kind
    tidal_short: dict[str, tuple[float, float]] = field(default_factory=dict)  # category -> (since, predicted wait)
    staffed_windows: tuple[int, ...] = ()       # windows the hall expects staffed (its roster); empty: none
    calendar_missing: tuple[int, ...] = ()      # years ahead the holiday calendar does not cover (workdays.py)
    # 办件 whose clock runs (applications.py, `watched`): application_no, item_name {zh, en}, window, warn_at, due_at
    applications: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Finding:
    key: str
    kind: str
    since: float | None
    yellow_s: float
    red_s: float
    text: tuple        # (zh template, en template): "{min}" is filled with the minutes since `since`
    category: str | None = None
    window: int | None = None
    ticket_id: str | None = None
    number: str | None = None
    followup_id: str | None = None


def _limit(limits, rule: str, category: str | None = None) -> tuple[float, float]:
    limit = limits.limit(rule, category)
    return limit.yellow_s, limit.red_s


def _name(view: HallView, code: str, lang: str) -> str:
    return view.names.get(code, {}).get(lang, code)


def long_wait(view: HallView, limits) -> list[Finding]:
    """A category whose oldest ticket has waited past the limit (one alert per category)."""
    out = []
    for code, oldest in view.waiting.items():
        out.append(Finding(
            f"long_wait:{code}", "long_wait", oldest.issued_at, *_limit(limits, "wait", code),
            (f"{_name(view, code, 'zh')}：{oldest.number}号已等候{{min}}分钟，共{oldest.count}人等候",
             f"{_name(view, code, 'en')}: {oldest.number} has waited {{min}} min; {oldest.count} waiting"),
            category=code, ticket_id=oldest.ticket_id, number=oldest.number))
    return out


def long_service(view: HallView, limits) -> list[Finding]:
    """One service running past its category's limit."""
    out = []
    for w in view.windows:
        if w.current is not None:
            t = w.current
            out.append(Finding(
                f"long_service:{w.number}:{t.ticket_id}", "long_service", t.since,
                *_limit(limits, "service", t.category),
                (f"{w.number}号窗口办理{t.number}号已{{min}}分钟", f"Window {w.number} has served {t.number} for {{min}} min"),
                category=t.category, window=w.number, ticket_id=t.ticket_id, number=t.number))
    return out


def _pool_waiting(view: HallView, w: WindowView, categories) -> int:
    """How many wait for these categories or were sent to this very window."""
    return w.sent_here + sum(view.waiting[code].count for code in categories if code in view.waiting)


def _idle_while_waiting(view: HallView, limits, w: WindowView, kind: str, categories, text) -> list[Finding]:
    """A window-level cause the state does not date (counted from first sight), when tickets of
    `categories`, or tickets sent to this very window, wait."""
    count = _pool_waiting(view, w, categories)
    if not count:
        return []
    return [Finding(f"{kind}:{w.number}", kind, None, *_limit(limits, kind), text(count), window=w.number)]


def no_call(view: HallView, limits) -> list[Finding]:
    """A staffed window, not paused, with nobody at it, while tickets it could call wait."""
    return [finding for w in view.windows if w.staffed and not w.paused and w.current is None
            for finding in _idle_while_waiting(
                view, limits, w, "no_call", (*w.primary, *w.secondary),
                lambda n, w=w: (f"{w.number}号窗口{{min}}分钟未叫号，有{n}人等候",
                                f"Window {w.number} has not called for {{min}} min; {n} waiting"))]


def long_pause(view: HallView, limits) -> list[Finding]:
    out = []
    for w in view.windows:
        if w.staffed and w.paused and w.paused_at is not None:
            reason = f"（{w.pause_reason}）" if w.pause_reason else ""
            out.append(Finding(
                f"long_pause:{w.number}", "long_pause", w.paused_at, *_limit(limits, "pause"),
                (f"{w.number}号窗口已暂停{{min}}分钟{reason}", f"Window {w.number} paused for {{min}} min"
                 + (f" ({w.pause_reason})" if w.pause_reason else "")),
                window=w.number))
    return out


def unstaffed(view: HallView, limits) -> list[Finding]:
    """Nobody at a window the hall expects staffed (`supervision.staffed_windows`), in opening
    hours, while tickets of its own categories wait. A window nobody is rostered for is not a
    cause: a hall of 24 windows with 8 staff would otherwise raise 16 alerts every morning."""
    if not view.open_now:
        return []
    out = []
    for w in view.windows:
        if w.staffed or w.number not in view.staffed_windows:
            continue
        zh = "、".join(_name(view, c, "zh") for c in w.primary)
        en = ", ".join(_name(view, c, "en") for c in w.primary)
        out += _idle_while_waiting(
            view, limits, w, "unstaffed", w.primary,
            lambda n, w=w, zh=zh, en=en: (f"{w.number}号窗口无人值守{{min}}分钟，{zh}有{n}人等候",
                                          f"Window {w.number} unstaffed for {{min}} min; {n} waiting for {en}"))
    return out


def _due_text(case: dict, about: str, where: str, due: str) -> tuple[str, str]:
    kind = case.get("kind") or "rating_followup"
    if kind == "rating_followup":
        return (f"差评回访{case['id']}（{about}{where}）应于{due}前办结", f"Follow-up {case['id']} ({about}) is due by {due}")
    zh, en = {"complaint": ("投诉", "Complaint"), "undone": ("办不成事反映", "Couldn't-get-it-done report")}.get(
        kind, ("咨询", "Consultation"))
    return (f"{zh}{case['id']}应于{due}前答复办结", f"{en} {case['id']} is due by {due}")


def followup_due(view: HallView, limits) -> list[Finding]:
    """A case not closed — a 差评 follow-up, a complaint, a tracked consultation (controller/cases.py):
    yellow `followup_warn_s` before its deadline, red once past it. One rule for every kind."""
    out = []
    warn = limits.followup_warn_s
    tz = ZoneInfo(view.timezone)
    for f in view.followups:
        if f.get("status") == "closed" or f.get("deadline_at") is None:
            continue
        due = datetime.fromtimestamp(f["deadline_at"], tz).strftime("%m-%d %H:%M")
        about = f.get("number") or f.get("ticket_id") or ""
        where = f"，{f['window']}号窗口" if f.get("window") else ""
        out.append(Finding(
            f"followup_due:{f['id']}", "followup_due", f["deadline_at"] - warn, 0, max(1, warn),
            _due_text(f, about, where, due),
            window=f.get("window"), ticket_id=f.get("ticket_id"), number=f.get("number"), followup_id=f["id"]))
    return out


def application_due(view: HallView, limits) -> list[Finding]:
    """An application (办件) not yet 办结: yellow from when its due date is `applications.warn_working_days`
    working days off (`warn_at`, worked out on the hall calendar), red once past it. One alert per
    application, yellow then red; a 补正 stops its clock and its card (the due date moves on)."""
    out = []
    tz = ZoneInfo(view.timezone)
    for a in view.applications:
        due = datetime.fromtimestamp(a["due_at"], tz).strftime("%m-%d %H:%M")
        name = a.get("item_name") or {}
        where_zh = f"，{a['window']}号窗口受理" if a.get("window") else ""
        where_en = f", accepted at window {a['window']}" if a.get("window") else ""
        out.append(Finding(
            f"application_due:{a['application_no']}", "application_due", a["warn_at"], 0,
            max(1.0, a["due_at"] - a["warn_at"]),
            (f"办件{a['application_no']}（{name.get('zh', '')}{where_zh}）承诺于{due}前办结",
             f"Application {a['application_no']} ({name.get('en', '')}{where_en}) is promised by {due}"),
            window=a.get("window")))
    return out


def tidal_short(view: HallView, limits) -> list[Finding]:
    """The tidal policy wants a window for a long queue and no staffed window can take it."""
    out = []
    for code, (since, predicted) in view.tidal_short.items():
        minutes = round(predicted / 60)
        out.append(Finding(
            f"tidal_short:{code}", "tidal_short", since, *_limit(limits, "tidal_short"),
            (f"{_name(view, code, 'zh')}排队过长（预计等候{minutes}分钟），无可切换的潮汐窗口，请增派人员",
             (f"{_name(view, code, 'en')}: predicted wait {minutes} min and no tidal window can switch; "
              "please staff one")),
            category=code))
    return out


CALENDAR_RED_S = 3 * 86400


def calendar_missing(view: HallView, limits) -> list[Finding]:
    """A year that deadlines or bookings reach and the holiday calendar lacks: working days there are a
    guess (Monday-Friday and the config's lists), so an admin is told rather than nobody."""
    return [Finding(
        f"calendar:{year}", "calendar", None, 0, CALENDAR_RED_S,
        (f"{year}年节假日安排未载入：工作日暂按周一至周五及配置计算，请更新日历或在配置 calendar 中补录",
         f"calendar for {year} not loaded: working days are counted as Monday-Friday and the config's lists; "
         f"update the calendar or list {year}'s days in calendar"))
        for year in view.calendar_missing]


RULES = (long_wait, long_service, no_call, long_pause, unstaffed, followup_due, application_due, tidal_short,
         calendar_missing)


def findings(view: HallView, limits) -> list[Finding]:
    """Every cause in the hall now, by every rule (none when supervision is disabled)."""
    if not limits.enabled:
        return []
    return [finding for rule in RULES for finding in rule(view, limits)]

"""线上取号 rules: who may take a ticket from the phone, the verification code, and the no-show bar.

Pure: plain functions of the hall config (`remote_ticket:`, config/remote.py), rows, the hall's
secret and the time passed in — no store, no clock. The actions in controller/remote_tickets.py
read the rows a rule needs through `change.stored` and record what it returns.

A *challenge* (table `remote_challenges`) is one phone asking for one category's ticket: its id
goes to the web page, its code only to the phone (through the notifier). The code is never stored:
it is HMAC(hall secret, challenge id) cut to digits, so the controller can check it and nobody
without the secret can derive it from the id. A phone is counted by its salted hash
(contract/privacy.py, `person_key`), the number itself is sealed at rest by the store.

号贩子 are held back by the code (the number must be the caller's own), `per_phone_per_day`,
each category's remote `daily_cap`, `code.sends_per_day` and the no-show bar: a remote ticket
called and missed (过号) is written to `remote_no_shows` the moment it is missed (and marked
came back if a window calls it back), and `no_show.no_shows` of them within `no_show.period_days`
bar the phone from remote tickets for `no_show.bar_days` days — a row of the 预约黑名单's table
(`appointment_bars`) under the key `remote:<phone key>`, which the admins see and lift with
`appointment_unbar` like a booking's.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from contract.errors import CommandError
from contract.privacy import mask_phone, person_key

DAY_S = 86400
OPEN, USED, LOCKED = "open", "used", "locked"


def phone_key(phone: str, secret: bytes) -> str:
    return person_key("phone", phone, secret)


def bar_key(key: str) -> str:
    """The 预约黑名单 row of a phone's remote-ticket bar: apart from its booking bar."""
    return f"remote:{key}"


def challenge_id(secret: bytes, *parts) -> str:
    """RC and 16 letters/digits nobody can guess without the hall's secret."""
    digest = hmac.new(secret, "|".join(map(str, ("remote", *parts))).encode(), hashlib.sha256).digest()
    return "RC" + base64.b32encode(digest[:10]).decode()


def code_of(secret: bytes, challenge: str, length: int) -> str:
    """The verification code of a challenge: derived, never stored."""
    digest = hmac.new(secret, f"remote-code|{challenge}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10 ** length:0{length}d}"


def right_code(secret: bytes, row: dict, code: str, length: int) -> bool:
    return hmac.compare_digest(code.encode(), code_of(secret, row["id"], length).encode())


# --- who may ask ---------------------------------------------------------------------------------


def require_offered(config, category: str) -> None:
    if category not in config.categories:
        raise CommandError("not_found", f"no category {category!r}", f"没有业务类别 {category}")
    if not config.remote_ticket.offered(category):
        raise CommandError("closed", "this service gives no tickets online: please take one at the hall", "该业务暂不提供线上取号，请到厅取号")


def require_hours(open_now: bool) -> None:
    if not open_now:
        raise CommandError("closed", "ticketing is closed at this hour", "当前不在取号时间")


def require_served(config, category: str, open_windows) -> None:
    """A category that refuses tickets while no window serves it (`when_unserved: refuse`) sends no code then."""
    if config.categories[category].when_unserved == "refuse" and not open_windows:
        raise CommandError("closed", "no open window serves this service now: please try again later",
                           "暂无窗口办理该业务，请稍后再取号")


def tickets_taken(rows) -> list[dict]:
    """The challenges that became tickets."""
    return [row for row in rows if row.get("ticket_id")]


def require_phone_cap(rows_today, rules) -> None:
    """`per_phone_per_day` remote tickets per phone and service day."""
    cap = rules.per_phone_per_day
    if len(tickets_taken(rows_today)) >= cap:
        raise CommandError("closed", f"this number has taken today's {cap} online ticket(s): more at the hall's kiosks",
                           f"该手机号今日线上取号已达{cap}次上限，可到厅现场取号")


def require_category_cap(taken_today: int, rules, category: str) -> None:
    own = rules.categories.get(category)
    if own is not None and own.daily_cap is not None and taken_today >= own.daily_cap:
        raise CommandError("closed", f"today's {own.daily_cap} online tickets of this service are all taken: more at the hall's kiosks",
                           "今日该业务线上号源已取完，可到厅现场取号")


def require_sends(rows_today, rules) -> None:
    """`code.sends_per_day` codes per phone and service day (new challenges and codes sent again)."""
    cap = rules.code.sends_per_day
    if sum(int(row.get("sends") or 0) for row in rows_today) >= cap:
        raise CommandError("closed", f"this number has been sent today's {cap} codes: try tomorrow or at the hall",
                           f"该手机号今日获取验证码已达{cap}次上限，请明天再试或到厅取号")


def open_challenge(rows, category: str, now: float) -> dict | None:
    """The phone's challenge of this category still waiting for its code, if any."""
    found = [row for row in rows if row["category"] == category and row["status"] == OPEN and row["expires_at"] > now]
    return max(found, key=lambda row: row["sent_at"]) if found else None


def resend_in(row: dict, now: float, rules) -> int:
    """Seconds before the code may be sent again (0: now)."""
    return max(0, int(row["sent_at"] + rules.code.resend_s - now + 0.999))


def new_challenge(cid: str, phone: str, key: str, category: str, day: str, now: float, rules, device: str) -> dict:
    return {"id": cid, "phone": phone, "phone_key": key, "category": category, "day": day, "created_at": now,
            "sent_at": now, "expires_at": now + rules.code.valid_s, "sends": 1, "wrong": 0, "status": OPEN,
            "ticket_id": None, "used_at": None, "device": device}


def resent(row: dict, now: float, rules) -> dict:
    return {**row, "sent_at": now, "expires_at": now + rules.code.valid_s, "sends": int(row["sends"]) + 1}


def require_usable(row: dict | None, now: float) -> dict:
    """A challenge whose code may still be tried (a spent one is answered with its ticket before this)."""
    if row is None:
        raise CommandError("not_found", "this code is no longer valid: ask for a new one", "验证码已失效，请重新获取")
    if row["status"] == LOCKED:
        raise CommandError("locked", "too many wrong codes: ask for a new one", "验证码错误次数过多，请重新获取")
    if now > row["expires_at"]:
        raise CommandError("invalid_state", "the code has expired: ask for a new one", "验证码已过期，请重新获取")
    return row


def wrong_try(row: dict, rules) -> tuple[dict, CommandError]:
    """The challenge after a wrong code, and the refusal: `code.max_tries` wrong codes lock it."""
    wrong = int(row["wrong"]) + 1
    left = rules.code.max_tries - wrong
    if left <= 0:
        return {**row, "wrong": wrong, "status": LOCKED}, CommandError(
            "locked", "too many wrong codes: ask for a new one", "验证码错误次数过多，请重新获取")
    return {**row, "wrong": wrong}, CommandError("forbidden", f"wrong code: {left} more tr{'y' if left == 1 else 'ies'}",
                                                 f"验证码错误，还可尝试{left}次")


# --- the no-show bar --------------------------------------------------------------------------------


def missed(engine, change, ticket) -> None:
    """A remote ticket was called and missed: counted against its phone (none without one)."""
    if not ticket.applicant_phone:
        return
    change.record("remote_no_shows", ticket.id, {
        "ticket_id": ticket.id, "phone_key": phone_key(ticket.applicant_phone, engine.secret), "day": ticket.day,
        "at": change.now, "status": "no_show", "came_back_at": None})


def came_back(engine, change, ticket) -> None:
    """A window called the missed remote ticket back: the no-show does not count."""
    if ticket.applicant_phone:
        change.record("remote_no_shows", ticket.id, {
            "ticket_id": ticket.id, "phone_key": phone_key(ticket.applicant_phone, engine.secret),
            "day": ticket.day, "at": change.now, "status": "came_back", "came_back_at": change.now})


def counted_no_shows(rows, bar: dict | None, now: float, rule) -> list[dict]:
    """The phone's no-shows inside the period before `now`, not spent on an earlier bar."""
    since = now - rule.period_days * DAY_S
    spent = bar["since"] if bar is not None else float("-inf")
    return [row for row in rows if row["status"] == "no_show" and row["at"] >= since and row["at"] > spent]


def bar_until(now: float, rule, timezone: str) -> float:
    """Midnight after `bar_days` days, from the day of `now`."""
    tz = ZoneInfo(timezone)
    first = datetime.fromtimestamp(now, tz).date()
    return datetime.combine(first + timedelta(days=rule.bar_days), time(0), tz).timestamp()


def bar_due(rows, bar: dict | None, now: float, rule, key: str, phone: str, timezone: str) -> dict | None:
    """The new bar row when the phone's counted no-shows reach `no_show.no_shows`, else None."""
    if not rule.enabled:
        return None
    counted = counted_no_shows(rows, bar, now, rule)
    if len(counted) < rule.no_shows:
        return None
    return {"key": bar_key(key), "since": now, "until": bar_until(now, rule, timezone),
            "no_shows": json.dumps(sorted(row["ticket_id"] for row in counted)), "phone": mask_phone(phone) or None,
            "lifted_at": None, "lifted_by": None, "reason": None}


def barred(bar: dict | None, now: float) -> bool:
    return bar is not None and bar.get("lifted_at") is None and bar["until"] > now


def barred_error(bar: dict, timezone: str) -> CommandError:
    ends = datetime.fromtimestamp(bar["until"], ZoneInfo(timezone)).date()
    return CommandError("blacklisted", f"online tickets missed more than once: no online tickets until {ends} (the kiosks stay open)",
                        f"因线上取号多次过号，{ends:%Y年%m月%d日}前暂停线上取号（可到厅现场取号）")

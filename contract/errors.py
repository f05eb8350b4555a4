"""Stable error codes of contract v1, each with a zh and an en message.

Devices show `message_zh`/`message` to people, so the defaults here are
written for a citizen or a member of staff, not for a developer.
"""
from __future__ import annotations

ERROR_CODES: dict[str, tuple[str, str]] = {
    "bad_request": ("请求内容有误", "The request is malformed"),
    "unknown_action": ("不支持的操作", "Unknown action"),
    "forbidden": ("无权执行此操作", "This device may not do that"),
    "not_found": ("未找到", "Not found"),
    "invalid_state": ("当前状态下不能执行此操作", "Not possible in the current state"),
    "queue_empty": ("当前没有等候的号码", "Nobody is waiting"),
    "closed": ("暂停取号", "Not open now"),
    "duplicate": ("重复的请求", "Duplicate request"),
    "locked": ("密码错误次数过多，已锁定，请稍后再试", "Too many wrong PINs: locked for now, try again later"),
    "internal": ("系统繁忙，请稍后再试", "System busy, please try again"),
    # a config change made against a version that is no longer the live one (controller/hall_config.py)
    "conflict": ("配置已被他人修改，请刷新后再改", "The configuration was changed meanwhile: reload and change again"),
    # 预约 booking (controller/booking.py)
    "slot_full": ("该时段已约满", "That slot is fully booked"),
    "out_of_window": ("该时段不可预约", "That slot cannot be booked now"),
    "blacklisted": ("暂停预约服务", "No booking service for now"),
}


class CommandError(Exception):
    """A refusal that becomes an `ok: false` reply with a stable code."""

    def __init__(self, code: str, message: str | None = None, message_zh: str | None = None,
                 problems: list[tuple[str, str]] | None = None):
        """`problems`: (key, message) of each offending setting of a refused config, so a form can
        say each one next to its field (web/config_forms.py)."""
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        default_zh, default_en = ERROR_CODES[code]
        self.code = code
        self.message = message or default_en
        self.message_zh = message_zh or default_zh
        self.problems = list(problems or ())
        super().__init__(f"{code}: {self.message}")

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message, "message_zh": self.message_zh}
        if self.problems:
            body["problems"] = [{"key": key, "message": message} for key, message in self.problems]
        return body


def plain_words(error: dict) -> str:
    """One pydantic error in the words of the person who wrote the value (a hall file, an admin's
    command), not of pydantic: config refusals and refused commands say it the same way."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    words = {
        "missing": "is missing: this setting must be given",
        "extra_forbidden": "unknown key: not a setting of the hall file (a typo?)",
        "int_parsing": f"must be a whole number, not {value!r}",
        "int_type": f"must be a whole number, not {value!r}",
        "int_from_float": f"must be a whole number, not {value!r}",
        "float_parsing": f"must be a number, not {value!r}",
        "float_type": f"must be a number, not {value!r}",
        "bool_parsing": f"must be true or false, not {value!r}",
        "bool_type": f"must be true or false, not {value!r}",
        "string_type": f"must be text, not {value!r}",
        "dict_type": "must be a mapping of names to settings (key: value lines)",
        "list_type": "must be a list ([a, b], or lines starting with -)",
        "greater_than_equal": f"must be at least {ctx.get('ge')}, not {value!r}",
        "greater_than": f"must be more than {ctx.get('gt')}, not {value!r}",
        "less_than_equal": f"must be at most {ctx.get('le')}, not {value!r}",
        "less_than": f"must be less than {ctx.get('lt')}, not {value!r}",
        "string_too_short": f"must be at least {ctx.get('min_length')} character(s) long",
        "string_too_long": f"must be at most {ctx.get('max_length')} characters long",
        "too_short": f"needs at least {ctx.get('min_length')} entries",
        "too_long": f"takes at most {ctx.get('max_length')} entries",
        "string_pattern_mismatch": f"{value!r} is not in the form this setting takes ({ctx.get('pattern')})",
        "literal_error": f"must be one of {ctx.get('expected')}, not {value!r}",
        "enum": f"must be one of {ctx.get('expected')}, not {value!r}",
    }
    return words.get(kind, error["msg"])

"""The `rating_reports:` section of the hall config: 好差评 reported to the provincial platform.

Kept apart from `schema.py` like the policies and the web tier. Off by default: a hall that reports
its ratings names the platform's address here. Every rating, and later the rectification of a
差评 when its follow-up closes, is then queued in the controller's outbox and POSTed there
(controller/outbox.py, controller/delivery.py). The data items sent follow the national
政务服务评价 standard's items (办件编号, 事项编码, 评价渠道, 评价等级, 评价原因, 评价时间, 整改情况…),
under plain names; `fields` renames any of them to what the platform's interface calls it, and
`channels` gives the platform's code for each of the hall's rating channels. The address and the
headers (which may carry a token) stay out of state/config.
"""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The data items of one report, by their plain names (docs/configuration.md lists what each means).
RATING_ITEMS = ("id", "kind", "hall", "org_code", "application_no", "item_code", "item_name", "category",
                "channel", "level", "level_text", "bad", "reasons", "reason_texts", "comment", "rated_at",
                "window", "staff_id", "real_name")
RECTIFICATION_ITEMS = ("id", "kind", "hall", "org_code", "rating_id", "application_no", "item_code", "level",
                       "result", "measures", "verdict", "opened_at", "closed_at", "on_time")
REPORT_ITEMS = tuple(dict.fromkeys(RATING_ITEMS + RECTIFICATION_ITEMS))
CHANNELS = ("evaluator", "kiosk", "qr")

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class RatingReports(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    url: str | None = None
    # sent with every POST (an `Authorization` token, the platform's app id); never published
    headers: dict[Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")],
                  Annotated[str, Field(max_length=1000)]] = {}
    org_code: Annotated[str, Field(min_length=1, max_length=64)] | None = None  # the hall's 机构编码
    timeout_s: Annotated[float, Field(ge=0.1, le=120)] = 10
    backoff_s: Annotated[float, Field(ge=0.01, le=3600)] = 5
    backoff_max_s: Annotated[float, Field(ge=0.1, le=86400)] = 1800
    batch: Annotated[int, Field(ge=1, le=1000)] = 50
    keep_sent_days: Annotated[int, Field(ge=1, le=3650)] = 30  # acknowledged reports, then deleted
    fields: dict[str, Name] = {}
    channels: dict[str, Annotated[str, Field(min_length=1, max_length=64)]] = {}

    @field_validator("url")
    @classmethod
    def _url(cls, text):
        if text is not None:
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
                raise ValueError(f"bad address {text[:80]!r}: use http(s)://host[:port]/path")
        return text

    @field_validator("fields")
    @classmethod
    def _fields(cls, mapping):
        unknown = sorted(set(mapping) - set(REPORT_ITEMS))
        if unknown:
            raise ValueError(f"unknown data item {unknown[0]!r} (known: {', '.join(REPORT_ITEMS)})")
        names = list(mapping.values()) + [item for item in REPORT_ITEMS if item not in mapping]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"two data items would be sent as {twice[0]!r}")
        return mapping

    @field_validator("channels")
    @classmethod
    def _channels(cls, mapping):
        unknown = sorted(set(mapping) - set(CHANNELS))
        if unknown:
            raise ValueError(f"unknown channel {unknown[0]!r} (known: {', '.join(CHANNELS)})")
        return mapping

    @model_validator(mode="after")
    def _needs_url(self):
        if self.enabled and self.url is None:
            raise ValueError("url: required when enabled")
        if self.backoff_max_s < self.backoff_s:
            raise ValueError("backoff_max_s must not be below backoff_s")
        return self

"""The arrivals file of a simulated day: who comes when, how long they take, who staffs which window.

Strict like the hall config: an unknown key, an unknown category or window,
or an out-of-range value is refused with the dotted key. Example:
`config/arrivals.yaml` (a busy day of the demo hall).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.schema import ConfigError, check_spans


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(_Strict):
    """Service time of one category: its mean, and how it spreads."""

    mean_s: Annotated[float, Field(gt=0, le=14400)]
    dist: Literal["exponential", "lognormal", "fixed"] = "exponential"
    cv: Annotated[float, Field(ge=0, le=5)] = 1.0   # lognormal: standard deviation / mean


class Staffing(_Strict):
    windows: list[int] = []                          # staffed windows; [] = every window of the hall
    shifts: Annotated[list[tuple[str, str]], Field(min_length=1)] = [("08:30", "17:30")]

    @field_validator("shifts")
    @classmethod
    def _spans(cls, spans):
        return check_spans(spans, "shift")


class Behaviour(_Strict):
    priority_share: Annotated[float, Field(ge=0, le=1)] = 0.05  # 老弱病残孕: the priority group
    no_show_share: Annotated[float, Field(ge=0, le=1)] = 0.0    # called and never comes: recalled, then 过号
    transfer_share: Annotated[float, Field(ge=0, le=1)] = 0.0   # sent on to another category after a first service
    walk_s: Annotated[float, Field(ge=0, le=600)] = 0.0         # mean time from the call to the citizen at the window
    recall_s: Annotated[float, Field(gt=0, le=600)] = 60.0      # staff recall a missing citizen this often


class Profile(_Strict):
    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    seed: int = 1
    # tickets per hour by local hour ("08" covers 08:00-09:00), per category: a Poisson process
    arrivals: Annotated[dict[str, dict[str, Annotated[float, Field(ge=0, le=10000)]]], Field(min_length=1)]
    service: dict[str, Service] = {}                  # a category left out: exponential, its default_service_s
    staff: Staffing = Staffing()
    behaviour: Behaviour = Behaviour()

    @field_validator("arrivals")
    @classmethod
    def _hours(cls, arrivals):
        for hour in arrivals:
            if not re.match(r"^([01]\d|2[0-3])$", hour):
                raise ValueError(f"hour {hour!r}: use two digits 00-23")
        return arrivals

    def service_of(self, config, category: str) -> Service:
        return self.service.get(category) or Service(mean_s=config.categories[category].default_service_s)


def check(profile: Profile, config) -> Profile:
    """Refuse categories and windows the hall does not have, naming the key."""
    for hour, rates in profile.arrivals.items():
        for code in rates:
            if code not in config.categories:
                raise ConfigError(f"arrivals.{hour}.{code}", f"unknown category {code!r}")
    for code in profile.service:
        if code not in config.categories:
            raise ConfigError(f"service.{code}", f"unknown category {code!r}")
    for number in profile.staff.windows:
        if number not in config.windows:
            raise ConfigError("staff.windows", f"unknown window {number}")
    return profile


def parse(data: object, config) -> Profile:
    if not isinstance(data, dict):
        raise ConfigError("(root)", "the arrivals file must be a mapping")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise ConfigError(key, "unknown key" if first["type"] == "extra_forbidden" else first["msg"]) from None
    return check(profile, config)


def load(path: str | Path, config) -> Profile:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError("(file)", f"{path} is not valid YAML: {exc}") from None
    return parse(data, config)

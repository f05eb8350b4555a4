"""The bridge's config file (config/bridge.yaml): which serial port carries which devices, for which windows.

Strict like the hall config: an unknown key, a wrong type or an impossible
combination (two devices on one address, a keypad on an LED bus, two keypads
for one window) is refused at start with a message naming the key, because a
typo in a serial set-up otherwise shows up as a keypad that silently does nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from config.schema import ConfigError
from contract import privacy

from .codecs.ff68 import DISPLAY_STYLES

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
WindowNo = Annotated[int, Field(ge=1, le=999)]
Address = Annotated[int, Field(ge=0, le=254)]
Encoding = Literal["gb2312", "gbk"]
BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Keypad(_Strict):
    kind: Literal["keypad"]
    address: Address
    window: WindowNo


class Evaluator(_Strict):
    kind: Literal["evaluator"]
    address: Address
    window: WindowNo
    # the value byte of each key -> rating level 5..1 (a 4-key evaluator has no 非常不满意)
    levels: dict[int, Annotated[int, Field(ge=1, le=5)]] = {1: 5, 2: 4, 3: 3, 4: 2}


class WindowScreen(_Strict):
    kind: Literal["window_screen"]
    address: Address
    window: WindowNo
    rows: Annotated[int, Field(ge=1, le=4)] = 2
    encoding: Encoding = "gb2312"


class HallStrip(_Strict):
    kind: Literal["hall_strip"]
    address: Annotated[int, Field(ge=0, le=99)] = 1
    rows: Annotated[int, Field(ge=1, le=4)] = 1
    encoding: Encoding = "gbk"


class Printer(_Strict):
    kind: Literal["printer"]


class IdReader(_Strict):
    kind: Literal["id_reader"]
    search_s: Annotated[float, Field(ge=0.1, le=5)] = 0.5  # how often the reader is asked for a card


Device = Annotated[Keypad | Evaluator | WindowScreen | HallStrip | Printer | IdReader, Field(discriminator="kind")]

# driver -> (device kinds it carries, default baud, one device per port?)
DRIVER_KINDS: dict[str, tuple[tuple[str, ...], int, bool]] = {
    "ff68": (("keypad", "evaluator"), 9600, False),
    "led_frame": (("window_screen",), 9600, False),
    "led_line": (("hall_strip",), 9600, False),
    "escpos": (("printer",), 9600, True),
    "ga467": (("id_reader",), 115200, True),
}

KINDS = {kind for kinds, _, _ in DRIVER_KINDS.values() for kind in kinds}
# FF 68 keypads of deployed halls never answer the host, so their bus is not polled unless a site says so
DEFAULT_POLL_S = {"ff68": 0.0}
POLL_S = 10.0


class Port(_Strict):
    path: Annotated[str, Field(min_length=1, max_length=200)]
    driver: Literal["ff68", "led_frame", "led_line", "escpos", "ga467"]
    baud: int | None = None
    # 0: never poll; devices count as there while the port is. Default 0 on ff68 ports, else 10
    poll_s: Annotated[float, Field(ge=0, le=300)] = POLL_S
    answer_timeout_s: Annotated[float, Field(ge=0.02, le=10)] = 0.5
    key_holdoff_s: Annotated[float, Field(ge=0, le=5)] = 0.8
    keypad_display: Literal[DISPLAY_STYLES] = "combined"
    devices: Annotated[dict[Name, Device], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _driver_defaults(cls, data):
        if isinstance(data, dict) and "poll_s" not in data and data.get("driver") in DEFAULT_POLL_S:
            return {**data, "poll_s": DEFAULT_POLL_S[data["driver"]]}
        return data

    @property
    def speed(self) -> int:
        return self.baud or DRIVER_KINDS[self.driver][1]


class BridgeConfig(_Strict):
    hall: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    id_salt_file: str | None = None
    command_timeout_s: Annotated[float, Field(ge=0.5, le=60)] = 5.0
    reopen_max_s: Annotated[float, Field(ge=0.2, le=300)] = 5.0
    rating_window_s: Annotated[float, Field(ge=10, le=3600)] = 600.0
    ports: Annotated[dict[Name, Port], Field(min_length=1)]

    @property
    def device_id(self) -> str:
        return f"bridge-{self.name}"

    @model_validator(mode="after")
    def _cross_checks(self):
        seen_names: dict[str, str] = {}
        window_of_kind: dict[tuple[str, int], str] = {}
        for port_name, port in self.ports.items():
            kinds, _, single = DRIVER_KINDS[port.driver]
            if port.baud is not None and port.baud not in BAUDS:
                raise ConfigError(f"ports.{port_name}.baud", f"one of {', '.join(map(str, BAUDS))}")
            if "keypad_display" in port.model_fields_set and port.driver != "ff68":
                raise ConfigError(f"ports.{port_name}.keypad_display", "only an ff68 port (keypads) has this key")
            if single and len(port.devices) != 1:
                raise ConfigError(f"ports.{port_name}.devices", f"a {port.driver} port carries exactly one device")
            addresses: dict[int, str] = {}
            for name, device in port.devices.items():
                key = f"ports.{port_name}.devices.{name}"
                if device.kind not in kinds:
                    raise ConfigError(f"{key}.kind", f"a {port.driver} port carries {' / '.join(kinds)}, "
                                                     f"not {device.kind}")
                if name in seen_names:
                    raise ConfigError(key, f"device name already used on port {seen_names[name]}")
                seen_names[name] = port_name
                address = getattr(device, "address", None)
                if address is not None:
                    if address in addresses:
                        raise ConfigError(f"{key}.address", f"address {address} already used by {addresses[address]}")
                    addresses[address] = name
                window = getattr(device, "window", None)
                if window is not None:
                    if (device.kind, window) in window_of_kind:
                        raise ConfigError(f"{key}.window", f"window {window} already has a {device.kind} "
                                                           f"({window_of_kind[device.kind, window]})")
                    window_of_kind[device.kind, window] = name
                if device.kind == "id_reader" and not self.id_salt_file:
                    raise ConfigError("id_salt_file", "required when an id_reader is configured "
                                                      "(the hall-wide salt of ID number hashes)")
        return self


def validate(data: object) -> BridgeConfig:
    """The validated bridge config, or ConfigError naming the first offending key."""
    if not isinstance(data, dict):
        raise ConfigError("(root)", "the bridge configuration must be a mapping")
    try:
        return BridgeConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        inner = first.get("ctx", {}).get("error")
        if isinstance(inner, ConfigError):
            raise inner from None
        loc = list(first["loc"])
        if len(loc) > 4 and loc[0] == "ports" and loc[2] == "devices" and loc[4] in KINDS:
            del loc[4]  # pydantic names the union member ('keypad'); the file has no such level
        key = ".".join(str(part) for part in loc) or "(root)"
        message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(key, message) from None


def load(path: str | Path) -> BridgeConfig:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError("(file)", f"{path} is not valid YAML: {exc}") from None
    return validate(raw)


def read_salt(path: str) -> bytes:
    """The hall-wide salt of ID number hashes; refused when missing or too short to be a secret."""
    try:
        return privacy.read_salt(path)
    except (OSError, ValueError) as exc:
        raise ConfigError("id_salt_file", str(exc)) from None

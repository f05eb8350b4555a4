"""Payloads of the devices a firmware bridge serves on serial lines (docs/devices.md, docs/protocol.md).

They are not commands to the controller: a kiosk hands a print job to the
bridge that owns its printer, the bridge answers with a result, and an ID
card reader's reads go out as events. Like the commands, a print job comes
from a device we do not control, so its model is strict.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .messages import ErrorBody, FromDevice, Message, PrinterStatus, RequestId

Scale = Annotated[int, Field(ge=1, le=8)]

# error codes of a print result: (zh, en), written for the person at the kiosk
PRINT_ERRORS: dict[str, tuple[str, str]] = {
    "bad_request": ("打印内容有误", "The print job is malformed"),
    "paper_out": ("打印机缺纸，请联系工作人员", "The printer is out of paper; please ask the staff"),
    "offline": ("打印机未连接", "The printer is not connected"),
    "timeout": ("打印机无响应", "The printer does not answer"),
    "busy": ("打印机忙，请稍后再试", "Too many tickets waiting for the printer; try again"),
}


class PrintText(Message):
    """Lines of text (split at \n); `size` n is n times wide and high, [w, h] each on its own."""

    text: Annotated[str, Field(min_length=0, max_length=2000)]
    align: Literal["left", "center", "right"] = "left"
    size: Scale | Annotated[list[Scale], Field(min_length=2, max_length=2)] = 1
    bold: bool = False


class PrintQr(Message):
    qr: Annotated[str, Field(min_length=1, max_length=1000)]
    align: Literal["left", "center", "right"] = "center"
    module: Annotated[int, Field(ge=1, le=16)] = 6


class PrintFeed(Message):
    feed: Annotated[int, Field(ge=1, le=20)]


class PrintJob(FromDevice):
    """`device/bridge-<name>/<printer>/print`: what to print, top to bottom, then cut."""

    id: RequestId
    blocks: Annotated[list[PrintText | PrintQr | PrintFeed], Field(min_length=1, max_length=100)]
    cut: bool = True


class PrintResult(Message):
    """`device/bridge-<name>/<printer>/result`: sent once the job is written to the printer, or refused."""

    id: RequestId | None
    ok: bool
    paper: PrinterStatus
    error: ErrorBody | None = None


class CardRead(Message):
    """`device/bridge-<name>/<reader>/card`: a card put on the reader. No ID number, no full name ever."""

    at: float
    id_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    name: str  # masked: 张*丰
    sex: Literal["男", "女", "未知", "未说明"]
    age: int | None
    expired: bool


class BridgeDeviceStatus(Message):
    """Retained `status/bridge-<name>/<device>`; a device is there only while its bridge is online too."""

    status: Literal["online", "offline"]
    kind: str
    port: str
    window: int | None = None
    paper: PrinterStatus | None = None
    at: float


def print_error(code: str, message: str | None = None) -> dict:
    zh, en = PRINT_ERRORS[code]
    return {"code": code, "message": message or en, "message_zh": zh}

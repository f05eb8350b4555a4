"""Where the printer is, named by one spec string, and the transports to a printer on the kiosk's own port.

    none | file:/path | serial:/dev/ttyUSB0[:baud] | usb:VID:PID | network:host[:port] | bridge:BRIDGE/PRINTER

Each transport writes bytes and, where the link reads back, asks the paper
status (DLE EOT 4). USB printers are reached through the kernel's usblp
driver (/dev/usb/lpN, found by vendor and product id in sysfs), so no libusb
is needed. Any failure is an OSError; the printer service treats it as
"printer gone" and opens the transport again next time. A `bridge:` printer
(e.g. `bridge:bridge-K1/printer`) has no transport here: it is reached over
MQTT (bridged.py).
"""
from __future__ import annotations

import os
import select
import socket
import termios
from pathlib import Path

from contract.topics import check_segment
from firmware_bridge.codecs import escpos

STATUS_TIMEOUT = 0.5


class SpecError(ValueError):
    pass


def parse_spec(spec: str | None) -> tuple[str, tuple]:
    """('none'|'file'|'serial'|'usb'|'network'|'bridge', args); SpecError says how to write it."""
    spec = (spec or "none").strip()
    kind, _, rest = spec.partition(":")
    if kind == "none" and not rest:
        return "none", ()
    if kind == "file" and rest:
        return "file", (rest,)
    if kind == "serial" and rest:
        path, _, baud = rest.partition(":")
        if baud and not baud.isdigit():
            raise SpecError(f"bad baud rate in {spec!r}: use serial:/dev/ttyUSB0:9600")
        return "serial", (path, int(baud or 9600))
    if kind == "usb":
        vid, _, pid = rest.partition(":")
        try:
            return "usb", (int(vid, 16), int(pid, 16))
        except ValueError:
            raise SpecError(f"bad USB ids in {spec!r}: use usb:VID:PID in hex, e.g. usb:0416:5011") from None
    if kind == "network" and rest:
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "9100")
        if not port.isdigit():
            raise SpecError(f"bad port in {spec!r}: use network:host:9100")
        return "network", (host, int(port))
    if kind == "bridge":
        bridge, _, device = rest.partition("/")
        try:
            return "bridge", (check_segment(bridge, "bridge"), check_segment(device, "printer"))
        except ValueError:
            raise SpecError(f"bad bridge printer in {spec!r}: use bridge:bridge-K1/printer") from None
    raise SpecError(f"unknown printer {spec!r}: use none, file:/path, serial:/dev/ttyUSB0, usb:VID:PID, "
                    "network:host:port or bridge:bridge-K1/printer")


class Transport:
    readable = True

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def _read_byte(self, timeout: float) -> int | None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def paper_status(self) -> str | None:
        """ok / paper_near_end / paper_out; None when this link cannot read back; OSError when it does not answer."""
        if not self.readable:
            return None
        self.write(escpos.PAPER_STATUS)
        byte = self._read_byte(STATUS_TIMEOUT)
        if byte is None:
            raise OSError("the printer did not answer the status request")
        status = escpos.paper_status(byte)
        if status is None:
            raise OSError(f"the printer answered {byte:#04x}, not a paper status")
        return status


class FileTransport(Transport):
    """Appends to a file (a spool or a character device); cannot read status back."""

    readable = False

    def __init__(self, path: str):
        self.handle = open(path, "ab", buffering=0)

    def write(self, data: bytes) -> None:
        self.handle.write(data)

    def close(self) -> None:
        self.handle.close()


class SerialTransport(Transport):
    def __init__(self, path: str, baud: int):
        import serial

        try:
            self.port = serial.Serial(path, baud, timeout=STATUS_TIMEOUT, write_timeout=5)
        except serial.SerialException as exc:
            raise OSError(str(exc)) from exc
        # pyserial raises termios.error (not an OSError) when the device node is gone.
        self.errors = (serial.SerialException, termios.error)

    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
        except self.errors as exc:
            raise OSError(str(exc)) from exc

    def paper_status(self) -> str | None:
        try:
            self.port.reset_input_buffer()
        except self.errors as exc:
            raise OSError(str(exc)) from exc
        return super().paper_status()

    def _read_byte(self, timeout: float) -> int | None:
        try:
            data = self.port.read(1)
        except self.errors as exc:
            raise OSError(str(exc)) from exc
        return data[0] if data else None

    def close(self) -> None:
        self.port.close()


class FdTransport(Transport):
    """A file descriptor both ways: a usblp device node."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def _read_byte(self, timeout: float) -> int | None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        data = os.read(self.fd, 1) if ready else b""
        return data[0] if data else None

    def close(self) -> None:
        os.close(self.fd)


class NetworkTransport(Transport):
    def __init__(self, host: str, port: int):
        self.sock = socket.create_connection((host, port), timeout=3)
        self.sock.settimeout(STATUS_TIMEOUT)

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _read_byte(self, timeout: float) -> int | None:
        try:
            data = self.sock.recv(1)
        except TimeoutError:
            return None
        if not data:
            raise OSError("the printer closed the connection")
        return data[0]

    def close(self) -> None:
        self.sock.close()


def usb_device_node(vid: int, pid: int, sysfs: str = "/sys/class/usbmisc") -> str:
    """/dev/usb/lpN of the USB printer with these ids, as the usblp driver names it."""
    for entry in sorted(Path(sysfs).glob("lp*")):
        device = (entry / "device").resolve()
        for parent in (device, *device.parents):
            try:
                if (int((parent / "idVendor").read_text(), 16), int((parent / "idProduct").read_text(), 16)) == (vid, pid):
                    return f"/dev/usb/{entry.name}"
            except (OSError, ValueError):
                continue
    raise OSError(f"no USB printer {vid:04x}:{pid:04x} is connected (usblp)")


def open_transport(kind: str, args: tuple) -> Transport:
    if kind == "file":
        return FileTransport(*args)
    if kind == "serial":
        return SerialTransport(*args)
    if kind == "usb":
        return FdTransport(usb_device_node(*args))
    if kind == "network":
        return NetworkTransport(*args)
    raise ValueError(f"no transport for {kind!r}")

"""The driver registry: the `driver` of a port in config/bridge.yaml -> the class that runs that port."""
from __future__ import annotations

from .idreader import Ga467Reader
from .keypad import Ff68Bus
from .printer import EscPosPrinter
from .screens import LedFrameBus, LedLineStrip

DRIVERS = {
    "ff68": Ff68Bus,
    "led_frame": LedFrameBus,
    "led_line": LedLineStrip,
    "escpos": EscPosPrinter,
    "ga467": Ga467Reader,
}

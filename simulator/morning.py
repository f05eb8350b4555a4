"""The demo's simulated busy morning: the tidal policy switching windows, in a few lines.

`make demo` plays a live hall hour over MQTT; before it, this plays the morning
rush of `config/arrivals.yaml` through the same engine in simulated time (about
a second), prints every tidal switch with its voice notice, and compares the
waits with static and pooled windows.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from config.schema import ConfigError

from . import profile as profiles
from .cli import comparison, print_comparison, run_variants

ARRIVALS = Path(__file__).resolve().parent.parent / "config" / "arrivals.yaml"


def show_busy_morning(config, arrivals: Path = ARRIVALS) -> None:
    try:
        profile = profiles.load(arrivals, config)
    except (ConfigError, OSError) as exc:
        print(f"(no simulated morning: {arrivals.name} does not fit this hall: {exc})")
        return
    morning = {hour: rates for hour, rates in profile.arrivals.items() if hour < "12"}
    profile = profile.model_copy(update={"arrivals": morning or profile.arrivals})
    tz = ZoneInfo(config.timezone)
    day = datetime.now(tz).date().isoformat()
    runs = run_variants(config, profile, day, supervise=False)
    print(f"\n=== 模拟繁忙上午 a simulated busy morning: {runs['tidal'][0].issued} citizens from {arrivals.name} "
          "through the real engine in simulated time ===", flush=True)
    for switch in runs["tidal"][1]["tidal"]["list"]:
        stamp = datetime.fromtimestamp(switch["at"], tz).strftime("%H:%M:%S")
        event = next(e for e in runs["tidal"][0].ledger if e["kind"] == "tidal_switched" and e["at"] == switch["at"]
                     and e["window"] == switch["window"])
        print(f"{stamp}  潮汐 tidal    {event['data']['text']['zh']}  / {event['data']['text']['en']}")
    print_comparison(comparison(runs), {"categories": {c: cat.name.model_dump() for c, cat in config.categories.items()}})
    print("=== 现场一小时 the live hour (MQTT, accelerated clock) ===\n", flush=True)

"""The halls a simulated day is played in: the hall as configured, and the two it is compared with.

- `static`: every window serves its configured categories all day (tidal policy off);
- `tidal`: the hall's own config, tidal policy as configured;
- `pooled`: every window serves every category first, one queue in arrival
  order — the best any assignment of windows could do, with the same staff.

Each gets one simulated member of staff per staffed window (the hall's own
staff list says who may log in where, not who works today).
"""
from __future__ import annotations

from config.schema import validate

from .hall import sim_staff

VARIANTS = ("static", "tidal", "pooled")


def hall_for(config, profile, variant: str = "tidal"):
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    raw = config.model_dump(mode="json")
    raw["staff"] = sim_staff(config, profile.staff.windows or sorted(config.windows))
    if variant != "tidal":
        raw["tidal"]["enabled"] = False
    if variant == "pooled":
        everything = sorted(config.categories, key=lambda c: (config.categories[c].order, c))
        for window in raw["windows"].values():
            window["primary"], window["secondary"] = everything, []
    return validate(raw)

"""The halls a simulated day is played in: the hall as configured, and the ones it is compared with.

- `static`: every window serves its configured categories all day (tidal policy off);
- `tidal`: the hall's own config, tidal policy as configured;
- `pooled`: every window serves every category first, one queue in arrival
  order — what no real hall can reach (every clerk would have to know every
  category), the floor of the waits;
- `skill_pooled`: tidal-capable windows serve every category first, one queue in
  arrival order; the others only their own (tidal policy off) — the realistic
  bound, since the tidal-capable clerks are exactly those who can serve more;
- `home_first`: tidal-capable windows serve their own categories first and help
  every other one when their own queue is empty (`tidal.home_first`, tidal
  policy off: no switch).

Each gets one simulated member of staff per staffed window (the hall's own
staff list says who may log in where, not who works today).
"""
from __future__ import annotations

from config.schema import validate

from .hall import sim_staff

VARIANTS = ("static", "tidal", "pooled", "skill_pooled", "home_first")
DEFAULT = ("static", "tidal", "pooled")


def hall_for(config, profile, variant: str = "tidal"):
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    raw = config.model_dump(mode="json")
    raw["staff"] = sim_staff(config, profile.staff.windows or sorted(config.windows))
    if variant != "tidal":
        raw["tidal"]["enabled"] = False
    if variant == "home_first":
        raw["tidal"]["home_first"] = True
    everything = sorted(config.categories, key=lambda c: (config.categories[c].order, c))
    for window in raw["windows"].values():
        if variant == "pooled" or (variant == "skill_pooled" and window["tidal_capable"]):
            window["primary"], window["secondary"] = everything, []
    return validate(raw)

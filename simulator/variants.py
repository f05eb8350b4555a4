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
  policy off: no switch);
- `rota`: home-first, and the rota policy (`tidal.policy: rota`) lending tidal
  windows ahead of the forecast — here the arrivals file itself, as the hall's
  cold-start forecast (`forecast.cold_start`): what a hall whose stored days
  are like today would expect;
- `rota_shifted`, `rota_noisy`: the same with a wrong forecast — every hour's
  rates an hour late, or each rate off by up to ±30 % (drawn from the seed).

Each gets one simulated member of staff per staffed window (the hall's own
staff list says who may log in where, not who works today).
"""
from __future__ import annotations

import random

from config.schema import validate

from .hall import sim_staff

VARIANTS = ("static", "tidal", "pooled", "skill_pooled", "home_first", "rota", "rota_shifted", "rota_noisy")
DEFAULT = ("static", "tidal", "pooled")


def forecast_of(profile, variant: str, seed: int = 0) -> dict:
    """The cold-start forecast a rota variant is given: the arrivals, right or wrong as the variant says."""
    arrivals = {hour: dict(rates) for hour, rates in profile.arrivals.items()}
    if variant == "rota_shifted":
        arrivals = {f"{int(hour) + 1:02d}": rates for hour, rates in arrivals.items() if int(hour) < 23}
    elif variant == "rota_noisy":
        rng = random.Random(f"noise-{seed}")
        arrivals = {hour: {code: round(rate * rng.uniform(0.7, 1.3), 2) for code, rate in sorted(rates.items())}
                    for hour, rates in sorted(arrivals.items())}
    return arrivals


def hall_for(config, profile, variant: str = "tidal", *, seed: int = 0):
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
    raw = config.model_dump(mode="json")
    raw["staff"] = sim_staff(config, profile.staff.windows or sorted(config.windows))
    rota = variant.startswith("rota")
    if variant != "tidal" and not rota:
        raw["tidal"]["enabled"] = False
    if variant == "home_first" or rota:
        raw["tidal"]["home_first"] = True
    if rota:
        raw["tidal"]["policy"] = "rota"
        raw["forecast"] = {**raw["forecast"], "enabled": True, "cold_start": forecast_of(profile, variant, seed)}
    everything = sorted(config.categories, key=lambda c: (config.categories[c].order, c))
    for window in raw["windows"].values():
        if variant == "pooled" or (variant == "skill_pooled" and window["tidal_capable"]):
            window["primary"], window["secondary"] = everything, []
    return validate(raw)

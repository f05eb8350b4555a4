"""Queueing theory the simulator is checked against: M/M/c (Erlang C)."""
from __future__ import annotations


def erlang_c(c: int, load: float) -> float:
    """Probability that an arrival waits, for c servers and offered load a = λ/μ < c."""
    if not 0 <= load < c:
        raise ValueError("the offered load must be below the number of windows")
    term, total = 1.0, 1.0
    for k in range(1, c):
        term *= load / k
        total += term
    top = term * load / c * c / (c - load)
    return top / (total + top)


def mean_wait_s(c: int, arrivals_per_h: float, service_s: float) -> float:
    """Erlang C mean wait in the queue: C(c, a) / (c·μ − λ)."""
    lam, mu = arrivals_per_h / 3600, 1 / service_s
    return erlang_c(c, lam / mu) / (c * mu - lam)

"""Per-client token buckets: how many requests one address may make, with the time passed in.

A bucket holds up to `burst` tokens and gains `per_s` a second; a request takes one, and with none
left it is refused and told when the next token comes (Retry-After). Pure: no clock, no I/O, so
the tests play any minute in a few microseconds.

The table is bounded: past `max_clients` addresses, the one heard from longest ago is forgotten —
a bucket left alone refills, so forgetting it gives a flood from many addresses no memory to eat,
and costs a returning client nothing it would not have had back by then.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class Bucket:
    tokens: float
    at: float


class Limiter:
    def __init__(self, per_s: float, burst: int, max_clients: int = 50_000):
        if per_s <= 0 or burst < 1 or max_clients < 1:
            raise ValueError("per_s must be positive, burst and max_clients at least 1")
        self.per_s, self.burst, self.max_clients = float(per_s), int(burst), max_clients
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()  # least recently heard first

    def take(self, client: str, now: float) -> float:
        """Take a token for `client` at `now`: 0.0 when allowed, else the seconds until one is there."""
        bucket = self._buckets.pop(client, None)
        if bucket is None:
            bucket = Bucket(float(self.burst), now)
        else:
            elapsed = max(0.0, now - bucket.at)  # a clock that steps back refills nothing
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_s)
            bucket.at = max(bucket.at, now)
        self._buckets[client] = bucket
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.per_s

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after(wait_s: float) -> int:
    """A Retry-After header's whole seconds: never 0 for a refused request."""
    return max(1, math.ceil(wait_s))

"""The `web:` section of the hall config: how `main.py web` serves citizens, staff and systems.

Kept apart from `schema.py` like the policies: the web tier's knobs read as one page. Read by the
web process at its start (listeners cannot move under a running server); the controller validates
it with the rest and publishes only `public_url` (kiosks print it in the ticket's QR code).
Strict like the rest: an unknown key or an out-of-range value is refused with the dotted key.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def check_listen(text: str) -> str:
    """HOST:PORT of a listener ([::1]:8080 for IPv6)."""
    match = _HOST_PORT.match(text)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise ValueError(f"bad listener {text!r}: use HOST:PORT")
    return text


def split_listen(text: str) -> tuple[str, int]:
    host, _, port = check_listen(text).rpartition(":")
    return host.strip("[]"), int(port)


def check_base_url(text: str) -> str:
    """An http(s) address without query, fragment or trailing slash: pages append their paths to it."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or text.endswith("/"):
        raise ValueError(f"bad address {text!r}: use https://host[/prefix] without a trailing slash")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bucket(_Strict):
    """A token bucket per client address (or API key): `burst` requests at once, then `per_s` a second."""

    per_s: Annotated[float, Field(gt=0, le=1000)]
    burst: Annotated[int, Field(ge=1, le=10000)]


class RateLimits(_Strict):
    """Per client address, on every listener. Phones in the hall may share one address (the
    hall's Wi-Fi behind one NAT), so the defaults are generous and forms are limited apart."""

    requests: Bucket = Bucket(per_s=20, burst=120)  # every request: pages, static files, event streams
    forms: Bucket = Bucket(per_s=1, burst=20)  # form posts, on top of `requests`
    # per key of the integration API (web/api.py), every call but the health check, on top of the address's:
    # one business system's loop cannot starve another behind the same proxy
    api_key: Bucket = Bucket(per_s=5, burst=50)
    max_clients: Annotated[int, Field(ge=100, le=1_000_000)] = 50_000  # addresses remembered at once


class Web(_Strict):
    # How citizens reach the public pages (the reverse proxy's address); the ticket's QR code is
    # `<public_url>/t/<rating_token>`. https makes every cookie Secure and adds HSTS.
    public_url: str = "http://127.0.0.1:8080"
    # How staff reach the console, for its cookies; https makes them Secure.
    console_url: str | None = None
    listen: str = "127.0.0.1:8080"  # the public listener (the reverse proxy forwards to it)
    console: str | None = None  # the manager console's listener: loopback or the hall LAN only
    api: str | None = None  # the integration API's listener
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (the client address of rate limits).
    trusted_proxies: list[str] = ["127.0.0.1", "::1"]
    max_body_bytes: Annotated[int, Field(ge=1024, le=1_048_576)] = 16_384
    rate_limits: RateLimits = RateLimits()
    max_streams: Annotated[int, Field(ge=10, le=100_000)] = 5_000  # live pages (Server-Sent Events) at once
    stream_keepalive_s: Annotated[int, Field(ge=5, le=300)] = 20  # a comment line this often keeps proxies open

    @field_validator("public_url", "console_url")
    @classmethod
    def _url(cls, text):
        return text if text is None else check_base_url(text)

    @field_validator("listen", "console", "api")
    @classmethod
    def _listen(cls, text):
        return text if text is None else check_listen(text)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, addresses):
        for address in addresses:
            try:
                ipaddress.ip_network(address, strict=False)
            except ValueError:
                raise ValueError(f"bad proxy address {address!r}: use an IP address or network") from None
        return addresses

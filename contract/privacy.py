"""Masking and hashing of personal data: what may appear on a screen or in a log."""
from __future__ import annotations

import hashlib
import hmac
import os


def mask_name(name: str | None) -> str:
    """张三 → 张*, 张三丰 → 张*丰, Li Wei → L*****i; empty stays empty."""
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678 (the middle hidden); short numbers keep only their last two digits."""
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def hash_id_number(id_number: str, salt: bytes) -> str:
    """Salted hash of a citizen ID number; the number itself is never stored."""
    normalized = id_number.strip().upper().encode()
    return hmac.new(salt, normalized, hashlib.sha256).hexdigest()


PIN_ITERATIONS = 20_000


def hash_pin(pin: str, salt: bytes | None = None, iterations: int = PIN_ITERATIONS) -> str:
    """A staff PIN as stored in the hall config: pbkdf2_sha256$iterations$salt$hash."""
    salt = salt or os.urandom(8)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_hex, digest_hex = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)

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


def last_four(phone: str | None) -> str:
    """The last four digits of a phone number ("" without one): what a citizen may be asked to confirm."""
    return "".join(ch for ch in phone or "" if ch.isdigit())[-4:]


MIN_SALT = 16  # bytes: a salt an attacker cannot guess or try (an ID number has ~10^10 values)


def hash_id_number(id_number: str, salt: bytes) -> str:
    """Salted hash of a citizen ID number; the number itself is never stored.

    The salt is the hall's secret (`make_salt` at set-up, the same file on every kiosk and bridge):
    with a salt anyone knows, an 18-digit ID number is found from its hash in about a second."""
    if len(salt) < MIN_SALT:
        raise ValueError(f"an ID number salt needs at least {MIN_SALT} bytes (the hall's secret id-salt file)")
    normalized = id_number.strip().upper().encode()
    return hmac.new(salt, normalized, hashlib.sha256).hexdigest()


def read_salt(path: str) -> bytes:
    """The hall's ID number salt from its file; ValueError when it is too short to be a secret."""
    with open(path, "rb") as handle:
        salt = handle.read().strip()
    if len(salt) < MIN_SALT:
        raise ValueError(f"{path} holds {len(salt)} bytes; a salt needs at least {MIN_SALT}")
    return salt


def make_salt(path: str) -> bool:
    """A new random salt in `path` (0600) unless one is there; True when it made one."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(os.urandom(32).hex().encode() + b"\n")
    return True


def person_key(kind: str, value: str, salt: bytes) -> str:
    """The salted hash a booking counts a person by (no-shows, the 预约黑名单): of an ID number's hash
    (`kind` "id") or of a phone number's digits (`kind` "phone"); neither is kept in the clear."""
    normalized = "".join(ch for ch in value if ch.isdigit()) if kind == "phone" else value.strip().lower()
    return hmac.new(salt, f"person:{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()


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

"""The integration API's callers: one key per integrating system (the 一窗受理 platform, ...), in one file.

A key is `qms_<id>_<secret>`: the id (8 hex digits) names the key in the file, in the logs and in
`revoke-key`; the secret (32 random bytes) is shown once, when the key is made, and kept only as
its SHA-256. A slow password hash (argon2, as web/accounts.py uses for people) buys nothing here:
the secret is random, not chosen by a person, so it cannot be guessed from a list, and every API
call would pay the hash's tens of milliseconds on the process's one event loop.

Each key names its system (a name in the ledger's `user` form: what the system does reaches the
controller over the API's admin login carrying it, so the ledger records who did what), the rights
it has (`RIGHTS`) and the windows it may act on (outcomes, the evaluator, ratings). The file is
written whole (temporary file, fsync, rename), readable by its owner only (0600), and read again
when it changes on disk, so `main.py web add-key` / `revoke-key` take effect without a restart.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .accounts import NAME, write_private_json

# right -> what it lets a system do (docs/integration.md)
RIGHTS = {
    "progress": "set an application's progress (办理进度)",
    "outcome": "record the outcome of the ticket served at one of its windows (办结)",
    "evaluate": "show the evaluation page on one of its windows' evaluators (评价器)",
    "ratings": "read the ratings of its windows",
}
WINDOW_RIGHTS = {"outcome", "evaluate", "ratings"}
KEY = re.compile(r"^qms_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    system: str
    rights: tuple[str, ...]
    windows: tuple[int, ...]
    hash: str
    created_at: float = 0.0
    revoked_at: float | None = None

    def may(self, right: str, window: int | None = None) -> bool:
        return right in self.rights and (window is None or window in self.windows)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def check_new(system: str, rights: tuple[str, ...], windows: tuple[int, ...]) -> None:
    """ValueError with the reason (in both languages) when a key cannot be made so."""
    if not NAME.match(system):
        raise ValueError("system: 2-32 of a-z 0-9 _ . -, starting with a letter / 系统名为2-32位小写字母、数字或 _ . -，以字母开头")
    unknown = [r for r in rights if r not in RIGHTS]
    if not rights or unknown:
        raise ValueError(f"rights: one or more of {', '.join(RIGHTS)} / 权限无效")
    if any(not 1 <= n <= 999 for n in windows):
        raise ValueError("windows: numbers 1-999 / 窗口号无效")
    if WINDOW_RIGHTS & set(rights) and not windows:
        raise ValueError("windows: the rights outcome, evaluate and ratings need the windows they are for / 需指定窗口")


class ApiKeys:
    """The keys file: read at start and again whenever it changed on disk."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._seen: tuple[int, int] | None = None
        self._keys: dict[str, ApiKey] = {}

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._keys = None, {}
            return
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen == self._seen:
            return
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        self._keys = {key_id: ApiKey(key_id=key_id, system=row["system"], rights=tuple(row["rights"]),
                                     windows=tuple(row.get("windows", ())), hash=row["hash"],
                                     created_at=row.get("created_at", 0.0), revoked_at=row.get("revoked_at"))
                      for key_id, row in raw.get("keys", {}).items()}
        self._seen = seen

    def all(self) -> list[ApiKey]:
        self._reload()
        return sorted(self._keys.values(), key=lambda k: (k.system, k.created_at))

    def verify(self, presented: str | None) -> ApiKey | None:
        """The key when `presented` is a live one, else None (the secret compared in constant time)."""
        found = KEY.match(presented or "")
        if not found:
            return None
        self._reload()
        key = self._keys.get(found.group(1))
        expected = key.hash if key else digest("x" * 43)
        if not hmac.compare_digest(expected, digest(found.group(2))) or key is None or key.revoked_at is not None:
            return None
        return key

    def add(self, system: str, rights: tuple[str, ...], windows: tuple[int, ...] = ()) -> tuple[ApiKey, str]:
        """A new key and its full text (shown once; only its hash is kept)."""
        check_new(system, rights, windows)
        self._reload()
        key_id = secrets.token_hex(4)
        while key_id in self._keys:
            key_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        key = ApiKey(key_id=key_id, system=system, rights=tuple(rights), windows=tuple(sorted(set(windows))),
                     hash=digest(secret), created_at=time.time())
        self._write({**self._keys, key_id: key})
        return key, f"qms_{key_id}_{secret}"

    def revoke(self, key_id: str) -> ApiKey:
        self._reload()
        key = self._keys.get(key_id)
        if key is None:
            raise ValueError(f"no key {key_id} / 没有该密钥")
        revoked = ApiKey(**{**asdict(key), "revoked_at": time.time()})
        self._write({**self._keys, key_id: revoked})
        return revoked

    def _write(self, keys: dict[str, ApiKey]) -> None:
        rows = {key_id: {k: v for k, v in asdict(key).items() if k != "key_id"} for key_id, key in sorted(keys.items())}
        write_private_json(self.path, {"version": 1, "keys": rows})
        self._seen = None
        self._reload()

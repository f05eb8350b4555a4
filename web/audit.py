"""The console's audit trail: who logged in (or failed to), who logged out, and every change sent.

One JSON line per entry appended to a file of the web process (0600, beside the accounts file).
The changes are also in the controller's ledger (their commands carry the console user); this
list adds what the controller never sees — logins, failed logins, refusals — and puts both on
one page for the director. A name typed at a failed login is kept only when it could be an
account's name (a password typed into the name field is not written down).
"""
from __future__ import annotations

import json
import os
from collections import deque
from pathlib import Path

from .accounts import NAME
from .security import mask_address

SHOWN = 200


class Audit:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def add(self, at: float, what: str, user: str, address: str, **detail) -> None:
        entry = {"at": round(at, 3), "what": what, "user": user if NAME.match(user or "") else "?",
                 "address": mask_address(address), **detail}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def latest(self, n: int = SHOWN) -> list[dict]:
        """The last `n` entries, newest first (a broken line, from a disk that filled up, is skipped)."""
        try:
            with self.path.open(encoding="utf-8", errors="replace") as lines:
                last = deque(lines, maxlen=n)
        except FileNotFoundError:
            return []
        found = []
        for line in reversed(last):
            try:
                found.append(json.loads(line))
            except ValueError:
                continue
        return found

"""The manager console's people: accounts with a role, their argon2 password hashes, in one file.

Roles (issue 14): `director` (大厅管理员, everything), `supervisor` (投诉督查股: 电子监察, follow-ups,
reports), `window_lead` (窗口负责人: the live view; their windows' staff and live view, web/console_team.py) and
`social_supervisor` (社会监督员: read-only — the live view and public figures, never a change).
What each role may do is the one table `RIGHTS`; every console route names the right it needs.

Why a file of the web process and not a table of the controller, although the controller is the
hall's single writer of records: checking a password costs argon2 its tens of milliseconds and
64 MiB by design, and the controller runs every command of the hall on one thread — each login
there, and each try of a guessing flood, would hold up tickets and calls for the whole hall.
The hashes would also cross the broker to be checked. So the web process, which alone needs
them, keeps them: a JSON file written whole (temporary file, fsync, rename) and readable by its
owner only (0600), read again when it changes on disk (`main.py web add-user` while the console
runs). What a console user *does* still goes to the controller as an admin command carrying the
user's name (contract `user`), so the ledger records who did what; the console's own audit
(web/audit.py) adds the logins.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from functools import cache

ROLES = ("director", "supervisor", "window_lead", "social_supervisor")
NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")  # contract.messages.ConsoleUser: the ledger's `user`
MIN_PASSWORD = 10
MAX_PASSWORD = 128  # argon2 takes any length; a form field of megabytes would only cost CPU

# right -> roles that have it. "change_*" rights are changes: a social supervisor has none.
RIGHTS: dict[str, frozenset[str]] = {
    "view_hall": frozenset(ROLES),
    "view_alerts": frozenset({"director", "supervisor"}),
    "ack_alerts": frozenset({"director", "supervisor"}),
    "order_alerts": frozenset({"director", "supervisor"}),  # assign an alert to a person, 督办 with a deadline
    "view_audit": frozenset({"director"}),
    # reports: a window lead only with a window scope, and then only their windows (web/console_reports.py)
    "view_reports": frozenset(ROLES),
    "view_cases": frozenset({"director", "supervisor", "social_supervisor"}),  # read-only for the social one
    "change_cases": frozenset({"director", "supervisor"}),
    # the hall config (web/console_config.py): a supervisor reads it; its YAML holds the PIN hashes
    "view_config": frozenset({"director", "supervisor"}),
    "change_config": frozenset({"director"}),
    "export_config": frozenset({"director"}),
    # the 好差评 reports' backlog (web/console_outbox.py): ids and ticket numbers, no person
    "view_outbox": frozenset({"director", "supervisor"}),
    # 我的窗口 (web/console_team.py): a lead's windows' staff and live view, only within their window scope
    "manage_team": frozenset({"director", "window_lead"}),
    # the appointments desk (电话预约, cancelling, the blacklist): the director's
    "view_appointments": frozenset({"director"}),
    "change_appointments": frozenset({"director"}),
    # console accounts: list, create, reset a password, disable (the director's; web/console_accounts.py)
    "view_accounts": frozenset({"director"}),
    "change_accounts": frozenset({"director"}),
}



@cache
def hasher():
    """argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): the library's defaults
    (64 MiB, 3 passes, 4 lanes) took 0.7 s a login on the hall's two busy cores. Imported when first
    needed: every `main.py` command reads this module for ROLES. Hashes made with other
    parameters still verify (they are in the hash)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@cache
def dummy_hash() -> str:
    """Checked for a name that has no account, so that it takes as long as one that has."""
    return hasher().hash("not anyone's password")


def may(role: str, right: str) -> bool:
    return role in RIGHTS[right]


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    hash: str = field(repr=False)
    created_at: float = 0.0
    windows: tuple[int, ...] = ()  # a window lead's windows
    disabled: bool = False  # kept (the ledger and audit name it) but no longer logs in; a reset enables it


def check_new(name: str, role: str, password: str) -> None:
    """ValueError with the reason (in both languages) when an account cannot be made so."""
    if not NAME.match(name):
        raise ValueError("name: 2-32 of a-z 0-9 _ . -, starting with a letter / 用户名为2-32位小写字母、数字或 _ . -，以字母开头")
    if role not in ROLES:
        raise ValueError(f"role: one of {', '.join(ROLES)} / 角色无效")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"password: {MIN_PASSWORD}-{MAX_PASSWORD} characters / 密码长度须为{MIN_PASSWORD}-{MAX_PASSWORD}位")


class Accounts:
    """The accounts file: read at start and again whenever it changed on disk."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._seen: tuple[int, int] | None = None
        self._accounts: dict[str, Account] = {}

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._accounts = None, {}
            return
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen == self._seen:
            return
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        self._accounts = {name: Account(name=name, role=row["role"], hash=row["hash"],
                                        created_at=row.get("created_at", 0.0), windows=tuple(row.get("windows", ())),
                                        disabled=bool(row.get("disabled", False)))
                          for name, row in raw.get("accounts", {}).items() if row.get("role") in ROLES}
        self._seen = seen

    def get(self, name: str) -> Account | None:
        self._reload()
        return self._accounts.get(name)

    def all(self) -> list[Account]:
        self._reload()
        return sorted(self._accounts.values(), key=lambda a: (ROLES.index(a.role), a.name))

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password is its own, else None; about the same time either way.
        Slow on purpose (argon2): call it off the event loop."""
        from argon2.exceptions import InvalidHashError, VerificationError

        account = self.get(name) if NAME.match(name or "") else None
        if account is not None and account.disabled:
            account = None  # checked against the dummy hash all the same: as slow as any other
        if len(password) > MAX_PASSWORD:
            return None
        try:
            hasher().verify(account.hash if account else dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        return account

    def add(self, name: str, role: str, password: str, windows: tuple[int, ...] = (), *,
            replace: bool = False) -> Account:
        """Make (or, with `replace`, reset) an account; ValueError when it cannot be."""
        check_new(name, role, password)
        self._reload()
        if name in self._accounts and not replace:
            raise ValueError(f"name: {name} exists already / 用户 {name} 已存在")
        account = Account(name=name, role=role, hash=hasher().hash(password), created_at=time.time(),
                          windows=tuple(windows))
        self._write({**self._accounts, name: account})
        return account

    def disable(self, name: str) -> Account:
        """Stop an account logging in (its sessions end: web/desk.py `session`); KeyError when none."""
        self._reload()
        account = self._accounts[name]
        disabled = Account(name=name, role=account.role, hash=account.hash, created_at=account.created_at,
                           windows=account.windows, disabled=True)
        self._write({**self._accounts, name: disabled})
        return disabled

    def _write(self, accounts: dict[str, Account]) -> None:
        rows = {name: {k: v for k, v in asdict(a).items() if k != "name"} for name, a in sorted(accounts.items())}
        write_private_json(self.path, {"version": 1, "accounts": rows})
        self._seen = None
        self._reload()


def write_private_json(path: Path, body: dict) -> None:
    """Replace a file of secrets' hashes (accounts, API keys) at once and readable by its owner only:
    written beside it as 0600, synced, then renamed over it, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

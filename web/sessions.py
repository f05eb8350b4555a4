"""Console logins: sessions that expire, and wrong passwords throttled. Pure: the time is passed in.

A session is a random token (256 bits) in a cookie — HttpOnly, SameSite=Strict, Path=/console,
Secure behind https — and only its SHA-256 in memory, so nothing read from this process's memory
or logs logs anyone in. It ends `idle_s` after its last request, `max_s` after the login whatever
happens (a working day), at logout, or when its account is gone, has another role or was reset (`add-user --reset`). A login makes
a new token (no session fixation). Sessions live in the process: a restart of `main.py web` logs
everyone out, which is the safe side.

Throttling (`Throttle`): `max_fails` wrong passwords for one name, or from one address, within
`window_s` lock that name (or address) for `lock_s`; a locked login is refused before its password
is checked, so a guessing flood costs no argon2. The table is bounded like the rate limiter's.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from dataclasses import dataclass

COOKIE = "qms_console"
IDLE_S = 30 * 60
MAX_S = 10 * 3600
MAX_SESSIONS = 2000


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass
class Session:
    user: str
    role: str
    started: float
    seen: float
    address: str
    stamp: float = 0.0  # the account's created_at at login: a reset account (a new password) ends it


class Sessions:
    def __init__(self, idle_s: float = IDLE_S, max_s: float = MAX_S, max_sessions: int = MAX_SESSIONS):
        self.idle_s, self.max_s, self.max_sessions = idle_s, max_s, max_sessions
        self._open: OrderedDict[str, Session] = OrderedDict()  # token digest -> session, least recent first

    def start(self, user: str, role: str, address: str, now: float, stamp: float = 0.0) -> str:
        """A new session's token (for the cookie)."""
        token = secrets.token_urlsafe(32)
        self._open[digest(token)] = Session(user, role, now, now, address, stamp)
        while len(self._open) > self.max_sessions:
            self._open.popitem(last=False)
        return token

    def get(self, token: str | None, now: float) -> Session | None:
        """The live session of a cookie, its idle time restarted; None (and forgotten) when expired."""
        if not token or len(token) > 100:
            return None
        key = digest(token)
        session = self._open.get(key)
        if session is None:
            return None
        if now - session.seen > self.idle_s or now - session.started > self.max_s or now < session.started:
            del self._open[key]
            return None
        session.seen = now
        self._open.move_to_end(key)
        return session

    def end(self, token: str | None) -> Session | None:
        return self._open.pop(digest(token), None) if token else None

    def end_user(self, user: str) -> int:
        """End every session of a user (their account changed); how many."""
        keys = [key for key, session in self._open.items() if session.user == user]
        for key in keys:
            del self._open[key]
        return len(keys)

    def __len__(self) -> int:
        return len(self._open)


@dataclass
class Fails:
    count: int
    first: float
    locked_until: float = 0.0


class Throttle:
    def __init__(self, max_fails: int = 5, window_s: float = 15 * 60, lock_s: float = 15 * 60,
                 max_keys: int = 10_000):
        self.max_fails, self.window_s, self.lock_s, self.max_keys = max_fails, window_s, lock_s, max_keys
        self._fails: OrderedDict[str, Fails] = OrderedDict()

    def locked(self, keys: tuple[str, ...], now: float) -> float:
        """Seconds until every one of `keys` (the name, the address) may try again; 0 when none is locked."""
        wait = 0.0
        for key in keys:
            fails = self._fails.get(key)
            if fails is not None and fails.locked_until > now:
                wait = max(wait, fails.locked_until - now)
        return wait

    def failed(self, keys: tuple[str, ...], now: float) -> None:
        for key in keys:
            fails = self._fails.pop(key, None)
            if fails is None or now - fails.first > self.window_s:
                fails = Fails(0, now)
            fails.count += 1
            if fails.count >= self.max_fails:
                fails.locked_until, fails.count, fails.first = now + self.lock_s, 0, now
            self._fails[key] = fails
        while len(self._fails) > self.max_keys:
            self._fails.popitem(last=False)

    def succeeded(self, name_key: str) -> None:
        """A right password clears the name's count (not the address's: one good login from a shared
        address does not excuse its other guesses)."""
        self._fails.pop(name_key, None)

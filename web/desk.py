"""The console's side of the web process: its people (accounts, sessions, throttling, audit), its
commands to the controller in a user's name, and today's figures kept fresh for the live hall.

The console keeps no queue state of its own: the hall is the process's one mirror (web/link.py);
today's figures are the controller's `stats` action (controller/figures.py, their one
definition), asked again soon after the hall changes and every `STATS_EVERY_S` while a live hall
page is open, never when none is. Every command goes out on the admin login carrying the console
user (contract `user`), so the ledger records who did what; changes are written to the audit too.
"""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from contract.privacy import mask_name

from .accounts import Account, Accounts, dummy_hash
from .audit import Audit
from .sessions import Session, Sessions, Throttle

log = logging.getLogger(__name__)

STATS_EVERY_S = 15.0  # the service times and waits of a quiet hall still move
STATS_AFTER_S = 1.0  # a change is usually a burst of messages: ask once after it, at most once a second
STATS_FOLLOWS = frozenset({"queues", "window", "calls", "online"})
FEED = "desk"
WATCH_S = 30.0  # how often a live page's session is looked at
UNLOGGED = frozenset({"phone", "phone_last4", "pin", "applicant"})  # personal: never in the audit file


class Desk:
    def __init__(self, site, accounts_path: str | Path, *, clock=time.monotonic, wall=time.time):
        self.site, self.clock, self.wall = site, clock, wall
        path = Path(accounts_path)
        self.accounts = Accounts(path)
        self.audit = Audit(path.with_name(path.stem + ".audit.jsonl"))
        self.sessions = Sessions()
        self.throttle = Throttle()
        self.stats: dict | None = None
        self.stats_at: float | None = None  # wall time of the figures
        self._wanted = asyncio.Event()
        self._task: asyncio.Task | None = None
        heard = site.link.on_change

        def on_change(kind: str) -> None:
            heard(kind)
            if kind in STATS_FOLLOWS:
                self._wanted.set()
        site.link.on_change = on_change

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._keep_stats())
        loop.run_in_executor(None, dummy_hash)  # the first failed login costs what the others do

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    # --- people ----------------------------------------------------------------------------------

    async def login(self, name: str, password: str, address: str) -> tuple[str | None, Account | None, float]:
        """(session token, account, 0) for a right password; (None, None, seconds locked) else."""
        now, keys = self.clock(), (f"name:{name}", f"addr:{address}")
        wait = self.throttle.locked(keys, now)
        if wait:
            self.audit.add(self.wall(), "login_locked", name, address)
            return None, None, wait
        account = await asyncio.to_thread(self.accounts.verify, name, password)  # argon2: off the loop
        if account is None:
            self.throttle.failed(keys, self.clock())
            self.audit.add(self.wall(), "login_failed", name, address)
            log.info("console: a failed login")
            return None, None, 0.0
        self.throttle.succeeded(keys[0])
        self.audit.add(self.wall(), "login", account.name, address, role=account.role)
        log.info("console: %s logged in (%s)", account.name, account.role)
        return self.sessions.start(account.name, account.role, address, self.clock(), account.created_at), account, 0.0

    def session(self, token: str | None) -> Session | None:
        """The live session of a cookie whose account still exists with the same role, not reset since."""
        session = self.sessions.get(token, self.clock())
        if session is None:
            return None
        account = self.accounts.get(session.user)
        if account is None or account.disabled or account.role != session.role \
                or account.created_at != session.stamp:
            self.sessions.end_user(session.user)
            return None
        return session

    def follow(self, stream, token: str) -> None:
        """Keep a live page's stream only while its session lasts: checked every WATCH_S, which
        counts as the user's activity (a director watches the live hall all day, up to the
        session's `max_s`); at logout, a changed account or the session's end, the stream is closed
        and its reconnect goes to the login page."""
        async def watch() -> None:
            while not stream.closed:
                await asyncio.sleep(WATCH_S)
                if not stream.closed and self.session(token) is None:
                    self.site.hub.close(stream)
        asyncio.get_running_loop().create_task(watch())

    def logout(self, token: str | None, address: str) -> None:
        session = self.sessions.end(token)
        if session is not None:
            self.audit.add(self.wall(), "logout", session.user, address)

    def refused(self, session: Session, path: str, address: str) -> None:
        self.audit.add(self.wall(), "refused", session.user, address, role=session.role, path=path[:200])

    # --- commands ----------------------------------------------------------------------------------

    async def ask(self, session: Session, action: str, fields: dict | None = None) -> dict:
        """A read (alerts, stats): the reply; not audited, it changes nothing."""
        return await self._send(session.user, action, fields)

    async def change(self, session: Session, action: str, fields: dict, address: str, *, key: str,
                     request_id: str | None = None) -> dict:
        """A change in the user's name: the reply, and an audit line of what was asked and how it went
        (a PIN sent for the controller to hash, a phone, is never written in it, a member of staff's
        name only masked, as every screen shows it). A form's `request_id` makes the form posted twice
        one command (the controller answers it again)."""
        reply = await self._send(session.user, action, fields, key=key, request_id=request_id)
        error = reply.get("error") or {}
        self.audit.add(self.wall(), "change", session.user, address, role=session.role, action=action,
                       ok=bool(reply.get("ok")), code=error.get("code"), fields=audited(action, fields))
        return reply

    async def _send(self, user: str, action: str, fields: dict | None, key: str | None = None,
                    request_id: str | None = None) -> dict:
        commands = self.site.link.admin
        if commands is None:  # the console listens only with the admin login: run.py sees to it
            raise RuntimeError("the console needs the admin login")
        return await commands.send(action, {**(fields or {}), "user": user}, key=key, request_id=request_id)

    # --- today's figures -----------------------------------------------------------------------------

    def watched(self) -> bool:
        return bool(self.site.hub.channels(f"{FEED}:") or self.site.hub.channels("team:"))  # and 我的窗口's

    async def _keep_stats(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wanted.wait(), STATS_EVERY_S)
                await asyncio.sleep(STATS_AFTER_S)
            except asyncio.TimeoutError:
                pass
            self._wanted.clear()
            if self.watched() or self.stats is None:
                await self.refresh()

    async def refresh(self) -> None:
        commands = self.site.link.admin
        if commands is None or not self.site.link.online:
            return
        reply = await commands.send("stats", {}, key="console-stats", wait_s=10)
        if reply.get("ok"):
            self.stats, self.stats_at = reply["result"], self.wall()
            self.site.live.changed("stats")
        else:
            log.info("console: today's figures not fetched: %s", (reply.get("error") or {}).get("code"))


def audited(action: str, fields: dict) -> dict:
    """The fields of a change as its audit line keeps them: short plain values only, never a PIN or a
    phone (`UNLOGGED`), and the name of a member of staff (`staff_set`) masked (contract.privacy.mask_name)."""
    kept = {k: v for k, v in fields.items()
            if isinstance(v, (int, str)) and len(str(v)) <= 500 and k not in UNLOGGED}
    if action == "staff_set" and isinstance(kept.get("name"), str):
        kept["name"] = mask_name(kept["name"])
    return kept

"""The tickets whose pages are open: what the controller said of each, kept up to date by the events.

A ticket's page (`/t/<rating_token>`) asks the controller once (`ticket_by_token`: the token is
the only key; the mirror has no ticket of its own), and then follows the ticket without asking:
`event/called` says it is called and where (recalls too), `event/ticket` every other step (held,
no-show, transferred, finished, closed by the day's end), `event/rating` that it was rated — each
names the ticket id, so the record is changed in place and its page re-rendered at once. Only the
place in the queue (people ahead, the wait) needs the controller again: when a ticket of a category
leaves its queue, the places of every waiting ticket of that category with a page open are asked
in one `places` request, one at a time per category (a burst of moves is one more request after it).

Records are kept while a page of the ticket is open and for `KEEP_S` after it was last looked up,
at most `MAX_RECORDS` (the oldest go first). The token never goes in a log or a channel name: a
live channel is named by the ticket's id (`ticket:<lang>:<id>`).
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from contract.messages import MAX_PLACES

log = logging.getLogger(__name__)

TOKEN = re.compile(r"^[A-Z2-7]{16}$")  # the controller's rating tokens (base32 of an HMAC)
KEEP_S = 3600.0
MAX_RECORDS = 20000
CHANGED = "ticket"  # the kind of change Live hears when records change, with their ids (web/live.py)
STEP_STATUS = {"issued": "waiting", "started": "serving", "finished": "done", "no_show": "no_show",
               "held": "held", "transferred": "waiting"}


class Lookup:
    """What a page's lookup came to: the record, or why there is none."""

    def __init__(self, record: dict | None, error: str | None = None):
        self.record, self.error = record, error

    @property
    def missing(self) -> bool:
        return self.error == "not_found"


class TicketBook:
    def __init__(self, commands, on_change: Callable[[str, set[str]], None], is_open: Callable[[str], bool],
                 clock=time.monotonic):
        self.commands, self.on_change, self.is_open, self.clock = commands, on_change, is_open, clock
        self._records: OrderedDict[str, dict] = OrderedDict()  # token -> record (the controller's `ticket`)
        self._seen: dict[str, float] = {}
        self._by_id: dict[str, str] = {}  # ticket id -> token
        self._revisions: dict[str, int] = {}  # ticket id -> the change that made its record (web/live.py's keys)
        self._changes = 0
        self._refreshing: set[str] = set()
        self._moving: set[str] = set()  # categories whose pages' places are being asked
        self._again: set[str] = set()   # ... and that moved again meanwhile

    # --- looking up -------------------------------------------------------------------------------

    async def lookup(self, token: str) -> Lookup:
        """The controller's view of the ticket now; `not_found` for a token it does not know."""
        if not TOKEN.match(token):
            return Lookup(None, "not_found")
        reply = await self.commands.send("ticket_by_token", {"rating_token": token}, key=f"t:{token}")
        if not reply.get("ok"):
            code = (reply.get("error") or {}).get("code", "error")
            if code == "not_found":
                self._forget(token)
            return Lookup(self._records.get(token), code)
        self._keep(token, reply["result"]["ticket"])
        return Lookup(self._records[token])

    def by_token(self, token: str) -> dict | None:
        return self._records.get(token)

    def followed(self, token: str) -> dict | None:
        """The record while a page of the ticket is open, else None. Such a record is what that page
        shows live (the events and the queue's places keep it), so a reload of the page is served
        from it without asking the controller; any other ticket is asked for (`lookup`)."""
        record = self._records.get(token)
        return record if record is not None and self.is_open(record["id"]) else None

    def by_id(self, ticket_id: str) -> dict | None:
        token = self._by_id.get(ticket_id)
        return self._records.get(token) if token else None

    def token_of(self, ticket_id: str) -> str | None:
        return self._by_id.get(ticket_id)

    def revision(self, ticket_id: str) -> int:
        """A number that changes whenever the ticket's record does (records change in place), never
        the same twice, even for a record forgotten and kept again."""
        return self._revisions.get(ticket_id, 0)

    def _changed(self, ticket_ids: set[str]) -> None:
        self._changes += 1
        for ticket_id in ticket_ids:
            self._revisions[ticket_id] = self._changes
        self.on_change(CHANGED, ticket_ids)

    def _keep(self, token: str, record: dict) -> None:
        old = self._records.pop(token, None)
        if old is not None and old["id"] != record["id"]:
            self._by_id.pop(old["id"], None)
        self._records[token], self._seen[token] = record, self.clock()
        self._by_id[record["id"]] = token
        if old != record:
            self._changed({record["id"]})
        self._trim()

    def _forget(self, token: str) -> None:
        record = self._records.pop(token, None)
        self._seen.pop(token, None)
        if record is not None:
            self._by_id.pop(record["id"], None)
            self._revisions.pop(record["id"], None)

    def _trim(self) -> None:
        now = self.clock()
        while self._records and (len(self._records) > MAX_RECORDS or now - self._seen[next(iter(self._records))] > KEEP_S):
            token = next(iter(self._records))
            if len(self._records) <= MAX_RECORDS and self.is_open(self._records[token]["id"]):
                self._records.move_to_end(token)
                self._seen[token] = now
                continue
            self._forget(token)

    # --- following (events from the link, on the loop) ----------------------------------------------

    def event(self, kind: str, data: dict) -> None:
        ticket_id = data.get("ticket_id")
        record = self.by_id(ticket_id) if isinstance(ticket_id, str) else None
        if record is not None:
            changed = self._step(record, kind, data)
            if changed:
                self._changed({ticket_id})
            if kind == "ticket" and data.get("kind") in ("transferred", "issued"):
                self._refresh(self._by_id[ticket_id])
        category = data.get("category")
        leaves = kind == "called" or (kind == "ticket" and data.get("kind") != "issued")
        if leaves and isinstance(category, str):  # a new ticket is behind the waiting ones (a priority one
            self._moved(category)                 # is counted at the next move)

    @staticmethod
    def _step(record: dict, kind: str, data: dict) -> bool:
        before = dict(record)
        if kind == "called":
            record.update(status="called", window=data.get("window"), times_called=data.get("times_called", 1),
                          ahead=0, est_wait_s=0, rateable=record.get("level") is None)
        elif kind == "ticket":
            step = data.get("kind")
            if step == "closed_by_day_end":
                record["status"] = data.get("status") or record["status"]
            elif step in STEP_STATUS:
                record["status"] = STEP_STATUS[step]
            if step == "transferred":
                record["transfers"] = record.get("transfers", 0) + 1
                record["category"] = data.get("category") or record["category"]
                record["window"] = None
            elif data.get("window") is not None:
                record["window"] = data["window"]
            record["rateable"] = record.get("level") is None and record["status"] in ("called", "serving", "done")
        elif kind == "rating" and data.get("kind") == "rated":
            record.update(level=data.get("level"), rateable=False)
        return record != before

    def _moved(self, category: str) -> None:
        """A ticket of this category left the queue: the open pages still waiting in it ask their
        places again, all in one `places` request (in slices of MAX_PLACES); a move while one is
        on its way asks once more after it."""
        if category in self._moving:
            self._again.add(category)
            return
        tokens = [token for token, record in self._records.items() if record["status"] == "waiting"
                  and record["category"] == category and self.is_open(record["id"])]
        if not tokens:
            return
        self._moving.add(category)

        async def ask() -> None:
            try:
                for start in range(0, len(tokens), MAX_PLACES):
                    reply = await self.commands.send("places", {"rating_tokens": tokens[start:start + MAX_PLACES]},
                                                     key=f"places:{category}:{start}")
                    if reply.get("ok"):
                        self._placed(reply["result"]["places"])
            except Exception:  # a refresh must never take the loop down
                log.exception("the places of a queue could not be refreshed")
            finally:
                self._moving.discard(category)
                if category in self._again:
                    self._again.discard(category)
                    self._moved(category)

        asyncio.get_running_loop().create_task(ask())

    def _placed(self, places: dict) -> None:
        changed = set()
        for token, place in places.items():
            record = self._records.get(token)
            if record is not None and record["status"] == "waiting" and \
                    (record.get("ahead"), record.get("est_wait_s")) != (place["ahead"], place["est_wait_s"]):
                record.update(ahead=place["ahead"], est_wait_s=place["est_wait_s"])
                changed.add(record["id"])
        if changed:
            self._changed(changed)

    def _refresh(self, token: str) -> None:
        if token in self._refreshing:
            return
        self._refreshing.add(token)

        async def again() -> None:
            try:
                await self.lookup(token)
            except Exception:  # a page's refresh must never take the loop down
                log.exception("a ticket's place could not be refreshed")
            finally:
                self._refreshing.discard(token)

        asyncio.get_running_loop().create_task(again())

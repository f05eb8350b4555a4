"""Live pages: one feed of the hall per process, fanned out to every open page as Server-Sent Events.

The process hears the hall once (one MQTT subscription, the one mirror: web/link.py); a change is
rendered once per channel and the same bytes go to every page on that channel. No page has an MQTT
subscription of its own, and none polls. Built for thousands of pages on two cores:

- A channel is a name (`hall:zh`, later `ticket:<id>:en`): `publish` touches only its pages.
- Each page keeps what it has not been sent yet under a key; a newer frame under the same key
  replaces the older one (a page wants the hall as it is now, not every state in between), so a
  slow page costs one frame per key, never a growing queue. A page with more than `max_pending`
  keys unsent is too slow to follow: it is closed, and the browser's EventSource reconnects and
  is sent the current state first.
- A page that goes away is removed at once (Starlette cancels its stream on http.disconnect); a
  comment line every `keepalive_s` keeps proxies from closing a quiet stream and finds dead
  sockets — each wait drawn between half and the whole of it (`KEEPALIVE_SPREAD`): pages opened
  or sent a frame together (a reconnect storm, a queue that moved) would otherwise all wake at
  once, and 2,000 keepalives in one go hold the loop for a noticeable part of a second (bench/web.py:
  page GETs' p99 ~0.7 s with them in step, ~0.1 s apart). The wait is a timer set while the page
  has nothing to send, not an `asyncio.wait_for` per frame (a task each: at 2,000 pages a call
  spent more on those than on the sockets' writes). At `max_streams` open pages a new one is
  refused (503, retry later).

Everything here runs on the event loop's thread (the link hands MQTT messages over with
`call_soon_threadsafe`): no locks.
"""
from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable

from starlette.responses import StreamingResponse

log = logging.getLogger(__name__)

RETRY_MS = 3000  # how soon a browser reconnects a dropped stream
KEEPALIVE = b": keepalive\n\n"
KEEPALIVE_SPREAD = 0.5  # a keepalive wait is keepalive_s × a random factor in [1 - this, 1]
QUIET = ":keepalive"  # the key a keepalive waits under (no event has a colon in its name)


def frame(event: str, data: str) -> bytes:
    """One SSE message; every line of `data` becomes its own `data:` line (HTML fragments are multi-line)."""
    lines = "".join(f"data: {line}\n" for line in data.replace("\r", "").split("\n"))
    return f"event: {event}\n{lines}\n".encode("utf-8")


class Stream:
    """One open page: the frames it has not been sent yet, by key, oldest first."""

    def __init__(self, channels: Iterable[str], max_pending: int):
        self.channels = tuple(channels)
        self.max_pending = max_pending
        self.pending: OrderedDict[str, bytes] = OrderedDict()
        self.closed = False
        self._wake = asyncio.Event()

    def offer(self, key: str, data: bytes) -> bool:
        """Queue a frame (replacing one under the same key); False when the page is too slow and closed."""
        if self.closed:
            return False
        if key not in self.pending and len(self.pending) >= self.max_pending:
            self.close()
            return False
        self.pending[key] = data
        self._wake.set()
        return True

    def close(self) -> None:
        self.closed = True
        self._wake.set()

    def _quiet(self) -> None:
        """Nothing was sent for a keepalive's wait: a comment line goes out."""
        if not self.pending:
            self.pending[QUIET] = KEEPALIVE
        self._wake.set()

    async def frames(self, keepalive_s: float) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        while not self.closed:
            if not self.pending:
                quiet = loop.call_later(keepalive_s * (1 - KEEPALIVE_SPREAD * random.random()), self._quiet)
                try:
                    await self._wake.wait()
                finally:  # also when the page goes away meanwhile
                    quiet.cancel()
            self._wake.clear()
            while self.pending and not self.closed:
                _, data = self.pending.popitem(last=False)
                yield data


class Hub:
    def __init__(self, max_streams: int = 5000, max_pending: int = 16, keepalive_s: float = 20.0):
        self.max_streams, self.max_pending, self.keepalive_s = max_streams, max_pending, keepalive_s
        self._channels: dict[str, set[Stream]] = {}
        self._open: set[Stream] = set()
        self.dropped = 0  # pages closed for being too slow

    def open(self, channels: Iterable[str]) -> Stream | None:
        """A new page on these channels, or None when `max_streams` are open."""
        if len(self._open) >= self.max_streams:
            return None
        stream = Stream(channels, self.max_pending)
        for channel in stream.channels:
            self._channels.setdefault(channel, set()).add(stream)
        self._open.add(stream)
        return stream

    def close(self, stream: Stream) -> None:
        stream.close()
        for channel in stream.channels:
            pages = self._channels.get(channel)
            if pages is not None and stream in pages:
                pages.discard(stream)
                if not pages:
                    del self._channels[channel]
        self._open.discard(stream)

    @property
    def streams(self) -> int:
        return len(self._open)

    def listeners(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))

    def channels(self, prefix: str = "") -> list[str]:
        """Channels with pages open now (a publisher renders only for these)."""
        return [name for name in self._channels if name.startswith(prefix)]

    def publish(self, channel: str, event: str, data: str, key: str | None = None) -> int:
        """Send one event to every page of a channel (rendered once, the same bytes for all); returns
        how many pages took it."""
        pages = self._channels.get(channel)
        if not pages:
            return 0
        message, key = frame(event, data), key or event
        taken = 0
        for stream in list(pages):
            if stream.offer(key, message):
                taken += 1
            else:
                self.dropped += 1
                log.info("a live page on %s fell behind; closed (it reconnects)", channel)
                self.close(stream)
        return taken

    def shutdown(self) -> None:
        """End every stream (the server is stopping)."""
        for stream in list(self._open):
            self.close(stream)

    def response(self, stream: Stream, first: Iterable[bytes] = ()) -> StreamingResponse:
        """The page's event stream: the retry delay, what it must show first, then the channel's frames."""

        async def body() -> AsyncIterator[bytes]:
            try:
                yield f"retry: {RETRY_MS}\n\n".encode("ascii")
                for data in first:
                    yield data
                async for data in stream.frames(self.keepalive_s):
                    yield data
            finally:
                self.close(stream)

        return StreamingResponse(body(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

"""What the live pages are sent when the hall changes: a registry of feeds, rendered once per change.

A feed is a kind of live page (the hall now; later a ticket's page, the console's live hall). Its
channels are `<feed>:<argument>` (`hall:zh`); when a change of a kind it follows comes from the
mirror, every channel of it with pages open is rendered once and published to the hub (web/hub.py).
Changes come in bursts (a call changes a window, the queues and the calls, one retained message
each), so they are gathered for `DELAY_S` and rendered once. A change that names its channels
(one ticket's record changed: `changed("ticket", [its channels])`) renders only those: a page
opening, or one ticket called, costs one render, not one for every open page. Such a change comes
whole (one event, one `places` answer for a queue's pages), so it is rendered at the loop's next
turn rather than after `DELAY_S`: the new places reach the phones as soon as the controller said them.
Many channels are rendered `SLICE` at a time, each slice's pages sent before the next is rendered:
the first phones of a queue of 2,000 have their place while the last are being rendered. A render equal
to what its channel's pages were last sent is not sent again: a window pausing somewhere in the
hall changes nothing on most ticket pages, and their phones are not woken for it. A feed that can
say cheaply what a render depends on (`key`: the ticket's revision and the hall's words for it) is
not rendered at all while that stays the same: a call's retained window and queues, and the finish,
would otherwise re-render 2,000 ticket pages to find them unchanged.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from .hub import Hub, frame

log = logging.getLogger(__name__)

DELAY_S = 0.03
SLICE = 250  # channels rendered before the loop sends what they published (then the next slice)


@dataclass(frozen=True)
class Feed:
    follows: frozenset[str]  # kinds of change (HallMirror.apply's, and "online") that change it
    render: Callable[[str], tuple[str, str]]  # the channel's argument -> (SSE event, data)
    key: Callable[[str], Hashable | None] | None = None  # argument -> what its render depends on (None: unknown)


class Live:
    def __init__(self, hub: Hub, feeds: dict[str, Feed], loop: asyncio.AbstractEventLoop):
        self.hub, self.feeds, self.loop = hub, feeds, loop
        self._dirty: set[str] = set()  # feeds: every channel of each
        self._dirty_channels: set[str] = set()  # channels only
        self._sent: dict[str, tuple[str, str]] = {}  # channel -> what its pages were last published
        self._keys: dict[str, Hashable] = {}  # channel -> the key of that render
        self._scheduled = False  # a flush of everything after DELAY_S
        self._soon = False  # a flush of the named channels at the loop's next turn

    @staticmethod
    def channel(feed: str, argument: str) -> str:
        return f"{feed}:{argument}"

    def first(self, channel: str) -> bytes:
        """What a page opening this channel is sent before anything changes: the state now."""
        name, _, argument = channel.partition(":")
        self._sent.pop(channel, None)  # the new page has the state now: the next change goes to all
        self._keys.pop(channel, None)
        return frame(*self.feeds[name].render(argument))

    def changed(self, kind: str, channels: Iterable[str] | None = None) -> None:
        """A change of this kind, for every channel of the feeds that follow it, or for these only."""
        dirty = {name for name, feed in self.feeds.items() if kind in feed.follows}
        if not dirty:
            return
        if channels is None:
            self._dirty |= dirty
            if not self._scheduled:
                self._scheduled = True
                self.loop.call_later(DELAY_S, self.flush)
        else:
            self._dirty_channels.update(c for c in channels if c.partition(":")[0] in dirty)
            if not self._soon and self._dirty_channels:
                self._soon = True
                self.loop.call_soon(self.flush_channels)

    def flush_channels(self) -> None:
        """The named channels only (a flush of everything may have taken them meanwhile)."""
        self._soon = False
        channels, self._dirty_channels = self._dirty_channels, set()
        self._render([c for c in channels if self.hub.listeners(c)])

    def flush(self) -> None:
        self._scheduled = False
        dirty, self._dirty = self._dirty, set()
        channels, self._dirty_channels = self._dirty_channels, set()
        open_now = self.hub.channels()
        if len(self._sent) > len(open_now):
            self._sent = {channel: self._sent[channel] for channel in open_now if channel in self._sent}
            self._keys = {channel: self._keys[channel] for channel in open_now if channel in self._keys}
        self._render([c for c in open_now if c.partition(":")[0] in dirty or c in channels])

    def _render(self, channels: list[str]) -> None:
        for i, channel in enumerate(channels):
            if i == SLICE:  # the pages woken so far write their frames first (they are queued before this)
                self.loop.call_soon(self._render, channels[SLICE:])
                return
            name, _, argument = channel.partition(":")
            feed = self.feeds[name]
            try:
                key = feed.key(argument) if feed.key is not None else None
                if key is not None and self._keys.get(channel) == key:
                    continue
                event, data = feed.render(argument)
            except Exception:  # one feed's bug must not stop the others, nor the loop
                log.exception("live feed %s could not render %s", name, channel)
                continue
            if key is not None:
                self._keys[channel] = key
            if self._sent.get(channel) == (event, data):
                continue
            self._sent[channel] = (event, data)
            self.hub.publish(channel, event, data)

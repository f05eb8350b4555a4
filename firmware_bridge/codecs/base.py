"""What every streaming parser shares: a buffer, the resync loop and the counters.

Serial lines deliver bytes in any chunking, start mid-frame after a replug and
pick up noise on long RS-485 runs. Each protocol only says what one candidate
frame at the head of the buffer is (`scan`); this loop does the rest the same
way for all of them: bytes before a start marker are garbage, a candidate
that fails its checks costs one byte and the search goes on from the next, so
one broken frame never swallows the good frame behind it.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

# scan() results: (bytes consumed, message or None, problem or None); consumed 0 = need more bytes
Scan = tuple[int, Any, str | None]
NEED_MORE: Scan = (0, None, None)


def sync_at(buf: bytes | bytearray, sync: bytes) -> int:
    """Index where `sync` starts in `buf`, or could start if more bytes come; len(buf) if nowhere."""
    start = 0
    while True:
        index = buf.find(sync[:1], start)
        if index < 0:
            return len(buf)
        if sync.startswith(bytes(buf[index:index + len(sync)])):
            return index
        start = index + 1


class StreamParser:
    """Bytes in, whole messages out; subclasses implement `scan`."""

    max_buffer = 8192  # more than any frame of ours: a buffer this full is noise, not a frame

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.counts: Counter[str] = Counter()

    def scan(self, buf: bytearray) -> Scan:
        raise NotImplementedError

    def feed(self, data: bytes) -> list:
        self.buffer += data
        out = []
        while self.buffer:
            size, item, problem = self.scan(self.buffer)
            if size == 0:
                if len(self.buffer) > self.max_buffer:
                    self.counts["overflow"] += 1
                    self.counts["dropped_bytes"] += len(self.buffer)
                    self.buffer.clear()
                break
            del self.buffer[:size]
            if problem:
                self.counts[problem] += 1
                self.counts["dropped_bytes"] += size
            else:
                self.counts["frames"] += 1
                out.append(item)
        return out

    def flush(self) -> int:
        """Drop a partial frame left when the line went quiet (a truncated frame); returns its length."""
        size = len(self.buffer)
        if size:
            self.counts["truncated"] += 1
            self.counts["dropped_bytes"] += size
            self.buffer.clear()
        return size


def skip_garbage(buf: bytearray, sync: bytes) -> Scan | None:
    """The scan result for bytes before the next start marker, or None when `buf` starts with one."""
    index = sync_at(buf, sync)
    if index:
        return index, None, "garbage"
    if len(buf) < len(sync):
        return NEED_MORE
    return None


class FramedParser(StreamParser):
    """Frames shaped SYNC … LENGTH … DATA … CS [END], the shape of every binary protocol here.

    Subclasses give the start marker, how many bytes hold the header, the end
    marker (or None) and two small functions: the frame's whole size from its
    header (None when the header is impossible), and the message with the
    checksum it must carry (the checksum byte is the last, or the one before END).
    """

    sync: bytes = b""
    header: int = 0
    end: int | None = None

    def total(self, buf: bytearray) -> int | None:
        raise NotImplementedError

    def build(self, frame: bytes) -> tuple[Any, int]:
        raise NotImplementedError

    def scan(self, buf: bytearray) -> Scan:
        skipped = skip_garbage(buf, self.sync)
        if skipped is not None:
            return skipped
        if len(buf) < self.header:
            return NEED_MORE
        total = self.total(buf)
        if total is None:
            return 1, None, "bad_header"
        if len(buf) < total:
            return NEED_MORE
        frame = bytes(buf[:total])
        if self.end is not None and frame[-1] != self.end:
            return 1, None, "bad_end"
        item, expected = self.build(frame)
        if frame[-2 if self.end is not None else -1] != expected:
            return 1, None, "bad_checksum"
        return total, item, None

#!/usr/bin/env python3
"""bench/web.py's phones: the open ticket pages and the page GETs, as their own process on one epoll.

Why a process of its own, and why bare sockets: the phones share the two cores with the server
they measure. The first bench/web.py read 2,000 event streams with asyncio's streams (a task and a
StreamReader each, woken per frame) in the process that also drove the hall's MQTT clients, so a
frame could wait for the client itself. Here one epoll loop reads every socket, and a frame's time
is when the `epoll_wait` that reported its socket returned: the bytes were there by then (an upper
bound on their arrival, taken before this process spends anything on the batch). Its CPU is
reported beside the server's (`pages_client` in the figures).

Driven by bench/web.py over stdin/stdout, one JSON object a line:
- `{"op": "open", "port": P, "pages": [[path, lang, place], ...]}`: open every page's stream (100
  at a time), answer when each has its first frame.
- `{"op": "quiet"}`: answer once no page has had a frame for 0.4 s.
- `{"op": "arm", "called": c}`: the next round calls the ticket at place c: the pages at or
  behind it wait for a frame (answered at once: `ready`); then `{"op": "go", "t0": t}` (the time
  just before `call_next` was sent) and the answer is each waiting page's first frame - t0, once
  all have one or after 10 s.
- `{"op": "gets", "port": P, "paths": [...], "rate": r, "keepalive": bool}`: GET each path open loop
  at `rate` a second (a request starts when it is due, whatever the others do), each on a new
  connection, or with `keepalive` on an idle one of a pool (as a proxy keeps its upstream ones);
  the answer is each request's (path index, seconds from due to the last byte, status).
"""
from __future__ import annotations

import errno
import json
import select
import socket
import sys
import time

EVENT = b"event: "
READ = select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLHUP | select.EPOLLERR


class Page:
    __slots__ = ("sock", "place", "head", "frames", "tail", "waiting", "arrived")

    def __init__(self, sock: socket.socket, place: int):
        self.sock, self.place = sock, place
        self.head = b""  # the response head, until it has come
        self.frames, self.tail = 0, b""
        self.waiting, self.arrived = False, None


class Pages:
    def __init__(self):
        self.poll = select.epoll()
        self.pages: dict[int, Page] = {}
        self.waiting = 0
        self.unopened = 0  # pages opened that have not had their first frame

    def open(self, port: int, pages: list, at_once: int = 100) -> float:
        """Open every page's stream, `at_once` waiting for their first frame at a time."""
        started = time.monotonic()
        todo = list(reversed(pages))
        while todo or self.unopened:
            while todo and self.unopened < at_once:
                path, lang, place = todo.pop()
                sock = socket.create_connection(("127.0.0.1", port))
                sock.setblocking(False)
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                             f"Cookie: qms_lang={lang}\r\n\r\n".encode())
                self.pages[sock.fileno()] = Page(sock, place)
                self.poll.register(sock.fileno(), READ)
                self.unopened += 1
            self.read(1.0)
        return time.monotonic() - started

    def read(self, timeout: float) -> list[tuple[Page, float]]:
        """One epoll_wait: the pages that got frames, with its time."""
        events = self.poll.poll(timeout)
        now = time.monotonic()
        got = []
        for fd, _ in events:
            page = self.pages.get(fd)
            if page is None:
                continue
            try:
                data = page.sock.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                raise RuntimeError("a page's stream ended")
            if page.head is not None:
                page.head += data
                end = page.head.find(b"\r\n\r\n")
                if end < 0:
                    continue
                if b" 200 " not in page.head.split(b"\r\n", 1)[0]:
                    raise RuntimeError(f"a page was refused: {page.head[:80]!r}")
                data, page.head = page.head[end + 4:], None
            seen = page.tail + data
            new = seen.count(EVENT) - page.tail.count(EVENT)
            page.tail = seen[-16:]
            if new:
                first = page.frames == 0
                page.frames += new
                self.unopened -= first
                if not first or new > 1:
                    got.append((page, now))
        return got

    def frames(self) -> int:
        return sum(p.frames for p in self.pages.values())

    def quiet(self, for_s: float = 0.4, limit_s: float = 10.0) -> None:
        deadline = time.monotonic() + limit_s
        last = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < for_s:
            if self.read(for_s / 4):
                last = time.monotonic()

    def arm(self, called: int) -> None:
        self.waiting = 0
        for page in self.pages.values():
            page.arrived = None
            page.waiting = page.place >= called
            self.waiting += page.waiting
        self.read(0)  # anything already there is not this round's

    def round(self, t0: float, limit_s: float = 10.0) -> tuple[list[float], int]:
        deadline = time.monotonic() + limit_s
        left = self.waiting
        while left and time.monotonic() < deadline:
            for page, at in self.read(0.5):
                if page.waiting and page.arrived is None:
                    page.arrived = at
                    left -= 1
        got = [p.arrived - t0 for p in self.pages.values() if p.waiting and p.arrived is not None]
        return got, self.waiting - len(got)


# --- page GETs at a rate ----------------------------------------------------------------------------


class Get:
    __slots__ = ("index", "due", "sock", "data", "pooled")

    def __init__(self, index: int, due: float, sock: socket.socket, pooled: bool):
        self.index, self.due, self.sock, self.data, self.pooled = index, due, sock, b"", pooled


def complete(data: bytes) -> int | None:
    """The status once the whole response is in (by its Content-Length), else None."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = data[:end].lower()
    at = head.find(b"content-length:")
    if at < 0:
        return None
    length = int(head[at + 15:].split(b"\r\n", 1)[0])
    return int(data[9:12]) if len(data) >= end + 4 + length else None


def gets(port: int, paths: list[str], rate: float, keepalive: bool) -> list[tuple[int, float, int]]:
    poll = select.epoll()
    start = time.monotonic() + 0.1
    busy: dict[int, Get] = {}
    idle: list[socket.socket] = []
    done: list[tuple[int, float, int]] = []
    extra = b"" if keepalive else b"Connection: close\r\n"
    requests = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + extra + b"\r\n" for p in paths]
    i = 0
    while i < len(paths) or busy:
        now = time.monotonic()
        while i < len(paths) and start + i / rate <= now:
            pooled = keepalive and bool(idle)
            if pooled:
                sock = idle.pop()
            else:
                sock = socket.socket()
                sock.setblocking(False)
                try:
                    sock.connect(("127.0.0.1", port))
                except BlockingIOError:
                    pass
            get = Get(i, start + i / rate, sock, pooled)
            busy[sock.fileno()] = get
            poll.register(sock.fileno(), select.EPOLLOUT)
            i += 1
        wait = max(0.0, start + i / rate - time.monotonic()) if i < len(paths) else 1.0
        for fd, mask in poll.poll(wait):
            get = busy[fd]
            if mask & select.EPOLLOUT:
                try:
                    get.sock.send(requests[get.index])
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EINPROGRESS):
                        continue
                    raise
                poll.modify(fd, READ)
                continue
            data = get.sock.recv(262144)
            get.data += data
            status = complete(get.data) if data else int(get.data[9:12] or 0)
            if status is None:
                continue
            done.append((get.index, time.monotonic() - get.due, status))
            del busy[fd]
            poll.unregister(fd)
            if keepalive and data:
                idle.append(get.sock)
            else:
                get.sock.close()
    for sock in idle:
        sock.close()
    return done


def main() -> int:
    pages = Pages()
    out = sys.stdout
    for line in sys.stdin:
        order = json.loads(line)
        op = order["op"]
        if op == "open":
            answer = {"opened_s": pages.open(order["port"], order["pages"])}
        elif op == "quiet":
            pages.quiet()
            answer = {"frames": pages.frames()}
        elif op == "arm":
            pages.arm(order["called"])
            answer = {"ready": True}
        elif op == "go":
            got, missing = pages.round(order["t0"])
            answer = {"latencies": got, "missing": missing}
        elif op == "gets":
            answer = {"done": gets(order["port"], order["paths"], order["rate"], order["keepalive"])}
        else:
            answer = {"error": op}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

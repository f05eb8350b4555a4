"""Rendering: one Jinja2 environment for the web process, and a page's response with its frame.

Templates are HTML with places for values (autoescaped; a value a presenter forgot is an error,
not an empty string). Templates are read once (`auto_reload` off: no stat of the file per render,
a third of a live fragment's render time; a deploy restarts the process). Route handlers stay
thin: read the request's few inputs, call the page's presenter, hand its dict to `Pages.page`.

A live fragment sent to thousands of pages at once (a ticket's part, re-rendered for every page of a
queue that moved) goes through a `Mould` instead: Jinja's render costs ~80 µs a page, most of it
context and attribute lookups; the mould is the same template rendered once per shape with markers
for its values, so a page costs a join of escaped values — the same bytes (it checks itself against
Jinja on every new shape and hands the template back to Jinja for good if they ever differ).
"""
from __future__ import annotations

from pathlib import Path

import logging
import re
from collections.abc import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from contract.bilingual import Bi

from . import words as w
from .presenters.frame import Prefs, frame

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
MOULDED = ("ticket_now.html",)  # templates that only print their values or test them for truth

log = logging.getLogger(__name__)
MARK = re.compile("\x00(\\d+)\x00")


MARKS = [f"\x00{i}\x00" for i in range(256)]


def _walk(value, values: list, shape: list) -> None:
    """Every truthy scalar of the context into `values`, in order; into `shape` what the template's
    branches and loops can see: each dict's keys, each list's length, each falsy value itself."""
    kind = type(value)
    if kind is dict:
        shape.append(tuple(value))
        for item in value.values():
            _walk(item, values, shape)
    elif kind is list or kind is tuple:
        shape.append(len(value))
        for item in value:
            _walk(item, values, shape)
    elif value:
        values.append(value)
    else:
        shape.append((len(values), kind, value))


def _marked(value, count: list):
    """The context with its truthy scalars replaced by markers of their places, in `_walk`'s order."""
    kind = type(value)
    if kind is dict:
        return {key: _marked(item, count) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_marked(item, count) for item in value]
    if not value:
        return value
    count[0] += 1
    n = count[0] - 1
    return MARKS[n] if n < len(MARKS) else f"\x00{n}\x00"


class Mould:
    """A template that only prints its values (autoescaped) and tests them for truth, rendered once
    per shape of its context into literal parts and the places of the values (see the module)."""

    def __init__(self, render: Callable[..., str]):
        self.jinja = render
        self.casts: dict[tuple, tuple[str, list[tuple[int, str]]]] = {}
        self.broken = False

    def render(self, **context) -> str:
        if self.broken:
            return self.jinja(**context)
        values, shape = [], []
        _walk(context, values, shape)
        shape = tuple(shape)
        cast = self.casts.get(shape)
        if cast is None:
            parts = MARK.split(self.jinja(**_marked(context, [0])))
            cast = (parts[0], [(int(parts[i]), parts[i + 1]) for i in range(1, len(parts), 2)])
            fresh = self.jinja(**context)
            if self._fill(cast, values) != fresh:
                log.warning("a moulded template prints something other than its values; rendered by Jinja from now on")
                self.broken = True
                return fresh
            self.casts[shape] = cast
        return self._fill(cast, values)

    @staticmethod
    def _fill(cast: tuple[str, list[tuple[int, str]]], values: list) -> str:
        first, rest = cast
        out = [first]
        for index, literal in rest:
            out.append(escape(values[index]))
            out.append(literal)
        return "".join(out)


class Pages:
    def __init__(self, site):
        self.site = site
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               auto_reload=False)
        self.moulds = {name: Mould(self.env.get_template(name).render) for name in MOULDED}

    def render(self, name: str, **context) -> str:
        mould = self.moulds.get(name)
        if mould is not None:
            return mould.render(**context)
        return self.env.get_template(name).render(**context)

    def page(self, request: Request, name: str, title: Bi, status: int = 200, **context) -> HTMLResponse:
        prefs = Prefs.of(request.cookies)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        around = frame(self.site.mirror, prefs, title=title, path=path, csrf=request.state.csrf,
                       online=self.site.link.online)
        return HTMLResponse(self.render(name, frame=around, **context), status_code=status,
                            headers={"Cache-Control": "no-cache"})

    def refusal(self, status: int, text: Bi) -> str:
        """The page of a refused request (rate limit, CSRF, too large, not found): both languages."""
        return self.render("error.html", status=status, zh=text.zh, en=text.en, home_zh=w.HOME.zh, home_en=w.HOME.en)

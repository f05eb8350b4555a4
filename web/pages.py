"""Rendering: one Jinja2 environment for the web process, and a page's response with its frame.

Templates are HTML with places for values (autoescaped; a value a presenter forgot is an error,
not an empty string). Templates are read once (`auto_reload` off: no stat of the file per render,
a third of a live fragment's render time; a deploy restarts the process). Route handlers stay
thin: read the request's few inputs, call the page's presenter, hand its dict to `Pages.page`.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from contract.bilingual import Bi

from . import words as w
from .presenters.frame import Prefs, frame

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


class Pages:
    def __init__(self, site):
        self.site = site
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               auto_reload=False)

    def render(self, name: str, **context) -> str:
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

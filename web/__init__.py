"""The hall's web tier: citizens' pages, the manager console and the integration API, in one process.

`main.py web` is an MQTT device like the kiosks (web/link.py): it reads the hall from the one client
mirror and changes nothing itself — every change is a command to the controller. It serves up to
three listeners, each its own ASGI app with its own routes and security (web/apps.py): public
(web/public.py), console (web/console.py), api (web/api.py); `docs/web.md` says how they are
deployed and how to add a page.

Why FastAPI (on Starlette, served by uvicorn): the most used and best kept of the Python ASGI
frameworks, on the pydantic the contract already uses; the integration API gets its OpenAPI
schema from the routes' own types; Starlette underneath gives plain ASGI middleware (the guard of
web/security.py wraps every listener, streams included), static files and streaming responses for
Server-Sent Events without extra packages. Pages are rendered on the server with Jinja2 from one
presenter per page (web/presenters/); live parts arrive as Server-Sent Events (web/hub.py) swapped
in by htmx's SSE extension, vendored from npm in web/static/vendor/ — no build step, and every page
works without JavaScript.
"""

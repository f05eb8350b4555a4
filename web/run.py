"""`main.py web`: the web process — its command line, its listeners on one event loop, and stopping.

Every listener is a uvicorn server on the same asyncio loop (one process: the hall mirror and the
live hub are shared, not copied per worker). uvicorn's own signal handling is per server and the
last one started would win, so this process handles SIGTERM and SIGINT itself and stops them all:
the live streams end first (their browsers reconnect to the next process), then the servers, then
the MQTT logins say goodbye.

The loop is uvloop's where it is installed (requirements.txt): a call fans out to thousands of open
pages, one socket write and one task wake-up each, and uvloop does both in C. HTTP stays on h11,
whose request-head limit (`h11_max_incomplete_event_size`) the public listener relies on; uvicorn's
httptools protocol has no such limit.

Start-up leaves some 270,000 objects (FastAPI, Jinja, the config) that live as long as the
process; a full collection of Python's garbage collector walked them all (~0.1 s on this box,
a stall every page and request would wait for), so they are frozen once the process is up.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
from pathlib import Path

from appkit.cli import Broker, broker_of
from config.loader import load
from config.schema import ConfigError
from config.web import check_listen, split_listen

from .accounts import ROLES
from .security import AccessLogFilter

log = logging.getLogger(__name__)

ENV = {"name": "QMS_WEB_NAME", "listen": "QMS_WEB_LISTEN", "console": "QMS_WEB_CONSOLE", "api": "QMS_WEB_API",
       "admin_password_file": "QMS_ADMIN_PASSWORD_FILE", "accounts": "QMS_WEB_ACCOUNTS", "api_keys": "QMS_WEB_API_KEYS"}
DEFAULT_ACCOUNTS = "console-accounts.json"
DEFAULT_API_KEYS = "api-keys.json"


def add_parser(sub, common) -> None:
    p = sub.add_parser("web", help="the web tier: citizens' pages, the manager console, the integration API",
                       description="Serve the hall's web listeners (docs/web.md). Listeners left out take "
                                   "web.listen / web.console / web.api of --config.")
    common(p)
    p.add_argument("--name", default=os.environ.get(ENV["name"], "W1"),
                   help="this web process's name: it logs in as web-NAME (and admin-NAME for the console "
                        "and the API) (env QMS_WEB_NAME; default W1)")
    p.add_argument("--listen", default=os.environ.get(ENV["listen"]), metavar="HOST:PORT",
                   help="the public listener (env QMS_WEB_LISTEN; default web.listen)")
    p.add_argument("--console", default=os.environ.get(ENV["console"]), metavar="HOST:PORT",
                   help="the manager console's listener, loopback or hall LAN only (env QMS_WEB_CONSOLE; "
                        "default web.console, none if unset)")
    p.add_argument("--api", default=os.environ.get(ENV["api"]), metavar="HOST:PORT",
                   help="the integration API's listener (env QMS_WEB_API; default web.api, none if unset)")
    p.add_argument("--admin-password-file", default=os.environ.get(ENV["admin_password_file"]),
                   help="file holding admin-NAME's MQTT password, for the console and the API "
                        "(env QMS_ADMIN_PASSWORD_FILE)")
    accounts_help = (f"the console's accounts file, 0600 (web/accounts.py; its audit is beside it) "
                     f"(env QMS_WEB_ACCOUNTS; default {DEFAULT_ACCOUNTS})")
    p.add_argument("--accounts", default=os.environ.get(ENV["accounts"], DEFAULT_ACCOUNTS), metavar="FILE",
                   help=accounts_help)
    keys_help = (f"the integration API's keys file, 0600 (web/apikeys.py) (env QMS_WEB_API_KEYS; "
                 f"default {DEFAULT_API_KEYS})")
    p.add_argument("--api-keys", default=os.environ.get(ENV["api_keys"], DEFAULT_API_KEYS), metavar="FILE",
                   help=keys_help)
    p.set_defaults(func=cmd_web)
    tools = p.add_subparsers(dest="tool", metavar="TOOL")
    k = tools.add_parser("add-key", help="make an integration API key for a business system (shown once)",
                         description="Make a key of the integration API (docs/integration.md) for one system, "
                                     "with its rights and the windows it may act on. The key is printed once; "
                                     "the file keeps only its hash.")
    k.add_argument("--api-keys", default=argparse.SUPPRESS, metavar="FILE", help=keys_help)
    k.add_argument("--rights", required=True, metavar="R,R", help="of: progress, outcome, evaluate, ratings")
    k.add_argument("--windows", default="", metavar="N,N", help="the windows of outcome, evaluate and ratings")
    k.add_argument("system", metavar="SYSTEM", help="the system's name in the ledger: 2-32 of a-z 0-9 _ . -")
    k.set_defaults(func=cmd_add_key)
    r = tools.add_parser("revoke-key", help="revoke an integration API key (at once, no restart)")
    r.add_argument("--api-keys", default=argparse.SUPPRESS, metavar="FILE", help=keys_help)
    r.add_argument("key_id", metavar="ID", help="the 8 hex digits after qms_ (see list-keys)")
    r.set_defaults(func=cmd_revoke_key)
    ls = tools.add_parser("list-keys", help="the integration API's keys: id, system, rights, windows, revoked")
    ls.add_argument("--api-keys", default=argparse.SUPPRESS, metavar="FILE", help=keys_help)
    ls.set_defaults(func=cmd_list_keys)
    u = tools.add_parser("add-user", help="make a console account (the first director on a new hall)",
                         description="Make a console account, or with --reset give one a new password and "
                                     "role (its sessions end). The password is read twice from the "
                                     "terminal, or once from standard input when it is not one.")
    u.add_argument("--accounts", default=argparse.SUPPRESS, metavar="FILE", help=accounts_help)
    u.add_argument("--role", required=True, choices=ROLES)
    u.add_argument("--windows", default="", metavar="N,N", help="a window lead's windows")
    u.add_argument("--reset", action="store_true", help="replace an existing account's password and role")
    u.add_argument("user", metavar="NAME", help="2-32 of a-z 0-9 _ . -, starting with a letter")
    u.set_defaults(func=cmd_add_user)


def cmd_add_user(args) -> int:
    """`main.py web add-user`: the first director is made so (later accounts on the director's
    console page, /console/accounts, or here)."""
    import getpass
    import sys

    from .accounts import Accounts

    if sys.stdin.isatty():
        password = getpass.getpass("password / 密码: ")
        if getpass.getpass("again / 再输一次: ") != password:
            raise SystemExit("the two passwords differ / 两次输入的密码不一致")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        windows = tuple(int(n) for n in args.windows.split(",") if n.strip())
        account = Accounts(args.accounts).add(args.user, args.role, password, windows, replace=args.reset)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    print(f"{account.name}: {account.role} in {args.accounts}")
    return 0


def cmd_add_key(args) -> int:
    from .apikeys import ApiKeys

    try:
        rights = tuple(r.strip() for r in args.rights.split(",") if r.strip())
        windows = tuple(int(n) for n in args.windows.split(",") if n.strip())
        key, text = ApiKeys(args.api_keys).add(args.system, rights, windows)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    print(f"{key.system} ({key.key_id}): {','.join(key.rights)} windows {','.join(map(str, key.windows)) or '-'}")
    print(text)
    return 0


def cmd_revoke_key(args) -> int:
    from .apikeys import ApiKeys

    try:
        key = ApiKeys(args.api_keys).revoke(args.key_id)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    print(f"{key.key_id} ({key.system}): revoked")
    return 0


def cmd_list_keys(args) -> int:
    from .apikeys import ApiKeys

    for key in ApiKeys(args.api_keys).all():
        state = "revoked" if key.revoked_at else "live"
        print(f"{key.key_id} {key.system} {','.join(key.rights)} windows={','.join(map(str, key.windows)) or '-'} {state}")
    return 0


def listeners_of(args, settings) -> dict[str, tuple[str, int]]:
    """listener name -> (host, port): the command line's, else the config's."""
    chosen = {"public": args.listen or settings.listen, "console": args.console or settings.console,
              "api": args.api or settings.api}
    found = {}
    for name, address in chosen.items():
        if not address:
            continue
        try:
            found[name] = split_listen(check_listen(address))
        except ValueError as exc:
            raise SystemExit(f"--{'listen' if name == 'public' else name}: {exc}") from None
    if len(set(found.values())) != len(found):
        raise SystemExit("two listeners on the same address: give each its own HOST:PORT")
    return found


def run_loop():
    """uvloop's run where it is installed, else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def cmd_web(args) -> int:
    try:
        config, _ = load(args.config)
    except (OSError, ConfigError) as exc:
        raise SystemExit(f"{args.config}: {exc}") from None
    broker = broker_of(args)
    listeners = listeners_of(args, config.web)
    admin = None
    if "console" in listeners or "api" in listeners:
        password = Path(args.admin_password_file).read_text(encoding="utf-8").strip() \
            if args.admin_password_file else None
        admin = Broker(broker.host, broker.port, password, broker.tls_ca)
    logging.getLogger("uvicorn.access").addFilter(AccessLogFilter())
    run_loop()(serve(config, args.name, broker, admin, listeners, args.accounts, args.api_keys))
    return 0


async def serve(config, name: str, broker: Broker, admin: Broker | None, listeners: dict[str, tuple[str, int]],
                accounts: str = DEFAULT_ACCOUNTS, api_keys: str = DEFAULT_API_KEYS):
    import uvicorn

    from .apps import Site, build
    from .link import WebLink

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):  # this process stops every server itself (see the docstring)
            yield

    loop = asyncio.get_running_loop()
    settings = config.web
    link = WebLink(config.hall, name, broker, loop, admin_broker=admin)
    site = Site(settings, link, loop)
    if "console" in listeners:
        from .desk import Desk

        site.desk = Desk(site, accounts)
        site.desk.start()
    if "api" in listeners:
        from .api import Integration

        limits = settings.rate_limits.api_key
        site.integration = Integration(api_keys, limits.per_s, limits.burst)
    servers = [Server(uvicorn.Config(
        build(site, listener), host=host, port=port, http="h11", lifespan="off", log_config=None, server_header=False,
        proxy_headers=True, forwarded_allow_ips=",".join(settings.trusted_proxies),
        h11_max_incomplete_event_size=16_384, timeout_graceful_shutdown=3, timeout_keep_alive=15))
        for listener, (host, port) in listeners.items()]
    link.start()
    gc.freeze()  # what start-up made lives as long as the process: later full collections skip it
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    for listener, (host, port) in listeners.items():
        log.info("web %s listener on %s:%s", listener, host, port)
    waiter = asyncio.create_task(stopping.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    site.hub.shutdown()
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    waiter.cancel()
    if site.desk is not None:
        site.desk.stop()
    link.stop()

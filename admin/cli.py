"""The admin command line: each subcommand is one contract action, sent as admin-<name>.

It prints the controller's reply — a table for the listings (stats, alerts,
follow-ups, appointments, cases, a case registered or moved on, the config's versions and the
differences of two) with times in the hall's time zone, JSON for the rest
or with `--json` anywhere on the line — and exits 1 when the controller refused,
with the reason. It logs in as `admin-ops` (the login docs/operations.md
creates), reading its password from /etc/qms/secrets/admin-ops.password
unless --password-file says otherwise. The command goes through the
one requester (contract/requester.py): sent again with the same id while it
waits, and when no reply comes in --timeout the id is printed, so the same
command can be sent again with `--request-id` — the controller then answers
it once, never applying it twice.
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path

import yaml

from appkit.cli import add_hall_option, connection
from config.loader import write_config
from contract.client import HallClient, RequestTimeout
from contract.privacy import hash_pin

from . import booking_cli, cases_cli, policies_cli, tables

SECRETS = os.environ.get("QMS_SECRETS_DIR", "/etc/qms/secrets")


def _load_data(text: str) -> dict:
    """JSON or YAML given inline or as a file path."""
    if os.path.exists(text):
        text = Path(text).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise SystemExit("expected a JSON/YAML mapping")
    return data


def _fields(args) -> tuple[str, dict]:
    if args.admin_command in ("config-get", "config-export"):
        return "config_get", {}
    if args.admin_command == "config-set":
        return "config_set", {"config": _load_data(args.file)}
    if args.admin_command == "config-patch":
        return "config_patch", {"patch": _load_data(args.patch)}
    if args.admin_command == "config-versions":
        return "config_versions", {"limit": args.limit}
    if args.admin_command == "config-diff":
        return "config_versions", {"limit": 1, "show": args.b, "against": args.a}
    if args.admin_command == "config-restore":
        return "config_restore", {"version": args.version, **(
            {"expect_version": args.expect_version} if args.expect_version else {})}
    if args.admin_command in ("stats", "report"):
        return args.admin_command, ({"date": args.date} if args.date else {})
    if args.admin_command == "followups":
        return "followups", {"status": args.status, "overdue": args.overdue}
    if args.admin_command == "appointments":
        return "appointments", {k: v for k, v in (("date", args.date), ("category", args.category),
                                                  ("item", args.item), ("status", args.status)) if v}
    if args.admin_command == "followup-update":
        return "followup_update", {"followup_id": args.followup_id, "status": args.status, "note": args.note,
                                   **({"verdict": args.verdict} if args.verdict else {})}
    if args.admin_command in policies_cli.FIELDS:
        return policies_cli.FIELDS[args.admin_command](args)
    if args.admin_command in cases_cli.FIELDS:
        return cases_cli.FIELDS[args.admin_command](args)
    if args.admin_command in booking_cli.FIELDS:
        return booking_cli.FIELDS[args.admin_command](args)
    if args.admin_command == "send":
        return args.action, (_load_data(args.fields) if args.fields else {})
    raise SystemExit(f"unknown admin command {args.admin_command}")


def _version(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 2**31:
        raise argparse.ArgumentTypeError("a config version is a whole number from 1")
    return int(text)


def _request_id(text: str) -> str:
    if not 0 < len(text) <= 64:
        raise argparse.ArgumentTypeError("a request id is 1-64 characters")
    return text


def print_stats(result: dict) -> None:
    print(f"{result['day']}")
    header = f"{'':12} {'issued':>7} {'served':>7} {'no-show':>8} {'waiting':>8} {'avg wait':>9} {'avg svc':>8}"
    print(header)

    def line(name, b):
        fmt = lambda v: "-" if v is None else f"{v / 60:.1f}m"  # noqa: E731
        print(f"{name:12} {b['issued']:>7} {b['served']:>7} {b['no_show']:>8} {b['waiting']:>8} "
              f"{fmt(b['avg_wait_s']):>9} {fmt(b['avg_service_s']):>8}")

    line("hall", result["hall"])
    for code, bucket in result["categories"].items():
        line(code, bucket)
    for number, bucket in result["windows"].items():
        line(f"window {number}", bucket)


def cmd_admin(args) -> int:
    if args.admin_command == "hash-pin":
        pin = args.pin or getpass.getpass("PIN: ")
        print(hash_pin(pin))
        return 0
    action, fields = (None, None) if args.admin_command in booking_cli.MULTI else _fields(args)
    device = f"admin-{args.name}"
    if not args.password_file:
        own = Path(SECRETS) / f"{device}.password"  # made by scripts/add-device.sh on the controller box
        if os.access(own, os.R_OK):
            args.password_file = str(own)
    hall, broker = connection(args)
    client = HallClient(device, hall, **broker.client_options())
    client.start(wait=None)
    deadline = time.monotonic() + args.timeout
    while not client.connected.wait(0.05) and client.refused is None and time.monotonic() < deadline:
        pass
    if not client.connected.is_set():
        refused = client.refused
        client.stop()
        if refused:
            print(f"login refused (not authorized): the broker at {broker.host}:{broker.port} turned down "
                  f"{device} ({refused}). Give its password with --password-file (or QMS_PASSWORD_FILE); "
                  f"on the controller box `sudo scripts/add-device.sh {device}` makes the login and "
                  f"{SECRETS}/{device}.password", file=sys.stderr)
        else:
            print(f"cannot reach the broker at {broker.host}:{broker.port}", file=sys.stderr)
        return 2
    try:
        if not client.wait_for_controller(args.timeout):
            print(f"the controller is not online (no heartbeat within {args.timeout} s); nothing was sent",
                  file=sys.stderr)
            return 2
        if action is None:
            return booking_cli.run(args, client)
        reply = client.request(action, fields, timeout=args.timeout, request_id=args.request_id)
        clock = None
        if reply.get("ok") and args.admin_command in tables.LISTINGS and not args.json:
            config = client.request("config_get", {}, timeout=args.timeout)
            clock = tables.Clock(((config.get("result") or {}).get("config") or {}).get("timezone", ""))
    except RequestTimeout as exc:
        print(f"no reply from the controller within {args.timeout} s: the command may still be carried out. "
              f"To send it again safely (done once, answered with its result): --request-id {exc.request_id}",
              file=sys.stderr)
        return 2
    finally:
        client.stop()
    if not reply.get("ok"):
        error = reply.get("error", {})
        print(f"refused ({error.get('code')}): {error.get('message')} / {error.get('message_zh')}", file=sys.stderr)
        return 1
    policies_cli.after_reply(args, reply["result"])
    if args.admin_command == "config-export":
        result = reply["result"]
        write_config(result["config"], args.out, f"live config version {result['version']} of hall {hall}")
    elif args.admin_command == "stats" and not args.json:
        print_stats(reply["result"])
    elif clock is not None:
        print(tables.LISTINGS[args.admin_command](reply["result"], clock))
    else:
        print(json.dumps(reply["result"], ensure_ascii=False, indent=2))
    return 0


def add_parser(sub, common) -> None:
    p = sub.add_parser("admin", help="configure, inspect and report over MQTT",
                       description="Send admin actions to the hall controller over MQTT.")
    common(p)
    add_hall_option(p)
    p.add_argument("--name", default=os.environ.get("QMS_ADMIN_NAME", "ops"),
                   help="admin device name: connects as admin-NAME (env QMS_ADMIN_NAME; default ops: admin-ops, "
                        "the login docs/operations.md creates; its password is read from "
                        f"{SECRETS}/admin-NAME.password when --password-file is not given)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the reply")
    p.add_argument("--request-id", metavar="ID", type=_request_id, help="send the command under this request id: the one a timeout "
                   "printed, to learn its result without doing it twice (1-64 characters)")
    json_help = "print the reply as JSON (for machines) instead of a table; anywhere on the line"
    p.add_argument("--json", action="store_true", help=json_help)
    a = p.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    a.add_parser("config-get", help="print the live config (with its version)")
    s = a.add_parser("config-export", help="write the live config (every change made over MQTT) as a YAML hall file",
                     description="Write the live config as a YAML hall file. A controller restarted on that "
                                 "file starts without a question: it says what the live config says.")
    s.add_argument("--out", metavar="FILE", help="the file to write, e.g. config/hall.yaml (default: standard output)")
    s = a.add_parser("config-set", help="replace the whole config from a YAML/JSON file")
    s.add_argument("file")
    s = a.add_parser("config-versions", help="the config's version history: when (hall time), by whom, what changed")
    s.add_argument("--limit", type=int, choices=range(1, 501), default=50, metavar="N",
                   help="the newest this many versions (1-500, default 50)")
    s = a.add_parser("config-diff", help="what differs between two config versions, setting by setting",
                     description="What changes from config version A to version B, setting by setting "
                                 "(PIN hashes never shown, staff names masked).")
    s.add_argument("a", type=_version, help="the version to compare from (e.g. the one now)")
    s.add_argument("b", type=_version, help="the version to compare with")
    s = a.add_parser("config-restore", help="make an earlier config version the config again, as a new version",
                     description="Make config version N the live config again, as a new version, checked as "
                                 "every change is. See first what it will change: config-diff NOW N.")
    s.add_argument("version", type=_version, help="the version to return to")
    s.add_argument("--expect-version", type=_version, metavar="NOW",
                   help="only if the live version is still NOW (as config-diff showed it): refused as a "
                        "conflict when someone changed the config since")
    s = a.add_parser("config-patch", help="change part of the config (JSON merge patch, inline or file)",
                     description="Change part of the live config with a JSON merge patch (RFC 7386): "
                                 "maps merge, null deletes a key, lists are replaced whole.")
    s.add_argument("patch", help='e.g. \'{"categories": {"tax": {"daily_cap": 300}}}\'')
    for name, text in (("stats", "today's (or a day's) figures"), ("report", "a day's figures and ledger counts")):
        s = a.add_parser(name, help=text)
        s.add_argument("--date", help="YYYY-MM-DD (default: today's service day)")
    s = a.add_parser("followups", help="差评 follow-ups (回访), with their deadlines")
    s.add_argument("--status", help="open / visited / rectifying / explaining / appealing / closed")
    s.add_argument("--overdue", action="store_true", help="only those past their deadline")
    s = a.add_parser("appointments", help="预约 bookings of a day (default today), by slot, and the blacklist")
    s.add_argument("--date", help="YYYY-MM-DD (default: today's service day)")
    s.add_argument("--category")
    s.add_argument("--item")
    s.add_argument("--status", choices=["booked", "checked_in", "cancelled", "no_show"])
    s = a.add_parser("followup-update", help="move a 差评 follow-up on: 回访 → 整改/解释说明/申诉 → closed")
    s.add_argument("followup_id")
    s.add_argument("status", help="visited / rectifying / explaining / appealing / closed")
    s.add_argument("note", help="what was done (recorded in the follow-up's history)")
    s.add_argument("--verdict", choices=["satisfied", "unsatisfied"], help="the citizen's verdict, when closing")
    policies_cli.add_parsers(a)
    booking_cli.add_parsers(a)
    cases_cli.add_parsers(a)
    s = a.add_parser("hash-pin", help="print the pin_hash of a staff PIN for the config file (offline)")
    s.add_argument("--pin", help="the PIN (asked for when omitted)")
    s = a.add_parser("send", help="send any contract action (troubleshooting)")
    s.add_argument("action")
    s.add_argument("fields", nargs="?", help="JSON/YAML object of fields")
    for sub in a.choices.values():  # `admin alerts --json` as well as `admin --json alerts`
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=json_help)
    p.set_defaults(func=cmd_admin)


__all__ = ["add_parser"]

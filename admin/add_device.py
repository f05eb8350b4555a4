"""`qms add-device DEVICE ...`: one command that puts a device into the hall, end to end.

Run on the controller box (as root). In order, each step only when needed:

1. its broker login — `scripts/add-device.sh` (username = device id, a fresh password in
   /etc/qms/secrets/DEVICE.password; kept when it already exists, unless --new-password);
2. its ACL — the hall ACL's patterns already bind every login to its own topics; a kiosk also gets
   the printer and ID card reader it uses on a bridge (`scripts/pair-kiosk.sh`, --printer/--id-reader);
3. its config entry — a window (`window-N`) the hall does not have yet gets `windows.N` over MQTT
   (`config_patch` as admin-ops: --name-zh/--name-en, --primary, --secondary); a window screen or
   evaluator needs its window to exist already;
4. the broker reloaded (`systemctl reload qms-broker`, or QMS_BROKER_RELOAD) so the login and the
   ACL apply.

It prints what the device's box needs next (its password file, the unit to enable). The shell
scripts stay the one way to write logins and ACL lines; this only strings them together.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRETS = os.environ.get("QMS_SECRETS_DIR", "/etc/qms/secrets")
ROLES = ("controller", "admin", "kiosk", "evaluator", "window", "display", "voice", "bridge", "web")
UNITS = {"kiosk": "qms-kiosk (QMS_KIOSK_NAME={rest})", "evaluator": "qms-evaluator@{rest}",
         "window": "qms-caller@{rest}", "voice": "qms-voice", "bridge": "qms-bridge", "web": "qms-web",
         "controller": "qms-controller", "admin": "(none: ./qms admin --name {rest})"}


def role_of(device: str) -> tuple[str, str]:
    """(role, the rest of the id): window-13 -> ("window", "13"); SystemExit for an id no role takes."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", device):
        raise SystemExit(f"add-device: {device!r} is not a device id (letters, digits, - and _; up to 64)")
    role, _, rest = device.partition("-")
    if device == "controller":
        return "controller", ""
    if role not in ROLES or not rest:
        raise SystemExit(f"add-device: {device!r} names no role: use kiosk-NAME, window-N, evaluator-N, "
                         "display-hall, display-windowN, voice-NAME, bridge-NAME, web-NAME or admin-NAME")
    if role in ("window", "evaluator") and not rest.isdigit():
        raise SystemExit(f"add-device: {device}: a {role} is named by its window number ({role}-3)")
    return role, rest


def window_of(role: str, rest: str) -> int | None:
    if role in ("window", "evaluator"):
        return int(rest)
    match = re.fullmatch(r"window(\d+)", rest) if role == "display" else None
    return int(match.group(1)) if match else None


def step(what: str, command: list[str]) -> None:
    print(f"· {what}: {' '.join(shlex.quote(c) for c in command)}", file=sys.stderr)
    result = subprocess.run(command, text=True, capture_output=True)
    if result.returncode != 0:
        raise SystemExit(f"add-device: {what} failed: {result.stderr.strip() or result.stdout.strip()}")


def ensure_window(args, number: int, creates: bool) -> None:
    """The window in the live config: added (a new window) or checked (a screen at an existing one)."""
    from appkit.cli import connection
    from contract.client import HallClient

    device = f"admin-{args.admin_name}"
    if not args.password_file:
        own = Path(SECRETS) / f"{device}.password"
        if os.access(own, os.R_OK):
            args.password_file = str(own)
    hall, broker = connection(args)
    client = HallClient(device, hall, **broker.client_options())
    if not client.start(wait=args.timeout) or not client.wait_for_controller(args.timeout):
        client.stop()
        raise SystemExit(f"add-device: the controller is not reachable as {device} "
                         f"({'login refused (not authorized)' if client.refused else 'no answer'}): "
                         "the login is made; add the window with ./qms admin config-patch")
    try:
        live = client.request("config_get", {}, timeout=args.timeout)["result"]["config"]
        if str(number) in {str(n) for n in live["windows"]}:
            print(f"· window {number} is in the config already", file=sys.stderr)
            return
        if not creates:
            raise SystemExit(f"add-device: the hall has no window {number}: add window-{number} first")
        if not args.primary:
            raise SystemExit(f"add-device: window {number} is new: give --primary CATEGORY (and --name-zh, --name-en)")
        entry = {"name": {"zh": args.name_zh or f"{number}号窗口", "en": args.name_en or f"Window {number}"},
                 "primary": args.primary, "secondary": args.secondary or []}
        reply = client.request("config_patch", {"patch": {"windows": {str(number): entry}}}, timeout=args.timeout)
    finally:
        client.stop()
    if not reply.get("ok"):
        error = reply.get("error") or {}
        raise SystemExit(f"add-device: window {number} refused: {error.get('message')} / {error.get('message_zh')}")
    print(f"· window {number} added to the live config (version {reply['result']['version']})", file=sys.stderr)


def cmd_add_device(args) -> int:
    role, rest = role_of(args.device)
    if (args.printer or args.id_reader) and role != "kiosk":
        raise SystemExit("add-device: --printer and --id-reader are for a kiosk")
    secret = Path(SECRETS) / f"{args.device}.password"
    if args.new_password or not secret.exists():
        step("broker login", [str(ROOT / "scripts" / "add-device.sh"), args.device])
    else:
        print(f"· broker login: kept ({secret} exists; --new-password makes a new one)", file=sys.stderr)
    if role == "kiosk" and (args.printer or args.id_reader):
        pairing = [part for p in args.printer for part in ("--printer", p)]
        pairing += [part for r in args.id_reader for part in ("--id-reader", r)]
        step("ACL: its printer and ID card reader", [str(ROOT / "scripts" / "pair-kiosk.sh"), args.device, *pairing])
    reload = shlex.split(os.environ.get("QMS_BROKER_RELOAD", "systemctl reload qms-broker"))
    if not args.no_reload:
        step("broker reloaded", reload)
    number = window_of(role, rest)
    if number is not None and not args.no_config:
        ensure_window(args, number, creates=role == "window")
    unit = UNITS.get(role, "qms-display-window@{n}" if number else "qms-display-hall").format(rest=rest, n=number)
    print(f"{args.device} added. On its box: copy {secret} to /etc/qms/secrets/ (chmod 600) and enable {unit}.")
    return 0


def add_parser(sub, common) -> None:
    p = sub.add_parser("add-device", help="add a device end to end: broker login, ACL, config entry, reload",
                       description=__doc__.split("\n\n")[1] if __doc__ else None)
    common(p)
    from appkit.cli import add_hall_option

    add_hall_option(p)
    p.add_argument("device", help="its device id: kiosk-K2, window-13, evaluator-13, display-window13, voice-hall, "
                                  "bridge-floor2, web-public, admin-NAME")
    p.add_argument("--name-zh", help="a new window's name (default N号窗口)")
    p.add_argument("--name-en", help="a new window's English name (default Window N)")
    p.add_argument("--primary", nargs="+", metavar="CATEGORY", help="a new window's primary categories")
    p.add_argument("--secondary", nargs="+", metavar="CATEGORY", help="a new window's secondary categories")
    p.add_argument("--printer", action="append", default=[], metavar="BRIDGE/PRINTER",
                   help="a kiosk's printer on a bridge (its ACL lines)")
    p.add_argument("--id-reader", action="append", default=[], metavar="BRIDGE/READER",
                   help="a kiosk's ID card reader on a bridge (its ACL lines)")
    p.add_argument("--new-password", action="store_true", help="make a new password even if it has one")
    p.add_argument("--no-reload", action="store_true", help="do not reload the broker")
    p.add_argument("--no-config", action="store_true", help="leave the config alone")
    p.add_argument("--admin-name", default="ops", help="the admin login that patches the config (admin-ops)")
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(func=cmd_add_device)

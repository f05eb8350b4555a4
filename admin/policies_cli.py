"""Admin subcommands of tidal windows, supervision and the daily report (added to `main.py admin`)."""
from __future__ import annotations

import sys


def _on_off(text: str) -> bool:
    if text not in ("on", "off"):
        raise SystemExit(f"expected on or off, not {text!r}")
    return text == "on"


FIELDS = {
    "alerts": lambda a: ("alerts", {"status": a.status, **({"date": a.date} if a.date else {})}),
    "alert-ack": lambda a: ("alert_ack", {"alert_id": a.alert_id, "note": a.note}),
    "tidal-switch": lambda a: ("tidal_switch", {"target_window": a.window, "category": a.category,
                                                "pin": not a.no_pin}),
    "tidal-pin": lambda a: ("tidal_pin", {"target_window": a.window, "pinned": _on_off(a.state)}),
    "tidal-policy": lambda a: ("tidal_policy", {"enabled": _on_off(a.state),
                                                **({"category": a.category} if a.category else {})}),
}


def add_parsers(a) -> None:
    s = a.add_parser("alerts", help="电子监察 alerts (open by default)")
    s.add_argument("--status", default="open", choices=["open", "closed", "all"])
    s.add_argument("--date", help="YYYY-MM-DD: only alerts opened that service day")
    s = a.add_parser("alert-ack", help="acknowledge an alert with a note (it closes when its cause is gone)")
    s.add_argument("alert_id", type=int)
    s.add_argument("note")
    s = a.add_parser("tidal-switch", help="switch a window by hand to a category (pinned), or back to its own")
    s.add_argument("window", type=int)
    s.add_argument("category", nargs="?", help="the category to serve first; leave out to send it back")
    s.add_argument("--no-pin", action="store_true", help="let the tidal policy take it back later")
    s = a.add_parser("tidal-pin", help="pin a window as it is (on) so the tidal policy leaves it, or release it")
    s.add_argument("window", type=int)
    s.add_argument("state", help="on / off")
    s = a.add_parser("tidal-policy", help="turn the tidal policy on or off (for the hall or one category)")
    s.add_argument("state", help="on / off")
    s.add_argument("--category")
    a.choices["report"].add_argument(
        "--out", help="write the report as JSON, CSV and an HTML page with charts into this folder")


def after_reply(args, result: dict) -> None:
    """`admin report --out DIR`: the day's report as files, from the reply's `daily` part."""
    if getattr(args, "out", None) and args.admin_command == "report":
        from reports.files import write_report

        files = write_report(result["daily"], args.out)
        print("written: " + ", ".join(str(path) for path in files.values()), file=sys.stderr)

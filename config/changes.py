"""What changed between two hall configs, in lines a hall director reads: the console's version
history shows them, and each admin change records a short summary of them in its ledger event.

Pure: two configs as JSON data in (as `config.loader.as_json` gives them, or as stored), lines
out. A PIN hash is never shown, only that it changed (nor an address or header that may carry a token): the history is read by supervisors too; a
member of staff's name is shown masked (`masked`), by the console and the command line alike.
"""
from __future__ import annotations

import json
from typing import Any

from contract.privacy import mask_name

HIDDEN = "pin_hash"
# the platform's and the SMS gateway's addresses and headers, which may carry a token: hidden the same way
SECRETS = ("rating_reports.url", "rating_reports.headers", "appointments.notify.url")
SUMMARY_LINES = 12  # a config_changed event names at most this many changed entries


def changes(old: Any, new: Any, path: str = "") -> list[dict]:
    """Each difference as {"path", "kind" (added, removed, changed), "before", "after"}: maps are
    followed key by key, so a changed category says which of its settings; a whole entry added or
    removed is one line; lists are compared whole (a list of steps, of spans)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[dict] = []
        keys = list(old) + [k for k in new if k not in old]
        for key in keys:
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append(line(where, "removed", old[key], None))
            elif key not in old:
                out.append(line(where, "added", None, new[key]))
            elif old[key] != new[key]:
                out += changes(old[key], new[key], where)
        return out
    return [] if old == new else [line(path, "changed", old, new)]


def line(path: str, kind: str, before: Any, after: Any) -> dict:
    return {"path": path, "kind": kind, "before": hidden(path, before), "after": hidden(path, after)}


def hidden(path: str, value: Any) -> Any:
    """The value with every PIN hash and secret in it replaced by a mark that says only that there is one."""
    secret = any(path == s or path.startswith(s + ".") for s in SECRETS)
    if (path.rsplit(".", 1)[-1] == HIDDEN or secret) and value is not None:
        return "******"
    if isinstance(value, dict):
        return {k: hidden(f"{path}.{k}", v) for k, v in value.items()}
    return value


def summary(found: list[dict]) -> list[dict]:
    """The entries a change touched, for its ledger event: a category, an item, a window, a member
    of staff, or a top-level setting — each once, with whether it was added, removed or changed."""
    out: dict[str, str] = {}
    for change in found:
        parts = change["path"].split(".")
        entry = ".".join(parts[:2]) if parts[0] in ENTRY_SECTIONS and len(parts) > 1 else parts[0]
        kind = change["kind"] if entry == change["path"] else "changed"
        out.setdefault(entry, kind)
    return [{"path": path, "kind": kind} for path, kind in list(out.items())[:SUMMARY_LINES]]


ENTRY_SECTIONS = ("categories", "items", "windows", "staff")


def masked(path: str, value):
    """A member of staff's name masked as every screen shows it (张*丰), in a line of the history."""
    parts = path.split(".")
    if parts[0] != "staff" or value is None:
        return value
    if len(parts) == 3 and parts[2] == "name" and isinstance(value, str):
        return mask_name(value)
    if len(parts) == 2 and isinstance(value, dict) and isinstance(value.get("name"), str):
        return {**value, "name": mask_name(value["name"])}
    if len(parts) == 1 and isinstance(value, dict):
        return {k: masked(f"staff.{k}", v) for k, v in value.items()}
    return value


def short(value) -> str:
    """A value of one line of the differences as a line of text, long ones cut (a guide's text)."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"

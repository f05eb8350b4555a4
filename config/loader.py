"""Reading the hall config file and changing a config by JSON merge patch."""
from __future__ import annotations

import copy
import hashlib
import sys
from pathlib import Path
from typing import Any

import yaml

from .schema import ConfigError, HallConfig, validate


def load_file(path: str | Path) -> tuple[dict[str, Any], str]:
    """The raw config mapping of a YAML file and the sha256 of its bytes."""
    data = Path(path).read_bytes()
    try:
        raw = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise ConfigError("(file)", f"{path} is not valid YAML: {exc}") from None
    return raw, hashlib.sha256(data).hexdigest()


def load(path: str | Path) -> tuple[HallConfig, str]:
    raw, digest = load_file(path)
    return validate(raw), digest


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: maps merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        key = str(key)
        existing = {str(k): k for k in result}
        if value is None:
            result.pop(existing.get(key, key), None)
        else:
            real_key = existing.get(key, key)
            result[real_key] = merge_patch(result.get(real_key), value)
    return result


def as_json(config: HallConfig) -> dict[str, Any]:
    """The whole config as JSON-ready data (admins only: it holds PIN hashes)."""
    return config.model_dump(mode="json", exclude_defaults=False)


def public(config: HallConfig) -> dict[str, Any]:
    """What every device may see (state/config): no staff, no PINs, no PIN lock-out rules, nothing of
    where ratings are reported or booking notices go (their addresses may carry a token); of `web`
    only the address citizens use (the ticket's QR code), not where the web process listens."""
    data = as_json(config)
    data.pop("staff", None)
    data.pop("limits", None)
    data.pop("pin_lock", None)
    data["web"] = {"public_url": config.web.public_url}
    data.pop("rating_reports", None)
    data["appointments"].pop("notify", None)  # the SMS gateway's address is the controller's business
    return data


def config_yaml(config: dict[str, Any], what: str) -> str:
    """A config as the text of a YAML hall file, headed by what it is (the console's export too)."""
    return f"# {what}, exported: the original file's comments are not kept\n" + yaml.safe_dump(
        config, allow_unicode=True, sort_keys=False)


def write_config(config: dict[str, Any], out: str | Path | None, what: str) -> None:
    """A config (as `as_json` gives it) as a YAML hall file, to `out` or standard output
    (`config-export`: the live config, admin changes included, back into a file)."""
    text = config_yaml(config, what)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        print(f"{what} written to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)

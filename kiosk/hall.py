"""The hall as a kiosk sees it: the retained state/config, state/queues and state/window/<n>.

Retained state is the only source: an admin change to the config or a new
queue length arrives as a new retained message, and every screen reads from
here, so what the kiosk shows follows the hall without a restart.
"""
from __future__ import annotations

from dataclasses import dataclass

from .words import Bi, bi

# Shown while state/config carries no `ratings.reasons` yet (same codes as the controller's defaults).
DEFAULT_REASONS: dict[str, Bi] = {
    "attitude": Bi("服务态度差", "Unfriendly service"),
    "slow": Bi("办理效率低", "Too slow"),
    "unclear": Bi("一次性告知不清", "Requirements not explained at once"),
    "materials": Bi("材料要求繁琐", "Too many documents asked"),
    "environment": Bi("环境设施差", "Poor facilities"),
    "other": Bi("其他", "Other"),
}
# A reason the controller keeps for four-key hardware evaluators that cannot ask; a touch screen asks.
HARDWARE_ONLY_REASONS = {"evaluator"}


@dataclass(frozen=True)
class CategoryView:
    code: str
    prefix: str
    name: Bi
    waiting: int
    est_wait_s: int
    open_windows: tuple[int, ...]
    allow_green: bool


@dataclass(frozen=True)
class ItemView:
    id: str
    name: Bi
    category: str
    guide: dict


class Hall:
    def __init__(self):
        self.config: dict = {}
        self.version: int | None = None
        self.queues: dict[str, dict] = {}
        self.windows: dict[int, dict] = {}

    # --- retained messages in -------------------------------------------------------

    def apply_config(self, payload: dict | None) -> bool:
        """state/config; False for a payload that is not a config (kept the old one)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("config"), dict):
            return False
        self.config = payload["config"]
        self.version = payload.get("version")
        return True

    def apply_queues(self, payload: dict | None) -> bool:
        if not isinstance(payload, dict) or not isinstance(payload.get("categories"), list):
            return False
        self.queues = {entry["code"]: entry for entry in payload["categories"]
                       if isinstance(entry, dict) and "code" in entry}
        return True

    def apply_window(self, number: int, payload: dict | None) -> None:
        if isinstance(payload, dict) and payload:
            self.windows[number] = payload
        else:  # an empty retained payload: the window was removed
            self.windows.pop(number, None)

    # --- what the screens read ----------------------------------------------------------

    @property
    def ready(self) -> bool:
        return bool(self.config.get("categories"))

    @property
    def name(self) -> Bi:
        return bi(self.config.get("name") or {"zh": "政务服务中心", "en": "Government Service Center"})

    @property
    def hall_id(self) -> str:
        return str(self.config.get("hall") or "")

    @property
    def timezone(self) -> str:
        return str(self.config.get("timezone") or "Asia/Shanghai")

    def categories(self) -> list[CategoryView]:
        """Categories in the hall's order, with live queue figures where known."""
        cats = self.config.get("categories") or {}
        ordered = sorted(cats.items(), key=lambda kv: (kv[1].get("order", 0), kv[0]))
        return [self.category(code) for code, _ in ordered]

    def category(self, code: str) -> CategoryView | None:
        cat = (self.config.get("categories") or {}).get(code)
        if cat is None:
            return None
        queue = self.queues.get(code, {})
        return CategoryView(code=code, prefix=str(cat.get("prefix", "")), name=bi(cat.get("name")),
                            waiting=int(queue.get("waiting", 0)), est_wait_s=int(queue.get("est_wait_s", 0)),
                            open_windows=tuple(queue.get("open_windows", ())),
                            allow_green=bool(cat.get("allow_green", True)))

    def items(self, category: str | None = None) -> list[ItemView]:
        found = [self.item(item_id) for item_id in sorted(self.config.get("items") or {})]
        return [i for i in found if i is not None and (category is None or i.category == category)]

    def item(self, item_id: str | None) -> ItemView | None:
        raw = (self.config.get("items") or {}).get(item_id) if item_id else None
        if not isinstance(raw, dict):
            return None
        return ItemView(id=item_id, name=bi(raw.get("name")), category=str(raw.get("category", "")),
                        guide=raw.get("guide") or {})

    def window_name(self, number: int) -> Bi:
        raw = (self.config.get("windows") or {}).get(str(number)) or (self.config.get("windows") or {}).get(number)
        if isinstance(raw, dict) and raw.get("name"):
            return bi(raw["name"])
        return Bi(f"{number}号窗口", f"Window {number}")

    def windows_for(self, category: str) -> list[int]:
        """Windows that serve a category as primary: where the citizen will be called."""
        found = []
        for key, raw in (self.config.get("windows") or {}).items():
            if isinstance(raw, dict) and category in (raw.get("primary") or []):
                found.append(int(key))
        return sorted(found)

    def reasons(self) -> dict[str, Bi]:
        """The 差评 reasons a person may choose, from the config once it carries them."""
        configured = (self.config.get("ratings") or {}).get("reasons")
        if not isinstance(configured, dict) or not configured:
            return dict(DEFAULT_REASONS)
        return {code: bi(text) for code, text in configured.items() if code not in HARDWARE_ONLY_REASONS}

    def staff_at(self, window: int) -> tuple[str, str]:
        """(masked name, 工号) of whoever is logged in at a window; the controller already masks the name."""
        state = self.windows.get(window) or {}
        return str(state.get("staff") or ""), str(state.get("staff_id") or "")

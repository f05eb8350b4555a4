"""Who may do what: the role of a device id, and the window it acts for.

The broker's ACL binds each username to its own command topic, so the device
id in the topic can be trusted; the rights themselves are checked here.
A window's evaluator screen logs in as `evaluator-<n>`: it may send only
`rate`, for window n, and so may rate by ticket id what that window served
(controller/ratings.py, `rated_ticket`); a kiosk rates with a ticket's token.
"""
from __future__ import annotations

from contract.errors import CommandError

# role of an action (contract.messages.ACTIONS) -> device roles allowed to send it
ALLOWED: dict[str, tuple[str, ...]] = {
    "kiosk": ("kiosk", "bridge"),
    "window": ("window", "bridge"),
    "admin": ("admin",),
    "web": ("web",),  # the citizens' pages: ticket_by_token, places, public_ratings, remote_code, remote_ticket
    # 预约: a kiosk (现场预约), the citizens' web pages (`web-<name>`) and staff on the phone line
    "booking": ("kiosk", "web", "admin"),
}
# actions of another role a device may send too: the web tier's citizens rate by the ticket's token
# and look up an application's progress with its second factor, as at a kiosk; the integration API
# (web/api.py, on its admin login) records a window's outcome and shows its evaluator, naming the
# window as a bridge does (the API checks the calling system's key owns that window); the public
# complaint page (有诉即办 / 办不成事, web/complain.py) registers a citizen's complaint — what a web
# login may open is narrowed by the case rules (controller/cases.py, `case_open`)
ALSO: dict[str, tuple[str, ...]] = {"rate": ("web",), "query_progress": ("web",), "finish": ("admin",),
                                    "invite_rating": ("admin",), "case_open": ("web",),
                                    "application_link": ("admin",)}
# window actions an admin login may send naming no window: a 办件 linked to a ticket by its id
WINDOW_OPTIONAL = {"application_link"}


def role_of(device: str) -> tuple[str | None, int | None]:
    """('window', 3) for window-3, ('kiosk', None) for kiosk-K1, (None, None) if unknown."""
    prefix, sep, rest = device.partition("-")
    if not sep or not rest:
        return None, None
    if prefix in ("window", "evaluator"):
        return (prefix, int(rest)) if rest.isdigit() else (None, None)
    if prefix in ("kiosk", "bridge", "admin", "display", "voice", "web"):
        return prefix, None
    return None, None


# kiosk actions that may name a window: an evaluator on a bridge rates for its window
NAMES_A_WINDOW = {"rate"}
# the only actions of a window's evaluator screen (evaluator-<n>), always for its own window
EVALUATOR_ACTIONS = {"rate"}


def acting_window(device: str, action_role: str, payload_window: int | None, action: str = "") -> int | None:
    """Check the device may send an action of this role; return the window it acts for."""
    role, own_window = role_of(device)
    if role == "evaluator" and action in EVALUATOR_ACTIONS:
        if payload_window is not None and payload_window != own_window:
            raise CommandError("forbidden", f"{device} may not act for window {payload_window}",
                               f"不能操作{payload_window}号窗口")
        return own_window
    if role not in ALLOWED[action_role] and role not in ALSO.get(action, ()):
        raise CommandError("forbidden", f"{device} may not send {action_role} actions",
                           "该设备无权执行此操作")
    if action_role != "window":
        if action in NAMES_A_WINDOW and role == "bridge":
            return payload_window
        if payload_window is not None:
            raise CommandError("bad_request", "window: only window actions name a window", "window 字段无效")
        return None
    if role == "window":
        if payload_window is not None and payload_window != own_window:
            raise CommandError("forbidden", f"{device} may not act for window {payload_window}",
                               f"不能操作{payload_window}号窗口")
        return own_window
    if payload_window is None and not (role == "admin" and action in WINDOW_OPTIONAL):
        raise CommandError("bad_request", "window: required from a bridge", "缺少窗口号")
    return payload_window


def check_user(device: str, user: str | None) -> None:
    """Only an admin login (the web console's) may name the console user a command is sent for: a
    kiosk or a window naming one would put words in a person's mouth in the ledger."""
    if user is not None and role_of(device)[0] != "admin":
        raise CommandError("forbidden", f"user: {device} may not speak for a console user",
                           "该设备不能代表控制台用户")

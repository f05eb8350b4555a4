"""The one way a command reaches the hall: the table of actions, and time passing.

Every action of the contract (contract/messages.py, ACTIONS) has one line in
HANDLERS, naming the function that applies it. Each takes the engine, the
Change being built and the command's validated fields; window actions get the
Window as well. A handler reads stored records only through `change.stored`
and writes them only through the Change, so what a command does is a pure
function of the hall's state, what is stored, the fields and the time; the
service (controller/service.py) commits the outcome and publishes it.

Time passes once per batch: `Engine.tick` before its commands (they share its
`now`, so the day cannot roll over between them), `settle` (预约 no-shows) and
`supervise` after them.
`handle` is a batch of one, for callers that run commands one at a time on an
engine alone (the simulator, the engine's tests).
"""
from __future__ import annotations

from typing import Any, Callable

from contract.errors import CommandError

from . import (actions, alerts, appointments, applications, cases, citizen, hall_config, outbox, period, ratings,
               remote_tickets, report, tidal_windows, window_stats)
from .change import Change, Outcome

HANDLERS: dict[str, Callable[..., None]] = {
    # kiosk
    "issue_ticket": actions.issue_ticket,
    "rate": ratings.rate,
    "query_progress": applications.query_progress,
    "check_in": appointments.check_in,
    # booking (kiosks, web-<name>, admins)
    "appointment_slots": appointments.appointment_slots,
    "book_appointment": appointments.book_appointment,
    "cancel_appointment": appointments.cancel_appointment,
    "device_status": actions.device_status,
    # window
    "login": actions.login,
    "logout": actions.logout,
    "call_next": actions.call_next,
    "recall": actions.recall,
    "no_show": actions.no_show,
    "hold": actions.hold,
    "call_back": actions.call_back,
    "call_specific": actions.call_specific,
    "start": actions.start,
    "finish": actions.finish,
    "transfer": actions.transfer,
    "pause": actions.pause,
    "resume": actions.resume,
    "invite_rating": actions.invite_rating,
    "window_stats": window_stats.window_stats,
    # admin
    "config_get": hall_config.config_get,
    "config_set": hall_config.config_set,
    "config_patch": hall_config.config_patch,
    "staff_set": hall_config.staff_set,
    "config_versions": hall_config.config_versions,
    "config_restore": hall_config.config_restore,
    "stats": report.stats,
    "report": report.report,
    "period_report": period.period_report,
    "followup_update": ratings.followup_update,
    "followups": ratings.followups,
    "case_open": cases.case_open,
    "case_update": cases.case_update,
    "cases": cases.list_cases,
    "consultation_report": cases.consultation_report,
    "progress_set": applications.progress_set,
    "application_link": applications.application_link,
    "applications": applications.list_applications,
    "application": ratings.application_record,
    "appointment_add": appointments.appointment_add,
    "appointments": appointments.appointments,
    "appointment_unbar": appointments.appointment_unbar,
    "tidal_switch": tidal_windows.tidal_switch,
    "tidal_pin": tidal_windows.tidal_pin,
    "tidal_policy": hall_config.tidal_policy,
    "alerts": alerts.list_alerts,
    "alert_ack": alerts.alert_ack,
    "alert_assign": alerts.alert_assign,
    "alert_escalate": alerts.alert_escalate,
    # web (a citizen's phone)
    "ticket_by_token": citizen.ticket_by_token,
    "places": citizen.places,
    "public_ratings": citizen.public_ratings,
    "case_lookup": cases.case_lookup,
    "remote_code": remote_tickets.remote_code,
    "remote_ticket": remote_tickets.remote_ticket,
    "outbox": outbox.outbox,
}


def apply(engine, action: str, device: str, fields: dict[str, Any], now: float, window: int | None = None,
          stored=None, user: str | None = None) -> Outcome:
    """Apply one validated command to an engine already ticked to `now`; a refusal comes back in
    `Outcome.error`. `user`: the console user an admin command is sent for (in its events' data)."""
    change = Change(now, device, stored, user=user)
    try:
        handler = HANDLERS.get(action)
        if handler is None:
            raise CommandError("unknown_action", f"the controller has no action {action!r}", f"不支持的操作 {action}")
        if window is not None:
            target = engine.window(window)
            change.touch(target)
            handler(engine, change, target, **fields)
        else:
            handler(engine, change, **fields)
    except CommandError as exc:
        change.out.error = exc
    return engine.tally(change.close(engine.windows))


def handle(engine, action: str, device: str, fields: dict[str, Any], now: float, window: int | None = None,
           stored=None) -> Outcome:
    """One command as a batch of its own: the engine ticks first, and what the tick changed (a day
    rolling over) is in the outcome even when the command is refused."""
    out = engine.tick(now)
    command = apply(engine, action, device, fields, now, window, stored)
    out.merge(command)
    out.result, out.error = command.result, command.error
    return out


def settle(engine, now: float, stored) -> Outcome:
    """预约: bookings past due become no-shows, and the blacklist follows (controller/appointments.py)."""
    change = Change(now, "controller", stored)
    appointments.settle(engine, change)
    return engine.tally(change.close(engine.windows))


def supervise(engine, now: float, stored) -> Outcome:
    """电子监察's periodic review, after a batch's commands (controller/alerts.py)."""
    change = Change(now, "controller", stored)
    alerts.supervise(engine, change)
    return engine.tally(change.close(engine.windows))

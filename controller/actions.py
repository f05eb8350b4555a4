"""The queue's actions: a kiosk takes a ticket, staff at a window call and serve it.

Each handler gets the engine, the Change being built, (for window actions)
the Window, and the validated fields; controller/dispatch.py names them.
Checks come first; nothing is mutated until the command is known to succeed.
"""
from __future__ import annotations

from contract.calls import call_text
from contract.errors import CommandError
from contract.privacy import mask_name

from . import applications, calling, notices, pins, remote
from .model import CALLABLE_BACK, CALLED, HELD, NO_SHOW, RECALL_LIMIT, SERVING, WAITING, Event, Session, Ticket

# --- kiosk -----------------------------------------------------------------------


def issue_ticket(engine, change, category=None, item=None, group="normal", applicant=None, lang="zh"):
    """A walk-in's ticket. It takes no appointment code: an appointment ticket is called before every
    walk-in, so only a stored booking checked in when it is due makes one (controller/appointments.py)."""
    new_ticket(engine, change, category=category, item=item, group=group, applicant=applicant, lang=lang)


def new_ticket(engine, change, *, category, item, group, applicant, lang, appointment_code=None,
               appointment_from=None, appointment_until=None, channel=None):
    """The one way a ticket is made, for a walk-in (`issue_ticket`), a checked-in booking (`check_in`)
    or a phone's remote ticket (`remote_ticket`, channel "remote")."""
    config = engine.config
    if item is not None:
        if item not in config.items:
            raise CommandError("not_found", f"no item {item!r}", f"没有事项 {item}")
        if category is not None and category != config.items[item].category:
            raise CommandError("bad_request", f"item {item} belongs to {config.items[item].category}, not {category}",
                               "事项与业务类别不符")
        category = config.items[item].category
    if category is None:
        raise CommandError("bad_request", "give a category or an item", "请选择业务类别或事项")
    if category not in config.categories:
        raise CommandError("not_found", f"no category {category!r}", f"没有业务类别 {category}")
    cat = config.categories[category]
    if group == "green" and not cat.allow_green:
        raise CommandError("bad_request", f"category {category} has no green channel", "该业务不设绿色通道")
    if appointment_code and any(t.appointment_code == appointment_code for t in engine.tickets.values()):
        raise CommandError("duplicate", f"appointment {appointment_code} has already checked in today",
                           "该预约今天已取号")
    if not engine.ticketing_open(change.now):
        raise CommandError("closed", "ticketing is closed at this hour", "当前不在取号时间")
    if cat.when_unserved == "refuse" and not appointment_code and not engine.open_windows(category):
        raise CommandError("closed", f"no open window serves {category} now", "暂无窗口办理该业务，请稍后再取号")
    issued = engine.counters.get(cat.prefix, 0)
    if issued >= cat.daily_cap:
        raise CommandError("closed", f"today's {cat.daily_cap} tickets of {category} are all issued",
                           "今日该业务号源已取完")
    number = f"{cat.prefix}{issued + 1:03d}"
    ticket_id = f"{engine.day}-{number}"
    applicant = applicant or {}
    ticket = Ticket(
        id=ticket_id, day=engine.day, number=number, seq=engine.next_seq, category=category, item=item,
        group=group, issued_at=change.now, issued_by=change.device, rating_token=engine.rating_token(ticket_id),
        lang=lang, origin_category=category, appointment_code=appointment_code,
        appointment_from=appointment_from, appointment_until=appointment_until,
        applicant_id_hash=applicant.get("id_hash"), applicant_name=mask_name(applicant.get("name")) or None,
        applicant_phone=applicant.get("phone"), channel=channel)
    engine.counters[cat.prefix] = issued + 1
    engine.next_seq += 1
    engine.index(ticket)
    change.ticket("ticket_issued", ticket, None)
    change.out.result = {"ticket": engine.public_ticket(ticket)}


def device_status(engine, change, component, status, detail=None):
    """A kiosk's printer or card reader changed state; anything but ok becomes an alert
    (controller/publish.py)."""
    change.event(Event("device_reported", change.now, change.device,
                       data={"component": component, "status": status, "detail": detail}))


# --- staff at a window -------------------------------------------------------------


def login(engine, change, window, staff_id, pin):
    staff = engine.config.staff.get(staff_id)
    pins.check(engine, change, window, staff_id, pin, staff.pin_hash if staff is not None else None)
    if staff.windows and window.number not in staff.windows:
        raise CommandError("forbidden", f"staff {staff_id} may not work at window {window.number}",
                           f"该工号不能在{window.number}号窗口登录")
    if window.staff_id not in (None, staff_id) and window.current:
        raise CommandError("invalid_state", f"window {window.number} is serving; its staff must finish first",
                           "窗口正在办理业务，请原工作人员先办结")
    elsewhere = next((w for w in engine.windows.values() if w.staff_id == staff_id and w is not window), None)
    if elsewhere is not None and elsewhere.current:
        raise CommandError("invalid_state", f"staff {staff_id} is serving at window {elsewhere.number}",
                           f"该工号正在{elsewhere.number}号窗口办理业务")
    if elsewhere is not None:
        before = elsewhere.row()
        engine.end_session(change, elsewhere)
        elsewhere.paused, elsewhere.pause_reason, elsewhere.paused_at = False, None, None
        change.window("staff_logout", elsewhere, before, reason="logged in elsewhere")
    before = window.row()
    if window.staff_id is not None:
        engine.end_session(change, window)
    session = Session(staff_id, window.number, change.now, device=change.device)
    engine.sessions[window.number] = session
    change.session(session)
    window.staff_id, window.login_at = staff_id, change.now
    window.paused, window.pause_reason, window.paused_at = False, None, None
    change.window("staff_login", window, before)
    change.out.result = {"window": window.number, "staff_id": staff_id, "staff": mask_name(staff.name)}


def logout(engine, change, window):
    engine.require_staff(window)
    if window.current:
        raise CommandError("invalid_state", "finish or transfer the current ticket first", "请先办结或转移当前号码")
    before = window.row()
    staff_id = window.staff_id
    engine.end_session(change, window)
    window.paused, window.pause_reason, window.paused_at = False, None, None
    change.window("staff_logout", window, before, staff_id=staff_id)
    change.out.result = {"window": window.number}


def call_next(engine, change, window):
    engine.before_call(change, window)
    cfg = engine.config
    wcfg = cfg.windows[window.number]
    primary, secondary = engine.lists(window.number)  # a tidal switch puts its category first
    pool = calling.pool_for(window.number, primary, secondary, wcfg.green_channel, engine.waiting.values())
    ticket = calling.choose_next(pool, priority_streak=window.priority_streak, priority_ratio=cfg.queue.priority_ratio,
                                 max_wait_s=cfg.queue.max_wait_s, now=change.now)
    if ticket is None:
        change.out.error = CommandError("queue_empty")
        return
    engine.call(change, window, ticket, "call_next")


def call_specific(engine, change, window, number):
    ticket = engine.ticket_by_number(number)
    if ticket.status != WAITING:
        raise CommandError("invalid_state", f"{number} is {ticket.status}, not waiting", f"{number}号不在等候中")
    if ticket.target_window not in (None, window.number):
        raise CommandError("invalid_state", f"{number} was sent to window {ticket.target_window}",
                           f"{number}号已转至{ticket.target_window}号窗口")
    engine.before_call(change, window)
    engine.call(change, window, ticket, "call_specific")


def call_back(engine, change, window, number):
    ticket = engine.ticket_by_number(number)
    if ticket.status not in CALLABLE_BACK:
        raise CommandError("invalid_state", f"{number} is {ticket.status}; only held or no-show tickets can be called back",
                           f"{number}号不是挂起或过号状态")
    engine.before_call(change, window)
    if ticket.status == NO_SHOW and ticket.channel == "remote":
        remote.came_back(engine, change, ticket)
    engine.call(change, window, ticket, "call_back")


def recall(engine, change, window):
    ticket = engine.current_ticket(window, statuses=(CALLED,))
    before = ticket.row()
    if ticket.times_called >= engine.config.queue.max_calls:
        engine.no_show(change, window, ticket, RECALL_LIMIT)
        change.out.result = {"no_show": True, "ticket": engine.public_ticket(ticket)}
        return
    ticket.times_called += 1
    ticket.last_called_at = change.now
    window.last_call_at = change.now
    engine.remember_call(ticket, change.now)
    change.ticket("ticket_recalled", ticket, before, text=call_text(ticket.number, window.number, again=True))
    change.out.result = {"no_show": False, "ticket": engine.public_ticket(ticket)}


def no_show(engine, change, window):
    ticket = engine.current_ticket(window, statuses=(CALLED,))
    engine.no_show(change, window, ticket, "staff")
    change.out.result = {"ticket": engine.public_ticket(ticket)}


def hold(engine, change, window):
    ticket = engine.current_ticket(window)
    before = ticket.row()
    ticket.status = HELD
    window.current = None
    change.ticket("ticket_held", ticket, before)
    change.out.result = {"ticket": engine.public_ticket(ticket)}


def start(engine, change, window):
    ticket = engine.current_ticket(window, statuses=(CALLED,))
    before = ticket.row()
    ticket.status, ticket.started_at = SERVING, change.now
    change.ticket("ticket_started", ticket, before)
    change.out.result = {"ticket": engine.public_ticket(ticket)}


def finish(engine, change, window, outcome="accepted", materials=(), reasons=(), application_no=None):
    """办结 with the outcome at the window (contract/messages.py, `Finish`, checks what each needs);
    a 办件 named here is linked to the ticket (controller/applications.py)."""
    ticket = engine.current_ticket(window)
    applications.check_finish_link(engine, change, window, outcome, application_no)
    detail = {"materials": list(materials)} if materials else {"reasons": list(reasons)} if reasons else {}
    engine.finish(change, window, ticket, outcome, detail)
    notice = notices.row(engine.config, window.number, ticket, outcome, detail, change.now)
    if notice is not None:
        change.record("notice_prints", notice["id"], notice)
    change.out.result = {"ticket": engine.public_ticket(ticket), "outcome": {"outcome": outcome, **detail},
                         "notice": {"id": notice["id"], "printer": notice["printer"]} if notice else None}
    if application_no is not None:
        row = applications.link_at_finish(engine, change, ticket, outcome, application_no,
                                          note="；".join([*materials, *reasons]))
        change.out.result["application"] = applications.public(row, engine.config.items)


def transfer(engine, change, window, category=None, to_window=None):
    if (category is None) == (to_window is None):
        raise CommandError("bad_request", "give either a category or a window to transfer to", "请选择转移到的业务或窗口")
    ticket = engine.current_ticket(window)
    if category is not None and category not in engine.config.categories:
        raise CommandError("not_found", f"no category {category!r}", f"没有业务类别 {category}")
    if to_window is not None:
        if to_window not in engine.windows:
            raise CommandError("not_found", f"window {to_window} does not exist", f"没有{to_window}号窗口")
        if to_window == window.number:
            raise CommandError("bad_request", "cannot transfer to the same window", "不能转移到本窗口")
    before = ticket.row()
    from_window = window.number
    ticket.status, ticket.window = WAITING, None
    ticket.called_at = ticket.started_at = None
    ticket.times_called = 0
    ticket.transfers += 1
    if category is not None:
        ticket.category = category
    ticket.target_window = to_window
    window.current = None
    engine.index(ticket)
    change.ticket("ticket_transferred", ticket, before, from_window=from_window, to_window=to_window,
                  to_category=ticket.category)
    change.out.result = {"ticket": engine.public_ticket(ticket)}


def pause(engine, change, window, reason):
    engine.require_staff(window)
    if window.paused:
        raise CommandError("invalid_state", "window is already paused", "窗口已暂停")
    if window.current:
        raise CommandError("invalid_state", "finish or transfer the current ticket first", "请先办结或转移当前号码")
    before = window.row()
    window.paused, window.pause_reason, window.paused_at = True, reason, change.now
    change.window("window_paused", window, before, reason=reason)
    change.out.result = {"window": window.number, "status": window.status}


def resume(engine, change, window):
    engine.require_staff(window)
    if not window.paused:
        raise CommandError("invalid_state", "window is not paused", "窗口未暂停")
    before = window.row()
    paused_s = change.now - (window.paused_at or change.now)
    window.paused, window.pause_reason, window.paused_at = False, None, None
    change.window("window_resumed", window, before, paused_s=round(paused_s, 3))
    change.out.result = {"window": window.number, "status": window.status}


def invite_rating(engine, change, window, application_no=None):
    """评价器显示评价页面 for the ticket being served (else the last served); asked for a 办件, the
    ticket is linked to it first, so the rating given is that application's."""
    engine.require_staff(window)
    ticket_id = window.current or window.last_served
    ticket = engine.tickets.get(ticket_id) if ticket_id else None
    if ticket is None:
        raise CommandError("invalid_state", "no ticket to rate at this window", "没有可评价的号码")
    linked = applications.link_for_rating(engine, change, ticket, application_no) if application_no else None
    named = {"application_no": application_no} if application_no else {}
    change.ticket("rating_invited", ticket, ticket.row(), staff_id=window.staff_id, window=window.number, **named)
    change.out.result = {"ticket_id": ticket.id, "number": ticket.number, "staff_id": window.staff_id}
    if linked is not None:
        change.out.result["application"] = applications.public(linked, engine.config.items)


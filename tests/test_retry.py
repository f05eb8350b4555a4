"""A retry is never a second ticket or a second call.

The controller runs as its own process (`main.py controller`) on a real Mosquitto and is frozen
with SIGSTOP through two of the link's timeouts while a kiosk presenter and a caller presenter,
each on a real HallLink, wait for their replies and are touched again; then it is thawed. What
is asserted is what the store holds, what crossed the wire and what the person sees.
"""
from __future__ import annotations

import time

from contract.client import HallClient
from controller.store import Store
from kiosk import words
from kiosk.presenters import kiosk as k
from testbed.controller import PIN
from tests.support.hall import Inbox
from tests.support.live import ControllerProcess, live_caller, live_kiosk

TIMEOUT_S = 5.0  # HallLink's request timeout
FROZEN_S = 2 * TIMEOUT_S + 1.5  # through two timeouts


def commands_seen(hall: str, port: int, device: str) -> tuple[HallClient, Inbox]:
    inbox = Inbox()
    watcher = HallClient("display-wire", hall, "127.0.0.1", port, deliver=inbox)
    watcher.subscribe(f"qms/{hall}/cmd/{device}/#")
    assert watcher.start(10)
    return watcher, inbox


def ids_sent(inbox: Inbox, action: str) -> list[str]:
    with inbox.cond:
        return [m.json()["id"] for m in inbox.messages if m.topic.endswith(f"/{action}")]


def test_a_frozen_controller_gives_the_kiosk_one_ticket_and_it_is_the_one_on_screen(broker, hall_raw, tmp_path):
    hall = hall_raw["hall"]
    controller = ControllerProcess(hall_raw, tmp_path, broker.port)
    live, kiosk = live_kiosk("K1", hall, broker.port)
    watcher, wire = commands_seen(hall, broker.port, "kiosk-K1")
    try:
        live.pump(lambda: kiosk.screen == k.HOME, timeout=30, what="the kiosk open")
        kiosk.home.choose_category("social")
        controller.freeze()
        frozen_at = time.monotonic()
        kiosk.take.choose("normal")
        live.pump(lambda: kiosk.take.error, timeout=TIMEOUT_S + 2, what="the first timeout said on screen")
        assert kiosk.take.error == (words.STILL_WAITING, words.TICKET_ON_ITS_WAY) and kiosk.screen == k.GROUP
        kiosk.take.choose("normal")  # the citizen touches again
        kiosk.take.choose("normal")
        live.pump(timeout=FROZEN_S - (time.monotonic() - frozen_at))
        assert kiosk.screen == k.GROUP and kiosk.ticket.number == ""  # no number without a reply
        controller.thaw()
        live.pump(lambda: kiosk.screen == k.TICKET, timeout=20, what="the ticket on screen")
        number = kiosk.ticket.number
        assert kiosk.ticket.message.zh.startswith(words.LATE_TICKET.zh)

        sent = ids_sent(wire, "issue_ticket")
        assert len(sent) >= 2 and len(set(sent)) == 1, sent  # sent again after a timeout, with its one id
        store = Store(str(controller.db))
        tickets = [t for t in store.load_tickets(kiosk.hall.day) if t.issued_by == "kiosk-K1"]
        ledger = store.ledger("kind = ?", ["ticket_issued"])
        store.close()
        assert [t.number for t in tickets] == [number] and len(ledger) == 1
    finally:
        live.stop()
        watcher.stop()
        controller.stop()


def test_a_frozen_controller_gives_the_caller_one_call_and_finishes_nothing_twice(broker, hall_raw, tmp_path):
    hall = hall_raw["hall"]
    controller = ControllerProcess(hall_raw, tmp_path, broker.port)
    kiosk = HallClient("kiosk-K9", hall, "127.0.0.1", broker.port)
    live, caller = live_caller(3, hall, broker.port)
    watcher, wire = commands_seen(hall, broker.port, "window-3")
    try:
        assert kiosk.start(10) and kiosk.wait_for_controller(30)
        issued = [kiosk.request("issue_ticket", {"category": "social"}, timeout=10)["result"]["ticket"]["number"]
                  for _ in range(3)]
        live.pump(lambda: caller.online, timeout=20, what="the caller online")
        caller.login("1003", PIN)
        live.pump(lambda: caller.logged_in and not caller.busy, timeout=10, what="logged in")
        caller.command("call_next")
        live.pump(lambda: caller.current and caller.current.number == issued[0] and not caller.busy, timeout=10,
                  what="the first ticket called")

        controller.freeze()
        frozen_at = time.monotonic()
        assert caller.command("call_next") == ("call_next", {})
        live.pump(lambda: caller.late, timeout=TIMEOUT_S + 2, what="the first timeout said on screen")
        assert caller.message["code"] == "late" and caller.enabled("call_next") and not caller.enabled("finish")
        assert caller.command("call_next") == ("call_next", {})  # staff press it again
        live.pump(timeout=FROZEN_S - (time.monotonic() - frozen_at))
        controller.thaw()
        live.pump(lambda: caller.busy is None and caller.current and caller.current.number == issued[1],
                  timeout=20, what="the second ticket called")
        assert caller.message == {"kind": "info", "zh": f"已呼叫 {issued[1]}（回复较迟）",
                                  "en": f"Called {issued[1]} (late answer)"}

        sent = ids_sent(wire, "call_next")
        assert len(sent) >= 3 and len(set(sent[1:])) == 1, sent  # the first call, then one id again and again
        store = Store(str(controller.db))
        ledger = store.ledger()
        store.close()
        called = [r["after"]["number"] for r in ledger if r["kind"] == "ticket_called"]
        finished = [r["after"]["number"] for r in ledger if r["kind"] == "ticket_finished"]
        assert called == issued[:2] and finished == [issued[0]]  # one call, nothing finished twice
    finally:
        live.stop()
        watcher.stop()
        kiosk.stop()
        controller.stop()

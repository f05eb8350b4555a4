"""What goes wrong in a hall: the broker vanishes, the disk fills up."""
from __future__ import annotations

import time

from testbed.broker import PrivateBroker
from testbed.controller import RunningController
from tests.support.hall import Inbox, ok, refused


def test_broker_restart_without_persistence(hall_raw, tmp_path):
    broker = PrivateBroker().start()
    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    try:
        kiosk = running.device("kiosk-K1")
        ok(kiosk.request("issue_ticket", {"category": "general"}))
        broker.stop()  # every retained message is gone with it
        time.sleep(1.0)
        assert running.thread.is_alive()
        broker = PrivateBroker(port=broker.port).start()
        assert running.service.client.connected.wait(15)
        inbox = Inbox()
        running.device("display-after", deliver=inbox, watch=(f"qms/{running.hall}/state/#",))
        _, queues = inbox.wait_for(lambda t, d: t.endswith("/state/queues"), timeout=10)
        assert next(c for c in queues["categories"] if c["code"] == "general")["waiting"] == 1
        inbox.wait_for(lambda t, d: t.endswith("/state/config"))
        assert kiosk.connected.wait(15) and kiosk.wait_for_controller(10)
        assert ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]["number"] == "A002"
    finally:
        running.stop()
        broker.stop()


def test_a_store_that_cannot_write_refuses_the_batch_and_changes_nothing(controller, kiosk):
    """As a full disk or a read-only remount would: SQLite refuses the transaction."""
    ok(kiosk.request("issue_ticket", {"category": "general"}))
    store = controller.store
    store.db.execute("PRAGMA query_only = ON")  # every write now fails inside SQLite
    try:
        for _ in range(3):
            error = refused(kiosk.request("issue_ticket", {"category": "general", "lang": "en"}), "internal")
            assert "try again" in error["message"]
    finally:
        store.db.execute("PRAGMA query_only = OFF")
    assert controller.thread.is_alive()
    # nothing of the refused commands remains: the next ticket is A002, not A005
    assert ok(kiosk.request("issue_ticket", {"category": "general"}))["ticket"]["number"] == "A002"
    stats = ok(controller.device("admin-x").request("stats"))
    assert stats["hall"]["issued"] == 2

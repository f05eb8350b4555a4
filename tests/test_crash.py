"""`kill -9` of the controller in the middle of a burst: nothing lost, nothing issued twice."""
from __future__ import annotations

import os
import signal
import time

import yaml

from contract.client import HallClient
from controller.store import Store
from testbed.controller import PIN
from testbed.processes import stop_process
from tests.support.hall import Inbox
from tests.support.live import start_controller

KIOSKS, PER_KIOSK, WINDOWS = 4, 150, (1, 3, 5)


def replies_by_id(inbox: Inbox) -> dict[str, dict]:
    with inbox.cond:
        return {d["id"]: d for d in (m.json() for m in inbox.messages if "/reply/" in m.topic)}


def test_sigkill_mid_burst_then_restart(broker, hall_raw, tmp_path):
    config_path, db = tmp_path / "hall.yaml", tmp_path / "hall.db"
    config_path.write_text(yaml.safe_dump(hall_raw, allow_unicode=True), encoding="utf-8")
    hall = hall_raw["hall"]
    proc = start_controller(config_path, db, broker.port)
    devices: dict[str, tuple[HallClient, Inbox]] = {}
    try:
        for name in [f"kiosk-K{i}" for i in range(KIOSKS)] + [f"window-{n}" for n in WINDOWS]:
            inbox = Inbox()
            client = HallClient(name, hall, "127.0.0.1", broker.port, deliver=inbox)
            client.listen_for_replies()
            assert client.start(10) and client.wait_for_controller(20)
            devices[name] = (client, inbox)
        staff = {1: "1001", 3: "1003", 5: "1004"}
        for n in WINDOWS:
            assert devices[f"window-{n}"][0].request("login", {"staff_id": staff[n], "pin": PIN})["ok"]

        sent: dict[str, list[tuple[str, str, dict]]] = {name: [] for name in devices}
        categories = ["general", "social", "estate"]
        for i in range(PER_KIOSK):
            for k in range(KIOSKS):
                name = f"kiosk-K{k}"
                fields = {"id": f"{name}-{i}", "category": categories[(i + k) % 3]}
                sent[name].append(("issue_ticket", fields["id"], fields))
                devices[name][0].publish(devices[name][0].topics.cmd(name, "issue_ticket"), fields)
            if i % 10 == 0:
                for n in WINDOWS:
                    name = f"window-{n}"
                    fields = {"id": f"{name}-{i}"}
                    sent[name].append(("call_next", fields["id"], fields))
                    devices[name][0].publish(devices[name][0].topics.cmd(name, "call_next"), fields)
            if i == PER_KIOSK // 2:
                time.sleep(0.05)
                os.kill(proc.pid, signal.SIGKILL)  # mid-burst
        proc.wait(10)
        time.sleep(0.3)
        before = {name: replies_by_id(inbox) for name, (_, inbox) in devices.items()}
        answered = sum(len(r) for r in before.values())
        assert 0 < answered < sum(len(s) for s in sent.values()), "the kill must land mid-burst"

        # what every device was told before the kill is in the store
        store = Store(str(db))
        tickets = {row["id"]: row for row in store.db.query("SELECT * FROM tickets")}
        for name, replies in before.items():
            for reply in replies.values():
                if reply["ok"] and "ticket" in reply["result"]:
                    t = reply["result"]["ticket"]
                    assert tickets[t["id"]]["number"] == t["number"]
        numbers = [(t["day"], t["number"]) for t in tickets.values()]
        assert len(numbers) == len(set(numbers))
        # the tables are exactly what the ledger's after-states say
        ledger = store.ledger()
        folded_tickets, folded_windows = {}, {}
        for row in ledger:
            if row["ticket_id"] and row["after"]:
                folded_tickets[row["ticket_id"]] = row["after"]
            elif row["window"] is not None and row["after"]:
                folded_windows[row["window"]] = row["after"]
        assert folded_tickets == tickets
        windows = {row["number"]: {**row, "paused": bool(row["paused"]), "tidal": bool(row["tidal"])}
                   for row in store.db.query("SELECT * FROM windows")}
        assert folded_windows == windows
        store.close()

        # restart; every device sends everything again with the same ids (QoS 1 redelivery, retries)
        status = f"qms/{hall}/status/controller"
        watcher = devices["kiosk-K0"][1]
        watcher.wait_for(lambda t, d: t == status and d == {"status": "offline"})  # the last will
        with watcher.cond:
            watcher.messages.clear()
        proc = start_controller(config_path, db, broker.port)
        watcher.wait_for(lambda t, d: t == status and (d or {}).get("status") == "online", timeout=20)
        for name, commands in sent.items():
            client, inbox = devices[name]
            with inbox.cond:
                inbox.messages.clear()
            for action, request_id, fields in commands:
                client.publish(client.topics.cmd(name, action), fields)
        for name, commands in sent.items():
            inbox = devices[name][1]
            inbox.wait_for(lambda t, d, n=len(commands): len(replies_by_id(inbox)) >= n, timeout=30)
            after = replies_by_id(inbox)
            for request_id, reply in before[name].items():
                assert after[request_id] == reply, "a repeated request must get the same reply"
        issued = [r for name in sent if name.startswith("kiosk")
                  for r in replies_by_id(devices[name][1]).values() if r["ok"]]
        assert len(issued) == KIOSKS * PER_KIOSK
        ids = [r["result"]["ticket"]["id"] for r in issued]
        assert len(set(ids)) == len(ids)
        store = Store(str(db))
        count = store.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
        assert count == KIOSKS * PER_KIOSK
        for category, prefix in (("general", "A"), ("social", "B"), ("estate", "C")):
            numbers = sorted(int(r["number"][1:]) for r in store.db.query(
                "SELECT number FROM tickets WHERE category = ? AND transfers = 0", [category]))
            assert numbers == list(range(1, len(numbers) + 1)), f"gap or repeat in {prefix} numbers"
        store.close()
    finally:
        for client, _ in devices.values():
            client.stop()
        stop_process(proc)


def test_restart_rebuilds_the_same_state(broker, hall_raw, tmp_path):
    """The engine a restart loads equals the one that was running."""
    from testbed.controller import RunningController, staffed_window

    running = RunningController(hall_raw, tmp_path / "hall.db", broker)
    try:
        kiosk = running.device("kiosk-K1")
        for i in range(12):
            kiosk.request("issue_ticket", {"category": ["general", "social"][i % 2],
                                           "group": "priority" if i % 5 == 0 else "normal"})
        w1, w3 = staffed_window(running, 1), staffed_window(running, 3)
        for client in (w1, w3):
            client.request("call_next")
            client.request("start")
            client.request("call_next")
        w1.request("hold")
        w3.request("transfer", {"category": "tax"})
        live = running.service.engine
        snapshot = (
            {k: t.row() for k, t in live.tickets.items()}, {k: w.row() for k, w in live.windows.items()},
            sorted(live.waiting), dict(live.counters), live.next_seq, list(live.calls),
            {k: s.row() for k, s in live.sessions.items()}, {k: list(v) for k, v in live.recent.items()})
    finally:
        running.stop()
    from controller.service import load_engine

    store = Store(str(tmp_path / "hall.db"))
    again = load_engine(running.config, store, running.service.clock())
    assert snapshot == (
        {k: t.row() for k, t in again.tickets.items()}, {k: w.row() for k, w in again.windows.items()},
        sorted(again.waiting), dict(again.counters), again.next_seq, list(again.calls),
        {k: s.row() for k, s in again.sessions.items()}, {k: list(v) for k, v in again.recent.items()})
    store.close()



"""A stale "online" is never trusted.

Mosquitto with persistence dies (SIGKILL, as in a power cut: no wills sent) while the controller
is frozen (SIGSTOP), and is started again from its file: it hands out the retained
`status/controller` online, with the hall's retained state, of a controller that cannot answer. A kiosk presenter on a real link must not open; it opens
once the controller, thawed, beats again. The controller's heartbeat itself is checked on the
wire: live beats every few seconds, one at once for a device's birth, the same boot id.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time

from contract.availability import HEARTBEAT_S
from contract.client import HallClient
from contract.messages import ControllerStatus
from kiosk.presenters import kiosk as k
from testbed.broker import PrivateBroker
from tests.support.hall import Inbox
from tests.support.live import ControllerProcess, live_kiosk


def persistent_broker(port: int | None, store_dir: str) -> PrivateBroker:
    return PrivateBroker(port=port, extra_conf=f"persistence true\npersistence_location {store_dir}/\n"
                                               "autosave_interval 1\n").start()


def test_a_kiosk_does_not_open_on_the_retained_online_of_a_frozen_controller(hall_raw, tmp_path):
    hall = hall_raw["hall"]
    store_dir = tempfile.mkdtemp(prefix="qms-persist-")
    os.chmod(store_dir, 0o777)  # Mosquitto started as root drops to the mosquitto user, who writes it
    broker = persistent_broker(None, store_dir)
    controller = ControllerProcess(hall_raw, tmp_path, broker.port)
    live = watcher = None
    try:
        live, kiosk = live_kiosk("K1", hall, broker.port)
        live.pump(lambda: kiosk.screen == k.HOME, timeout=30, what="the kiosk open")
        controller.freeze()
        time.sleep(2.5)  # an autosave writes the retained state, "online" included, to its file
        broker.process.kill()  # then the power goes
        broker.process.wait(10)
        broker.stop()
        assert os.path.exists(os.path.join(store_dir, "mosquitto.db"))
        broker = persistent_broker(broker.port, store_dir)

        inbox = Inbox()
        watcher = HallClient("display-stale", hall, "127.0.0.1", broker.port, deliver=inbox)
        watcher.subscribe(f"qms/{hall}/status/controller")
        watcher.subscribe(f"qms/{hall}/cmd/#")
        assert watcher.start(10)
        _, said = inbox.wait_for(lambda t, d: t.endswith("/status/controller"))
        assert ControllerStatus.model_validate(said).status == "online"  # what the broker still says

        live.pump(lambda: kiosk.link.client.connected.is_set() and kiosk.hall.ready, timeout=15,
                  what="the kiosk back on the restarted broker, with the retained config")
        live.pump(timeout=3 * HEARTBEAT_S)
        assert kiosk.screen == k.PAUSED and not kiosk.available
        kiosk.home.choose_category("social")  # a touch: nothing opens, nothing is sent
        kiosk.take.choose("normal")
        assert kiosk.screen == k.PAUSED and not [m for m in inbox.messages if "/cmd/" in m.topic]

        controller.thaw()  # it reconnects, and beats live
        live.pump(lambda: kiosk.screen == k.HOME, timeout=20, what="the kiosk open again")
    finally:
        for part in (live, watcher):
            if part is not None:
                part.stop()
        controller.stop()
        broker.stop()
        shutil.rmtree(store_dir, ignore_errors=True)


def test_the_controller_beats_live_and_at_once_for_a_birth(controller):
    inbox = Inbox()
    device = HallClient("display-beats", controller.hall, "127.0.0.1", controller.broker.port, deliver=inbox)
    device.subscribe(f"qms/{controller.hall}/status/controller")
    started = time.monotonic()
    assert device.start(10)
    try:
        assert device.wait_for_controller(2)  # a beat for its birth, not after a whole period
        assert time.monotonic() - started < HEARTBEAT_S
        time.sleep(2.5 * HEARTBEAT_S)
        with inbox.cond:
            beats = [(m.retain, ControllerStatus.model_validate(m.json())) for m in inbox.messages]
        live = [status for retained, status in beats if not retained]
        assert beats[0][0] and len(live) >= 3  # the retained copy first, then live beats
        assert {s.boot for s in live} == {controller.service.heartbeat.boot} and {s.every_s for s in live} == {HEARTBEAT_S}
        assert [s.at for s in live] == sorted(s.at for s in live)
    finally:
        device.stop()

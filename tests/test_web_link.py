"""The web process's link to the hall: the mirror it keeps, and commands awaited on asyncio through the
one requester — against a real broker and the real controller."""
from __future__ import annotations

import asyncio
import time

from appkit.cli import Broker
from tests.support.hall import Inbox
from web.link import WebLink


async def started(link: WebLink, timeout: float = 10.0) -> None:
    link.start()
    deadline = time.monotonic() + timeout
    while not (link.online and link.mirror.ready and "queues" in link.mirror.arrived):
        assert time.monotonic() < deadline, "the link never saw the controller and the hall"
        await asyncio.sleep(0.02)


def test_commands_are_awaited_on_the_loop_and_the_rights_are_the_controllers(controller, kiosk):
    async def scenario():
        changes: list[str] = []
        link = WebLink(controller.hall, "L1", Broker("127.0.0.1", controller.broker.port), asyncio.get_running_loop(),
                       admin_broker=Broker("127.0.0.1", controller.broker.port), on_change=changes.append)
        try:
            await started(link)
            stats = await link.admin.send("stats")
            assert stats["ok"] and stats["result"]["hall"]["issued"] == 0
            refused = await link.public.send("config_get")
            assert not refused["ok"] and refused["error"]["code"] == "forbidden"  # web-* is no admin
            changes.clear()
            kiosk.request("issue_ticket", {"category": "social", "group": "normal", "lang": "zh"})
            deadline = time.monotonic() + 5
            while link.mirror.category("social").waiting != 1:
                assert time.monotonic() < deadline, "the mirror never heard of the ticket"
                await asyncio.sleep(0.02)
            assert "queues" in changes  # the live pages were told, on the loop
        finally:
            link.stop()
    asyncio.run(scenario())


def test_a_form_sent_twice_makes_one_command_and_both_hear_its_reply(controller):
    wire = Inbox()
    controller.device("display-spy", deliver=wire, watch=(controller.service.topics.cmd_all(),))

    async def scenario():
        link = WebLink(controller.hall, "L2", Broker("127.0.0.1", controller.broker.port), asyncio.get_running_loop(),
                       admin_broker=Broker("127.0.0.1", controller.broker.port))
        try:
            await started(link)
            first, second = await asyncio.gather(link.admin.send("stats", key="report-1"),
                                                 link.admin.send("stats", key="report-1"))
            assert first is second and first["ok"]
            await link.admin.send("stats", key="report-2")
        finally:
            link.stop()
    asyncio.run(scenario())
    sent = [m for m in wire.messages if m.topic.endswith("/cmd/admin-L2/stats")]
    assert len(sent) == 2 and sent[0].json()["id"] != sent[1].json()["id"]


def test_without_a_live_controller_a_command_is_refused_at_once(broker):
    async def scenario():
        link = WebLink("nohall", "L3", Broker("127.0.0.1", broker.port), asyncio.get_running_loop())
        link.start()
        try:
            reply = await link.public.send("rate", {"rating_token": "x" * 16, "level": 5}, wait_s=30)
            assert reply["ok"] is False and reply["error"]["code"] == "offline" and not link.online
            assert link.public.client.requests.open_requests() == []  # nothing kept to go out later
        finally:
            link.stop()
    asyncio.run(scenario())

"""The web tier's pure parts: the token buckets, the live hub, what the access log says, the `web:`
config section. Time is passed in; the hub runs on a real event loop."""
from __future__ import annotations

import asyncio
import logging

import pytest

from config.schema import ConfigError, validate
from web.hub import KEEPALIVE, Hub, frame
from web.ratelimit import Limiter, retry_after
from web.security import AccessLogFilter, mask_address, redact_path

# --- token buckets -------------------------------------------------------------------------------


def test_a_burst_then_the_rate_then_refused_until_a_token_comes_back():
    limiter = Limiter(per_s=2, burst=3)
    assert [limiter.take("a", 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("a", 100.0)
    assert wait == pytest.approx(0.5) and retry_after(wait) == 1
    assert limiter.take("a", 100.2) == pytest.approx(0.3 / 1)  # 0.4 token back: 0.6 missing at 2/s
    assert limiter.take("a", 100.5) == 0.0  # a whole token after 0.5 s (the refused takes cost nothing)
    assert limiter.take("b", 100.5) == 0.0  # another address has its own bucket


def test_a_bucket_refills_to_its_burst_and_no_further():
    limiter = Limiter(per_s=1, burst=2)
    limiter.take("a", 0.0), limiter.take("a", 0.0)
    assert limiter.take("a", 3600.0) == 0.0 and limiter.take("a", 3600.0) == 0.0
    assert limiter.take("a", 3600.0) > 0


def test_a_clock_stepping_back_gives_no_tokens():
    limiter = Limiter(per_s=1, burst=1)
    assert limiter.take("a", 50.0) == 0.0
    assert limiter.take("a", 10.0) > 0 and limiter.take("a", 50.5) > 0
    assert limiter.take("a", 51.0) == 0.0


def test_the_table_forgets_the_longest_silent_address_past_its_size():
    limiter = Limiter(per_s=1, burst=1, max_clients=3)
    for address in "abcd":
        limiter.take(address, 0.0)
    assert len(limiter) == 3
    assert limiter.take("a", 0.0) == 0.0  # forgotten: a full bucket again
    assert limiter.take("d", 0.0) > 0  # remembered: still empty


def test_bad_bucket_settings_are_refused():
    with pytest.raises(ValueError):
        Limiter(per_s=0, burst=1)


# --- the hub -------------------------------------------------------------------------------------


def test_sse_frames_carry_every_line_of_a_fragment():
    assert frame("hall", "<p>a</p>\n<p>b</p>") == b"event: hall\ndata: <p>a</p>\ndata: <p>b</p>\n\n"


def run(coroutine):
    return asyncio.run(coroutine)


async def take(stream, n, keepalive_s=5.0):
    got = []
    async for data in stream.frames(keepalive_s):
        got.append(data)
        if len(got) == n:
            break
    return got


def test_one_publish_reaches_every_page_of_its_channel_only():
    async def scenario():
        hub = Hub()
        pages = [hub.open(["hall:zh"]) for _ in range(500)]
        other = hub.open(["hall:en"])
        assert hub.publish("hall:zh", "hall", "<p>1</p>") == 500
        got = await asyncio.gather(*(take(page, 1) for page in pages))
        assert all(g == [frame("hall", "<p>1</p>")] for g in got)
        assert other.pending == {}
        assert hub.channels() == ["hall:zh", "hall:en"]
    run(scenario())


def test_a_slow_page_keeps_only_the_newest_frame_of_a_key():
    async def scenario():
        hub = Hub()
        page = hub.open(["hall:zh"])
        for n in range(100):
            hub.publish("hall:zh", "hall", f"<p>{n}</p>")
        assert await take(page, 1) == [frame("hall", "<p>99</p>")]
    run(scenario())


def test_a_page_too_far_behind_is_closed_and_removed():
    async def scenario():
        hub = Hub(max_pending=2)
        page, quick = hub.open(["t:1"]), hub.open(["t:1"])
        hub.publish("t:1", "a", "1")
        hub.publish("t:1", "b", "2")
        assert await take(quick, 2) == [frame("a", "1"), frame("b", "2")]
        hub.publish("t:1", "c", "3")  # `page` has a, b unsent: a third key is too many
        assert page.closed and hub.streams == 1 and hub.dropped == 1
        assert await take(quick, 1) == [frame("c", "3")]
    run(scenario())


def test_pages_over_the_limit_are_refused_and_a_closed_page_frees_its_place():
    async def scenario():
        hub = Hub(max_streams=2)
        first, _ = hub.open(["x"]), hub.open(["x"])
        assert hub.open(["x"]) is None
        hub.close(first)
        assert hub.open(["x"]) is not None and hub.listeners("x") == 2
    run(scenario())


def test_a_quiet_stream_sends_keepalives_and_ends_when_the_hub_shuts_down():
    async def scenario():
        hub = Hub()
        page = hub.open(["x"])
        assert await take(page, 2, keepalive_s=0.01) == [KEEPALIVE, KEEPALIVE]
        hub.shutdown()
        assert await take(page, 1) == [] and hub.streams == 0
    run(scenario())


def test_pages_opened_together_do_not_send_their_keepalives_together(monkeypatch):
    from web import hub as hubs

    async def scenario():
        hub, waits = Hub(), []
        loop = asyncio.get_running_loop()
        real = loop.call_later

        def timed(delay, callback, *args):
            if getattr(callback, "__func__", None) is hubs.Stream._quiet:
                waits.append(delay)
                delay = 0
            return real(delay, callback, *args)

        monkeypatch.setattr(loop, "call_later", timed)
        pages = [hub.open(["x"]) for _ in range(50)]
        for page in pages:
            await take(page, 1, keepalive_s=20)
        assert all(10 <= wait <= 20 for wait in waits) and max(waits) - min(waits) > 5  # spread over seconds
        hub.shutdown()
        assert await take(page, 1) == [] and hub.streams == 0
    run(scenario())


def test_the_response_ends_by_removing_its_page_from_the_hub():
    async def scenario():
        hub = Hub()
        page = hub.open(["x"])
        body = hub.response(page, [frame("x", "first")]).body_iterator
        assert await body.__anext__() == b"retry: 3000\n\n"
        assert await body.__anext__() == frame("x", "first")
        await body.aclose()  # what Starlette does when the browser goes away
        assert hub.streams == 0 and hub.channels() == []
    run(scenario())


# --- the access log ------------------------------------------------------------------------------


@pytest.mark.parametrize("path, logged", [
    ("/guides?q=13800138000", "/guides"),
    ("/t/Zk3mQ8rT2vB7nW4x?lang=en", "/t/…"),
    ("/t/Zk3mQ8rT2vB7nW4x/rate", "/t/…/rate"),
    ("/progress/110101199003071234", "/progress/110…"),
    ("/guides/B03", "/guides/B03"),
])
def test_the_access_log_shows_no_token_no_query_and_no_long_number(path, logged):
    assert redact_path(path) == logged


def test_the_access_log_filter_rewrites_uvicorns_line():
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("203.0.113.7:50123", "GET", "/t/Zk3mQ8rT2vB7nW4x?x=1", "1.1", 200), None)
    assert AccessLogFilter().filter(record)
    assert record.getMessage() == '203.0.113.x - "GET /t/… HTTP/1.1" 200'
    assert mask_address("2001:db8:1:2::7") == "2001:db8:1:…"


# --- the config ------------------------------------------------------------------------------------


def test_the_web_section_is_checked_strictly(demo_raw):
    assert validate({**demo_raw, "web": {"public_url": "https://hall.example.cn"}}).web.listen == "127.0.0.1:8080"
    for web, key in (({"public_url": "ftp://x"}, "web.public_url"), ({"public_url": "https://x/"}, "web.public_url"),
                     ({"listen": "8080"}, "web.listen"), ({"trusted_proxies": ["nginx"]}, "web.trusted_proxies"),
                     ({"rate_limits": {"forms": {"per_s": 0, "burst": 1}}}, "web.rate_limits.forms.per_s"),
                     ({"max_body_bytes": 10}, "web.max_body_bytes"), ({"colour": "red"}, "web.colour")):
        with pytest.raises(ConfigError) as refused:
            validate({**demo_raw, "web": web})
        assert refused.value.key == key, web


# --- the tickets with a page open (web/tickets.py) ---------------------------------------------------


class Controller:
    """`ticket_by_token` as the controller answers it, from a table the test changes."""

    def __init__(self, tickets: dict):
        self.tickets, self.asked = tickets, []

    async def send(self, action, fields, key=None):
        await asyncio.sleep(0)
        if action == "places":
            self.asked.append(("places", *fields["rating_tokens"]))
            return {"ok": True, "result": {"places": {
                token: {"ahead": self.tickets[token]["ahead"], "est_wait_s": 60 * self.tickets[token]["ahead"]}
                for token in fields["rating_tokens"] if self.tickets.get(token, {}).get("status") == "waiting"}}}
        self.asked.append(fields["rating_token"])
        found = self.tickets.get(fields["rating_token"])
        if found is None:
            return {"ok": False, "error": {"code": "not_found"}}
        return {"ok": True, "result": {"ticket": dict(found)}}


def waiting(tid: str, category: str = "social", ahead: int = 2) -> dict:
    return {"id": tid, "number": tid[-4:], "category": category, "status": "waiting", "window": None,
            "ahead": ahead, "times_called": 0, "transfers": 0, "level": None, "rateable": False}


def test_a_ticket_is_followed_from_the_events_and_its_place_asked_again_when_its_queue_moves():
    from web.tickets import TicketBook

    mine, other, taxed = "MINEMINEMINEMINE", "OTHEROTHEROTHER2", "TAXTAXTAXTAXTAX2"
    controller = Controller({mine: waiting("d-B002"), other: waiting("d-B001", ahead=0), taxed: waiting("d-E001", "tax")})
    changes, open_pages = [], {"d-B002", "d-E001"}

    async def run():
        book = TicketBook(controller, lambda kind, ids: changes.append((kind, ids)), lambda tid: tid in open_pages)
        assert (await book.lookup("not a token")).missing and controller.asked == []  # never sent
        assert (await book.lookup("A" * 16)).missing
        for token in (mine, other, taxed):
            assert (await book.lookup(token)).record["status"] == "waiting"
        assert book.followed(mine) is book.by_token(mine) and book.followed(other) is None  # no page of it open
        controller.asked.clear()
        controller.tickets[mine] = waiting("d-B002", ahead=1)
        book.event("called", {"ticket_id": "d-B001", "category": "social", "window": 3, "times_called": 1})
        assert book.by_id("d-B001")["status"] == "called" and book.by_id("d-B001")["window"] == 3
        await asyncio.sleep(0.01)
        assert controller.asked == [("places", mine)]  # only the open pages waiting in that queue, in one go
        assert book.by_token(mine)["ahead"] == 1 and book.by_token(mine)["est_wait_s"] == 60
        book.event("ticket", {"kind": "issued", "ticket_id": "d-B003", "category": "social"})
        await asyncio.sleep(0.01)
        assert controller.asked == [("places", mine)]  # a new ticket is behind: nobody asks
        before = len(changes)
        book.event("called", {"ticket_id": "d-B002", "category": "social", "window": 4, "times_called": 2})
        record = book.by_token(mine)
        assert (record["status"], record["window"], record["times_called"], record["rateable"]) == ("called", 4, 2, True)
        assert changes[before:] == [("ticket", {"d-B002"})]  # only that ticket's pages are rendered again
        for step, status in (("held", "held"), ("no_show", "no_show"), ("finished", "done")):
            book.event("ticket", {"kind": step, "ticket_id": "d-B002", "category": "social", "window": 4})
            assert book.by_token(mine)["status"] == status
        book.event("rating", {"kind": "rated", "ticket_id": "d-B002", "level": 5})
        assert book.by_token(mine)["level"] == 5 and not book.by_token(mine)["rateable"]
        controller.tickets[taxed] = {**waiting("d-E001", "fund"), "transfers": 1}
        book.event("ticket", {"kind": "transferred", "ticket_id": "d-E001", "category": "fund", "status": "waiting"})
        assert book.by_token(taxed)["category"] == "fund" and book.by_token(taxed)["transfers"] == 1
        await asyncio.sleep(0.01)
        del controller.tickets[mine]  # gone after qr_days: forgotten too
        assert (await book.lookup(mine)).missing and book.by_token(mine) is None and book.by_id("d-B002") is None

    asyncio.run(run())


def test_a_burst_of_moves_in_one_queue_is_one_request_and_one_more_after_it():
    from web.tickets import TicketBook

    mine, yours = "MINEMINEMINEMINE", "YOURSYOURSYOURS2"
    controller = Controller({mine: waiting("d-B009", ahead=5), yours: waiting("d-B010", ahead=6)})

    async def run():
        book = TicketBook(controller, lambda kind, ids: None, lambda tid: True)
        await book.lookup(mine), await book.lookup(yours)
        controller.asked.clear()
        for n in range(5):  # five calls in a row, before any answer
            book.event("called", {"ticket_id": f"d-B00{n}", "category": "social", "window": 3, "times_called": 1})
        await asyncio.sleep(0.02)
        assert controller.asked == [("places", mine, yours)] * 2

    asyncio.run(run())


def test_a_change_that_names_its_channels_renders_only_those():
    from web.hub import Hub
    from web.live import DELAY_S, Feed, Live

    async def run():
        hub, rendered = Hub(), []

        def render(feed):
            return lambda argument: (rendered.append(f"{feed}:{argument}"), (feed, argument))[1]

        live = Live(hub, {"ticket": Feed(frozenset({"ticket", "queues"}), render("ticket")),
                          "hall": Feed(frozenset({"queues"}), render("hall"))}, asyncio.get_running_loop())
        streams = {channel: hub.open([channel]) for channel in ("ticket:zh:a", "ticket:en:a", "ticket:zh:b", "hall:zh")}
        live.changed("ticket", ["ticket:zh:a", "ticket:en:a", "ticket:zh:gone", "hall:zh"])
        await asyncio.sleep(DELAY_S * 3)
        assert sorted(rendered) == ["ticket:en:a", "ticket:zh:a"]  # not b, not the hall (it follows no ticket)
        assert list(streams["ticket:zh:a"].pending) == ["ticket"] and not streams["ticket:zh:b"].pending
        rendered.clear()
        live.changed("queues")
        live.changed("ticket", ["ticket:zh:b"])
        await asyncio.sleep(0)
        assert rendered == ["ticket:zh:b"]  # at the loop's next turn, not DELAY_S later
        rendered.clear()
        live.changed("queues")  # in the same burst: every channel of both feeds, each once
        await asyncio.sleep(DELAY_S * 3)
        assert sorted(rendered) == ["hall:zh", "ticket:en:a", "ticket:zh:a", "ticket:zh:b"]

    asyncio.run(run())


def test_a_render_equal_to_what_a_channel_was_last_sent_is_not_sent_again():
    from web.hub import Hub
    from web.live import DELAY_S, Feed, Live

    async def run():
        hub, state = Hub(), {"text": "5 ahead"}
        live = Live(hub, {"ticket": Feed(frozenset({"window"}), lambda argument: ("ticket", state["text"]))},
                    asyncio.get_running_loop())
        old = hub.open(["ticket:zh:a"])

        async def change() -> None:
            live.changed("window")
            await asyncio.sleep(DELAY_S * 3)

        await change()
        assert old.pending.popitem()[1] == b"event: ticket\ndata: 5 ahead\n\n"
        await change()  # a window changed, this page did not: nothing goes out
        assert not old.pending
        state["text"] = "4 ahead"
        await change()
        assert old.pending.popitem()[1].endswith(b"4 ahead\n\n")
        state["text"] = "3 ahead"
        new = hub.open(["ticket:zh:a"])
        assert live.first("ticket:zh:a").endswith(b"3 ahead\n\n")  # a page opening has the state now ...
        state["text"] = "4 ahead"  # ... and when it goes back to what the others were last sent,
        await change()             # every page is sent it again, the new one too
        assert new.pending and old.pending

    asyncio.run(run())


def test_a_feed_whose_key_did_not_change_is_not_rendered_again():
    from web.hub import Hub
    from web.live import DELAY_S, Feed, Live

    async def run():
        hub, state, rendered = Hub(), {"key": 1, "text": "5 ahead"}, []

        def render(argument):
            rendered.append(argument)
            return "ticket", state["text"]

        live = Live(hub, {"ticket": Feed(frozenset({"queues"}), render, lambda argument: state["key"])},
                    asyncio.get_running_loop())
        page = hub.open(["ticket:zh:a"])

        async def change() -> None:
            live.changed("queues")
            await asyncio.sleep(DELAY_S * 3)

        await change()
        assert rendered == ["zh:a"] and page.pending.popitem()[1].endswith(b"5 ahead\n\n")
        await change()  # the queues changed, not what this page depends on
        assert rendered == ["zh:a"] and not page.pending
        state.update(key=2, text="4 ahead")
        await change()
        assert rendered == ["zh:a", "zh:a"] and page.pending.popitem()[1].endswith(b"4 ahead\n\n")
        hub.open(["ticket:zh:a"])
        live.first("ticket:zh:a")  # a page opening: the next change renders again, whatever the key
        await change()
        assert len(rendered) == 4

    asyncio.run(run())


def test_many_channels_are_rendered_a_slice_at_a_time_each_slice_sent_before_the_next():
    from web.hub import Hub
    from web.live import SLICE, Feed, Live

    async def run():
        hub, rendered, unsent = Hub(), [], []
        pages = {f"zh:{n}": hub.open([f"ticket:zh:{n}"]) for n in range(SLICE * 2 + 10)}

        def render(argument):
            if len(rendered) == SLICE:  # the second slice begins: have the first slice's frames gone out?
                unsent.append(sum(1 for done in rendered if pages[done].pending))
            rendered.append(argument)
            return "ticket", argument

        live = Live(hub, {"ticket": Feed(frozenset({"ticket"}), render)}, asyncio.get_running_loop())
        readers = [asyncio.ensure_future(take(page, 1)) for page in pages.values()]
        await asyncio.sleep(0)
        live.changed("ticket", [f"ticket:{argument}" for argument in pages])
        got = await asyncio.gather(*readers)
        assert unsent == [0] and len(rendered) == len(pages)
        assert got == [[frame("ticket", argument)] for argument in pages]

    asyncio.run(run())

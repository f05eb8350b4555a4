"""A kiosk's ID card reader (GA 467 SAM): find, select, read base info; publish a card read with no ID number.

The reader only answers, so the driver asks (find card every `search_s`),
and a card is read once per time it is put down: while it stays on the
reader the find succeeds and nothing is read again. What leaves the bridge
is the salted hash of the ID number (contract.privacy.hash_id_number, with
the hall-wide salt, so the controller can match appointments and the
no-show blacklist), the masked name, sex, age and whether the card has
expired. The number itself, the address and the photo never leave this module.
"""
from __future__ import annotations

import datetime as dt
import logging

from contract.privacy import hash_id_number, mask_name

from ..codecs import ga467
from .base import Driver

log = logging.getLogger("bridge.idreader")

NEXT = {"find": ("select", ga467.SELECT), "select": ("read", ga467.READ_BASE)}  # the step after a successful one


class Ga467Reader(Driver):
    parser_class = ga467.Parser

    def __init__(self, name, cfg, bridge):
        super().__init__(name, cfg, bridge)
        self.device = next(iter(cfg.devices))
        self.search_s = cfg.devices[self.device].search_s
        self.step: tuple[str, float] | None = None  # the request out and its deadline
        self.card_on = False  # a card was read and has not been lifted yet
        self._next_search = 0.0

    def ask(self, step: str, command: bytes, now: float) -> None:
        if self.write(ga467.request(command)):
            self.step = (step, now + self.cfg.answer_timeout_s)
            self.expect(self.device, now)

    def on_port(self, up: bool, now: float) -> None:
        self.step, self.card_on = None, False  # after a replug, a card lying there is read again
        super().on_port(up, now)

    def tick(self, now: float) -> None:
        super().tick(now)
        if self.step is not None and now > self.step[1]:
            self.counts["timeout"] += 1
            self.step = None
        if self.step is None and now >= self._next_search and self.port.is_open:
            self._next_search = now + self.search_s
            self.ask("find", ga467.FIND, now)

    def on_item(self, payload: bytes, now: float) -> None:
        response = ga467.as_response(payload)
        if response is None or self.step is None:
            self.counts["unexpected"] += 1
            return
        self.heard(self.device, now)
        step, self.step = self.step[0], None
        if step == "find":
            if not response.ok:
                self.card_on = False
                return
            if self.card_on:
                return
        elif not response.ok:
            self.counts["read_failed"] += 1
            log.info("%s: %s failed (SW3 0x%02X)", self.device, step, response.sw3)
            return
        if step in NEXT:
            self.ask(*NEXT[step], now)
            return
        self.card_on = True
        self.card(response.data, now)

    def card(self, data: bytes, now: float) -> None:
        try:
            info = ga467.decode_base_info(data)
        except ValueError as exc:
            self.counts["bad_card_data"] += 1
            log.warning("%s: unreadable base info: %s", self.device, exc)
            return
        if not info.id_number:
            self.counts["bad_card_data"] += 1
            log.warning("%s: a card without an ID number", self.device)
            return
        today = dt.date.today()
        event = {"at": self.bridge.wall(), "id_hash": hash_id_number(info.id_number, self.bridge.salt),
                 "name": mask_name(info.name), "sex": ga467.SEXES.get(info.sex, ga467.SEXES["0"])[0],
                 "age": info.age(today), "expired": info.expired(today)}
        self.counts["cards"] += 1
        log.info("%s: card of %s read (hash %s…)", self.device, event["name"], event["id_hash"][:8])
        self.bridge.publish(self.bridge.topics.bridge_device(self.bridge.device_id, self.device, "card"), event)

"""A hall on an engine and a real SQLite store, without a broker: each command its own committed batch,
then the settling of no-shows — as the service runs them — at a time the test sets."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from config.loader import load
from config.schema import validate
from contract.messages import ACTIONS
from controller import dispatch
from controller.rights import acting_window
from controller.engine import Engine
from controller.store import Batch, Store, StoreView
from testbed.controller import DEMO_CONFIG
from tests.support.engine import command_fields

TZ = ZoneInfo("Asia/Shanghai")


def local(text: str) -> float:
    """Epoch seconds of a hall-local "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp()


def demo_config(**appointments):
    """The demo hall, open all day, with appointment keys changed."""
    config, _ = load(DEMO_CONFIG)
    raw = config.model_dump(mode="json")
    raw["appointments"] = {**raw["appointments"], **appointments}
    return validate(raw)


def hall_hours(hall_raw: dict) -> dict:
    """The test hall sells tickets all day; bookings keep the demo hall's working hours, so its
    evening off-hours slots exist."""
    hall_raw["appointments"]["hours"] = [["08:30", "12:00"], ["13:30", "17:30"]]
    return hall_raw


class BookingHall:
    def __init__(self, path, config, now: float):
        self.store, self.config, self.now = Store(str(path)), config, now
        self.engine = Engine(config, self.store.secret(), now)
        self.events: list[str] = []

    def _batch(self, run):
        batch = Batch()
        stored = StoreView(self.store, batch)
        tick = self.engine.tick(self.now)
        batch.add(tick, day=self.engine.day, device="controller", request_id=None, action="tick")
        out = run(stored)
        if out is not None:
            batch.add(out, day=self.engine.day, device="t", request_id=None, action="t")
        settled = dispatch.settle(self.engine, self.now, stored)
        batch.add(settled, day=self.engine.day, device="controller", request_id=None, action="settle")
        self.store.commit(batch)
        self.events += [e.kind for o in (out, settled) if o is not None for e in o.events]
        return out

    def command(self, device: str, action: str, **fields):
        """The outcome: `.result`, or `.error` (a CommandError)."""
        fields = command_fields(action, fields)
        window = acting_window(device, ACTIONS[action][0], None, action)
        return self._batch(lambda stored: dispatch.apply(self.engine, action, device, fields, self.now, window,
                                                         stored=stored))

    def ok(self, device: str, action: str, **fields) -> dict:
        out = self.command(device, action, **fields)
        assert out.error is None, out.error
        return out.result

    def refused(self, error_code: str, device: str, action: str, **fields):
        out = self.command(device, action, **fields)
        assert out.error is not None and out.error.code == error_code, (out.error, out.result)
        return out.error

    def at(self, now: float) -> None:
        """Time passes: the next batch (none if nothing comes) settles what fell due."""
        self.now = now
        self._batch(lambda stored: None)

    def close(self) -> None:
        self.store.close()

#!/usr/bin/env python3
"""Benchmark of 预约 booking: the `book_appointment` reply as a kiosk sees it, with 10,000 bookings stored.

Run: `.venv/bin/python bench/appointments.py [--stored 10000] [--bookings 400]`.

Why it measures what it measures:

- What a citizen at the kiosk (or a web page) waits for is the reply to `book_appointment`: the clock
  starts when the request is handed to the kiosk's MQTT client and stops when its reply arrives. The
  reply comes only after the batch is committed (WAL, synchronous=FULL), so every figure includes an
  fsync.
- A booking reads what the store holds: the slot's bookings (capacity), the person's bookings (a
  duplicate, the no-shows) and their bar. Those are indexed queries; the store is filled first with
  `--stored` bookings of other people over the next ten working days (written in one transaction
  through the store's own commit, as the controller would have written them), so the figures are those
  of a hall some weeks into booking, not of an empty table.
- The real controller runs on a thread of this process (testbed/controller.py) on a private Mosquitto,
  with a hall clock fixed on a Monday morning, so every slot asked for is bookable. One booking at a
  time, each by a new person: latency, not throughput. The first 20 are a warm-up.
No figure is asserted: this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.controller import percentiles  # noqa: E402
from config.schema import validate  # noqa: E402
from controller import appointments, booking  # noqa: E402
from controller.store import Batch, Store  # noqa: E402
from testbed.broker import PrivateBroker  # noqa: E402
from testbed.controller import RunningController  # noqa: E402

NOW = datetime.fromisoformat("2026-03-02T08:00:00+08:00").timestamp()  # a Monday
WARM_UP = 20


class Clock:
    def __call__(self) -> float:
        return NOW


def hall_raw() -> dict:
    raw = yaml.safe_load((ROOT / "config" / "hall.yaml").read_text(encoding="utf-8"))
    raw["hall"] = "benchbook"
    raw["appointments"]["capacity"] = 60
    raw["appointments"]["categories"] = {}
    return raw


def bookable_slots(config) -> list[tuple[str, float]]:
    """(category, slot start) of every working-hours slot of the next ten working days."""
    out = []
    for offset in range(1, 16):
        day = date(2026, 3, 2) + timedelta(days=offset)
        for code in config.categories:
            tgt = booking.target(config, code, None)
            for slot in booking.day_slots(config, tgt, day):
                try:
                    booking.bookable_now(config, slot, NOW)
                except Exception:
                    continue
                out.append((code, slot.start))
    return out


def fill(db: Path, config, count: int, slots) -> float:
    """`count` bookings of other people, committed in one batch through the store; seconds taken."""
    started = time.perf_counter()
    store = Store(str(db))
    secret, batch = store.secret(), Batch()
    for n in range(count):
        category, start = slots[n % len(slots)]
        phone = f"137{n:08d}"
        id_key, phone_key = appointments.keys_of({"phone": phone}, secret)
        tgt = booking.target(config, category, None)
        code = appointments.new_code(secret, "fill", n)
        batch.rows.setdefault("appointments", {})[code] = appointments.booking(
            code, category, None, start, start + tgt.slot_minutes * 60, "张三", phone, NOW - 86400,
            timezone=config.timezone, pool=tgt.pool, channel="web", device="web-bench", id_key=id_key,
            phone_key=phone_key)
    store.commit(batch)
    store.close()
    return time.perf_counter() - started


def run(stored: int, bookings: int) -> dict:
    raw = hall_raw()
    config = validate(raw)
    slots = bookable_slots(config)
    with tempfile.TemporaryDirectory() as folder, PrivateBroker() as broker:
        db = Path(folder) / "hall.db"
        fill_s = fill(db, config, stored, slots)
        running = RunningController(raw, db, broker, clock=Clock())
        try:
            kiosk = running.device("kiosk-K1")
            times, refused = [], {}
            for n in range(bookings + WARM_UP):
                category, start = slots[(n * 7919) % len(slots)]
                fields = {"category": category, "slot_start": int(start), "channel": "kiosk",
                          "applicant": {"phone": f"139{n:08d}"}}
                t0 = time.perf_counter()
                reply = kiosk.request("book_appointment", fields, timeout=10)
                took = time.perf_counter() - t0
                if not reply["ok"]:
                    refused[reply["error"]["code"]] = refused.get(reply["error"]["code"], 0) + 1
                if n >= WARM_UP:
                    times.append(took)
            days = sorted({booking.local(start, booking.ZoneInfo(config.timezone)).date().isoformat()
                           for _, start in slots})
            in_store = sum(len(appointments.day_rows(running.store, day, config.timezone)) for day in days)
        finally:
            running.stop()
    return {"started": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "stored_before": stored,
            "stored_after": in_store, "fill_s": round(fill_s, 2), "book_appointment_ms": percentiles(times),
            "refused": refused, "slots": len(slots), "machine": {"python": platform.python_version(),
                                                               "platform": platform.platform()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=400)
    args = parser.parse_args()
    results = run(args.stored, args.bookings)
    figures = results["book_appointment_ms"]
    print(f"book_appointment with {results['stored_before']} bookings stored ({results['slots']} slots): "
          f"{figures['count']} replies, median {figures['median']} ms, p90 {figures['p90']} ms, "
          f"p99 {figures['p99']} ms, max {figures['max']} ms; refused {results['refused'] or 'none'}; "
          f"{results['stored_after']} bookings stored after")
    out = ROOT / "bench" / "results" / f"appointments-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

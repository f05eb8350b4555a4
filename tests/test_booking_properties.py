"""预约 by property: random bookings, cancels, check-ins and time jumps on a real SQLite store never put
more bookings in a slot than it holds, and never bar a person with fewer than the configured no-shows."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.booking import BookingHall, demo_config, local

CONFIG = demo_config(capacity=2, late_grace_s=600,
                     blacklist={"enabled": True, "no_shows": 2, "period_days": 3, "bar_days": 2})
START = local("2026-03-02 08:00")  # a Monday
SLOTS = [local(f"2026-03-0{day} {hhmm}") for day in (2, 3, 4, 5) for hhmm in ("09:00", "09:30", "14:00")]
ITEMS = ("B01", "B03", None)
PEOPLE = [{"phone": f"1380000{n:04d}"} for n in range(3)] + [{"id_hash": "a" * 64, "phone": "13800000000"}]
book = st.tuples(st.just("book"), st.integers(0, len(PEOPLE) - 1), st.integers(0, len(SLOTS) - 1),
                 st.integers(0, len(ITEMS) - 1))

steps = st.lists(st.one_of(
    book, book, book,
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("check_in"), st.integers(0, 30)),
    st.tuples(st.just("wait"), st.integers(1, 24 * 60)),
), min_size=5, max_size=60)


def check(hall: BookingHall) -> None:
    rows = list(hall.store.db.query("SELECT * FROM appointments"))
    held: dict[tuple, int] = {}
    for row in rows:
        if row["status"] in ("booked", "checked_in"):
            held[(row["pool"], row["slot_start"])] = held.get((row["pool"], row["slot_start"]), 0) + 1
    assert all(n <= 2 for n in held.values()), held
    rule = CONFIG.appointments.blacklist
    for bar in hall.store.db.query("SELECT * FROM appointment_bars"):
        missed = [r for r in rows if r["status"] == "no_show" and bar["key"] in (r["id_key"], r["phone_key"])
                  and bar["since"] - rule.period_days * 86400 <= r["slot_start"] <= bar["since"]]
        assert len(missed) >= rule.no_shows, (bar, missed)
        assert len(json.loads(bar["no_shows"])) >= rule.no_shows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_capacity_holds_and_only_enough_no_shows_bar(plan):
    with tempfile.TemporaryDirectory() as folder:
        hall = BookingHall(Path(folder) / "hall.db", CONFIG, START)
        codes: list[str] = []
        try:
            for step in plan:
                if step[0] == "book":
                    _, who, slot, item = step
                    fields = {"item": ITEMS[item]} if ITEMS[item] else {"category": "social"}
                    out = hall.command("kiosk-K1", "book_appointment", slot_start=int(SLOTS[slot]),
                                       applicant=PEOPLE[who], channel="kiosk", **fields)
                    if out.error is None:
                        codes.append(out.result["appointment"]["code"])
                    else:
                        assert out.error.code in ("slot_full", "out_of_window", "duplicate", "blacklisted"), out.error
                elif step[0] in ("cancel", "check_in") and codes:
                    code = codes[step[1] % len(codes)]
                    if step[0] == "cancel":
                        row = hall.store.record("appointments", code)
                        digits = row["phone"][-4:] if row["phone"] else None
                        hall.command("kiosk-K1", "cancel_appointment", code=code, phone_last4=digits)
                    else:
                        hall.command("kiosk-K1", "check_in", appointment_code=code)
                elif step[0] == "wait":
                    hall.at(hall.now + step[1] * 60)
                check(hall)
        finally:
            hall.close()

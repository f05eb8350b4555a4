"""The controller's SQLite store: the ledger and the tables a restart reads.

One transaction per batch of commands (group commit): the service applies a
batch to the engine, hands the rows here, and publishes replies only after
`commit()` returns — a reply means durable. WAL with synchronous=FULL keeps a
committed batch through a power cut, not only through `kill -9`.

The hot path writes with prepared SQL on the sqlite-utils connection;
sqlite-utils' table helpers open their own transactions, which would split a
batch in two.

This is the only module with SQL (tests/test_sql_in_store.py): every query
anything else needs is a method with a name. `StoreView` is what a command
reads through, so that it sees the records of the batch not yet committed.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

import sqlite_utils

from .change import latest_calls
from .datakey import CHECK, DataKey, DataKeyError
from .model import Event, Session, Ticket, Window

LIVE = ("waiting", "called", "serving", "held", "no_show")
SQLITE_VERSION = sqlite3.sqlite_version


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Columns and snapshot keys that hold a phone number: sealed with the data key (controller/datakey.py)
# in every table and in the ledger's before/after/data, opened again when read.
SEALED = frozenset({"phone", "applicant_phone"})
# What the retention setting (`privacy.retention_days`) forgets: a person's phone, name and ID hash.
PERSONAL = ("applicant_id_hash", "applicant_name", "applicant_phone", "applicant", "phone")


def _columns(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


TICKET_COLUMNS = _columns(Ticket)
WINDOW_COLUMNS = _columns(Window)
SESSION_COLUMNS = ["key"] + _columns(Session)
LEDGER_COLUMNS = ["at", "day", "device", "request_id", "action", "kind", "ticket_id", "window", "staff_id",
                  "before", "after", "data"]


def _upsert_sql(table: str, columns: list[str], pk: str) -> str:
    cols = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != pk)
    return f"INSERT INTO [{table}] ({cols}) VALUES ({marks}) ON CONFLICT([{pk}]) DO UPDATE SET {updates}"


# Records that outlive a service day, kept beside the queue: table -> (primary key, columns).
RECORDS: dict[str, tuple[str, dict[str, type]]] = {
    "ratings": ("ticket_id", {"ticket_id": str, "day": str, "number": str, "category": str, "item": str,
                              "window": int, "staff_id": str, "level": int, "bad": int, "reasons": str,
                              "comment": str, "channel": str, "device": str, "at": float, "real_name": int}),
    # cases (controller/cases.py): 差评 follow-ups, complaints and consultations, by `kind`
    "followups": ("id", {"id": str, "ticket_id": str, "number": str, "day": str, "window": int, "staff_id": str,
                         "level": int, "reasons": str, "real_name": int, "phone": str, "opened_at": float,
                         "deadline_at": float, "status": str, "verdict": str, "closed_at": float,
                         "updated_at": float, "history": str, "kind": str, "channel": str, "item": str,
                         "category": str, "text": str, "assignee": str, "reply": str}),
    # 办件 (controller/applications.py): its steps, its linked tickets (JSON ids), the accepting window and
    # staff, and its time limit: accepted, the promised working days, a 补正 pause, due and 办结
    "applications": ("application_no", {"application_no": str, "item": str, "applicant": str, "status": str,
                                        "updated_at": float, "history": str, "phone": str, "tickets": str,
                                        "window": int, "staff_id": str, "accepted_at": float, "limit_days": int,
                                        "paused_at": float, "paused_days": int, "due_at": float,
                                        "closed_at": float, "on_time": int}),
    # 办理进度 wrong tries (controller/applications.py): per application number and per device
    "progress_tries": ("key", {"key": str, "wrong": int, "since": float, "until": float}),
    # 预约 (controller/appointments.py): `phone` sealed at rest like every phone; a person is counted by
    # `id_key`/`phone_key`, salted hashes (contract/privacy.py, person_key)
    "appointments": ("code", {"code": str, "category": str, "item": str, "slot_start": float, "slot_end": float,
                              "applicant": str, "phone": str, "created_at": float, "checked_in_at": float,
                              "ticket_id": str, "status": str, "day": str, "pool": str, "off_hours": int,
                              "channel": str, "device": str, "id_key": str, "phone_key": str,
                              "cancelled_at": float, "no_show_at": float, "platform_id": str,
                              "reminded_at": float}),
    # 预约黑名单: one row per person key, the latest bar
    "appointment_bars": ("key", {"key": str, "since": float, "until": float, "no_shows": str, "phone": str,
                                 "lifted_at": float, "lifted_by": str, "reason": str}),
    # 电子监察 alerts (controller/alerts.py): open until their cause is gone; acked, assigned, 督办, their trail (JSON)
    "alerts": ("id", {"id": int, "key": str, "kind": str, "level": str, "status": str, "category": str,
                      "window": int, "ticket_id": str, "number": str, "followup_id": str, "since": float,
                      "opened_at": float, "escalated_at": float, "closed_at": float, "acked_at": float,
                      "acked_by": str, "note": str, "text_zh": str, "text_en": str, "day": str,
                      "assigned_to": str, "assigned_at": float, "assigned_by": str, "duban_deadline": float,
                      "duban_at": float, "duban_by": str, "duban_note": str, "overdue_at": float, "trail": str}),
    # 好差评 reports to the provincial platform, queued with their rating (controller/outbox.py)
    "outbox": ("id", {"id": str, "kind": str, "ticket_id": str, "after_id": str, "record": str,
                      "created_at": float, "attempts": int, "next_try_at": float, "sent_at": float,
                      "last_error": str, "last_status": int}),
    # 线上取号 (controller/remote.py): a phone's request for a category's ticket, its code never stored
    "remote_challenges": ("id", {"id": str, "phone": str, "phone_key": str, "category": str, "day": str,
                                 "created_at": float, "sent_at": float, "expires_at": float, "sends": int,
                                 "wrong": int, "status": str, "ticket_id": str, "used_at": float, "device": str}),
    # remote tickets called and missed (or called back after), what the no-show bar counts
    "remote_no_shows": ("ticket_id", {"ticket_id": str, "phone_key": str, "day": str, "at": float, "status": str,
                                      "came_back_at": float}),
    # the written notices of a 补正 or a refusal, kept until the window's printer printed them (controller/notices.py)
    "notice_prints": ("id", {"id": str, "ticket_id": str, "number": str, "window": int, "printer": str,
                             "outcome": str, "blocks": str, "created_at": float, "attempts": int,
                             "printed_at": float, "last_error": str, "paper": str}),
    # a staff number or a window locked after too many wrong PINs (controller/pins.py), kept over a restart
    "pin_locks": ("key", {"key": str, "kind": str, "window": int, "staff_id": str, "device": str,
                          "locked_at": float, "until": float, "wrong": int}),
}


@dataclass
class Batch:
    """Rows of several commands, written in one transaction."""

    tickets: dict[str, dict] = field(default_factory=dict)
    windows: dict[int, dict] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)
    ledger: list[tuple] = field(default_factory=list)
    replies: list[tuple] = field(default_factory=list)
    configs: list[tuple] = field(default_factory=list)
    rows: dict[str, dict] = field(default_factory=dict)  # table of RECORDS -> key -> row

    def add(self, outcome, *, day: str, device: str, request_id: str | None, action: str) -> None:
        self.tickets.update(outcome.tickets)
        self.windows.update(outcome.windows)
        self.sessions.update(outcome.sessions)
        for table, rows in outcome.rows.items():
            self.rows.setdefault(table, {}).update(rows)
        if outcome.config is not None:
            new = outcome.config
            self.configs.append((new["version"], new["at"], device, "admin", None,
                                 json.dumps(new["config"], ensure_ascii=False)))
        for event in outcome.events:
            self.ledger.append(ledger_row(event, day=day, request_id=request_id, action=action))

    def __bool__(self) -> bool:
        return bool(self.tickets or self.windows or self.sessions or self.ledger or self.replies or self.configs
                    or self.rows)


def ledger_row(event: Event, *, day: str, request_id: str | None, action: str) -> tuple:
    """A ledger row with its snapshots still as dicts: the store seals them as it writes them."""
    return (event.at, day, event.device, request_id, action, event.kind, event.ticket_id, event.window,
            event.staff_id, event.before, event.after, event.data or None)


def default_key_path(db_path: str) -> str:
    """Where the data key is when no other place is given: beside the database, as `<db>.key`."""
    return f"{db_path}.key"


def _private(path: str) -> None:
    """The database file readable and writable by its owner only (0600), made so before SQLite opens
    it; SQLite gives its -wal and -shm files the database file's mode."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.chmod(path + suffix, 0o600)


class Store:
    def __init__(self, path: str, synchronous: str = "FULL", data_key: str | None = None):
        """Open (or make) the store at `path` with the data key in `data_key` (default: `<path>.key`).

        A new database without its key file gets a new key (the first start is the set-up); an
        existing database whose key is missing, open to others or not its own raises DataKeyError
        here, before anything is served."""
        self.path = path
        key_path = data_key or default_key_path(path)
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        self.key = DataKey.make(key_path) if new and not os.path.exists(key_path) else DataKey.load(key_path)
        _private(path)
        self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False, isolation_level=None))
        self.db.enable_wal()
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.execute("PRAGMA secure_delete=ON")  # forgotten values are overwritten, not left in free pages
        self._create()
        self._check_key()
        self._sql = {
            "ticket": _upsert_sql("tickets", TICKET_COLUMNS, "id"),
            "window": _upsert_sql("windows", WINDOW_COLUMNS, "number"),
            "session": _upsert_sql("staff_sessions", SESSION_COLUMNS, "key"),
            "ledger": f"INSERT INTO ledger ({', '.join(f'[{c}]' for c in LEDGER_COLUMNS)}) "
                      f"VALUES ({', '.join('?' for _ in LEDGER_COLUMNS)})",
            "reply": "INSERT OR IGNORE INTO replies (device, request_id, at, action, reply) VALUES (?, ?, ?, ?, ?)",
            # an admin change (file_hash None) descends from the file the latest version came from
            "config": "INSERT INTO config_versions (version, at, device, source, file_hash, config) "
                      "VALUES (?, ?, ?, ?, COALESCE(?, (SELECT file_hash FROM config_versions "
                      "ORDER BY version DESC LIMIT 1)), ?)",
        }

    def _create(self) -> None:
        db = self.db

        def schema(cls) -> dict:
            out = {}
            for f in dataclasses.fields(cls):
                base = str(f.type).replace(" | None", "")
                out[f.name] = {"int": int, "float": float, "bool": int}.get(base, str)
            return out

        db["tickets"].create(schema(Ticket), pk="id", if_not_exists=True)
        db["tickets"].create_index(["day", "number"], unique=True, if_not_exists=True)
        db["tickets"].create_index(["status"], if_not_exists=True)
        db["tickets"].create_index(["rating_token"], if_not_exists=True)
        db["windows"].create(schema(Window), pk="number", if_not_exists=True)
        db["staff_sessions"].create({"key": str, **schema(Session)}, pk="key", if_not_exists=True)
        db["ledger"].create({"seq": int, "at": float, "day": str, "device": str, "request_id": str, "action": str,
                             "kind": str, "ticket_id": str, "window": int, "staff_id": str, "before": str,
                             "after": str, "data": str}, pk="seq", if_not_exists=True)
        db["ledger"].create_index(["day"], if_not_exists=True)
        db["ledger"].create_index(["ticket_id"], if_not_exists=True)
        db["ledger"].create_index(["kind"], if_not_exists=True)
        db["replies"].create({"device": str, "request_id": str, "at": float, "action": str, "reply": str},
                             pk=("device", "request_id"), if_not_exists=True)
        db["config_versions"].create({"version": int, "at": float, "device": str, "source": str, "file_hash": str,
                                      "config": str}, pk="version", if_not_exists=True)
        db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        for table, (pk, columns) in RECORDS.items():
            db[table].create(columns, pk=pk, if_not_exists=True)
        db["followups"].create_index(["status"], if_not_exists=True)
        db["alerts"].create_index(["status"], if_not_exists=True)
        db["outbox"].create_index(["sent_at", "next_try_at"], if_not_exists=True)
        db["notice_prints"].create_index(["printed_at"], if_not_exists=True)
        # a store made by an older version gains the columns added since
        for table, columns in (("tickets", schema(Ticket)), ("windows", schema(Window)),
                               *((t, c) for t, (_, c) in RECORDS.items())):
            existing = db[table].columns_dict
            for name, kind in columns.items():
                if name not in existing:
                    db[table].add_column(name, kind)
        # applications stored before time limits: their statuses renamed (controller/applications.py, LEGACY);
        # they have no clock, so no due date and no place in the on-time rate
        db.execute("UPDATE applications SET status = CASE status WHEN 'submitted' THEN 'accepted' "
                   "WHEN 'reviewing' THEN 'in_progress' WHEN 'approved' THEN 'result_ready' "
                   "WHEN 'rejected' THEN 'refused' WHEN 'delivered' THEN 'collected' END "
                   "WHERE status IN ('submitted', 'reviewing', 'approved', 'rejected', 'delivered')")
        db["applications"].create_index(["status"], if_not_exists=True)
        db["applications"].create_index(["closed_at"], if_not_exists=True)
        db["applications"].create_index(["updated_at"], if_not_exists=True)
        # follow-ups stored before cases had kinds are 差评 follow-ups
        db.execute("UPDATE followups SET kind = 'rating_followup', channel = 'rating' WHERE kind IS NULL")
        db["remote_challenges"].create_index(["phone_key", "day"], if_not_exists=True)
        db["remote_challenges"].create_index(["category", "day"], if_not_exists=True)
        db["remote_no_shows"].create_index(["phone_key", "at"], if_not_exists=True)
        for columns in (["pool", "slot_start"], ["slot_start"], ["id_key"], ["phone_key"], ["status", "slot_end"],
                        ["platform_id"]):
            db["appointments"].create_index(columns, if_not_exists=True)

    # --- sealing (controller/datakey.py) ------------------------------------------------

    def _seal(self, row: dict | None) -> dict | None:
        """A row or snapshot with its phone numbers sealed (the same dict when it holds none)."""
        if not row or not any(row.get(k) is not None for k in SEALED):
            return row
        return {k: self.key.seal(v) if k in SEALED and isinstance(v, str) else v for k, v in row.items()}

    def _open(self, row: dict | None) -> dict | None:
        if not row or not any(row.get(k) is not None for k in SEALED):
            return row
        return {k: self.key.open(v) if k in SEALED and isinstance(v, str) else v for k, v in row.items()}

    def _check_key(self) -> None:
        """Refuse a key that is not this store's; on the first start with a key, seal what an
        older version stored in the clear."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'data_key_check'").fetchone()
        if row is None:
            self.reseal(self.key)
            return
        try:
            ok = self.key.open(row[0]) == CHECK
        except DataKeyError:
            ok = False
        if not ok:
            raise DataKeyError(f"data key {self.key.path} is not the key of {self.path} (the store was "
                               "sealed with another key): give the hall's key file (--data-key, QMS_DATA_KEY)")

    def personal_values(self) -> Iterable[tuple[str, str, tuple, str, Any]]:
        """Every stored value that may hold a phone number: (table, column, row key, key column, value)."""
        for table, key_column, column in (("tickets", "id", "applicant_phone"),
                                          *((t, pk, c) for t, (pk, cols) in RECORDS.items() for c in cols
                                            if c in SEALED)):
            for key, value in self.db.execute(f"SELECT [{key_column}], [{column}] FROM [{table}] "
                                              f"WHERE [{column}] IS NOT NULL").fetchall():
                yield table, column, key, key_column, value
        for seq, *values in self.db.execute("SELECT seq, before, after, data FROM ledger WHERE before LIKE "
                                            "'%phone\"%' OR after LIKE '%phone\"%' OR data LIKE '%phone\"%'"
                                            ).fetchall():
            for column, value in zip(("before", "after", "data"), values):
                if value is not None:
                    yield "ledger", column, seq, "seq", value

    def reseal(self, key: DataKey) -> int:
        """Seal every phone number again with `key`'s newest key, in one transaction (the key
        rotation; on a store from before sealing, the first sealing). Returns the values resealed."""
        conn, done = self.db.conn, 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table, column, row_key, key_column, value in list(self.personal_values()):
                if table == "ledger":
                    snapshot = json.loads(value)
                    new = _json({k: key.reseal(v) if k in SEALED and isinstance(v, str) else v
                                 for k, v in snapshot.items()}) if isinstance(snapshot, dict) else value
                else:
                    new = key.reseal(value)
                if new != value:
                    conn.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE [{key_column}] = ?", [new, row_key])
                    done += 1
            conn.execute("INSERT INTO meta (key, value) VALUES ('data_key_check', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key.seal(CHECK)])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self.key = key
        return done

    # --- writing -----------------------------------------------------------------

    def commit(self, batch: Batch) -> None:
        """Write a batch in one transaction; raises (and rolls back) on failure."""
        if not batch:
            return
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if batch.tickets:
                conn.executemany(self._sql["ticket"], [[r[c] for c in TICKET_COLUMNS]
                                                       for r in map(self._seal, batch.tickets.values())])
            if batch.windows:
                conn.executemany(self._sql["window"], [[r[c] for c in WINDOW_COLUMNS] for r in batch.windows.values()])
            if batch.sessions:
                conn.executemany(self._sql["session"], [[r[c] for c in SESSION_COLUMNS] for r in batch.sessions.values()])
            if batch.ledger:
                conn.executemany(self._sql["ledger"], [
                    (*row[:9], _json(self._seal(row[9])), _json(self._seal(row[10])), _json(self._seal(row[11])))
                    for row in batch.ledger])
            if batch.replies:
                conn.executemany(self._sql["reply"], batch.replies)
            if batch.configs:
                conn.executemany(self._sql["config"], batch.configs)
            for table, rows in batch.rows.items():
                columns = list(RECORDS[table][1])
                conn.executemany(_upsert_sql(table, columns, RECORDS[table][0]),
                                 [[row.get(c) for c in columns] for row in map(self._seal, rows.values())])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # --- reading -------------------------------------------------------------------

    def secret(self) -> bytes:
        """The hall's secret for rating tokens, made once and kept."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        if row:
            return bytes.fromhex(row[0])
        value = os.urandom(16)
        self.db.execute("INSERT INTO meta (key, value) VALUES ('secret', ?)", [value.hex()])
        return value

    def load_tickets(self, day: str) -> list[Ticket]:
        """Today's tickets, and any earlier ticket still open (the day rolls over on load)."""
        rows = self.db.query(f"SELECT * FROM tickets WHERE day = ? OR status IN ({', '.join('?' for _ in LIVE)})",
                             [day, *LIVE])
        return [Ticket(**self._open(row)) for row in rows]

    def ticket_by_token(self, token: str) -> Ticket | None:
        """A ticket of any day by its rating token (a citizen's QR page after the day of service)."""
        row = next(self.db.query("SELECT * FROM tickets WHERE rating_token = ?", [token]), None)
        return Ticket(**self._open(row)) if row else None

    def ticket_outcome(self, ticket_id: str) -> dict | None:
        """What came of a ticket's service, as its `ticket_finished` recorded it: {outcome, materials?,
        reasons?}; None before it is finished (a ticket finished before outcomes were recorded: accepted)."""
        row = self.db.execute("SELECT data FROM ledger WHERE ticket_id = ? AND kind = 'ticket_finished' "
                              "ORDER BY seq DESC LIMIT 1", [ticket_id]).fetchone()
        if row is None:
            return None
        data = self._open(json.loads(row[0])) if row[0] else {}
        return {"outcome": data.get("outcome", "accepted"),
                **{key: data[key] for key in ("materials", "reasons") if data.get(key)}}

    def load_windows(self) -> list[Window]:
        flags = ("paused", "tidal", "tidal_pinned")
        return [Window(**{**row, **{flag: bool(row[flag]) for flag in flags}})
                for row in self.db.query("SELECT * FROM windows")]

    def load_open_sessions(self) -> list[Session]:
        rows = self.db.query("SELECT * FROM staff_sessions WHERE logout_at IS NULL")
        return [Session(**{k: v for k, v in row.items() if k != "key"}) for row in rows]

    def recent_services(self, limit: int) -> dict[str, list[float]]:
        """The last service times per category, oldest first, exactly as the engine kept them:
        from its `ticket_finished` events (a ticket closed by the day's end is not a service)."""
        rows = self.db.query(
            "SELECT category, s FROM (SELECT json_extract(after, '$.category') AS category, "
            "json_extract(data, '$.service_s') AS s, seq, ROW_NUMBER() OVER (PARTITION BY "
            "json_extract(after, '$.category') ORDER BY seq DESC) AS rn FROM ledger WHERE kind = 'ticket_finished') "
            "WHERE rn <= ? ORDER BY seq", [limit])
        out: dict[str, list[float]] = {}
        for row in rows:
            out.setdefault(row["category"], []).append(float(row["s"]))
        return out

    def recent_calls(self, day: str, limit: int) -> list[dict]:
        """The day's latest calls, one per ticket, oldest first (what Engine.calls held)."""
        rows = self.db.execute(
            "SELECT after, at FROM ledger WHERE day = ? AND kind IN ('ticket_called', 'ticket_recalled') "
            "ORDER BY seq DESC LIMIT ?", [day, limit * 50]).fetchall()
        return latest_calls(((json.loads(after), at) for after, at in rows), limit)

    def next_seq(self) -> int:
        row = self.db.execute("SELECT MAX(seq) FROM tickets").fetchone()
        return (row[0] or 0) + 1

    def reply_for(self, device: str, request_id: str) -> dict | None:
        row = self.db.execute("SELECT reply FROM replies WHERE device = ? AND request_id = ?",
                              [device, request_id]).fetchone()
        return json.loads(row[0]) if row else None

    def latest_config(self) -> dict | None:
        row = self.db.execute("SELECT version, source, file_hash, config FROM config_versions "
                              "ORDER BY version DESC LIMIT 1").fetchone()
        if not row:
            return None
        return {"version": row[0], "source": row[1], "file_hash": row[2], "config": json.loads(row[3])}

    def config_log(self) -> list[dict]:
        """Every config version without its body, oldest first: who made it, from where, when."""
        rows = self.db.execute("SELECT version, at, device, source, file_hash FROM config_versions "
                               "ORDER BY version").fetchall()
        return [dict(zip(("version", "at", "device", "source", "file_hash"), row)) for row in rows]

    def config_history(self, limit: int) -> list[dict]:
        """The newest `limit` config versions without their bodies, newest first, each with who made
        it and what it changed when a command did (its ledger event's `user`, `summary`, `restored`)."""
        rows = self.db.execute("SELECT version, at, device, source FROM config_versions ORDER BY version DESC "
                               "LIMIT ?", [limit]).fetchall()
        if not rows:
            return []
        made = {event["data"].get("version"): event["data"] for event in self.ledger(
            "kind = 'config_changed' AND json_extract(data, '$.version') >= ?", [rows[-1][0]])}
        return [{"version": version, "at": at, "device": device, "source": source,
                 "user": made.get(version, {}).get("user"), "summary": made.get(version, {}).get("summary", []),
                 "restored": made.get(version, {}).get("restored")} for version, at, device, source in rows]

    def config_body(self, version: int) -> dict | None:
        """One stored config version's body (as `latest_config` gives it), or None."""
        row = self.db.execute("SELECT config FROM config_versions WHERE version = ?", [version]).fetchone()
        return json.loads(row[0]) if row else None

    def ledger(self, where: str = "1", params: Iterable = ()) -> list[dict]:
        rows = self.db.query(f"SELECT * FROM ledger WHERE {where} ORDER BY seq", list(params))
        return [{**r, "before": self._open(json.loads(r["before"])) if r["before"] else None,
                 "after": self._open(json.loads(r["after"])) if r["after"] else None,
                 "data": self._open(json.loads(r["data"])) if r["data"] else {}} for r in rows]

    def answered_requests(self) -> set[tuple[str, str]]:
        return {(device, request_id) for device, request_id in
                self.db.execute("SELECT device, request_id FROM replies").fetchall()}

    def ticket_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM tickets").fetchall()]

    def numbers_given_twice(self) -> int:
        """Tickets that share a day and a number with another (the unique index should make it 0)."""
        total, distinct = self.db.execute("SELECT COUNT(*), COUNT(DISTINCT day || number) FROM tickets").fetchone()
        return total - distinct

    # --- the records beside the queue (RECORDS) -------------------------------------------

    def record(self, table: str, key) -> dict | None:
        pk = RECORDS[table][0]
        return self._open(next(self.db.query(f"SELECT * FROM [{table}] WHERE [{pk}] = ?", [key]), None))

    def followups(self, status: str | None = None) -> list[dict]:
        """差评 follow-ups, all or of one status, the earliest deadline first."""
        if status is None:
            return list(map(self._open, self.db.query("SELECT * FROM followups ORDER BY deadline_at")))
        return list(map(self._open, self.db.query("SELECT * FROM followups WHERE status = ? ORDER BY deadline_at",
                                                  [status])))

    def appointments(self, start: float, end: float) -> list[dict]:
        """预约 bookings whose slot starts in [start, end), the earliest first."""
        return list(map(self._open, self.db.query("SELECT * FROM appointments WHERE slot_start >= ? AND "
                                                  "slot_start < ? ORDER BY slot_start, code", [start, end])))

    def open_followups(self) -> list[dict]:
        return list(map(self._open, self.db.query("SELECT * FROM followups WHERE status != 'closed' "
                                                  "ORDER BY deadline_at")))

    def alerts(self, status: str | None = None, day: str | None = None, limit: int | None = None) -> list[dict]:
        """电子监察 alerts, the newest first; `status` open or closed, `day` the service day opened."""
        where, params = ["1"], []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if day is not None:
            where.append("day = ?")
            params.append(day)
        params.append(-1 if limit is None else limit)
        return list(self.db.query(f"SELECT * FROM alerts WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
                                  params))

    def pin_locks(self, now: float) -> list[dict]:
        """The PIN lock-outs still running at `now`."""
        return [self._open(row) for row in self.db.query("SELECT * FROM pin_locks WHERE until > ?", [now])]

    def outbox_due(self, now: float, limit: int) -> list[dict]:
        """Reports not yet acknowledged whose next try is due, the oldest first; a rectification only
        once its rating is sent."""
        return list(self.db.query(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND next_try_at <= ? AND (after_id IS NULL OR "
            "NOT EXISTS (SELECT 1 FROM outbox AS r WHERE r.id = outbox.after_id AND r.sent_at IS NULL)) "
            "ORDER BY created_at LIMIT ?", [now, limit]))

    def notices_unprinted(self, limit: int = 200) -> list[dict]:
        """The window notices not printed yet, the oldest first (controller/notices.py)."""
        return list(self.db.query("SELECT * FROM notice_prints WHERE printed_at IS NULL ORDER BY created_at LIMIT ?",
                                  [limit]))

    def outbox_backlog(self, sent_since: float | None = None) -> dict:
        """The reports not yet acknowledged: how many, the oldest, how many failed at least once, the
        next try, the latest error; and how many were sent, in all and since `sent_since` (today)."""
        waiting, oldest, failing, next_try = self.db.execute(
            "SELECT COUNT(*), MIN(created_at), COALESCE(SUM(attempts > 0), 0), MIN(next_try_at) FROM outbox "
            "WHERE sent_at IS NULL").fetchone()
        sent, sent_since_count = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(sent_at >= ?), 0) FROM outbox WHERE sent_at IS NOT NULL",
            [sent_since if sent_since is not None else float("inf")]).fetchone()
        last = self.db.execute("SELECT last_error FROM outbox WHERE sent_at IS NULL AND last_error IS NOT NULL "
                               "ORDER BY next_try_at DESC LIMIT 1").fetchone()
        return {"waiting": waiting, "oldest_at": oldest, "failing": failing, "next_try_at": next_try,
                "sent": sent, "sent_today": sent_since_count, "last_error": last[0] if last else None}

    def outbox_waiting(self, limit: int) -> list[dict]:
        """The oldest `limit` reports not yet acknowledged, each with its ticket's number and day (from
        its rating: a rectification's ticket is its rating's) — never the record, which names people."""
        return list(self.db.query(
            "SELECT o.id, o.kind, o.ticket_id, o.after_id, o.created_at, o.attempts, o.next_try_at, o.last_error, "
            "o.last_status, r.number, r.day FROM outbox AS o LEFT JOIN ratings AS r ON r.ticket_id = o.ticket_id "
            "WHERE o.sent_at IS NULL ORDER BY o.created_at, o.id LIMIT ?", [limit]))

    def slot_bookings(self, pool: str, slot_start: float) -> list[dict]:
        """The bookings of one slot that hold a place in it (booked or checked in)."""
        return list(map(self._open, self.db.query("SELECT * FROM appointments WHERE pool = ? AND slot_start = ? "
                                                  "AND status IN ('booked', 'checked_in')", [pool, slot_start])))

    def person_bookings(self, keys: list[str]) -> list[dict]:
        """Every booking of a person, by any of their keys (ID or phone)."""
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        return list(map(self._open, self.db.query(
            f"SELECT * FROM appointments WHERE id_key IN ({marks}) OR phone_key IN ({marks})", [*keys, *keys])))

    def bookings_due(self, ended_before: float) -> list[dict]:
        """Bookings neither checked in nor cancelled whose slot ended before the time given."""
        return list(map(self._open, self.db.query("SELECT * FROM appointments WHERE status = 'booked' "
                                                  "AND slot_end < ? ORDER BY slot_end", [ended_before])))

    def bookings_to_remind(self, starting_before: float, now: float) -> list[dict]:
        """Bookings not yet reminded whose slot starts between `now` and the time given."""
        return list(map(self._open, self.db.query(
            "SELECT * FROM appointments WHERE status = 'booked' AND reminded_at IS NULL AND slot_start > ? "
            "AND slot_start <= ? ORDER BY slot_start", [now, starting_before])))

    def booking_of_platform(self, platform_id: str) -> dict | None:
        return self._open(next(self.db.query("SELECT * FROM appointments WHERE platform_id = ?", [platform_id]), None))

    def bars(self, now: float) -> list[dict]:
        """预约黑名单: the bars in force at `now`, the latest first."""
        return list(map(self._open, self.db.query("SELECT * FROM appointment_bars WHERE lifted_at IS NULL "
                                                  "AND until > ? ORDER BY since DESC", [now])))

    def remote_challenges(self, phone_key: str, day: str) -> list[dict]:
        """线上取号: a phone's challenges of a service day."""
        return list(map(self._open, self.db.query("SELECT * FROM remote_challenges WHERE phone_key = ? AND day = ? "
                                                  "ORDER BY created_at", [phone_key, day])))

    def remote_tickets_of(self, category: str, day: str) -> list[dict]:
        """The challenges of a category and service day that became tickets."""
        return list(map(self._open, self.db.query("SELECT * FROM remote_challenges WHERE category = ? AND day = ? "
                                                  "AND ticket_id IS NOT NULL", [category, day])))

    def remote_no_shows(self, phone_key: str, since: float) -> list[dict]:
        """A phone's remote tickets missed (or called back) since the time given."""
        return list(self.db.query("SELECT * FROM remote_no_shows WHERE phone_key = ? AND at >= ? ORDER BY at",
                                  [phone_key, since]))

    def last_alert_id(self) -> int:
        return self.db.execute("SELECT MAX(id) FROM alerts").fetchone()[0] or 0

    # --- figures ------------------------------------------------------------------------
    # What controller/figures.py and the daily report replay; nothing here computes a figure.

    def day_ledger(self, day: str) -> list[dict]:
        """A service day's ledger rows, in order: from the rollover that opened it (the closing of
        the day before is recorded under this day, ahead of it) to the rollover that closed it (the
        first events of the next day's first tick)."""
        opened = self.db.execute("SELECT MIN(seq) FROM ledger WHERE kind = 'day_rollover' "
                                 "AND json_extract(data, '$.new_day') = ?", [day]).fetchone()[0]
        closed = self.db.execute("SELECT seq, day FROM ledger WHERE kind = 'day_rollover' "
                                 "AND json_extract(data, '$.closed_day') = ? ORDER BY seq LIMIT 1", [day]).fetchone()
        where, params = "(day = ? AND seq > ?)", [day, opened or 0]
        if closed is not None:
            where, params = f"{where} OR (day = ? AND seq <= ?)", [*params, closed[1], closed[0]]
        return self.ledger(where, params)

    def forecast_events(self, first_day: str, last_day: str) -> list[dict]:
        """Tickets issued and finished on the days [first_day, last_day), what controller/forecast.py learns
        from: {day, at, kind, category, service_s}."""
        rows = self.db.execute(
            "SELECT day, at, kind, json_extract(after, '$.category'), json_extract(data, '$.service_s') "
            "FROM ledger WHERE kind IN ('ticket_issued', 'ticket_finished') AND day >= ? AND day < ? ORDER BY seq",
            [first_day, last_day]).fetchall()
        return [{"day": day, "at": at, "kind": kind, "category": category, "service_s": service_s}
                for day, at, kind, category, service_s in rows]

    def ledger_counts(self, day: str) -> dict[str, int]:
        """How many ledger rows of each kind were recorded under a day."""
        return {kind: n for kind, n in self.db.execute(
            "SELECT kind, COUNT(*) FROM ledger WHERE day = ? GROUP BY kind ORDER BY kind", [day]).fetchall()}

    def open_applications(self) -> list[dict]:
        """办件 whose clock runs: not yet 办结 and with a due date (what 电子监察 watches)."""
        return list(map(self._open, self.db.query(
            "SELECT * FROM applications WHERE closed_at IS NULL AND due_at IS NOT NULL ORDER BY due_at")))

    def applications_of_ticket(self, ticket_id: str, since: float) -> list[dict]:
        """办件 the ticket is linked to (its id in `tickets`), among those changed since `since` — a
        ticket is linked on its day or later, so its day's start bounds the search."""
        rows = self.db.query("SELECT * FROM applications WHERE updated_at >= ? AND instr(tickets, ?) > 0",
                             [since, json.dumps(ticket_id)])
        return [self._open(row) for row in rows if ticket_id in json.loads(row["tickets"] or "[]")]

    def applications_closed(self, start: float, end: float) -> list[dict]:
        """办件 办结 in [start, end) (epoch seconds), with their due dates: the on-time rate's rows."""
        return list(map(self._open, self.db.query(
            "SELECT * FROM applications WHERE closed_at >= ? AND closed_at < ? ORDER BY closed_at",
            [start, end])))

    def followups_of_day(self, day: str) -> list[dict]:
        """The 差评 follow-ups of the ratings given on a day, as they stand now."""
        return list(map(self._open, self.db.query("SELECT * FROM followups WHERE day = ? AND kind = 'rating_followup'", [day])))

    # --- housekeeping --------------------------------------------------------------------

    def forget_personal(self, before: float) -> dict[str, int]:
        """Replace by null the personal data (PERSONAL) recorded before `before` (epoch seconds), in
        one transaction: tickets issued, bookings whose slot ended, applications last changed and
        closed follow-ups closed before it (an open follow-up keeps its phone: the citizen is still
        to be called back), and the same fields in the ledger's snapshots. Every row stays and keeps
        its keys: the figures of past days replay as before. The ledger is read on from where the
        last pass stopped. Returns the rows changed per table."""
        conn, counts = self.db.conn, {}
        nulls = ", ".join(f"'$.{name}', NULL" for name in PERSONAL)
        filled = " OR ".join(f"json_extract([{c}], '$.{k}') IS NOT NULL" for c in ("before", "after", "data")
                             for k in PERSONAL)
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table, when, extra in (("tickets", "issued_at", ""), ("appointments", "slot_end", ""),
                                       ("applications", "updated_at", ""), ("remote_challenges", "created_at", ""),
                                       ("followups", "closed_at", " AND status = 'closed'")):
                columns = [c for c in PERSONAL if c in self.db[table].columns_dict]
                counts[table] = conn.execute(
                    f"UPDATE [{table}] SET {', '.join(f'[{c}] = NULL' for c in columns)} WHERE [{when}] < ?{extra} "
                    f"AND ({' OR '.join(f'[{c}] IS NOT NULL' for c in columns)})", [before]).rowcount
            row = conn.execute("SELECT value FROM meta WHERE key = 'forgotten_seq'").fetchone()
            since = int(row[0]) if row else 0
            stop = conn.execute("SELECT MIN(seq) FROM ledger WHERE seq > ? AND at >= ?", [since, before]).fetchone()[0]
            until = stop - 1 if stop is not None else conn.execute("SELECT MAX(seq) FROM ledger").fetchone()[0] or 0
            counts["ledger"] = conn.execute(
                f"UPDATE ledger SET before = json_replace(before, {nulls}), after = json_replace(after, {nulls}), "
                f"data = json_replace(data, {nulls}) WHERE seq > ? AND seq <= ? AND ({filled})",
                [since, until]).rowcount
            conn.execute("INSERT INTO meta (key, value) VALUES ('forgotten_seq', ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [str(max(since, until))])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if any(counts.values()):
            self.checkpoint()
        return counts

    def checkpoint(self) -> None:
        """Copy the -wal file into the database and empty it: after a rotation or a retention pass,
        no old copy of a changed page is left in the -wal file."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def prune_outbox(self, before: float) -> int:
        """Delete the reports the platform acknowledged before `before`; those still waiting stay."""
        return self.db.execute("DELETE FROM outbox WHERE sent_at < ?", [before]).rowcount

    def prune_notices(self, before: float) -> int:
        """Delete the window notices printed before `before`; the unprinted stay until they are."""
        return self.db.execute("DELETE FROM notice_prints WHERE printed_at < ?", [before]).rowcount

    def prune_replies(self, before: float) -> int:
        return self.db.execute("DELETE FROM replies WHERE at < ?", [before]).rowcount

    def close(self) -> None:
        self.db.conn.close()


class StoreView:
    """The store as the batch being built sees it: the batch's own record rows first, then the store's.

    Every read a command makes of stored data goes through here, so a command sees the records an
    earlier command of the same batch wrote (a follow-up a moment old, an appointment just added)
    before the batch is committed. The ledger is read as committed: its figures are of past batches.
    """

    def __init__(self, store: Store, batch: Batch):
        self.store, self.batch = store, batch

    def get(self, table: str, key) -> dict | None:
        pending = self.batch.rows.get(table)
        if pending and key in pending:
            return pending[key]
        return self.store.record(table, key)

    def _merged(self, table: str, stored: list[dict], keep, order, limit: int | None = None) -> list[dict]:
        pending = self.batch.rows.get(table)
        if not pending:
            return stored
        pk = RECORDS[table][0]
        rows = {row[pk]: row for row in stored}
        for key, row in pending.items():
            if keep(row):
                rows[key] = row
            else:
                rows.pop(key, None)
        return sorted(rows.values(), key=order)[:limit]

    def followups(self, status: str | None = None) -> list[dict]:
        return self._merged("followups", self.store.followups(status),
                            lambda row: status is None or row["status"] == status, _by_deadline)

    def appointments(self, start: float, end: float) -> list[dict]:
        return self._merged("appointments", self.store.appointments(start, end),
                            lambda row: start <= row["slot_start"] < end, lambda row: (row["slot_start"], row["code"]))

    def open_followups(self) -> list[dict]:
        return self._merged("followups", self.store.open_followups(), lambda row: row["status"] != "closed",
                            _by_deadline)

    def open_applications(self) -> list[dict]:
        return self._merged("applications", self.store.open_applications(),
                            lambda row: row.get("closed_at") is None and row.get("due_at") is not None,
                            lambda row: row["due_at"])

    def applications_of_ticket(self, ticket_id: str, since: float) -> list[dict]:
        return self._merged("applications", self.store.applications_of_ticket(ticket_id, since),
                            lambda row: ticket_id in json.loads(row.get("tickets") or "[]"),
                            lambda row: row["application_no"])

    def applications_closed(self, start: float, end: float) -> list[dict]:
        return self._merged("applications", self.store.applications_closed(start, end),
                            lambda row: row.get("closed_at") is not None and start <= row["closed_at"] < end,
                            lambda row: row["closed_at"])

    def followups_of_day(self, day: str) -> list[dict]:
        return self._merged("followups", self.store.followups_of_day(day),
                            lambda row: row["day"] == day and row.get("kind", "rating_followup") == "rating_followup",
                            _by_deadline)

    def alerts(self, status: str | None = None, day: str | None = None, limit: int | None = None) -> list[dict]:
        return self._merged("alerts", self.store.alerts(status, day, limit),
                            lambda row: (status is None or row["status"] == status) and (day is None or row["day"] == day),
                            lambda row: -row["id"], limit)

    def slot_bookings(self, pool: str, slot_start: float) -> list[dict]:
        return self._merged("appointments", self.store.slot_bookings(pool, slot_start),
                            lambda row: row["pool"] == pool and row["slot_start"] == slot_start
                            and row["status"] in ("booked", "checked_in"), _by_slot)

    def person_bookings(self, keys: list[str]) -> list[dict]:
        return self._merged("appointments", self.store.person_bookings(keys),
                            lambda row: row.get("id_key") in keys or row.get("phone_key") in keys, _by_slot)

    def bookings_due(self, ended_before: float) -> list[dict]:
        return self._merged("appointments", self.store.bookings_due(ended_before),
                            lambda row: row["status"] == "booked" and row["slot_end"] < ended_before,
                            lambda row: row["slot_end"])

    def bookings_to_remind(self, starting_before: float, now: float) -> list[dict]:
        return self._merged("appointments", self.store.bookings_to_remind(starting_before, now),
                            lambda row: row["status"] == "booked" and row.get("reminded_at") is None
                            and now < row["slot_start"] <= starting_before, _by_slot)

    def booking_of_platform(self, platform_id: str) -> dict | None:
        pending = self.batch.rows.get("appointments") or {}
        return next((row for row in pending.values() if row.get("platform_id") == platform_id), None) \
            or self.store.booking_of_platform(platform_id)

    def bars(self, now: float) -> list[dict]:
        return self._merged("appointment_bars", self.store.bars(now),
                            lambda row: row["lifted_at"] is None and row["until"] > now, lambda row: -row["since"])

    def remote_challenges(self, phone_key: str, day: str) -> list[dict]:
        return self._merged("remote_challenges", self.store.remote_challenges(phone_key, day),
                            lambda row: row["phone_key"] == phone_key and row["day"] == day,
                            lambda row: row["created_at"])

    def remote_tickets_of(self, category: str, day: str) -> list[dict]:
        return self._merged("remote_challenges", self.store.remote_tickets_of(category, day),
                            lambda row: row["category"] == category and row["day"] == day
                            and row.get("ticket_id") is not None, lambda row: row["created_at"])

    def remote_no_shows(self, phone_key: str, since: float) -> list[dict]:
        return self._merged("remote_no_shows", self.store.remote_no_shows(phone_key, since),
                            lambda row: row["phone_key"] == phone_key and row["at"] >= since, lambda row: row["at"])

    def day_ledger(self, day: str) -> list[dict]:
        return self.store.day_ledger(day)

    def config_history(self, limit: int) -> list[dict]:
        """As committed: a version made earlier in the same batch is listed once it is."""
        return self.store.config_history(limit)

    def config_body(self, version: int) -> dict | None:
        pending = next((json.loads(row[5]) for row in self.batch.configs if row[0] == version), None)
        return pending if pending is not None else self.store.config_body(version)

    def ticket_outcome(self, ticket_id: str) -> dict | None:
        """As committed, like the ledger."""
        return self.store.ticket_outcome(ticket_id)

    def ticket_by_token(self, token: str) -> Ticket | None:
        pending = next((row for row in self.batch.tickets.values() if row["rating_token"] == token), None)
        return Ticket(**pending) if pending else self.store.ticket_by_token(token)

    def outbox_backlog(self, sent_since: float | None = None) -> dict:
        """As committed: the batch's own reports are counted once it is."""
        return self.store.outbox_backlog(sent_since)

    def outbox_waiting(self, limit: int) -> list[dict]:
        """As committed, as `outbox_backlog`."""
        return self.store.outbox_waiting(limit)

    def ledger_counts(self, day: str) -> dict[str, int]:
        return self.store.ledger_counts(day)

    def forecast_events(self, first_day: str, last_day: str) -> list[dict]:
        return self.store.forecast_events(first_day, last_day)


def _by_deadline(row: dict) -> float:
    return row["deadline_at"]


def _by_slot(row: dict) -> tuple:
    return (row["slot_start"], row["code"])


def time_commits(directory: str, count: int = 200) -> list[float]:
    """Seconds each of `count` one-row commits takes in a scratch database with the store's settings
    (WAL, synchronous=FULL): a WAL append and its fsync, the floor the disk puts under every batch."""
    path, times = os.path.join(directory, "probe.db"), []
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT)")
        for _ in range(count):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (data) VALUES (?)", [os.urandom(100).hex()])
            conn.execute("COMMIT")
            times.append(time.perf_counter() - t0)
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
    return times

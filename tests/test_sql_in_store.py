"""SQL lives in controller/store.py only: every other module asks the store by name.

The scan reads the source of every product module (everything but tests/) and
fails on an SQL statement in a string, a call of `.execute` / `.executemany` /
`.executescript` / `.query`, or an import of sqlite3 or sqlite_utils.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from testbed.controller import ROOT

STORE = ROOT / "controller" / "store.py"
SKIPPED = {"tests", ".venv", ".git", "node_modules", "__pycache__"}
STATEMENT = re.compile(r"\b(SELECT\b[\s\S]*\bFROM|INSERT\s+(OR\s+[A-Z]+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+\S+\s+SET|"
                       r"DELETE\s+FROM|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)|DROP\s+(TABLE|INDEX)|"
                       r"ALTER\s+TABLE|PRAGMA\s+[a-z_]+|BEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED))\b")
CALLS = {"execute", "executemany", "executescript", "query"}
DRIVERS = {"sqlite3", "sqlite_utils"}


def sql_in(source: str) -> list[tuple[int, str]]:
    """(line, what) of every piece of SQL in one module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = STATEMENT.search(node.value)
            if match:
                found.append((node.lineno, f"SQL statement {match.group(0)[:40]!r}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLS:
            found.append((node.lineno, f".{node.func.attr}() call"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if a.name.split(".")[0] in DRIVERS]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DRIVERS:
            found.append((node.lineno, f"from {node.module} import"))
    return sorted(found)


def product_modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py")
                  if not SKIPPED & set(p.relative_to(ROOT).parts) and p != STORE)


def test_the_scan_finds_sql_in_every_form():
    source = '''
import sqlite3
from sqlite_utils import Database
rows = db.query("SELECT * FROM alerts WHERE status = 'open'")
db.execute(f"DELETE FROM [{table}] WHERE at < ?", [0])
conn.executemany(SQL, rows)
SQL = """INSERT OR IGNORE INTO replies (device) VALUES (?)"""
ddl = "CREATE TABLE t (id INTEGER PRIMARY KEY)"
fix = "UPDATE tickets SET status = 'done'"
mode = "PRAGMA synchronous=FULL"
'''
    assert sql_in(source) == [
        (2, "import sqlite3"), (3, "from sqlite_utils import"),
        (4, ".query() call"), (4, "SQL statement 'SELECT * FROM'"),
        (5, ".execute() call"), (5, "SQL statement 'DELETE FROM'"),
        (6, ".executemany() call"), (7, "SQL statement 'INSERT OR IGNORE INTO'"),
        (8, "SQL statement 'CREATE TABLE'"), (9, "SQL statement 'UPDATE tickets SET'"),
        (10, "SQL statement 'PRAGMA synchronous'")]


def test_words_of_the_hall_are_not_sql():
    source = '''
DELETE = Bi("删除", "Delete")
hint = "Select a category from the list, then update your phone number"
SELECT = b"\\x20\\x02"
'''
    assert sql_in(source) == []


def test_no_sql_outside_the_store():
    modules = product_modules()
    assert ROOT / "controller" / "service.py" in modules and ROOT / "bench" / "controller.py" in modules
    offences = [f"{path.relative_to(ROOT)}:{line}: {what}"
                for path in modules for line, what in sql_in(path.read_text(encoding="utf-8"))]
    assert offences == []
    assert sql_in(STORE.read_text(encoding="utf-8")), "the store itself is where the SQL is"

"""The one command path: every action of the contract is one line of the table, every handler takes the
same things, and the controller's modules import one another without a cycle."""
from __future__ import annotations

import ast
import inspect
from datetime import datetime
from zoneinfo import ZoneInfo

from config.loader import load
from contract.messages import ACTIONS
from controller import dispatch
from controller.engine import Engine
from controller.store import Batch, Store, StoreView
from testbed.controller import DEMO_CONFIG, ROOT
from tests.support.engine import command_fields

CONTROLLER = ROOT / "controller"


def test_every_action_of_the_contract_has_one_handler_and_no_other():
    assert set(dispatch.HANDLERS) == set(ACTIONS)


def test_every_handler_takes_the_engine_the_change_and_the_fields():
    for action, handler in dispatch.HANDLERS.items():
        names = list(inspect.signature(handler).parameters)
        assert names[:2] == ["engine", "change"], (action, names)
        if ACTIONS[action][0] == "window":
            assert names[2] == "window", (action, names)
        fields = set(ACTIONS[action][1].model_fields) - {"id", "window", "user"}  # user: the Change's
        assert fields <= set(names), (action, fields - set(names))


def test_the_table_is_a_plain_dict_literal():
    tree = ast.parse((CONTROLLER / "dispatch.py").read_text(encoding="utf-8"))
    [table] = [node.value for node in tree.body if isinstance(node, ast.AnnAssign)
               and getattr(node.target, "id", None) == "HANDLERS"]
    assert isinstance(table, ast.Dict) and len(table.keys) == len(ACTIONS)


def controller_imports() -> dict[str, set[str]]:
    """module -> the controller modules it imports (relative imports, at any depth)."""
    graph = {}
    for path in CONTROLLER.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module} if node.module else {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("controller"):
                found |= {node.module.split(".")[1]} if "." in node.module else {a.name for a in node.names}
        graph[path.stem] = {name.split(".")[0] for name in found} & {p.stem for p in CONTROLLER.glob("*.py")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_controller_modules_import_no_cycle():
    graph = controller_imports()
    assert {"engine", "dispatch", "actions", "store"} <= set(graph) and "actions" in graph["dispatch"]
    assert cycles(graph) == []
    assert "dispatch" not in graph["engine"], "the engine does not know the table of actions"


def test_a_command_reads_what_an_earlier_command_of_its_batch_wrote(tmp_path):
    """One batch, not yet committed: an appointment added, checked in, and refused a second check-in."""
    config, _ = load(DEMO_CONFIG)
    now = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo(config.timezone)).timestamp()
    store, batch, engine = Store(str(tmp_path / "hall.db")), Batch(), Engine(config, b"secret", now)
    stored = StoreView(store, batch)
    engine.tick(now)

    def command(device, action, **fields):
        out = dispatch.apply(engine, action, device, command_fields(action, fields), now, stored=stored)
        batch.add(out, day=engine.day, device=device, request_id=f"r{len(batch.ledger)}", action=action)
        return out

    added = command("admin-ops", "appointment_add", code="YY0001", category="tax", slot_start="2026-11-24T10:00",
                    slot_end="2026-11-24T10:30")
    assert added.error is None and store.record("appointments", "YY0001") is None, "nothing is committed yet"
    ticket = command("kiosk-K1", "check_in", appointment_code="YY0001").result["ticket"]
    assert command("kiosk-K1", "check_in", appointment_code="YY0001").error.code == "duplicate"
    store.commit(batch)
    assert store.record("appointments", "YY0001")["ticket_id"] == ticket["id"]
    assert [row["kind"] for row in store.ledger()] == ["appointment_added", "ticket_issued", "appointment_checked_in"]
    store.close()

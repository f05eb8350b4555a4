"""Who may import whom: product code never imports the tests or the demo's choreography, and tests take
their helpers from one place.

Product code is every Python file outside tests/ and demo/ (bench/, testbed/ and main.py included). demo/
may import product code, never the other way. The one exception is main.py's `demo` subcommand: main.py
imports demo/ lazily, inside `build_parser` where the subcommand is added, and nowhere else — the demo's
single entry point. Imports are read from the source (every `import` and `from … import`, at any depth,
so a lazy import inside a function counts too), not from what happens to be loaded.
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

from testbed.controller import ROOT

TESTS = ROOT / "tests"
TEST_MODULES = {path.stem for path in TESTS.glob("*.py")}
ENTRY_POINT = ("main.py", "build_parser", "demo.run")  # (file, function, module) allowed to import demo/


def python_files(under: Path = ROOT):
    for folder, subfolders, files in os.walk(under):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d != "__pycache__")
        yield from (Path(folder) / name for name in sorted(files) if name.endswith(".py"))


def imports(path: Path):
    """(module imported, the function it is imported in or None, line) of every import in the file."""
    return imports_in(path.read_text(encoding="utf-8"), ".".join(path.relative_to(ROOT).parts[:-1]))


def imports_in(source: str, package: str):
    tree = ast.parse(source)

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, function, child.lineno
            elif isinstance(child, ast.ImportFrom):
                if child.level:  # relative: resolve against the file's package
                    parts = package.split(".") if package else []
                    base = parts[:len(parts) - child.level + 1]
                    module = ".".join([*base, child.module] if child.module else base)
                else:
                    module = child.module or ""
                yield module, function, child.lineno
            yield from visit(child, inner)

    yield from visit(tree, None)


def top(module: str) -> str:
    return module.split(".")[0]


def test_product_code_imports_neither_tests_nor_demo():
    offences = []
    for path in python_files():
        where = path.relative_to(ROOT)
        if where.parts[0] in ("tests", "demo"):
            continue
        for module, function, line in imports(path):
            if top(module) in ("tests", "conftest") or top(module) in TEST_MODULES:
                offences.append(f"{where}:{line} imports {module} (a test module)")
            elif top(module) == "demo" and (str(where), function, module) != ENTRY_POINT:
                offences.append(f"{where}:{line} imports {module} (the demo's choreography)")
    assert offences == []


def test_main_imports_the_demo_only_lazily_in_its_entry_point():
    found = [(function, module) for module, function, _ in imports(ROOT / "main.py") if top(module) == "demo"]
    assert found == [ENTRY_POINT[1:]]


def test_demo_code_imports_no_tests():
    offences = [f"{path.relative_to(ROOT)}:{line} imports {module}"
                for path in python_files(ROOT / "demo") for module, _, line in imports(path)
                if top(module) in ("tests", "conftest") or top(module) in TEST_MODULES]
    assert offences == []


def test_tests_take_helpers_from_tests_support_and_testbed_only():
    """No test imports conftest (fixtures only) or another test module; tests.support never imports a test."""
    offences = []
    for path in python_files(TESTS):
        for module, _, line in imports(path):
            parts = module.split(".")
            if parts[0] == "conftest" or parts[0] in TEST_MODULES or parts[0] == "support":
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module} (use tests.support.…)")
            elif parts[0] == "tests" and (len(parts) < 2 or parts[1] != "support"):
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module} (a test module)")
    assert offences == []


def test_the_reader_sees_lazy_relative_and_dotted_imports():
    """The rules above would pass vacuously if the reader missed imports: it does not."""
    source = "def later():\n    from tests.support.hall import Inbox\n    from .demo import DemoKiosk\n" \
             "import demo.run\nfrom ..contract import topics\n"
    assert [(m, f) for m, f, _ in imports_in(source, "kiosk.presenters")] == [
        ("tests.support.hall", "later"), ("kiosk.presenters.demo", "later"), ("demo.run", None), ("kiosk.contract", None)]

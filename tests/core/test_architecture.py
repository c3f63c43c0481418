"""The shape of the code, checked on every run (import-linter checks the layers between apps; these
check what it does not):

(a) no import cycle among the modules of one app: grimp sees function-local imports too, so a circle
    "dodged" with an import inside a function is still a circle, and is found;
(b) no function-local import in application code, except in an AppConfig.ready() (Django forbids
    importing models before the registry is ready) and in a management command's handle();
(c) core, the ground floor, imports none of the domain apps, in code or by naming them in its templates.

Each assertion lists every offender with file and line, so one run shows the whole job.
"""

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "accounts", "campaigns", "inspections", "hazards", "enforcement", "reports", "demo"]
DOMAIN_APPS = [app for app in APPS if app != "core"]
PRESENT = [app for app in APPS if importlib.util.find_spec(app) is not None]


def python_files(app: str) -> Iterator[Path]:
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


# ---------------------------------------------------------------- (a) no cycle inside an app


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # Typing-only imports (under `if TYPE_CHECKING:`) never run, so they cannot make a circle at run time.
    return grimp.build_graph(
        *PRESENT, include_external_packages=False, exclude_type_checking_imports=True, cache_dir=None
    )


def app_modules(graph: grimp.ImportGraph, app: str) -> set[str]:
    return {
        m for m in graph.modules if (m == app or m.startswith(f"{app}.")) and "migrations" not in m.split(".")
    }


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """One cycle (a → … → a) per strongly connected group of `modules` (Tarjan's algorithm)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a long chain of modules cannot hit the recursion limit.
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in edges[node]:
                        groups.append(group)

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return [_cycle_in(group, edges) for group in groups]


def _cycle_in(group: set[str], edges: dict[str, list[str]]) -> list[str]:
    """The shortest way from the group's first module back to itself, staying inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in edges[node]:
                if target == start:
                    return [*paths[node], start]
                if target in group and target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # cannot happen for a strongly connected group


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    steps = []
    for importer, imported in zip(cycle, cycle[1:], strict=False):
        lines = sorted(
            {d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)}
        )
        steps.append(f"{importer} (line {', '.join(map(str, lines)) or '?'}) → {imported}")
    return "\n    ".join(steps)


@pytest.mark.parametrize("app", PRESENT)
def test_no_import_cycle_among_the_modules_of_one_app(graph, app):
    found = cycles(graph, app_modules(graph, app))

    assert not found, (
        f"Import cycles inside {app} (move the shared code down to the module both need):\n"
        + "\n".join(f"  {' → '.join(cycle)}\n    {describe(graph, cycle)}" for cycle in found)
    )


def test_the_cycle_finder_finds_a_circle_dodged_with_a_local_import(tmp_path, monkeypatch):
    package = tmp_path / "circlepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def later():\n    from .c import thing\n    return thing\n")
    (package / "c.py").write_text("from .a import b\nthing = 1\n")
    (package / "d.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    small = grimp.build_graph("circlepkg", cache_dir=None)

    assert cycles(small, app_modules(small, "circlepkg")) == [
        ["circlepkg.a", "circlepkg.b", "circlepkg.c", "circlepkg.a"]
    ]


# ---------------------------------------------------------------- (b) no function-local import


def _is_app_config(node: ast.ClassDef) -> bool:
    return any(
        (getattr(base, "id", None) or getattr(base, "attr", "")).endswith("AppConfig") for base in node.bases
    )


def local_imports(path: Path) -> Iterator[tuple[ast.AST, str]]:
    """(import node, allowed?) for every import made inside a function, with the reason it is allowed."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_command = path.parent.name == "commands" and path.parent.parent.name == "management"

    def walk(
        node: ast.AST, function: ast.AST | None, owner: ast.ClassDef | None
    ) -> Iterator[tuple[ast.AST, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from walk(child, function, child)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from walk(child, child, owner if function is None else None)
            elif isinstance(child, ast.Import | ast.ImportFrom) and function is not None:
                if owner is not None and function.name == "ready" and _is_app_config(owner):
                    yield child, "AppConfig.ready()"
                elif is_command and owner is not None and function.name == "handle":
                    yield child, "a command's handle()"
                else:
                    yield child, ""
            else:
                yield from walk(child, function, owner)

    yield from walk(tree, None, None)


def test_no_function_local_import_in_application_code():
    offenders = [
        f"  {where(path, node)}: {ast.unparse(node)}  (in {_function_of(path, node)})"
        for app in PRESENT
        for path in python_files(app)
        for node, allowed in local_imports(path)
        if not allowed
    ]

    assert not offenders, (
        "Imports inside functions (move them to the top of the module; if that makes a circle, move the "
        "shared code down to where it belongs). Allowed only in AppConfig.ready() and a command's handle():\n"
        + "\n".join(offenders)
    )


def _function_of(path: Path, node: ast.AST) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    best = "?"
    for candidate in ast.walk(tree):
        if isinstance(candidate, ast.FunctionDef | ast.AsyncFunctionDef) and (
            candidate.lineno <= node.lineno <= (candidate.end_lineno or candidate.lineno)
        ):
            best = candidate.name  # ast.walk goes outside in: the last match is the innermost
    return f"{best}()"


def test_the_local_import_finder_allows_only_ready_and_handle(tmp_path):
    code = """
import os
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from x import y

class Config(AppConfig):
    def ready(self):
        from . import signals

class NotConfig:
    def ready(self):
        import json

def helper():
    import re
    def inner():
        from .a import b

class Command(BaseCommand):
    def handle(self, *args, **options):
        from .models import Thing
"""
    module = tmp_path / "app" / "views.py"
    module.parent.mkdir()
    module.write_text(code)
    command = tmp_path / "app" / "management" / "commands" / "load.py"
    command.parent.mkdir(parents=True)
    command.write_text(code)

    in_module = [(node.lineno, allowed) for node, allowed in local_imports(module)]
    in_command = [(node.lineno, allowed) for node, allowed in local_imports(command)]

    assert in_module == [(9, "AppConfig.ready()"), (13, ""), (16, ""), (18, ""), (22, "")]
    assert in_command == [
        (9, "AppConfig.ready()"),
        (13, ""),
        (16, ""),
        (18, ""),
        (22, "a command's handle()"),
    ]


# ---------------------------------------------------------------- (c) core knows no domain

_DOMAIN = re.compile(rf"^({'|'.join(DOMAIN_APPS)})(\.|$)")
# In a template: {% url 'accounts:…' %}, {% include "hazards/…" %} and the like.
_DOMAIN_IN_TEMPLATE = re.compile(rf"""["']({"|".join(DOMAIN_APPS)})[:/]""")


def test_core_imports_none_of_the_domain_apps():
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [
                f"  {where(path, node)}: {ast.unparse(node)}" for name in names if _DOMAIN.match(name)
            ]

    assert not offenders, "core is the ground floor and may import no domain app:\n" + "\n".join(offenders)


def test_core_templates_name_no_domain_app():
    offenders = [
        f"  {path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "core" / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _DOMAIN_IN_TEMPLATE.search(line)
    ]

    assert not offenders, (
        "core's templates name a domain app (let the app register it instead):\n" + "\n".join(offenders)
    )

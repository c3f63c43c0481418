"""demo is the top floor: it may import any app, and no app (nor the project package) imports it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# bench/ sits above every app (it measures them all, the demo data included), like the tests.
NOT_CHECKED = {"demo", "tests", "bench"}


def _packages() -> list[Path]:
    return sorted(
        path
        for path in ROOT.iterdir()
        if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_CHECKED
    )


def _imports_demo(tree: ast.AST) -> list[int]:
    """Lines that import demo: `import demo…`, `from demo… import`, or import_module("demo…")."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            names = [str(node.args[0].value)] if called in ("import_module", "__import__") else []
        else:
            continue
        if any(name == "demo" or name.startswith("demo.") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_module_outside_demo_imports_demo():
    packages = _packages()
    assert {"accounts", "inspections", "hazards", "safety_office"} <= {p.name for p in packages}
    offenders = []
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _imports_demo(tree)]
    assert not offenders, f"demo is the top floor; these import it: {offenders}"


def test_the_check_finds_every_spelling_of_an_import_of_demo():
    source = (
        "import demo\nimport demo.steps as s\nfrom demo import steps\nfrom demo.district import X\n"
        "importlib.import_module('demo.hazards')\n"
        "import demography\nfrom .demo import x\nfrom accounts import demo\n"
    )
    assert _imports_demo(ast.parse(source)) == [1, 2, 3, 4, 5]

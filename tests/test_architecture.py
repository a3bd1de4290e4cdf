"""The package's import graph: no cycles, layers that only import downwards, no hidden function-level imports.

Layers (a module may import from its own layer and those listed for it):
errors <- policies <- model/inputs <- runs <- analysis, sweep, export <- viz <- cli, api <- explorer
The package root (yreb/__init__.py) imports nothing of yreb at module level, so that `import yreb` and the
command line stay fast; it imports the Python API (yreb.api) lazily, on first use of one of its names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulation" / "yreb"
ALLOWED = {  # subpackage -> subpackages it may import from (besides itself and yreb.errors / yreb top level)
    "policies": set(),
    "model": {"inputs", "policies"},
    "inputs": {"model", "policies"},
    "runs": {"model", "inputs", "policies"},
    "analysis": {"model", "inputs", "policies", "runs"},
    "sweep": {"model", "inputs", "policies", "runs", "analysis"},
    "export": {"model", "inputs", "policies", "runs"},
    "viz": {"model", "inputs", "policies", "runs", "analysis", "sweep"},
    "cli": {"model", "inputs", "policies", "runs", "analysis", "sweep", "viz", "export"},
    "api": {"model", "inputs", "policies", "runs", "analysis", "sweep", "viz", "export"},
    "explorer": {"model", "inputs", "policies", "runs", "analysis", "sweep", "viz", "export", "api"},
}
# function-level imports of yreb modules are allowed only where they keep `yreb --help` fast
LAZY_ALLOWED = ("cli",)
# ... and in the package root, of the API only (module __getattr__)
ROOT_LAZY_ALLOWED = {"yreb.api"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """(imported yreb module, imported inside a function) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                continue  # annotations only: not imported at run time
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names if alias.name.startswith("yreb"))
            elif isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("yreb"):
                for alias in child.names:  # `from yreb.model import kernels` imports the module yreb.model.kernels
                    sub = f"{child.module}.{alias.name}"
                    found.append(
                        (
                            sub
                            if (PACKAGE.parent / sub.replace(".", "/")).with_suffix(".py").exists()
                            else child.module,
                            in_function,
                        )
                    )
            visit(child, nested)

    visit(tree, False)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports(path) for name, path in MODULES.items()}


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def import_time_edge(module: str, target: str, in_function: bool) -> bool:
    """Every import counts, except the root's lazy import of the API: it runs on first use of an API name,
    when yreb is initialised, so it cannot take part in an import-time cycle (yreb.api -> ... -> yreb)."""
    return not (module == "yreb" and in_function and target in ROOT_LAZY_ALLOWED)


def test_no_import_cycles():
    edges = {
        m: {t for t, lazy in deps if t in MODULES and t != m and import_time_edge(m, t, lazy)}
        for m, deps in GRAPH.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            walk(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_only_downwards(module):
    own = layer(module)
    if own is None:
        return
    for target, _ in GRAPH[module]:
        other = layer(target)
        assert other is None or other == own or other in ALLOWED[own], f"{module} imports {target}"


def test_model_imports_nothing_from_the_edge():
    for module, deps in GRAPH.items():
        if layer(module) == "model":
            bad = [t for t, _ in deps if layer(t) in ("cli", "viz", "runs", "analysis", "sweep")]
            assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_level_imports_of_yreb_modules(module):
    if layer(module) in LAZY_ALLOWED:
        return
    allowed = ROOT_LAZY_ALLOWED if module == "yreb" else set()
    lazy = [target for target, in_function in GRAPH[module] if in_function and target not in allowed]
    assert not lazy, f"{module} imports {lazy} inside a function"


def test_package_root_imports_no_yreb_module_at_import_time():
    eager = [target for target, in_function in GRAPH["yreb"] if not in_function]
    assert not eager, f"yreb/__init__.py imports {eager}: `import yreb` must stay fast"


def test_api_and_cli_do_not_import_each_other():
    for module, deps in GRAPH.items():
        if layer(module) in ("api", "cli"):
            other = {"api": "cli", "cli": "api"}[layer(module)]
            assert not [t for t, _ in deps if layer(t) == other], f"{module} imports yreb.{other}"

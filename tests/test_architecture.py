"""The floor plan, checked: imports point one way and no module waits on itself.

    HTTP (tourism_api.api, web, explore, app) and CLI  ->  use cases (tourism_api.services)
        ->  domain and engines (catalogue, access, search, media_store, ingest)
        ->  config, db, errors

Every `import` in the project's modules (at top level or inside functions,
but not under TYPE_CHECKING) is an arrow of the graph.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("tourism_api", "search", "media_store", "ingest")
HTTP_AND_CLI = (
    "tourism_api.api",
    "tourism_api.web",
    "tourism_api.explore",
    "tourism_api.app",
    "tourism_api.cli",
    "wsgi",
)
USE_CASES = ("tourism_api.services",)
COMPOSITION = ("tourism_api.container",)
DOMAIN = (
    "tourism_api.catalogue",
    "tourism_api.jobs",
    "tourism_api.access",
    "search",
    "media_store",
    "ingest",
    "tourism_api.config",
    "tourism_api.db",
    "tourism_api.errors",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    found["wsgi"] = ROOT / "wsgi.py"
    return found


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in ast.walk(node):
                if hasattr(child, "lineno"):
                    lines.add(child.lineno)
    return lines


@functools.cache
def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skip = _type_checking_lines(tree)
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    targets.add(candidate if candidate in modules else base)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_import_cycles():
    graph = import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        (DOMAIN, HTTP_AND_CLI + USE_CASES + COMPOSITION),
        (USE_CASES, HTTP_AND_CLI + COMPOSITION),
        (COMPOSITION, HTTP_AND_CLI),
    ],
    ids=["domain", "use cases", "composition root"],
)
def test_imports_point_one_way(layer, forbidden):
    wrong = [
        f"{source} imports {target}"
        for source, targets in import_graph().items()
        if _within(source, layer)
        for target in targets
        if _within(target, forbidden)
    ]
    assert wrong == []


def test_only_the_http_layer_knows_flask():
    wrong = []
    for name, path in _modules().items():
        if _within(name, HTTP_AND_CLI):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                wrong += [
                    f"{name} imports {n}"
                    for n in names
                    if n.split(".")[0] in ("flask", "flask_smorest", "werkzeug")
                ]
    assert wrong == []


def test_the_graph_sees_real_arrows():
    # A broken parser would find no cycles and no wrong arrows in an empty graph.
    graph = import_graph()
    assert "tourism_api.catalogue.sites" in graph["tourism_api.services.listing"]
    assert "search.base" in graph["search.indexer"]
    assert "tourism_api.api.context" in graph["tourism_api.api.sites"]

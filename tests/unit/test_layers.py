"""The layering rules of docs/architecture.md, checked on the import graph of our own code.

Every module of `marketplace/` and `worker/` is parsed with `ast` (not imported), and every import
statement counts, also one inside a function or under `if TYPE_CHECKING:`: a function-local
import hides a cycle from Python at start-up but not from a reader, and the next module-level
import of the same name turns it into an ImportError."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("marketplace", "worker")

# Each module's layer, by the longest matching dotted prefix; `marketplace` itself (the factory)
# matches only itself, so a new top-level module must be given its layer here.
FACTORY = "marketplace"
LAYERS = {
    "marketplace.cli": "cli",
    "marketplace.clock": "helpers",
    "marketplace.config": "helpers",
    "marketplace.extensions": "extensions",
    "marketplace.i18n": "helpers",
    "marketplace.labels": "helpers",
    "marketplace.links": "helpers",
    "marketplace.templating": "helpers",
    "marketplace.transport": "helpers",
    "marketplace.demo": "cli",
    "marketplace.demo_sroi": "cli",
    "marketplace.demo_market": "cli",
    "marketplace.demo_networks": "cli",
    "marketplace.domain": "domain",
    "marketplace.models": "models",
    "marketplace.observability": "helpers",
    "marketplace.production": "helpers",
    "marketplace.services": "services",
    "marketplace.blueprints": "web",
    "worker": "worker",
}
OURS = frozenset(LAYERS.values()) | {"factory"}
# What each layer must never import (docs/architecture.md, "Layering rules"). The factory wires
# everything and may import anything; only services and the CLI may be imported by the worker.
NEVER = {
    "domain": OURS - {"domain"},
    "models": {"services", "web", "worker", "cli", "factory"},
    "services": {"web", "worker", "cli", "factory"},
    "extensions": {"web", "services", "worker", "cli", "factory"},
    "helpers": {"web", "services", "worker", "cli", "factory"},
    "worker": {"web", "cli"},
    "web": {"worker", "cli"},
    "cli": {"web", "worker"},
    "factory": set(),
}


@cache
def modules() -> dict[str, Path]:
    """Every module of our packages by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def layer_of(module: str) -> str:
    if module == FACTORY:
        return "factory"
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise AssertionError(f"{module} has no layer: add it to LAYERS and docs/architecture.md")


def _ours(name: str) -> str | None:
    """The module of ours that importing `name` runs: itself, or the package holding the name."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> Iterator[tuple[str, int]]:
    """The modules of ours that `module` imports, with the line of each import."""
    path = modules()[module]
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if target := _ours(alias.name):
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # A relative import counts from the module's package (from the package itself
                # for an __init__), one package up for each further dot.
                package = module.split(".")
                keep = len(package) - node.level + (1 if is_package else 0)
                base = ".".join(package[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                if target := _ours(f"{base}.{alias.name}") or _ours(base):
                    yield target, node.lineno


@cache
def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: line of its first import}, our modules only."""
    graph: dict[str, dict[str, int]] = {}
    for module in modules():
        edges = graph.setdefault(module, {})
        for target, line in imports_of(module):
            if target != module:
                edges.setdefault(target, line)
    return graph


def forbidden_arrows() -> list[str]:
    arrows = []
    for module, edges in sorted(import_graph().items()):
        source = layer_of(module)
        for target, line in sorted(edges.items()):
            if layer_of(target) in NEVER[source]:
                path = modules()[module].relative_to(ROOT)
                arrows.append(f"{path}:{line} {module} ({source}) -> {target} ({layer_of(target)})")
    return arrows


def import_cycles() -> list[tuple[list[str], list[str]]]:
    """The groups of modules that import each other (strongly connected components with more
    than one module, Tarjan), each with one cycle through it, so the report shows a path to cut."""
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [(c, _cycle_through(c)) for c in components]


def _cycle_through(component: list[str]) -> list[str]:
    """A shortest import path from the component's first module back to itself (breadth first)."""
    graph, members, start = import_graph(), set(component), component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target not in members:
                    continue
                if target == start:
                    chain = [node]
                    while chain[-1] != start:
                        chain.append(previous[chain[-1]])
                    return [*reversed(chain), start]
                if target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    return component


def test_the_walker_sees_function_local_and_relative_imports():
    graph = import_graph()
    # marketplace/__init__.py imports the blueprints inside register_blueprints().
    assert "marketplace.blueprints.admin.routes" in graph["marketplace"]
    assert layer_of("marketplace.domain.money") == "domain"
    assert layer_of("marketplace") == "factory"
    assert _ours("marketplace.services.outbox.enqueue") == "marketplace.services.outbox"


def test_every_module_has_a_layer():
    for module in modules():
        layer_of(module)


def test_no_import_breaks_the_layering_rules():
    arrows = forbidden_arrows()
    assert not arrows, "imports against docs/architecture.md's layering rules:\n" + "\n".join(
        arrows
    )


def endpoint_links_outside_the_web() -> list[str]:
    """Uses of `url_for` outside the web layer: a service names its links through
    `marketplace.links` (whose builder create_app registers), never a blueprint endpoint."""
    found = []
    for module, path in sorted(modules().items()):
        if layer_of(module) in {"web", "factory"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            named = (isinstance(node, ast.Name) and node.id == "url_for") or (
                isinstance(node, ast.Attribute) and node.attr == "url_for"
            )
            imported = isinstance(node, ast.ImportFrom) and any(
                alias.name == "url_for" for alias in node.names
            )
            if named or imported:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {module}")
    return found


def test_no_link_to_a_blueprint_endpoint_is_built_outside_the_web():
    found = endpoint_links_outside_the_web()
    assert not found, "url_for outside the web layer (use marketplace.links):\n" + "\n".join(found)


def test_our_modules_import_each_other_in_no_cycle():
    cycles = import_cycles()
    assert not cycles, "import cycles (each of a group of modules that import each other):\n" + (
        "\n".join(
            f"{len(group)} modules ({', '.join(group)}); one cycle: " + " -> ".join(cycle)
            for group, cycle in cycles
        )
    )


def database_reads_in_the_web() -> list[str]:
    """Places in the web layer that reach the database themselves: the session (`db.session`,
    `db.paginate`, ...), an import of `db` or of SQLAlchemy's `select`, a `select(...)` built
    there. A route parses, calls one service and renders (docs/architecture.md, "Layering
    rules"); the query belongs to the service, named after what it loads."""
    found = []
    for module, path in sorted(modules().items()):
        if layer_of(module) != "web":
            continue
        nodes = sorted(
            (n for n in ast.walk(ast.parse(path.read_text())) if hasattr(n, "lineno")),
            key=lambda n: n.lineno,
        )
        for node in nodes:
            if isinstance(node, ast.ImportFrom):
                names = {alias.name for alias in node.names}
                what = (
                    "imports db"
                    if node.module == "marketplace.extensions" and "db" in names
                    else "imports select"
                    if (node.module or "").startswith("sqlalchemy") and "select" in names
                    else None
                )
            elif isinstance(node, ast.Attribute):
                what = (
                    "uses db"
                    if isinstance(node.value, ast.Name) and node.value.id == "db"
                    else None
                )
            elif isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                what = "builds a select" if called == "select" else None
            else:
                what = None
            if what:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {module} {what}")
    return found


def test_the_web_layer_leaves_the_database_to_the_services():
    found = database_reads_in_the_web()
    assert not found, "database access in marketplace/blueprints (move it to a service):\n" + (
        "\n".join(found)
    )


# Hooks and template context that reach every page, whichever blueprint serves it.
APP_WIDE = {
    "context_processor",
    "app_context_processor",
    "before_app_request",
    "after_app_request",
    "teardown_app_request",
    "app_template_global",
    "app_template_filter",
}


def test_app_wide_hooks_are_registered_by_the_factory():
    """A blueprint module that registers an app-wide hook or context processor hides a piece of
    every page in one area's routes; `create_app` registers them (its register_* steps,
    `templating.register`), so the factory shows all there is."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {module} .{node.attr}"
        for module, path in sorted(modules().items())
        if layer_of(module) == "web"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Attribute) and node.attr in APP_WIDE
    ]
    assert not found, "app-wide hooks registered outside create_app:\n" + "\n".join(found)

"""Which Kluis app imports which, read from the source (not by importing it).

Every import statement counts, also one inside a function (a lazy import is still a
dependency) and a relative one; an import under `if TYPE_CHECKING:` does not (it exists
for annotations only and is never run)."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the nodes inside `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    skipped.update(id(inner) for inner in ast.walk(statement))
    return skipped


def module_name(source: Path, top: Path) -> str:
    """The dotted name of `source`, a file under the package directory `top`."""
    parts = [top.name, *source.relative_to(top).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: Path, name: str) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import run by `source`, the module `name`."""
    tree = ast.parse(source.read_text(), filename=str(source))
    skipped = _type_checking_only(tree)
    package = name.split(".")
    if source.name != "__init__.py":
        package.pop()  # relative imports start from the module's package
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # `from kluis import people` imports the app itself
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def app_of(module: str, root: Path) -> str | None:
    """The app (a subpackage of `root`) a module name belongs to, or None."""
    parts = module.split(".")
    if parts[0] == root.name and len(parts) > 1 and (root / parts[1] / "__init__.py").is_file():
        return parts[1]
    return None


def imported_apps(package: Path, root: Path) -> dict[str, set[str]]:
    """{app of `root` imported: {file importing it, relative to `package`}} for every
    module under the directory `package` (an app of `root`, or any other package)."""
    top = root if package.is_relative_to(root) else package
    found: dict[str, set[str]] = {}
    for source in sorted(package.rglob("*.py")):
        for module, _line in imported_modules(source, module_name(source, top)):
            app = app_of(module, root)
            if app is not None:
                found.setdefault(app, set()).add(str(source.relative_to(package)))
    return found


def app_graph(root: Path) -> dict[str, dict[str, set[str]]]:
    """{app: {other app it imports: {file:line doing so}}} for every app under `root`."""
    apps = sorted(p.parent.name for p in root.glob("*/__init__.py"))
    graph: dict[str, dict[str, set[str]]] = {app: {} for app in apps}
    for app in apps:
        for source in sorted((root / app).rglob("*.py")):
            for module, line in imported_modules(source, module_name(source, root)):
                other = app_of(module, root)
                if other is not None and other != app:
                    where = f"{source.relative_to(root)}:{line}"
                    graph[app].setdefault(other, set()).add(where)
    return graph


def find_cycle(graph: dict[str, dict[str, set[str]]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None when the graph has none."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[str] = []

    def visit(app: str) -> list[str] | None:
        state[app] = "open"
        path.append(app)
        for other in sorted(graph.get(app, {})):
            if state.get(other) == "open":
                return [*path[path.index(other) :], other]
            if other not in state:
                cycle = visit(other)
                if cycle:
                    return cycle
        path.pop()
        state[app] = "done"
        return None

    for app in sorted(graph):
        if app not in state:
            cycle = visit(app)
            if cycle:
                return cycle
    return None


def describe(cycle: list[str], graph: dict[str, dict[str, set[str]]]) -> str:
    """The cycle with, for each step, the imports that make it."""
    lines = [" -> ".join(cycle)]
    for here, there in itertools.pairwise(cycle):
        lines.append(f"  {here} -> {there}: " + ", ".join(sorted(graph[here][there])))
    return "\n".join(lines)

"""The import graph of a package, read from its source with ``ast`` (nothing is imported).

Used by ``tests/test_layout.py``; run it by hand to see the graph's problems::

    python tests/import_graph.py lessonkit

Every ``import`` and ``from ... import`` statement counts, at module level or inside a
function, class or ``if`` (a function-level import is still a dependency: it runs the
first time the function is called). Relative imports are resolved. ``from pkg import
name`` is an edge to ``pkg.name`` when that is a module of the package, else to ``pkg``.
A module's edge to its own package's ``__init__`` (``from . import x`` when ``x`` is not
a module) counts too.
"""

from __future__ import annotations

import ast
import pathlib
import sys


def module_files(root) -> dict:
    """``{dotted module name: path}`` for every ``.py`` file under the package folder ``root``."""
    root = pathlib.Path(root)
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of a (possibly relative) import made inside ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([target] if target else []))


def import_graph(root) -> dict:
    """``{module: {imported module, ...}}`` restricted to modules of the package at ``root``.

    Each edge also remembers a line where it is made: the value is a dict
    ``{imported module: line number}``.
    """
    files = module_files(root)
    graph = {}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        edges = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, is_package, node.level, node.module)
                for alias in node.names:
                    child = f"{base}.{alias.name}" if base else alias.name
                    targets.append(child if child in files else base)
            for target in targets:
                # "import a.b.c" depends on a.b.c; keep the longest prefix that is a module of ours
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    edges.setdefault(target, node.lineno)
        graph[module] = edges
    return graph


def find_cycles(graph: dict) -> list:
    """Every strongly connected group of modules that import each other, as one cycle path each.

    Returns
    -------
    list of list of str
        For each group, a path ``[a, b, ..., a]`` along import edges that closes the circle.
    """
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):  # Tarjan's algorithm (the package is small: recursion is fine)
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_through(graph, group) for group in groups]


def _cycle_through(graph: dict, group: list) -> list:
    """A closed path inside one strongly connected group, starting at its first module."""
    members, start = set(group), group[0]
    paths, frontier = {start: [start]}, [start]
    while frontier:  # breadth first: the shortest way back to start
        nxt = []
        for v in frontier:
            for w in sorted(graph.get(v, {})):
                if w == start:
                    return paths[v] + [start]
                if w in members and w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    return group  # pragma: no cover (a strongly connected group always closes)


def forbidden_imports(graph: dict, source_prefix: str, target_prefix: str, allowed_sources=()) -> list:
    """Edges from modules outside ``source_prefix`` into ``target_prefix``: ``[(module, target, line)]``.

    Used for "runtime modules never import the builders": every module that is not itself a
    builder (nor in ``allowed_sources``) must not import one.
    """
    def inside(name, prefix):
        return name == prefix or name.startswith(prefix + ".")

    bad = []
    for module, edges in sorted(graph.items()):
        if inside(module, source_prefix) or module in allowed_sources:
            continue
        for target, line in sorted(edges.items()):
            if inside(target, target_prefix):
                bad.append((module, target, line))
    return bad


def layer_of(module: str, layers: dict, package: str) -> int:
    """The layer of ``module``: the entry of ``layers`` with the longest matching prefix.

    ``layers`` maps names relative to the package (``"models.base"``, ``"music"``; ``""``
    for anything else) to a number; a prefix matches itself and its submodules.
    """
    rel = module[len(package) + 1:] if module.startswith(package + ".") else ""
    best, best_len = None, -1
    for prefix, layer in layers.items():
        if (prefix == "" or rel == prefix or rel.startswith(prefix + ".")) and len(prefix) > best_len:
            best, best_len = layer, len(prefix)
    return best


def layer_violations(graph: dict, layers: dict, package: str, same_group=()) -> list:
    """Imports that do not run downwards: ``[(module, its layer, target, its layer, line)]``.

    An import must go to a strictly lower layer, except between modules of the same
    subpackage (``music.text`` -> ``music.model``; the no-circle rule orders those). Names in
    ``same_group`` (e.g. ``{"grading": "homework"}``) count as parts of that subpackage.
    """
    subpackages = {m[len(package) + 1:].split(".")[0] for m in graph if m.count(".") >= 2}
    aliases = dict(same_group)

    def group(module):
        first = module[len(package) + 1:].split(".")[0] if module.startswith(package + ".") else ""
        first = aliases.get(first, first)
        return first if first in subpackages else None

    bad = []
    for module, edges in sorted(graph.items()):
        for target, line in sorted(edges.items()):
            if group(module) is not None and group(module) == group(target):
                continue
            a, b = layer_of(module, layers, package), layer_of(target, layers, package)
            if not b < a:
                bad.append((module, a, target, b, line))
    return bad


if __name__ == "__main__":
    package = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "lessonkit")
    g = import_graph(package)
    print(f"{len(g)} modules, {sum(len(e) for e in g.values())} import edges")
    for cycle in find_cycles(g):
        print("circle:", " -> ".join(cycle))
    name = package.name
    for module, target, line in forbidden_imports(g, f"{name}.builders", f"{name}.builders"):
        print(f"runtime imports a builder: {module} (line {line}) -> {target}")

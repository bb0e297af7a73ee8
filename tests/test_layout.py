"""The layout shows the pipeline: every module sits in a stage, imports only its own or lower
stages, and no two modules import each other (directly or round a circle). Function-level and
type-checking imports count: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

import dyad_lib

LIB = Path(dyad_lib.__file__).resolve().parent
#: The stages in pipeline order; a module may import its own stage or an earlier one.
STAGES = ("fmt", "data", "importers", "metrics", "partnership", "goals", "reports", "demo", "pipeline", "cli")


def module_name(path: Path) -> str:
    rel = path.relative_to(LIB.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=1)
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in LIB.rglob("*.py") if "__pycache__" not in p.parts}


def _resolve(target: str) -> str | None:
    """The module a dotted import name refers to (a package's __init__ counts as the package)."""
    mods = modules()
    while target and target not in mods:
        target = target.rpartition(".")[0]
    return target or None


@lru_cache(maxsize=1)
def graph() -> dict[str, set[str]]:
    mods = modules()
    out: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level:
                pytest.fail(f"{name}: relative import (use dyad_lib.… absolute imports)")
            for t in targets:
                if t == "dyad_lib" or t.startswith("dyad_lib."):
                    dep = _resolve(t)
                    if dep and dep not in ("dyad_lib", name):
                        out[name].add(dep)
    return out


def stage(module: str) -> int:
    parts = module.split(".")
    if module == "dyad_lib":
        return len(STAGES)  # the public API sits on top
    return STAGES.index(parts[1])


def test_every_module_is_in_a_stage():
    for m in modules():
        if m != "dyad_lib":
            assert m.split(".")[1] in STAGES, f"{m} is not in a stage package: {STAGES}"


def test_no_upward_import_between_stages():
    bad = [f"{m} ({STAGES[stage(m)]}) imports {d} ({STAGES[stage(d)]})"
           for m, deps in graph().items() if m != "dyad_lib" for d in deps if stage(d) > stage(m)]
    assert not bad, "upward imports:\n" + "\n".join(sorted(bad))


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    assert _cycles(graph()) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_repeats_its_package_name():
    for m in modules():
        parts = m.split(".")
        if len(parts) >= 3:
            assert not parts[-1].startswith(parts[-2].rstrip("s") + "_"), f"{m}: drop the '{parts[-2]}' prefix"


def test_every_package_says_what_it_owns():
    for m, path in modules().items():
        if path.name == "__init__.py" and m != "dyad_lib":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc and "import" in doc, f"{m}: the __init__ docstring says what it owns and may import"


def longest_chain() -> list[str]:
    """The longest import chain (for the README's layout notes)."""
    g = graph()

    @lru_cache(maxsize=None)
    def longest(v: str) -> tuple[str, ...]:
        best: tuple[str, ...] = ()
        for w in g[v]:
            c = longest(w)
            if len(c) > len(best):
                best = c
        return (v, *best)

    return list(max((longest(v) for v in g if v != "dyad_lib"), key=len))


def test_public_api_names_resolve():
    for name in dyad_lib.__all__:
        assert getattr(dyad_lib, name) is not None

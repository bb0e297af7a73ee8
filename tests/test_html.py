"""HTML comes from autoescaping templates: no module or notebook builds a tag by hand, and what a
template is given is escaped unless it is a rendered fragment."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import nbformat
import pytest

import dyad_lib
from dyad_lib.reports.html import FRAGMENTS, Fragment, render

LIB = Path(dyad_lib.__file__).resolve().parent
NOTEBOOKS = LIB.parent / "notebooks"
#: An opening or closing tag, a comment or a doctype: `<p`, `</td>`, `<!--`, `<!DOCTYPE`.
TAG = re.compile(r"<\s*(/?\s*[a-zA-Z][a-zA-Z0-9-]*(\s|>|/>|$)|!)")


def _literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return []


def tag_builders(source: str) -> list[int]:
    """Lines that build a tag from pieces: an f-string holding a tag, `+`/`%` with a literal
    holding one, or `.format()` / `.join()` on one."""
    hits = []
    for n in ast.walk(ast.parse(source)):
        if isinstance(n, ast.JoinedStr) and any(TAG.search(s) for s in _literals(n)):
            hits.append(n.lineno)
        elif isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Mod)) and any(
                TAG.search(s) for side in (n.left, n.right) for s in _literals(side)):
            hits.append(n.lineno)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("format", "join") \
                and any(TAG.search(s) for s in _literals(n.func.value)):
            hits.append(n.lineno)
    return sorted(set(hits))


def notebook_source(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


def test_the_scan_finds_hand_built_tags():
    assert tag_builders('x = f"<p>{t}</p>"') == [1]
    assert tag_builders('x = "<b>" + t') == [1]
    assert tag_builders('x = "<li>%s</li>" % t') == [1]
    assert tag_builders('x = "<td>{}</td>".format(t)') == [1]
    assert tag_builders('x = "</script".replace("a", "b")\ny = f"{a} < {b}"') == []


@pytest.mark.parametrize("path", sorted(p for p in LIB.rglob("*.py") if "__pycache__" not in p.parts),
                         ids=lambda p: str(p.relative_to(LIB)))
def test_no_module_builds_a_tag_by_hand(path):
    assert tag_builders(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(LIB)} builds HTML by hand: use a template in reports/templates/fragments/")


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_no_notebook_builds_a_tag_by_hand(path):
    assert tag_builders(notebook_source(path)) == [], f"{path.name} builds HTML by hand: call a report helper"


def test_templates_escape_what_they_are_given():
    out = render("paragraph", text='<script>alert("x")</script> & co', note=False)
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp; co" in out


def test_a_rendered_fragment_is_kept_as_it_is():
    inner = render("paragraph", text="a & b", note=True)
    outer = render("quarterly/anonymity", lines=inner)
    assert isinstance(outer, Fragment) and '<p class="dyad-note">a &amp; b</p>' in outer
    assert outer._repr_html_() == str(outer)


def test_an_undefined_name_in_a_template_fails_loudly():
    with pytest.raises(jinja2.UndefinedError):
        render("paragraph", text="x")  # `note` missing


def test_every_template_compiles():
    from dyad_lib.reports.html import environment

    env = environment()
    names = [p.relative_to(FRAGMENTS).as_posix() for p in FRAGMENTS.rglob("*.html.j2")]
    assert len(names) > 20
    for name in names:
        env.get_template(name)

"""HTML fragments from Jinja2 templates with autoescaping on.

Every piece of HTML that Python or a notebook shows comes from a template under
`templates/fragments/`; values are escaped by the template engine, never by hand, so a forgotten
`escape()` cannot turn a survey comment or a practice name into markup. Text that is already safe
HTML (another fragment) is passed as `Markup` (what `render` returns) and kept as it is.

Templates are looked up by file name without the extension: `render("tiles", items=...)`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape  # noqa: F401  (re-exported: the one way to mark safe HTML)

FRAGMENTS = Path(__file__).resolve().parent / "templates" / "fragments"


@functools.lru_cache(maxsize=1)
def environment():
    """The one Jinja environment: autoescape everything, fail on an undefined name."""
    import jinja2

    from dyad_lib import fmt

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(FRAGMENTS)),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(money=fmt.money, percent=fmt.percent, count=fmt.count, metric=fmt.metric,
                       spell_date=fmt.spell_date, spell_month=fmt.spell_month, css_string=css_string)
    return env


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` of a template: a number that remembers its metric and period
    (`fmt.Figure`) is rendered with its data attributes, text with figures in it (`fmt.Sentence`)
    part by part; anything else is left to autoescaping."""
    from dyad_lib.fmt import Figure, Sentence

    if isinstance(value, Sentence):
        if not value.figures:
            return str(value)
        return Markup(environment().get_template("sentence.html.j2").render(parts=value.parts))
    if isinstance(value, Figure):
        if not (value.metric or value.derived):
            return str(value)
        return Markup(environment().get_template("figure.html.j2").render(f=value, text=str(value)))
    return value


def css_string(text: object) -> Markup:
    """`text` as a quoted CSS string, safe inside a `<style>` element: every character but letters,
    digits and spaces is written as a CSS escape (`\\26 ` for `&`), so no quote, backslash or `<`
    from a practice name can end the string or the element."""
    out = []
    for ch in str(text):
        out.append(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')


class Fragment(Markup):
    """Rendered, safe HTML that a notebook can `display()` as it is."""

    def _repr_html_(self) -> str:
        return str(self)


def render(template: str, /, **context: Any) -> Fragment:
    """The fragment `templates/fragments/<template>.html.j2` rendered with `context` (safe HTML)."""
    return Fragment(environment().get_template(f"{template}.html.j2").render(**context).strip())


def show(template: str, /, **context: Any):
    """`render` wrapped for display in a notebook cell."""
    from IPython.display import HTML

    return HTML(str(render(template, **context)))

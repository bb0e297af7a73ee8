"""Building blocks for report notebooks: title block, tiles, tables, notes and footer.

Every helper returns an `IPython.display.HTML` object rendered from a template of
`templates/fragments/` (`dyad_lib.reports.html`), so text from the data (practice and partner
names, comments, table cells) is escaped by the template engine and a `<script>` typed into a
survey shows as text. The classes are styled by the report stylesheet (templates/dyad/static/dyad.css).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from IPython.display import HTML

from dyad_lib import __version__
from dyad_lib.reports.html import render
from dyad_lib.fmt import Figure, Sentence
from dyad_lib.fmt import spell_date, spell_month  # noqa: F401  (notebooks use them from here)

TITLE_END = "<!--/dyad-title-->"  # the page template puts the table of contents right after it
TONES = ("good", "warn", "bad", "clinical", "business", "")


def text(v: Any) -> str:
    """A value as display text (None/NaN -> ''); templates escape it. A number that remembers its
    metric (`fmt.Figure`) or text with such numbers (`fmt.Sentence`) is kept as it is, so the
    template renders it with its data attributes."""
    if isinstance(v, (Figure, Sentence)):
        return v
    if v is None or (isinstance(v, float) and v != v):
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)



def _period_text(period: Any, fy_start_month: int = 1) -> str:
    if hasattr(period, "description"):
        return str(period.description)
    try:
        from dyad_lib.metrics.periods import parse_period

        return parse_period(str(period), fy_start_month).description
    except Exception:
        return str(period)


def running_period(period: Any, fy_start_month: int = 1) -> str:
    """The period as the running header of a printed page names it: 'September 2026',
    '2026Q3 (July – September 2026)', 'FY2027', else its description."""
    p = period
    if not hasattr(p, "kind"):
        try:
            from dyad_lib.metrics.periods import parse_period

            p = parse_period(str(period), fy_start_month)
        except Exception:
            return str(period)
    if p.kind == "month":
        return p.start.strftime("%B %Y")
    if p.kind == "quarter":
        return f"{p.label} ({p.start:%B} – {p.end:%B %Y})"
    if p.kind == "fiscal_year":
        return f"{p.label} ({p.start:%B %Y} – {p.end:%B %Y})"
    return str(p.description)


def _config(practice: Any) -> Any:
    return getattr(practice, "config", practice)


def title_block(practice: Any, period: Any, report_title: str, *, run_date: Any = None,
                subtitle: str | None = None) -> HTML:
    """Report title, practice name, the period spelled out, the two partners and the run date; also
    the running header of every printed page after the first (practice · report · period).

    `practice` is a `dyad_lib.data.load.Practice`, its `PracticeConfig`, or a plain name (portfolio)."""
    cfg = _config(practice)
    name = getattr(cfg, "name", None) or getattr(cfg, "practice_id", None) or str(practice)
    fy = getattr(cfg, "fiscal_year_start_month", 1) or 1
    sub = subtitle if subtitle is not None else _period_text(period, fy)
    running = f"{name} · {report_title} · {running_period(period, fy)}"
    return HTML(render("title", name=name, title=report_title, sub=sub, running=running,
                       clinical=getattr(cfg, "clinical_lead", ""), business=getattr(cfg, "business_lead", ""),
                       when=spell_date(run_date or _dt.date.today())))


def running_header(practice: Any, report_title: str, period: Any) -> HTML:
    """Only the running header of the printed pages (practice · report · period), for a report
    without a title block; `title_block` sets it itself."""
    cfg = _config(practice)
    name = getattr(cfg, "name", None) or getattr(cfg, "practice_id", None) or str(practice)
    fy = getattr(cfg, "fiscal_year_start_month", 1) or 1
    return HTML(render("running_header", running=f"{name} · {report_title} · {running_period(period, fy)}"))


def footer(fingerprint: str | None = None, *, practice_id: str | None = None, data_dir: Any = None,
           run_time: Any = None, extra: str | None = None) -> HTML:
    """Input fingerprint (first 12 hex digits), suite version and run time: how to reproduce it."""
    if fingerprint is None and practice_id:
        try:
            from dyad_lib.data.fingerprint import fingerprint as fp

            fingerprint = fp(practice_id, data_dir)
        except Exception:
            fingerprint = None
    ts = pd.Timestamp(run_time) if run_time is not None else pd.Timestamp.now(tz="UTC").floor("s")
    stamp = f"{spell_date(ts)}, {ts:%H:%M}" + (" UTC" if ts.tzinfo is not None else "")
    parts = [{"label": "Input fingerprint: ", "code": (fingerprint or "not available")[:12]},
             {"label": f"dyad {__version__}", "code": None}, {"label": f"Run {stamp}", "code": None}]
    if extra:
        parts.append({"label": extra, "code": None})
    return HTML(render("footer", parts=parts))


def section_missing(table: str, what: str) -> HTML:
    """One line where a section would be: the optional table is absent, so this part is skipped."""
    return HTML(render("section_missing", table=table, what=what))


def note(text: str, tone: str = "") -> HTML:
    """A call-out paragraph (tone: '', 'good', 'bad')."""
    return HTML(render("note", text=text, tone=tone if tone in TONES else ""))


def html_table(df: pd.DataFrame, *, formats: Mapping[str, Any] | None = None, numeric: Iterable[str] | None = None,
               caption: str | None = None, index: bool = False, max_rows: int | None = None, cls: str = "") -> HTML:
    """A styled table with every cell escaped. `formats` maps a column to a callable (e.g.
    `fmt.money`); numeric columns (given, or detected) are right-aligned."""
    return HTML(table_html(df, formats=formats, numeric=numeric, caption=caption, index=index, max_rows=max_rows,
                           cls=cls))


def glossary(gloss: pd.DataFrame) -> HTML:
    """A report's glossary (`registry.glossary`): label, formula, benchmark, source — set small on paper."""
    cols = [c for c in ("label", "formula", "benchmark", "source") if c in gloss.columns]
    return html_table(gloss[cols].rename(columns=str.capitalize), cls="dyad-table dyad-glossary")


def table_html(df: pd.DataFrame, *, formats: Mapping[str, Any] | None = None, numeric: Iterable[str] | None = None,
               caption: str | None = None, index: bool = False, max_rows: int | None = None, cls: str = ""):
    """`html_table` as safe HTML text (for a fragment that holds a table)."""
    formats = dict(formats or {})
    frame = df.reset_index() if index else df
    if max_rows is not None:
        frame = frame.head(max_rows)
    num = set(numeric) if numeric is not None else {c for c in frame.columns
                                                      if pd.api.types.is_numeric_dtype(frame[c])
                                                      and not pd.api.types.is_bool_dtype(frame[c])}
    num |= set(formats)
    head = [(text(c), c in num) for c in frame.columns]
    rows = [[(text(formats[col](v) if col in formats else v), col in num) for col, v in zip(frame.columns, rec)]
            for rec in frame.itertuples(index=False, name=None)]
    return render("table", head=head, rows=rows, caption=caption, cls=cls)


def tiles(items: Sequence[Mapping[str, Any] | tuple]) -> HTML:
    """Headline tiles: each item {label, value, note?, tone?} or (label, value[, note[, tone]]).
    Values should already be formatted for people (dyad_lib.fmt)."""
    out = []
    for it in items:
        if not isinstance(it, Mapping):
            it = dict(zip(("label", "value", "note", "tone"), it))
        tone = it.get("tone") or ""
        out.append({"label": text(it.get("label")), "value": text(it.get("value")), "note": text(it.get("note")),
                    "tone": tone if tone in TONES else ""})
    return HTML(render("tiles", items=out))


def data_quality_note(validation_summary: Mapping[str, Any] | None, tables: Iterable[str]) -> HTML:
    """The validation warnings that touch this report's tables, in plain words (or that none do)."""
    wanted = set(tables)
    if not validation_summary:
        return HTML(render("data_quality_note", validated=False, hits=[], missing=[]))
    hits = [f for f in validation_summary.get("failures", []) if f.get("table") in wanted]
    missing = sorted(m.get("table") for m in validation_summary.get("missing_tables", []) or []
                     if m.get("table") in wanted)
    return HTML(render("data_quality_note", validated=True, hits=hits, missing=missing))


def heading(text: str, level: int = 3, partner: str | None = None) -> HTML:
    """A sub-heading inside a section (h3/h4), optionally with a partner's colour mark."""
    return HTML(render("heading", text=text, level=level, partner=partner))


def paragraph(text: str, note: bool = False) -> HTML:
    """A paragraph of prose (`note=True`: the muted style for a side remark)."""
    return HTML(render("paragraph", text=text, note=note))


def lines(items: Sequence[str], cls: str = "") -> HTML:
    """A bulleted list (nothing when empty)."""
    return HTML(render("lines", lines=list(items), cls=cls))


def points(items: Sequence[str]) -> HTML:
    """A numbered list of talking points."""
    return HTML(render("points", points=list(items)))


def prose(template: str, /, **context: Any) -> HTML:
    """A report's own paragraph template, `templates/fragments/<template>.html.j2`, filled with `context`."""
    return HTML(render(template, **context))

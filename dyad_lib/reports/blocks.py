"""Building blocks for report notebooks: title block, tiles, tables, notes and footer.

Every helper returns an `IPython.display.HTML` object whose text from the data (practice and
partner names, comments, table cells) is HTML-escaped, so a `<script>` typed into a survey shows as
text. The classes used here are styled by the report template (templates/dyad/static/dyad.css).
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from IPython.display import HTML

from dyad_lib import __version__
from dyad_lib.fmt import spell_date, spell_month  # noqa: F401  (notebooks use them from here)

TITLE_END = "<!--/dyad-title-->"  # the page template puts the table of contents right after it
TONES = ("good", "warn", "bad", "clinical", "business", "")


def esc(v: Any) -> str:
    """Escaped text for HTML; None/NaN -> ''."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(v), quote=True)



def _period_text(period: Any, fy_start_month: int = 1) -> str:
    if hasattr(period, "description"):
        return str(period.description)
    try:
        from dyad_lib.metrics.periods import parse_period

        return parse_period(str(period), fy_start_month).description
    except Exception:
        return str(period)


def _config(practice: Any) -> Any:
    return getattr(practice, "config", practice)


def title_block(practice: Any, period: Any, report_title: str, *, run_date: Any = None,
                subtitle: str | None = None) -> HTML:
    """Report title, practice name, the period spelled out, the two partners and the run date.

    `practice` is a `dyad_lib.data.load.Practice`, its `PracticeConfig`, or a plain name (portfolio)."""
    cfg = _config(practice)
    name = getattr(cfg, "name", None) or getattr(cfg, "practice_id", None) or str(practice)
    fy = getattr(cfg, "fiscal_year_start_month", 1) or 1
    when = spell_date(run_date or _dt.date.today())
    meta = []
    clinical, business = getattr(cfg, "clinical_lead", ""), getattr(cfg, "business_lead", "")
    if clinical:
        meta.append(f'<span><i class="dyad-partner clinical"></i>Clinical lead: <b>{esc(clinical)}</b></span>')
    if business:
        meta.append(f'<span><i class="dyad-partner business"></i>Business lead: <b>{esc(business)}</b></span>')
    meta.append(f"<span>Prepared {esc(when)}</span>")
    sub = subtitle if subtitle is not None else _period_text(period, fy)
    return HTML(f'<header class="dyad-title"><p class="dyad-kicker">{esc(name)}</p>'
                f"<h1>{esc(report_title)}</h1><p class=\"dyad-sub\">{esc(sub)}</p>"
                f'<p class="dyad-meta">{"".join(meta)}</p></header>{TITLE_END}')


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
    parts = [f"<span>Input fingerprint: <code>{esc((fingerprint or 'not available')[:12])}</code></span>",
             f"<span>dyad {esc(__version__)}</span>", f"<span>Run {esc(stamp)}</span>"]
    if extra:
        parts.append(f"<span>{esc(extra)}</span>")
    return HTML(f'<footer class="dyad-footer">{"".join(parts)}</footer>')


def section_missing(table: str, what: str) -> HTML:
    """One line where a section would be: the optional table is absent, so this part is skipped."""
    return HTML(f'<p class="dyad-note">Not shown: {esc(what)} needs the <b>{esc(table)}</b> table, '
                "which was not provided.</p>")


def note(text: str, tone: str = "") -> HTML:
    """A call-out paragraph (tone: '', 'good', 'bad')."""
    cls = "dyad-callout" + (f" {tone}" if tone in TONES and tone else "")
    return HTML(f'<div class="{cls}">{esc(text)}</div>')


def html_table(df: pd.DataFrame, *, formats: Mapping[str, Any] | None = None, numeric: Iterable[str] | None = None,
               caption: str | None = None, index: bool = False, max_rows: int | None = None) -> HTML:
    """A styled table with every cell escaped. `formats` maps a column to a callable (e.g.
    `fmt.money`); numeric columns (given, or detected) are right-aligned."""
    formats = dict(formats or {})
    frame = df.reset_index() if index else df
    if max_rows is not None:
        frame = frame.head(max_rows)
    num = set(numeric) if numeric is not None else {c for c in frame.columns
                                                      if pd.api.types.is_numeric_dtype(frame[c])
                                                      and not pd.api.types.is_bool_dtype(frame[c])}
    num |= set(formats)
    head = "".join(f'<th class="num">{esc(c)}</th>' if c in num else f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for rec in frame.itertuples(index=False, name=None):
        cells = []
        for col, v in zip(frame.columns, rec):
            text = formats[col](v) if col in formats else v
            cells.append(f'<td class="num">{esc(text)}</td>' if col in num else f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return HTML(f'<table class="dyad-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def tiles(items: Sequence[Mapping[str, Any] | tuple]) -> HTML:
    """Headline tiles: each item {label, value, note?, tone?} or (label, value[, note[, tone]]).
    Values should already be formatted for people (dyad_lib.fmt)."""
    out = []
    for it in items:
        if not isinstance(it, Mapping):
            it = dict(zip(("label", "value", "note", "tone"), it))
        tone = it.get("tone") or ""
        cls = f"dyad-tile {tone}" if tone in TONES and tone else "dyad-tile"
        note_html = f'<div class="note">{esc(it.get("note"))}</div>' if it.get("note") else ""
        out.append(f'<div class="{cls}"><div class="label">{esc(it.get("label"))}</div>'
                   f'<div class="value">{esc(it.get("value"))}</div>{note_html}</div>')
    return HTML(f'<div class="dyad-tiles">{"".join(out)}</div>')


def data_quality_note(validation_summary: Mapping[str, Any] | None, tables: Iterable[str]) -> HTML:
    """The validation warnings that touch this report's tables, in plain words (or that none do)."""
    wanted = set(tables)
    if not validation_summary:
        return HTML('<p class="dyad-note">These files were not validated before this report was made; '
                    "run the data-quality report to check them.</p>")
    hits = [f for f in validation_summary.get("failures", []) if f.get("table") in wanted]
    missing = [m.get("table") for m in validation_summary.get("missing_tables", []) or [] if m.get("table") in wanted]
    parts = []
    if not hits:
        parts.append('<p class="dyad-note">No data-quality warning touches the tables behind this report.</p>')
    else:
        lis = "".join(f"<li><b>{esc(f.get('file') or f.get('table'))}</b>: {esc(f.get('message'))}"
                      + (f" <span class=\"dyad-note\">({esc(f.get('severity'))})</span>" if f.get("severity") == "blocking" else "")
                      + "</li>" for f in hits)
        parts.append(f"<p>{len(hits)} data-quality warning{'s' if len(hits) != 1 else ''} touch this report "
                     f"(see the data-quality report for what to do):</p><ul>{lis}</ul>")
    if missing:
        parts.append(f'<p class="dyad-note">Not provided: {esc(", ".join(sorted(missing)))}.</p>')
    return HTML("".join(parts))

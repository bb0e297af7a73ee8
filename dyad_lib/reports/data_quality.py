"""Turn a validation summary (the JSON of `ValidationReport.to_dict()`) into things people read.

Used by the data_quality notebook: a per-table DataFrame, the failures in plain words (blocking
first, with what to fix) and a verdict sentence a consultant can send to a client. Every value
that came from the client's files is HTML-escaped: it is free text. Never imports
great_expectations (the summary is read from the snapshot cache).
"""

from __future__ import annotations

import html
import os
import re
from typing import Any

import pandas as pd

#: Periods the data-quality report accepts: it has no real period.
NO_PERIOD = ("latest", "none", "")


def check_period(period: str | None) -> str:
    """Accept 'latest', 'none' or a month (YYYY-MM) and return the label to show."""
    p = "none" if period is None else str(period).strip().lower()
    if p in NO_PERIOD:
        return "latest data"
    if re.fullmatch(r"\d{4}-\d{2}", p):
        return p
    raise ValueError(f"the data-quality report takes period 'latest', 'none' or a month (YYYY-MM), not '{period}'")


def quality_summary(practice_id: str, data_dir: str | os.PathLike | None = None,
                    cache_dir: str | os.PathLike | None = None) -> dict[str, Any]:
    """The validation summary of the current files; validates in-process only if none is cached
    (a notebook opened by hand before `dyad validate` or a report run)."""
    from dyad_lib.data.snapshot import prepare_practice, read_validation

    summary = read_validation(practice_id, data_dir, cache_dir)
    if summary is None:
        summary = prepare_practice(practice_id, data_dir, cache_dir).summary
    return summary


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def tables_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per table provided: file, rows, date range, checks run and failed, blocking."""
    rows = []
    for name, t in summary.get("tables", {}).items():
        dr = t.get("date_range")
        rows.append({
            "table": name,
            "file": t.get("file", ""),
            "rows": t.get("rows"),
            "date range": f"{dr[0]} – {dr[1]}" if dr else "",
            "checks run": t.get("checks", 0),
            "failed": t.get("failed", 0),
            "status": "blocks reports" if t.get("blocking") else ("warnings" if t.get("failed") else "ok"),
        })
    return pd.DataFrame(rows, columns=["table", "file", "rows", "date range", "checks run", "failed", "status"])


def failures_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per failure, blocking first (the summary is already sorted that way)."""
    cols = ["severity", "table", "file", "columns", "count", "rows", "examples", "message", "explanation", "fix"]
    out = []
    for f in summary.get("failures", []):
        out.append({
            "severity": f["severity"], "table": f["table"], "file": f["file"],
            "columns": ", ".join(f.get("columns") or []), "count": f.get("unexpected_count", 0),
            "rows": ", ".join(str(r) for r in f.get("rows") or []),
            "examples": ", ".join(f.get("examples") or []), "message": f["message"],
            "explanation": f.get("explanation", ""), "fix": f.get("fix", ""),
        })
    df = pd.DataFrame(out, columns=cols)
    if len(df):
        df = df.sort_values("severity", key=lambda s: s.ne("blocking"), kind="stable").reset_index(drop=True)
    return df


def verdict(summary: dict[str, Any]) -> str:
    """One or two sentences a consultant can send to the client as they are (plain text)."""
    failures = summary.get("failures", [])
    blocking = [f for f in failures if f["severity"] == "blocking"]
    warnings = [f for f in failures if f["severity"] != "blocking"]
    if blocking:
        by_file: dict[str, list[str]] = {}
        for f in blocking:
            cols = ", ".join(f.get("columns") or []) or "the file"
            by_file.setdefault(f["file"], [])
            if cols not in by_file[f["file"]]:
                by_file[f["file"]].append(cols)
        parts = []
        for file, cols in by_file.items():
            n = sum(1 for f in blocking if f["file"] == file)
            parts.append(f"{n} in {file} ({'; '.join(cols)})")
        text = (f"{_n(len(blocking), 'problem')} block{'s' if len(blocking) == 1 else ''} the reports: "
                + ", ".join(parts) + f". Please correct {'it' if len(blocking) == 1 else 'them'} and send the files again.")
        if warnings:
            text += f" {_n(len(warnings), 'warning')} can wait, but {'is' if len(warnings) == 1 else 'are'} worth a look."
        return text
    if warnings:
        return (f"The data is ready for the reports. {_n(len(warnings), 'warning')} "
                f"{'is' if len(warnings) == 1 else 'are'} worth a look: "
                + "; ".join(f"{f['table']} {f['message']}" for f in warnings[:3])
                + ("; …" if len(warnings) > 3 else "") + ".")
    n_tables = len(summary.get("tables", {}))
    return f"The data is ready for the reports: all {_n(n_tables, 'table')} passed every check."


# --- HTML (escaped) ---------------------------------------------------------------------------------


def _esc(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def verdict_html(summary: dict[str, Any]) -> str:
    """The verdict as a highlighted paragraph (class dq-ok or dq-blocked for the report's styling)."""
    cls = "dq-ok" if summary.get("ok", False) else "dq-blocked"
    return f'<div class="dq-verdict {cls}"><p><strong>{_esc(verdict(summary))}</strong></p></div>'


def tables_html(summary: dict[str, Any]) -> str:
    df = tables_frame(summary)
    if df.empty:
        return "<p>No table could be read.</p>"
    df["rows"] = df["rows"].map(lambda v: "" if v is None or pd.isna(v) else f"{int(v):,}")
    return df.to_html(index=False, escape=True, border=0, classes="dq-tables", na_rep="")


def _failure_html(f: dict[str, Any]) -> str:
    parts = [f'<li class="dq-{_esc(f["severity"])}"><strong>{_esc(f["file"])}</strong> — {_esc(f["message"])}']
    if f.get("explanation"):
        parts.append(f"<br><span class='dq-why'>{_esc(f['explanation'])}</span>")
    if f.get("fix"):
        parts.append(f"<br><span class='dq-fix'>What to do: {_esc(f['fix'])}</span>")
    parts.append("</li>")
    return "".join(parts)


def failures_html(summary: dict[str, Any]) -> str:
    """Blocking problems first with what to fix, then warnings; every client value escaped."""
    failures = summary.get("failures", [])
    blocking = [f for f in failures if f["severity"] == "blocking"]
    warnings = [f for f in failures if f["severity"] != "blocking"]
    if not failures:
        return "<p>No problem found: every check passed.</p>"
    out = []
    if blocking:
        out.append(f"<h3>{_n(len(blocking), 'problem')} to fix before the reports can be made</h3>")
        out.append("<ol class='dq-blocking-list'>" + "".join(_failure_html(f) for f in blocking) + "</ol>")
    if warnings:
        out.append(f"<h3>{_n(len(warnings), 'warning')}</h3><p>These do not stop the reports, but the "
                   "sections they touch may show gaps.</p>")
        out.append("<ul class='dq-warning-list'>" + "".join(_failure_html(f) for f in warnings) + "</ul>")
    return "\n".join(out)


def missing_tables_html(summary: dict[str, Any]) -> str:
    missing = summary.get("missing_tables") or []
    if not missing:
        return "<p>Every table of the data contract was provided.</p>"
    items = "".join(f"<li><strong>{_esc(m['table'])}</strong>: would switch on {_esc(m['enables'])}</li>"
                    for m in missing)
    return f"<p>Not provided (optional; each one switches on more of the reports):</p><ul>{items}</ul>"

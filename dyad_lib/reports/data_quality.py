"""Turn a validation summary (the JSON of `ValidationReport.to_dict()`) into things people read.

Used by the data_quality notebook: a per-table DataFrame, the failures in plain words (blocking
first, with what to fix) and a verdict sentence a consultant can send to a client. Every value
that came from the client's files is escaped by the templates: it is free text. Never imports
great_expectations (the summary is read from the snapshot cache).
"""

from __future__ import annotations

import os
import re
from typing import Any

import pandas as pd

from dyad_lib.reports.html import Fragment, render

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


# --- HTML (from templates: every value from the client's files is escaped there) -------------------


def verdict_html(summary: dict[str, Any]) -> Fragment:
    """The verdict as a highlighted paragraph (class dq-ok or dq-blocked for the report's styling)."""
    return render("data_quality/verdict", ok=bool(summary.get("ok", False)), text=verdict(summary))


def tables_html(summary: dict[str, Any]) -> Fragment:
    """One row per table: file, rows, dates, checks run and failed."""
    from dyad_lib.reports.blocks import table_html

    df = tables_frame(summary)
    if df.empty:
        return render("paragraph", text="No table could be read.", note=False)
    df["rows"] = df["rows"].map(lambda v: "" if v is None or pd.isna(v) else f"{int(v):,}")
    return table_html(df, numeric=[], cls="dyad-table dq-tables")


def _failure(f: dict[str, Any]) -> dict[str, Any]:
    return {"severity": f.get("severity"), "file": f.get("file"), "message": f.get("message"),
            "explanation": f.get("explanation") or "", "fix": f.get("fix") or ""}


def failures_html(summary: dict[str, Any]) -> Fragment:
    """Blocking problems first with what to fix, then warnings."""
    failures = summary.get("failures", [])
    blocking = [_failure(f) for f in failures if f["severity"] == "blocking"]
    warnings = [_failure(f) for f in failures if f["severity"] != "blocking"]
    return render("data_quality/failures", blocking=blocking, warnings=warnings,
                  blocking_title=f"{_n(len(blocking), 'problem')} to fix before the reports can be made",
                  warnings_title=_n(len(warnings), "warning"))


def missing_tables_html(summary: dict[str, Any]) -> Fragment:
    """The optional tables not provided, each with what it would switch on."""
    return render("data_quality/missing_tables", missing=summary.get("missing_tables") or [])


# --- where the data came from: import-report.json / mapping-report.json -------------------------------

#: Reconciliation columns: (heading, side, key).
RECON_COLUMNS = (("Production", "source", "production"), ("Adjustments", "source", "adjustments"),
                 ("Write-offs", "source", "writeoffs"), ("Net production", "source", "net_production"),
                 ("Patient income", "source", "patient_income"), ("Insurance income", "source", "insurance_income"),
                 ("Δ production", "delta", "gross_production"), ("Δ net", "delta", "net_production"),
                 ("Δ collections", "delta", "collections"))
def recon_columns(labels: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The reconciliation's columns as this system names its figures (import-report.json `labels`;
    None leaves a figure out); Open Dental's names when the report gives none."""
    out = []
    for heading, side, key in RECON_COLUMNS:
        label_key = key if side == "source" else f"delta_{key}"
        if label_key in labels and labels[label_key] is None:
            continue
        out.append((labels.get(label_key) or heading, side, key))
    return out


def _recon_formula(labels: dict[str, Any]) -> str:
    """How the columns add up, in the system's words."""
    if not labels:
        return ("net production = production + adjustments − write-offs; collections = patient + insurance "
                "income")
    lab = {k: (v or "").lower() for k, v in labels.items()}
    return (f"{lab.get('net_production', 'net')} = {lab.get('production', 'gross')} − {lab.get('writeoffs', '')}; "
            f"collections = {lab.get('patient_income', '')} + {lab.get('insurance_income', '')}")


#: Months shown open; the rest behind a "show all" toggle.
RECENT_MONTHS = 12


def import_records(practice_id: str, data_dir: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """The practice's import reports (a system import, then mapping imports), newest facts only."""
    from dyad_lib.data.paths import practice_dir
    from dyad_lib.importers.report import read_import_report

    folder = practice_dir(practice_id, data_dir)
    out = []
    for name in ("import-report.json", "mapping-report.json"):
        rep = read_import_report(folder, name)
        if rep is not None:
            out.append(rep)
    return out


def _database(source: str) -> str:
    """The database's name from a source URL (never the host, the user or a path)."""
    tail = str(source).rsplit("/", 1)[-1].split("?", 1)[0]
    return tail


def _month_label(m: str) -> str:
    from dyad_lib import fmt

    return fmt.spell_month(pd.Timestamp(f"{m}-01")) if re.fullmatch(r"\d{4}-\d{2}", str(m or "")) else str(m)


def _range_text(r: dict[str, Any]) -> str:
    lo, hi = r.get("from"), r.get("to")
    if not lo:
        return ""
    return f"month {_month_label(lo)}" if lo == hi else f"months {_month_label(lo)} to {_month_label(hi)}"


def import_context(rec: dict[str, Any]) -> dict[str, Any]:
    """One import report as the values the template shows (every amount formatted for people)."""
    from dyad_lib import fmt

    recon = rec.get("reconciliation") or {}
    months = recon.get("months") or []
    columns = recon_columns(recon.get("labels") or {})
    rows = []
    for m in months:
        cells = [pd.Timestamp(f"{m['month']}-01").strftime("%b %Y")] + \
            [fmt.cents((m.get(side) or {}).get(key)) for _, side, key in columns]
        off = any(abs(v) > 0 for v in (m.get("delta") or {}).values())
        reclass = (m.get("imported") or {}).get("reclassified") or 0
        rows.append({"cells": cells, "off": off, "reclassified": fmt.cents(reclass) if reclass else ""})
    worst = (rec.get("reconciliation") or {}).get("max_abs_delta", 0) or 0
    system = rec.get("system", "")
    mapped = system == "mapping"
    checks = []
    for c in rec.get("checks") or []:
        if c.get("id") == "ar_vs_stored_aging":
            checks.append({"as_of": fmt.spell_date(c["as_of"]), "ledger": fmt.cents(c["ledger"]),
                           "stored": fmt.cents(c["stored"]), "delta": fmt.cents(c["delta"]),
                           "ok": abs(c.get("delta") or 0) < 0.005, "text": c.get("text", "")})
    excluded = [{"table": e["table"], "reason": e["reason"], "rows": fmt.count(e["rows"]),
                 "amount": fmt.cents(e["amount"]) if e.get("amount") else ""} for e in rec.get("excluded") or []]
    return {
        "mapped": mapped, "system": system,
        "title": (f"Mapping file {rec.get('mapping') or rec.get('source')}" if mapped else
                  f"{system} {rec.get('version') or ''}".strip()),
        "database": "" if mapped else _database(rec.get("source", "")),
        "read_on": fmt.spell_date(pd.Timestamp(rec["read_at"]).tz_localize(None)) if rec.get("read_at") else "",
        "range": _range_text(rec.get("range") or {}),
        "months": len(months), "worst": fmt.cents(worst), "reconciled": worst == 0,
        "head": ["Month"] + [c[0] for c in columns],
        "reconciled_with": recon.get("reconciled_with") or f"{system}'s own Production & Income figures",
        "formula": _recon_formula(recon.get("labels") or {}),
        "recent": rows[-RECENT_MONTHS:], "earlier": rows[:-RECENT_MONTHS] if len(rows) > RECENT_MONTHS else [],
        "reclassified": any(r["reclassified"] for r in rows),
        "checks": checks,
        "rules": [{"id": r["id"].replace("_", " "), "text": r["text"]} for r in rec.get("rules") or []],
        "read": [{"table": k, "rows": fmt.count(v)} for k, v in (rec.get("rows_read") or {}).items()],
        "written": [{"table": k, "rows": fmt.count(v)} for k, v in (rec.get("rows_written") or {}).items()],
        "excluded": excluded, "notes": list(rec.get("notes") or []),
    }


def import_html(records: list[dict[str, Any]]) -> Fragment:
    """Where the data came from: each import with its reconciliation against the source system's
    own figures, what was read, written and left out on purpose, and the rules applied."""
    return render("data_quality/imports", imports=[import_context(r) for r in records])

"""The consultant's portfolio: every practice in the data folder, one row each on the core KPIs for
a period, ranked among its peers.

Fair comparison: practices are grouped by kind (dental, medical) and, where the number of
dentists or physicians is known (full-time equivalents from the providers table, else the
providers seeing patients), by size; ranks are within that peer group, totals are only ever summed
within one kind, and the measures that grow with the size of a practice (collections, new and
active patients) are also shown per dentist or physician.

Numbers come from `dyad_lib.metrics.compute.compute_metrics` (the same function behind `dyad metrics`),
so the portfolio never disagrees with a practice's own reports. Practices whose files fail
validation are listed with why instead of silently dropped. `anonymize=True` replaces names with
codes (Practice A, B, … in practice-id order) and drops the links, which carry the practice id.
Reads the validation summaries from the snapshot cache and never imports great_expectations.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dyad_lib.metrics.periods import Period, parse_period
from dyad_lib.reports.html import Fragment, render

#: The core KPIs of the portfolio, in column order. `collections_growth` is derived here (the
#: change of collections against the same months a year earlier); every other id is a metric id.
CORE_METRICS: tuple[str, ...] = (
    "collections", "collections_per_provider", "collections_growth", "collection_ratio", "overhead_ratio",
    "operating_margin", "case_acceptance_value", "no_show_rate", "new_patients", "new_patients_per_provider",
    "active_patients", "active_patients_per_provider", "patient_nps", "dyad_alignment",
)
GROWTH_ID = "collections_growth"
GROWTH_LABEL = "Growth in collections vs a year earlier"
#: Measures that grow with a practice's size, shown again per dentist or physician (FTE).
PER_PROVIDER = {"collections_per_provider": "collections", "new_patients_per_provider": "new_patients",
                "active_patients_per_provider": "active_patients"}
#: Size of a practice by its dentists or physicians (full-time equivalents): (upper bound, words).
SIZE_BANDS = ((1.5, "1 {doctor}"), (3.5, "2–3 {doctors}"), (float("inf"), "4 or more {doctors}"))
DOCTOR_WORDS = {"dental": ("dentist", "dentists"), "medical": ("physician", "physicians")}



@dataclass
class PracticeRow:
    """One practice of the portfolio: its values, or why it has none."""

    practice_id: str
    name: str
    kind: str
    status: str  # ok | warnings | failed | not validated
    why: str = ""
    period: Period | None = None
    values: dict[str, Any] = field(default_factory=dict)  # metric id -> MetricValue
    providers: float | None = None  # dentists or physicians over the period (FTE where given)

    @property
    def size(self) -> str:
        """'2–3 dentists', '4 or more physicians', or 'size not known'."""
        return size_band(self.kind, self.providers)

    @property
    def peer_group(self) -> str:
        """'Dental, 2–3 dentists': kind and size (kind alone when the size is not known)."""
        if not self.kind:
            return "Kind not known"
        return f"{self.kind.capitalize()}, {self.size}"


def size_band(kind: str, providers: float | None) -> str:
    one, many = DOCTOR_WORDS.get(kind, ("provider", "providers"))
    if not providers:
        return f"number of {many} not known"
    for upper, words in SIZE_BANDS:
        if providers < upper:
            return words.format(doctor=one, doctors=many)
    return SIZE_BANDS[-1][1].format(doctor=one, doctors=many)


def practice_code(i: int) -> str:
    """Practice A … Z, then AA, AB, … (spreadsheet-column style)."""
    letters = string.ascii_uppercase
    s, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = letters[r] + s
    return f"Practice {s}"


def metric_label(metric_id: str, kinds: set[str]) -> str:
    """A column label that reads right for every kind of practice in the portfolio."""
    if metric_id == GROWTH_ID:
        return GROWTH_LABEL
    if metric_id in PER_PROVIDER:
        base = metric_label(PER_PROVIDER[metric_id], kinds)
        who = " / ".join(DOCTOR_WORDS.get(k, ("provider",))[0] for k in sorted(kinds or {"dental"}))
        return f"{base} per {who} (full-time equivalent)"
    from dyad_lib.metrics import registry

    d = registry.get(metric_id)
    labels = list(dict.fromkeys(d.label(k) for k in sorted(kinds or {"dental"})))
    return " / ".join(labels)


def better(metric_id: str) -> str:
    if metric_id == GROWTH_ID:
        return "up"
    metric_id = PER_PROVIDER.get(metric_id, metric_id)
    from dyad_lib.metrics import registry

    return registry.get(metric_id).better


def metric_unit(metric_id: str) -> str:
    if metric_id == GROWTH_ID:
        return "ratio"
    metric_id = PER_PROVIDER.get(metric_id, metric_id)
    from dyad_lib.metrics import registry

    return registry.get(metric_id).unit


def _per_provider(metric_id: str, mv: Any, providers: float | None) -> Any:
    """A size-dependent measure ÷ the practice's dentists or physicians (FTE)."""
    from dyad_lib.metrics.values import missing, value

    unit = metric_unit(metric_id)
    if mv is None or mv.value is None:
        return missing(metric_id, unit, mv.reason if mv is not None else "not computable")
    if not providers:
        return missing(metric_id, unit, "the number of dentists or physicians is not known (no appointments "
                                        "in the period)")
    return value(metric_id, mv.value / providers, unit)


def _growth(now, before) -> Any:
    from dyad_lib.metrics.values import missing, value

    if now is None or now.value is None:
        return missing(GROWTH_ID, "ratio", now.reason if now is not None else "no collections")
    if before is None or before.value is None or before.value == 0:
        return missing(GROWTH_ID, "ratio", "no collections for the same months a year earlier")
    return value(GROWTH_ID, now.value / before.value - 1, "ratio")


def _failure_why(summary: dict[str, Any]) -> str:
    from dyad_lib.reports.data_quality import verdict

    return verdict(summary)


def _name_of(practice_id: str, data_dir: str | os.PathLike | None) -> str:
    """The practice's name from practice.yaml (its id when that cannot be read)."""
    from dyad_lib.data.load import read_practice_yaml
    from dyad_lib.data.paths import practice_dir

    try:
        cfg = read_practice_yaml(practice_dir(practice_id, data_dir), [])
    except Exception:
        return practice_id
    return cfg.name if cfg is not None else practice_id


def _practice_row(practice_id: str, period_text: str, view: str | None, data_dir, cache_dir) -> PracticeRow:
    from dyad_lib.data.load import PracticeDataError
    from dyad_lib.data.snapshot import BlockedPracticeError, StaleSnapshotError, load_snapshot, read_validation
    from dyad_lib.metrics.compute import compute_metrics

    summary = read_validation(practice_id, data_dir, cache_dir)
    if summary is not None and not summary.get("ok"):
        return PracticeRow(practice_id, summary.get("practice_name") or practice_id, summary.get("kind") or "",
                           "failed", _failure_why(summary))
    if summary is None:  # never figures from files validation has not seen
        return PracticeRow(practice_id, _name_of(practice_id, data_dir), "", "not validated",
                           "Not validated yet (or its files changed since): run `dyad validate` or a report batch.")
    try:
        practice = load_snapshot(practice_id, data_dir, cache_dir)
    except (PracticeDataError, StaleSnapshotError, BlockedPracticeError) as exc:
        return PracticeRow(practice_id, summary.get("practice_name") or practice_id, summary.get("kind") or "",
                           "not validated", f"Its validated data could not be read ({exc}).")
    cfg = practice.config
    if summary.get("warning_count"):
        n = summary["warning_count"]
        status, why = "warnings", f"{n} data warning{'s' if n != 1 else ''} (see its data-quality report)."
    else:
        status, why = "ok", ""
    from dyad_lib.metrics.benchmarks import doctor_fte

    period = portfolio_period(period_text, cfg.fiscal_year_start_month, view)
    ids = [m for m in CORE_METRICS if m != GROWTH_ID and m not in PER_PROVIDER]
    values = compute_metrics(practice, period, ids)
    before = compute_metrics(practice, period.year_earlier(), ["collections"]).get("collections")
    values[GROWTH_ID] = _growth(values.get("collections"), before)
    providers = doctor_fte(practice, period)
    for mid, base in PER_PROVIDER.items():
        values[mid] = _per_provider(mid, values.get(base), providers)
    return PracticeRow(practice_id, cfg.name, cfg.kind, status, why, period, values, providers)


def portfolio_period(period: str, fy_start_month: int = 1, view: str | None = "t12") -> Period:
    """The months compared: a month with its view (t12: the twelve months ending with it), or a
    quarter or fiscal year as it is (views apply to months only)."""
    p = parse_period(period, fy_start_month)
    return p.view(view) if p.kind == "month" and view else p


def collect(period: str, data_dir: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
            view: str | None = None) -> list[PracticeRow]:
    """One `PracticeRow` per practice folder (sorted by practice id)."""
    from dyad_lib.data.paths import list_practices

    return [_practice_row(pid, period, view, data_dir, cache_dir) for pid in list_practices(data_dir)]


def rank_values(values: pd.Series, direction: str, groups: pd.Series | None = None) -> pd.Series:
    """Rank 1 = best among the practices that have a value ('up': highest first), within each peer
    group when `groups` is given; ties share the better rank; practices without a value get no
    rank."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    if groups is None:
        r = v.rank(ascending=(direction == "down"), method="min")
    else:
        r = v.groupby(groups.to_numpy()).rank(ascending=(direction == "down"), method="min")
    return r.astype("Int64")


def portfolio_frame(rows: list[PracticeRow], anonymize: bool = False) -> pd.DataFrame:
    """The portfolio as numbers: one row per practice with every core KPI value (`<id>`), its rank
    among the practices that have it (`<id>_rank`), and the practice's status and why.

    Failed practices are kept (with no values) so the table says why they are missing.
    """
    records = []
    for i, r in enumerate(rows):
        rec: dict[str, Any] = {
            "practice_id": r.practice_id,
            "practice": practice_code(i) if anonymize else r.name,
            "kind": r.kind, "status": r.status, "why": r.why,
            "months": r.period.description if r.period is not None else "",
            "period": r.period.label if r.period is not None else "",
            "providers": r.providers, "size": r.size, "peer_group": r.peer_group,
        }
        for mid in CORE_METRICS:
            mv = r.values.get(mid)
            rec[mid] = None if mv is None or mv.value is None else float(mv.value)
            rec[f"{mid}_reason"] = None if mv is None else mv.reason
        records.append(rec)
    cols = ["practice_id", "practice", "kind", "status", "why", "months", "period", "providers", "size", "peer_group"]
    for mid in CORE_METRICS:
        cols += [mid, f"{mid}_reason"]
    df = pd.DataFrame(records, columns=cols)
    compared = df["status"] != "failed"
    for mid in CORE_METRICS:
        df[mid] = df[mid].astype("float64")
        df[f"{mid}_rank"] = rank_values(df[mid].where(compared), better(mid), df["peer_group"])
        df[f"{mid}_of"] = df[mid].where(compared).notna().groupby(df["peer_group"].to_numpy()).transform("sum").astype(int)
    df["providers"] = df["providers"].astype("float64")
    df.attrs["n_ranked"] = {mid: int(df[mid].notna().sum()) for mid in CORE_METRICS}
    df.attrs["anonymized"] = anonymize
    if anonymize:
        df["practice_id"] = [practice_code(i) for i in range(len(df))]
    return df


def _slugs(period_kind: str, period: Period) -> list[str]:
    """The folders a report of this period kind may be in for `period`, most specific first (the
    runner names a folder by the period and its view: 2026-09, 2026-09-t12, 2026Q3; latest)."""
    base, month = period.slug, f"{period.end:%Y-%m}"
    out = {"any": [base, f"{month}-t12", month], "latest": [base, month, "latest"],
           "fiscal_year": [base]}.get(period_kind, [base, month])
    return list(dict.fromkeys(out))


def report_links(practice_id: str, period: Period, reports_dir: str | os.PathLike | None = None,
                 only_existing: bool = True) -> list[tuple[str, str]]:
    """(title, relative href) of the practice's reports for `period`, relative to the portfolio's
    own folder `reports/portfolio/<period_slug>/`: `../../<practice_id>/<folder>/<report>.html`.

    With `only_existing` (the default), only reports present in `reports_dir` are linked, so a
    client never follows a dead link; otherwise the expected location of each is given.
    """
    from dyad_lib.data.paths import reports_dir as resolve_reports_dir
    from dyad_lib.reports.catalog import catalog

    root = resolve_reports_dir(reports_dir)
    out = []
    for spec in catalog().values():
        if spec.portfolio:
            continue
        report, title = spec.name, spec.short_title
        slugs = list(dict.fromkeys(s for k in spec.period_kinds or (spec.period_kind,) for s in _slugs(k, period)))
        found = next((s for s in slugs if (root / practice_id / s / f"{report}.html").is_file()), None)
        if found is None and only_existing:
            continue
        out.append((title, f"../../{practice_id}/{found or slugs[0]}/{report}.html"))
    return out


# --- display ----------------------------------------------------------------------------------

#: Column headings short enough for one row per practice (the glossary gives the full labels).
SHORT_LABELS = {
    "collections": "Collections", "collections_per_provider": "Collections per doctor",
    "collections_growth": "Growth vs last year",
    "collection_ratio": "Collection ratio", "overhead_ratio": "Overhead ratio",
    "operating_margin": "Operating margin", "case_acceptance_value": "Case acceptance (value)",
    "no_show_rate": "No-show rate", "new_patients": "New patients",
    "new_patients_per_provider": "New patients per doctor", "active_patients": "Active patients",
    "active_patients_per_provider": "Active patients per doctor",
    "patient_nps": "Patient NPS", "dyad_alignment": "Partner alignment",
}
#: Headings that change with the kind of practice of a peer group's table (its own words).
KIND_LABELS = {"case_acceptance_value", "collection_ratio"}


def short_label(metric_id: str, kind: str | None = None) -> str:
    """A column heading; in one peer group's table (`kind` given), in that kind's words: per dentist
    or per physician, care-plan acceptance, net collection rate."""
    text = SHORT_LABELS.get(metric_id, metric_id)
    if kind not in DOCTOR_WORDS:
        return text
    if metric_id in PER_PROVIDER:
        return text.replace("per doctor", f"per {DOCTOR_WORDS[kind][0]}")
    if metric_id in KIND_LABELS:
        from dyad_lib.metrics import registry

        return registry.label(metric_id, kind)
    return text


STATUS_TEXT = {"ok": "ok", "warnings": "ok, with data warnings", "failed": "not included",
               "not validated": "not validated yet"}


def _figure(mid: str, value: float | None, r: Any, anonymized: bool) -> Any:
    """A cell's number, remembering what it is (its practice too, unless the portfolio is anonymized)."""
    from dyad_lib import fmt

    unit = metric_unit(mid)
    text = fmt.percent(value, signed=True) if mid == GROWTH_ID else None
    if mid in PER_PROVIDER and unit == "count":
        text = f"{value:,.1f}"
    attrs = {} if anonymized else {"practice": r["practice_id"]}
    if mid == GROWTH_ID or mid in PER_PROVIDER:
        return fmt.figure(value, unit, derived=mid, period=r["period"] or None, text=text, attrs=attrs)
    return fmt.figure(value, unit, mid, r["period"] or None, text=text, attrs=attrs)


def _cell(mid: str, value: float | None, rank: Any, n: int, reason: str | None, r: Any,
          anonymized: bool) -> dict[str, Any]:
    if value is None or value != value:
        return {"shown": None, "reason": reason or "", "rank": None, "of": None}
    shown = _figure(mid, value, r, anonymized)
    ranked = not (rank is None or rank is pd.NA or n < 2)
    return {"shown": shown, "reason": "", "rank": int(rank) if ranked else None, "of": n if ranked else None}


#: The core KPIs in two tables narrow enough for a page: money, then patients and partnership.
TABLE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Money", ("collections", "collections_per_provider", "collections_growth", "collection_ratio",
               "overhead_ratio", "operating_margin")),
    ("Patients and partnership", ("case_acceptance_value", "no_show_rate", "new_patients_per_provider",
                                  "active_patients_per_provider", "patient_nps", "dyad_alignment")),
)


def peer_groups(df: pd.DataFrame) -> list[str]:
    """The peer groups of the practices compared (dental before medical, small before large)."""
    ok = df[df["status"] != "failed"]
    keys = ok.drop_duplicates("peer_group").assign(
        _k=lambda d: d["kind"].fillna(""), _s=lambda d: d["providers"].fillna(float("inf")))
    return list(keys.sort_values(["_k", "_s"])["peer_group"])


def peer_note(df: pd.DataFrame, group: str) -> str:
    """'2 practices: ranks are among these' / 'The only practice in its group: no rank.'"""
    n = int(((df["status"] != "failed") & (df["peer_group"] == group)).sum())
    if n < 2:
        return ("The only practice of its kind and size in the portfolio: shown without a rank, never ranked "
                "against another kind or size of practice.")
    return f"{n} practices of the same kind and size: each rank (#1 = best) is among these {n}."


def portfolio_html(df: pd.DataFrame, links: dict[str, list[tuple[str, str]]] | None = None,
                   metrics: tuple[str, ...] | None = None, group: str | None = None) -> Fragment:
    """One row per included practice (of one peer group when `group` is given): each KPI of
    `metrics` (default: all) with its rank within the peer group (#1 = best, of n), and links to
    the practice's reports when given. Every value is a `fmt.Figure` (metric, period, practice)."""
    from dyad_lib import fmt

    metrics = tuple(metrics or CORE_METRICS)
    anonymized = bool(df.attrs.get("anonymized"))
    rows = []
    chosen = df[(df["status"] != "failed") & ((df["peer_group"] == group) if group is not None else True)]
    for _, r in chosen.iterrows():
        cells = []
        for mid in metrics:
            v, rank = r[mid], r[f"{mid}_rank"]
            cells.append(_cell(mid, None if pd.isna(v) else float(v), None if pd.isna(rank) else rank,
                               int(r.get(f"{mid}_of", 0) or 0), r[f"{mid}_reason"], r, anonymized))
        rows.append({"practice": r["practice"], "kind": r["peer_group"] or r["kind"] or "", "cells": cells,
                     "links": (links or {}).get(r["practice_id"], [])})
    kinds = set(chosen["kind"].dropna()) - {""}
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    return render("portfolio/table", headings=[short_label(m, kind) for m in metrics], rows=rows,
                  with_links=bool(links), dash=fmt.DASH)


def links_html(df: pd.DataFrame, links: dict[str, list[tuple[str, str]]]) -> Fragment:
    """Practice and the links to its reports (relative, so the folder can be moved or zipped)."""
    rows = [{"practice": r["practice"], "links": links.get(r["practice_id"], [])}
            for _, r in df[df["status"] != "failed"].iterrows()]
    return render("portfolio/links", rows=rows)


def excluded_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Practices not in the comparison (failed validation, unreadable files) or flagged, with why."""
    rows = df[df["status"].isin(["failed", "not validated", "warnings"])]
    return pd.DataFrame({"Practice": rows["practice"], "Status": rows["status"].map(STATUS_TEXT),
                         "Why": rows["why"]}).reset_index(drop=True)


def kind_totals(df: pd.DataFrame) -> pd.DataFrame:
    """Collections summed within each kind of practice (never across kinds), with how many
    practices each total covers."""
    ok = df[(df["status"] != "failed") & df["kind"].astype(bool)]
    g = ok.groupby("kind", sort=True)
    out = pd.DataFrame({"practices": g.size(), "with_collections": g["collections"].count(),
                        "collections": g["collections"].sum(min_count=1)}).reset_index()
    return out


def summary_tiles(df: pd.DataFrame) -> list[dict[str, str]]:
    """Practices compared, practices left out, and each kind's total collections (a dental and a
    medical practice's money are never added together)."""
    from dyad_lib import fmt

    ok = df[df["status"] != "failed"]
    failed = len(df) - len(ok)
    out = [{"label": "Practices compared", "value": fmt.count(len(ok)),
            "note": f"{fmt.count(len(df))} practice folder{'s' if len(df) != 1 else ''} found; "
                    f"{len(peer_groups(df))} peer group{'s' if len(peer_groups(df)) != 1 else ''}"},
           {"label": "Left out", "value": fmt.count(failed),
            "note": "files that failed validation" if failed else "every practice could be read",
            "tone": "bad" if failed else "good"}]
    for t in kind_totals(df).itertuples():
        if pd.isna(t.collections):
            continue
        n = int(t.with_collections)
        out.append({"label": f"Collections, {t.kind} practices", "value": fmt.money(t.collections),
                    "note": f"sum over {n} {t.kind} practice{'s' if n != 1 else ''}"})
    return out


def glossary_frame(kinds: set[str]) -> pd.DataFrame:
    """The core KPIs' definitions (both vocabularies when the portfolio mixes kinds)."""
    from dyad_lib.metrics import registry

    rows = [{"Measure": GROWTH_LABEL, "Formula": "collections ÷ collections of the same months a year earlier − 1",
             "Benchmark": "—", "Source": "—"}]
    for mid, base in PER_PROVIDER.items():
        rows.append({"Measure": metric_label(mid, set(kinds)),
                     "Formula": f"{metric_label(base, set(kinds)).lower()} ÷ the practice's dentists or physicians "
                                "seeing patients in the period, counted by their full-time equivalent (providers "
                                "table), else one each",
                     "Benchmark": "—", "Source": "—"})
    ids = [m for m in CORE_METRICS if m != GROWTH_ID and m not in PER_PROVIDER]
    kinds = sorted(kinds or {"dental"})
    per_kind = {k: registry.glossary(ids, k).set_index("id") for k in kinds}
    for mid in ids:
        first = per_kind[kinds[0]].loc[mid]
        bench, src = [], []
        same = len({per_kind[k].loc[mid, "benchmark"] for k in kinds}) == 1
        for k in kinds:
            r = per_kind[k].loc[mid]
            if r["benchmark"]:
                bench.append(f"{k}: {r['benchmark']}" if len(kinds) > 1 and not same else r["benchmark"])
                src.append(r["source"])
        bench = list(dict.fromkeys(bench))
        rows.append({"Measure": metric_label(mid, set(kinds)), "Formula": first["formula"],
                     "Benchmark": "; ".join(bench) or "—", "Source": "; ".join(dict.fromkeys(src)) or "—"})
    return pd.DataFrame(rows)


def portfolio_fingerprint(rows: list[PracticeRow], data_dir: str | os.PathLike | None = None) -> str:
    """sha256 over the practices' own input fingerprints (in practice-id order)."""
    import hashlib

    from dyad_lib.data.fingerprint import fingerprint

    h = hashlib.sha256()
    for r in rows:
        h.update(f"{r.practice_id}={fingerprint(r.practice_id, data_dir)}\0".encode())
    return h.hexdigest()

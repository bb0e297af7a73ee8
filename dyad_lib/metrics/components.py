"""Monthly components: every additive quantity a metric needs, summed once per month.

A metric over any period is then a formula over the period's sums (ratios of sums, never means
of monthly ratios), and the monthly series for trend charts is the same formula applied to each
month's row — so `compute_metrics` for one month and `monthly_series` agree by construction.
Balance quantities (A/R) are not summed: a period takes its last month's value.

They are computed once per validated snapshot, in the orchestrator (`dyad_lib.metrics.derived`),
and kept in the snapshot folder (`store_components`); a report reads them (`components`) instead
of aggregating the tables again. Stored components carry the version of this module's code and
are rebuilt when it differs.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dyad_lib.data.contract import EXPENSE_CATEGORIES, OVERHEAD_CATEGORIES, TEAM_ROLES
from dyad_lib.metrics.memo import PracticeMemo, source_digest

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

#: Tables with one row per month: a period needs a row for each of its months.
MONTHLY_TABLES = ("financials", "expenses", "capacity")
#: Columns that are balances (taken at a period's last month), not sums.
BALANCE_COLS = ("ar_balance", "ar_over_90", "ar_balance_gaps", "ar_over_90_gaps", "net_3m", "days_3m",
                "fin_months_3m")
#: Fewer team-survey responses than this in a period are not shown (anonymity; contract.MIN_GROUP_RATINGS).
BURNOUT_MIN = 3
TEAM_GROUPS = ("all",) + TEAM_ROLES


def month_index(months: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Months (or dates) as integers year*12 + month-1, for fast window arithmetic."""
    m = np.asarray(months, dtype="datetime64[M]").astype("int64")
    return m + 1970 * 12


def month_of(i: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(i) // 12, month=int(i) % 12 + 1, day=1)


def _month_col(dates: pd.Series) -> pd.Series:
    return pd.Series(np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[M]").astype("datetime64[ns]"),
                     index=dates.index)


@dataclass
class Components:
    """What `monthly_components` derives from one practice."""

    kind: str
    active_months: int
    monthly: pd.DataFrame  # index: month starts (contiguous); columns: sums and balances
    fin_start: pd.Timestamp | None
    fin_end: pd.Timestamp | None
    appt_start: pd.Timestamp | None  # first month of appointment data (new-patient history)
    tables: frozenset[str]
    measure_names: dict[str, str] = field(default_factory=dict)
    # completed visits as distinct (patient code, month index) pairs, sorted by month
    visit_patient: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    visit_month: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    first_visit_month: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self.columns = list(self.monthly.columns)
        self.col_pos = {c: j for j, c in enumerate(self.columns)}
        self.values = self.monthly.to_numpy(dtype="float64", na_value=np.nan) if len(self.columns) else \
            np.zeros((len(self.monthly), 0))
        self.base = int(month_index(self.monthly.index[:1])[0]) if len(self.monthly) else 0
        self.balance = np.array([c in BALANCE_COLS for c in self.columns], dtype=bool)

    def _block(self, months: list[pd.Timestamp]) -> np.ndarray:
        """The monthly rows for `months` (months with no data: sums 0, balances missing)."""
        pos = month_index(pd.DatetimeIndex(months)) - self.base
        valid = (pos >= 0) & (pos < len(self.values))
        block = self.values[np.clip(pos, 0, max(len(self.values) - 1, 0))] if len(self.values) else \
            np.zeros((len(months), len(self.columns)))
        if not valid.all():
            block = block.copy()
            block[~valid] = np.where(self.balance, np.nan, 0.0)
        return block

    def frame(self, months: list[pd.Timestamp]) -> dict[str, np.ndarray]:
        """Column -> one value per month of `months`."""
        block = self._block(months)
        return {c: block[:, j] for j, c in enumerate(self.columns)}

    def period_row(self, months: list[pd.Timestamp]) -> dict[str, np.ndarray]:
        """Column -> a one-element array: the period's sum, or for balances its last month's value."""
        block = self._block(months)
        row = np.where(self.balance, block[-1], block.sum(axis=0))
        return {c: row[j:j + 1] for j, c in enumerate(self.columns)}


def _agg_financials(f: pd.DataFrame) -> pd.DataFrame:
    g = f.groupby("month", sort=True)
    out = pd.DataFrame({
        "fin_rows": g.size(),
        "gross": g["gross_production"].sum(),
        "adj": g["adjustments"].sum(),
        "coll": g["collections"].sum(),
        "ar_balance": g["ar_balance"].sum(min_count=1),
        "ar_over_90": g["ar_over_90"].sum(min_count=1),
        "ar_balance_gaps": g["ar_balance"].apply(lambda s: float(s.isna().sum())),
        "ar_over_90_gaps": g["ar_over_90"].apply(lambda s: float(s.isna().sum())),
    })
    if {"patient_collections", "insurance_collections"} <= set(f.columns):
        split = f["patient_collections"].notna() & f["insurance_collections"].notna()
        out["pat_coll"] = f["patient_collections"].where(split, 0.0).groupby(f["month"]).sum()
        out["ins_coll"] = f["insurance_collections"].where(split, 0.0).groupby(f["month"]).sum()
        out["split_rows"] = split.astype(float).groupby(f["month"]).sum()
    out["has_financials"] = 1.0
    return out


def _agg_expenses(e: pd.DataFrame) -> pd.DataFrame:
    p = e.pivot_table(index="month", columns="category", values="amount", aggfunc="sum", fill_value=0.0)
    p = p.reindex(columns=list(EXPENSE_CATEGORIES), fill_value=0.0)
    p.columns = [f"exp_{c}" for c in p.columns]
    p["overhead"] = p[[f"exp_{c}" for c in OVERHEAD_CATEGORIES]].sum(axis=1)
    p["has_expenses"] = 1.0
    return p


def _agg_capacity(c: pd.DataFrame) -> pd.DataFrame:
    g = c.groupby("month")
    return pd.DataFrame({"chair_hours": g["chair_hours_available"].sum(), "has_capacity": 1.0})


def _by_month(dates: pd.Series, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sum each column per calendar month of `dates` (rows without a date are not counted),
    indexed by month start like `groupby(month).sum()`; `np.bincount` over month numbers instead
    of building a row-level DataFrame (a 2M-row table would copy every column into one block)."""
    mi = month_index(dates)
    ok = ~np.isnat(np.asarray(dates, dtype="datetime64[ns]"))
    if not ok.all():
        mi = mi[ok]
        columns = {k: v[ok] for k, v in columns.items()}
    if not len(mi):
        return pd.DataFrame({k: pd.Series(dtype="float64") for k in columns},
                            index=pd.DatetimeIndex([], name="month", dtype="datetime64[ns]"))
    lo = int(mi.min())
    k = mi - lo
    size = int(k.max()) + 1
    present = np.bincount(k, minlength=size) > 0
    sums = {name: np.bincount(k, weights=np.asarray(w, dtype="float64"), minlength=size)[present]
            for name, w in columns.items()}
    months = np.arange(size)[present] + lo
    idx = pd.DatetimeIndex([month_of(i) for i in months], name="month").astype("datetime64[ns]")
    return pd.DataFrame(sums, index=idx)


def hygiene_mask(a: pd.DataFrame, providers: pd.DataFrame | None) -> np.ndarray:
    """Which appointments are hygiene: the hygienists' (providers.role), or without a providers
    table the visits of type hygiene. Hygiene is often billed under a dentist's number, so the
    provider's role says more than the visit's codes when the practice names its providers."""
    if providers is not None and len(providers):
        hyg = set(providers.loc[providers["role"] == "hygienist", "provider_id"].dropna().astype(str))
        return a["provider_id"].isin(hyg).to_numpy(dtype=bool)
    return (a["visit_type"] == "hygiene").to_numpy(dtype=bool, na_value=False)


def _agg_appointments(a: pd.DataFrame, kind: str, providers: pd.DataFrame | None = None) -> pd.DataFrame:
    def mask(s: pd.Series) -> np.ndarray:
        return s.to_numpy(dtype=bool, na_value=False)

    status = a["status"]
    completed = mask(status == "completed")
    nb = a["next_visit_booked"]
    pre_base = completed & mask(a["visit_type"] == "hygiene") if kind == "dental" else completed
    pre_den = pre_base & mask(nb.notna())
    pre_num = pre_den & mask(nb.fillna(False).astype(bool))
    doc = a["documented_date"]
    doc_den = completed & mask(doc.notna())
    doc_num = doc_den & mask((doc - a["date"]) <= pd.Timedelta(days=1))
    minutes = a["chair_minutes"].astype("float64").fillna(0.0).to_numpy()
    production = a["production"].astype("float64").fillna(0.0).to_numpy()
    hyg = completed & hygiene_mask(a, providers)
    cancelled = mask(status == "cancelled")
    late = a["late_cancellation"] if "late_cancellation" in a else pd.Series(pd.NA, index=a.index)
    # a physician's working day: the first completed visit of each (physician, day); medical practices only
    phys = completed & physician_mask(a, providers) if kind == "medical" else np.zeros(len(a), dtype=bool)
    first_of_day = np.zeros(len(a), dtype=bool)
    if phys.any():
        seen = pd.DataFrame({"p": a["provider_id"].to_numpy()[phys], "d": a["date"].to_numpy()[phys]})
        first_of_day[np.flatnonzero(phys)[~seen.duplicated().to_numpy()]] = True
    return _by_month(a["date"], {
        "late_cx": cancelled & mask(late.fillna(False).astype(bool)),
        # the source records late cancellations at all (a period without any cancellation then has a rate of 0)
        "late_known": np.full(len(a), float(late.notna().any())),
        "phys_visits": phys, "phys_days": first_of_day,
        "appt_rows": np.ones(len(a)),
        "completed": completed,
        "no_show": mask(status == "no_show"),
        "cancelled": mask(status == "cancelled"),
        "chair_min": np.where(completed, minutes, 0.0),
        "pre_num": pre_num, "pre_den": pre_den,
        "doc_num": doc_num, "doc_den": doc_den,
        "visit_prod": np.where(completed, production, 0.0),
        "hyg_prod": np.where(hyg, production, 0.0), "hyg_min": np.where(hyg, minutes, 0.0),
    })


def physician_mask(a: pd.DataFrame, providers: pd.DataFrame | None) -> np.ndarray:
    """Which appointments are a physician's: the providers whose role is physician, or without a
    providers table (or one naming no physician) every provider's."""
    if providers is not None and len(providers) and (providers["role"] == "physician").any():
        docs = set(providers.loc[providers["role"] == "physician", "provider_id"].dropna().astype(str))
        return a["provider_id"].isin(docs).to_numpy(dtype=bool)
    return np.ones(len(a), dtype=bool)


def _agg_charges(c: pd.DataFrame) -> pd.DataFrame:
    """Charge lag by month of service; claims submitted and denied by month of submission."""
    lag = (c["entry_date"] - c["service_date"]).dt.days.astype("float64")
    ok = lag.notna().to_numpy()
    by_service = _by_month(c["service_date"].where(ok), {"ch_n": np.ones(len(c)),
                                                         "ch_lag": np.nan_to_num(lag.to_numpy())})
    denied = c["denied"]
    known = c["submitted_date"].notna() & denied.notna()
    by_claim = _by_month(c["submitted_date"].where(known), {
        "cl_sub": np.ones(len(c)), "cl_den": denied.fillna(False).astype(bool).to_numpy(dtype="float64")})
    out = pd.concat([by_service, by_claim], axis=1)
    out["has_charges"] = 1.0
    return out


def _agg_plans(p: pd.DataFrame) -> pd.DataFrame:
    d = pd.DataFrame({
        "month": _month_col(p["presented_date"]),
        "plans": 1.0,
        "plans_accepted": (p["amount_accepted"].fillna(0) > 0).astype(float),
        "presented": p["amount_presented"].fillna(0.0),
        "accepted": p["amount_accepted"].fillna(0.0),
    })
    return d.groupby("month").sum()


def _agg_quality(q: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    g = q.groupby(["month", "measure_id"])
    num = g["numerator"].sum().astype(float).unstack(fill_value=0.0)
    den = g["denominator"].sum().astype(float).unstack(fill_value=0.0)
    rows = g.size().astype(float).unstack(fill_value=0.0)
    out = pd.concat([num.add_prefix("q_num:"), den.add_prefix("q_den:"), rows.add_prefix("q_rows:")], axis=1)
    names = (q.dropna(subset=["measure_name"]).drop_duplicates("measure_id", keep="last")
             .set_index("measure_id")["measure_name"].to_dict())
    for m in q["measure_id"].dropna().unique():
        names.setdefault(m, m)
    return out, names


def _nps_parts(scores: pd.Series) -> pd.DataFrame:
    s = scores.astype("float64")
    return pd.DataFrame({"n": s.notna().astype(float), "prom": (s >= 9).astype(float),
                         "det": (s <= 6).astype(float)}, index=scores.index)


def _agg_patient_survey(s: pd.DataFrame) -> pd.DataFrame:
    parts = _nps_parts(s["recommend_score"]).add_prefix("ps_")
    parts["month"] = _month_col(s["response_date"])
    return parts.groupby("month").sum()


def _agg_team_survey(t: pd.DataFrame) -> pd.DataFrame:
    sat = t["satisfaction"].astype("float64")
    burn = t["burnout"].astype("float64")
    rec = _nps_parts(t["recommend_workplace"])
    month = _month_col(t["response_date"])
    frames = []
    for g in TEAM_GROUPS:
        sel = pd.Series(True, index=t.index) if g == "all" else (t["role"] == g)
        sel = sel.astype(float)
        frames.append(pd.DataFrame({
            f"ts_n:{g}": sel,
            f"sat_sum:{g}": sat.fillna(0.0) * sel, f"sat_n:{g}": sat.notna() * sel,
            f"burn_yes:{g}": (burn >= BURNOUT_MIN) * sel, f"burn_n:{g}": burn.notna() * sel,
            f"enps_n:{g}": rec["n"] * sel, f"enps_prom:{g}": rec["prom"] * sel, f"enps_det:{g}": rec["det"] * sel,
        }, index=t.index).astype(float))
    d = pd.concat(frames, axis=1)
    d["month"] = month
    return d.groupby("month").sum()


def _rows_with(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """`df.dropna(subset=cols)`, without copying a (possibly 2-million-row) table that has no gaps."""
    return df.dropna(subset=cols) if df[cols].isna().to_numpy().any() else df


def _factorize(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize` (codes in order of first appearance) of a column without missing values;
    pyarrow's hash encoding for an arrow-backed string column, pandas' for any other."""
    dtype = s.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and len(s):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(s.array)
        encoded = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
        return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary.to_numpy(
            zero_copy_only=False)
    return pd.factorize(s)


def build_components(practice: "Practice") -> Components:
    """Aggregate every table of `practice` by month (one pass per table)."""
    t = practice.tables
    kind = practice.kind
    parts: list[pd.DataFrame] = []
    measure_names: dict[str, str] = {}
    fin_start = fin_end = appt_start = None
    if "financials" in t and len(t["financials"]):
        fin = _agg_financials(t["financials"].dropna(subset=["month"]))
        parts.append(fin)
        fin_start, fin_end = fin.index.min(), fin.index.max()
    if "expenses" in t:
        parts.append(_agg_expenses(t["expenses"].dropna(subset=["month"])))
    if "capacity" in t:
        parts.append(_agg_capacity(t["capacity"].dropna(subset=["month"])))
    appts = t.get("appointments")
    if appts is not None:
        appts = _rows_with(appts, ["date"])
        if len(appts):
            parts.append(_agg_appointments(appts, kind, t.get("providers")))
            appt_start = pd.Timestamp(appts["date"].min()).to_period("M").to_timestamp()
    if "charges" in t:
        ch = _rows_with(t["charges"], ["service_date"])
        if len(ch):
            parts.append(_agg_charges(ch))
    if "treatment_plans" in t:
        parts.append(_agg_plans(_rows_with(t["treatment_plans"], ["presented_date"])))
    if "quality_measures" in t:
        q, measure_names = _agg_quality(t["quality_measures"].dropna(subset=["month", "measure_id"]))
        parts.append(q)
    if "patient_survey" in t:
        parts.append(_agg_patient_survey(t["patient_survey"].dropna(subset=["response_date"])))
    if "team_survey" in t:
        parts.append(_agg_team_survey(t["team_survey"].dropna(subset=["response_date"])))
    parts = [p for p in parts if len(p)]
    if parts:
        lo = min(p.index.min() for p in parts)
        hi = max(p.index.max() for p in parts)
        idx = pd.date_range(lo, hi, freq="MS")
        monthly = pd.concat([p.reindex(idx) for p in parts], axis=1)
    else:
        monthly = pd.DataFrame(index=pd.DatetimeIndex([]))
    add = [c for c in monthly.columns if c not in BALANCE_COLS]
    monthly[add] = monthly[add].fillna(0.0)
    if "gross" in monthly:
        net = monthly["gross"] - monthly["adj"]
        monthly["net_3m"] = net.rolling(3, min_periods=3).sum()
        monthly["fin_months_3m"] = monthly["has_financials"].rolling(3, min_periods=1).sum()
        monthly["days_3m"] = pd.Series(monthly.index.days_in_month, index=monthly.index,
                                       dtype="float64").rolling(3, min_periods=3).sum()
    comp = Components(kind, int(practice.config.active_patient_months), monthly, fin_start, fin_end, appt_start,
                      frozenset(t), measure_names)
    if appts is not None and len(appts):
        done = appts.loc[appts["status"] == "completed", ["patient_id", "date"]].dropna()
        codes, uniques = _factorize(done["patient_id"])
        # distinct (month, patient) pairs sorted by month then patient, as one int64 key: a numpy
        # sort + run-length dedupe instead of a DataFrame drop_duplicates + two-key sort
        n = max(len(uniques), 1)
        months = month_index(done["date"])
        key = np.sort(months.astype(np.int64) * n + codes.astype(np.int64))
        if len(key):
            key = key[np.concatenate(([True], key[1:] != key[:-1]))]
        comp.visit_month, comp.visit_patient = np.divmod(key, n)
        first = np.full(len(uniques), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, comp.visit_patient, comp.visit_month)  # every code 0..n-1 occurs
        comp.first_visit_month = first
    return comp


# --- kept in the snapshot folder ------------------------------------------------------------------

#: The stored components: the monthly rows, the visit arrays, and (written last) what they are.
STORED_MONTHLY, STORED_VISITS, STORED_META = "components.arrow", "components.npz", "components.json"


def code_version() -> str:
    """A digest of this module's source: stored components from other code are rebuilt."""
    return source_digest(__file__)


def _ts(value: pd.Timestamp | None) -> str | None:
    return None if value is None else pd.Timestamp(value).isoformat()


def _replace_into(folder: Path, name: str, write) -> None:
    """Write one file of the folder through a temporary sibling (readers never see half of it)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / name)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def store_components(comp: Components, folder: str | os.PathLike) -> None:
    """Keep `comp` in a snapshot folder (the metadata last: its presence means complete)."""
    import pyarrow as pa
    import pyarrow.feather as feather

    folder = Path(folder)
    monthly = comp.monthly.copy()
    monthly.index = pd.DatetimeIndex(monthly.index, name="month")
    table = pa.Table.from_pandas(monthly.reset_index(), preserve_index=False)
    _replace_into(folder, STORED_MONTHLY, lambda p: feather.write_feather(table, p, compression="lz4"))

    def arrays(p: str) -> None:
        with open(p, "wb") as fh:
            np.savez(fh, visit_patient=comp.visit_patient, visit_month=comp.visit_month,
                     first_visit_month=comp.first_visit_month)

    _replace_into(folder, STORED_VISITS, arrays)
    meta = {"version": code_version(), "kind": comp.kind, "active_months": comp.active_months,
            "fin_start": _ts(comp.fin_start), "fin_end": _ts(comp.fin_end), "appt_start": _ts(comp.appt_start),
            "tables": sorted(comp.tables), "measure_names": comp.measure_names,
            "columns": list(comp.monthly.columns)}
    _replace_into(folder, STORED_META, lambda p: Path(p).write_text(json.dumps(meta), encoding="utf-8"))


def stored_components(folder: str | os.PathLike | None, practice: "Practice | None" = None) -> Components | None:
    """The components kept in a snapshot folder, or None (none kept, other code, or not these tables)."""
    if folder is None:
        return None
    folder = Path(folder)
    try:
        meta = json.loads((folder / STORED_META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("version") != code_version():
        return None
    if practice is not None and (set(meta["tables"]) != set(practice.tables) or meta["kind"] != practice.kind
                                 or meta["active_months"] != int(practice.config.active_patient_months)):
        return None
    try:
        import pyarrow.feather as feather

        monthly = feather.read_table(str(folder / STORED_MONTHLY), memory_map=False).to_pandas(
            coerce_temporal_nanoseconds=True)
        with np.load(folder / STORED_VISITS, allow_pickle=False) as z:
            visits = {k: z[k] for k in ("visit_patient", "visit_month", "first_visit_month")}
    except (OSError, ValueError, KeyError):
        return None
    months = monthly.pop("month")
    # as build_components makes it: every month from the first to the last, no name
    monthly.index = (pd.date_range(months.iloc[0], periods=len(months), freq="MS") if len(months)
                     else pd.DatetimeIndex([]))
    monthly = monthly[meta["columns"]]
    at = lambda v: None if v is None else pd.Timestamp(v)  # noqa: E731
    comp = Components(meta["kind"], int(meta["active_months"]), monthly, at(meta["fin_start"]), at(meta["fin_end"]),
                      at(meta["appt_start"]), frozenset(meta["tables"]), dict(meta["measure_names"]))
    comp.visit_patient, comp.visit_month, comp.first_visit_month = (
        visits["visit_patient"], visits["visit_month"], visits["first_visit_month"])
    return comp


_MEMO = PracticeMemo()


def components(practice: "Practice") -> Components:
    """The practice's components: kept in its snapshot folder when it was read from one (computed
    there once by the orchestrator), else built; kept per practice object while its tables are
    unchanged."""
    def build() -> Components:
        folder = practice.from_snapshot() if hasattr(practice, "from_snapshot") else None
        return stored_components(folder, practice) or build_components(practice)

    return _MEMO.get(practice, "components", build)


# --- formula helpers: each works on one row (a period) or many (a monthly series) -------------

#: What a formula returns for an id: the values (NaN = not computable) and why (a template
#: with {period}/{last}, or an array of templates per row).
Result = tuple[np.ndarray, "str | np.ndarray"]
Cols = dict[str, np.ndarray]

NAN = np.nan


def div(num: np.ndarray, den: np.ndarray, reason: str) -> Result:
    """num ÷ den, NaN where den is 0 or missing (a ratio of the period's sums)."""
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    ok = np.isfinite(den) & (den != 0)
    return np.where(ok, num / np.where(ok, den, 1.0), NAN), reason


def where(ok: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` where ok, else NaN."""
    return np.where(ok, np.asarray(values, dtype="float64"), NAN)


def first_reason(conditions: list[tuple[np.ndarray, str]], n: int) -> np.ndarray:
    """Per row, the reason of the first condition that holds (None when none holds)."""
    out = np.full(n, None, dtype=object)
    for cond, reason in reversed(conditions):
        out[np.asarray(cond, dtype=bool)] = reason
    return out

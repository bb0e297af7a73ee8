"""Patient metrics (metrics.md "Patients"): active patients, new patients, retention.

They look at windows of `active_patient_months` rather than at the period's months alone, so they
work on the distinct (patient, month) pairs of completed visits, precomputed once per practice.
New patients and retention need that much history before the period: a patient first seen in the
data's first month may well be a long-standing patient, so earlier periods are not computable.

Retention has one basis whatever the period's length: the twelve months ending with the period's
last month (of the patients active before those twelve months, the share still active at their
end). A month's or a quarter's own retention would be near 100% and not comparable with a year's
target or with the published yearly figures (patients lost a year).
"""

from __future__ import annotations

import numpy as np

from dyad_lib.metrics.components import Components, month_index, month_of

IDS = ("active_patients", "new_patients", "patient_retention")
#: Retention is measured over this many months ending with the period's last month.
RETENTION_MONTHS = 12


def _patients_in(comp: Components, lo: int, hi: int) -> np.ndarray:
    """A mask over patient codes: a completed visit in months lo..hi (month indexes, inclusive)."""
    a = np.searchsorted(comp.visit_month, lo, side="left")
    b = np.searchsorted(comp.visit_month, hi, side="right")
    mask = np.zeros(len(comp.first_visit_month), dtype=bool)
    mask[comp.visit_patient[a:b]] = True
    return mask


def evaluate(comp: Components, start: int, end: int) -> dict[str, tuple[float | None, str | None]]:
    """The three patient metrics for months start..end (month indexes); (value, reason)."""
    n = comp.active_months
    if comp.appt_start is None:
        why = "no appointments"
        return {k: (None, why) for k in IDS}
    first = int(month_index([comp.appt_start])[0])
    out: dict[str, tuple[float | None, str | None]] = {}
    if end - n + 1 < first:
        out["active_patients"] = (None, f"needs {n} months of appointment history up to {{last}} "
                                        f"(appointments start {month_of(first):%Y-%m})")
    else:
        out["active_patients"] = (float(_patients_in(comp, end - n + 1, end).sum()), None)
    if start - n < first:
        out["new_patients"] = (None, f"needs {n} months of appointment history before {{period}} "
                                     f"(appointments start {month_of(first):%Y-%m}; the first computable month is "
                                     f"{month_of(first + n):%Y-%m})")
    else:
        fv = comp.first_visit_month
        out["new_patients"] = (float(((fv >= start) & (fv <= end)).sum()), None)
    year_start = end - RETENTION_MONTHS + 1
    if year_start - n < first:
        out["patient_retention"] = (None, f"needs {n} months of appointment history before the twelve months "
                                          f"ending {{last}} (appointments start {month_of(first):%Y-%m}; the "
                                          f"first computable month is {month_of(first + n + RETENTION_MONTHS - 1):%Y-%m})")
        return out
    base = _patients_in(comp, year_start - n, year_start - 1)
    n_base = int(base.sum())
    if n_base == 0:
        out["patient_retention"] = (None, "no patient was active before the twelve months ending {last}")
    else:
        kept = int((base & _patients_in(comp, end - n + 1, end)).sum())
        out["patient_retention"] = (kept / n_base, None)
    return out

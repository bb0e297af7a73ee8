"""Patient metrics (metrics.md "Patients"): active patients, new patients, retention, new-patient share.

They look at windows of `active_patient_months` rather than at the period's months alone, so they
work on the distinct (patient, month) pairs of completed visits, precomputed once per practice.
New patients and retention need that much history before the period: a patient first seen in the
data's first month may well be a long-standing patient, so earlier periods are not computable.
"""

from __future__ import annotations

import numpy as np

from dyad_lib.metrics.components import Components, month_index, month_of

IDS = ("active_patients", "new_patients", "patient_retention", "new_patient_share")


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
        why = (f"needs {n} months of appointment history before {{period}} "
               f"(appointments start {month_of(first):%Y-%m}; a period can be measured from "
               f"{month_of(first + n):%Y-%m} on)")
        out["new_patients"] = (None, why)
        out["patient_retention"] = (None, why)
        out["new_patient_share"] = (None, why)
        return out
    fv = comp.first_visit_month
    new = int(((fv >= start) & (fv <= end)).sum())
    out["new_patients"] = (float(new), None)
    seen = int(_patients_in(comp, start, end).sum())
    out["new_patient_share"] = (new / seen, None) if seen else (None, "no patient had a completed visit in {period}")
    base = _patients_in(comp, start - n, start - 1)
    n_base = int(base.sum())
    if n_base == 0:
        out["patient_retention"] = (None, "no patient was active before {period}")
    else:
        kept = int((base & _patients_in(comp, end - n + 1, end)).sum())
        out["patient_retention"] = (kept / n_base, None)
    return out

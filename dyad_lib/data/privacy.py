"""Which values may be patient identifiers, so that no message, report or kept result quotes one.

Hiding the `patient_id` column is not enough: a row whose values shifted, or an id typed into the
wrong column, puts a patient id under another column's name. So an example value is held back
when it is a patient id of the practice, when it has the same shape as one (letters and digits
in the same pattern), or, with no ids to compare with, when it looks like a typical record code.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd


def private_values(tables: dict[str, pd.DataFrame]) -> Any:
    """A test for 'this value may be a patient identifier': equal to a patient_id of any table, or
    shaped like one (five characters or more, letters and digits in the same pattern: HD-003817
    like HD-000001), or,
    with no patient ids to compare with, a code of a few letters and four or more digits."""
    known: dict[str, set[str]] = {}

    def ids_and_shapes() -> tuple[set[str], set[str]]:  # built on first use: most runs need none
        if not known:
            ids: set[str] = set()
            for df in tables.values():
                if "patient_id" in df:
                    ids.update(str(v) for v in df["patient_id"].dropna().unique())
            known["ids"], known["shapes"] = ids, {_shape(v) for v in ids}
        return known["ids"], known["shapes"]

    def hides(value: Any) -> bool:
        v = str(value).strip()
        if not v:
            return False
        ids, shapes = ids_and_shapes()
        if v in ids or (len(v) >= 5 and _shape(v) in shapes and re.search(r"\d", v)):
            return True
        m = re.fullmatch(r"([A-Za-z]{1,4})[-_#]?\d{4,}", v)
        return bool(m) and m.group(1).lower()[:3] not in _MONTH_WORDS
    return hides


_MONTH_WORDS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "fy", "q"}


def _shape(v: str) -> str:
    return re.sub(r"[A-Za-z]", "A", re.sub(r"\d", "9", v))


def hide_private(issues: list[Any], hides: Any) -> None:
    """Drop every example value that may be a patient identifier (the count says how many)."""
    for issue in issues:
        if not issue.values and issue.value is None:
            continue
        kept = [v for v in issue.values if not hides(v)]
        gone = len(issue.values) - len(kept)
        if issue.value is not None and hides(issue.value):
            issue.value = None
            gone = max(gone, 1)
        if gone:
            issue.values, issue.hidden = kept, issue.hidden + gone
            issue.value = kept[0] if kept else None

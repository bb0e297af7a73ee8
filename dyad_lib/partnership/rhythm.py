"""The rhythm of collaboration as a table: planned against held meetings, per cadence.

The second source article's rhythm is a weekly touch point, a monthly review, a quarterly strategy
session and an annual retreat. The plan is implicit (one slot per week, month, quarter, year) and
the `meetings` log says which slots were held; how slots are counted is the metric family's
(`dyad_lib.metrics.partnership`), so the table and `meeting_adherence_<cadence>` agree.
"""

from __future__ import annotations

import pandas as pd

from dyad_lib.data.contract import MEETING_CADENCES
from dyad_lib.metrics.partnership import cadence_rhythm
from dyad_lib.metrics.periods import Period


def meeting_rhythm(meetings: pd.DataFrame | None, period: Period, fy_start_month: int | None = None) -> pd.DataFrame:
    """One row per cadence: planned, held, missed, not logged, extra, adherence, average duration.

    `fy_start_month` is accepted for symmetry with the other views; the slots follow `period`,
    which already carries its fiscal-year start.
    """
    if fy_start_month is not None and fy_start_month != period.fy_start_month:
        period = Period(period.kind, period.start, period.end, fy_start_month)
    rows = [cadence_rhythm(meetings, period, c).to_dict() for c in MEETING_CADENCES]
    return pd.DataFrame(rows)

"""answers_over_quarters: one grouped pass gives what a filter per question, quarter and partner gives
(the plain reading of its docstring, kept here as the reference), on both demo practices and on
answers that fall outside the window, repeat within a quarter or come from someone else."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dyad_lib.data.contract import PARTNER_QUESTIONS, PARTNER_ROLES, QUESTION_TEXT
from dyad_lib.data.load import load_practice
from dyad_lib.metrics.periods import parse_period
from dyad_lib.partnership.checkpoint import answers_over_quarters

ROOT = Path(__file__).resolve().parents[1]


def reference(df, period, n=4):
    periods = [period]
    for _ in range(n - 1):
        periods.insert(0, periods[0].previous())
    d = df.dropna(subset=["answer"]) if df is not None and len(df) else None
    rows = []
    for q in PARTNER_QUESTIONS:
        for p in periods:
            row = {"question": q, "question_text": QUESTION_TEXT[q], "period": p.label, "start": p.first_day,
                   "end": p.last_day}
            for role in PARTNER_ROLES:
                a = None if d is None else d[(d["question"] == q) & (d["respondent"] == role)
                                             & p.date_mask(d["date"]).fillna(False).astype(bool)]
                if a is not None and len(a):
                    last = a.sort_values(["date"] + (["_row"] if "_row" in a else []), kind="stable").iloc[-1]
                    row[f"{role}_answer"], row[f"{role}_date"] = str(last["answer"]), last["date"]
                else:
                    row[f"{role}_answer"], row[f"{role}_date"] = None, None
            rows.append(row)
    cols = ["question", "question_text", "period", "start", "end", "physician_answer", "administrator_answer",
            "physician_date", "administrator_date"]
    out = pd.DataFrame(rows, columns=cols)
    for c in cols[5:]:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


@pytest.mark.parametrize("pid", ["harbor-dental", "maple-family-medicine"])
def test_same_as_the_reference_on_the_demo_practices(pid):
    p = load_practice(pid, ROOT / "data")
    df = p.tables["partner_questions"]
    fy = p.config.fiscal_year_start_month
    for text in ("2026Q3", "2026Q1", "2025Q2", "2026-09", "FY2026"):
        period = parse_period(text, fy)
        got, want = answers_over_quarters(df, period), reference(df, period)
        pd.testing.assert_frame_equal(got, want)
        assert got.loc[:, "physician_answer":].notna().any().any()  # not only empty cells


def test_latest_in_each_quarter_others_and_blanks_ignored():
    T = pd.Timestamp
    q1, q2 = PARTNER_QUESTIONS[0], PARTNER_QUESTIONS[1]
    df = pd.DataFrame([
        (T("2026-07-02"), "physician", q1, "early", 1),
        (T("2026-09-30"), "physician", q1, "late", 2),
        (T("2026-09-30"), "physician", q1, "late, second row", 3),  # same day: the later row counts
        (T("2026-08-01"), "physician", q1, None, 4),  # blank: not an answer
        (T("2026-06-30"), "administrator", q1, "in Q2", 5),
        (T("2025-09-30"), "administrator", q1, "before the window", 6),
        (T("2026-08-01"), "staff", q1, "not a partner", 7),
        (pd.NaT, "physician", q2, "no date", 8),
        (T("2026-10-01"), "physician", q2, "after the window", 9),
    ], columns=["date", "respondent", "question", "answer", "_row"])
    got = answers_over_quarters(df, parse_period("2026Q3"))
    pd.testing.assert_frame_equal(got, reference(df, parse_period("2026Q3")))
    a = got.set_index(["question", "period"])
    assert a.at[(q1, "2026Q3"), "physician_answer"] == "late, second row"
    assert a.at[(q1, "2026Q3"), "physician_date"] == T("2026-09-30")
    assert a.at[(q1, "2026Q2"), "administrator_answer"] == "in Q2"
    assert a.at[(q1, "2026Q3"), "administrator_answer"] is None
    assert a["physician_answer"].drop((q1, "2026Q3")).isna().all()
    assert list(a.loc[q1].index) == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_no_answers_at_all():
    empty = pd.DataFrame(columns=["date", "respondent", "question", "answer"])
    for df in (None, empty):
        got = answers_over_quarters(df, parse_period("2026Q3"))
        assert len(got) == len(PARTNER_QUESTIONS) * 4
        assert got[["physician_answer", "administrator_answer", "physician_date", "administrator_date"]].isna().all().all()

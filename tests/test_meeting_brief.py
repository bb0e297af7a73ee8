"""The meeting brief's pieces and the monthly review's loop section (dyad_lib.reports.meeting_brief,
dyad_lib.reports.meeting_loop), on the tiny practice of loop_fixtures, worked out by hand."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyad_lib.metrics.periods import parse_period
from dyad_lib.reports import meeting_brief as brief
from dyad_lib.reports import meeting_loop as loop
from loop_fixtures import write_loop_practice

SEP, Q3 = parse_period("2026-09"), parse_period("2026Q3")


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return write_loop_practice(tmp_path_factory.mktemp("brief"))


def _text(fragment) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", str(fragment)))).strip()


def test_brief_takes_a_month_or_a_quarter(practice):
    assert brief.brief_period(practice, "2026-09").kind == "month" and brief.cadence(Q3) == "quarterly"
    with pytest.raises(ValueError, match="a month like 2026-09"):
        brief.brief_period(practice, "FY2026")
    assert brief.subtitle(practice, SEP) == "Monthly review of September 2026 — for the meeting in October 2026"


def test_meeting_length_comes_from_the_log(practice):
    # held monthly meetings in the 12 months to 2026-09-30: 60, 90, 75, 80 minutes -> median 77.5 -> 75
    assert brief.meeting_minutes(practice, SEP) == (75, "the median of the 4 monthly meetings logged in the last 12 months")
    # one quarterly meeting of 100 minutes -> 105 (nearest quarter hour)
    assert brief.meeting_minutes(practice, Q3)[0] == 105


@given(st.integers(min_value=6, max_value=40).map(lambda k: 5 * k),
       st.lists(st.floats(min_value=0.5, max_value=9), min_size=2, max_size=6))
def test_agenda_minutes_add_up(total, weights):
    got = brief._split(total, weights)
    assert sum(got) == total and all(m >= 5 and m % 5 == 0 for m in got)


def test_agenda_is_time_boxed(practice):
    items, total, _ = brief.agenda(practice, SEP, n_points=3, n_actions=2, n_decisions=4, n_focus=2)
    assert total == 75 and sum(i["minutes"] for i in items) == 75
    assert items[0]["start"] == "0:00" and items[-1]["title"].startswith("Capture")
    assert [i["title"] for i in items][:2] == ["The numbers", "Talking points"]
    # each start is the previous start plus its minutes
    starts = [int(i["start"].split(":")[0]) * 60 + int(i["start"].split(":")[1]) for i in items]
    assert all(b - a == i["minutes"] for a, b, i in zip(starts, starts[1:], items))
    q, qtotal, _ = brief.agenda(practice, Q3, 3, 2, 4, 2)
    assert "The five questions" in [i["title"] for i in q] and sum(i["minutes"] for i in q) == qtotal


def test_the_numbers_that_matter(practice):
    rows = {r["id"]: r for r in brief.numbers(practice, SEP, goals={})}
    # the money first, then the number the live items name, then the bridges the practice has data for
    assert list(rows) == ["collections", "net_production", "collection_ratio", "overhead_ratio",
                          "overhead_ratio_clinical_supplies", "operating_margin"]
    s = rows["overhead_ratio_clinical_supplies"]
    assert s["value"] == "9.0%" and float(s["value_repr"]) == pytest.approx(0.09)
    assert s["target"] == "5.0–7.0% (top performers)" and s["tone"] == "bad"
    assert s["moved"].startswith("● +0.0 pts vs August 2026 (9.0%)")
    goals = {"FY2026": {"phasing": {"2026-09": 110000.0}, "kpi_targets": {"collection_ratio": {"target": 0.97}}}}
    rows = {r["id"]: r for r in brief.numbers(practice, SEP, goals)}
    assert rows["collections"]["target"] == "$110.0K (goal)" and rows["collection_ratio"]["target"] == "≥ 97.0% (FY2026 target)"


def test_decisions_to_take(practice):
    items = brief.decisions_to_take(practice, SEP, goals={})
    what = [i["what"] for i in items]
    # the decision up for review at the October meeting, the open conflict, the overdue action, the
    # next fiscal year's goals (FY2027 starts within three months of the October meeting)
    assert what == ["Review: Ask for quotes", "Settle the conflict: Supply spend",
                    "Overdue actions: keep, re-date or drop — “One supplier”",
                    "Set the FY2027 goals (the annual goal-setting worksheet)"]
    # d2 was decided on August 12: measured from July (9,000 of 100,000) to September (the same)
    assert items[0]["number"] == "Overhead: clinical supplies — 9.0% in July 2026 → 9.0% in September 2026 (+0.0 pts, about the same)"
    assert items[1]["why"] == "open 44 days on September 30, 2026"
    assert brief.decisions_to_take(practice, SEP, goals={"FY2027": {}})[-1]["what"].startswith("Overdue")


def test_capture_page_has_the_tables_columns_and_the_workbook(practice):
    page = str(brief.capture_html(practice, Q3))
    for col in ("decision", "lead", "review_date", "metric_id", "title", "owner", "due_date", "area", "note"):
        assert f'class="mb-c-{col}"' in page, col
    assert 'download="capture-test-practice-2026Q3.xlsx"' in page and "base64," in page
    assert "biggest_challenge" in page  # the quarterly checkpoint asks the five questions
    assert "biggest_challenge" not in str(brief.capture_html(practice, SEP))
    assert "dyad record test-practice" in page


def test_loop_section_of_the_monthly_review(practice):
    text = _text(loop.loop_section(practice, SEP))
    assert "1 action overdue on September 30, 2026; 2 were due in September 2026, 1 of them done on time." in text
    assert "One supplier Both Jun 30, 2026 92 days overdue Overhead: clinical supplies — 6.0% in February 2026" not in text
    assert "92 days overdue Overhead: clinical supplies — 7.0% in February 2026 → 9.0% in September 2026 (+2.0 pts, worse)" in text
    assert "Monthly summary Office manager Sep 10, 2026 done Sep 5, 2026" in text
    assert "Fee changes early Office manager Sep 30, 2026 in progress" in text  # completed only in October
    assert "Huddle notes Office manager Oct 20, 2026 due by the October 2026 meeting" in text
    assert "Decided at the last meeting: the monthly review of Sep 9, 2026" in text
    assert "Up for review by the October 2026 meeting Ask for quotes" in text
    assert ("Support for administrative effectiveness — since Mar 26, 2026 Ratings: dentist 2 → 4, office manager "
            "3 → 4 (assessments of Mar 20, 2026 and Sep 18, 2026).") in text


def test_action_rates_name_their_periods(practice):
    text = loop.action_rates(practice, Q3)
    # due in 2026Q3 (not dropped): a2 (on time), a3 (done October 2: late); over the 12 months to
    # September 2026 also a1 (due June 30, not done): 1 of 3
    assert text == ("1 of the 2 action items due in 2026Q3 was done on time (50%); 1 of the 3 action items due over "
                    "the last 12 months (October 2025 – September 2026) was done on time (33%). "
                    "1 was overdue on September 30, 2026.")

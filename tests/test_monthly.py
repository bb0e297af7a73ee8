"""Monthly review and assessment helpers on the hand-checkable minimal practice."""

from __future__ import annotations

import pytest

from dyad_lib.reports import practice_assessment as assessment
from dyad_lib.reports import monthly_review as monthly
from dyad_lib.data.load import load_practice
from dyad_lib.metrics.periods import parse_period
from report_fixtures import goals_fy2025, write_minimal


@pytest.fixture
def tiny(tmp_path):
    write_minimal(tmp_path)
    return load_practice("tiny-dental", tmp_path)


def test_headline_month_goal_last_year_and_year_to_date(tiny):
    month = parse_period("2025-09")
    df = monthly.headline(tiny, month, goals_fy2025()).set_index("id")
    c = df.loc["collections"]
    # September 2025: 100,000 collected; goal 110,000; September 2024: 100,000
    assert (c["value"], c["goal"], c["last_year"]) == (100_000, 110_000, 100_000)
    # January–September 2025: 9 × 100,000 = 900,000 against 9 × 110,000 = 990,000
    assert (c["ytd"], c["ytd_goal"]) == (900_000, 990_000)
    # overhead 22,000 + 6,000 + 5,000 = 33,000 of 100,000; margin 67%
    assert df.loc["overhead_ratio", "value"] == pytest.approx(0.33)
    assert df.loc["operating_margin", "value"] == pytest.approx(0.67)
    tiles = monthly.headline_tiles(tiny, month, df.reset_index(), "cash", goals_fy2025())
    first = tiles[0]
    assert first["value"] == "$100.0K" and first["tone"] == "business"
    assert first["note"].splitlines() == ["Goal $110.0K (−9.1%)", "Sep 2024: $100.0K (+0.0%)",
                                          "Year to date $900.0K vs phased goal $990.0K (−9.1%)"]


def test_no_goals_says_so(tiny):
    month = parse_period("2025-09")
    df = monthly.headline(tiny, month, {})
    tiles = monthly.headline_tiles(tiny, month, df, "production", {})
    assert all("Goal: no goals set" in t["note"] for t in tiles)
    assert monthly.goal_progress(tiny, month, {}) is None


def test_goal_progress_and_pace_needed(tiny):
    g = monthly.goal_progress(tiny, parse_period("2025-09"), goals_fy2025())
    # 900,000 of 1,320,000; 420,000 left over 3 months = 140,000 a month, 40% more than 100,000
    assert (g.ytd_actual, g.ytd_goal, g.annual_goal, g.remaining, g.months_left) == (
        900_000, 990_000, 1_320_000, 420_000, 3)
    assert g.pace_needed == pytest.approx(140_000) and g.pace_so_far == pytest.approx(100_000)
    assert "needs $140.0K a month, 40.0% more than the $100.0K a month collected so far" in g.text()
    assert "$90.0K behind the phased goal of $990.0K" in g.text()


def test_overhead_table_marks_the_band(tiny):
    t = monthly.overhead_table(tiny, parse_period("2025-12")).set_index("Category")
    # December 2025: supplies 8,000 of 100,000 = 8.0%, above 5.0–7.0%
    assert t.loc["Clinical supplies", "Share of collections"] == "8.0%"
    assert t.loc["Clinical supplies", "Where"] == "above the top performers' band (lower is better)"
    assert t.loc["Staff wages", "Where"] == "within the top performers' band"


def test_assessment_leaves_out_kpis_of_absent_tables(tiny):
    p = assessment.assessment_period(tiny, "2025-12", "t12")
    assert (p.label, p.n_months) == ("T12 to 2025-12", 12)
    kpis = assessment.kpi_table(tiny, p).set_index("_id")
    assert "no_show_rate" not in kpis.index and "case_acceptance_value" not in kpis.index
    # T12 2025: collections 1,200,000 = net production -> collection ratio 100%, above 97–99%
    assert kpis.loc["collection_ratio", "Value"] == "100.0%"
    assert kpis.loc["collection_ratio", "Where"] == "above the top performers' band (better)"
    assert assessment.assessment_period(tiny, "FY2025", "t12").kind == "fiscal_year"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from report_fixtures import demo_data_dir

    return demo_data_dir(tmp_path_factory)


def test_partnership_brief_names_the_planted_gaps(demo):
    p = load_practice("harbor-dental", demo)
    brief = assessment.partnership_brief(p, assessment.assessment_period(p, "2026-09", "t12"))
    assert brief["assessment_date"].strftime("%Y-%m-%d") == "2026-09-18"
    assert set(brief["perception_gaps"]) == {"Clear communication", "Constructive feedback"}
    assert brief["shared_gaps"] == ["Professional development"]
    text = " ".join(assessment.partnership_sentences(brief))
    assert "a shared gap" in text and "perception gaps" in text
    assert "Dentist–office manager alignment" in set(brief["metrics"]["Measure"])
    # the rates name the months they cover, and the partners' own choice is said
    assert list(brief["metrics"].columns) == ["Measure", "The twelve months October 2025 – September 2026"]
    assert "The partners chose to work on Constructive feedback and Clear communication." in text


def test_harbor_assessment_flags_clinical_supplies(demo):
    p = load_practice("harbor-dental", demo)
    kpis = assessment.kpi_table(p, assessment.assessment_period(p, "2026-09", "t12")).set_index("_id")
    assert kpis.loc["overhead_ratio_clinical_supplies", "Where"] == "above the top performers' band (lower is better)"
    assert kpis.loc["overhead_ratio_clinical_supplies", "Verdict"] in ("watch", "needs attention")


def test_report_libraries_never_import_great_expectations(demo):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from dyad_lib.reports import practice_assessment as assessment, monthly_review as monthly, portfolio\n"
        "from dyad_lib.reports import data_quality as quality\n"
        "from dyad_lib.data.load import load_practice\n"
        "from dyad_lib.metrics.opportunities import practice_opportunities\n"
        "from dyad_lib.reports.talking_points import talking_points\n"
        f"p = load_practice('harbor-dental', {str(demo)!r})\n"
        "m = monthly.month_period(p, '2026-09')\n"
        "talking_points(p, m); practice_opportunities(p, m); assessment.kpi_table(p, m.view('t12'))\n"
        f"portfolio.collect('2026-09', {str(demo)!r}, view='t12')\n"
        "print('great_expectations' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"

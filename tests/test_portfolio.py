"""Portfolio: one row per practice, direction-aware ranks, anonymized codes, failures with why."""

from __future__ import annotations

import pytest

from dyad_lib.metrics.periods import parse_period
from dyad_lib.reports.portfolio import (
    collect,
    excluded_frame,
    portfolio_frame,
    portfolio_html,
    practice_code,
    rank_values,
    report_links,
)
from report_fixtures import write_minimal


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("portfolio")
    data, cache = root / "data", root / "cache"
    write_minimal(data, "alpha-dental", "Alpha Dental")  # collections 100,000 a month
    write_minimal(data, "beta-medical", "Beta <Medical>", kind="medical", collections=90_000)
    broken = write_minimal(data, "gamma-dental", "Gamma Dental")
    text = (broken / "financials.csv").read_text().replace("2025-03,105000,5000,100000", "2025-03,105000,5000,n/a")
    (broken / "financials.csv").write_text(text)
    write_minimal(data, "delta-dental", "Delta Dental", expenses=False)
    write_minimal(data, "epsilon-dental", "Epsilon Dental")
    from dyad_lib.data.snapshot import prepare_practice

    for pid in ("alpha-dental", "beta-medical", "gamma-dental", "delta-dental"):  # epsilon is left unvalidated
        prepare_practice(pid, data, cache)
    return data, cache


@pytest.fixture(scope="module")
def rows(folders):
    data, cache = folders
    return collect("2025-12", data, cache)


def test_one_row_per_practice_with_status(rows):
    assert [r.practice_id for r in rows] == ["alpha-dental", "beta-medical", "delta-dental", "epsilon-dental",
                                             "gamma-dental"]
    status = {r.practice_id: r.status for r in rows}
    assert status == {"alpha-dental": "ok", "beta-medical": "ok", "delta-dental": "ok",
                      "epsilon-dental": "not validated", "gamma-dental": "failed"}
    gamma = next(r for r in rows if r.practice_id == "gamma-dental")
    assert "financials.csv" in gamma.why and not gamma.values
    # files validation has not seen never give a figure, only their name and why
    epsilon = next(r for r in rows if r.practice_id == "epsilon-dental")
    assert epsilon.name == "Epsilon Dental" and not epsilon.values and "dyad validate" in epsilon.why


def test_values_and_direction_aware_ranks(rows):
    df = portfolio_frame(rows).set_index("practice_id")
    # December 2025: collections 100,000 (alpha) and 90,000 (beta); net production 100,000 for both
    assert df.loc["alpha-dental", "collections"] == 100_000
    assert df.loc["beta-medical", "collection_ratio"] == pytest.approx(0.90)
    # overhead 22,000 + 6,000 + 8,000 = 36,000: 36% of 100,000 and 40% of 90,000
    assert df.loc["alpha-dental", "overhead_ratio"] == pytest.approx(0.36)
    assert df.loc["beta-medical", "overhead_ratio"] == pytest.approx(0.40)
    # growth against December 2024 (same collections): 0%
    assert df.loc["alpha-dental", "collections_growth"] == pytest.approx(0.0)
    # alpha and delta tie at 100,000 (rank 1 among the dental practices); beta, the only medical one, is
    # ranked among medical practices only
    assert df.loc["alpha-dental", "collections_rank"] == 1 and df.loc["beta-medical", "collections_rank"] == 1
    assert df.loc["alpha-dental", "collections_of"] == 2 and df.loc["beta-medical", "collections_of"] == 1
    assert df.loc["alpha-dental", "overhead_ratio_rank"] == 1  # lower overhead ranks first
    assert df.loc["alpha-dental", "operating_margin_rank"] == 1
    # delta has no expenses: no overhead value and no rank; gamma failed: nothing
    assert pd_isna(df.loc["delta-dental", "overhead_ratio"]) and pd_isna(df.loc["delta-dental", "overhead_ratio_rank"])
    assert "expenses" in df.loc["delta-dental", "overhead_ratio_reason"]
    assert df.loc["delta-dental", "collections_rank"] == 1  # ties share the better rank
    assert pd_isna(df.loc["gamma-dental", "collections_rank"])


def pd_isna(x) -> bool:
    import pandas as pd

    return bool(pd.isna(x))


def test_rank_values_down_is_ascending():
    import pandas as pd

    assert list(rank_values(pd.Series([0.3, None, 0.1, 0.3]), "down")) == [2, pd.NA, 1, 2]
    assert list(rank_values(pd.Series([0.3, None, 0.1, 0.3]), "up")) == [1, pd.NA, 3, 1]


def test_anonymize_replaces_names_and_ids_in_practice_id_order(rows):
    df = portfolio_frame(rows, anonymize=True)
    assert list(df["practice"]) == ["Practice A", "Practice B", "Practice C", "Practice D", "Practice E"]
    assert list(df["practice_id"]) == list(df["practice"])
    html = portfolio_html(df)
    for name in ("Alpha", "Beta", "alpha-dental", "Gamma"):
        assert name not in html
    assert practice_code(25) == "Practice Z" and practice_code(26) == "Practice AA"


def test_html_escapes_names_and_marks_missing(rows):
    html = portfolio_html(portfolio_frame(rows))
    assert "Beta &lt;Medical&gt;" in html and "<Medical>" not in html
    assert "$100.0K" in html and "#1" in html and "Gamma Dental" not in html  # failed practices listed apart


def test_excluded_lists_failures_with_why(rows):
    ex = excluded_frame(portfolio_frame(rows))
    assert list(ex["Practice"]) == ["Epsilon Dental", "Gamma Dental"]
    assert ex.loc[1, "Status"] == "not included" and "financials.csv" in ex.loc[1, "Why"]


def test_links_point_to_existing_reports(tmp_path):
    period = parse_period("2026-09")
    (tmp_path / "harbor-dental" / "2026-09").mkdir(parents=True)
    (tmp_path / "harbor-dental" / "2026-09" / "monthly_review.html").write_text("x")
    (tmp_path / "harbor-dental" / "2026-09-t12").mkdir()
    (tmp_path / "harbor-dental" / "2026-09-t12" / "practice_assessment.html").write_text("x")
    links = report_links("harbor-dental", period, tmp_path)
    assert links == [("Monthly review", "../../harbor-dental/2026-09/monthly_review.html"),
                     ("Assessment", "../../harbor-dental/2026-09-t12/practice_assessment.html")]
    expected = report_links("harbor-dental", period, tmp_path / "none", only_existing=False)
    assert ("Data quality", "../../harbor-dental/2026-09/data_quality.html") in expected


def test_quarter_period_is_used_as_is_and_links_find_the_month_reports(tmp_path):
    from dyad_lib.reports.portfolio import portfolio_period

    q = portfolio_period("2026Q3", 1, "t12")
    assert (q.kind, q.label) == ("quarter", "2026Q3")
    assert portfolio_period("2026-09", 1, "t12").label == "T12 to 2026-09"
    assert portfolio_period("FY2026", 7, "t12").label == "FY2026"
    for folder, report in (("2026-09", "monthly_review"), ("2026-09-t12", "practice_assessment"),
                           ("2026Q3", "quarterly_partnership"), ("latest", "data_quality")):
        (tmp_path / "maple" / folder).mkdir(parents=True)
        (tmp_path / "maple" / folder / f"{report}.html").write_text("x")
    links = dict(report_links("maple", parse_period("2026Q3"), tmp_path))
    assert links == {"Monthly review": "../../maple/2026-09/monthly_review.html",
                     "Assessment": "../../maple/2026-09-t12/practice_assessment.html",
                     "Partnership": "../../maple/2026Q3/quarterly_partnership.html",
                     "Data quality": "../../maple/latest/data_quality.html"}


def _row(pid: str, kind: str, providers: float | None, collections: float, overhead: float):
    from dyad_lib.metrics.values import value
    from dyad_lib.reports.portfolio import PER_PROVIDER, PracticeRow, _per_provider

    values = {"collections": value("collections", collections, "money"),
              "overhead_ratio": value("overhead_ratio", overhead, "ratio")}
    for mid, base in PER_PROVIDER.items():
        values[mid] = _per_provider(mid, values.get(base), providers)
    return PracticeRow(pid, pid.title(), kind, "ok", "", parse_period("2025Q4"), values, providers)


def test_ranks_totals_and_sizes_stay_within_peer_groups():
    from dyad_lib.reports.portfolio import kind_totals, peer_groups, summary_tiles

    rows = [_row("big-dental", "dental", 3.0, 900_000, 0.62), _row("mid-dental", "dental", 2.0, 700_000, 0.58),
            _row("solo-dental", "dental", 1.0, 400_000, 0.55), _row("clinic", "medical", 2.5, 950_000, 0.70)]
    df = portfolio_frame(rows).set_index("practice_id")
    # peer groups: kind, then size by dentists / physicians (full-time equivalents)
    assert df.loc["big-dental", "peer_group"] == df.loc["mid-dental", "peer_group"] == "Dental, 2–3 dentists"
    assert df.loc["solo-dental", "peer_group"] == "Dental, 1 dentist"
    assert df.loc["clinic", "peer_group"] == "Medical, 2–3 physicians"
    assert peer_groups(df.reset_index()) == ["Dental, 1 dentist", "Dental, 2–3 dentists", "Medical, 2–3 physicians"]
    # ranks among peers only: the medical practice's larger collections rank nobody down
    assert (df.loc["big-dental", "collections_rank"], df.loc["mid-dental", "collections_rank"]) == (1, 2)
    assert df.loc["big-dental", "collections_of"] == 2
    assert df.loc["clinic", "collections_rank"] == 1 and df.loc["clinic", "collections_of"] == 1
    assert df.loc["mid-dental", "overhead_ratio_rank"] == 1  # lower overhead first
    # per dentist: 900,000 / 3 = 300,000 and 700,000 / 2 = 350,000, so the smaller practice leads
    assert df.loc["big-dental", "collections_per_provider"] == pytest.approx(300_000)
    assert df.loc["mid-dental", "collections_per_provider_rank"] == 1
    # money is summed within a kind, never across kinds
    totals = kind_totals(df.reset_index()).set_index("kind")
    assert totals.loc["dental", "collections"] == 2_000_000 and totals.loc["medical", "collections"] == 950_000
    labels = [t["label"] for t in summary_tiles(df.reset_index())]
    assert "Collections, dental practices" in labels and "Collections, medical practices" in labels
    assert not any("all practices" in x.lower() for x in labels)


def test_an_unknown_size_is_its_own_group_and_per_provider_is_missing_with_why():
    df = portfolio_frame([_row("a", "dental", None, 500_000, 0.6), _row("b", "dental", 2.0, 600_000, 0.6)])
    df = df.set_index("practice_id")
    assert df.loc["a", "peer_group"] == "Dental, number of dentists not known"
    assert df.loc["a", "collections_rank"] == 1 and df.loc["b", "collections_rank"] == 1
    assert pd_isna(df.loc["a", "collections_per_provider"])
    assert "not known" in df.loc["a", "collections_per_provider_reason"]


def test_a_peer_groups_table_speaks_its_kinds_words():
    rows = [_row("big-dental", "dental", 3.0, 900_000, 0.62), _row("clinic", "medical", 2.5, 950_000, 0.70)]
    df = portfolio_frame(rows)
    medical = portfolio_html(df, metrics=("collections_per_provider", "case_acceptance_value", "collection_ratio"),
                             group="Medical, 2–3 physicians")
    assert "Collections per physician" in medical and "Care-plan acceptance (value)" in medical
    assert "Net collection rate" in medical and "dentist" not in medical and "Case acceptance" not in medical
    dental = portfolio_html(df, metrics=("collections_per_provider", "case_acceptance_value"),
                            group="Dental, 2–3 dentists")
    assert "Collections per dentist" in dental and "Case acceptance (value)" in dental

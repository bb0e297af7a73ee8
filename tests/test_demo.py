"""The demo generator: deterministic bytes, the committed data matches it, it loads cleanly, and the
stories the reports are meant to show are really in the numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.data.contract import DYAD_AREA_CODES, PARTNER_QUESTIONS, TABLES
from dyad_lib.demo.practices import PRACTICES, write_demo
from dyad_lib.data.load import load_practice
from dyad_lib.data.paths import PROJECT_ROOT

HARBOR, MAPLE = "harbor-dental", "maple-family-medicine"
DATA_END = pd.Timestamp("2026-09-30")

ROW_COUNTS = {
    HARBOR: {"financials": 45, "expenses": 495, "capacity": 45, "appointments": 40086, "treatment_plans": 5297,
             "quality_measures": 90, "patient_survey": 1186, "team_survey": 203, "dyad_assessment": 168,
             "feedback_360": 322, "meetings": 251, "decision_grid": 11, "conflicts": 7, "action_plan": 11,
             "partner_questions": 110, "focus_areas": 4, "decisions": 9, "providers": 6},
    MAPLE: {"financials": 180, "expenses": 495, "capacity": 45, "appointments": 87242, "treatment_plans": 2504,
            "quality_measures": 135, "patient_survey": 1445, "team_survey": 307, "dyad_assessment": 168,
            "feedback_360": 322, "meetings": 255, "decision_grid": 11, "conflicts": 7, "action_plan": 11,
            "partner_questions": 110, "focus_areas": 4, "decisions": 6, "providers": 4, "charges": 72899},
}


def demo_tables(pid: str) -> set[str]:
    """The contract's tables a demo practice holds: every one, but charge entry (the billing trail of
    a physician practice) only in the medical demo."""
    return set(TABLES) - ({"charges"} if pid == HARBOR else set())


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo-a")
    write_demo(folder)
    return folder


@pytest.fixture(scope="module")
def practices(generated):
    return {pid: load_practice(pid, generated, collect=True) for pid in PRACTICES}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_two_runs_write_identical_bytes(generated, tmp_path):
    write_demo(tmp_path)
    for pid in PRACTICES:
        first, second = _files(generated / pid), _files(tmp_path / pid)
        assert sorted(first) == sorted(["practice.yaml", "goals.yaml"] + [f"{t}.csv" for t in demo_tables(pid)])
        assert first == second


def test_committed_data_equals_a_fresh_generation(generated):
    # the shipped files in data/ must not drift from the generator: rerun `dyad demo --data-only`
    for pid in PRACTICES:
        shipped = PROJECT_ROOT / "data" / pid
        assert _files(shipped) == _files(generated / pid), f"data/{pid} differs from the generator"


def test_write_demo_replaces_only_its_own_folders(tmp_path):
    other = tmp_path / "other-practice"
    other.mkdir()
    (other / "practice.yaml").write_text("keep me\n")
    stale = tmp_path / HARBOR
    stale.mkdir()
    (stale / "stale.csv").write_text("x\n")
    written = write_demo(tmp_path, [HARBOR])
    assert (other / "practice.yaml").read_text() == "keep me\n"
    assert not (stale / "stale.csv").exists()
    assert not (tmp_path / MAPLE).exists()
    assert len(written) == len(demo_tables(HARBOR)) + 2 and all(p.parent == tmp_path / HARBOR for p in written)
    assert sorted(p.name for p in tmp_path.iterdir()) == [HARBOR, "other-practice"]  # no temp folders left


def test_both_practices_load_without_issues(practices):
    for pid, practice in practices.items():
        assert practice.issues == []
        assert set(practice.tables) == demo_tables(pid)
        assert {t: len(df) for t, df in practice.tables.items()} == ROW_COUNTS[pid]
        fin = practice.tables["financials"]
        assert fin["month"].min() == pd.Timestamp("2023-01-01")
        assert fin["month"].max() == pd.Timestamp("2026-09-01")
        assert fin["month"].nunique() == 45


def test_practice_settings_and_export_variants(practices, generated):
    h, m = practices[HARBOR].config, practices[MAPLE].config
    assert (h.kind, h.fiscal_year_start_month, h.active_patient_months) == ("dental", 1, 18)
    assert (h.name, h.clinical_lead, h.business_lead) == (
        "Harbor Cosmetic & Implant Dentistry", "Dr. Ana Rivera", "Jordan Chen")
    assert (m.kind, m.fiscal_year_start_month, m.active_patient_months) == ("medical", 7, 36)
    assert (m.clinical_lead, m.business_lead, m.date_format) == ("Dr. Samuel Okafor", "Priya Natarajan", "%m/%d/%Y")
    maple = generated / MAPLE
    assert maple.joinpath("expenses.csv").read_text().startswith("month;category;amount\n")
    assert '"$' in maple.joinpath("financials.csv").read_text()
    raw = maple.joinpath("patient_survey.csv").read_bytes()
    assert "Zoë".encode("cp1252") in raw and "Très".encode("cp1252") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert practices[MAPLE].sources["patient_survey"].encoding == "cp1252"
    assert practices[MAPLE].sources["expenses"].delimiter == ";"
    second_line = maple.joinpath("appointments.csv").read_text().splitlines()[1]
    # the last column, late_cancellation, is empty but for a cancelled visit
    assert re.fullmatch(r"V\d{6},\d\d/\d\d/\d{4},MD0\d,MRN\d{7},.*,\d\d/\d\d/\d{4},(true|false)?", second_line)
    # every maple financials row belongs to a physician; harbor's are whole-practice rows
    assert sorted(practices[MAPLE].tables["financials"]["provider_id"].unique()) == ["MD01", "MD02", "MD03", "MD04"]
    assert practices[HARBOR].tables["financials"]["provider_id"].isna().all()
    comments = practices[HARBOR].tables["patient_survey"]["comment"].dropna()
    assert comments.str.contains("<b>").any() and comments.str.contains("&").any()
    assert practices[HARBOR].tables["appointments"]["patient_id"].str.fullmatch(r"HD-\d{6}").all()
    assert practices[MAPLE].tables["appointments"]["patient_id"].str.fullmatch(r"MRN\d{7}").all()


def _monthly(df: pd.DataFrame, col: str = "month") -> pd.Series:
    return df.groupby(df[col].dt.to_period("M")).size()


@pytest.mark.parametrize("pid", [HARBOR, MAPLE])
def test_gross_production_is_the_sum_of_completed_visits(practices, pid):
    t = practices[pid].tables
    appts = t["appointments"]
    done = appts[appts["status"] == "completed"]
    keys = [done["date"].dt.to_period("M")] + ([done["provider_id"]] if pid == MAPLE else [])
    from_visits = done.groupby(keys)["production"].sum().round(2)
    fin = t["financials"]
    fkeys = [fin["month"].dt.to_period("M")] + ([fin["provider_id"]] if pid == MAPLE else [])
    reported = fin.groupby(fkeys)["gross_production"].sum()
    pd.testing.assert_series_equal(from_visits.sort_index(), reported.sort_index(), check_names=False)


@pytest.mark.parametrize("pid", [HARBOR, MAPLE])
def test_appointments_are_plausible(practices, pid):
    t = practices[pid].tables
    a = t["appointments"]
    assert a["appointment_id"].is_unique
    assert a["chair_minutes"].between(5, 600).all()
    after = a["date"] > DATA_END
    assert (a.loc[after, "status"] == "scheduled").all() and after.any()
    assert (a.loc[~after, "status"] != "scheduled").all()
    assert a.loc[after, "date"].max() <= pd.Timestamp("2026-11-30")
    done = a[a["status"] == "completed"]
    assert (done["documented_date"] >= done["date"]).all()
    assert done["next_visit_booked"].notna().all()
    # per working day: dental 40-50 appointments, medical 80-90 (no-shows and cancellations included)
    cap = t["capacity"].set_index(t["capacity"]["month"].dt.to_period("M"))
    booked = _monthly(a[~after], "date")
    per_day = booked.sum() / cap["working_days"].sum()
    low, high = (40, 50) if pid == HARBOR else (80, 92)
    assert low <= per_day <= high
    # chair utilisation = completed chair minutes / available chair minutes, 70-85% over the years
    minutes = done.groupby(done["date"].dt.to_period("M"))["chair_minutes"].sum()
    util = minutes.reindex(cap.index).sum() / (cap["chair_hours_available"].sum() * 60)
    assert 0.70 <= util <= 0.85


def test_no_shows_and_case_acceptance(practices):
    h = practices[HARBOR].tables
    a = h["appointments"]
    counts = a["status"].value_counts()
    assert 0.065 <= counts["no_show"] / (counts["no_show"] + counts["completed"]) <= 0.075
    tp = h["treatment_plans"]
    assert 0.47 <= tp["amount_accepted"].sum() / tp["amount_presented"].sum() <= 0.53
    assert 0.66 <= (tp["amount_accepted"] > 0).mean() <= 0.74
    mt = practices[MAPLE].tables
    tp = mt["treatment_plans"]
    assert 0.56 <= tp["amount_accepted"].sum() / tp["amount_presented"].sum() <= 0.65
    a = mt["appointments"]

    def rate(year):
        s = a.loc[a["date"].dt.year == year, "status"].value_counts()
        return s["no_show"] / (s["no_show"] + s["completed"])

    assert 0.07 <= rate(2024) <= 0.09 and rate(2026) > rate(2024) + 0.01


def _quarterly_ratio(fin: pd.DataFrame) -> pd.Series:
    q = fin.groupby(fin["month"].dt.to_period("Q"))[["gross_production", "adjustments", "collections"]].sum()
    return q["collections"] / (q["gross_production"] - q["adjustments"])


def test_slow_collection_quarters(practices):
    h = _quarterly_ratio(practices[HARBOR].tables["financials"])
    assert h[pd.Period("2025Q2")] < 0.93
    assert h[pd.Period("2025Q3")] > h[pd.Period("2025Q2")] + 0.05  # partly caught up
    normal = h.drop([pd.Period("2023Q1"), pd.Period("2025Q2"), pd.Period("2025Q3")])
    assert normal.median() > 0.97 and normal.min() > 0.95
    m = _quarterly_ratio(practices[MAPLE].tables["financials"])
    assert m[pd.Period("2025Q4")] < 0.90
    assert m.drop(pd.Period("2025Q4")).min() > 0.93


def test_financial_rates_and_receivables(practices):
    for pid, (low, high) in ((HARBOR, (0.03, 0.05)), (MAPLE, (0.35, 0.45))):
        fin = practices[pid].tables["financials"]
        assert low <= fin["adjustments"].sum() / fin["gross_production"].sum() <= high
        assert (fin["ar_over_90"] <= fin["ar_balance"]).all() and (fin["ar_balance"] > 0).all()
    h = practices[HARBOR].tables["financials"].set_index("month")
    # A/R over 90 days swells after the slow quarter
    assert h.loc["2025-08-01", "ar_over_90"] > 2 * h.loc["2025-03-01", "ar_over_90"]


def test_clinical_supplies_creep(practices):
    t = practices[HARBOR].tables
    e = t["expenses"].pivot_table(index="month", columns="category", values="amount")
    coll = t["financials"].set_index("month")["collections"]
    share = e["clinical_supplies"] / coll
    assert 0.05 <= share[share.index.year == 2024].mean() <= 0.06
    assert (share[share.index >= "2026-01-01"] > 0.07).all()
    assert share.loc["2026-09-01"] > 0.08
    overhead = e.drop(columns=["owner_compensation", "debt_service"]).sum(axis=1) / coll
    assert 0.55 <= overhead[overhead.index.year == 2024].mean() <= 0.62


def test_seasonality(practices):
    h = practices[HARBOR].tables["financials"].set_index("month")["gross_production"]
    for year in (2023, 2024, 2025):
        typical = h[(h.index.year == year) & h.index.month.isin([3, 4, 5, 9, 10])].mean()
        assert h.loc[f"{year}-08-01"] < 0.85 * typical and h.loc[f"{year}-12-01"] < 0.85 * typical
    a = practices[MAPLE].tables["appointments"]
    done = a[(a["status"] == "completed") & (a["date"] <= DATA_END)]
    by_month = done.groupby(done["date"].dt.month).size()
    assert by_month[[1, 2]].mean() > 1.15 * by_month[[6, 7, 8]].mean()


def test_latest_assessment_gaps(practices):
    expected = {
        HARBOR: ({"clear_communication": (2, 5), "constructive_feedback": (4, 2)}, "professional_development"),
        MAPLE: ({"autonomy_accountability": (2, 5), "admin_effectiveness": (4, 2)}, "org_understanding"),
    }
    for pid, (gaps, shared_gap) in expected.items():
        d = practices[pid].tables["dyad_assessment"]
        assert d["assessment_date"].nunique() == 6
        assert (d.groupby("assessment_date").size() == 2 * len(DYAD_AREA_CODES)).all()
        latest = d[d["assessment_date"] == d["assessment_date"].max()]
        wide = latest.pivot(index="area", columns="respondent", values="rating")
        diff = (wide["physician"] - wide["administrator"]).abs()
        assert set(diff[diff >= 2].index) == set(gaps)
        for area, (phys, admin) in gaps.items():
            assert (wide.loc[area, "physician"], wide.loc[area, "administrator"]) == (phys, admin)
        assert ((wide >= 4).all(axis=1)).sum() >= 1
        assert list(wide.index[(wide <= 2).all(axis=1)]) == [shared_gap]
        assert latest["note"].notna().sum() >= 3


def test_action_plan_conflicts_and_meetings(practices):
    end = DATA_END
    for practice in practices.values():
        t = practice.tables
        ap = t["action_plan"]
        overdue = ap[ap["status"].isin(["open", "in_progress"]) & (ap["due_date"] < end)]
        assert len(overdue) == 3
        done = ap[ap["status"] == "done"]
        assert (done["completed_date"] <= done["due_date"]).sum() >= 3
        assert (done["completed_date"] > done["due_date"]).sum() >= 1
        assert (ap["status"] == "dropped").sum() == 1
        c = t["conflicts"]
        days = (c["resolved_date"] - c["opened_date"]).dt.days
        assert days.max() >= 150 and c.loc[days.idxmax(), "mediated"]
        assert (days <= 21).sum() >= 3
        assert c["resolved_date"].isna().sum() == 1
        meet = t["meetings"]
        assert set(meet["cadence"]) == {"weekly", "monthly", "quarterly", "annual"}
        weekly = meet[meet["cadence"] == "weekly"]
        weeks = (end - pd.Timestamp("2023-01-01")).days // 7
        assert len(weekly) < weeks and (~weekly["held"]).sum() > 5  # some missed, some never logged


def test_choices_decisions_and_linked_items(practices):
    """The partners' choices and decisions are in the data, and harbor's supplies story hangs together:
    the open conflict, the overdue supply-ordering action, the supplier decisions and the decision-grid
    row all name the clinical-supplies overhead."""
    end = DATA_END
    supplies = "overhead_ratio_clinical_supplies"
    h = practices[HARBOR].tables
    assert h["conflicts"].set_index("conflict_id").at["C07", "metric_id"] == supplies
    ap = h["action_plan"].set_index("item_id")
    assert ap.at["AP06", "metric_id"] == supplies and ap.at["AP06", "due_date"] < end
    assert ap.at["AP06", "status"] == "in_progress"
    d = h["decisions"]
    assert set(d.loc[d["metric_id"] == supplies, "decision_id"]) == {"D05", "D07", "D08"}
    assert any("supplier" in x.lower() for x in d.loc[d["metric_id"] == supplies, "decision"])
    grid = h["decision_grid"].set_index("decision_area")
    assert grid.at["Supplier selection", "metric_id"] == supplies
    for practice in practices.values():
        t = practice.tables
        f = t["focus_areas"]
        open_ = f[f["closed_date"].isna()]
        assert len(open_) == 2 and (f["closed_date"].notna()).sum() == 2
        dec = t["decisions"]
        assert dec["date"].max() <= end and dec["review_date"].max() > end  # some reviews come after the data
        assert t["dyad_assessment"]["note"].notna().sum() >= 8  # the partners' words, at several assessments
        assert t["dyad_assessment"].dropna(subset=["note"])["assessment_date"].nunique() >= 4


def test_feedback_surveys_and_questions(practices):
    for pid, practice in practices.items():
        t = practice.tables
        f = t["feedback_360"]
        assert set(f["rater_group"]) == {"self", "partner", "peer", "staff", "patient"}
        assert set(f["subject"]) == {"physician", "administrator"}
        sizes = f.groupby(["collected_date", "subject", "competency", "rater_group"]).size()
        small = sizes.drop(["self", "partner"], level="rater_group")
        assert (small < 3).any()  # a group the anonymity rule must fold
        ts = t["team_survey"]
        staff = ts[ts["role"] == "staff"]
        burn = staff.groupby(staff["response_date"].dt.year)["burnout"].apply(lambda s: (s >= 3).mean())
        assert burn[2026] > burn[2024] + 0.1
        assert set(ts["role"]) == {"physician", "administrator", "staff"}
        ps = t["patient_survey"]
        assert ps["recommend_score"].between(0, 10).all()
        pq = t["partner_questions"]
        per_date = pq.groupby("date").apply(lambda g: len(set(zip(g["respondent"], g["question"]))))
        assert (per_date == 2 * len(PARTNER_QUESTIONS)).all() and len(per_date) >= 8
        q = t["quality_measures"]
        assert (q["numerator"] <= q["denominator"]).all() and q["target_rate"].between(0, 1).all()
    assert set(practices[HARBOR].tables["quality_measures"]["measure_id"]) == {"perio_charting",
                                                                                "caries_risk_assessment"}
    assert set(practices[MAPLE].tables["quality_measures"]["measure_id"]) == {
        "a1c_control", "bp_control", "colorectal_screening"}


def test_patients_recur_and_new_patients_are_plausible(practices):
    a = practices[HARBOR].tables["appointments"]
    done = a[(a["status"] == "completed")]
    first = done.groupby("patient_id")["date"].min()
    new_2025 = first[first.dt.year == 2025].size / 12
    assert 3 * 20 <= new_2025 <= 3 * 28  # 20-28 per dentist per month
    visits = done.groupby("patient_id").size()
    assert visits.median() >= 3


def test_demo_command_writes_into_the_data_dir(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--data-only", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "harbor-dental" in result.output and "maple-family-medicine" in result.output
    assert (tmp_path / HARBOR / "practice.yaml").is_file()
    assert (tmp_path / MAPLE / "appointments.csv").is_file()

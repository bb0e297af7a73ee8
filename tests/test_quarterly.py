"""The quarterly partnership report: dyad_lib.quarterly on small hand-checked practices, and the
notebook end to end — both demo practices through the batch (charts drawn offline in Chromium, the
planted stories visible, scorecard numbers equal to compute_metrics, no patient identifier) and a
practice with no partnership table at all."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from dyad_lib.reports import quarterly_partnership as q
from dyad_lib.data.load import load_practice
from dyad_lib.metrics.compute import compute_metrics
from dyad_lib.partnership.instruments import INSTRUMENT_TABLES
from dyad_lib.partnership.feedback360 import feedback_summary
from dyad_lib.metrics.periods import parse_period
from report_fixtures import goals_fy2025, write_minimal

# --- dyad_lib.quarterly on a minimal practice (financials + expenses, 2024-01 … 2025-12) -----------
# Every month: net production 100,000, collections 100,000; goals_fy2025 phases 110,000 a month.


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("quarterly")
    write_minimal(root)
    return load_practice("tiny-dental", root)


def test_quarter_only(tiny):
    assert q.quarter_period(tiny, "2025Q3").months[0] == pd.Timestamp("2025-07-01")
    with pytest.raises(ValueError, match="a quarter like 2026Q3"):
        q.quarter_period(tiny, "2025-07")


def test_quarter_goal_is_the_sum_of_its_phased_months():
    goals = goals_fy2025(110_000.0)
    period = parse_period("2025Q3", 1)
    assert q.quarter_goal(goals, period, "collections") == 330_000.0  # 3 × 110,000
    assert q.quarter_goal(goals, period, "net_production") is None  # not phased in this goals file
    assert q.quarter_goal({}, period, "collections") is None


def test_goal_progress_projection_by_hand(tiny):
    progress = q.goal_progress(tiny, parse_period("2025Q3", 1), goals_fy2025(110_000.0))
    r = progress.set_index("id").loc["collections"]
    assert r["ytd_actual"] == 900_000  # Jan–Sep: 9 × 100,000
    assert r["ytd_goal"] == 990_000  # 9 × 110,000
    assert r["annual_goal"] == 1_320_000  # 12 × 110,000
    assert r["projection"] == pytest.approx(1_200_000)  # 1,320,000 × 900,000 ÷ 990,000
    assert r["projected_gap"] == pytest.approx(-120_000)
    assert r["pace_needed"] == pytest.approx(140_000)  # (1,320,000 − 900,000) ÷ 3 months left
    assert list(progress["id"]) == ["collections"]  # net and gross production are not phased here
    text = " ".join(q.goal_sentences(progress))
    assert "$90.0K behind the phased goal of $990.0K" in text and "near $1.20M" in text
    assert "$140.0K a month for the remaining 3 months" in text and "40% more" in text  # 140k vs 100k so far


def test_no_goals_means_no_progress(tiny):
    assert q.goal_progress(tiny, parse_period("2025Q3", 1), {}) is None
    assert q.goal_progress(tiny, parse_period("2025Q3", 1), goals_fy2025()) is not None


def test_scorecard_values_targets_and_status(tiny):
    period = parse_period("2025Q3", 1)
    card = q.scorecard(tiny, period, goals_fy2025(110_000.0), n_quarters=4).set_index("id")
    want = compute_metrics(tiny, period, list(card.index))
    for mid, v in want.items():
        assert card.at[mid, "value"] == v.value, mid
    c = card.loc["collections"]
    assert c["value"] == 300_000 and c["target_value"] == 330_000  # 3 × 100,000 against 3 × 110,000
    assert c["verdict"] == "watch"  # 9.1% short: within 10% of the goal
    assert "share of the FY2025 goal" in c["target_source"]
    r = card.loc["collection_ratio"]
    assert r["value"] == 1.0 and r["target"] == "97.0–99.0%" and r["verdict"] == "good"  # 300k ÷ 300k, dental band
    # no treatment_plans: not a row of dashes, named once under the table (never a zero)
    assert "case_acceptance_value" not in card.index
    assert ("Case acceptance (value)", "treatment_plans") in q.left_out(tiny)
    assert card.at["collections", "series"] == [300_000.0] * 4  # 2024Q4 … 2025Q3
    assert card.attrs["quarters"] == ["2024Q4", "2025Q1", "2025Q2", "2025Q3"]
    # partnership lines are there and say why they are empty
    assert card.at["dyad_alignment", "value"] is None and "dyad_assessment" in card.at["dyad_alignment", "reason"]


def test_scorecard_html_carries_the_exact_values(tiny):
    period = parse_period("2025Q3", 1)
    card = q.scorecard(tiny, period, goals_fy2025(), n_quarters=3)
    page = q.scorecard_html(card, "practice", tiny)
    assert 'data-metric="collections"' in page and 'data-value="300000.0"' in page
    assert "$300.0K" in page and "$330.0K" in page  # value and the quarter's goal


def test_missing_instruments_point_to_the_templates(tiny):
    lines = q.missing_lines(tiny)
    assert len(lines) == len(INSTRUMENT_TABLES)
    assert all(any(line.startswith(t + " —") for line in lines) for t in INSTRUMENT_TABLES)
    # the assessment and questions forms, the meeting capture page (focus areas and decisions)
    assert sum("`dyad forms tiny-dental`" in line for line in lines) == 4
    assert "<code>dyad forms tiny-dental</code>" in q.missing_html(tiny)


def test_practice_words(tiny):
    assert q.in_words("The clinical lead rates it 4 and the business lead 2.", tiny) == \
        "The dentist rates it 4 and the office manager 2."
    assert q.partner_label(tiny, "administrator") == "Office manager (Sam Park)"


def test_sparkline_gaps_and_target():
    svg = q.sparkline_svg([1.0, None, 3.0, 4.0], ["a", "b", "c", "d"], "count", target=2.0, tone="good")
    assert svg.count("<polyline") == 1 and svg.count("<circle") == 2  # lone first point + the latest
    assert "stroke-dasharray" in svg and "b: —" in svg
    assert "qp-nospark" in q.sparkline_svg([None, 1.0], ["a", "b"], "count")


def test_rhythm_notes_say_when_the_retreat_was_last_held():
    from dyad_lib.partnership.rhythm import meeting_rhythm

    m = pd.DataFrame({"date": pd.to_datetime(["2025-01-10", "2026-01-17", "2026-07-07"]),
                      "cadence": ["annual", "annual", "weekly"], "held": [True, True, True],
                      "duration_minutes": [300.0, 300.0, 15.0]})
    period = parse_period("2026Q3", 1)
    notes = q.rhythm_notes(meeting_rhythm(m, period), m, period)
    assert notes == ["Monthly review: no monthly meetings are logged at all.",
                     "Quarterly strategy session: no quarterly meetings are logged at all.",
                     "Annual retreat: not due within a single quarter; the last one was held on January 17, 2026."]


def test_anonymity_lines_name_the_fold():
    rows = []
    for rater, n in (("self", 1), ("partner", 1), ("peer", 3), ("staff", 4), ("patient", 2)):
        rows += [{"subject": "administrator", "competency": "listening", "rater_group": rater, "rating": 4,
                  "collected_date": pd.Timestamp("2026-05-15")}] * n
    s = feedback_summary(pd.DataFrame(rows), "administrator", "2026-09-30")
    lines = q.anonymity_lines(s)
    assert lines == ["Patient ratings folded into 'others': fewer than 3 (listening); even combined they are "
                     "fewer than 3, so they are not shown and not counted in any mean (2 ratings withheld each)."]
    table = q.feedback_table(s)
    assert "Patients (n)" not in table.columns and "Peers (n)" in table.columns


def test_answers_side_by_side_are_escaped(tiny):
    latest = pd.DataFrame([{"question": "biggest_challenge", "question_text": "What is hard?",
                            "physician_answer": "<script>alert(1)</script> & more",
                            "physician_date": pd.Timestamp("2026-09-24"),
                            "administrator_answer": None, "administrator_date": None}])
    page = q.answers_html(latest, tiny)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "Dentist (Dr. Lee)" in page and "Office manager (Sam Park)" in page and "not answered yet" in page
    assert page.index("Dentist (Dr. Lee)") < page.index("Office manager (Sam Park)")


# --- the notebook end to end ------------------------------------------------------------------------

DEMO = ("harbor-dental", "maple-family-medicine")
PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def demo_batch(tmp_path_factory):
    from dyad_lib.pipeline.batch import Job, run_batch
    from dyad_lib.data.paths import data_dir

    data = data_dir()
    if not all((data / p / "practice.yaml").is_file() for p in DEMO):
        pytest.skip("the demo data is not in data/ (run `dyad demo --data-only`)")
    root = tmp_path_factory.mktemp("qp-reports")
    cache = tmp_path_factory.mktemp("qp-cache")
    result = run_batch([Job("quarterly_partnership", p, PERIOD) for p in DEMO], data_dir=data, reports_dir=root,
                       cache_dir=cache, workers=2)
    assert result.ok, [(r.job, r.error) for r in result.results]
    pages = {r.practice_id: (root / r.html).read_text(encoding="utf-8") for r in result.results}
    return pages, root, data, cache


def _text(page: str) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


PLANTED_GAPS = {"harbor-dental": ("Clear communication", "Constructive feedback"),
                "maple-family-medicine": ("Autonomy with accountability", "Support for administrative effectiveness")}
LONG_CONFLICT = {"harbor-dental": ("Choice of new implant system and its supplier", 168),
                 "maple-family-medicine": ("Physician productivity compensation formula", 175)}


@pytest.mark.slow
@pytest.mark.parametrize("pid", DEMO)
def test_planted_stories_are_visible(demo_batch, pid):
    pages, *_ = demo_batch
    text = _text(pages[pid])
    start = text.index("Seen differently (ratings 2 or more points apart)")
    seen_differently = text[start:text.index("Proposed focus for the next quarter", start)]
    for area in PLANTED_GAPS[pid]:
        assert area in seen_differently, area
        chart_label = f"{area} — seen differently"  # the label on the assessment chart (JSON may escape the dash)
        assert chart_label in pages[pid] or chart_label.replace("—", "\\u2014") in pages[pid], area
    topic, days = LONG_CONFLICT[pid]
    assert f"Longest in the log {days} days “{topic}”" in text and "with a mediator" in text


@pytest.mark.slow
@pytest.mark.parametrize("pid", DEMO)
def test_scorecard_numbers_equal_compute_metrics(demo_batch, pid):
    from dyad_lib import fmt
    from dyad_lib.data.snapshot import load_snapshot

    pages, root, data, cache = demo_batch
    practice = load_snapshot(pid, data, cache)
    period = q.quarter_period(practice, PERIOD)
    found = re.findall(r'<tr data-metric="([a-z0-9_]+)" data-period="([^"]+)"><td>.*?<td class="num qp-value"([^>]*)>',
                       pages[pid])
    rows = {mid: attrs for mid, _, attrs in found}
    shown = {mid: p for mid, p, _ in found}
    # retention's targets and bands are for a year: its row is the twelve months ending with the quarter
    assert shown.pop("patient_retention") == "T12 to 2026-09"
    assert set(shown.values()) == {period.label}
    assert {"net_production", "collections", "collection_ratio", "overhead_ratio", "case_acceptance_value",
            "patient_retention", "chair_utilization", "pre_appointment_rate", "patient_nps", "team_satisfaction",
            "burnout_rate", "staff_enps", "dyad_alignment", "meeting_adherence_weekly", "action_items_overdue",
            "conflicts_open"} <= set(rows)
    assert any(k.startswith("quality_") for k in rows)
    want = compute_metrics(practice, period, list(rows)) | compute_metrics(
        practice, period.view("t12"), ["patient_retention"])
    for mid, attrs in rows.items():
        v = want[mid].value
        got = re.search(r'data-value="([^"]+)"', attrs)
        if v is None:
            assert got is None, mid
        else:
            assert float(got.group(1)) == pytest.approx(v, rel=1e-12, abs=1e-12), mid
            cell = re.search(rf'data-metric="{mid}" data-period="[^"]+">.*?qp-value"[^>]*>(.*?)</td>', pages[pid]).group(1)
            assert html.unescape(re.sub(r"<[^>]+>", "", cell)) == fmt.number(v, want[mid].unit), mid


@pytest.mark.slow
@pytest.mark.parametrize("pid", DEMO)
def test_report_reads_for_both_partners(demo_batch, pid):
    pages, *_ = demo_batch
    page, text = pages[pid], _text(pages[pid])
    clinical, business = {"harbor-dental": ("Dentist (Dr. Ana Rivera)", "Office manager (Jordan Chen)"),
                          "maple-family-medicine": ("Physician (Dr. Samuel Okafor)",
                                                    "Practice administrator (Priya Natarajan)")}[pid]
    assert clinical in text and business in text
    for heading in ("The shared scorecard", "Goals: the year so far", "The partnership assessment", "360 feedback",
                    "Roles and decisions", "The rhythm of meetings", "The action plan", "Conflicts",
                    "The checkpoint agenda", "Data quality", "Glossary"):
        assert heading in text, heading
    assert "Patient ratings folded into 'others': fewer than 3" in text
    assert "What is working" in text and "What could be improved" in text
    answers = page[page.index('class="qp-legend"'):]
    assert answers.index(clinical) < answers.index(business)  # side by side: clinical lead | business lead
    table = answers[answers.index('class="dyad-table qp-answers-q"'):]
    assert table.index("qp-a qp-clinical") < table.index("qp-a qp-business")
    assert all(q in table[:table.index("</thead>")] for q in ("2025Q4", "2026Q1", "2026Q2", "2026Q3"))
    assert "#1f77b4" in page and "#7b4fa6" in page  # the partners' colours in the charts
    assert "clinical lead rates" not in text and "business lead rates" not in text  # the practice's own words
    if pid == "harbor-dental":
        assert "Great team &amp; friendly" not in page or "&lt;b&gt;" in page  # free text escaped if shown
        assert "FY2026" in text and "Projected year end" in text
    else:  # maple's fiscal year FY2027 started in July 2026; its partners agreed its goals in June 2026
        assert "FY2027" in text and "Projected year end" in text and "No goals set for FY2027" not in text


@pytest.mark.slow
def test_no_patient_identifier_and_offline(demo_batch):
    from pipeline_helpers import demo_patient_ids

    pages, root, data, _ = demo_batch
    ids = demo_patient_ids(data)
    assert len(ids) > 100
    for pid, page in pages.items():
        assert not (ids & set(re.findall(r"[A-Za-z0-9_-]+", page))), pid
        assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", page, re.I)
        assert str(data) not in page and str(root) not in page and "Traceback" not in page


@pytest.mark.slow
@pytest.mark.browser
def test_every_chart_draws_offline(demo_batch):
    from pipeline_helpers import chart_containers, chromium_or_skip, dump_dom

    chromium_or_skip()
    pages, root, *_ = demo_batch
    for html_path in sorted(root.glob("*/2026Q3/quarterly_partnership.html")):
        source = html_path.read_text()
        expected = set(re.findall(r'<div id="(dyad-chart-[0-9a-f]{16}(?:-\d+)?)"', source))
        # two assessment charts and two 360 charts, plus the goal chart (both demo years have goals)
        assert len(expected) == 5
        dom = dump_dom(html_path)
        drawn = chart_containers(dom)
        assert set(drawn) == expected
        for div, inner in drawn.items():
            assert re.search(r"<(svg|canvas)\b", inner), f"{html_path.parent.parent.name}: {div} did not draw"


@pytest.mark.slow
def test_practice_without_partnership_tables(tmp_path):
    """practice.yaml + financials + appointments only: the practice half of the scorecard, each missing
    instrument named in one line with its template, every other section one line."""
    from dyad_lib.pipeline.runner import run_report
    from goals_fixtures import write_practice

    data = write_practice(tmp_path / "data", practice_id="bare-dental")
    for name in ("expenses.csv", "capacity.csv", "treatment_plans.csv"):
        (data / "bare-dental" / name).unlink()
    # validated for real: a report reads only the validated snapshot
    res = run_report("quarterly_partnership", "bare-dental", "2025Q2", None, data, tmp_path / "reports",
                     tmp_path / "cache")
    assert res.status == "ok", res.error
    page = (tmp_path / "reports" / res.html).read_text(encoding="utf-8")
    text = _text(page)
    practice = load_practice("bare-dental", data)
    want = compute_metrics(practice, parse_period("2025Q2", 1), ["collections", "collection_ratio",
                                                                 "pre_appointment_rate"])
    for mid, v in want.items():
        assert f'data-metric="{mid}"' in page and f'data-value="{v.value!r}"' in page, mid
    assert 'data-metric="dyad_alignment"' not in page  # no partnership half without instruments
    for table in INSTRUMENT_TABLES:
        assert f"{table} —" in text, table
    assert text.count("dyad forms bare-dental") >= 3  # the lead-in and the two printable forms
    assert "No goals set for FY2025" in text
    for section in ("the partnership assessment", "360 feedback on each partner", "the decision grid",
                    "the meeting rhythm", "the action plan", "the conflict log"):
        assert f"Not shown: {section}" in text, section
    assert "Traceback" not in text
    assert not re.search(r"\b[PN]\d{3,4}\b", text)  # the fixture's patient ids


@pytest.mark.slow
def test_partners_words_choices_and_links_are_shown(demo_batch):
    pages, *_ = demo_batch
    text = _text(pages["harbor-dental"])
    # the notes beside the ratings, and each partner's own list compared with the other's
    def between(a: str, b: str) -> str:
        i = text.index(a)
        return text[i:text.index(b, i)]

    words = between("In the partners' own words", "The lists each partner made")
    assert "Constructive feedback seen differently 4 I try to raise issues as they come up. 2 Feedback comes in front " \
           "of the team, or weeks later." in words
    lists = between("The lists each partner made", "The two lists compared")
    assert "Professional development (2): “No time or budget set aside for the implant course.” on both lists: an early win" in lists
    assert "Clear communication (5): “I send the monthly numbers and a weekly summary.” not on the other's list" in lists
    # the chosen focus areas with their progress, then the proposal (the widest gap first)
    focus = between("Focus areas the partners chose", "Roles and decisions")
    assert "Constructive feedback — since Sep 25, 2025" in focus and "dentist 3 → 4, office manager 2 (same)" in focus
    assert focus.index("Proposed focus for the next quarter") < focus.index("Clear communication: the office manager rates it 5")
    assert "Chosen by the partners on Mar 26, 2026." in focus
    # decisions of the quarter and the supplies story linked to its number
    assert "Decided in 2026Q3" in text and "Choose the supplier at the October meeting" in text
    linked = between("The numbers the partners' actions, decisions and conflicts", "Follow-through")
    supplies = linked[linked.index("Overhead: clinical supplies"):]
    supplies = supplies[:supplies.index("Burnout rate")] if "Burnout rate" in supplies else supplies
    assert "in 2025Q4 → " in supplies and "in 2026Q3" in supplies and "worse" in supplies
    for item in ("Supply ordering: one owner, monthly budget", "Rising supply spend and who orders materials",
                 "Ask two other suppliers for quotes", "Supplier selection"):
        assert item in supplies, item
    # every rate names its period
    assert "action items due in 2026Q3" in text and "over the last 12 months (October 2025 – September 2026)" in text


def test_headline_counts_one_set_of_measures():
    card = pd.DataFrame({
        "has_target": [True, True, True, True, False],
        "value": [1.0, 2.0, 3.0, None, 5.0],
        "previous": [0.5, 2.5, None, 1.0, 4.0],
        "verdict": ["good", "concern", "watch", None, "good"],
        "trend": ["better", "worse", "better", "worse", "better"],
    })
    k = q.verdict_counts(card)
    # only the three lines with a target and a value count, in both splits
    assert k["with_target"] == 3
    assert (k["good"], k["watch"], k["concern"]) == (1, 1, 1)
    assert (k["better"], k["worse"], k["same"], k["no_previous"]) == (1, 1, 0, 1)
    assert k["good"] + k["watch"] + k["concern"] == k["better"] + k["worse"] + k["same"] + k["no_previous"] == 3
    card.attrs["previous_label"] = "2026Q2"
    line = q.headline_sentences(card, {}, None, None)[0]
    assert line.startswith("Of the 3 scorecard measures with a target, 1 is on track, 1 to watch and 1 needs attention")
    assert "1 moved the better way, 1 the worse way and 1 has no figure for it." in line


def test_measures_whose_table_is_not_delivered_are_named_once_not_dashed(tmp_path):
    from report_fixtures import write_minimal

    write_minimal(tmp_path, "fin-clinic", "Fin Clinic", kind="medical")  # financials and expenses only
    practice = load_practice("fin-clinic", tmp_path)
    ids = [i for half, _, i in q.scorecard_ids(practice) if half == "practice"]
    assert "collections" in ids and "overhead_ratio" in ids
    assert not {"case_acceptance_value", "no_show_rate", "patient_retention", "patient_nps"} & set(ids)
    left = dict(q.left_out(practice))
    assert left["Care-plan acceptance (value)"] == "treatment_plans" and left["No-show rate"] == "appointments"
    assert left["Patient NPS"] == "patient_survey"
    card = q.scorecard(practice, q.quarter_period(practice, "2025Q4"))
    page = str(q.scorecard_html(card, "practice", practice))
    assert "Not on the scorecard, because the practice does not deliver" in page
    assert "Care-plan acceptance (value) (treatment_plans)" in page and 'data-metric="no_show_rate"' not in page

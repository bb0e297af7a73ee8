"""Schedule, patient, treatment, quality and survey metrics on the dental fixture, by hand.

Fixture appointments (tests/metrics_fixtures.py), 2026Q2:
a07 04-02 p1 60' completed hygiene  booked=true  documented next day
a08 04-09 p4 60' completed exam     booked=false not documented
a09 04-30 p4     cancelled
a10 05-06 p3 60' completed hygiene  booked=false documented 3 days later
a11 05-13 p5 90' completed restor.  booked=true  documented same day
a12 05-20 p6     no_show
a13 06-08 p5 30' completed exam     booked blank documented same day
"""

from __future__ import annotations

import pytest

from dyad_lib.metrics.compute import compute_metrics
from dyad_lib.metrics.periods import parse_period
from metrics_fixtures import DENTAL_TABLES, dental, write_practice

Q1, Q2 = parse_period("2026Q1"), parse_period("2026Q2")


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return dental(tmp_path_factory.mktemp("sched"))


@pytest.fixture(scope="module")
def medical(tmp_path_factory):
    return write_practice(tmp_path_factory.mktemp("med"), DENTAL_TABLES, pid="test-medical", kind="medical")


def v(p, mid, period=Q2):
    return compute_metrics(p, period, [mid])[mid]


def test_visit_counts_and_rates(practice):
    assert v(practice, "visits_completed").value == 5  # a07 a08 a10 a11 a13
    assert v(practice, "no_show_rate").value == pytest.approx(1 / (5 + 1))  # a12
    assert v(practice, "cancellation_rate").value == pytest.approx(1 / (5 + 1 + 1))  # a09
    # 2026Q1: completed a01 a02 a05; no-shows a03 a06; cancelled a04
    assert v(practice, "no_show_rate", Q1).value == pytest.approx(2 / (3 + 2))
    assert v(practice, "cancellation_rate", Q1).value == pytest.approx(1 / (3 + 2 + 1))


def test_pre_appointment_rate_dental_counts_hygiene_medical_all(practice, medical):
    # dental Q2: completed hygiene a07 (true), a10 (false) -> 1/2
    assert v(practice, "pre_appointment_rate").value == pytest.approx(1 / 2)
    # dental Q1: completed hygiene a01 (true) -> 1/1
    assert v(practice, "pre_appointment_rate", Q1).value == 1.0
    # medical Q1: completed a01 true, a02 blank (not counted), a05 false -> 1/2
    assert v(medical, "pre_appointment_rate", Q1).value == pytest.approx(1 / 2)
    # medical Q2: a07 t, a08 f, a10 f, a11 t, a13 blank -> 2/4
    assert v(medical, "pre_appointment_rate").value == pytest.approx(2 / 4)
    # dental 2026-06: the one completed visit is an exam -> nothing to count
    m = v(practice, "pre_appointment_rate", parse_period("2026-06"))
    assert m.value is None and "hygiene" in m.reason


def test_documentation_timeliness(practice):
    # with a documented_date: a07 (+1 day, on time), a10 (+3, late), a11 (0), a13 (0) -> 3/4
    assert v(practice, "documentation_timeliness").value == pytest.approx(3 / 4)
    # 2026-01: a01 same day, a02 four days later -> 1/2
    assert v(practice, "documentation_timeliness", parse_period("2026-01")).value == pytest.approx(1 / 2)


def test_chair_utilization_and_production_per_hour(practice):
    # Q1 completed chair minutes 60 + 90 + 120 = 270; chair hours 100 + 80 + 120 = 300
    assert v(practice, "chair_utilization", Q1).value == pytest.approx(270 / (300 * 60))
    # Q1 net production (10000-200) + (12000-300) + (11000-100) = 32400 over 300 hours
    assert v(practice, "production_per_chair_hour", Q1).value == pytest.approx(32400 / 300)
    # Q2 lacks capacity for 2026-06
    m = v(practice, "chair_utilization")
    assert m.value is None and m.reason == "no capacity rows for 2026-06"


def test_no_appointments_in_the_period(practice):
    # 2026-03 has no appointment at all: counts are not computable, not 0
    m = v(practice, "visits_completed", parse_period("2026-03"))
    assert m.value is None and "no appointments dated in 2026-03" == m.reason
    m = v(practice, "no_show_rate", parse_period("2026-03"))
    assert m.value is None


def test_active_and_new_patients(practice):
    # active_patient_months = 3. Completed visits: p1 01,04; p2 01; p3 02,05; p4 04; p5 05,06
    # active at 2026-06 (window 04..06): p1 p4 p3 p5 = 4
    assert v(practice, "active_patients").value == 4
    # active at 2026-03 (window 01..03): p1 p2 p3 = 3
    assert v(practice, "active_patients", parse_period("2026-03")).value == 3
    # first completed visits: p1 01, p2 01, p3 02, p4 04, p5 05 -> Q2 new = p4, p5 (p1 came back: not new)
    assert v(practice, "new_patients").value == 2
    assert v(practice, "new_patients", parse_period("2026-04")).value == 1  # p4
    assert v(practice, "new_patients", parse_period("2026-06")).value == 0  # p5 was first seen in May


def test_patients_first_seen_in_the_first_months_are_not_counted_as_new(practice):
    # the data start in 2026-01: a period starting before 2026-04 (= 01 + 3 months) is not computable
    for text in ("2026Q1", "2026-01", "2026-03"):
        for mid in ("new_patients", "patient_retention"):
            m = v(practice, mid, parse_period(text))
            assert m.value is None and "needs 3 months of appointment history" in m.reason
            assert "2026-04" in m.reason  # the first computable month
    m = v(practice, "active_patients", parse_period("2026-02"))
    assert m.value is None and "history" in m.reason


def test_patient_retention(practice):
    # Q2: active before (2026-01..03): p1 p2 p3; seen in the window ending 2026-06 (04..06): p1 p3 -> 2/3
    assert v(practice, "patient_retention").value == pytest.approx(2 / 3)
    # 2026-04: base 01..03 = p1 p2 p3; window 02..04: p3 (02), p1 (04) -> 2/3
    assert v(practice, "patient_retention", parse_period("2026-04")).value == pytest.approx(2 / 3)
    # 2026-06: base 03..05 = p1 p4 p3 p5; window 04..06 = all four -> 1
    assert v(practice, "patient_retention", parse_period("2026-06")).value == 1.0


def test_case_acceptance(practice):
    # Q2 plans: t3 3000/1500, t4 500/0, t5 400/400
    assert v(practice, "case_acceptance_count").value == pytest.approx(2 / 3)
    assert v(practice, "case_acceptance_value").value == pytest.approx((1500 + 0 + 400) / (3000 + 500 + 400))
    assert v(practice, "unaccepted_treatment_value").value == (3000 - 1500) + (500 - 0) + (400 - 400)
    assert v(practice, "treatment_presented_value").value == 3900
    # Q1: t1 2000/2000, t2 1000/0
    assert v(practice, "case_acceptance_count", Q1).value == pytest.approx(1 / 2)
    assert v(practice, "case_acceptance_value", Q1).value == pytest.approx(2000 / 3000)
    m = v(practice, "case_acceptance_value", parse_period("2026-06"))
    assert m.value is None and m.reason == "no treatment plans presented in 2026-06"


def test_quality_measures(practice):
    got = compute_metrics(practice, Q2)
    assert got["quality_perio_charting"].value == pytest.approx((8 + 9 + 0) / (10 + 10 + 0))
    assert got["quality_caries_risk"].value == pytest.approx(3 / 4)
    jun = v(practice, "quality_perio_charting", parse_period("2026-06"))
    assert jun.value is None and "denominator 0" in jun.reason
    unknown = v(practice, "quality_a1c_control")
    assert unknown.value is None and "a1c_control" in unknown.reason


def test_patient_nps(practice):
    # Q2 scores 10, 9, 7, 3, 10: promoters 3, detractors 1 -> (3 − 1) / 5 × 100
    assert v(practice, "patient_nps").value == pytest.approx(40.0)
    # 2026-05: 7, 3 -> (0 − 1) / 2 × 100
    assert v(practice, "patient_nps", parse_period("2026-05")).value == pytest.approx(-50.0)
    m = v(practice, "patient_nps", Q1)
    assert m.value is None and "no patient survey responses" in m.reason


def test_team_survey_overall_and_by_role(practice):
    # Q2, 7 responses: satisfaction 4 3 5 2 4 5 3; burnout 2 3 1 4 3 1 2; recommend 9 6 10 4 8 9 7
    assert v(practice, "team_satisfaction").value == pytest.approx((4 + 3 + 5 + 2 + 4 + 5 + 3) / 7)
    assert v(practice, "burnout_rate").value == pytest.approx(3 / 7)  # 3, 4, 3
    assert v(practice, "staff_enps").value == pytest.approx((3 - 2) / 7 * 100)  # 9 10 9 vs 6 4
    # staff: satisfaction 4 3 5 2, burnout 2 3 1 4
    assert v(practice, "team_satisfaction_staff").value == pytest.approx(14 / 4)
    assert v(practice, "burnout_rate_staff").value == pytest.approx(2 / 4)
    # 2 physician responses, 1 administrator: not shown on their own
    for mid in ("team_satisfaction_physician", "burnout_rate_administrator"):
        m = v(practice, mid)
        assert m.value is None and "anonymous" in m.reason


def test_team_survey_role_with_enough_responses(tmp_path):
    team = ("response_date,role,satisfaction,burnout,recommend_workplace\n"
            "2026-04-01,physician,5,1,10\n2026-04-02,physician,2,3,5\n2026-04-03,physician,2,5,0\n"
            "2026-05-01,administrator,4,1,9\n2026-05-02,administrator,4,2,9\n2026-06-03,administrator,1,3,2\n")
    p = dental(tmp_path, team_survey=team)
    assert v(p, "team_satisfaction_physician").value == pytest.approx((5 + 2 + 2) / 3)
    assert v(p, "burnout_rate_physician").value == pytest.approx(2 / 3)  # 3 and 5
    assert v(p, "team_satisfaction_administrator").value == pytest.approx((4 + 4 + 1) / 3)
    assert v(p, "burnout_rate_administrator").value == pytest.approx(1 / 3)  # 3
    # recommend 10 5 0 9 9 2: promoters 3, detractors 3 -> 0
    assert v(p, "staff_enps").value == pytest.approx((3 - 3) / 6 * 100)
    assert v(p, "team_satisfaction").value == pytest.approx((5 + 2 + 2 + 4 + 4 + 1) / 6)
    assert v(p, "burnout_rate").value == pytest.approx(3 / 6)
    assert v(p, "team_satisfaction_staff").value is None


def test_a_small_role_cannot_be_worked_out_by_subtraction(tmp_path):
    # Q2: 3 physicians, 1 administrator, 4 staff. The administrator alone is hidden (1 < 3); if the
    # physicians (3) and staff (4) were shown with the overall (8), the administrator's answer would
    # be 8 × overall − 3 × physician − 4 × staff. So the smallest shown role (physicians, 3) is hidden
    # too: the hidden roles then hold 1 + 3 = 4 >= 3 answers from two roles.
    team = ("response_date,role,satisfaction,burnout,recommend_workplace\n"
            "2026-04-01,physician,5,1,10\n2026-04-02,physician,2,3,5\n2026-04-03,physician,2,5,0\n"
            "2026-05-01,administrator,1,5,0\n"
            "2026-05-02,staff,4,1,9\n2026-05-03,staff,4,2,9\n2026-06-03,staff,3,3,8\n2026-06-04,staff,5,1,10\n")
    p = dental(tmp_path, team_survey=team)
    assert v(p, "team_satisfaction").value == pytest.approx((5 + 2 + 2 + 1 + 4 + 4 + 3 + 5) / 8)
    assert v(p, "team_satisfaction_staff").value == pytest.approx((4 + 4 + 3 + 5) / 4)
    assert v(p, "burnout_rate_staff").value == pytest.approx(1 / 4)  # only the 3
    adm = v(p, "team_satisfaction_administrator")
    assert adm.value is None and "anonymous" in adm.reason
    for mid in ("team_satisfaction_physician", "burnout_rate_physician"):
        m = v(p, mid)
        assert m.value is None and "worked out" in m.reason, mid


def test_every_id_present_and_absent_tables_say_so(tmp_path):
    p = write_practice(tmp_path, {"financials": DENTAL_TABLES["financials"]})
    got = compute_metrics(p, Q2)
    for mid in ("visits_completed", "active_patients", "case_acceptance_count", "patient_nps", "staff_enps",
                "chair_utilization", "overhead", "dyad_alignment", "meeting_adherence_weekly"):
        assert got[mid].value is None, mid
        assert got[mid].reason.startswith("no "), got[mid].reason
    assert got["gross_production"].value == 27000


def test_hygiene_share_and_production_per_hygiene_hour(practice, tmp_path):
    # without a providers table, hygiene = visits of type hygiene: Q2 completed a07 150 (60'), a10 150 (60');
    # all completed Q2 production: 150 + 200 + 150 + 1100 + 100 = 1700
    assert v(practice, "hygiene_production_share").value == pytest.approx(300 / 1700)
    assert v(practice, "production_per_hygiene_hour").value == pytest.approx(300 / 2)
    # with providers, hygiene = the hygienists' visits (d1 a hygienist): the same visits in Q2; Q1 adds
    # nothing new (d1's a01 is hygiene too) — now make d2 a hygienist as well: everything is hygiene
    named = write_practice(tmp_path, {**DENTAL_TABLES, "providers": "provider_id,name,role\nd1,H,hygienist\n"
                                                                    "d2,D,dentist\n"})
    assert v(named, "hygiene_production_share").value == pytest.approx(300 / 1700)
    both = write_practice(tmp_path / "b", {**DENTAL_TABLES, "providers": "provider_id,name,role\nd1,H,hygienist\n"
                                                                         "d2,D,hygienist\n"})
    assert v(both, "hygiene_production_share").value == 1.0
    assert v(both, "production_per_hygiene_hour").value == pytest.approx(1700 / ((60 + 60 + 60 + 90 + 30) / 60))
    none = write_practice(tmp_path / "c", {**DENTAL_TABLES, "providers": "provider_id,name,role\nd1,H,dentist\n"
                                                                         "d2,D,dentist\n"})
    m = v(none, "production_per_hygiene_hour")
    assert m.value is None and "no completed hygiene visits" in m.reason

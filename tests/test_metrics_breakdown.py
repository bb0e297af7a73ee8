"""Per-provider, per-visit-type and per-category breakdowns on the dental fixture, by hand."""

from __future__ import annotations

import math

import pytest

from dyad_lib.metrics.breakdown import breakdown
from dyad_lib.metrics.periods import parse_period
from metrics_fixtures import DENTAL_TABLES, dental, write_practice

Q2 = parse_period("2026Q2")


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return dental(tmp_path_factory.mktemp("bd"))


def nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def test_by_provider_from_appointments(practice):
    t = breakdown(practice, Q2, "provider").set_index("provider_id")
    assert list(t.index) == ["d1", "d2", "d3"]
    # d1: a07 (150) and a10 (150) completed, a12 no-show
    assert t.loc["d1", "visits_completed"] == 2 and t.loc["d1", "no_shows"] == 1
    assert t.loc["d1", "no_show_rate"] == pytest.approx(1 / 3)
    assert t.loc["d1", "production"] == 150 + 150
    # d2: a08 (200), a11 (1100), a13 (100) completed, a09 cancelled
    assert t.loc["d2", "visits_completed"] == 3 and t.loc["d2", "no_show_rate"] == 0
    assert t.loc["d2", "production"] == 200 + 1100 + 100
    assert t.loc["d2", "production_source"] == "appointments"
    # plans: d2 t3 3000/1500, t4 500/0; d1 t5 400/400
    assert t.loc["d2", "case_acceptance_count"] == pytest.approx(1 / 2)
    assert t.loc["d2", "case_acceptance_value"] == pytest.approx(1500 / 3500)
    assert t.loc["d1", "case_acceptance_value"] == 1.0


def test_provider_with_no_visits_is_missing_not_zero(practice):
    t = breakdown(practice, Q2, "provider").set_index("provider_id")
    # d3 only has a cancelled appointment in January
    for col in ("visits_completed", "no_shows", "no_show_rate", "production", "case_acceptance_count"):
        assert nan(t.loc["d3", col]), col
    assert t.loc["d3", "note"] == "no appointments in 2026Q2"
    jan = breakdown(practice, parse_period("2026-01"), "provider").set_index("provider_id")
    assert jan.loc["d3", "visits_completed"] == 0  # it had an appointment: a real zero
    assert jan.loc["d3", "no_show_rate"] is None or nan(jan.loc["d3", "no_show_rate"])  # 0 / 0


def test_by_provider_from_per_provider_financials(tmp_path):
    fin = ("month,provider_id,gross_production,adjustments,collections\n"
           "2026-04,d1,1000,100,900\n2026-04,d2,3000,0,3000\n2026-05,d1,500,0,500\n2026-05,d2,200,20,180\n")
    p = write_practice(tmp_path, {"financials": fin})
    t = breakdown(p, parse_period("2026-04"), "provider").set_index("provider_id")
    assert t.loc["d1", "production"] == 1000 - 100 and t.loc["d2", "production"] == 3000
    assert t.loc["d1", "production_source"].startswith("financials")
    t = breakdown(p, parse_period("2026Q2"), "provider").set_index("provider_id")
    assert t.loc["d2", "production"] == 3000 + 200 - 20


def test_by_visit_type(practice):
    t = breakdown(practice, Q2, "visit_type").set_index("visit_type")
    # completed: hygiene a07 60' a10 60'; exam a08 60' a13 30'; restorative a11 90' -> 300 minutes
    assert t.loc["hygiene", "visits_completed"] == 2 and t.loc["exam", "visits_completed"] == 2
    assert t.loc["hygiene", "no_show_rate"] == pytest.approx(1 / 3)  # a12
    assert t.loc["restorative", "production"] == 1100
    assert t.loc["hygiene", "chair_minutes_share"] == pytest.approx(120 / 300)
    assert t.loc["exam", "chair_minutes_share"] == pytest.approx(90 / 300)
    assert nan(t.loc["procedure", "visits_completed"]) and "no appointments" in t.loc["procedure", "note"]


def test_by_category(practice):
    t = breakdown(practice, Q2, "category").set_index("category")
    assert t.loc["staff_wages", "amount"] == 3 * 2000
    assert t.loc["staff_wages", "share_of_collections"] == pytest.approx(6000 / 26300)
    assert (t.loc["staff_wages", "band_low"], t.loc["staff_wages", "band_high"]) == (0.20, 0.25)
    assert t.loc["staff_wages", "position"] == "within"
    assert t.loc["lab", "position"] == "below"  # 1500 / 26300 = 5.7% < 7%
    assert bool(t.loc["owner_compensation", "overhead"]) is False
    assert t.loc["owner_compensation", "share_of_collections"] == pytest.approx(9000 / 26300)
    assert nan(t.loc["marketing", "band_low"])


def test_bad_by(practice):
    with pytest.raises(ValueError, match="provider, visit_type, category"):
        breakdown(practice, Q2, "month")


def test_by_provider_names_roles_and_production_per_hour(practice, tmp_path):
    t = breakdown(practice, Q2, "provider").set_index("provider_id")
    assert t.loc["d1", "name"] == "d1" and nan(t.loc["d1", "role"])  # no providers table: the id
    # d1: 300 over 2 hours in the chair (a07 60', a10 60'); d2: 1400 over 3 hours (60' + 90' + 30')
    assert t.loc["d1", "production_per_hour"] == pytest.approx(150.0)
    assert t.loc["d2", "production_per_hour"] == pytest.approx(1400 / 3)
    named = write_practice(tmp_path, {**DENTAL_TABLES, "providers": "provider_id,name,role\n"
                                                                    "d1,Sofia Grant RDH,hygienist\n"
                                                                    "d2,Dr. Ana Rivera,dentist\n"})
    b = breakdown(named, Q2, "provider")
    # dentists first, then hygienists; d3 is not in the providers table: its id stands in
    assert b["provider_id"].tolist() == ["d2", "d3", "d1"]
    assert b["name"].tolist() == ["Dr. Ana Rivera", "d3", "Sofia Grant RDH"]
    assert b["role"].tolist()[0] == "dentist" and nan(b["role"].tolist()[1]) and b["role"].tolist()[2] == "hygienist"


def test_a_breakdown_is_computed_once_and_each_caller_gets_its_own_copy(practice, monkeypatch):
    import pandas as pd

    from dyad_lib.metrics import breakdown as bd

    direct = {"provider": bd.by_provider(practice, Q2), "visit_type": bd.by_visit_type(practice, Q2),
              "category": bd.by_category(practice, Q2)}
    from dyad_lib.metrics.memo import PracticeMemo

    monkeypatch.setattr(bd, "_MEMO", PracticeMemo())
    calls = []
    real = bd.by_provider
    monkeypatch.setattr(bd, "by_provider", lambda p, per: calls.append(per) or real(p, per))
    first = breakdown(practice, Q2, "provider")
    first["production"] = -1.0  # a caller changing its copy changes nothing for the next one
    for by, want in direct.items():
        pd.testing.assert_frame_equal(breakdown(practice, Q2, by), want)
    assert calls == [Q2]
    breakdown(practice, parse_period("2026Q1"), "provider")  # another period: computed
    assert calls == [Q2, parse_period("2026Q1")]


def test_a_replaced_table_is_read_again(tmp_path):
    import pandas as pd

    from dyad_lib.metrics.breakdown import by_provider

    p = dental(tmp_path)
    before = breakdown(p, Q2, "provider")
    a = p.tables["appointments"]
    p.tables["appointments"] = a[a["provider_id"] != before["provider_id"].iloc[0]].copy()
    after = breakdown(p, Q2, "provider")
    assert not after.equals(before)
    pd.testing.assert_frame_equal(after, by_provider(p, Q2))

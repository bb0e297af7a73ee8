"""The metric registry: every public metric id, labels per kind, bands, glossary."""

from __future__ import annotations


import pytest

from dyad_lib.metrics import registry
from dyad_lib.data.contract import MEETING_CADENCES, OVERHEAD_CATEGORIES, TEAM_ROLES
from dyad_lib.metrics.registry import PARTNERSHIP_IDS, REGISTRY, UNITS, get, glossary, ids_for, label

#: The public metric ids, written out (the contract `dyad metrics --json` keys its output by).
CONTRACT_IDS = [
    "gross_production", "adjustments_rate", "net_production", "collections", "collection_ratio", "overhead",
    "overhead_ratio", *(f"overhead_ratio_{c}" for c in OVERHEAD_CATEGORIES), "operating_margin", "ar_days",
    "ar_over_90_share", "visits_completed", "chair_utilization", "production_per_chair_hour", "no_show_rate",
    "cancellation_rate", "pre_appointment_rate", "documentation_timeliness", "hygiene_production_share",
    "production_per_hygiene_hour", "active_patients", "new_patients",
    "patient_retention", "case_acceptance_count", "case_acceptance_value", "unaccepted_treatment_value",
    "patient_nps", "staff_enps", "team_satisfaction", *(f"team_satisfaction_{r}" for r in TEAM_ROLES),
    "burnout_rate", *(f"burnout_rate_{r}" for r in TEAM_ROLES), "dyad_alignment", "dyad_health",
    *(f"meeting_adherence_{c}" for c in MEETING_CADENCES), "action_items_done_on_time", "action_items_overdue",
    "conflicts_open", "conflict_days_to_resolve",
]
#: The medical practice's own measures (issue 15): medical only.
MEDICAL_IDS = ["charge_lag_days", "denial_rate", "collections_per_visit", "patient_collections_share",
               "late_cancellation_rate", "visits_per_physician_day", "new_patient_share"]


def test_every_contract_id_is_registered():
    missing = [i for i in CONTRACT_IDS if i not in REGISTRY]
    assert missing == []
    # beyond the contract only two supporting figures
    assert set(REGISTRY) - set(CONTRACT_IDS) == {"ar_balance", "treatment_presented_value", *MEDICAL_IDS}


def test_the_medical_measures_apply_to_medical_practices_only_and_carry_no_dental_band():
    for mid in MEDICAL_IDS:
        d = REGISTRY[mid]
        assert d.applies_to == "medical" and mid not in ids_for("dental", d.tables), mid
        assert all(b.applies_to == "medical" for b in d.bands), mid


def test_definitions_are_complete():
    for mid, d in REGISTRY.items():
        assert d.unit in UNITS and d.better in ("up", "down"), mid
        assert d.label_dental and d.label_medical and d.formula and d.date_basis and d.tables, mid
        for b in d.bands:
            assert b.kind in ("benchmark", "target") and b.source, mid
            assert b.low is not None or b.high is not None, mid
            assert b.low is None or b.high is None or b.low <= b.high, mid


def test_labels_follow_the_practice_vocabulary():
    assert label("gross_production", "dental") == "Gross production"
    assert label("gross_production", "medical") == "Gross charges"
    assert label("chair_utilization", "dental") == "Chair utilization"
    assert label("chair_utilization", "medical") == "Exam-room utilization"
    assert "dentist" in label("team_satisfaction_physician", "dental")
    assert "physician" in label("team_satisfaction_physician", "medical")
    assert "office manager" in label("burnout_rate_administrator", "dental")
    assert "administrator" in label("burnout_rate_administrator", "medical")
    assert "office manager" in label("dyad_alignment", "dental")


def test_bands_from_metrics_md():
    from dyad_lib.metrics.registry import published

    def ref(mid, kind):
        bs = published(get(mid), kind)
        return next((b for b in bs if b.tier == "top"), bs[0] if bs else None)

    assert (ref("collection_ratio", "dental").low, ref("collection_ratio", "dental").high) == (0.97, 0.99)
    assert (ref("collection_ratio", "medical").low, ref("collection_ratio", "medical").high) == (0.95, None)
    assert ref("chair_utilization", "dental").kind == "target"  # not a benchmark
    assert ref("overhead_ratio_staff_wages", "dental").low == 0.20
    assert ref("overhead_ratio_lab", "dental").high == 0.10
    # dental consultants' category bands (Burkhart; McKenzie) are not applied to medical practices
    assert ref("overhead_ratio_lab", "medical") is None
    assert get("overhead_ratio_marketing").bands == ()
    # MGMA's median is a medical figure; a dental practice is measured against a dental source
    assert ref("no_show_rate", "medical").source_text == "MGMA (2023)" and ref("no_show_rate", "medical").tier == "typical"
    assert ref("no_show_rate", "dental").source == "Drevenstedt & Reznik"
    assert ref("ar_over_90_share", "medical").high == 0.25
    assert ref("ar_days", "dental") is None and ref("ar_days", "medical").low == 30
    assert ref("new_patients", "dental").per == "provider_month"
    assert ref("new_patients", "medical") is None  # the benchmark is dental
    # retention: one basis (a year), dental sources only
    assert get("patient_retention").basis == "twelve_months"
    assert {b.per for b in get("patient_retention").bands} == {"year"}
    assert ref("patient_retention", "medical") is None
    # case acceptance by value: the average and the top decile, both published
    assert [(b.tier, b.low) for b in published(get("case_acceptance_value"), "dental")] == [("typical", 0.45),
                                                                                            ("top", 0.75)]
    # the pre-appointment band is what practices measure: typical, never a target
    assert [b.tier for b in published(get("pre_appointment_rate"), "dental")] == ["typical"]


def test_every_band_names_its_kind_of_practice_tier_and_basis():
    from dyad_lib.metrics.registry import BAND_PER, KINDS, TIERS, band_fits

    for mid, d in REGISTRY.items():
        for b in d.bands:
            assert b.applies_to in KINDS, (mid, b)  # never "both": a source measured one kind of practice
            assert b.tier in TIERS and b.per in BAND_PER, (mid, b)
            assert band_fits(b, d.basis), (mid, b)


def test_a_band_on_the_wrong_basis_or_without_its_kind_is_refused():
    from dyad_lib.metrics.registry import RegistryError, _def

    base = {"id": "x", "section": "s", "label": "X", "formula": "f", "unit": "count", "better": "up",
            "date_basis": "d", "tables": ["appointments"]}
    with pytest.raises(RegistryError, match="does not fit"):  # a count is a sum: it needs a band per month
        _def({**base, "bands": [{"low": 20, "kind": "benchmark", "tier": "top", "applies_to": "dental", "source": "s"}]})
    with pytest.raises(RegistryError, match="applies_to"):
        _def({**base, "bands": [{"low": 20, "kind": "benchmark", "tier": "top", "applies_to": "both",
                                 "per": "month", "source": "s"}]})
    with pytest.raises(RegistryError, match="tier"):
        _def({**base, "bands": [{"low": 20, "kind": "benchmark", "tier": "well-run", "applies_to": "dental",
                                 "per": "month", "source": "s"}]})
    with pytest.raises(RegistryError, match="does not fit"):  # a rate never takes a band per month
        _def({**base, "unit": "ratio", "bands": [{"low": 0.2, "kind": "benchmark", "tier": "top",
                                                  "applies_to": "dental", "per": "month", "source": "s"}]})


def test_quality_ids_are_made_on_demand():
    d = get("quality_a1c_control", {"a1c_control": "HbA1c control"})
    assert d.unit == "ratio" and d.better == "up" and d.tables == ("quality_measures",)
    assert d.label("medical") == "Quality: HbA1c control"
    assert get("quality_perio_charting").label() == "Quality: perio charting"
    with pytest.raises(KeyError):
        get("no_such_metric")
    with pytest.raises(KeyError):
        get("quality_")


def test_ids_for_tables():
    fin_only = ids_for("dental", ["financials"])
    assert "gross_production" in fin_only and "ar_days" in fin_only
    assert "overhead" not in fin_only and "visits_completed" not in fin_only
    both = ids_for("medical", ["financials", "expenses", "quality_measures"], ["a1c"])
    assert "overhead_ratio_lab" in both and "quality_a1c" in both
    assert ids_for("dental", ["financials"], ["a1c"]) == fin_only  # no quality table, no quality ids


def test_partnership_ids():
    assert set(PARTNERSHIP_IDS) == {"dyad_alignment", "dyad_health", "action_items_done_on_time",
                                    "action_items_overdue", "conflicts_open", "conflict_days_to_resolve",
                                    *(f"meeting_adherence_{c}" for c in MEETING_CADENCES)}


def test_glossary():
    g = glossary(["collection_ratio", "chair_utilization", "overhead_ratio_lab", "quality_a1c"], "medical",
                 {"a1c": "HbA1c control"})
    assert list(g.columns) == ["id", "label", "formula", "unit", "better", "date_basis", "benchmark", "source"]
    row = g.set_index("id").loc["collection_ratio"]
    assert row["label"] == "Net collection rate"
    assert row["benchmark"] == "≥ 95.0% (top performers: well-run practice)"
    assert row["source"] == "Physicians Practice (2016)"
    assert g.set_index("id").loc["chair_utilization", "benchmark"].endswith("(target: commonly targeted range)")
    assert g.set_index("id").loc["quality_a1c", "label"] == "Quality: HbA1c control"
    assert g.set_index("id").loc["overhead_ratio_lab", "better"] == "lower"


def test_registry_file_is_packaged():
    assert registry.REGISTRY_FILE.name == "registry.yaml" and registry.REGISTRY_FILE.is_file()


def test_the_contract_knows_every_registry_id():
    """metric_id columns are checked against the ids the contract reads from registry.yaml: the same
    set as the registry's own (templates expanded the same way), and quality ids need a measure."""
    from dyad_lib.data.contract import known_metric_id, metric_ids

    assert set(metric_ids()) == set(registry.REGISTRY)
    assert known_metric_id("overhead_ratio_clinical_supplies") and known_metric_id("meeting_adherence_weekly")
    assert not known_metric_id("supplies_overhead")
    assert known_metric_id("quality_perio_charting", ["perio_charting"])
    assert not known_metric_id("quality_perio_charting", ["a1c_control"])

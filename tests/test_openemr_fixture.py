"""The OpenEMR fixture generator: deterministic, OpenEMR's own names, and every trap present."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dyad_lib.demo import openemr_schema as schema
from dyad_lib.demo.openemr_fixture import FixtureSpec, generate
from dyad_lib.importers.openemr_rules import parse_spec

SPEC = FixtureSpec(start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31), physicians=2, nurse_practitioners=1, seed=9)


@pytest.fixture(scope="module")
def tables():
    return generate(SPEC)


def test_same_spec_same_database(tables):
    again = generate(SPEC)
    assert tables.keys() == again.keys()
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], again[name])


def test_every_column_is_an_openemr_column(tables):
    for name, df in tables.items():
        assert set(df.columns) <= set(schema.metadata.tables[name].c.keys()), name
        schema.rows_for(schema.metadata.tables[name], df.head(3))


def test_the_traps_are_there(tables):
    b, a, c, e = (tables[t] for t in ("billing", "ar_activity", "claims", "openemr_postcalendar_events"))
    assert (b.loc[b["activity"] == 0, "fee"] > 0).any()                      # deleted lines keep their fee
    assert b.loc[b["code_type"] == "ICD10", "fee"].isna().all()
    assert (b.loc[b["code_type"] == "COPAY", "fee"] < 0).all() and (b["code_type"] == "TAX").any()
    assert (b.loc[b["units"] > 1, "code_type"] == "CPT4").any() and (b["provider_id"] == 0).any()
    enc = tables["form_encounter"].set_index("encounter")
    ins = a[a["payer_type"] > 0]
    served = pd.to_datetime(enc.loc[ins["encounter"], "date"]).dt.to_period("M").to_numpy()
    assert (pd.to_datetime(ins["post_time"]).dt.to_period("M").to_numpy() > served).any()  # paid months later
    both = set(ins["encounter"]) & set(a.loc[a["payer_type"] == 0, "encounter"])
    assert both                                                             # insurance and patient on one visit
    assert a["deleted"].notna().any() and a["post_date"].notna().any() and (a["adj_amount"] < 0).any()
    assert (a["pay_amount"] < 0).any() and not set(a["encounter"]) <= set(enc.index)
    assert (c["status"] == 7).any()
    patient = e["pc_pid"].fillna("").str.strip().isin(["", "0"])
    assert patient.any() and (~patient).any()                               # events without a patient
    assert (e["pc_apptstatus"] == "%").any() and (e["pc_apptstatus"] == "KIOSK").any()
    office = e[(e["pc_catid"] == 2) & (e["pc_recurrtype"] > 0)]
    assert len(office) and all(parse_spec(s).get("exdate") for s in office["pc_recurrspec"])
    assert (e["pc_recurrtype"] == 3).any() and ((e["pc_recurrtype"] == 1) & ~patient).any()
    users = tables["users"]
    assert set(users["authorized"]) == {0, 1} and (users["active"] == 0).any()

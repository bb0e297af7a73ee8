"""The Open Dental fixture generator: deterministic, Open Dental's own names, and every trap present."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dyad_lib.demo import opendental_schema as schema
from dyad_lib.demo.opendental_fixture import FixtureSpec, generate

SPEC = FixtureSpec(start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31), dentists=2, hygienists=2, seed=9)


@pytest.fixture(scope="module")
def tables():
    return generate(SPEC)


def test_same_spec_same_database(tables):
    again = generate(SPEC)
    assert tables.keys() == again.keys()
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], again[name])


def test_every_column_is_an_open_dental_column(tables):
    for name, df in tables.items():
        assert set(df.columns) <= set(schema.metadata.tables[name].c.keys()), name
        schema.rows_for(schema.metadata.tables[name], df.head(3))  # converts without error


def test_the_traps_are_there(tables):
    pl, cp, ps, ap = (tables[t] for t in ("procedurelog", "claimproc", "paysplit", "appointment"))
    assert set(pl["ProcStatus"]) == {1, 2, 3, 4, 5, 6, 7, 8}
    assert (pl.loc[pl["ProcStatus"] == 6, "ProcFee"] > 0).any()  # deleted, fee kept
    assert (pl["UnitQty"] > 1).any() and (pl["BaseUnits"] > 0).any()
    assert set(cp["Status"]) >= {0, 1, 4, 6, 7}
    assert (cp.loc[cp["Status"] == 4, "WriteOff"] < 0).all()
    received = cp[cp["Status"] == 1]
    assert (received["DateCP"].dt.to_period("M") != received["ProcDate"].dt.to_period("M")).any()
    assert ((received["ClaimPaymentNum"] == 0)).any()  # a payment never attached to a check
    assert (ps["UnearnedType"] != 0).any() and (ps["IsDiscount"] == 1).any() and (ps["SplitAmt"] < 0).any()
    assert ((ps["ProvNum"] == 0) & (ps["UnearnedType"] == 0)).any()  # unallocated income
    adj = tables["adjustment"]["AdjAmt"]
    assert (adj < 0).any() and (adj > 0).any()
    assert set(ap["AptStatus"]) >= {1, 2, 3, 5, 6, 7, 8}
    hyg_trap = ap[(ap["ProvHyg"] != 0) & (ap["IsHygiene"] == 0)]
    assert len(hyg_trap) and (ap["SecDateTEntry"] == schema.MIN_DATETIME).any()
    ops, so = tables["operatory"], tables["scheduleop"]
    hidden = set(ops.loc[ops["IsHidden"] == 1, "OperatoryNum"])
    assert so["OperatoryNum"].isin(hidden).any()
    sched = tables["schedule"]
    assert (~sched.loc[sched["SchedType"] == 1, "ScheduleNum"].isin(so["ScheduleNum"])).any()
    assert tables["provider"]["IsHidden"].sum() == 1
    tp, proctp = tables["treatplan"], tables["proctp"]
    assert set(tp["TPStatus"]) == {0, 1} and proctp["ProcNumOrig"].duplicated().any()
    assert len(tables["treatplanattach"])


def test_stored_aging_is_on_guarantors_only(tables):
    pt = tables["patient"]
    others = pt[pt["PatNum"] != pt["Guarantor"]]
    assert (others[["Bal_0_30", "Bal_31_60", "Bal_61_90", "BalOver90"]] == 0).all().all()
    g = pt[pt["PatNum"] == pt["Guarantor"]]
    assert g["Bal_0_30"].sum() > 0 and g["Bal_31_60"].sum() > 0  # three months: nothing is 90 days old yet

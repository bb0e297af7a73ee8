"""The Open Dental rules as pure functions, on cases small enough to check by eye."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dyad_lib.importers import opendental_rules as rules


def fit(rows):
    df = pd.DataFrame(rows, columns=["month", "provider_id", "gross", "adj", "coll"])
    out, moves = rules.fit_financials(df)
    return {(m, p): (g, a, c) for m, p, g, a, c in out.itertuples(index=False)}, moves


def test_fit_keeps_rows_that_meet_the_contract():
    got, moves = fit([("2024-01", "1", 1000, 100, 900), ("2024-01", "2", 500, 0, 400)])
    assert got == {("2024-01", "0"): (0, 0, 0), ("2024-01", "1"): (1000, 100, 900), ("2024-01", "2"): (500, 0, 400)}
    assert moves == []


def test_fit_moves_excess_writeoffs_to_the_most_room_and_keeps_totals():
    # provider 3 left: 300 of write-offs, no production; 1 has 900 of room, 2 has 100
    got, moves = fit([("2024-03", "1", 1000, 100, 0), ("2024-03", "2", 200, 100, 0), ("2024-03", "3", 0, 300, 50)])
    assert got[("2024-03", "3")] == (0, 0, 50) and got[("2024-03", "1")] == (1000, 400, 0)
    assert sum(v[1] for v in got.values()) == 500 and sum(v[0] for v in got.values()) == 1200
    assert moves[0]["what"] == "write-offs beyond production" and moves[0]["to"] == ["1"]


def test_fit_reclassifies_a_month_whose_adjustments_exceed_its_writeoffs():
    got, moves = fit([("2024-02", "1", 100, -30, 10)])  # late fees 30 more than write-offs
    assert got == {("2024-02", "0"): (30, 0, 0), ("2024-02", "1"): (100, 0, 10)}
    assert [m["what"] for m in moves] == ["adjustments beyond write-offs", "reclassified"]
    net = sum(g - a for g, a, _ in got.values())
    assert net == 130


def test_fit_takes_refunds_from_the_largest_collections():
    got, _ = fit([("2024-02", "1", 0, 0, -40), ("2024-02", "2", 10, 0, 100), ("2024-02", "0", 0, 0, 5)])
    assert got[("2024-02", "1")][2] == 0 and got[("2024-02", "2")][2] == 60 and got[("2024-02", "0")][2] == 5


def test_union_of_schedule_hours_counts_overlaps_once():
    df = pd.DataFrame({"op": [1, 1, 1, 2], "day": [1, 1, 1, 1], "start": [0, 3600, 7200, 0],
                       "stop": [3600 * 2, 3600 * 3, 3600 * 4, 1800]})
    got = rules._union_hours(df, ["op", "day"]).set_index("op")["hours"]
    assert got.to_dict() == {1: 4.0, 2: 0.5}


def test_ar_by_month_applies_credits_to_the_oldest_charges():
    # one family: 100 charged in January (over 90 days from the end of April on), 50 paid in March
    ledger = pd.DataFrame({"g": [1, 1], "mk": [202401, 202403], "mk90": [202404, 202406],
                           "charges": [10000, 0], "credits": [0, 5000]})
    ar = rules.ar_by_month(ledger, ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"])
    assert ar["ar"].tolist() == [10000, 10000, 5000, 5000, 5000]
    assert ar["ar90"].tolist() == [0, 0, 0, 5000, 5000]
    # a family in credit is not a receivable and does not offset another family
    ledger = pd.concat([ledger, pd.DataFrame({"g": [2], "mk": [202401], "mk90": [202404], "charges": [0],
                                              "credits": [7000]})])
    assert rules.ar_by_month(ledger, ["2024-01"])["ar"].tolist() == [10000]


def test_visit_type_priority():
    f = pd.DataFrame({"np": [0, 0, 1, 0, 0, 0], "proc": [1, 0, 1, 0, 0, 0], "rest": [1, 1, 0, 0, 0, 0],
                      "hyg": [1, 1, 0, 1, 0, 0], "exam": [1, 1, 1, 1, 1, 0], "n": [4, 3, 2, 2, 1, 0],
                      "IsNewPatient": [0, 0, 0, 0, 0, 0], "IsHygiene": [0, 0, 0, 0, 0, 1]})
    assert rules.visit_type(f).tolist() == ["procedure", "restorative", "new_patient", "hygiene", "exam", "hygiene"]


@pytest.mark.parametrize("apt_status, missed, cancelled, want", [
    (2, 0, 0, "completed"), (1, 0, 0, "scheduled"), (4, 0, 0, "scheduled"), (5, 0, 0, "no_show"),
    (5, 0, 1, "cancelled"), (5, 1, 1, "no_show"), (3, 0, 0, "cancelled"), (3, 1, 0, "no_show"),
    (6, 0, 0, None), (7, 0, 0, None), (8, 0, 0, None), (0, 0, 0, None)])
def test_appointment_status(apt_status, missed, cancelled, want):
    apt = pd.DataFrame({"AptStatus": [apt_status], "missed": [bool(missed)], "cancelled": [bool(cancelled)],
                        "day": [pd.Timestamp("2024-01-10")]})
    status, reason = rules.appointment_status(apt, pd.Timestamp("2024-01-31"))
    assert status.iloc[0] == want
    assert pd.isna(reason.iloc[0]) == (want is not None)


def test_future_visits_other_than_bookings_are_left_out():
    apt = pd.DataFrame({"AptStatus": [1, 2, 5], "missed": False, "cancelled": False,
                        "day": pd.to_datetime(["2024-03-01"] * 3)})
    status, reason = rules.appointment_status(apt, pd.Timestamp("2024-01-31"))
    assert status.tolist() == ["scheduled", None, None]
    assert reason.iloc[1].startswith("completed, broken or unscheduled appointments dated after")

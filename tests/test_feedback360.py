"""360 feedback: self against others with the anonymity rule, on hand-built ratings."""

from __future__ import annotations

import math

import pytest

from dyad_lib.partnership.feedback360 import blind_spots, feedback_summary, hidden_strengths

from partnership_fixtures import write_practice

HEADER = "collected_date,subject,rater_group,competency,rating\n"


def rows(date: str, subject: str, group: str, competency: str, *ratings: int) -> str:
    return "".join(f"{date},{subject},{group},{competency},{r}\n" for r in ratings)


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    text = HEADER + (
        # listening: peers 3 ratings (shown), staff 2 + patient 1 -> folded into others (3 -> shown)
        rows("2026-09-01", "physician", "self", "listening", 5)
        + rows("2026-09-01", "physician", "partner", "listening", 3)
        + rows("2026-09-02", "physician", "peer", "listening", 4, 3, 2)
        + rows("2026-09-03", "physician", "staff", "listening", 3, 2)
        + rows("2026-09-04", "physician", "patient", "listening", 4)
        # teamwork: staff 4 (shown); peers 2 -> others has 2 -> suppressed with a note
        + rows("2026-09-01", "physician", "self", "teamwork", 2)
        + rows("2026-09-01", "physician", "partner", "teamwork", 4)
        + rows("2026-09-03", "physician", "staff", "teamwork", 4, 4, 5, 3)
        + rows("2026-09-02", "physician", "peer", "teamwork", 5, 1)
        # an older round (outside the 90-day window before 2026-09-04) must not count
        + rows("2025-09-01", "physician", "peer", "listening", 1, 1, 1)
        # the other subject must not leak in
        + rows("2026-09-01", "administrator", "staff", "listening", 1, 1, 1)
    )
    p = write_practice(tmp_path_factory.mktemp("data"), {"feedback_360": text})
    return p.tables["feedback_360"]


def test_group_of_three_shown_small_groups_folded(feedback):
    s = feedback_summary(feedback, "physician").set_index("competency")
    assert s.attrs["round_end"].strftime("%Y-%m-%d") == "2026-09-04"
    assert s.attrs["round_start"].strftime("%Y-%m-%d") == "2026-09-01"
    assert s.loc["teamwork", "competency_label"] == "Teamwork"
    li = s.loc["listening"]
    assert li["self"] == 5 and li["partner"] == 3
    # peers: (4 + 3 + 2) / 3 = 3.0, shown on their own
    assert li["peer"] == 3.0 and li["peer_n"] == 3
    # staff (2 ratings) and patient (1) never shown alone ...
    assert math.isnan(li["staff"]) and math.isnan(li["patient"]) and li["staff_n"] == 0
    # ... but together they reach 3: others = (3 + 2 + 4) / 3 = 3.0
    assert li["others"] == 3.0 and li["others_n"] == 3 and li["suppressed_n"] == 0
    assert li["others_groups"] == "staff, patients"
    # others_mean over every shown rating but self: partner 3 + peers 9 + others 9 -> 21 / 7 = 3.0
    assert li["others_mean"] == 3.0 and li["others_mean_n"] == 7
    # self 5 - 3 = 2 points above: a blind spot
    assert li["self_minus_others"] == 2.0 and li["self_vs_others"] == "blind_spot"


def test_others_below_three_suppressed_self_and_partner_exempt(feedback):
    s = feedback_summary(feedback, "physician").set_index("competency")
    tw = s.loc["teamwork"]
    # self and partner are single raters and always shown
    assert tw["self"] == 2 and tw["partner"] == 4
    # staff: (4 + 4 + 5 + 3) / 4 = 4.0, shown
    assert tw["staff"] == 4.0 and tw["staff_n"] == 4
    # peers only 2 -> folded, and others then has 2 < 3 -> suppressed with a note
    assert math.isnan(tw["peer"]) and math.isnan(tw["others"]) and tw["suppressed_n"] == 2
    assert "2 ratings from peers not shown" in tw["note"]
    # the suppressed ratings (5, 1) are left out of others_mean: partner 4 + staff 16 -> 20 / 5 = 4
    assert tw["others_mean"] == 4.0 and tw["others_mean_n"] == 5
    # self 2 is 2 points below: a hidden strength
    assert tw["self_vs_others"] == "hidden_strength"
    assert blind_spots(s.reset_index())["competency"].tolist() == ["listening"]
    assert hidden_strengths(s.reset_index())["competency"].tolist() == ["teamwork"]


def test_no_individual_rating_of_a_small_group_is_recoverable(feedback):
    s = feedback_summary(feedback, "physician")
    # others_mean is rebuilt from the shown figures alone, so subtracting cannot reveal the two
    # suppressed peer ratings (5 and 1) for teamwork
    tw = s.set_index("competency").loc["teamwork"]
    assert tw["others_mean"] == pytest.approx((tw["partner"] + tw["staff"] * tw["staff_n"]) / (1 + tw["staff_n"]))
    assert tw["others_mean"] != pytest.approx((4 + 16 + 5 + 1) / 7)


def test_other_subject_and_cutoff(feedback):
    a = feedback_summary(feedback, "administrator").set_index("competency")
    assert a.loc["listening", "staff"] == 1.0 and math.isnan(a.loc["listening", "self"])
    # On 2025-12-31 only the 2025 round exists: peers 1, 1, 1
    old = feedback_summary(feedback, "physician", on_or_before="2025-12-31").set_index("competency")
    assert old.loc["listening", "peer"] == 1.0 and list(old.index) == ["listening"]
    assert feedback_summary(feedback, "physician", on_or_before="2025-01-01").empty
    assert feedback_summary(None, "physician").empty

"""360-degree feedback on each partner: self against partner and others, per competency, with the
anonymity rule of the data contract.

Anonymity (contract.MIN_GROUP_RATINGS = 3): a rater group (peer, staff, patient) with fewer than
three ratings for a subject and competency is never shown on its own; its ratings are folded into
"others". "others" is shown only if the folded ratings reach three; otherwise they are suppressed
and a note says how many ratings were withheld (never whose). `self` and `partner` are single raters
by nature and always shown. Suppressed ratings are also left out of `others_mean`, so the withheld
ratings cannot be recovered by subtracting the shown figures from a total.

A 360 round is collected over a few weeks: the summary uses the ratings collected within
`ROUND_DAYS` days up to the latest collection date on or before the cut-off.
"""

from __future__ import annotations

import pandas as pd

from dyad_lib.data.contract import MIN_GROUP_RATINGS, RATER_GROUPS, SINGLE_RATER_GROUPS

#: Groups subject to the anonymity rule, in display order.
GROUPS = tuple(g for g in RATER_GROUPS if g not in SINGLE_RATER_GROUPS)
GROUP_LABELS = {"self": "Self", "partner": "Partner", "peer": "Peers", "staff": "Staff",
                "patient": "Patients", "others": "Others (small groups combined)"}
ROUND_DAYS = 90
#: Self minus the others' mean at or beyond which the gap is called out.
SELF_GAP_POINTS = 1.0

SUMMARY_COLUMNS = (["competency", "competency_label", "self", "partner"] + list(GROUPS) + [f"{g}_n" for g in GROUPS]
                   + ["others", "others_n", "others_groups", "suppressed_n", "note",
                      "others_mean", "others_mean_n", "self_minus_others", "self_vs_others"])


def competency_label(code: str) -> str:
    """'decision_making' -> 'Decision making' (competencies are free codes in the data)."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def round_window(df: pd.DataFrame | None, on_or_before=None, round_days: int = ROUND_DAYS
                 ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(first, last) collection date of the latest round on or before the cut-off, or None."""
    if df is None or df.empty:
        return None
    dates = df["collected_date"].dropna()
    if on_or_before is not None:
        dates = dates[dates <= pd.Timestamp(on_or_before).normalize()]
    if dates.empty:
        return None
    last = dates.max()
    return last - pd.Timedelta(days=round_days - 1), last


def _label_self_gap(diff: float | None) -> str | None:
    if diff is None or pd.isna(diff):
        return None
    if diff >= SELF_GAP_POINTS:
        return "blind_spot"  # rates themself higher than others do
    if diff <= -SELF_GAP_POINTS:
        return "hidden_strength"  # others rate them higher than they do
    return "aligned"


def _competency_row(competency: str, d: pd.DataFrame) -> dict:
    ratings = {g: d.loc[d["rater_group"] == g, "rating"].astype(float) for g in RATER_GROUPS}
    row: dict = {"competency": competency, "competency_label": competency_label(competency)}
    row["self"] = ratings["self"].mean() if len(ratings["self"]) else float("nan")
    row["partner"] = ratings["partner"].mean() if len(ratings["partner"]) else float("nan")
    shown_values = list(ratings["partner"])
    folded: list[float] = []
    folded_groups: list[str] = []
    for g in GROUPS:
        r = ratings[g]
        if len(r) >= MIN_GROUP_RATINGS:
            row[g], row[f"{g}_n"] = r.mean(), len(r)
            shown_values += list(r)
        else:
            row[g], row[f"{g}_n"] = float("nan"), 0
            if len(r):
                folded += list(r)
                folded_groups.append(g)
    row["others_groups"] = ", ".join(GROUP_LABELS[g].lower() for g in folded_groups)
    if len(folded) >= MIN_GROUP_RATINGS:
        row["others"], row["others_n"], row["suppressed_n"], row["note"] = (
            sum(folded) / len(folded), len(folded), 0,
            f"{row['others_groups']} had fewer than {MIN_GROUP_RATINGS} ratings each and are shown together as others")
        shown_values += folded
    else:
        row["others"], row["others_n"], row["suppressed_n"] = float("nan"), 0, len(folded)
        row["note"] = (f"{len(folded)} rating{'s' if len(folded) != 1 else ''} from {row['others_groups']} not shown: "
                       f"fewer than {MIN_GROUP_RATINGS} ratings") if folded else ""
    row["others_mean"] = sum(shown_values) / len(shown_values) if shown_values else float("nan")
    row["others_mean_n"] = len(shown_values)
    row["self_minus_others"] = row["self"] - row["others_mean"]
    row["self_vs_others"] = _label_self_gap(row["self_minus_others"])
    return row


def feedback_summary(df: pd.DataFrame | None, subject: str, on_or_before=None,
                     round_days: int = ROUND_DAYS) -> pd.DataFrame:
    """Per competency for one subject (``physician`` or ``administrator``) in the latest round.

    Columns: competency, competency_label, self, partner, one mean per group (peer, staff, patient; NaN when not
    shown) and its count, others (the pooled small groups, NaN when suppressed), others_n,
    others_groups, suppressed_n, note, others_mean (every shown rating except self: partner,
    shown groups and shown others), self_minus_others, self_vs_others (``blind_spot`` when self
    is ≥ 1 point above the others, ``hidden_strength`` when ≥ 1 point below, else ``aligned``).
    attrs: subject, round_start, round_end.
    """
    window = round_window(df[df["subject"] == subject] if df is not None else None, on_or_before, round_days)
    if window is None:
        out = pd.DataFrame(columns=SUMMARY_COLUMNS)
        out.attrs.update(subject=subject, round_start=None, round_end=None)
        return out
    d = df[(df["subject"] == subject) & (df["collected_date"] >= window[0]) & (df["collected_date"] <= window[1])]
    d = d.dropna(subset=["rating", "competency"])
    rows = [_competency_row(c, g) for c, g in d.groupby("competency", sort=True)]
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out.attrs.update(subject=subject, round_start=d["collected_date"].min() if len(d) else window[0],
                     round_end=window[1])
    return out


def blind_spots(summary: pd.DataFrame) -> pd.DataFrame:
    """Competencies where the subject rates themself at least a point above the others."""
    return summary[summary["self_vs_others"] == "blind_spot"]


def hidden_strengths(summary: pd.DataFrame) -> pd.DataFrame:
    """Competencies where the others rate the subject at least a point above their self rating."""
    return summary[summary["self_vs_others"] == "hidden_strength"]

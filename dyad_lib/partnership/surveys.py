"""Team survey by role and patient feedback, with the minimum-responses rule for showing a group.

Minimum responses (contract.MIN_GROUP_RATINGS = 3): a role with fewer than three responses in the
period is never shown on its own. Small roles are folded together ("physician + administrator");
if the fold is still under three it is merged into the smallest role that is shown, so nothing is
hidden that could then be recovered by subtracting the shown roles from the overall figure. Only
when the whole period has fewer than three responses is everything suppressed.

NPS / eNPS: % of scores 9–10 minus % of scores 0–6, on −100…100 (domain-research.md §4).
Burnout: the Mini-Z single item, ≥ 3 counts as burnout.
"""

from __future__ import annotations

import pandas as pd

from dyad_lib.data.contract import MIN_GROUP_RATINGS, TEAM_ROLES
from dyad_lib.metrics.periods import Period

ROLE_LABELS = {"physician": "Clinicians", "administrator": "Administration", "staff": "Team",
               "overall": "Everyone"}
BURNOUT_MIN = 3
LATEST_COMMENTS = 5


def nps(scores: pd.Series) -> float | None:
    """% promoters (9–10) − % detractors (0–6), or None with no score."""
    s = scores.dropna().astype(float)
    if s.empty:
        return None
    return float(((s >= 9).mean() - (s <= 6).mean()) * 100)


def _team_stats(d: pd.DataFrame) -> dict:
    return {
        "responses": int(len(d)),
        "satisfaction_mean": float(d["satisfaction"].astype(float).mean()) if d["satisfaction"].notna().any() else None,
        "burnout_share": float((d["burnout"].dropna().astype(float) >= BURNOUT_MIN).mean()) if d["burnout"].notna().any() else None,
        "enps": nps(d["recommend_workplace"]),
    }


def role_groups(counts: dict[str, int], minimum: int = MIN_GROUP_RATINGS) -> list[tuple[str, ...]]:
    """Group the roles so that every group has at least `minimum` responses (see module docstring).

    Returns tuples of roles; an empty list when the total is under `minimum`.
    """
    present = [r for r in TEAM_ROLES if counts.get(r, 0) > 0]
    if sum(counts.get(r, 0) for r in present) < minimum:
        return []
    big = [(r,) for r in present if counts[r] >= minimum]
    small = tuple(r for r in present if counts[r] < minimum)
    if not small:
        return big
    if sum(counts[r] for r in small) >= minimum:
        return big + [small]
    # merge the small fold into the smallest shown group
    smallest = min(big, key=lambda g: (sum(counts[r] for r in g), TEAM_ROLES.index(g[0])))
    merged = tuple(r for r in TEAM_ROLES if r in smallest or r in small)
    return [g for g in big if g != smallest] + [merged]


def _group_label(group: tuple[str, ...]) -> str:
    return " + ".join(ROLE_LABELS[r] for r in group)


def team_survey_by_role(df: pd.DataFrame | None, period: Period) -> pd.DataFrame:
    """Satisfaction mean, burnout share (≥ 3) and eNPS per role group and overall, for responses
    dated in the period. Columns: group, label, roles, responses, satisfaction_mean,
    burnout_share, enps, note. The overall row is last; the frame is empty (with attrs["note"])
    when the period has fewer than three responses."""
    cols = ["group", "label", "roles", "responses", "satisfaction_mean", "burnout_share", "enps", "note"]
    if df is None:
        out = pd.DataFrame(columns=cols)
        out.attrs["note"] = "no team_survey table"
        return out
    d = df[period.date_mask(df["response_date"]).fillna(False).astype(bool)]
    counts = d["role"].value_counts().to_dict()
    groups = role_groups(counts)
    if not groups:
        out = pd.DataFrame(columns=cols)
        out.attrs["note"] = (f"{len(d)} team survey response{'s' if len(d) != 1 else ''} in {period.label}: "
                             f"fewer than {MIN_GROUP_RATINGS}, not shown")
        return out
    rows = []
    for g in sorted(groups, key=lambda g: TEAM_ROLES.index(g[0])):
        note = "" if len(g) == 1 else (f"{_group_label(g)} are shown together: each had fewer than "
                                       f"{MIN_GROUP_RATINGS} responses or was merged to keep answers anonymous")
        rows.append({"group": "+".join(g), "label": _group_label(g), "roles": g,
                     **_team_stats(d[d["role"].isin(g)]), "note": note})
    rows.append({"group": "overall", "label": ROLE_LABELS["overall"], "roles": tuple(TEAM_ROLES),
                 **_team_stats(d), "note": ""})
    out = pd.DataFrame(rows, columns=cols)
    out.attrs["note"] = ""
    return out


def patient_feedback(df: pd.DataFrame | None, period: Period, n_comments: int = LATEST_COMMENTS) -> dict:
    """Patient NPS, mean rating and the latest comments for responses dated in the period.

    Keys: responses, nps, promoters, passives, detractors (shares), rating_mean, comments (list of
    {"date", "comment"}, newest first — raw text: the report escapes it; the table holds no
    patient identifier and none is attached), note. With fewer than three responses the numbers
    and comments are withheld (None / empty) and `note` says why.
    """
    empty = {"responses": 0, "nps": None, "promoters": None, "passives": None, "detractors": None,
             "rating_mean": None, "comments": [], "note": ""}
    if df is None:
        return {**empty, "note": "no patient_survey table"}
    d = df[period.date_mask(df["response_date"]).fillna(False).astype(bool)]
    n = len(d)
    if n < MIN_GROUP_RATINGS:
        return {**empty, "responses": n,
                "note": f"{n} patient survey response{'s' if n != 1 else ''} in {period.label}: fewer than "
                        f"{MIN_GROUP_RATINGS}, not shown"}
    s = d["recommend_score"].dropna().astype(float)
    c = d.dropna(subset=["comment"])
    c = c[c["comment"].astype(str).str.strip() != ""].sort_values(["response_date", "_row"] if "_row" in c else
                                                                  ["response_date"], ascending=False)
    return {
        "responses": n,
        "nps": nps(s),
        "promoters": float((s >= 9).mean()) if len(s) else None,
        "passives": float(((s >= 7) & (s <= 8)).mean()) if len(s) else None,
        "detractors": float((s <= 6).mean()) if len(s) else None,
        "rating_mean": float(d["rating"].dropna().astype(float).mean()) if d["rating"].notna().any() else None,
        "comments": [{"date": r.response_date, "comment": str(r.comment)} for r in c.head(n_comments).itertuples()],
        "note": "",
    }

"""The 14-area partnership needs assessment: each partner rates what the other delivers and what
they deliver themselves, then the two lists are compared.

This is the second source article's exercise "individually identify strengths and gaps in your
relationship, and then compare your lists. Synergies represent areas for early wins, while
differences represent areas for mutual growth. Select one or two areas of weaker overlap…".

One *assessment* is the set of rows of one `assessment_date`. It is usable when both partners
rated on that date (complete when both rated all 14 areas); a date with one partner only is listed
by :func:`list_assessments` but never picked for the views or the metrics.

Classification of an area both partners rated (checked in this order, first match wins):
1. ``shared_strength`` — both ratings ≥ 4 (agreement: keep doing it);
2. ``shared_gap`` — both ratings ≤ 2 (agreement: an early win to go after together);
3. ``perception_gap`` — the ratings differ by 2 or more (the partners see it differently);
4. ``neither``.
With whole-number ratings 1–5 the first three cannot overlap (two ratings both ≥ 4 or both ≤ 2
differ by at most 1), so the order only matters for hand-edited non-integer data. An area only one
partner rated is ``incomplete`` and never classified.
"""

from __future__ import annotations

import math

import pandas as pd

from dyad_lib.data.contract import DYAD_AREA_CODES, DYAD_AREAS, PARTNER_ROLES
from dyad_lib.metrics.partnership import assessment_dates, latest_assessment_date

CLASSES = ("shared_strength", "shared_gap", "perception_gap", "neither")
CLASS_LABELS = {
    "shared_strength": "Shared strength",
    "shared_gap": "Shared gap",
    "perception_gap": "Perception gap",
    "neither": "Neither",
    "incomplete": "Rated by one partner only",
}
ROLE_LABELS = {"physician": "clinical lead", "administrator": "business lead"}
STRENGTH_MIN = 4
GAP_MAX = 2
PERCEPTION_GAP_MIN = 2
#: Importance assumed when neither partner gave one (the middle of the 1–5 scale).
DEFAULT_IMPORTANCE = 3.0


def _other(role: str) -> str:
    return "administrator" if role == "physician" else "physician"


def list_assessments(df: pd.DataFrame | None) -> pd.DataFrame:
    """Every assessment date: how many areas each partner rated, and whether it is complete.

    `usable` = both partners rated at least one area; `complete` = both rated all 14.
    """
    cols = ["assessment_date", "physician_areas", "administrator_areas", "usable", "complete"]
    if df is None or df.empty:
        return pd.DataFrame(columns=cols)
    d = df.dropna(subset=["assessment_date", "rating"])
    counts = (d.groupby(["assessment_date", "respondent"])["area"].nunique()
              .unstack("respondent").reindex(columns=list(PARTNER_ROLES)).fillna(0).astype(int))
    out = pd.DataFrame({
        "assessment_date": counts.index,
        "physician_areas": counts["physician"].to_numpy(),
        "administrator_areas": counts["administrator"].to_numpy(),
    })
    out["usable"] = (out["physician_areas"] > 0) & (out["administrator_areas"] > 0)
    n = len(DYAD_AREA_CODES)
    out["complete"] = (out["physician_areas"] == n) & (out["administrator_areas"] == n)
    return out.sort_values("assessment_date").reset_index(drop=True)


def previous_assessment_date(df: pd.DataFrame | None, date) -> pd.Timestamp | None:
    """The usable assessment just before the one in force at `date`."""
    current = latest_assessment_date(df, date)
    if current is None:
        return None
    earlier = [d for d in assessment_dates(df) if d < current]
    return earlier[-1] if earlier else None


def ratings_of(df: pd.DataFrame, date) -> pd.DataFrame:
    """Area × role table of ratings, importances and notes for one assessment date."""
    d = df[df["assessment_date"] == pd.Timestamp(date)]
    d = d.drop_duplicates(subset=["respondent", "area"], keep="last")
    out = pd.DataFrame(index=pd.Index(DYAD_AREA_CODES, name="area"))
    for role in PARTNER_ROLES:
        r = d[d["respondent"] == role].set_index("area")
        out[f"{role}_rating"] = r["rating"].astype("Float64").reindex(out.index).astype(float)
        out[f"{role}_importance"] = r["importance"].astype("Float64").reindex(out.index).astype(float)
        out[f"{role}_note"] = r["note"].reindex(out.index) if "note" in r else None
    return out


def classify(physician: float, administrator: float) -> str:
    """Classify one area from the two ratings (see the module docstring for the precedence)."""
    if physician is None or administrator is None or pd.isna(physician) or pd.isna(administrator):
        return "incomplete"
    if physician >= STRENGTH_MIN and administrator >= STRENGTH_MIN:
        return "shared_strength"
    if physician <= GAP_MAX and administrator <= GAP_MAX:
        return "shared_gap"
    if abs(physician - administrator) >= PERCEPTION_GAP_MIN:
        return "perception_gap"
    return "neither"


VIEW_COLUMNS = [
    "area", "label", "question", "deliverer", "receiver", "self_view", "partner_view",
    "physician_rating", "administrator_rating", "gap", "abs_gap", "mean_rating",
    "physician_importance", "administrator_importance", "importance", "importance_given",
    "classification", "physician_note", "administrator_note",
]


def assessment_view(df: pd.DataFrame | None, on_or_before=None, *, date=None) -> pd.DataFrame:
    """Per area of the latest usable assessment on or before `on_or_before` (or exactly `date`).

    Columns: area, label, question, deliverer, receiver, self_view (the deliverer's rating),
    partner_view (the receiver's), physician_rating, administrator_rating, gap (self − partner:
    positive when the deliverer rates themself higher than the partner does), abs_gap,
    mean_rating, the two importances and their mean (`importance`; 3 when neither gave one,
    flagged by `importance_given`), classification and the two notes (raw text: escape on output).
    ``view.attrs["assessment_date"]`` holds the date used (None and an empty frame when none).
    """
    when = pd.Timestamp(date).normalize() if date is not None else latest_assessment_date(df, on_or_before)
    if df is None or when is None:
        out = pd.DataFrame(columns=VIEW_COLUMNS)
        out.attrs["assessment_date"] = None
        return out
    r = ratings_of(df, when)
    rows = []
    for area, (deliverer, label, question) in DYAD_AREAS.items():
        receiver = _other(deliverer)
        phys, admin = r.at[area, "physician_rating"], r.at[area, "administrator_rating"]
        self_v, partner_v = r.at[area, f"{deliverer}_rating"], r.at[area, f"{receiver}_rating"]
        imps = [x for x in (r.at[area, "physician_importance"], r.at[area, "administrator_importance"])
                if not pd.isna(x)]
        both = not (pd.isna(phys) or pd.isna(admin))
        rows.append({
            "area": area, "label": label, "question": question,
            "deliverer": deliverer, "receiver": receiver,
            "self_view": self_v, "partner_view": partner_v,
            "physician_rating": phys, "administrator_rating": admin,
            "gap": self_v - partner_v if both else math.nan,
            "abs_gap": abs(phys - admin) if both else math.nan,
            "mean_rating": (phys + admin) / 2 if both else math.nan,
            "physician_importance": r.at[area, "physician_importance"],
            "administrator_importance": r.at[area, "administrator_importance"],
            "importance": sum(imps) / len(imps) if imps else DEFAULT_IMPORTANCE,
            "importance_given": bool(imps),
            "classification": classify(phys, admin),
            "physician_note": r.at[area, "physician_note"],
            "administrator_note": r.at[area, "administrator_note"],
        })
    out = pd.DataFrame(rows, columns=VIEW_COLUMNS)
    out.attrs["assessment_date"] = when
    return out


def areas_in(view: pd.DataFrame, classification: str) -> list[str]:
    """Codes of the areas with one classification, in contract order."""
    return list(view.loc[view["classification"] == classification, "area"])


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))


def focus_reason(row: pd.Series) -> str:
    """One sentence naming the numbers that put an area on the focus list."""
    who = (f"the {ROLE_LABELS[row['deliverer']]} rates it {_fmt(row['self_view'])} (self view) and the "
           f"{ROLE_LABELS[row['receiver']]} {_fmt(row['partner_view'])} (partner view)")
    kind = {"shared_gap": "both see a gap",
            "perception_gap": f"a perception gap of {_fmt(row['abs_gap'])} points",
            "neither": "no shared strength"}[row["classification"]]
    imp = f"importance {_fmt(row['importance'])}" + ("" if row["importance_given"] else " (not given, assumed)")
    return (f"{row['label']}: {who}, {kind}; {imp} × (5 − mean {_fmt(row['mean_rating'])}) "
            f"= score {_fmt(round(row['focus_score'], 2))}.")


def focus_areas(view: pd.DataFrame, n: int = 2) -> pd.DataFrame:
    """The one or two areas of weakest overlap to put in the action plan, with the reason.

    Candidates are the shared gaps and perception gaps (the areas where the two lists do not
    overlap as strengths); when there are fewer than `n`, areas classified ``neither`` fill the
    list. Shared strengths are never proposed. Ranked by importance × (5 − mean rating), ties
    broken by the larger gap, then the lower mean, then contract order. Adds `focus_score`,
    `rank` and `reason` to the view's columns.
    """
    cols = list(view.columns) + ["focus_score", "rank", "reason"]
    if view.empty:
        return pd.DataFrame(columns=cols)
    v = view[view["classification"] != "incomplete"].copy()
    v["focus_score"] = v["importance"] * (5 - v["mean_rating"])
    v["_order"] = range(len(v))
    v["_tier"] = v["classification"].map({"shared_gap": 0, "perception_gap": 0, "neither": 1})
    v = v[v["_tier"].notna()]
    v = v.sort_values(["_tier", "focus_score", "abs_gap", "mean_rating", "_order"],
                      ascending=[True, False, False, True, True])
    primary = v[v["_tier"] == 0]
    chosen = primary.head(n) if len(primary) >= n else pd.concat([primary, v[v["_tier"] == 1].head(n - len(primary))])
    chosen = chosen.drop(columns=["_order", "_tier"]).reset_index(drop=True)
    chosen["rank"] = range(1, len(chosen) + 1)
    chosen["reason"] = [focus_reason(r) for _, r in chosen.iterrows()]
    chosen.attrs = dict(view.attrs)
    return chosen[cols]


def assessment_change(df: pd.DataFrame | None, date=None) -> pd.DataFrame:
    """Per area, each partner's rating change from the previous assessment to the one at `date`.

    Columns: area, label, deliverer, physician_before/now/change, administrator_before/now/change,
    mean_change, classification_before, classification_now. attrs: assessment_date,
    previous_date (None and an empty frame when there is no earlier assessment to compare with).
    """
    cols = ["area", "label", "deliverer", "physician_before", "physician_now", "physician_change",
            "administrator_before", "administrator_now", "administrator_change", "mean_change",
            "classification_before", "classification_now"]
    now_date = latest_assessment_date(df, date)
    prev_date = previous_assessment_date(df, date) if now_date is not None else None
    if now_date is None or prev_date is None:
        out = pd.DataFrame(columns=cols)
        out.attrs.update(assessment_date=now_date, previous_date=None)
        return out
    now, before = assessment_view(df, date=now_date), assessment_view(df, date=prev_date)
    out = pd.DataFrame({"area": now["area"], "label": now["label"], "deliverer": now["deliverer"]})
    for role in PARTNER_ROLES:
        out[f"{role}_before"] = before[f"{role}_rating"].to_numpy(dtype=float)
        out[f"{role}_now"] = now[f"{role}_rating"].to_numpy(dtype=float)
        out[f"{role}_change"] = out[f"{role}_now"] - out[f"{role}_before"]
    out["mean_change"] = now["mean_rating"].to_numpy(dtype=float) - before["mean_rating"].to_numpy(dtype=float)
    out["classification_before"] = before["classification"].to_numpy()
    out["classification_now"] = now["classification"].to_numpy()
    out.attrs.update(assessment_date=now_date, previous_date=prev_date)
    return out[cols]



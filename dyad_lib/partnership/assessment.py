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
    return (f"{row['label']}: {who}, {kind}; {imp} × (5 − lower rating {_fmt(row['low_rating'])}) "
            f"= score {_fmt(round(row['focus_score'], 2))}.")


def rank_focus(view: pd.DataFrame) -> pd.DataFrame:
    """Every candidate area of one assessment, best first, with `low_rating`, `focus_score`, `tier`.

    Candidates are the areas of weaker overlap: shared gaps and perception gaps first (tier 0), then
    the areas classified ``neither`` (tier 1); shared strengths and areas one partner left blank
    are never proposed. The score is importance × (5 − the lower of the two ratings): how far the
    partner who sees the area worse is from "fully", weighted by how much it matters to them — so
    a 5 against a 2 weighs as much as a 2 against a 2, where the mean (3.5) would hide the wider
    gap. Ties: the larger difference between the partners, then the lower mean, then contract
    order. A pure function of the one assessment: the same ratings always give the same proposal,
    whichever report or quarter shows it.
    """
    cols = list(view.columns) + ["low_rating", "focus_score", "tier"]
    if view.empty:
        return pd.DataFrame(columns=cols)
    v = view[view["classification"] != "incomplete"].copy()
    v["low_rating"] = v[["physician_rating", "administrator_rating"]].min(axis=1)
    v["focus_score"] = v["importance"] * (5 - v["low_rating"])
    v["_order"] = range(len(v))
    v["tier"] = v["classification"].map({"shared_gap": 0, "perception_gap": 0, "neither": 1})
    v = v[v["tier"].notna()]
    v = v.sort_values(["tier", "focus_score", "abs_gap", "mean_rating", "_order"],
                      ascending=[True, False, False, True, True])
    out = v.drop(columns=["_order"]).reset_index(drop=True)
    out.attrs = dict(view.attrs)
    return out[cols]


def focus_areas(view: pd.DataFrame, n: int = 2) -> pd.DataFrame:
    """The one or two areas of weakest overlap to propose for the action plan, with the reason.

    The first `n` of :func:`rank_focus`, taking ``neither`` areas only when there are fewer than
    `n` gaps. Adds `low_rating`, `focus_score`, `tier`, `rank` and `reason` to the view's columns.
    """
    ranked = rank_focus(view)
    cols = list(ranked.columns) + ["rank", "reason"]
    if ranked.empty:
        return pd.DataFrame(columns=cols)
    chosen = ranked.head(n).copy().reset_index(drop=True)
    chosen["rank"] = range(1, len(chosen) + 1)
    chosen["reason"] = [focus_reason(r) for _, r in chosen.iterrows()]
    chosen.attrs = dict(view.attrs)
    return chosen[cols]


def partner_lists(view: pd.DataFrame) -> pd.DataFrame:
    """Each partner's own list of strengths (their rating 4 or 5) and gaps (1 or 2), with their
    note — the source article's exercise of listing strengths and gaps individually, then comparing
    the lists. `shared` says whether the other partner put the area on the same list (a synergy:
    an early win) or not (a difference: where to grow together).

    Columns: respondent, list (strength | gap), area, label, deliverer, rating, other_rating, note,
    shared. Ordered by respondent, list (strengths first), rating (best strengths, worst gaps first).
    """
    cols = ["respondent", "list", "area", "label", "deliverer", "rating", "other_rating", "note", "shared"]
    rows = []
    for _, r in view.iterrows():
        for role in PARTNER_ROLES:
            mine, theirs = r[f"{role}_rating"], r[f"{_other(role)}_rating"]
            if pd.isna(mine):
                continue
            which = "strength" if mine >= STRENGTH_MIN else "gap" if mine <= GAP_MAX else None
            if which is None:
                continue
            same = (not pd.isna(theirs)) and (theirs >= STRENGTH_MIN if which == "strength" else theirs <= GAP_MAX)
            note = r[f"{role}_note"]
            rows.append({"respondent": role, "list": which, "area": r["area"], "label": r["label"],
                         "deliverer": r["deliverer"], "rating": float(mine),
                         "other_rating": None if pd.isna(theirs) else float(theirs),
                         "note": note if isinstance(note, str) and note.strip() else None, "shared": bool(same)})
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_role"] = out["respondent"].map({r: i for i, r in enumerate(PARTNER_ROLES)})
    out["_list"] = out["list"].map({"strength": 0, "gap": 1})
    out["_r"] = out["rating"].where(out["list"] == "gap", -out["rating"])
    out["_o"] = out["area"].map({a: i for i, a in enumerate(DYAD_AREA_CODES)})
    return out.sort_values(["_role", "_list", "_r", "_o"]).drop(columns=["_role", "_list", "_r", "_o"]).reset_index(drop=True)


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



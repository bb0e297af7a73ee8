"""The partners' own words in the quarterly report: each partner's rating and note side by side
for every area, the strengths and gaps each partner listed and how the two lists compare, and
their answers to the recurring questions over the last four quarters.

The source articles ask the two partners to speak for themselves — to list strengths and gaps on
their own, compare the lists, and keep asking each other the same few questions. Ratings alone
lose that; this module puts the text beside the numbers. Free text is passed raw to templates,
which escape it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from dyad_lib.data.contract import PARTNER_ROLES
from dyad_lib.partnership.assessment import partner_lists
from dyad_lib.reports.html import Fragment, render
from dyad_lib.reports.quarterly_partnership import CLASS_WORDS, CSS_CLASS, group_title, in_words, partner_label

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

CLASS_CSS = {"shared_strength": "good", "shared_gap": "bad", "perception_gap": "warn"}


def _rating(x) -> str:
    return "" if x is None or pd.isna(x) else f"{x:g}"


def _note(x) -> str:
    return x.strip() if isinstance(x, str) and x.strip() else ""


def words_html(view: pd.DataFrame, practice: "Practice") -> Fragment:
    """Every area of the assessment with both partners' ratings and notes side by side, grouped by
    who delivers the area; the classification is tagged (shared strength, shared gap, seen
    differently)."""
    groups = []
    for deliverer in PARTNER_ROLES:
        v = view[view["deliverer"] == deliverer]
        rows = [{"label": r["label"], "tag": CLASS_WORDS.get(r["classification"], ""),
                 "tag_css": CLASS_CSS.get(r["classification"], ""),
                 "phys": _rating(r["physician_rating"]), "phys_note": _note(r["physician_note"]),
                 "admin": _rating(r["administrator_rating"]), "admin_note": _note(r["administrator_note"])}
                for r in v.to_dict("records")]
        groups.append({"title": group_title(practice, deliverer), "rows": rows})
    notes = int(sum(bool(_note(x)) for col in ("physician_note", "administrator_note") for x in view[col]))
    return render("quarterly/words", groups=groups, notes=notes,
                  partners=[{"css": CSS_CLASS[r], "label": partner_label(practice, r)} for r in PARTNER_ROLES])


def lists_html(view: pd.DataFrame, practice: "Practice") -> Fragment:
    """Each partner's own strengths (rated 4–5) and gaps (1–2), with their notes, side by side; each
    item says whether the other partner listed it too."""
    lists = partner_lists(view)
    cols = []
    for role in PARTNER_ROLES:
        mine = lists[lists["respondent"] == role] if len(lists) else lists
        col = {"css": CSS_CLASS[role], "label": partner_label(practice, role), "parts": []}
        for which, title in (("strength", "Strengths (rated 4 or 5)"), ("gap", "Gaps (rated 1 or 2)")):
            items = [{"label": r["label"], "rating": _rating(r["rating"]), "note": _note(r["note"]),
                      "shared": bool(r["shared"])}
                     for r in mine[mine["list"] == which].to_dict("records")] if len(mine) else []
            col["parts"].append({"title": title, "entries": items, "gap": which == "gap"})
        cols.append(col)
    return render("quarterly/partner_lists", cols=cols)


def answers_quarters_html(answers: pd.DataFrame, practice: "Practice") -> Fragment:
    """The recurring questions (rows) over the last quarters (columns), each cell holding both
    partners' answers of that quarter, in their colours."""
    periods = list(dict.fromkeys(answers["period"]))
    rows = []
    for q, g in answers.groupby("question", sort=False):
        cells = []
        for r in g.to_dict("records"):
            cells.append([{"css": CSS_CLASS[role], "text": r[f"{role}_answer"]} for role in PARTNER_ROLES])
        rows.append({"question": in_words(g["question_text"].iloc[0], practice), "cells": cells})
    return render("quarterly/answers_quarters", periods=periods, rows=rows,
                  partners=[{"css": CSS_CLASS[r], "label": partner_label(practice, r)} for r in PARTNER_ROLES])


def compared_html(view: pd.DataFrame, practice: "Practice") -> Fragment:
    """The two lists compared, in three lines: where both see a strength, where both see a gap (the
    early wins), where they see it differently (where to grow together) — each area with both
    ratings, the clinical lead's first."""
    from dyad_lib.reports.quarterly_partnership import role_word

    cw, bw = role_word(practice, "physician"), role_word(practice, "administrator")
    rows = []
    for cls, title, empty in (
            ("shared_strength", "Shared strengths (both rate it 4 or 5)", "no area both partners rate 4 or higher"),
            ("shared_gap", "Shared gaps (both rate it 1 or 2): early wins to go after together", "no area both rate 2 or lower"),
            ("perception_gap", "Seen differently (ratings 2 or more points apart): where to grow together",
             "no area where the two ratings differ by 2 points or more")):
        v = view[view["classification"] == cls]
        items = [f"{r['label']} ({cw} {_rating(r['physician_rating'])}, {bw} {_rating(r['administrator_rating'])})"
                 for r in v.to_dict("records")]
        rows.append({"title": title, "text": "; ".join(items) if items else empty, "none": not items,
                     "css": CLASS_CSS[cls]})
    return render("quarterly/compared", rows=rows)

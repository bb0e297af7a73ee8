"""Which partnership instruments a practice has not provided yet, and where each one's form or
template comes from (the quarterly report lists them instead of leaving sections blank)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dyad_lib.data.contract import TABLES

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

#: The partnership instruments, in the order the quarterly report shows them.
INSTRUMENT_TABLES = ("dyad_assessment", "feedback_360", "meetings", "decision_grid", "action_plan",
                     "conflicts", "partner_questions", "focus_areas", "decisions", "team_survey", "patient_survey")


#: Tables with a printable form from `dyad forms`; the others have a CSV template from `dyad new`.
FORM_TABLES = {"dyad_assessment": "the printed assessment forms and dyad_assessment_template.csv from "
                                  "`dyad forms`",
               "partner_questions": "the printed question forms and partner_questions_template.csv from "
                                    "`dyad forms`",
               "focus_areas": "the meeting brief's capture page, or meeting-capture.html and capture.xlsx from "
                              "`dyad forms`, recorded with `dyad record`",
               "decisions": "the meeting brief's capture page, or meeting-capture.html and capture.xlsx from "
                            "`dyad forms`, recorded with `dyad record`"}


def missing_instruments(practice: "Practice") -> list[dict[str, str]]:
    """Each partnership instrument the practice has not provided: the table, what it collects,
    what it switches on, and where the template that collects it comes from."""
    out = []
    for name in INSTRUMENT_TABLES:
        if name in practice.tables:
            continue
        t = TABLES[name]
        out.append({
            "table": name,
            "collects": t.collects or t.description,
            "enables": t.enables,
            "template": FORM_TABLES.get(name, f"{name}.csv (an empty template is created by `dyad new`; "
                                              f"columns: {', '.join(t.column_names)})"),
        })
    return out

"""Printable questionnaires and spreadsheet templates for the partnership instruments.

Generated from the code lists the validator uses (`contract.DYAD_AREAS`, `PARTNER_QUESTIONS`,
`QUESTION_TEXT`), so a form can never ask about an area or a question the loader would reject.
Each form is one self-contained HTML page (no script, no external file, print-friendly) that shows,
next to every item, the code to type into the CSV, so answers collected on paper can be keyed into
`dyad_assessment.csv` / `partner_questions.csv` — or into the pre-filled CSV templates — and
imported. The pages come from templates (`templates/fragments/forms/`): everything from practice.yaml
is escaped there.
"""

from __future__ import annotations

import csv
import io

from dyad_lib.data.contract import DYAD_AREAS, PARTNER_QUESTIONS, PARTNER_ROLES, QUESTION_TEXT, TABLES

ROLE_TITLES = {
    "dental": {"physician": "dentist", "administrator": "office manager"},
    "medical": {"physician": "physician", "administrator": "practice administrator"},
}
ROLE_LEADS = {"physician": "clinical lead", "administrator": "business lead"}
#: File-name stem for each respondent (role codes stay the contract's).
ROLE_SLUGS = {"physician": "clinical-lead", "administrator": "business-lead"}

RATING_SCALE = "1 = not at all · 2 = rarely · 3 = sometimes · 4 = mostly · 5 = fully"
IMPORTANCE_SCALE = "1 = hardly matters to me … 5 = matters a great deal to me"

_CSS = """
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1a1a1a;max-width:46rem;
margin:1.5rem auto;padding:0 1rem;line-height:1.4;font-size:11pt}
h1{font-size:1.45rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.4rem 0 .4rem;border-bottom:2px solid #333;
padding-bottom:.2rem}.sub{color:#444;margin:0 0 1rem}
.meta{display:grid;grid-template-columns:1fr 1fr;gap:.4rem 1.5rem;margin:1rem 0}
.line{border-bottom:1px solid #555;min-height:1.5rem;padding-top:.2rem}
.how{background:#f4f4f4;border-left:4px solid #777;padding:.6rem .8rem;margin:1rem 0}
.item{border:1px solid #bbb;border-radius:4px;padding:.55rem .7rem;margin:.55rem 0;page-break-inside:avoid;
break-inside:avoid}
.item h3{font-size:1rem;margin:0}.q{margin:.15rem 0 .4rem}
code{font-family:Menlo,Consolas,monospace;font-size:.85em;background:#eee;padding:0 .25rem;border-radius:3px}
.scale{display:flex;align-items:center;gap:.35rem;margin:.25rem 0;flex-wrap:wrap}
.scale .lab{width:7.5rem;font-weight:600}
.box{display:inline-block;width:1.6rem;height:1.6rem;border:1.5px solid #333;text-align:center;
line-height:1.5rem;font-size:.8rem;color:#555}
.notes{border-bottom:1px solid #888;height:1.6rem;margin-top:.3rem}
.answer{border:1px solid #888;height:7.5rem;margin:.3rem 0 1rem}
.csv{font-size:.9rem;margin-top:1.5rem;border-top:1px solid #999;padding-top:.6rem}
.csv table{border-collapse:collapse}.csv td,.csv th{border:1px solid #bbb;padding:.15rem .4rem;text-align:left}
footer{margin-top:1.5rem;color:#666;font-size:.85rem}
table.mb-form{width:100%;border-collapse:collapse;margin:.4rem 0 1rem}table.mb-form caption{text-align:left;font-weight:700;
padding:.2rem 0}table.mb-form th{background:#eee;border:1px solid #777;font-size:.8rem;text-align:left;padding:.2rem .3rem}
table.mb-form td{border:1px solid #777;height:1.7rem}.mb-hint{font-weight:400;color:#555;font-size:.72rem}
.mb-code{font-family:Menlo,Consolas,monospace;font-size:.75rem;color:#555}.mb-areas{font-size:.75rem;color:#555}
.mb-blank{display:inline-block;border-bottom:1px solid #333;height:1em;vertical-align:bottom}.mb-w10{width:10em}.mb-w16{width:16em}
table.mb-questions td{height:2.2rem}.dyad-partner{display:none}th.mb-c-decision,th.mb-c-title{width:36%}
th.mb-c-note{width:55%}
@media print{body{margin:0;max-width:none;font-size:10.5pt}.how{background:none}@page{margin:1.4cm}
h2{page-break-after:avoid;break-after:avoid}}
"""


def role_title(role: str, kind: str = "dental") -> str:
    """'dentist (clinical lead)', 'practice administrator (business lead)'."""
    titles = ROLE_TITLES.get(kind, ROLE_TITLES["dental"])
    return f"{titles[role]} ({ROLE_LEADS[role]})"


def vocabulary(text: str, kind: str = "dental") -> str:
    """The contract's wording ('the physician', 'the administrator') in the practice's words."""
    titles = ROLE_TITLES.get(kind, ROLE_TITLES["dental"])
    for role, word in titles.items():
        text = text.replace(role, word)
    return text


def role_word(role: str, kind: str = "dental") -> str:
    """'dentist', 'office manager', 'physician', 'practice administrator'."""
    return ROLE_TITLES.get(kind, ROLE_TITLES["dental"])[role]


def _partner_phrase(partner: str, kind: str, name: str) -> str:
    """'Dr. Ana Rivera, the dentist (clinical lead)' or 'the dentist (clinical lead)'."""
    title = f"the {role_word(partner, kind)} ({ROLE_LEADS[partner]})"
    return f"{name}, {title}" if name else title


def _other(role: str) -> str:
    return "administrator" if role == "physician" else "physician"


def _check_role(respondent: str) -> None:
    if respondent not in PARTNER_ROLES:
        raise ValueError(f"respondent must be one of {', '.join(PARTNER_ROLES)}, not '{respondent}'")


def _form(template: str, title: str, **context) -> str:
    from dyad_lib.reports.html import Markup, render

    return str(render(template, title=title, css=Markup(_CSS), **context)) + "\n"


def assessment_form(practice_name: str, respondent: str, *, kind: str = "dental",
                    respondent_name: str = "", partner_name: str = "") -> str:
    """The 14-area partnership needs assessment for one partner, as a printable HTML page.

    Areas are grouped by who delivers them; for each, a rating (1–5, how well it works today) and an
    importance (1–5, how much it matters to the respondent), with room for a note.
    """
    _check_role(respondent)
    partner = _other(respondent)
    groups = []
    for deliverer in (respondent, partner):
        receiver = _other(deliverer)
        brings = f"what the {role_word(deliverer, kind)} brings to the {role_word(receiver, kind)}"
        heading = (f"What you give your partner: {brings}" if deliverer == respondent
                   else f"What your partner gives you: {brings}")
        areas = [{"code": code, "label": label, "question": vocabulary(question, kind)}
                 for code, (who, label, question) in DYAD_AREAS.items() if who == deliverer]
        groups.append({"heading": heading, "areas": areas})
    example = ["2026-09-15", respondent, "clear_communication", "4", "5", "optional comment"]
    return _form("forms/assessment", f"Partnership needs assessment — {practice_name}",
                 practice_name=practice_name, me=role_title(respondent, kind), respondent=respondent,
                 respondent_name=respondent_name, partner=_partner_phrase(partner, kind, partner_name),
                 rating_scale=RATING_SCALE, importance_scale=IMPORTANCE_SCALE, groups=groups,
                 columns=TABLES["dyad_assessment"].column_names, example=example)


def questions_form(practice_name: str, respondent: str, *, kind: str = "dental",
                   respondent_name: str = "", partner_name: str = "") -> str:
    """The recurring checkpoint questions for one partner, with room to write, as a printable page."""
    _check_role(respondent)
    partner = _other(respondent)
    example = ["2026-09-15", respondent, "biggest_challenge", "your answer, in your words"]
    return _form("forms/questions", f"Partnership checkpoint questions — {practice_name}",
                 practice_name=practice_name, me=role_title(respondent, kind), respondent=respondent,
                 respondent_name=respondent_name, partner=_partner_phrase(partner, kind, partner_name),
                 questions=[{"code": q, "text": QUESTION_TEXT[q]} for q in PARTNER_QUESTIONS],
                 columns=TABLES["partner_questions"].column_names, example=example)


def _csv_text(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue()


def assessment_template_csv(assessment_date: str = "") -> str:
    """dyad_assessment.csv pre-filled with the 14 area codes for each partner (28 rows); rating,
    importance and note are left blank to fill in."""
    cols = TABLES["dyad_assessment"].column_names
    rows = [[assessment_date, role, code, "", "", ""] for role in PARTNER_ROLES for code in DYAD_AREAS]
    return _csv_text(cols, rows)


def questions_template_csv(date: str = "") -> str:
    """partner_questions.csv pre-filled with the five question codes for each partner (10 rows)."""
    cols = TABLES["partner_questions"].column_names
    rows = [[date, role, q, ""] for role in PARTNER_ROLES for q in PARTNER_QUESTIONS]
    return _csv_text(cols, rows)


def capture_context(practice_id: str, words: dict[str, str], *, quarterly: bool, meeting_title: str = "") -> dict:
    """What the capture page shows (`templates/fragments/brief/capture.html.j2`): per capture table
    its columns as the workbook names them, with the codes to write under each, a number of blank
    rows; the recurring questions for a quarterly checkpoint; the area codes."""
    from dyad_lib.data.capture import HELP, SHEETS
    from dyad_lib.data.contract import DYAD_AREAS

    def code(role: str) -> str:  # 'physician (dentist)'; just 'physician' when the practice says so too
        return role if words[role] == role else f"{role} ({words[role]})"

    roles = f"{code('physician')}, {code('administrator')}"
    codes = {"lead": f"{roles}, joint", "owner": f"{roles}, both"}
    filled_by_record = ("decision_id", "item_id", "created_date", "status", "completed_date", "chosen_date",
                        "closed_date", "date", "cadence")
    rows = {"decisions": 4 if quarterly else 5, "action_plan": 4 if quarterly else 5, "focus_areas": 2}
    tables = []
    for t, n in rows.items():
        cols = [x for x in SHEETS[t].columns if x not in filled_by_record]
        tables.append({"table": t, "title": SHEETS[t].title, "cols": cols, "rows": n,
                       "hints": [codes.get(x) or HELP[x].split(":")[0] for x in cols]})
    questions = ([{"code": q, "text": vocabulary(QUESTION_TEXT[q])} for q in PARTNER_QUESTIONS] if quarterly else [])
    return {"tables": tables, "questions": questions, "practice_id": practice_id,
            "areas": [(code, label) for code, (_, label, _) in DYAD_AREAS.items()],
            "clinical": words["physician"], "business": words["administrator"],
            "meeting_title": meeting_title or "meeting"}


def meeting_form(practice_name: str, practice_id: str, *, kind: str = "dental") -> str:
    """The meeting's capture page on its own (decisions, new actions, focus areas chosen and the
    recurring questions), to print for any meeting; its columns are the capture workbook's."""
    words = ROLE_TITLES.get(kind, ROLE_TITLES["dental"])
    ctx = capture_context(practice_id, words, quarterly=True)
    return _form("forms/meeting", f"Meeting capture — {practice_name}", practice_name=practice_name,
                 filename="capture.xlsx", href=None, **ctx)


def form_files(practice_name: str, *, kind: str = "dental", clinical_lead: str = "",
               business_lead: str = "", practice_id: str = "practice") -> dict[str, str | bytes]:
    """Every form and template, as {file name: text or bytes}: one assessment and one questions page
    per partner, the two CSV templates, the meeting capture page and its workbook (capture.xlsx,
    which `dyad record` reads back)."""
    from dyad_lib.data.capture import capture_workbook

    names = {"physician": clinical_lead, "administrator": business_lead}
    out: dict[str, str] = {}
    for role in PARTNER_ROLES:
        kw = dict(kind=kind, respondent_name=names[role], partner_name=names[_other(role)])
        out[f"assessment-{ROLE_SLUGS[role]}.html"] = assessment_form(practice_name, role, **kw)
        out[f"questions-{ROLE_SLUGS[role]}.html"] = questions_form(practice_name, role, **kw)
    out["dyad_assessment_template.csv"] = assessment_template_csv()
    out["partner_questions_template.csv"] = questions_template_csv()
    out["meeting-capture.html"] = meeting_form(practice_name, practice_id, kind=kind)
    out["capture.xlsx"] = capture_workbook(practice_name=practice_name, role_words=ROLE_TITLES.get(kind, ROLE_TITLES["dental"]))
    return out

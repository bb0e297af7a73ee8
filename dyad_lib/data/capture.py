"""The meeting's capture workbook: what the partners decide, agree, choose and answer, in the shape of
the practice's own tables, so it goes back into the data without retyping.

One sheet per contract table — `decisions`, `action_plan`, `focus_areas`, `partner_questions` — each
with the table's own column names (the loader reads a sheet named after a table, so a filled sheet
*is* that table's new rows), the columns a person fills first, dropdowns holding the allowed codes,
and a `read me` sheet. Filled on screen in Excel or LibreOffice, or copied from the brief's printed
capture page, it is appended to the practice's files by `dyad record PRACTICE FILE`
(`dyad_lib.data.record`), which fills what the meeting leaves blank: the ids, the meeting date,
an action's status.

The bytes are deterministic (fixed timestamps inside the zip), so a report that embeds the workbook
is the same from one run to the next.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from dyad_lib.data.contract import (ACTION_OWNERS, ACTION_STATUSES, DECISION_LEADS, DYAD_AREA_CODES,
                                    MEETING_CADENCES, PARTNER_QUESTIONS, PARTNER_ROLES, QUESTION_TEXT, TABLES,
                                    metric_ids)


@dataclass(frozen=True)
class Sheet:
    """How one table is captured: its columns in the order a person fills them, the column that
    makes a row (a row with it blank is not a record: a pre-filled row nobody answered), and what
    `dyad record` fills when a cell is left blank."""

    table: str
    columns: tuple[str, ...]
    content: str
    defaults: dict[str, str]
    title: str


SHEETS: dict[str, Sheet] = {s.table: s for s in (
    Sheet("decisions", ("decision", "lead", "review_date", "metric_id", "area", "date", "cadence", "decision_id"),
          "decision", {"date": "the meeting date", "decision_id": "the next free id (D12, …)"},
          "Decisions taken"),
    Sheet("action_plan", ("title", "owner", "due_date", "area", "metric_id", "created_date", "status", "item_id",
                          "completed_date"),
          "title", {"created_date": "the meeting date", "status": "open", "item_id": "the next free id (AP12, …)"},
          "New actions"),
    Sheet("focus_areas", ("area", "note", "chosen_date", "closed_date"), "area",
          {"chosen_date": "the meeting date"}, "Focus areas chosen"),
    Sheet("partner_questions", ("respondent", "question", "answer", "date"), "answer",
          {"date": "the meeting date"}, "Answers to the recurring questions"),
)}
CAPTURE_TABLES = tuple(SHEETS)
#: An extra column of the questions sheet (extra columns are ignored when recorded).
QUESTION_TEXT_COLUMN = "question_text"
CODES_SHEET = "codes"
README_SHEET = "read me"

#: Column help for the read-me sheet and the printed capture page.
HELP = {
    "decision": "what was decided, in a sentence",
    "lead": "who carries it out: " + ", ".join(DECISION_LEADS),
    "review_date": "optional: when to look at it again (YYYY-MM-DD)",
    "metric_id": "optional: the number it should move, an id from docs/metrics.md (dropdown)",
    "area": "optional: the partnership area, one of the 14 codes (dropdown)",
    "date": "the meeting date (blank: the date given to dyad record)",
    "cadence": "the meeting: " + ", ".join(MEETING_CADENCES),
    "decision_id": "blank: the next free id",
    "title": "the action, in a few words",
    "owner": "who does it: " + ", ".join(ACTION_OWNERS),
    "due_date": "by when (YYYY-MM-DD)",
    "created_date": "blank: the meeting date",
    "status": "blank: open",
    "item_id": "blank: the next free id",
    "completed_date": "only for an action already done",
    "note": "optional: why, or what good looks like",
    "chosen_date": "blank: the meeting date",
    "closed_date": "leave blank for a new choice",
    "respondent": "physician (the clinical lead) or administrator (the business lead)",
    "question": "the question's code",
    "answer": "the answer, in the partner's words (blank rows are skipped)",
}

_CODE_LISTS = {
    "lead": DECISION_LEADS, "owner": ACTION_OWNERS, "status": ACTION_STATUSES, "cadence": MEETING_CADENCES,
    "area": DYAD_AREA_CODES, "respondent": PARTNER_ROLES, "question": PARTNER_QUESTIONS,
}


def _codes() -> dict[str, tuple[str, ...]]:
    return {**_CODE_LISTS, "metric_id": metric_ids()}


def _deterministic(data: bytes) -> bytes:
    """The same workbook with fixed zip timestamps and document dates (openpyxl stamps 'now')."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2000-01-01T00:00:00Z\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, body)
    return out.getvalue()


def capture_workbook(*, practice_name: str, cadence: str = "monthly", meeting_date: dt.date | None = None,
                     rows: int = 10, questions: bool = True, role_words: dict[str, str] | None = None) -> bytes:
    """The capture workbook (xlsx bytes): one sheet per capture table with `rows` empty rows (the
    cadence and the meeting date pre-filled when known), the partner questions pre-filled with
    each partner and question (answers blank), dropdowns for every coded column."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if cadence not in MEETING_CADENCES:
        raise ValueError(f"cadence must be one of {', '.join(MEETING_CADENCES)}, not '{cadence}'")
    words = role_words or {"physician": "clinical lead", "administrator": "business lead"}
    wb = openpyxl.Workbook()
    readme = wb.active
    readme.title = README_SHEET
    codes = wb.create_sheet(CODES_SHEET)
    code_ranges = {}
    for i, (col, values) in enumerate(_codes().items(), start=1):
        letter = get_column_letter(i)
        codes.cell(row=1, column=i, value=col).font = Font(bold=True)
        for j, v in enumerate(values, start=2):
            codes.cell(row=j, column=i, value=v)
        code_ranges[col] = f"'{CODES_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    head_fill = PatternFill("solid", fgColor="DDE3EA")
    for sheet in SHEETS.values():
        if sheet.table == "partner_questions" and not questions:
            continue
        ws = wb.create_sheet(sheet.table)
        cols = list(sheet.columns) + ([QUESTION_TEXT_COLUMN] if sheet.table == "partner_questions" else [])
        for c, name in enumerate(cols, start=1):
            cell = ws.cell(row=1, column=c, value=name)
            cell.font, cell.fill = Font(bold=True), head_fill
            width = 48 if name in ("decision", "title", "note", "answer", QUESTION_TEXT_COLUMN) else 18
            ws.column_dimensions[get_column_letter(c)].width = width
        ws.freeze_panes = "A2"
        prefill: list[dict[str, object]] = []
        if sheet.table == "partner_questions":
            prefill = [{"respondent": r, "question": q, QUESTION_TEXT_COLUMN: QUESTION_TEXT[q]}
                       for r in PARTNER_ROLES for q in PARTNER_QUESTIONS]
        else:
            prefill = [{} for _ in range(rows)]
        for k, values in enumerate(prefill, start=2):
            if sheet.table == "decisions":
                values = {**values, "cadence": cadence}
            date_col = {"decisions": "date", "action_plan": "created_date", "focus_areas": "chosen_date",
                        "partner_questions": "date"}[sheet.table]
            if meeting_date is not None:
                values = {**values, date_col: meeting_date}
            for c, name in enumerate(cols, start=1):
                if name in values:
                    cell = ws.cell(row=k, column=c, value=values[name])
                    if isinstance(values[name], dt.date):
                        cell.number_format = "yyyy-mm-dd"
                if name in ("decision", "title", "note", "answer", QUESTION_TEXT_COLUMN):
                    ws.cell(row=k, column=c).alignment = Alignment(wrap_text=True, vertical="top")
        last = max(len(prefill) + 1, rows + 1)
        for c, name in enumerate(cols, start=1):
            if name in code_ranges:
                dv = DataValidation(type="list", formula1=code_ranges[name], allow_blank=True)
                dv.error, dv.errorTitle = f"Choose one of the codes of the '{name}' list.", "Not a code"
                ws.add_data_validation(dv)
                dv.add(f"{get_column_letter(c)}2:{get_column_letter(c)}{last}")
    lines = [
        f"What the partners of {practice_name} decide, agree, choose and answer in a meeting.",
        "Fill in a row per decision, new action, focus area chosen, or answer; leave the rest blank.",
        "Each sheet is one of the practice's tables and keeps its column names: do not rename them.",
        f"respondent: physician = the {words['physician']}, administrator = the {words['administrator']}.",
        "Dates as YYYY-MM-DD (or Excel dates). Coded columns have a dropdown of the allowed codes.",
        "Then run:  dyad record <practice> <this file> [--date YYYY-MM-DD]  — it checks every row against the",
        "data contract, adds nothing if any row is wrong (naming the sheet, row and column), and otherwise",
        "appends the rows to the practice's files, keeping a copy of each file changed in backups/.",
        "",
    ]
    for sheet in SHEETS.values():
        lines.append(f"{sheet.table} — {sheet.title}:")
        lines += [f"    {c}: {HELP[c]}" for c in sheet.columns]
    for i, line in enumerate(lines, start=1):
        readme.cell(row=i, column=1, value=line)
    readme.column_dimensions["A"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic(buf.getvalue())


def capture_filename(practice_id: str, period_slug: str) -> str:
    return f"capture-{practice_id}-{period_slug}.xlsx"


def columns_of(table: str) -> tuple[str, ...]:
    """The capture sheet's contract columns (every column of the table, none missing)."""
    cols = SHEETS[table].columns
    assert set(cols) == set(TABLES[table].column_names), table
    return cols

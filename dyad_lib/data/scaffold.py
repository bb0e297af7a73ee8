"""Templates for a new practice: practice.yaml and one header-only CSV per contract table."""

from __future__ import annotations

from pathlib import Path

from dyad_lib.data.contract import TABLES
from dyad_lib.data.paths import atomic_write_text

PRACTICE_YAML_TEMPLATE = """\
# Fill in every line, then run `dyad validate {practice_id}`.
practice_id: {practice_id}        # must stay equal to the folder name
name: {name}
kind: {kind}                      # dental | medical
fiscal_year_start_month: 1        # 1-12; 7 means the fiscal year runs July-June
currency: USD
active_patient_months: 18         # a patient seen within this many months is active
# date_format: "%m/%d/%Y"         # only if your exports write dates another way than 2025-03-31
partners:
  clinical_lead: ""               # the dentist or physician
  business_lead: ""               # the office manager or administrator
"""


def scaffold_practice(folder: Path, practice_id: str, *, kind: str = "dental", name: str = "") -> list[Path]:
    """Write the templates into a new folder (which must not exist) and return the files written."""
    folder.mkdir(parents=True, exist_ok=False)
    written = []
    path = folder / "practice.yaml"
    atomic_write_text(path, PRACTICE_YAML_TEMPLATE.format(
        practice_id=practice_id, kind=kind, name=name or practice_id.replace("-", " ").title()))
    written.append(path)
    for table in TABLES.values():
        path = folder / f"{table.name}.csv"
        atomic_write_text(path, ",".join(table.column_names) + "\n")
        written.append(path)
    return written

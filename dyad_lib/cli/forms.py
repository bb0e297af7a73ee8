"""`dyad forms PRACTICE`: print-ready questionnaires and spreadsheet templates for the partnership
instruments (the 14-area assessment, the recurring checkpoint questions, and the meeting capture
page with its workbook for decisions, actions and focus areas)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dyad_lib.cli.common import DataDirOption, ReportsDirOption, console, fail, usage_error, writable


def register(app: typer.Typer) -> None:
    @app.command("forms")
    def forms(
        practice_id: Annotated[str, typer.Argument(help="The practice, e.g. harbor-dental.")],
        out: Annotated[Optional[Path], typer.Option("--out", help="Folder to write to (default: reports/PRACTICE/forms/).")] = None,
        data_dir: DataDirOption = None,
        reports_dir: ReportsDirOption = None,
    ) -> None:
        """Write the assessment and checkpoint-question forms (one per partner) and CSV templates."""
        from dyad_lib.data.load import read_practice_yaml
        from dyad_lib.data.paths import PracticeIdError, atomic_write_bytes, atomic_write_text, practice_dir
        from dyad_lib.data.paths import reports_dir as resolve_reports
        from dyad_lib.reports.forms import form_files

        try:
            folder = practice_dir(practice_id, data_dir)
        except PracticeIdError as exc:
            usage_error(str(exc))
        if not folder.is_dir():
            usage_error(f"there is no practice named '{practice_id}' in the data folder (create one with `dyad new`).")
        issues: list = []
        config = read_practice_yaml(folder, issues)
        if config is None:
            fail("practice.yaml cannot be used: " + "; ".join(str(i) for i in issues))
        target = out if out is not None else resolve_reports(reports_dir) / practice_id / "forms"
        writable(Path(target), "forms folder")
        files = form_files(config.name, kind=config.kind, clinical_lead=config.clinical_lead,
                           business_lead=config.business_lead, practice_id=practice_id)
        for name, data in files.items():
            if isinstance(data, bytes):
                atomic_write_bytes(Path(target) / name, data)
            else:
                atomic_write_text(Path(target) / name, data)
        console.print(f"Wrote {len(files)} files to {target}: print the HTML forms (one per partner) or fill "
                      "in the CSV templates, then copy the answers into the practice's dyad_assessment.csv "
                      "and partner_questions.csv. For a meeting: print meeting-capture.html or fill in "
                      f"capture.xlsx, then `dyad record {practice_id} capture.xlsx`.", highlight=False)

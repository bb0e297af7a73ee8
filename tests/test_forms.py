"""Printable partnership questionnaires, CSV templates and `dyad forms`."""

from __future__ import annotations

import csv
import io
import re
from markupsafe import escape

import pytest
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.data.contract import DYAD_AREAS, PARTNER_QUESTIONS, QUESTION_TEXT, TABLES
from dyad_lib.reports.forms import (
    assessment_form,
    assessment_template_csv,
    form_files,
    questions_form,
    questions_template_csv,
    vocabulary,
)

from partnership_fixtures import write_practice


def test_assessment_form_lists_every_area_grouped_by_deliverer():
    html = assessment_form("Harbor", "physician", kind="medical")
    for code, (_, label, question) in DYAD_AREAS.items():
        assert f"<code>{code}</code>" in html
        assert str(escape(label)) in html and str(escape(vocabulary(question, "medical"))) in html
    # a dental practice reads its own words: the dentist, the office manager
    dental = assessment_form("Harbor", "physician", kind="dental")
    assert str(escape("The dentist speaks up for the office manager and the team's decisions.")) in dental
    # 14 areas x (rating + importance) x 5 boxes
    assert html.count('class="box"') == 14 * 2 * 5
    # the physician's own deliveries come first, then what the partner gives
    first_admin = html.index("<code>supportive_environment</code>")
    assert html.index("<code>admin_effectiveness</code>") < first_admin
    assert html.index("What you give your partner") < html.index("<code>engagement</code>") < html.index(
        "What your partner gives you")
    admin = assessment_form("Harbor", "administrator", kind="medical")
    assert admin.index("<code>supportive_environment</code>") < admin.index("<code>engagement</code>")
    assert "practice administrator (business lead)" in admin and "dentist" not in admin
    assert "physician" not in dental.replace("<code>physician</code>", "").replace("<td>physician</td>", "")
    # the CSV layout note names the contract's columns
    for col in TABLES["dyad_assessment"].column_names:
        assert f"<th>{col}</th>" in html


def test_forms_are_offline_and_escaped():
    html = assessment_form('Smith & <script>alert(1)</script> "Dental"', "physician",
                           respondent_name="Dr. <b>A</b>", partner_name="B & C")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Dr. &lt;b&gt;A&lt;/b&gt;" in html and "B &amp; C" in html
    q = questions_form("<i>P</i>", "administrator", respondent_name="<x>")
    assert "<i>P</i>" not in q and "&lt;x&gt;" in q
    for page in (html, q):
        assert not re.search(r"(src|href)\s*=", page)  # no external resource
        assert "@media print" in page


def test_questions_form_has_every_question():
    q = questions_form("Harbor", "physician")
    for code in PARTNER_QUESTIONS:
        assert f"<code>{code}</code>" in q and QUESTION_TEXT[code] in q
    assert q.count('class="answer"') == len(PARTNER_QUESTIONS)
    with pytest.raises(ValueError):
        questions_form("Harbor", "staff")


def test_csv_templates_load_back(tmp_path):
    rows = list(csv.DictReader(io.StringIO(assessment_template_csv())))
    assert len(rows) == 28
    assert [r["area"] for r in rows[:14]] == list(DYAD_AREAS) == [r["area"] for r in rows[14:]]
    assert {r["respondent"] for r in rows[:14]} == {"physician"}
    q = list(csv.DictReader(io.StringIO(questions_template_csv())))
    assert len(q) == 10 and [r["question"] for r in q[:5]] == list(PARTNER_QUESTIONS)
    # a filled-in template is accepted by the loader
    filled = assessment_template_csv("2026-09-15").replace(",,,\n", ",3,4,\n")
    answers = questions_template_csv("2026-09-15").replace(",\n", ",An answer\n").replace(
        "answer,An answer", "answer")
    p = write_practice(tmp_path, {"dyad_assessment": filled, "partner_questions": answers})
    assert len(p.tables["dyad_assessment"]) == 28 and p.tables["dyad_assessment"]["rating"].eq(3).all()
    assert len(p.tables["partner_questions"]) == 10


def test_form_files():
    files = form_files("Harbor", kind="medical", clinical_lead="Dr. A", business_lead="B")
    assert sorted(files) == ["assessment-business-lead.html", "assessment-clinical-lead.html", "capture.xlsx",
                             "dyad_assessment_template.csv", "meeting-capture.html", "partner_questions_template.csv",
                             "questions-business-lead.html", "questions-clinical-lead.html"]
    meeting = files["meeting-capture.html"]
    for col in ("decision", "lead", "review_date", "metric_id", "title", "owner", "due_date", "area", "note"):
        assert f'class="mb-c-{col}"' in meeting, col
    assert "physician, administrator (practice administrator), joint" in meeting
    assert "biggest_challenge" in meeting and not re.search(r"(src|href)\s*=", meeting)
    assert files["capture.xlsx"].startswith(b"PK")  # the workbook dyad record reads
    assert "Dr. A" in files["assessment-clinical-lead.html"] and "physician (clinical lead)" in files[
        "assessment-clinical-lead.html"]


def test_dyad_forms_command(tmp_path):
    write_practice(tmp_path / "data", {}, pid="demo-one")
    runner = CliRunner()
    r = runner.invoke(app, ["forms", "demo-one", "--data-dir", str(tmp_path / "data"),
                            "--reports-dir", str(tmp_path / "reports")])
    assert r.exit_code == 0, r.output
    out = tmp_path / "reports" / "demo-one" / "forms"
    assert sorted(p.name for p in out.iterdir()) == sorted(form_files("x"))
    assert "Test Practice" in (out / "assessment-clinical-lead.html").read_text()
    assert (out / "capture.xlsx").read_bytes()[:2] == b"PK"
    assert "dyad record demo-one capture.xlsx" in (out / "meeting-capture.html").read_text()
    r = runner.invoke(app, ["forms", "demo-one", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0 and (tmp_path / "o" / "questions-business-lead.html").is_file()
    r = runner.invoke(app, ["forms", "missing-one", "--data-dir", str(tmp_path / "data")])
    assert r.exit_code == 2  # an unknown practice is a usage error, as in every command
    r = runner.invoke(app, ["forms", "../up", "--data-dir", str(tmp_path / "data")])
    assert r.exit_code == 2

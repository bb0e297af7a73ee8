"""A family practice reads its reports in its own words: every report rendered for the medical demo
(and for a practice imported from OpenEMR) is searched for the dental-only vocabulary, outside the
glossary (which prints the contract's column names, such as gross_production and chair_minutes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

#: Dental-only words: a medical report speaks of charges, exam rooms, care plans, physicians and
#: practice administrators instead.
DENTAL_TERMS = (r"\bproduction\b", r"\bproduce[sd]?\b", r"\bchairs?\b", r"treatment presented", r"case acceptance",
                r"\bhygien", r"\bdentists?\b", r"\boffice managers?\b", r"\bdental\b", r"\boperator(y|ies)\b")
HEADING = "\u00a7H2\u00a7"


def visible_text_outside_glossary(html: str) -> str:
    """The report's readable text (no scripts, styles or chart specs) without its glossary section
    (a section of its own or a sub-section of the appendix)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "template"]):
        tag.decompose()
    for h in soup.find_all(["h1", "h2", "h3"]):
        h.insert(0, f" {HEADING} ")
    chunks = soup.get_text(" ").split(HEADING)
    kept = [c for c in chunks if not c.strip().lower().startswith("glossary")]
    return re.sub(r"\s+", " ", " ".join(kept))


def leaks(html: str) -> list[str]:
    text = visible_text_outside_glossary(html)
    out = []
    for term in DENTAL_TERMS:
        for m in re.finditer(term, text, flags=re.I):
            out.append(f"{m.group(0)!r} in …{text[max(0, m.start() - 70):m.end() + 40]}…")
    return out


def practice_reports(root: Path, practice_id: str) -> list[Path]:
    return sorted((root / practice_id).rglob("*.html"))


def assert_every_report_rendered(files: list[Path]) -> None:
    """Every practice report of the catalog (the meeting brief, the annual goals with its what-if …)
    is among the files scanned, so a report added later is covered without touching this test."""
    from dyad_lib.reports.catalog import catalog

    expected = {s.name for s in catalog().values() if not s.portfolio and s.demo_period}
    assert {f.stem for f in files} >= expected, expected - {f.stem for f in files}


def test_the_scan_finds_dental_words_and_skips_the_glossary():
    html = ("<h1>Monthly review</h1><p>Net production rose.</p><h2 id='Glossary'>Glossary</h2>"
            "<table><tr><td>Σ gross_production per chair hour</td></tr></table><h2>Data quality</h2><p>Fine.</p>"
            "<script>var production = 1;</script>")
    assert [x.split(" in ")[0] for x in leaks(html)] == ["'production'"]
    appendix = ("<h2>Appendix</h2><h3>Data quality</h3><p>Chair hours missing.</p><h3>Glossary</h3>"
                "<p>net production ÷ chair_hours</p><h2>Agreement</h2><p>The dentist signs.</p>")
    assert [x.split(" in ")[0] for x in leaks(appendix)] == ["'Chair'", "'dentist'"]
    assert leaks("<p>Charges per exam-room hour, physicians and the practice administrator.</p>") == []


def test_every_report_of_the_medical_demo_uses_medical_words(demo_run):
    _, root, _ = demo_run
    files = practice_reports(root, "maple-family-medicine")
    assert_every_report_rendered(files)
    found = {f.relative_to(root).as_posix(): leaks(f.read_text(encoding="utf-8")) for f in files}
    assert {k: v for k, v in found.items() if v} == {}


@pytest.fixture(scope="module")
def imported_reports(tmp_path_factory):
    """A small family practice imported from a generated OpenEMR database (with the accountant's
    expenses through the shipped mapping and the year's goals agreed, so the budget and goal sections
    show), and every report run on it (the meeting brief for a month and for a quarter)."""
    import datetime as dt

    from dyad_lib.demo.openemr_fixture import FixtureSpec, write_openemr_demo
    from dyad_lib.pipeline.batch import Job, demo_jobs, run_batch

    data = tmp_path_factory.mktemp("oe-demo-data")
    spec = FixtureSpec(start=dt.date(2024, 10, 1), end=dt.date(2026, 9, 30), physicians=1, nurse_practitioners=1,
                       visits_per_day=6.0, seed=21, horizon_days=40)
    result = write_openemr_demo(data, "small-clinic", spec)
    root = tmp_path_factory.mktemp("oe-demo-reports")
    jobs = demo_jobs(["small-clinic"]) + [Job("meeting_brief", "small-clinic", "2026Q3")]  # the quarter's brief too
    batch = run_batch(jobs, data_dir=data, reports_dir=root,
                      cache_dir=tmp_path_factory.mktemp("oe-demo-cache"), workers=2)
    return result, batch, root


def test_a_practice_imported_from_openemr_produces_every_report_in_medical_words(imported_reports):
    result, batch, root = imported_reports
    assert result.report.max_delta == 0.0
    assert batch.ok, [(r.job.key, r.status, r.error) for r in batch.results if r.status != "ok"][:3]
    files = practice_reports(root, "small-clinic")
    assert_every_report_rendered(files)
    assert (root / "small-clinic" / "2026Q3" / "meeting_brief.html").is_file()
    found = {f.relative_to(root).as_posix(): leaks(f.read_text(encoding="utf-8")) for f in files}
    assert {k: v for k, v in found.items() if v} == {}
    review = visible_text_outside_glossary((root / "small-clinic" / "2026-09" / "monthly_review.html").read_text())
    assert "No budget for" not in review and "Spent against the committed budget" in review  # the budget section shows
    for label in ("Claim denial rate", "Charge lag", "Visits per physician day", "Patient share of collections"):
        assert label in review or label in (root / "small-clinic" / "2026-09-t12" / "practice_assessment.html"
                                            ).read_text(), label

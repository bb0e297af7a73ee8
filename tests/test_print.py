"""Printed reports (headless Chromium, counted with a PDF reader): every page carries the running
header (practice · report · period) and "Page n of N"; no page ends on a heading; the monthly review
fits 8 pages, the quarterly report 12, the meeting brief 2 — its capture page starting on page 3."""

from __future__ import annotations

import html
import re

import pytest

from pipeline_helpers import chromium_or_skip
from report_fixtures import demo_data_dir

pypdf = pytest.importorskip("pypdf")
pytestmark = [pytest.mark.slow, pytest.mark.browser]

JOBS = [("monthly_review", "harbor-dental", "2026-09"), ("quarterly_partnership", "harbor-dental", "2026Q3"),
        ("quarterly_partnership", "maple-family-medicine", "2026Q3"), ("meeting_brief", "harbor-dental", "2026-09"),
        ("meeting_brief", "maple-family-medicine", "2026Q3")]
MAX_PAGES = {"monthly_review": 8, "quarterly_partnership": 12, "meeting_brief": 3}
TITLES = {"monthly_review": "Monthly financial review", "quarterly_partnership": "Quarterly partnership report",
          "meeting_brief": "Meeting brief"}
NAMES = {"harbor-dental": "Harbor Cosmetic & Implant Dentistry", "maple-family-medicine": "Maple Street Family Medicine"}
HEADER_PERIOD = {"2026-09": "September 2026", "2026Q3": "2026Q3 (July – September 2026)"}


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    chromium_or_skip()
    from dyad_lib.pipeline.batch import Job, run_batch

    data = demo_data_dir(tmp_path_factory)
    root = tmp_path_factory.mktemp("print")
    result = run_batch([Job(r, p, per) for r, p, per in JOBS], data_dir=data, reports_dir=root,
                       cache_dir=tmp_path_factory.mktemp("print-cache"), workers=2, pdf=True, use_cache=False)
    assert result.ok, [(r.job, r.error) for r in result.results]
    out = {}
    for r in result.results:
        job = (r.report, r.practice_id, r.period)
        pages = [p.extract_text() for p in pypdf.PdfReader(root / r.pdf).pages]
        out[job] = ((root / r.html).read_text(encoding="utf-8"), pages)
    return out


def _lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def _headings(page_html: str) -> list[str]:
    found = re.findall(r"<h[2-4][^>]*>(.*?)</h[2-4]>", page_html, re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", h))).replace("¶", "").strip() for h in found]


@pytest.mark.parametrize("job", JOBS, ids=["-".join(j) for j in JOBS])
def test_pages_have_a_running_header_and_numbers(printed, job):
    report, pid, period = job
    _, pages = printed[job]
    header = f"{NAMES[pid]} · {TITLES[report]} · {HEADER_PERIOD[period]}"
    for n, page in enumerate(pages, start=1):
        lines = _lines(page)
        assert f"Page {n} of {len(pages)}" in lines, (n, lines[:3])
        if n > 1:
            assert header in lines, (n, lines[:3])


@pytest.mark.parametrize("job", JOBS, ids=["-".join(j) for j in JOBS])
def test_page_budget_and_no_heading_at_a_page_foot(printed, job):
    report, _, _ = job
    page_html, pages = printed[job]
    assert len(pages) <= MAX_PAGES[report], f"{report}: {len(pages)} pages"
    heads = set(_headings(page_html))
    for n, page in enumerate(pages[:-1], start=1):
        body = [line for line in _lines(page) if not re.fullmatch(r"Page \d+ of \d+", line) and " · " not in line]
        foot = body[-2:]
        assert not heads & set(foot), f"page {n} ends with a heading: {foot}"


def test_the_brief_is_two_pages_and_a_capture_page(printed):
    for job in JOBS:
        if job[0] != "meeting_brief":
            continue
        _, pages = printed[job]
        first = [n for n, p in enumerate(pages, start=1) if "Capture page" in _lines(p)]
        assert first == [len(pages)] and len(pages) <= 3, (job, first, len(pages))
        assert "Decisions to take" in "".join(pages[:2]) and "Agenda" in pages[0]


def test_quarterly_detail_is_in_the_appendix(printed):
    _, pages = printed[("quarterly_partnership", "harbor-dental", "2026Q3")]
    start = next(n for n, p in enumerate(pages) if "Appendix: the details" in p)
    tail = "".join(pages[start:])
    for part in ("The assessment, charted", "360 feedback", "The decision grid", "The conflict log", "Glossary"):
        assert part in tail, part
    assert "Appendix: the details" in _lines(pages[start])[2]  # it starts a page (after the header and number)

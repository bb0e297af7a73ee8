"""`reports/index.html`: every report produced, by practice and period, with its status and link.

Built from `reports/manifest.json` (the latest state of each report, written by every run) and
from what is on disk (a report made before manifests existed still appears). Offline, escaped,
in the report look; failed reports link their error page and the last good version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dyad_lib.data.paths import atomic_write_text
from dyad_lib.data.paths import reports_dir as resolve_reports_dir

STATUS_TEXT = {"ok": "ok", "warnings": "ok, with warnings", "failed": "failed", "skipped": "skipped",
               "blocked": "blocked", "not applicable": "not applicable"}
#: Statuses kept in the index even without a page: the reason is the point.
WITHOUT_PAGE = ("skipped", "blocked", "not applicable")
_SLUG_PERIOD = re.compile(r"^(\d{4})-(\d{2})")


def collect(reports_root: Path) -> dict[str, dict[str, Any]]:
    """Entries keyed 'practice/period/report' from the manifest, plus reports found on disk."""
    entries: dict[str, dict[str, Any]] = {}
    mf = reports_root / "manifest.json"
    if mf.is_file():
        try:
            entries.update(json.loads(mf.read_text(encoding="utf-8")).get("reports", {}))
        except ValueError:
            pass
    for p in reports_root.glob("*/*/*.html"):
        if p.name.endswith(".error.html") or p.name.startswith("."):
            continue
        key = p.relative_to(reports_root).with_suffix("").as_posix()
        if key not in entries:
            practice, period, report = key.split("/")
            entries[key] = {"report": report, "practice_id": practice, "period": period, "period_slug": period,
                            "status": "ok", "html": p.relative_to(reports_root).as_posix(), "practice_name": ""}
    # a manifest entry whose files were deleted since: keep it only if something still exists
    for key, e in list(entries.items()):
        if not any(e.get(k) and (reports_root / e[k]).exists() for k in ("html", "error_html")) \
                and e.get("status") not in WITHOUT_PAGE:
            del entries[key]
    return entries


def _period_sort(slug: str) -> tuple:
    m = _SLUG_PERIOD.match(slug)
    if m:
        return (int(m.group(1)), int(m.group(2)), slug)
    m = re.match(r"^(\d{4})Q(\d)", slug)
    if m:
        return (int(m.group(1)), int(m.group(2)) * 3, slug)
    m = re.match(r"^FY(\d{4})", slug)
    if m:
        return (int(m.group(1)), 12, slug)
    return (0, 0, slug)


def render_index(entries: dict[str, dict[str, Any]]) -> str:
    from dyad_lib.fmt import spell_date
    from dyad_lib.pipeline.render import page
    from dyad_lib.pipeline.runner import PORTFOLIO, report_title
    from dyad_lib.reports.catalog import catalog
    from dyad_lib.reports.html import render

    by_practice: dict[str, list[dict[str, Any]]] = {}
    for e in entries.values():
        by_practice.setdefault(e.get("practice_id", "?"), []).append(e)
    order = {r: i for i, r in enumerate(catalog())}
    counts: dict[str, int] = {}
    for e in entries.values():
        counts[e.get("status", "ok")] = counts.get(e.get("status", "ok"), 0) + 1
    summary = ", ".join(f"{n} {STATUS_TEXT.get(s, s)}" for s, n in sorted(counts.items())) or "no reports yet"
    practices = []
    for p in sorted(by_practice, key=lambda p: (p == PORTFOLIO, p)):
        rows = sorted(by_practice[p], key=lambda e: (-_period_sort(e.get("period_slug", ""))[0],
                                                     -_period_sort(e.get("period_slug", ""))[1],
                                                     order.get(e.get("report"), 99), e.get("report", "")))
        blocked = [e for e in rows if e.get("status") == "blocked"]
        practices.append({"id": p, "name": _name(rows, p), "rows": [_row(e, report_title, spell_date) for e in rows],
                          "status": "blocked" if blocked else "",
                          "status_text": (blocked[0].get("error") or "blocking problems in the data") if blocked else ""})
    return page("dyad reports", render("pages/index", summary=summary, practices=practices))


def _row(e: dict[str, Any], report_title, spell_date) -> dict[str, Any]:
    """One line of the index: the report, its status and the notes that explain it."""
    st = e.get("status", "ok")
    notes: list[dict[str, str | None]] = []
    if st == "failed":
        sec = f" (section “{e['section']}”)" if e.get("section") else ""
        notes.append({"text": f"{e.get('error') or 'unknown reason'}{sec}", "href": None})
        if e.get("error_html"):
            notes.append({"text": "what went wrong", "href": e["error_html"]})
        if e.get("html"):
            notes.append({"text": "the link shows the last good version", "href": None})
    elif st in ("skipped", "blocked", "not applicable"):
        notes.append({"text": e.get("error") or e.get("note") or "", "href": None})
    if st != "not applicable" and e.get("note"):
        notes.append({"text": e["note"], "href": None})
    elif e.get("warnings"):
        notes.append({"text": "; ".join(e["warnings"]), "href": None})
    if e.get("pdf"):
        notes.append({"text": "PDF", "href": e["pdf"]})
    when = ""
    if e.get("finished"):
        try:
            when = spell_date(e["finished"][:10])
        except Exception:
            when = ""
    return {"period": e.get("period", e.get("period_slug")), "html": e.get("html"),
            "title": report_title(e.get("report", "")), "status": st, "status_text": STATUS_TEXT.get(st, st),
            "notes": notes, "when": when}


def _name(rows: list[dict[str, Any]], practice_id: str) -> str:
    if practice_id == "portfolio":
        return "Portfolio (all practices)"
    for e in rows:
        if e.get("practice_name"):
            return e["practice_name"]
    return practice_id


def build_index(reports_dir: Any = None) -> Path:
    """Rebuild `<reports>/index.html` and return its path."""
    root = resolve_reports_dir(reports_dir)
    out = root / "index.html"
    atomic_write_text(out, render_index(collect(root)))
    return out

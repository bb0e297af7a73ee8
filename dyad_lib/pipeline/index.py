"""`reports/index.html`: every report produced, by practice and period, with its status and link.

Built from `reports/manifest.json` (the latest state of each report, written by every run) and
from what is on disk (a report made before manifests existed still appears). Offline, escaped,
in the report look; failed reports link their error page and the last good version.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from dyad_lib.data.paths import atomic_write_text
from dyad_lib.data.paths import reports_dir as resolve_reports_dir

STATUS_TEXT = {"ok": "ok", "warnings": "ok, with warnings", "failed": "failed", "skipped": "skipped"}
_SLUG_PERIOD = re.compile(r"^(\d{4})-(\d{2})")


def _esc(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


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
        if not any(e.get(k) and (reports_root / e[k]).exists() for k in ("html", "error_html")) and e.get("status") != "skipped":
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
    from dyad_lib.pipeline.render import page
    from dyad_lib.fmt import spell_date
    from dyad_lib.pipeline.runner import PORTFOLIO, REPORTS, report_title

    by_practice: dict[str, list[dict[str, Any]]] = {}
    for e in entries.values():
        by_practice.setdefault(e.get("practice_id", "?"), []).append(e)
    order = {r: i for i, r in enumerate(REPORTS)}
    counts: dict[str, int] = {}
    for e in entries.values():
        counts[e.get("status", "ok")] = counts.get(e.get("status", "ok"), 0) + 1
    summary = ", ".join(f"{n} {STATUS_TEXT.get(s, s)}" for s, n in sorted(counts.items())) or "no reports yet"
    parts = ['<header class="dyad-title"><p class="dyad-kicker">dyad</p><h1>Reports</h1>'
             f'<p class="dyad-sub">{_esc(summary)}</p></header>']
    practices = sorted(by_practice, key=lambda p: (p == PORTFOLIO, p))
    if len(practices) > 1:
        lis = "".join(f'<li><a href="#p-{_esc(p)}">{_esc(_name(by_practice[p], p))}</a></li>' for p in practices)
        parts.append(f'<nav class="dyad-toc" aria-label="Practices"><strong>Practices</strong><ol>{lis}</ol></nav>')
    for p in practices:
        rows = sorted(by_practice[p], key=lambda e: (-_period_sort(e.get("period_slug", ""))[0],
                                                     -_period_sort(e.get("period_slug", ""))[1],
                                                     order.get(e.get("report"), 99), e.get("report", "")))
        parts.append(f'<h2 id="p-{_esc(p)}">{_esc(_name(rows, p))}</h2>')
        body = []
        for e in rows:
            st = e.get("status", "ok")
            link = (f'<a href="{_esc(e["html"])}">{_esc(report_title(e.get("report", "")))}</a>' if e.get("html")
                    else _esc(report_title(e.get("report", ""))))
            notes = []
            if st == "failed":
                why = e.get("error") or "unknown reason"
                sec = f" (section “{e['section']}”)" if e.get("section") else ""
                notes.append(f"{_esc(why)}{_esc(sec)}")
                if e.get("error_html"):
                    notes.append(f'<a href="{_esc(e["error_html"])}">what went wrong</a>')
                if e.get("html"):
                    notes.append("the link shows the last good version")
            elif st == "skipped":
                notes.append(_esc(e.get("error") or ""))
            elif e.get("warnings"):
                notes.append(_esc("; ".join(e["warnings"])))
            if e.get("pdf"):
                notes.append(f'<a href="{_esc(e["pdf"])}">PDF</a>')
            when = ""
            if e.get("finished"):
                try:
                    when = spell_date(e["finished"][:10])
                except Exception:
                    when = ""
            body.append(f"<tr><td class=\"nowrap\">{_esc(e.get('period', e.get('period_slug')))}</td><td>{link}</td>"
                        f'<td><span class="dyad-status {_esc(st)}">{_esc(STATUS_TEXT.get(st, st))}</span></td>'
                        f"<td>{' · '.join(notes)}</td><td class=\"num\">{_esc(when)}</td></tr>")
        parts.append('<table class="dyad-table"><thead><tr><th>Period</th><th>Report</th><th>Status</th>'
                     f'<th>Notes</th><th class="num">Produced</th></tr></thead><tbody>{"".join(body)}</tbody></table>')
    return page("dyad reports", "\n".join(parts))


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

"""Hostile text planted in a real practice: every free-text and code value that reaches a page.

`PAYLOADS` try to break out of each context a value can land in: an inline `<script>` (the chart
specs), an HTML comment, an attribute, plain HTML text. Each one, if it ever ran, would leave a
mark in the DOM that Chromium dumps: the page title `PWNED` or `data-xss="ran"` on <html>. The
JavaScript builds both marks from pieces, so the payload's own text (shown escaped, as it must be)
can never be mistaken for the mark.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

_TITLE = "document.title='PW'+'NED'"
_MARK = "document.documentElement.setAttribute('data-x'+'ss','r'+'an')"
#: One payload per context; each is a whole value (a provider id, a partner's name, a competency).
PAYLOADS = {
    "script": f"</script><script>{_TITLE}</script>",
    "script_upper": f"</SCRIPT ><script>{_MARK}</script >",
    "comment": f"<!--<script>{_MARK}</script>-->",
    "img": f"<img src=x onerror=\"{_MARK}\">",
    "separator": f"\u2028</script>\u2029<svg onload=\"{_TITLE}\">",
    "title": f"</title><script>{_MARK}</script>",
}


def ran(dom: str) -> bool:
    """True when any payload executed in the page whose DOM this is."""
    return "PWNED" in dom or 'data-xss="ran"' in dom


def _rewrite_csv(path: Path, column: str, mapping) -> None:
    """Replace every value of `column` via `mapping(value)` (the CSV module quotes as needed)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    at = rows[0].index(column)
    for r in rows[1:]:
        if len(r) > at and r[at]:
            r[at] = mapping(r[at])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _keep_recent(path: Path, column: str, since: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    at = rows[0].index(column)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], *(r for r in rows[1:] if r[at] >= since)])
    path.write_text(out.getvalue(), encoding="utf-8")


def write_hostile_practice(demo_data: Path, target_root: Path, pid: str = "hostile-dental") -> Path:
    """The dental demo practice with a payload as every provider id, both partners' names and
    every 360 competency; returns the practice folder."""
    src = demo_data / "harbor-dental"
    folder = target_root / pid
    shutil.copytree(src, folder)
    providers = sorted({r["provider_id"] for r in csv.DictReader(io.StringIO(
        (src / "appointments.csv").read_text(encoding="utf-8-sig"))) if r["provider_id"]})
    kinds = list(PAYLOADS.values())
    prov = {p: f"{p}{kinds[i % len(kinds)]}" for i, p in enumerate(providers)}
    for table, date in (("appointments.csv", "date"), ("treatment_plans.csv", "presented_date")):
        _keep_recent(folder / table, date, "2025-07")  # a smaller practice: the reports run faster
    for table in ("appointments.csv", "treatment_plans.csv", "financials.csv"):
        _rewrite_csv(folder / table, "provider_id", lambda v: prov.get(v, v))
    comps: dict[str, str] = {}
    _rewrite_csv(folder / "feedback_360.csv", "competency",
                 lambda v: comps.setdefault(v, f"{v}{kinds[len(comps) % len(kinds)]}"))
    text = (folder / "practice.yaml").read_text(encoding="utf-8")
    text = text.replace("practice_id: harbor-dental", f"practice_id: {pid}")
    text = text.replace("Dr. Ana Rivera", _yaml_str("Dr. Ana " + PAYLOADS["script"]))
    text = text.replace("Jordan Chen", _yaml_str("Jordan " + PAYLOADS["img"] + PAYLOADS["comment"]))
    text = text.replace("name: Harbor Cosmetic & Implant Dentistry",
                        "name: " + _yaml_str("Harbor " + PAYLOADS["script_upper"] + PAYLOADS["title"]))
    (folder / "practice.yaml").write_text(text, encoding="utf-8")
    return folder


def _yaml_str(s: str) -> str:
    import json

    return json.dumps(s)  # a JSON string is a valid YAML double-quoted scalar


RAGGED_PATIENT = "HD-003817"


def write_ragged_practice(target_root: Path, pid: str = "ragged-dental") -> Path:
    """A practice whose appointments file has a trailing empty header column (as Excel writes it)
    and one row with an extra value, which shifts its patient id into chair_minutes."""
    from report_fixtures import write_minimal

    folder = write_minimal(target_root, pid, "Ragged Dental")
    head = "appointment_id,date,provider_id,patient_id,chair_minutes,status,visit_type,production,\n"
    rows = ["A1,2025-12-01,D1,HD-000101,60,completed,exam,150,",
            "A2,2025-12-02,D1,HD-000102,30,completed,hygiene,90,",
            f"A3,2025-12-03,D1,x,{RAGGED_PATIENT},45,completed,exam,120",
            "A4,2025-12-04,D1,HD-000104,30,no_show,hygiene,,"]
    (folder / "appointments.csv").write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    return folder

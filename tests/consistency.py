"""The consistency harness: every number a report shows, read back from the page and checked.

A report tags each number it shows with what it is (`fmt.Figure` → `data-metric`, `data-period`
as `dyad metrics --period` spells it, the unrounded `data-value`; a derived figure names what it
is derived from in `data-derived`; a benchmark band names its kind of practice, basis and tier).
Charts carry the same in their embedded data rows (`metric`, `period`, `value`). `read_pages`
collects them all; `check` holds them against `compute_metrics`, against each other (one value per
practice, metric, period and basis across every report and surface) and against the rules for
bands; `check_cli` against the `dyad metrics --json` document of the CLI itself.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Tagged:
    """One tagged number: where it was found and what it says it is."""

    practice: str
    report: str
    surface: str  # html | chart | sparkline
    metric: str | None
    derived: str | None
    period: str | None
    value: float | None
    basis: str | None = None
    text: str = ""
    attrs: tuple = ()

    def attr(self, name: str) -> str | None:
        return dict(self.attrs).get(name)


class _Figures(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[dict[str, str], list[str]]] = []
        self._stack: list[tuple[dict[str, str], list[str]]] = []
        self.series: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "span" and "dyad-num" in a.get("class", "").split():
            self._stack.append((a, []))
        if tag == "svg" and a.get("data-series"):
            self.series.append(a)

    def handle_endtag(self, tag):
        if tag == "span" and self._stack:
            self.found.append(self._stack.pop())

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][1].append(data)


def _num(x: Any) -> float | None:
    if x in (None, ""):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _datasets(page: str) -> list[list[dict]]:
    """The data rows of every chart spec embedded in the page."""
    out = []
    dec = json.JSONDecoder()
    for m in re.finditer(r'"datasets":\s*', page):
        try:
            obj, _ = dec.raw_decode(page, m.end())
        except ValueError:
            continue
        out += [rows for rows in obj.values() if isinstance(rows, list)]
    return out


def read_page(path: Path, practice: str, report: str) -> list[Tagged]:
    """Every tagged number of one page (spans and chart rows)."""
    page = path.read_text(encoding="utf-8")
    p = _Figures()
    p.feed(page)
    out = []
    for a, text in p.found:
        pr = a.get("data-practice") or practice
        out.append(Tagged(pr, report, "html", a.get("data-metric") or None, a.get("data-derived") or None,
                          a.get("data-period") or None, _num(a.get("data-value")), a.get("data-basis") or None,
                          "".join(text), tuple(sorted((k[5:], v) for k, v in a.items() if k.startswith("data-")))))
    for a in p.series:  # small inline charts: every point with its period
        for label, value in json.loads(a["data-series"]):
            out.append(Tagged(practice, report, "sparkline", a.get("data-metric"), None, label, _num(value)))
    for rows in _datasets(page):
        for r in rows:
            if not isinstance(r, dict) or not r.get("period") or not (r.get("metric") or r.get("derived")):
                continue
            value = r.get("value", r.get("dollars"))
            out.append(Tagged(r.get("practice_id") or practice, report, "chart", r.get("metric"), r.get("derived"),
                              r["period"], _num(value)))
    return out


def read_pages(root: Path) -> list[Tagged]:
    """Every tagged number of every report under a reports folder
    (`<practice>/<period>/<report>.html`; the portfolio names each number's practice)."""
    out = []
    for path in sorted(root.glob("*/*/*.html")):
        if path.name.endswith(".error.html"):
            continue
        practice, report = path.parent.parent.name, path.stem
        out += read_page(path, practice, report)
    return out


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    keys: int = 0

    def fail(self, msg: str) -> None:
        self.problems.append(msg)


def same(a: float | None, b: float | None, rel: float = 1e-9, abs_: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def check(tagged: list[Tagged], practices: dict[str, Any]) -> Report:
    """Hold every tagged number against `compute_metrics`, against the others of the same
    (practice, metric, period, basis), and bands against their kind and basis. `practices` maps a
    practice id to its loaded snapshot."""
    from dyad_lib.metrics import benchmarks, registry
    from dyad_lib.metrics.compute import compute_metrics, metric_def
    from dyad_lib.metrics.periods import parse_period

    rep = Report()
    groups: dict[tuple, list[Tagged]] = defaultdict(list)
    for t in tagged:
        if t.practice not in practices:
            rep.fail(f"{t.report}: a number of an unknown practice '{t.practice}' ({t.text})")
            continue
        if not t.period:
            rep.fail(f"{t.practice} {t.report}: {t.metric or t.derived} without a period ({t.text})")
            continue
        groups[(t.practice, t.metric, t.derived, t.period, t.basis)].append(t)
    rep.keys = len(groups)
    cache: dict[tuple, dict] = {}
    for (pid, metric, derived, label, basis), ts in groups.items():
        practice = practices[pid]
        fy = practice.config.fiscal_year_start_month
        try:
            period = parse_period(label, fy)
        except Exception as exc:
            rep.fail(f"{pid} {ts[0].report}: period '{label}' of {metric or derived} does not parse ({exc})")
            continue
        if period.label != label:
            rep.fail(f"{pid}: period '{label}' is spelled '{period.label}' by the CLI")
        if derived == "band":
            for t in ts:
                _check_band(rep, t, practice, period, benchmarks, registry)
            continue
        values = [t.value for t in ts]
        if any(not same(v, values[0], rel=1e-6) for v in values):
            where = ", ".join(sorted({f"{t.report}/{t.surface}: {t.text or t.value}" for t in ts}))
            rep.fail(f"{pid} {metric or derived} {label}: more than one value ({where})")
            continue
        if derived is not None:
            expected = _derived(derived, basis, practice, period)
            if expected is not _UNKNOWN and not same(values[0], expected, rel=1e-6):
                rep.fail(f"{pid} {derived} {label}: shown {values[0]}, recomputed {expected} ({ts[0].report})")
            rep.checked += len(ts)
            continue
        key = (pid, label)
        if key not in cache:
            cache[key] = {}
        if metric not in cache[key]:
            cache[key].update(compute_metrics(practice, period, [metric]))
        expected = cache[key][metric].value
        if not same(values[0], expected, rel=1e-9):
            rep.fail(f"{pid} {metric} {label}: shown {values[0]} ({ts[0].report}/{ts[0].surface} '{ts[0].text}'), "
                     f"compute_metrics {expected}")
        d = metric_def(practice, metric)
        if not d.applies(practice.kind):
            rep.fail(f"{pid} {metric}: not a measure for a {practice.kind} practice, shown in {ts[0].report}")
        rep.checked += len(ts)
    return rep


_UNKNOWN = object()


def _derived(derived: str, basis: str | None, practice, period) -> Any:
    """Recompute a derived figure from the one function that sizes it."""
    from dyad_lib.metrics.compute import compute_metrics
    from dyad_lib.metrics.opportunities import no_show_gap, practice_opportunities
    from dyad_lib.metrics.targets import target

    scale = period.n_months if basis == "per_month" else 1
    if derived.startswith("no_show_gap."):
        v = compute_metrics(practice, period, ["no_show_rate", "visits_completed", "net_production"])
        t = target("no_show_rate", practice.kind)
        gap = no_show_gap(v["no_show_rate"].value, v["visits_completed"].value, v["net_production"].value, t.value)
        return getattr(gap, derived.split(".", 1)[1]) / scale
    if derived == "collections_growth":
        now = compute_metrics(practice, period, ["collections"])["collections"].value
        before = compute_metrics(practice, period.year_earlier(), ["collections"])["collections"].value
        return None if now is None or not before else now / before - 1
    if derived.endswith("_per_provider"):
        from dyad_lib.metrics.benchmarks import doctor_fte

        base = derived[: -len("_per_provider")]
        v = compute_metrics(practice, period, [base])[base].value
        fte = doctor_fte(practice, period)
        return None if v is None or not fte else v / fte
    if derived.startswith("opportunity."):
        lever = derived.split(".", 1)[1]
        opps = practice_opportunities(practice, period)
        found = [o for o in opps.items if o.lever == lever]
        return found[0].dollars / scale if found else None
    return _UNKNOWN


def _check_band(rep: Report, t: Tagged, practice, period, benchmarks, registry) -> None:
    """A band shown for a value: of the practice's own kind, on the value's basis, scaled as
    published × months × providers."""
    kind = t.attr("band-applies-to")
    if kind != practice.kind:
        rep.fail(f"{t.practice} {t.report}: a {kind} band shown for {t.metric} of a {practice.kind} practice")
        return
    d = registry.get(t.metric) if not t.metric.startswith("quality_") else None
    if d is None:
        return
    per = t.attr("band-per") or None
    if not registry.band_fits(registry.Band(0, 0, "benchmark", "top", kind, "s", per=per), d.basis):
        rep.fail(f"{t.practice} {t.report}: a band per '{per}' shown for {t.metric}, whose value is a {d.basis}")
    bands = benchmarks.for_period(practice, period, d)
    match = [b for b in bands if same(b.low, _num(t.attr("band-low"))) and same(b.high, _num(t.attr("band-high")))
             and b.tier == t.attr("band-tier")]
    if not match:
        rep.fail(f"{t.practice} {t.report}: band '{t.text}' for {t.metric} {t.period} is not one of "
                 f"{[b.short for b in bands]} on that period's basis")
    rep.checked += 1


def check_cli(tagged: list[Tagged], data_dir: Path, cache_dir: Path, practices: dict[str, Any],
              periods: int | None = None) -> Report:
    """The values against `dyad metrics --json` (the CLI itself, in this process): one call per
    (practice, period) of the numbers in the pages' text (charts' months are checked against
    `compute_metrics` by `check`)."""
    from typer.testing import CliRunner

    from dyad_lib.cli.app import app

    rep = Report()
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    shown: dict[tuple[str, str, str], float | None] = {}
    for t in tagged:
        if t.surface == "html" and t.metric and not t.derived and t.period and t.practice in practices:
            wanted[(t.practice, t.period)].add(t.metric)
            shown[(t.practice, t.period, t.metric)] = t.value
    runner = CliRunner()
    for i, ((pid, label), mids) in enumerate(sorted(wanted.items())):
        if periods is not None and i >= periods:
            break
        res = runner.invoke(app, ["metrics", pid, "--period", label, "--json", "--data-dir", str(data_dir),
                                  "--cache-dir", str(cache_dir)])
        if res.exit_code != 0:
            rep.fail(f"dyad metrics {pid} --period '{label}' failed: {res.output[-300:]}")
            continue
        doc = json.loads(res.stdout)
        if doc["period"] != label:
            rep.fail(f"dyad metrics {pid} --period '{label}' answers for '{doc['period']}'")
        for mid in mids:
            entry = doc["metrics"].get(mid)
            if entry is None:
                rep.fail(f"{pid} {label}: {mid} is shown in a report but not in `dyad metrics --json`")
                continue
            if not same(shown[(pid, label, mid)], entry["value"], rel=1e-6, abs_=0.006):
                rep.fail(f"{pid} {mid} {label}: report {shown[(pid, label, mid)]}, dyad metrics {entry['value']}")
            rep.checked += 1
    rep.keys = len(wanted)
    return rep

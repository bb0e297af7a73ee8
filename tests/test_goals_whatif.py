"""The annual worksheet's live what-if, in a real browser with the network off: the controls set to
several positions give, to the cent, the numbers `dyad goals --inputs` prints for the same inputs
(ledger totals, break-even, utilization needed, take-home, every month), and the phasing chart
holds the new months. Also: the page's data is script-safe, and the Python evaluator's rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.goals import formulas as F
from dyad_lib.reports.annual_goals import CATEGORY_GROUPS, script_json
from pipeline_helpers import chromium_or_skip

#: (practice, what-if hash) — each control at least once; the first is the issue's own case.
POSITIONS = [
    ("harbor-dental", {"fee_change": 3, "collection_ratio": 98, "added_chair_hours": 1200}),
    ("harbor-dental", {"cost_staff": 5, "cost_clinical": -2, "cost_facility": 0, "owner_compensation": 900000,
                       "profit_target": 150000, "debt_service": 100000}),
    ("maple-family-medicine", {"adjustment_rate": 38.5, "cost_other": 10, "fee_change": -2.5,
                               "collection_ratio": 96.3, "added_chair_hours": -500}),
]
GROUPS = {f"cost_{gid}": cats for gid, _, cats in CATEGORY_GROUPS}
MONEY = ("overhead", "collection_goal", "net_production_goal", "gross_production_goal", "break_even", "take_home")


def as_inputs(position: dict) -> dict:
    """The goal inputs that mean the same as the controls' values."""
    out: dict = {}
    for k, v in position.items():
        if k in GROUPS:
            out.setdefault("overhead_changes_pct", {}).update({c: v for c in GROUPS[k]})
        elif k in ("collection_ratio", "adjustment_rate"):
            out[k] = float(f"{v / 100:.12g}")
        elif k == "fee_change":
            out["fee_change_pct"] = v
        else:
            out[k] = v
    return out


def page_numbers(dom: str) -> dict:
    out = {m.group(1): float(m.group(2)) for m in re.finditer(r'data-output="(\w+)"[^>]*data-value="([-0-9.e]+)"', dom)}
    out["months"] = [float(x) for x in re.findall(r'data-month="\d+"[^>]*data-value="([-0-9.]+)"', dom)]
    chart = re.search(r'id="dyad-whatif-chart"[^>]*', dom).group(0)
    out["chart_total"] = float(re.search(r'data-total="([-0-9.]+)"', chart).group(1))
    out["chart_rows"] = int(re.search(r'data-rows="(\d+)"', chart).group(1))
    return out


@pytest.fixture(scope="module")
def pages(demo_run):
    chromium_or_skip()
    result, root, _ = demo_run
    got = {r.practice_id: root / r.html for r in result.results if r.report == "annual_goals" and r.html}
    assert set(got) == {"harbor-dental", "maple-family-medicine"}
    return got


def goals_json(pid: str, inputs: dict, tmp_path: Path) -> dict:
    f = tmp_path / f"{pid}.yaml"
    f.write_text(yaml.safe_dump(inputs), encoding="utf-8")
    res = CliRunner().invoke(app, ["goals", pid, "-y", "FY2027", "--inputs", str(f), "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("pid, position", POSITIONS)
def test_the_page_agrees_with_dyad_goals_to_the_cent(pages, pid, position, tmp_path):
    hash_ = "#whatif:" + ",".join(f"{k}={v}" for k, v in position.items())
    dom = _dump(pages[pid], hash_)
    assert 'data-ready="1"' in dom
    got = page_numbers(dom)
    want = goals_json(pid, as_inputs(position), tmp_path)
    ledger = {r["step"]: r["amount"] for r in want["ledger"]}
    expect = {"overhead": ledger["overhead"], "collection_goal": want["collection_goal"],
              "net_production_goal": want["net_production_goal"],
              "gross_production_goal": want["gross_production_goal"], "break_even": want["break_even"],
              "take_home": want["take_home"]}
    for k in MONEY:
        assert round(got[k] * 100) == round(expect[k] * 100), k
    assert got["needed_utilization"] == want["needed_utilization"]  # the same double
    assert [round(x * 100) for x in got["months"]] == [round(x * 100) for x in want["phasing"].values()]
    # the chart's data was replaced in place and holds the new months
    assert got["chart_rows"] == 12 and round(got["chart_total"] * 100) == round(want["collection_goal"] * 100)


def _dump(html: Path, hash_: str) -> str:
    from dyad_lib.pipeline.pdf import run_chromium

    proc = run_chromium(html.resolve().as_uri() + hash_, "--dump-dom", budget_ms=15000, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.slow
@pytest.mark.browser
def test_the_page_starts_from_the_worksheets_plan(pages, tmp_path):
    got = page_numbers(_dump(pages["harbor-dental"], ""))
    want = goals_json("harbor-dental", {}, tmp_path)
    assert round(got["collection_goal"] * 100) == round(want["collection_goal"] * 100)
    assert [round(x * 100) for x in got["months"]] == [round(x * 100) for x in want["phasing"].values()]


# --- without a browser -------------------------------------------------------------------------------


def test_page_data_is_script_safe():
    text = str(script_json({"name": "</script><script>alert(1)</script> & \u2028\u2029 <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script> & \u2028\u2029 <!--"}


def test_whatif_fragment_embeds_script_safe_data_and_no_markup_from_names():
    from goals_fixtures import hand_history, hand_inputs

    from dyad_lib.goals.plan import build_plan
    from dyad_lib.reports.annual_goals import whatif
    from dyad_lib.reports.goal_charts import whatif_chart

    hist = hand_history()
    hist.t12_label = "T12 </script><b>x</b>"
    plan = build_plan(hand_inputs(), hist)
    html = str(whatif(plan, whatif_chart(plan)))
    data = re.search(r'<script type="application/json" id="dyad-whatif-data">(.*?)</script>', html, re.S).group(1)
    assert "</" not in data
    payload = json.loads(data)
    assert payload["spec"] == json.loads(json.dumps(plan.ledger.spec.to_json()))
    # the months the page allocates with its whole-number weights are the plan's, cent for cent
    cents = F.allocate(F.to_cents(plan.ledger.collection_goal), [int(w) for w in payload["weights"]])
    assert [c / 100 for c in cents] == list(plan.phasing["collections"])


def test_evaluator_rules():
    env = {"a": 1.005, "b": None, "z": 0.0}
    assert F.evaluate(["round2", ["v", "a"]], env) == 1.0  # floor(100.49999… + 0.5) / 100, as in the page
    assert F.cents_round(2.675) == 2.68 and F.cents_round(-2.675) == -2.68 and F.cents_round(0.125) == 0.13
    assert F.evaluate(["+", ["v", "a"], ["v", "b"]], env) is None
    assert F.evaluate(["/", 1.0, ["v", "z"]], env) is None
    assert F.evaluate(["first", ["v", "b"], 7.0], env) == 7.0
    assert F.evaluate(["sum", [0.1, 0.2, 0.3]], env) == (0.1 + 0.2) + 0.3  # left to right, not fsum
    assert F.pct_fraction(3) == 0.03 and F.pct_fraction(97.5) == 0.975 and F.pct_fraction(96.3) == 0.963
    with pytest.raises(KeyError):
        F.evaluate(["v", "missing"], env)
    assert F.allocate(10_000, [1, 1, 1]) == [3334, 3333, 3333]
    assert F.allocate(-1, [1, 2]) == [0, -1]
    assert F.to_cents(1234.5) == 123450 and F.to_cents(-0.01) == -1

"""`dyad goals`: defaults from history, inputs file, JSON that reconciles, commit and overwrite;
the practice adapter on a fixture; the demo practices; the annual_goals notebook under papermill."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from dyad_lib.goals import store as goals_io
from dyad_lib.cli.app import app
from dyad_lib.goals.ledger import reconcile
from dyad_lib.goals.history import demo_goals, history_from_practice, plan_for_practice
from dyad_lib.data.load import load_practice
from dyad_lib.data.paths import PROJECT_ROOT
from goals_fixtures import EXPENSES, write_practice

runner = CliRunner()
PID = "goal-test"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_practice(tmp_path_factory.mktemp("goals"), seasonal=True, zero_days=("2024-08",))


def run(*args: str):
    return runner.invoke(app, ["goals", *args])


def assert_reconciles(out: dict) -> None:
    ledger = {r["step"]: r["amount"] for r in out["ledger"]}
    parts = ledger["overhead"] + ledger["owner_compensation"] + ledger["debt_service"] + ledger["profit_target"]
    assert abs(parts - out["collection_goal"]) < 0.011
    ratio = out["inputs"]["collection_ratio"]["value"]
    adj = out["inputs"]["adjustment_rate"]["value"]
    assert abs(out["collection_goal"] / ratio - out["net_production_goal"]) < 0.011
    assert abs(out["net_production_goal"] / (1 - adj) - out["gross_production_goal"]) < 0.011
    assert round(sum(out["phasing"].values()), 2) == out["collection_goal"]
    assert round(sum(out["phasing_gross_production"].values()), 2) == out["gross_production_goal"]


def test_history_adapter_by_hand(data):
    practice = load_practice(PID, data)
    h = history_from_practice(practice, "FY2026")
    # data ends 2025-06, before FY2026 starts: history through 2025-06
    assert h.as_of == "2025-06" and h.t12_label == "T12 to 2025-06"
    # T12 2024-07 … 2025-06: 10 × 50,000 + 2 × 60,000 (October and March are 1.2×) = 620,000
    assert h.get("collections") == 620_000
    # FY2024 (calendar) ended 6 months before: stale, so the expense base is the T12 = 12 × monthly
    assert h.expense_base_label == "T12 to 2025-06"
    assert h.expense_base["staff_wages"] == 12 * EXPENSES["staff_wages"]
    assert h.get("chair_hours_available") == 12 * 400
    # best quarter: net 52,000 a month (62,400 in March/October) over 1,200 chair hours; the
    # quarters with a 1.2× month: (2 × 52,000 + 62,400) ÷ 1,200 = 138.67
    assert h.best_quarter_per_hour == pytest.approx(166_400 / 1_200)
    # every new patient has one completed 500 visit (no return visits): 500 of first-year production
    assert h.new_patient_annual_value == 500
    assert h.working_days_history[pd_ts("2024-08")] == 0


def pd_ts(m: str):
    import pandas as pd

    return pd.Timestamp(m + "-01")


def test_zero_working_day_month_gets_nothing(data):
    plan = plan_for_practice(load_practice(PID, data), "FY2026")
    ph = plan.phasing.set_index("month")
    # FY2026 months look back to 2025 (not in the data after 2025-06) then 2024: 2026-08 ← 2024-08 = 0 days
    assert ph.loc[pd_ts("2026-08"), "working_days"] == 0
    assert ph.loc[pd_ts("2026-08"), "collections"] == 0
    assert round(ph["collections"].sum(), 2) == plan.ledger.collection_goal


def test_defaults_are_listed_and_json_reconciles(data):
    res = run(PID, "--fiscal-year", "FY2026", "--data-dir", str(data), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert_reconciles(out)
    assert any(d.startswith("collection ratio") for d in out["defaults_used"])
    assert out["inputs"]["collection_ratio"]["source"] == "default: T12 to 2025-06 collection ratio"
    assert out["committed"] is False
    assert not (data / PID / "goals.yaml").exists()
    # overhead 12 × 26,000 = 312,000 × 1.03 = 321,360; + owners 12 × 15,000 = 180,000 + debt 24,000
    # + profit (620,000 collections − 12 × 43,000 expenses = 104,000) = 629,360
    assert out["collection_goal"] == 629_360
    assert {c["id"]: c["status"] for c in out["checks"]}["growth"] == "pass"  # 629,360 ÷ 620,000 = +1.5%


def test_table_output_names_the_defaults(data):
    res = run(PID, "--fiscal-year", "FY2026", "--data-dir", str(data))
    assert res.exit_code == 0, res.output
    for text in ("Defaults from history", "Goal ledger", "Realism checks", "Levers", "Monthly phasing",
                 "KPI targets", "Not written"):
        assert text in res.output


def test_inputs_file_and_commit_and_overwrite(data, tmp_path):
    inputs = tmp_path / "inputs.yaml"
    inputs.write_text(yaml.safe_dump({"overhead_change_pct": 5, "owner_compensation": 200_000,
                                      "profit_target": 30_000, "agreed_on": "2025-06-20",
                                      "agreed_by": ["Dr. Test", "Pat Manager"]}), encoding="utf-8")
    res = run(PID, "-y", "FY2026", "--data-dir", str(data), "--inputs", str(inputs), "--json", "--commit")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    # 312,000 × 1.05 = 327,600 + 200,000 + 24,000 + 30,000 = 581,600
    assert out["collection_goal"] == 581_600 and out["committed"] is True
    assert out["inputs"]["owner_compensation"]["source"] == "entered by the partners"
    saved = goals_io.goals_for_year(PID, "FY2026", data)
    assert saved["collection_goal"] == 581_600 and saved["agreed_on"] == "2025-06-20"
    assert saved["entered_inputs"] == {"overhead_change_pct": 5.0, "owner_compensation": 200_000.0,
                                       "profit_target": 30_000.0}
    # a commit says who agreed: without --agreed-by (or agreed_by in the file) it is refused, exit 2
    res = run(PID, "-y", "FY2026", "--data-dir", str(data), "--commit")
    assert res.exit_code == 2 and "--agreed-by" in res.output
    # committing the same year again is refused, with the reason, exit 1
    res = run(PID, "-y", "FY2026", "--data-dir", str(data), "--commit", "--agreed-by", "Dr. Test, Pat Manager")
    assert res.exit_code == 1
    assert "already holds FY2026" in res.output and "--overwrite" in res.output
    res = run(PID, "-y", "FY2026", "--data-dir", str(data), "--commit", "--overwrite", "--agreed-by",
              "Dr. Ana Rivera, Jordan Chen", "--agreed-on", "2025-06-21")
    assert res.exit_code == 0, res.output
    assert len(list((data / PID).glob("goals.yaml.bak-*"))) == 1
    again = goals_io.goals_for_year(PID, "FY2026", data)
    assert again["agreed_by"] == ["Dr. Ana Rivera", "Jordan Chen"] and again["agreed_on"] == "2025-06-21"


def test_practice_with_only_financials_and_expenses(tmp_path):
    data = write_practice(tmp_path)
    for name in ("appointments.csv", "treatment_plans.csv", "capacity.csv"):
        (data / PID / name).unlink()
    res = run(PID, "-y", "FY2026", "--data-dir", str(data), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)  # valid JSON: no NaN
    assert_reconciles(out)
    checks = {c["id"]: c["status"] for c in out["checks"]}
    assert checks["per_hour"] == "n/a" and checks["utilization"] == "n/a"
    lev = {r["lever"]: r["amount"] for r in out["levers"]}
    # fees are offered (not entered): 3% of the T12 collections 600,000
    assert lev["case_acceptance"] is None and lev["fees"] == pytest.approx(0.03 * 600_000)
    # no working days on record: Monday–Friday days; January 2026 has 22
    assert out["working_days"]["2026-01"] == 22
    assert "Monday–Friday" in out["phasing_notes"][0]


def test_usage_errors(data, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("owners_pay: 1\n", encoding="utf-8")
    res = run(PID, "-y", "FY2026", "--data-dir", str(data), "--inputs", str(bad))
    assert res.exit_code == 2 and "bad.yaml: owners_pay: is not a goal input" in res.output
    bad.write_text("owner_compensation: lots\n", encoding="utf-8")
    res = run(PID, "-y", "FY2026", "--data-dir", str(data), "--inputs", str(bad))
    assert res.exit_code == 2 and "bad.yaml: owner_compensation: 'lots' is not a number" in res.output
    assert run(PID, "-y", "2026-03", "--data-dir", str(data)).exit_code == 2
    assert run("no-such-practice", "-y", "FY2026", "--data-dir", str(data)).exit_code == 2


def test_demo_goals_is_reproducible(data):
    practice = load_practice(PID, data)
    a, b = demo_goals(practice, "FY2026"), demo_goals(practice, "FY2026")
    assert a == b
    e = a["FY2026"]
    # planned in a December session on the history through 2025-11, cut at the data's end (2025-06)
    assert e["history_through"] == "2025-06"
    assert e["agreed_by"] == ["Dr. Test", "Pat Manager"] and e["agreed_on"] == "2025-12-16"
    assert round(sum(e["phasing"].values()), 2) == e["collection_goal"]


DEMOS = ("harbor-dental", "maple-family-medicine")


@pytest.mark.parametrize("pid", DEMOS)
def test_demo_practices_fy2027_reconcile(pid):
    if not (PROJECT_ROOT / "data" / pid / "practice.yaml").is_file():
        pytest.skip(f"demo practice {pid} not generated")
    res = run(pid, "--fiscal-year", "FY2027", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert_reconciles(out)
    assert out["committed"] is False
    plan = plan_for_practice(load_practice(pid), "FY2027")
    assert reconcile(plan.ledger, plan.inputs) == []


NOTEBOOK = PROJECT_ROOT / "notebooks" / "annual_goals.ipynb"


def _papermill(tmp_path, **params):
    import papermill as pm

    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters=params, kernel_name="dyad", progress_bar=False,
                        cwd=str(PROJECT_ROOT))
    return json.loads(out.read_text(encoding="utf-8"))


def _text(nb) -> str:
    parts = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            parts.append(o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", [])))
            for k, v in o.get("data", {}).items():
                if k.startswith("text/"):
                    parts.append(v if isinstance(v, str) else "".join(v))
    return "\n".join(parts)


@pytest.mark.slow
def test_notebook_runs_with_defaults(tmp_path):
    """Plain defaults: harbor-dental, FY2027, nothing written."""
    if not (PROJECT_ROOT / "data" / "harbor-dental" / "practice.yaml").is_file():
        pytest.skip("demo practice not generated")
    before = (PROJECT_ROOT / "data" / "harbor-dental" / "goals.yaml").read_bytes()
    nb = _papermill(tmp_path)
    text = _text(nb)
    assert "Collection goal" in text and "We agree on the FY2027 goals above" in text
    assert "FY2027 is not committed yet" in text and 'id="dyad-whatif"' in text
    assert text.count("dyad-chart-") >= 4  # history, seasonality, waterfall, phasing (offline renderer)
    assert (PROJECT_ROOT / "data" / "harbor-dental" / "goals.yaml").read_bytes() == before


@pytest.mark.slow
def test_notebook_degrades_without_optional_tables(tmp_path):
    data = write_practice(tmp_path / "d")
    for name in ("appointments.csv", "treatment_plans.csv", "capacity.csv"):
        (data / PID / name).unlink()
    text = _text(_papermill(tmp_path, practice_id=PID, data_dir=str(data), period="FY2026"))
    assert "no chair hours on record" in text and "Monday–Friday" in text


@pytest.mark.slow
def test_notebook_runs_with_overridden_inputs_and_commits(tmp_path):
    data = write_practice(tmp_path / "d", seasonal=True)
    nb = _papermill(tmp_path, practice_id=PID, data_dir=str(data), period="FY2026", overhead_change_pct=5,
                    owner_compensation=200_000, profit_target=30_000, working_days={"2026-08": 0},
                    commit_goals=True, agreed_by="Dr. Test, Pat Manager", agreed_on="2025-06-20", as_of="2025-05")
    assert "$581,600" in _text(nb)  # same inputs as the CLI test: 327,600 + 200,000 + 24,000 + 30,000
    saved = goals_io.goals_for_year(PID, "FY2026", data)
    assert saved["collection_goal"] == 581_600 and saved["history_through"] == "2025-05"
    assert saved["agreed_by"] == ["Dr. Test", "Pat Manager"] and saved["agreed_on"] == "2025-06-20"
    assert saved["phasing"]["2026-08"] == 0 and saved["working_days"]["2026-08"] == 0
    assert saved["inputs"]["working_days"]["source"] == "entered by the partners"
    # the year is committed: a second commit needs overwrite_goals, and then shows the committed plan
    text = _text(_papermill(tmp_path, practice_id=PID, data_dir=str(data), period="FY2026", profit_target=40_000,
                            commit_goals=True, agreed_by="Dr. Test, Pat Manager"))
    assert "already holds FY2026" in text and goals_io.goals_for_year(PID, "FY2026", data)["collection_goal"] == 581_600
    text = _text(_papermill(tmp_path, practice_id=PID, data_dir=str(data), period="FY2026", profit_target=40_000,
                            commit_goals=True, overwrite_goals=True, agreed_by="Dr. Test, Pat Manager"))
    assert "FY2026 is committed." in text and "goals written to goals.yaml" in text
    assert goals_io.goals_for_year(PID, "FY2026", data)["entered_inputs"] == {"profit_target": 40_000.0}


def test_notebook_parameters_are_the_goal_inputs():
    import papermill as pm

    params = pm.inspect_notebook(str(NOTEBOOK))
    from dyad_lib.goals.inputs import INPUT_KEYS

    for name in ("practice_id", "period", "data_dir", "inputs", "scenario", *INPUT_KEYS, "as_of", "commit_goals",
                 "overwrite_goals", "agreed_by", "agreed_on"):
        assert name in params, name
    assert params["period"]["default"] == '"FY2027"' and params["commit_goals"]["default"] == "False"


def test_notebook_is_stored_thin_and_without_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "dyad"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    src = "".join("".join(c["source"]) for c in code)
    assert "'mimetype'" not in src and '"mimetype"' not in src


def test_write_demo_goals_hook(tmp_path):
    data = write_practice(tmp_path, seasonal=True)
    from dyad_lib.goals.history import write_demo_goals

    path = write_demo_goals(PID, data)
    assert path == data / PID / "goals.yaml"
    saved = goals_io.load_goals(PID, data)
    assert list(saved) == ["FY2026"] and saved["FY2026"]["agreed_on"] == "2025-12-16"
    assert not list((data / PID).glob("goals.yaml.bak-*"))  # a fresh folder: nothing to back up


@pytest.mark.parametrize("pid", DEMOS)
def test_committed_demo_goals_are_reproducible(pid):
    """data/<demo>/goals.yaml is exactly what demo_goals makes from the demo data (regenerate it
    with goals_history.write_demo_goals after the demo data changes)."""
    if not (PROJECT_ROOT / "data" / pid / "goals.yaml").is_file():
        pytest.skip(f"demo practice {pid} has no goals.yaml")
    saved = goals_io.load_goals(pid)
    fresh = demo_goals(load_practice(pid), "FY2026")
    assert saved["FY2026"] == yaml.safe_load(yaml.safe_dump(fresh["FY2026"]))
    fy = saved["FY2026"]
    assert len(fy["agreed_by"]) == 2
    assert round(sum(fy["phasing"].values()), 2) == fy["collection_goal"]

"""Goal inputs from a file or the notebook's parameters: one set or named scenarios, errors that
name the file and the key path, aliases refused; `dyad goals` and `dyad run --inputs` with them;
every documented parameter of the annual worksheet works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dyad_lib.cli.app import app
from dyad_lib.goals import scenarios as sc
from dyad_lib.goals.inputs import INPUT_KEYS
from goals_fixtures import hand_history, write_practice

runner = CliRunner()
PID = "goal-test"
SCENARIOS = """
overhead_change_pct: 3           # every scenario
scenarios:
  base: {}
  stretch: {owner_compensation_change_pct: 8, fee_change_pct: 3, collection_ratio: 0.98}
  cautious:
    overhead_change_pct: 5
    profit_target_change_pct: -25
agreed_by: Dr. Test, Pat Manager
agreed_on: 2025-06-20
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return write_practice(tmp_path_factory.mktemp("scen"), seasonal=True)


def test_one_set_is_the_base_scenario():
    s = sc.parse_inputs({"fee_change_pct": 3, "collection_ratio": 0.98}, "in.yaml")
    assert s.names == ["base"] and s.sets["base"] == {"fee_change_pct": 3.0, "collection_ratio": 0.98}
    assert sc.parse_inputs(None).sets == {"base": {}}


def test_named_scenarios_share_the_common_inputs():
    s = sc.parse_inputs(sc.load_inputs_text(SCENARIOS, "in.yaml"), "in.yaml")
    assert s.names == ["base", "stretch", "cautious"]
    assert s.sets["base"] == {"overhead_change_pct": 3.0}
    assert s.sets["stretch"]["fee_change_pct"] == 3.0 and s.sets["stretch"]["overhead_change_pct"] == 3.0
    assert s.sets["cautious"]["overhead_change_pct"] == 5.0  # a scenario's own value wins
    assert s.meta == {"agreed_by": ["Dr. Test", "Pat Manager"], "agreed_on": "2025-06-20"}
    assert s.pick(None) == "base" and s.pick("stretch") == "stretch"
    with pytest.raises(sc.InputsError, match="no scenario named 'bold' .there are: base, stretch, cautious"):
        s.pick("bold")


@pytest.mark.parametrize("text, message", [
    ("scenarios:\n  stretch: {fee_change_pct: 300}\n",
     "in.yaml: scenarios.stretch.fee_change_pct: 300% is not a plausible change"),
    ("fee_change_pct: 300\nscenarios:\n  a: {}\n", "in.yaml: fee_change_pct: 300% is not a plausible change"),
    ("scenarios:\n  a: {overhead_budget: {lab: -1}}\n", "in.yaml: scenarios.a.overhead_budget.lab: -1.00 is below zero"),
    ("scenarios:\n  a: {owners_pay: 1}\n", "in.yaml: scenarios.a.owners_pay: is not a goal input"),
    ("owners_pay: 1\n", "in.yaml: owners_pay: is not a goal input"),
    ("scenarios: []\n", "in.yaml: scenarios: must name one or more scenarios"),
    ("scenarios:\n  '<b>': {}\n", "in.yaml: scenarios.<b>: a scenario's name is a word"),
    ("scenarios:\n  a: 3\n", "in.yaml: scenarios.a: must be a mapping"),
    ("- 1\n- 2\n", "in.yaml: must be a mapping of goal inputs"),
    ("agreed_on: someday\n", "in.yaml: agreed_on: 'someday' is not a date"),
    ("as_of: May\n", "in.yaml: as_of: 'May' is not a month like 2026-05"),
    ("agreed_by: 3\n", "in.yaml: agreed_by: must be names"),
    ("collection_ratio: 97\n", "in.yaml: collection_ratio: 97 is not a plausible collection ratio"),
    ("a: &x 1\nb: *x\n", "in.yaml: uses a YAML alias (*x) on line 2"),
    ("fee_change_pct: [1, 2\n", "in.yaml: is not valid YAML (line 2)"),
])
def test_bad_inputs_name_the_file_and_the_key(text, message):
    with pytest.raises(sc.InputsError) as exc:
        sc.parse_inputs(sc.load_inputs_text(text, "in.yaml"), "in.yaml")
    assert message in str(exc.value)


def test_an_alias_bomb_is_refused_before_it_grows():
    bomb = "a: &a [x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(sc.InputsError, match="alias"):
        sc.load_inputs_text(bomb, "bomb.yaml")


def test_history_checks_are_located_in_the_file():
    s = sc.parse_inputs(sc.load_inputs_text("scenarios:\n  big: {owner_compensation: 90000000}\n", "in.yaml"), "in.yaml")
    with pytest.raises(sc.InputsError, match="in.yaml: scenarios.big.owner_compensation: .* more than 5 times"):
        sc.plans(hand_history(), "FY2026", s)


def test_read_inputs_file_errors(tmp_path):
    with pytest.raises(sc.InputsError, match="cannot read nope.yaml"):
        sc.read_inputs_file(tmp_path / "nope.yaml")
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("fee_change_pct: 3 # caf\xe9\n".encode("latin-1"))
    with pytest.raises(sc.InputsError, match="latin.yaml: is not UTF-8"):
        sc.read_inputs_file(bad)


# --- the notebook's parameters ------------------------------------------------------------------------

#: Each documented single-input parameter, as the notebook gets it from `dyad run -p` (typed) and
#: from plain papermill -p (text).
PARAMETERS = {
    "overhead_change_pct": (4, "4"), "overhead_changes_pct": ({"lab": 6}, '{"lab": 6}'),
    "overhead_budget": ({"marketing": 9_000}, '{"marketing": 9000}'),
    "owner_compensation": (170_000, 170000), "owner_compensation_change_pct": (5, 5),
    "debt_service": (20_000, 20000), "profit_target": (50_000, 50000), "profit_target_change_pct": (-10, -10),
    "collection_ratio": (0.97, 0.97), "adjustment_rate": (0.05, 0.05), "added_chair_hours": (200, 200),
    "fee_change_pct": (3, 3), "working_days": ({"2027-08": 12}, '{"2027-08": 12}'),
}


def test_every_goal_input_has_a_documented_parameter():
    assert set(PARAMETERS) | {"budget_choices"} == set(INPUT_KEYS)


@pytest.mark.parametrize("key", sorted(PARAMETERS))
def test_each_parameter_reaches_every_scenario(key):
    typed, text = PARAMETERS[key]
    for value in (typed, text):
        s = sc.from_parameters(sc.load_inputs_text(SCENARIOS, "in"), **{key: value})
        expected = sc.parse_inputs({key: typed}).sets["base"][key]
        assert all(v[key] == expected for v in s.sets.values()), key
    history = hand_history()
    plan = sc.plans(history, "FY2027", sc.from_parameters(None, **{key: typed}))["base"]
    assert key in plan.inputs.entered


def test_a_bad_parameter_is_named():
    with pytest.raises(sc.InputsError, match="parameter fee_change_pct: 300% is not a plausible change"):
        sc.from_parameters(None, fee_change_pct=300)
    with pytest.raises(sc.InputsError, match="parameter working_days: is not valid YAML"):
        sc.from_parameters(None, working_days="{2027-08: [")


def test_inputs_parameter_as_yaml_text_or_path(tmp_path):
    f = tmp_path / "goal_inputs.yaml"
    f.write_text(SCENARIOS, encoding="utf-8")
    assert sc.from_parameters(str(f)).names == ["base", "stretch", "cautious"]
    assert sc.from_parameters(SCENARIOS).names == ["base", "stretch", "cautious"]


# --- dyad goals with scenarios ------------------------------------------------------------------------


def _goals(*args: str):
    return runner.invoke(app, ["goals", *args])


def test_dyad_goals_compares_scenarios_and_commits_the_one_named(data, tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(SCENARIOS, encoding="utf-8")
    res = _goals(PID, "-y", "FY2026", "--data-dir", str(data), "--inputs", str(f))
    assert res.exit_code == 0, res.output
    assert "Scenarios side by side" in res.output and "In full below: base" in res.output
    res = _goals(PID, "-y", "FY2026", "--data-dir", str(data), "--inputs", str(f), "--scenario", "stretch", "--json")
    out = json.loads(res.output)
    assert out["scenario"] == "stretch" and list(out["scenarios"]) == ["base", "stretch", "cautious"]
    assert out["collection_goal"] == out["scenarios"]["stretch"]["collection_goal"]
    # the owners' take-home of each scenario = its owner pay + profit
    for s in out["scenarios"].values():
        assert s["take_home"] == pytest.approx(s["owner_compensation"] + s["profit_target"], abs=0.01)
        assert round(sum(s["phasing"].values()), 2) == s["collection_goal"]
    # several scenarios: --commit must say which one the partners agreed
    res = _goals(PID, "-y", "FY2026", "--data-dir", str(data), "--inputs", str(f), "--commit")
    assert res.exit_code == 2 and "say which one the partners agreed with --scenario" in " ".join(res.output.split())
    res = _goals(PID, "-y", "FY2026", "--data-dir", str(data), "--inputs", str(f), "--commit", "--scenario", "cautious")
    assert res.exit_code == 0, res.output
    from dyad_lib.goals import store

    saved = store.goals_for_year(PID, "FY2026", data)
    assert saved["scenario"] == "cautious" and saved["agreed_by"] == ["Dr. Test", "Pat Manager"]
    assert saved["entered_inputs"] == {"overhead_change_pct": 5.0, "profit_target_change_pct": -25.0}
    assert saved["budget"]["profit_target"] == saved["inputs"]["profit_target"]["value"]


def test_dyad_run_inputs_usage_errors(data, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("scenarios:\n  stretch: {fee_change_pct: 300}\n", encoding="utf-8")
    common = ["--practice", PID, "--data-dir", str(data), "--reports-dir", str(tmp_path / "r")]
    res = runner.invoke(app, ["run", "annual_goals", "--period", "FY2026", "--inputs", str(f), *common])
    assert res.exit_code == 2 and "bad.yaml: scenarios.stretch.fee_change_pct: 300%" in " ".join(res.output.split())
    ok = tmp_path / "ok.yaml"
    ok.write_text("fee_change_pct: 3\n", encoding="utf-8")
    res = runner.invoke(app, ["run", "monthly_review", "--period", "2025-06", "--inputs", str(ok), *common])
    assert res.exit_code == 2 and "takes no --inputs" in " ".join(res.output.split()) and "annual_goals" in res.output
    res = runner.invoke(app, ["run", "annual_goals", "--period", "FY2026", "--inputs", str(ok), "-p", "inputs=x",
                              *common])
    assert res.exit_code == 2 and "not both" in res.output
    assert not (tmp_path / "r").exists()  # nothing written


def test_parse_params_reads_small_mappings():
    from dyad_lib.cli.run import parse_params

    assert parse_params(['working_days={"2027-08": 12}', "x=3"]) == {"working_days": {"2027-08": 12}, "x": 3}


@pytest.mark.slow
def test_dyad_run_with_inputs_and_every_parameter(tmp_path):
    """The worksheet through `dyad run`: scenarios from --inputs side by side, the documented
    `-p working_days={...}` example, and its numbers are the library's for the same inputs."""
    from dyad_lib import fmt
    from dyad_lib.data.load import load_practice

    data = write_practice(tmp_path / "d", seasonal=True)
    f = tmp_path / "s.yaml"
    f.write_text(SCENARIOS.replace("agreed_on: 2025-06-20\n", ""), encoding="utf-8")
    res = runner.invoke(app, ["run", "annual_goals", "--practice", PID, "--period", "FY2026", "--data-dir", str(data),
                              "--reports-dir", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c"),
                              "--inputs", str(f), "-p", 'working_days={"2026-08": 12}', "-p", "scenario=stretch",
                              "-p", "budget_choices=null"])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "r" / PID / "FY2026" / "annual_goals.html").read_text(encoding="utf-8")
    scen = sc.from_parameters(sc.load_inputs_text(f.read_text(), "s"), working_days={"2026-08": 12})
    plans = sc.plans(load_practice(PID, data), "FY2026", scen)
    for name, plan in plans.items():
        assert name in html and fmt.money(plan.ledger.collection_goal, compact=False) in html
    shown = plans["stretch"]
    assert f"${shown.ledger.collection_goal:,.2f}" in html  # the what-if starts from the chosen scenario
    assert "August 2026 12 working days" in html and "Scenarios side by side" in html
    assert "Traceback" not in html and str(tmp_path) not in html

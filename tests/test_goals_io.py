"""goals.yaml: round trip, overwrite refusal, dated backup, malformed files named by key path."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from dyad_lib.goals.lines import monthly_goal
from dyad_lib.goals.plan import build_plan, plan_to_entry
from dyad_lib.goals import store as gio
from goals_fixtures import hand_history, hand_inputs


def entry(fy: str = "FY2026", agreed_on: str = "2025-12-16") -> dict:
    plan = build_plan(hand_inputs(), hand_history())
    e = plan_to_entry(plan, ["Dr. Ana Rivera", "Jordan Chen"], agreed_on)
    e["fiscal_year"] = fy
    return e


def test_round_trip(tmp_path):
    path = tmp_path / "goals.yaml"
    e = entry()
    assert gio.write_goals_file(path, e) is None  # no previous file, no backup
    back = gio.read_goals_file(path)
    assert list(back) == ["FY2026"]
    got = back["FY2026"]
    assert got["collection_goal"] == 1_000_000
    assert got["net_production_goal"] == 1_020_408.16
    assert got["gross_production_goal"] == 1_074_113.85
    assert got["agreed_by"] == ["Dr. Ana Rivera", "Jordan Chen"] and got["agreed_on"] == "2025-12-16"
    assert got["created_by"].startswith("dyad ")
    assert round(sum(got["phasing"].values()), 2) == 1_000_000
    assert list(got["phasing"]) == [f"2026-{m:02d}" for m in range(1, 13)]
    assert got["inputs"]["owner_compensation"] == {"value": 250_000.0, "source": "entered by the partners"}
    assert got["ledger"][-1]["step"] == "break_even"
    assert got == yaml.safe_load(yaml.safe_dump(e))  # nothing lost in YAML
    # a second year joins the first
    gio.write_goals_file(path, entry("FY2027"))
    assert list(gio.read_goals_file(path)) == ["FY2026", "FY2027"]
    assert monthly_goal(gio.read_goals_file(path), "2026-03") == got["phasing"]["2026-03"]


def test_overwrite_needs_the_flag_and_keeps_a_dated_backup(tmp_path):
    path = tmp_path / "goals.yaml"
    gio.write_goals_file(path, entry())
    before = path.read_text(encoding="utf-8")
    with pytest.raises(gio.GoalsExistError, match="already holds FY2026 \\(agreed on 2025-12-16\\)"):
        gio.write_goals_file(path, entry(agreed_on="2025-12-20"))
    assert path.read_text(encoding="utf-8") == before  # untouched
    when = dt.datetime(2026, 1, 5, 9, 30, 0)
    backup = gio.write_goals_file(path, entry(agreed_on="2025-12-20"), overwrite=True, now=when)
    assert backup.name == "goals.yaml.bak-20260105T093000"
    assert backup.read_text(encoding="utf-8") == before
    assert gio.read_goals_file(path)["FY2026"]["agreed_on"] == "2025-12-20"
    # a second overwrite within the same second keeps both backups
    again = gio.write_goals_file(path, entry(), overwrite=True, now=when)
    assert again.name == "goals.yaml.bak-20260105T093000-1"
    assert not list(tmp_path.glob(".goals.yaml.*.tmp"))  # the atomic write left no temp file


def write_text(tmp_path, data) -> "Path":
    p = tmp_path / "goals.yaml"
    p.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, encoding="utf-8")
    return p


def test_malformed_phasing_value_names_the_key(tmp_path):
    e = entry()
    e["phasing"]["2026-03"] = "abc"
    with pytest.raises(gio.GoalsFileError) as err:
        gio.read_goals_file(write_text(tmp_path, {"FY2026": e}))
    assert str(err.value) == "goals.yaml: FY2026.phasing.2026-03: 'abc' is not a number"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update({"FY26": d.pop("FY2026")}), "goals.yaml: FY26: is not a fiscal year like FY2026"),
    (lambda d: d["FY2026"].pop("collection_goal"), "goals.yaml: FY2026.collection_goal: is missing"),
    (lambda d: d["FY2026"].update(net_production_goal="lots"), "goals.yaml: FY2026.net_production_goal: 'lots' is not a number"),
    (lambda d: d["FY2026"]["phasing"].update({"2026-13": 0}), "goals.yaml: FY2026.phasing.2026-13: is not a month like 2026-03"),
    (lambda d: d["FY2026"]["phasing"].update({"2026-01": 0.0}), "goals.yaml: FY2026.phasing: the months add up to"),
    (lambda d: d["FY2026"]["kpi_targets"]["no_show_rate"].update(target="low"), "goals.yaml: FY2026.kpi_targets.no_show_rate.target: 'low' is not a number"),
    (lambda d: d["FY2026"]["ledger"][3].update(amount=None), "goals.yaml: FY2026.ledger[3].amount: None is not a number"),
    (lambda d: d["FY2026"].update(agreed_on="next week"), "goals.yaml: FY2026.agreed_on: 'next week' is not a date"),
    (lambda d: d["FY2026"].update(agreed_by="both"), "goals.yaml: FY2026.agreed_by: must be a list of names"),
])
def test_malformed_files_name_the_key_path(tmp_path, mutate, message):
    data = {"FY2026": entry()}
    mutate(data)
    with pytest.raises(gio.GoalsFileError) as err:
        gio.read_goals_file(write_text(tmp_path, data))
    assert str(err.value).startswith(message)


def test_not_yaml_and_not_a_mapping(tmp_path):
    with pytest.raises(gio.GoalsFileError, match=r"goals.yaml: not valid YAML \(line 1\)"):
        gio.read_goals_file(write_text(tmp_path, "FY2026: [unclosed"))
    with pytest.raises(gio.GoalsFileError, match="must map fiscal years"):
        gio.read_goals_file(write_text(tmp_path, "- a list\n"))


def test_yaml_dates_are_read_as_iso_text(tmp_path):
    text = yaml.safe_dump({"FY2026": entry()}).replace("agreed_on: '2025-12-16'", "agreed_on: 2025-12-16")
    assert gio.read_goals_file(write_text(tmp_path, text))["FY2026"]["agreed_on"] == "2025-12-16"


def test_no_goals_file_means_no_goals(tmp_path):
    (tmp_path / "no-goals").mkdir()
    assert gio.load_goals("no-goals", tmp_path) == {}
    assert gio.goals_for_year("no-goals", "FY2026", tmp_path) is None
    assert monthly_goal(gio.load_goals("no-goals", tmp_path), "2026-01") is None
    assert gio.NO_GOALS == "no goals set"


def test_write_goals_into_the_practice_folder(tmp_path):
    (tmp_path / "some-practice").mkdir()
    path = gio.write_goals("some-practice", entry(), tmp_path)
    assert path == tmp_path / "some-practice" / "goals.yaml"
    assert gio.goals_for_year("some-practice", "fy2026", tmp_path)["collection_goal"] == 1_000_000


def test_refuses_to_write_an_entry_that_does_not_add_up(tmp_path):
    e = entry()
    e["collection_goal"] += 1
    with pytest.raises(gio.GoalsFileError, match="goals to write: FY2026.phasing: the months add up"):
        gio.write_goals_file(tmp_path / "goals.yaml", e)
    assert not (tmp_path / "goals.yaml").exists()


# --- two commits at the same moment (issue 13, item 3) ---------------------------------------------------


def _commit(path: str, fy: str, barrier, results) -> None:
    """A child process: wait for the other one, then commit `fy` with a slow write, so the two
    commits overlap for certain (without the lock, each would write the file it read before)."""
    import time

    original = gio.dump_goals

    def slow_dump(goals):
        time.sleep(0.2)
        return original(goals)

    gio.dump_goals = slow_dump
    barrier.wait()
    try:
        gio.write_goals_file(path, entry(fy))
        results.put((fy, "written"))
    except gio.GoalsExistError:
        results.put((fy, "refused"))


def _race(path, years) -> list:
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(len(years)), ctx.Queue()
    procs = [ctx.Process(target=_commit, args=(str(path), fy, barrier, results)) for fy in years]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    return sorted(results.get(timeout=5) for _ in procs)


def test_concurrent_commits_of_two_years_keep_both(tmp_path):
    path = tmp_path / "goals.yaml"
    gio.write_goals_file(path, entry("FY2025"))
    assert _race(path, ["FY2026", "FY2027"]) == [("FY2026", "written"), ("FY2027", "written")]
    assert list(gio.read_goals_file(path)) == ["FY2025", "FY2026", "FY2027"]
    backups = sorted(tmp_path.glob("goals.yaml.bak-*"))
    assert len(backups) == 2
    held = sorted(tuple(gio.read_goals_file(b)) for b in backups)  # each backup is a whole, valid file
    assert held[0] == ("FY2025",) and held[1] in (("FY2025", "FY2026"), ("FY2025", "FY2027"))


def test_concurrent_commits_of_the_same_year_one_wins_one_is_refused(tmp_path):
    path = tmp_path / "goals.yaml"
    gio.write_goals_file(path, entry("FY2025"))
    outcome = _race(path, ["FY2026", "FY2026"])
    assert sorted(o for _, o in outcome) == ["refused", "written"]
    assert list(gio.read_goals_file(path)) == ["FY2025", "FY2026"]
    assert len(list(tmp_path.glob("goals.yaml.bak-*"))) == 1


def test_a_commit_leaves_no_lock_file_in_the_practice_folder(tmp_path):
    path = tmp_path / "goals.yaml"
    gio.write_goals_file(path, entry("FY2025"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["goals.yaml"]

"""The `dyad` entry point: `dyad run REPORT` starts the report's kernel before the commands are
registered; anything else starts nothing there."""

from __future__ import annotations

import pytest

from dyad_lib.cli import app as cli_app
from dyad_lib.pipeline import runner


@pytest.fixture
def started(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(runner, "start_kernel", lambda report, nb=None: calls.append((report, nb)))
    monkeypatch.delenv("DYAD_NOTEBOOKS_DIR", raising=False)
    return calls


@pytest.mark.parametrize("argv, expected", [
    (["run", "monthly_review", "--practice", "p", "--period", "2026-09"], ("monthly_review", None)),
    (["run", "monthly_review", "--notebooks-dir", "/nb"], ("monthly_review", "/nb")),
    (["run", "monthly_review", "--notebooks-dir=/nb2"], ("monthly_review", "/nb2")),
    (["run", "--practice", "p", "monthly_review"], None),  # an option first: left to the command
    (["run", "monthly_review", "--help"], None),
    (["run"], None),
    (["batch", "--period", "2026-09"], None),
    ([], None),
])
def test_only_dyad_run_report_starts_a_kernel_early(started, argv, expected):
    cli_app.start_report_kernel(argv)
    assert started == ([expected] if expected else [])


def test_the_notebooks_folder_may_come_from_the_environment(started, monkeypatch):
    monkeypatch.setenv("DYAD_NOTEBOOKS_DIR", "/env-nb")
    cli_app.start_report_kernel(["run", "data_quality"])
    assert started == [("data_quality", "/env-nb")]


def test_a_failing_early_start_is_left_to_the_command(monkeypatch):
    def boom(*a):
        raise RuntimeError("no kernel spec")

    monkeypatch.setattr(runner, "start_kernel", boom)
    cli_app.start_report_kernel(["run", "monthly_review"])  # no exception


def test_app_has_every_command_once():
    from typer.main import get_command

    names = set(get_command(cli_app.app).commands)
    assert {"run", "batch", "validate", "goals"} <= names
    assert cli_app.app is cli_app.get_app()
    with pytest.raises(AttributeError):
        cli_app.no_such_name  # noqa: B018

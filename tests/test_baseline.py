"""Baselines: recorded findings are not reported again, even when lines move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import findings, make, run
from tests.fake_rules import fake_rules  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fake_rules")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, {"a.py": "x = 'FLAG'\ny = 'FLAG'\n", "b/c.py": "RISKY\n"})
    return tmp_path


def concise(*args: str) -> list[str]:
    return findings(run("check", "--output-format", "concise", *args))


def test_write_then_nothing_new(project: Path) -> None:
    result = run("check", "--write-baseline", "mpz-baseline.json")
    assert result.exit_code == 0
    assert result.stderr.startswith("Wrote 3 findings to the baseline mpz-baseline.json.\n")
    assert "3 findings in the baseline not shown." in result.stderr
    result = run("check", "--baseline", "mpz-baseline.json")
    assert (result.exit_code, result.stdout) == (0, "")


def test_the_file_is_sorted_readable_and_stable(project: Path) -> None:
    run("check", "--write-baseline", "base.json")
    text = (project / "base.json").read_text()
    data = json.loads(text)
    assert data["version"] == 1
    assert [(f["path"], f["code"]) for f in data["findings"]] == [
        ("a.py", "MPZ999"), ("a.py", "MPZ999"), ("b/c.py", "MPZ998")]
    assert {f["source"] for f in data["findings"]} == {"x = 'FLAG'", "y = 'FLAG'", "RISKY"}
    assert "row" not in text and "line\"" not in text  # no line numbers: no churn
    run("check", "--write-baseline", "base.json")
    assert (project / "base.json").read_text() == text


def test_matching_survives_shifted_lines_and_reports_new_findings(project: Path) -> None:
    run("check", "--write-baseline", "base.json")
    make(project, {"a.py": "import os\n\n\nx = 'FLAG'\n\ny = 'FLAG'\nz = 'FLAG'\n"})
    assert concise("--baseline", "base.json") == ["a.py:7 MPZ999"]


def test_a_second_copy_of_a_recorded_line_is_new(project: Path) -> None:
    run("check", "--write-baseline", "base.json")
    make(project, {"a.py": "x = 'FLAG'\nx = 'FLAG'\ny = 'FLAG'\n"})
    assert concise("--baseline", "base.json") == ["a.py:2 MPZ999"]


def test_baseline_paths_are_relative_to_the_baseline_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("check", "--write-baseline", "ci/base.json")
    assert json.loads((project / "ci/base.json").read_text())["findings"][0]["path"] == "../a.py"
    monkeypatch.chdir(project / "b")
    assert concise(".", "--baseline", "../ci/base.json") == []


def test_unreadable_baseline_exits_2(project: Path) -> None:
    make(project, {"bad.json": "{}"})
    result = run("check", "--baseline", "bad.json")
    assert result.exit_code == 2
    assert "error: bad.json: not a baseline file of version 1" in result.stderr
    assert run("check", "--baseline", "missing.json").exit_code == 2

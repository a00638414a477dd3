"""`mpz-lint check --stdin-filename NAME -`: the source from stdin, as ruff."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import LEGACY_REQUEST, make, run

FIXED = LEGACY_REQUEST.replace("app.procore.com", "api.procore.com")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_reads_stdin_and_names_it(project: Path) -> None:
    result = run("check", "--output-format", "concise", "--stdin-filename", "src/client.py", "-",
                 stdin=LEGACY_REQUEST.encode())
    assert result.exit_code == 1
    assert [line.split(" ")[0:2] for line in result.stdout.splitlines()] == [
        ["src/client.py:3:1:", "MPZ101"], ["src/client.py:3:14:", "MPZ002"]]
    assert not (project / "src").exists()


def test_without_a_name_it_is_dash(project: Path) -> None:
    result = run("check", "--output-format", "concise", "-", stdin=LEGACY_REQUEST.encode())
    assert result.stdout.startswith("-:3:1: MPZ101")


def test_fix_writes_the_fixed_source_to_stdout(project: Path) -> None:
    result = run("check", "--fix", "--stdin-filename", "client.py", "-",
                 stdin=LEGACY_REQUEST.replace("\n", "\r\n").encode())
    assert result.exit_code == 1  # MPZ101 remains (no company id in scope)
    assert result.stdout_bytes == FIXED.replace("\n", "\r\n").encode()
    assert "client.py:3:1: MPZ101" in result.stderr
    assert "(1 fixed, 1 remaining)" in result.stderr


def test_fix_of_clean_source_gives_it_back(project: Path) -> None:
    result = run("check", "--fix", "--stdin-filename", "x.py", stdin=b"x = 1\n")
    assert (result.exit_code, result.stdout_bytes) == (0, b"x = 1\n")


def test_the_name_chooses_the_config_and_the_file_kind(project: Path) -> None:
    make(project, {"sub/mpz-lint.toml": 'ignore = ["MPZ1"]\n'})
    result = run("check", "--output-format", "concise", "--stdin-filename", "sub/.env", "-",
                 stdin=b"PROCORE_URL=https://app.procore.com/rest/v1.0\n")
    assert result.stdout == (
        "sub/.env:1:13: MPZ002 `app.procore.com` is used for REST; REST goes to `api.procore.com`\n")
    python = run("check", "--output-format", "concise", "--stdin-filename", "sub/a.py", "-",
                 stdin=LEGACY_REQUEST.encode())
    assert [line.split(" ")[1] for line in python.stdout.splitlines()] == ["MPZ002"]


def test_force_exclude_skips_an_excluded_stdin_name(project: Path) -> None:
    make(project, {"mpz-lint.toml": 'extend-exclude = ["gen"]\nforce-exclude = true\n'})
    result = run("check", "--stdin-filename", "gen/a.py", "-", stdin=LEGACY_REQUEST.encode())
    assert (result.exit_code, result.stdout) == (0, "")
    # An editor that pipes its buffer through --fix gets it back as it was.
    result = run("check", "--fix", "--stdin-filename", "gen/a.py", "-",
                 stdin=LEGACY_REQUEST.encode())
    assert (result.exit_code, result.stdout_bytes) == (0, LEGACY_REQUEST.encode())


def test_fix_of_source_that_cannot_be_read_gives_it_back(project: Path) -> None:
    broken = b"x = '\xff'\n"
    result = run("check", "--fix", "--stdin-filename", "a.py", "-", stdin=broken)
    assert (result.exit_code, result.stdout_bytes) == (2, broken)
    assert "error: a.py: cannot decode as utf-8" in result.stderr


def test_add_noqa_from_stdin_writes_the_commented_source(project: Path) -> None:
    result = run("check", "--add-noqa", "--stdin-filename", "a.py", "-",
                 stdin=LEGACY_REQUEST.encode())
    assert result.exit_code == 0
    assert result.stdout == LEGACY_REQUEST.replace('projects")\n',
                                                   'projects")  # noqa: MPZ002, MPZ101\n')


def test_stdin_cannot_mix_with_paths(project: Path) -> None:
    assert run("check", "-", "a.py", stdin=b"").exit_code == 2

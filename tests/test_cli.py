"""The command line, end to end on real files, with fake rules (see fake_rules.py).

Outputs and exit codes are compared exactly: they are what users and CI scripts see.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mpz_lint import __version__, engine, files
from mpz_lint.cli import main
from mpz_lint.settings import Settings
from tests.fake_rules import fake_rules  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fake_rules")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def run(*args: str) -> Result:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart by itself
    return runner.invoke(main, list(args), catch_exceptions=False)


def codes(result: Result) -> list[str]:
    """The codes of the findings printed in concise format."""
    return [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()]


# --- findings and exit codes -----------------------------------------------------------


def test_clean_project_exits_0(project: Path) -> None:
    make(project, {"a.py": "x = 1\n"})
    result = run("check")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", "All checks passed! (1 file checked)\n")


def test_findings_exit_1_with_full_output(project: Path) -> None:
    make(project, {"pkg/a.py": "x = 'FLAG'\n"})
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "pkg/a.py:1:6: MPZ999 `FLAG` left in the code\n"
        "  x = 'FLAG'\n"
        "       ^^^^\n"
        "  help: Replace `FLAG` by `DONE`\n"
    )
    assert result.stderr == "Found 1 error in 1 file.\n[*] 1 fixable with --fix.\n"


def test_exit_zero_turns_findings_into_success(project: Path) -> None:
    make(project, {"a.py": "FLAG\n"})
    assert run("check", "--exit-zero").exit_code == 0


def test_paths_are_shown_as_given(project: Path) -> None:
    make(project, {"src/pkg/a.py": "FLAG\n", "b.py": "FLAG\n"})
    result = run("check", "--output-format", "concise", "src/", "./b.py")
    assert result.stdout == (
        "b.py:1:1: MPZ999 `FLAG` left in the code\n"
        "src/pkg/a.py:1:1: MPZ999 `FLAG` left in the code\n"
    )


def test_skipped_and_gitignored_files_are_not_checked(project: Path) -> None:
    make(project, {
        ".gitignore": "ignored.py\n", "ignored.py": "FLAG\n", ".venv/x.py": "FLAG\n",
        "node_modules/x.json": "FLAG", "a.py": "FLAG\n",
    })
    assert codes(run("check", "--output-format", "concise")) == ["MPZ999"]
    result = run("check", "--output-format", "concise", "--no-respect-gitignore")
    assert result.stdout.splitlines() == [
        "a.py:1:1: MPZ999 `FLAG` left in the code",
        "ignored.py:1:1: MPZ999 `FLAG` left in the code",
    ]


def test_exclude_option(project: Path) -> None:
    make(project, {"a.py": "FLAG\n", "gen/b.py": "FLAG\n", "c_pb2.py": "FLAG\n"})
    result = run("check", "--output-format", "concise", "--exclude", "gen,*_pb2.py")
    assert result.stdout == "a.py:1:1: MPZ999 `FLAG` left in the code\n"


# --- rule selection --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), ["MPZ999", "MPZ998"]),
        (("--select", "MPZ999"), ["MPZ999"]),
        (("--select", "MPZ999,MPZ997"), ["MPZ999", "MPZ997"]),
        (("--select", "MPZ998", "--select", "mpz997"), ["MPZ998", "MPZ997"]),
        (("--ignore", "MPZ998"), ["MPZ999"]),
        (("--select", "MPZ99", "--ignore", "MPZ998"), ["MPZ999"]),  # 997 needs its exact code
        (("--extend-select", "MPZ997"), ["MPZ999", "MPZ998", "MPZ997"]),
        (("--strict",), ["MPZ999", "MPZ998", "MPZ997"]),
        (("--select", "ALL", "--ignore", "MPZ999"), ["MPZ998"]),
        (("--select", "ALL", "--strict", "--ignore", "MPZ999"), ["MPZ998", "MPZ997"]),
    ],
)
def test_rule_selection(project: Path, options: tuple[str, ...], expected: list[str]) -> None:
    make(project, {"a.py": "FLAG\nRISKY\nSTRICT\n"})
    assert codes(run("check", "--output-format", "concise", *options)) == expected


def test_unknown_rule_code_is_a_usage_error(project: Path) -> None:
    make(project, {"a.py": "FLAG\n"})
    result = run("check", "--select", "MPZ9,XYZ1")
    assert result.exit_code == 2
    assert "Invalid value for --select: no rule code starts with 'XYZ1'" in result.stderr


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), Settings()),
        (("--service-account",), Settings(service_account="yes")),
        (("--no-service-account",), Settings(service_account="no")),
        (("--company-id-expr", "settings.COMPANY_ID"),
         Settings(company_id_expr="settings.COMPANY_ID")),
        (("--no-respect-gitignore", "--exclude", "a/*,b", "--exclude", "c"),
         Settings(respect_gitignore=False, exclude=("a/*", "b", "c"))),
        (("--select", "MPZ999", "--extend-select", "MPZ997", "--ignore", "MPZ998", "--strict"),
         Settings(select=("MPZ999",), extend_select=("MPZ997",), ignore=("MPZ998",),
                  strict=True)),
    ],
)
def test_options_reach_the_settings(
    project: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], expected: Settings
) -> None:
    seen: list[Settings] = []

    def lint_files(sources: object, settings: Settings, progress: object = None,
                   **run_options: object) -> list[engine.FileResult]:
        seen.append(settings)
        return []

    monkeypatch.setattr(engine, "lint_files", lint_files)
    assert run("check", *options).exit_code == 0
    assert seen == [expected]


def test_company_id_expr_must_be_an_expression(project: Path) -> None:
    result = run("check", "--company-id-expr", "company id")
    assert result.exit_code == 2
    assert "Invalid value for --company-id-expr: not a Python expression" in result.stderr


# --- fixing ----------------------------------------------------------------------------


def test_fix_writes_files_byte_for_byte(project: Path) -> None:
    make(project, {"a.py": b"\xef\xbb\xbfx = 'FLAG'\r\ny = 'caf\xc3\xa9 FLAG'\r\n",
                   "b.py": "nothing here\n"})
    result = run("check", "--fix")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "Found 2 errors in 1 of 2 files (2 fixed, 0 remaining).\n"
    assert (project / "a.py").read_bytes() == (
        b"\xef\xbb\xbfx = 'DONE'\r\ny = 'caf\xc3\xa9 DONE'\r\n")


def test_fix_keeps_a_coding_cookie_encoding(project: Path) -> None:
    make(project, {"a.py": b"# coding: latin-1\nx = '\xe9 FLAG'\n"})
    assert run("check", "--fix").exit_code == 0
    assert (project / "a.py").read_bytes() == b"# coding: latin-1\nx = '\xe9 DONE'\n"


def test_fix_leaves_unsafe_fixes_unless_asked(project: Path) -> None:
    make(project, {"a.py": "x = [FLAG, RISKY]\n"})
    result = run("check", "--fix", "--output-format", "concise")
    assert result.exit_code == 1
    assert result.stdout == "a.py:1:12: MPZ998 `RISKY` left in the code\n"
    assert result.stderr == ("Found 2 errors in 1 file (1 fixed, 1 remaining).\n"
                             "(1 hidden fix can be enabled with --unsafe-fixes)\n")
    assert (project / "a.py").read_text() == "x = [DONE, RISKY]\n"

    result = run("check", "--fix", "--unsafe-fixes")
    assert (result.exit_code, result.stdout) == (0, "")
    assert (project / "a.py").read_text() == "x = [DONE, CALM]\n"


def test_a_fix_that_would_not_parse_is_not_written(project: Path) -> None:
    make(project, {"a.py": "FLAG RISKY\n"})  # DONE RISKY is not Python
    result = run("check", "--fix", "--output-format", "concise")
    assert result.exit_code == 2
    assert "error: a.py: fix not applied, it would not parse" in result.stderr
    assert (project / "a.py").read_text() == "FLAG RISKY\n"


def test_unsafe_fixes_counted_as_fixable_when_enabled(project: Path) -> None:
    make(project, {"a.py": "RISKY\n"})
    assert run("check").stderr == (
        "Found 1 error in 1 file.\n"
        "No fixes available (1 hidden fix can be enabled with --unsafe-fixes).\n")
    assert run("check", "--unsafe-fixes").stderr == (
        "Found 1 error in 1 file.\n[*] 1 fixable with --fix.\n")


def test_diff_prints_fixes_and_writes_nothing(project: Path) -> None:
    make(project, {"a.py": "x = 'FLAG'\ny = 2\n", "b.py": "FLAG", "c.py": "STRICT\n"})
    result = run("check", "--diff")
    assert result.exit_code == 1
    assert result.stdout == (
        "--- a.py\n+++ a.py\n@@ -1,2 +1,2 @@\n-x = 'FLAG'\n+x = 'DONE'\n y = 2\n"
        "--- b.py\n+++ b.py\n@@ -1 +1 @@\n-FLAG\n\\ No newline at end of file\n"
        "+DONE\n\\ No newline at end of file\n"
    )
    assert result.stderr == "Would fix 2 errors in 2 of 3 files.\n"
    assert (project / "a.py").read_text() == "x = 'FLAG'\ny = 2\n"
    assert (project / "b.py").read_text() == "FLAG"
    assert run("check", "--diff", "--exit-zero").exit_code == 0


def test_diff_with_nothing_to_fix_exits_0(project: Path) -> None:
    make(project, {"a.py": "x = 1\n"})
    result = run("check", "--diff")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", "All checks passed! (1 file checked)\n")


def test_diff_with_only_unfixable_findings_exits_1(project: Path) -> None:
    make(project, {"a.py": "STRICT\n"})
    result = run("check", "--diff", "--strict")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "No errors would be fixed (1 remaining in 1 file).\n"


def test_write_failure_is_exit_2_and_leaves_the_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(project, {"a.py": "FLAG\n", "b.py": "FLAG\n"})

    def refuse(path: Path, data: bytes) -> None:
        if path.name == "a.py":
            raise PermissionError(13, "Permission denied")
        path.write_bytes(data)

    monkeypatch.setattr(files, "write_atomic", refuse)
    result = run("check", "--fix", "--exit-zero")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: a.py: cannot write fixes: permission denied\n"
        "Found 1 error in 1 file (1 fixed, 0 remaining).\n"
        "1 file could not be checked.\n"
    )
    assert (project / "a.py").read_text() == "FLAG\n"
    assert (project / "b.py").read_text() == "DONE\n"


# --- files that cannot be checked -------------------------------------------------------


def test_missing_path_exits_2_and_other_files_are_checked(project: Path) -> None:
    make(project, {"a.py": "FLAG\n"})
    result = run("check", "--output-format", "concise", "--exit-zero", "nope", "a.py")
    assert result.exit_code == 2
    assert result.stdout == "a.py:1:1: MPZ999 `FLAG` left in the code\n"
    assert result.stderr == (
        "error: nope: no such file or directory\n"
        "Found 1 error in 1 file.\n[*] 1 fixable with --fix.\n1 file could not be checked.\n"
    )


def test_syntax_error_exits_2_and_the_good_file_is_reported(project: Path) -> None:
    # Only files that can concern Procore are parsed, so the broken one names it.
    make(project, {"broken.py": "import procore\ndef (:\n", "good.py": "FLAG\n"})
    result = run("check", "--output-format", "concise")
    assert result.exit_code == 2
    assert result.stdout == "good.py:1:1: MPZ999 `FLAG` left in the code\n"
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: broken.py: syntax error at 2:")


def test_undecodable_file_exits_2(project: Path) -> None:
    make(project, {"bad.py": b"x = '\xff'\n", "good.py": "x = 1\n"})
    result = run("check")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: bad.py: cannot decode as utf-8: byte 0xff on line 1 (invalid start byte)\n"
        "1 file could not be checked.\n"
    )


# --- json ------------------------------------------------------------------------------


def test_json_output_and_no_summary(project: Path) -> None:
    make(project, {"a.py": "RISKY\n", "b.env": "X=FLAG\n"})
    result = run("check", "--output-format", "json")
    assert (result.exit_code, result.stderr) == (1, "")
    items = json.loads(result.stdout)
    assert [(i["filename"], i["code"], i["name"]) for i in items] == [
        ("a.py", "MPZ998", "risky-word"), ("b.env", "MPZ999", "flag-word")]
    assert items[1] == {
        "code": "MPZ999", "name": "flag-word", "message": "`FLAG` left in the code",
        "filename": "b.env", "location": {"row": 1, "column": 3},
        "end_location": {"row": 1, "column": 7},
        "fix": {"applicability": "safe", "message": "Replace `FLAG` by `DONE`", "edits": [
            {"content": "DONE", "location": {"row": 1, "column": 3},
             "end_location": {"row": 1, "column": 7}}]},
        "url": None,
    }


def test_json_with_no_findings_is_an_empty_array(project: Path) -> None:
    make(project, {"a.py": "x = 1\n"})
    result = run("check", "--output-format", "json")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "[]\n", "")


# --- rule and version ------------------------------------------------------------------


def test_rule_prints_its_documentation() -> None:
    result = run("rule", "mpz998")
    assert (result.exit_code, result.stdout) == (0, (
        "# risky-word (MPZ998)\n"
        "\n"
        "Fix always available (safe or unsafe).\n"
        "\n"
        "Flags the word RISKY; the unsafe fix writes CALM.\n"
    ))
    assert run("rule", "MPZ997").stdout == (
        "# strict-word (MPZ997)\n"
        "\n"
        "No fix available.\n"
        "Off by default: enable it with --strict or --select MPZ997.\n"
        "\n"
        "Flags the word STRICT; off by default, no fix.\n"
    )


def test_rule_all_lists_every_rule() -> None:
    result = run("rule", "--all")
    assert (result.exit_code, result.stdout) == (0, (
        "MPZ999  flag-word    fix always available (safe)\n"
        "MPZ998  risky-word   fix always available (safe or unsafe)\n"
        "MPZ997  strict-word  no fix  (off by default)\n"
    ))


def test_unknown_rule_exits_2() -> None:
    result = run("rule", "MPZ000")
    assert (result.exit_code, result.stderr) == (2, "error: unknown rule code: MPZ000\n")
    assert run("rule").exit_code == 2
    assert run("rule", "MPZ999", "--all").exit_code == 2


def test_version() -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"mpz-lint {__version__}\n")


@pytest.mark.parametrize(("args", "status"), [
    (["check", "--isolated", "--no-cache", "client.py"], 1),
    (["check", "--isolated", "--no-cache", "--exit-zero", "client.py"], 0),
    (["check", "--no-such-option"], 2),
])
def test_the_command_leaves_with_its_status_and_all_its_output(
        tmp_path: Path, args: list[str], status: int) -> None:
    # `run` skips the interpreter's teardown: what was printed must still all come out.
    lines = "".join(f'r{i} = requests.get("https://app.procore.com/rest/v1.0/me")\n'
                    for i in range(300))
    (tmp_path / "client.py").write_text("import requests\n" + lines)
    done = subprocess.run([sys.executable, "-m", "mpz_lint", *args], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == status, done.stderr
    if status == 2:
        last = done.stderr.splitlines()[-1]  # click's own words, which vary by version
        assert last.startswith("Error: No such option") and "--no-such-option" in last
    else:
        assert done.stdout.count("MPZ002") == 300
        assert "Found 300 errors" in done.stderr


@pytest.mark.parametrize(("code", "status", "said"), [
    (None, 0, ""), (0, 0, ""), (3, 3, ""), ("cannot go on", 1, "cannot go on\n")])
def test_exit_status_is_that_of_sys_exit(
        code: object, status: int, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    from mpz_lint.cli import _exit_status

    assert _exit_status(code) == status
    assert capsys.readouterr().err == said


def test_version_does_not_import_libcst_and_runs_as_module() -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from mpz_lint.cli import main\n"
        "CliRunner().invoke(main, ['--version'])\n"
        "print('libcst' in sys.modules)\n"
    )
    probe = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True)
    assert probe.stdout == "False\n"
    module = subprocess.run([sys.executable, "-m", "mpz_lint", "--version"],
                            capture_output=True, text=True, check=True)
    assert module.stdout == f"mpz-lint {__version__}\n"

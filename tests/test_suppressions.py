"""Suppression comments (`# noqa`, `# mpz-lint: noqa`), MPZ900, --add-noqa, --ignore-noqa.

The engine tests use the real rules on one legacy request: MPZ002 (host) at the URL,
MPZ101 (no company header) at the call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mpz_lint.engine import fix_source, lint_files
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile
from mpz_lint.suppressions import add_noqa
from tests.cli_helpers import LEGACY_REQUEST, findings, make, run

URL = "https://app.procore.com/rest/v1.0/projects"
WITH_900 = Settings(extend_select=("MPZ900",))


def found(text: str, settings: Settings | None = None, path: str = "a.py") -> list[tuple[str, int]]:
    (result,) = lint_files([SourceFile(path, text, "config" if not path.endswith(".py") else "python")],
                           settings or Settings())
    assert result.error is None
    return [(d.code, d.location.row) for d in result.diagnostics]


def suppressed(text: str, settings: Settings | None = None) -> list[tuple[str, int]]:
    (result,) = lint_files([SourceFile("a.py", text)], settings or Settings())
    return [(d.code, d.location.row) for d in result.suppressed]


def test_unsuppressed_request_has_both_findings() -> None:
    assert found(f'import requests\nrequests.get("{URL}")\n') == [("MPZ101", 2), ("MPZ002", 2)]


@pytest.mark.parametrize(("comment", "expected"), [
    ("# noqa: MPZ101", [("MPZ002", 2)]),
    ("# noqa: MPZ002", [("MPZ101", 2)]),
    ("# noqa: MPZ101, MPZ002", []),
    ("# noqa:MPZ101,MPZ002", []),
    ("# NOQA: MPZ101 MPZ002", []),
    ("# noqa", []),
    ("# noqa: MPZ101 - the company id comes from a proxy", [("MPZ002", 2)]),
    ("# noqa: F401", [("MPZ101", 2), ("MPZ002", 2)]),  # another linter's code
    ("# type: ignore  # noqa: MPZ002", [("MPZ101", 2)]),
    ("# noqa-ish: MPZ002", [("MPZ101", 2), ("MPZ002", 2)]),
])
def test_line_suppressions(comment: str, expected: list[tuple[str, int]]) -> None:
    assert found(f'import requests\nrequests.get("{URL}")  {comment}\n') == expected


def test_noqa_inside_a_string_is_not_a_comment() -> None:
    text = f'import requests\nrequests.get("{URL}", params={{"q": "# noqa"}})\n'
    assert found(text) == [("MPZ101", 2), ("MPZ002", 2)]


def test_multi_line_call_is_suppressed_on_its_first_line() -> None:
    text = f'import requests\nrequests.get(  # noqa: MPZ002, MPZ101\n    "{URL}",\n)\n'
    assert found(text) == []
    assert suppressed(text) == [("MPZ101", 2), ("MPZ002", 3)]
    # On the reported line itself works too.
    assert found(f'import requests\nrequests.get(\n    "{URL}",  # noqa: MPZ002\n)\n') == [
        ("MPZ101", 2)]
    # But not on a line of another statement.
    assert found(f'import requests  # noqa\nrequests.get(\n    "{URL}",\n)\n') == [
        ("MPZ101", 2), ("MPZ002", 3)]


def test_file_level_suppression() -> None:
    body = f'import requests\nrequests.get("{URL}")\n'
    assert found("# mpz-lint: noqa\n" + body) == []
    assert found("# mpz-lint: noqa: MPZ002\n" + body) == [("MPZ101", 3)]
    # Only on a line of its own, as ruff's `# ruff: noqa`.
    assert found("x = 1  # mpz-lint: noqa\n" + body) == [("MPZ101", 3), ("MPZ002", 3)]


@pytest.mark.parametrize(("path", "text", "expected"), [
    (".env", f"PROCORE_URL={URL}  # noqa: MPZ002\n", []),
    (".env", f"PROCORE_URL={URL}\n", [("MPZ002", 1)]),
    ("settings.yaml", f"procore:\n  url: {URL}  # noqa\n", []),
    ("settings.toml", f'url = "{URL}"  # noqa: MPZ002\n', []),
    ("settings.toml", f'url = "{URL}#noqa"\n', [("MPZ002", 1)]),  # inside the value
    ("setup.cfg", f"# mpz-lint: noqa\n[procore]\nurl = {URL}\n", []),
    ("settings.json", f'{{"url": "{URL}"}}\n', [("MPZ002", 1)]),
])
def test_config_files_take_hash_comments(path: str, text: str,
                                         expected: list[tuple[str, int]]) -> None:
    assert found(text, path=path) == expected


def test_ignore_noqa_reports_everything() -> None:
    text = f'import requests\nrequests.get("{URL}")  # noqa\n'
    assert found(text, Settings(ignore_noqa=True)) == [("MPZ101", 2), ("MPZ002", 2)]


def test_per_file_ignores_drop_findings() -> None:
    from mpz_lint.settings import PerFileIgnore

    text = f'import requests\nrequests.get("{URL}")\n'
    settings = Settings(per_file_ignores=(PerFileIgnore("a.py", ("MPZ1",)),))
    assert found(text, settings) == [("MPZ002", 2)]
    assert found(text, settings, path="b.py") == [("MPZ101", 2), ("MPZ002", 2)]


# --- MPZ900 -------------------------------------------------------------------------------


def test_unused_noqa_is_off_by_default() -> None:
    assert found("x = 1  # noqa: MPZ101\n") == []


@pytest.mark.parametrize(("line", "message"), [
    ('requests.get("https://api.procore.com/rest/v1.0/me")  # noqa: MPZ101',
     "Unused `noqa` directive (unused: `MPZ101`)"),
    (f'requests.get("{URL}")  # noqa: MPZ101, MPZ002, MPZ104',
     "Unused `noqa` directive (non-enabled: `MPZ104`)"),
    ("x = 1  # noqa: MPZ777", "Unused `noqa` directive (unknown: `MPZ777`)"),
    (f'requests.get("{URL}")  # noqa: MPZ101, MPZ002, MPZ101',
     "Unused `noqa` directive (duplicated: `MPZ101`)"),
])
def test_unused_noqa_messages(line: str, message: str) -> None:
    text = f"import requests\n{line}\n"
    (result,) = lint_files([SourceFile("a.py", text)], WITH_900)
    assert [d.message for d in result.diagnostics] == [message]


@pytest.mark.parametrize(("before", "after"), [
    ("x = 1  # noqa: MPZ101\n", "x = 1\n"),
    ("x = 1  # noqa: MPZ101, F401\n", "x = 1  # noqa: F401\n"),
    ("x = 1  # noqa: MPZ101  # type: ignore\n", "x = 1  # type: ignore\n"),
    ("x = 1  # noqa: MPZ101 a reason\n", "x = 1  # a reason\n"),
    ("# mpz-lint: noqa: MPZ101\nx = 1\n", "x = 1\n"),
    ("# mpz-lint: noqa\nx = 1\n", "x = 1\n"),
    (f'import requests\nrequests.get("{URL}")  # noqa: MPZ002, MPZ102, MPZ101\n',
     f'import requests\nrequests.get("{URL}")  # noqa: MPZ002, MPZ101\n'),
])
def test_unused_noqa_fix(before: str, after: str) -> None:
    fixed, remaining = fix_source(before, "a.py", WITH_900)
    assert fixed == after
    assert all(d.code != "MPZ900" for d in remaining)


def test_a_fixed_finding_leaves_its_noqa_unused_and_it_goes_too() -> None:
    text = f'import requests\nrequests.get("{URL}")  # noqa: MPZ101, MPZ003\n'
    fixed, _ = fix_source(text, "a.py", Settings(extend_select=("MPZ900",)))
    assert fixed == ('import requests\n'
                     'requests.get("https://api.procore.com/rest/v1.0/projects")  # noqa: MPZ101\n')


def test_unused_noqa_can_itself_be_suppressed() -> None:
    assert found("x = 1  # noqa: MPZ101, MPZ900\n", WITH_900) == []


# --- --add-noqa and --ignore-noqa on the command line ---------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_add_noqa_then_the_run_is_clean(project: Path) -> None:
    make(project, {
        "a.py": LEGACY_REQUEST + f'requests.get(  # noqa: MPZ002\n    "{URL}"\n)\n'
                f'requests.get("""{URL}\n""")\n',
        ".env": f"PROCORE_URL={URL}\n",
        "settings.json": f'{{"url": "{URL}"}}\n',
    })
    result = run("check", "--add-noqa")
    assert result.exit_code == 0
    assert result.stderr == "Added 4 noqa directives.\n"
    assert (project / "a.py").read_text() == (
        'import requests\n\n'
        f'requests.get("{URL}")  # noqa: MPZ002, MPZ101\n'
        f'requests.get(  # noqa: MPZ002, MPZ101\n    "{URL}"\n)\n'
        # A multi-line string takes its comment where it ends.
        f'requests.get("""{URL}\n""")  # noqa: MPZ002, MPZ101\n'
    )
    assert (project / ".env").read_text() == f"PROCORE_URL={URL}  # noqa: MPZ002\n"
    assert (project / "settings.json").read_text() == f'{{"url": "{URL}"}}\n'  # JSON: no comments
    remaining = run("check", "--output-format", "concise")
    assert findings(remaining) == ["settings.json:1 MPZ002"]
    everything = run("check", "--output-format", "concise", "--ignore-noqa")
    assert len(findings(everything)) == 8


def test_add_noqa_keeps_meaning() -> None:
    # A finding inside a multi-line string gets its comment after the string ends.
    source = SourceFile("a.py", 'S = """\nhttps://app.procore.com\n"""\n')
    from mpz_lint.model import Diagnostic, Location

    diagnostic = Diagnostic("MPZ003", "m", "a.py", Location(2, 1), Location(2, 24))
    text, count = add_noqa(source, [diagnostic])
    assert (text, count) == ('S = """\nhttps://app.procore.com\n"""  # noqa: MPZ003\n', 1)
    # ini values would take the comment in: nothing is added there.
    ini = SourceFile("setup.cfg", "[x]\nurl = https://app.procore.com\n", "config")
    assert add_noqa(ini, [diagnostic])[1] == 0


def test_add_noqa_merges_into_an_existing_directive(project: Path) -> None:
    make(project, {"a.py": f'import requests\nrequests.get("{URL}")  # noqa: F401\n'})
    assert run("check", "--add-noqa").exit_code == 0
    assert (project / "a.py").read_text() == (
        f'import requests\nrequests.get("{URL}")  # noqa: F401, MPZ002, MPZ101\n')


def test_add_noqa_cannot_be_combined_with_fix(project: Path) -> None:
    assert run("check", "--add-noqa", "--fix").exit_code == 2

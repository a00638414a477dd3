"""The output formats and the summary line, compared as exact text."""

from __future__ import annotations

import json

import pytest

from mpz_lint.engine import FileResult, lint_files
from mpz_lint.model import Applicability, Diagnostic, Edit, FileError, Fix, Location
from mpz_lint.output import format_concise, format_full, format_json, summary
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile
from tests.fake_rules import fake_rules  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fake_rules")


def results(files: dict[str, str], settings: Settings | None = None) -> list[FileResult]:
    sources = [SourceFile(path, text, "config" if path.endswith(".env") else "python")
               for path, text in files.items()]
    return lint_files(sources, settings or Settings())


FILES = {
    "b.py": "x = 'FLAG'\r\n\tif RISKY:\r\n        pass\r\n",
    "a.env": "URL=FLAG\n",
}


def test_concise() -> None:
    assert format_concise(results(FILES)) == (
        "a.env:1:5: MPZ999 `FLAG` left in the code\n"
        "b.py:1:6: MPZ999 `FLAG` left in the code\n"
        "b.py:2:5: MPZ998 `RISKY` left in the code\n"
    )


def test_full_shows_line_caret_and_help() -> None:
    assert format_full(results(FILES)) == (
        "a.env:1:5: MPZ999 `FLAG` left in the code\n"
        "  URL=FLAG\n"
        "      ^^^^\n"
        "  help: Replace `FLAG` by `DONE`\n"
        "\n"
        "b.py:1:6: MPZ999 `FLAG` left in the code\n"
        "  x = 'FLAG'\n"
        "       ^^^^\n"
        "  help: Replace `FLAG` by `DONE`\n"
        "\n"
        "b.py:2:5: MPZ998 `RISKY` left in the code\n"
        "  \tif RISKY:\n"
        "  \t   ^^^^^\n"  # the tab stays a tab, so the caret lines up
        "  help: Replace `RISKY` by `CALM` (unsafe)\n"
    )


def test_full_caret_for_empty_and_multiline_spans() -> None:
    source = SourceFile("m.py", "call(\n    1,\n)\n")
    empty = Diagnostic("MPZ997", "here", "m.py", Location(2, 5), Location(2, 5))
    multiline = Diagnostic("MPZ997", "all of it", "m.py", Location(1, 1), Location(3, 2))
    assert format_full([FileResult(source, diagnostics=[empty, multiline])]) == (
        "m.py:1:1: MPZ997 all of it\n"
        "  call(\n"
        "  ^^^^^\n"
        "\n"
        "m.py:2:5: MPZ997 here\n"
        "      1,\n"
        "      ^\n"
    )


def test_no_diagnostics_prints_nothing() -> None:
    clean = results({"c.py": "x = 1\n"})
    assert format_full(clean) == format_concise(clean) == ""
    assert format_json(clean) == "[]\n"


def test_json_keys_are_the_public_contract() -> None:
    items = json.loads(format_json(results(FILES)))
    assert [(i["filename"], i["code"]) for i in items] == [
        ("a.env", "MPZ999"), ("b.py", "MPZ999"), ("b.py", "MPZ998")]
    assert items[2] == {
        "code": "MPZ998",
        "name": "risky-word",
        "message": "`RISKY` left in the code",
        "filename": "b.py",
        "location": {"row": 2, "column": 5},
        "end_location": {"row": 2, "column": 10},
        "fix": {
            "applicability": "unsafe",
            "message": "Replace `RISKY` by `CALM`",
            "edits": [{
                "content": "CALM",
                "location": {"row": 2, "column": 5},
                "end_location": {"row": 2, "column": 10},
            }],
        },
        "url": None,
    }


def test_json_without_fix() -> None:
    (item,) = json.loads(format_json(results({"s.py": "STRICT\n"}, Settings(strict=True))))
    assert item["fix"] is None and item["name"] == "strict-word"
    assert list(item) == ["code", "name", "message", "filename", "location", "end_location",
                          "fix", "url"]


def _result(path: str, safe: int = 0, unsafe: int = 0, none: int = 0,
            fixed: int = 0) -> FileResult:
    def diagnostic(applicability: Applicability | None) -> Diagnostic:
        fix = None if applicability is None else Fix(
            (Edit(Location(1, 1), Location(1, 2), "x"),), applicability, "fix it")
        return Diagnostic("MPZ999", "m", path, Location(1, 1), Location(1, 2), fix)

    found = ([diagnostic(Applicability.SAFE)] * safe + [diagnostic(Applicability.UNSAFE)] * unsafe
             + [diagnostic(None)] * none)
    return FileResult(SourceFile(path, "x\n"), diagnostics=found,
                      fixed=[diagnostic(Applicability.SAFE)] * fixed)


@pytest.mark.parametrize(
    ("result", "errors", "mode", "unsafe_fixes", "expected"),
    [
        (_result("a.py"), 0, "check", False, "All checks passed! (2 files checked)"),
        (_result("a.py", none=1), 0, "check", False, "Found 1 error in 1 of 2 files."),
        (_result("a.py", safe=2, none=1), 0, "check", False,
         "Found 3 errors in 1 of 2 files.\n[*] 2 fixable with --fix."),
        (_result("a.py", safe=2, unsafe=1), 0, "check", False,
         "Found 3 errors in 1 of 2 files.\n[*] 2 fixable with --fix.\n"
         "(1 hidden fix can be enabled with --unsafe-fixes)"),
        (_result("a.py", unsafe=2), 0, "check", False,
         "Found 2 errors in 1 of 2 files.\n"
         "No fixes available (2 hidden fixes can be enabled with --unsafe-fixes)."),
        (_result("a.py", safe=1, unsafe=2), 0, "check", True,
         "Found 3 errors in 1 of 2 files.\n[*] 3 fixable with --fix (1 safe, 2 unsafe)."),
        (_result("a.py", fixed=2, none=1), 0, "fix", False,
         "Found 3 errors in 1 of 2 files (2 fixed, 1 remaining)."),
        (_result("a.py", fixed=2), 0, "fix", False,
         "Found 2 errors in 1 of 2 files (2 fixed, 0 remaining)."),
        (_result("a.py", fixed=1, unsafe=1), 0, "fix", False,
         "Found 2 errors in 1 of 2 files (1 fixed, 1 remaining).\n"
         "(1 hidden fix can be enabled with --unsafe-fixes)"),
        (_result("a.py", fixed=2, none=1), 0, "diff", False,
         "Would fix 2 errors in 1 of 2 files (1 remaining)."),
        (_result("a.py", fixed=1), 0, "diff", False, "Would fix 1 error in 1 of 2 files."),
        (_result("a.py", none=1), 0, "diff", False,
         "No errors would be fixed (1 remaining in 1 of 2 files)."),
        (_result("a.py"), 2, "check", False, "2 files could not be checked."),
        (_result("a.py", none=1), 1, "check", False,
         "Found 1 error in 1 of 2 files.\n1 file could not be checked."),
    ],
)
def test_summary(result: FileResult, errors: int, mode: str, unsafe_fixes: bool,
                 expected: str) -> None:
    file_errors = [FileError(f"bad{n}.py", "broken") for n in range(errors)]
    clean = _result("b.py")
    assert summary([result, clean], file_errors, mode=mode,  # type: ignore[arg-type]
                   unsafe_fixes=unsafe_fixes) == expected


def test_summary_names_the_files_and_the_baseline() -> None:
    one = _result("a.py", none=1)
    assert summary([one]) == "Found 1 error in 1 file."
    assert summary([one, _result("b.py", none=2)]) == "Found 3 errors in 2 files."
    assert summary([_result("a.py")]) == "All checks passed! (1 file checked)"
    assert summary([_result("a.py")], baselined=2) == (
        "All checks passed! (1 file checked)\n2 findings in the baseline not shown.")


def test_summary_counts_each_unchecked_file_once() -> None:
    errors = [FileError("a.py", "one problem"), FileError("a.py", "another")]
    assert summary([], errors) == "1 file could not be checked."

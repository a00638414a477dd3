"""The host rules over annotated fixture files, one per flow form or carve-out.

Each case in `fixtures/hosts/` is a small module `<name>.py`, or a folder of modules that
are checked together as one project. The findings it must produce are written on the
offending lines, flake8-bugbear style: `# expect: MPZ002:15` (code:column; several are
separated by spaces). Beside each module, `<name>.fixed.py` holds the exact text that
`--fix --unsafe-fixes` must give (the same text as the module for a negative case).

Only the host rules (MPZ001-MPZ003) run here, so fixes of other rules do not mix in.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

from mpz_lint.engine import FileResult, fix_files, lint_files
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile

HOSTS = Path(__file__).resolve().parent.parent / "fixtures" / "hosts"
HOST_RULES = Settings(select=("MPZ001", "MPZ002", "MPZ003"))
FIXED_SUFFIX = ".fixed.py"

_EXPECT = re.compile(r"#\s*expect:(.*)$")
_EXPECTED_FINDING = re.compile(r"(MPZ\d{3}):(\d+)")

Finding = tuple[str, str, int, int]  # (path, code, row, column)

# Where the engine disagrees with ../shared/RULES.md today. The fixture holds the right
# answer; the named tests are expected to fail until the engine is fixed (strict: a fix
# in the engine makes them pass, and then this entry must go).
KNOWN_DISCREPANCIES: dict[str, tuple[str, frozenset[str]]] = {}


@dataclass(frozen=True)
class Case:
    """One fixture case: its input modules, named relative to `root`."""

    name: str
    root: Path
    inputs: tuple[Path, ...]

    def sources(self) -> list[SourceFile]:
        return [SourceFile(self.display(path), _read(path)) for path in self.inputs]

    def fixed_sources(self) -> list[SourceFile]:
        return [SourceFile(self.display(path), _read(fixed_path(path))) for path in self.inputs]

    def display(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def fixed_path(path: Path) -> Path:
    return path.with_name(path.name[: -len(".py")] + FIXED_SUFFIX)


def _read(path: Path) -> str:
    # Bytes, decoded without newline translation: a fix must keep every byte.
    return path.read_bytes().decode("utf-8")


def _is_input(path: Path) -> bool:
    return path.suffix == ".py" and not path.name.endswith(FIXED_SUFFIX)


def collect_cases() -> list[Case]:
    cases: list[Case] = []
    for entry in sorted(HOSTS.iterdir()):
        if entry.is_dir():
            inputs = tuple(sorted(p for p in entry.rglob("*.py") if _is_input(p)))
            cases.append(Case(entry.name, entry, inputs))
        elif _is_input(entry):
            cases.append(Case(entry.stem, HOSTS, (entry,)))
    return cases


CASES = collect_cases()


def expected_findings(source: SourceFile) -> list[Finding]:
    """The `# expect:` annotations of one file, in the order the engine reports."""
    found: list[Finding] = []
    tokens = tokenize.generate_tokens(io.StringIO(source.text).readline)
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _EXPECT.search(token.string)
        if match is None:
            continue
        items = match.group(1).split()
        parsed = [_EXPECTED_FINDING.fullmatch(item) for item in items]
        assert items and all(parsed), f"{source.path}:{token.start[0]}: bad {token.string!r}"
        for item in parsed:
            assert item is not None
            found.append((source.path, item.group(1), token.start[0], int(item.group(2))))
    return sorted(found, key=lambda f: (f[0], f[2], f[3], f[1]))


def actual_findings(results: list[FileResult]) -> list[Finding]:
    for result in results:
        assert result.error is None, result.error
    return [(d.path, d.code, d.location.row, d.location.column)
            for result in results for d in result.diagnostics]


def case_params(cases: list[Case], discrepancies: dict[str, tuple[str, frozenset[str]]],
                test: str) -> list[object]:
    """One pytest param per case, a strict xfail where `discrepancies` names this test."""
    params: list[object] = []
    for case in cases:
        marks = []
        if case.name in discrepancies:
            reason, tests = discrepancies[case.name]
            if test in tests:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def assert_findings_are_the_expect_comments(case: Case, settings: Settings) -> None:
    sources = case.sources()
    expected = [f for source in sources for f in expected_findings(source)]
    assert actual_findings(lint_files(sources, settings)) == expected


def assert_unsafe_fix_gives_the_fixed_file(case: Case, settings: Settings) -> None:
    results = fix_files(case.sources(), settings, unsafe_fixes=True)
    for path, result in zip(case.inputs, results):
        assert result.error is None, result.error
        assert result.file.text.encode("utf-8") == fixed_path(path).read_bytes(), result.file.path


def assert_second_run_finds_nothing_fixable(case: Case, settings: Settings) -> None:
    fixed = case.fixed_sources()
    results = lint_files(fixed, settings)
    fixable = [f"{d.path}:{d.location.row}:{d.location.column} {d.code}"
               for result in results for d in result.diagnostics if d.fix is not None]
    assert fixable == []
    again = fix_files(fixed, settings, unsafe_fixes=True)
    assert [r.fixed_text for r in again] == [None] * len(fixed)


def _params(test: str) -> list[object]:
    return case_params(CASES, KNOWN_DISCREPANCIES, test)


@pytest.mark.parametrize("case", _params("findings"))
def test_findings_are_the_expect_comments(case: Case) -> None:
    assert_findings_are_the_expect_comments(case, HOST_RULES)


@pytest.mark.parametrize("case", _params("fix"))
def test_unsafe_fix_gives_the_fixed_file(case: Case) -> None:
    assert_unsafe_fix_gives_the_fixed_file(case, HOST_RULES)


@pytest.mark.parametrize("case", _params("second_run"))
def test_second_run_finds_nothing_fixable(case: Case) -> None:
    assert_second_run_finds_nothing_fixable(case, HOST_RULES)


def test_every_input_has_its_fixed_file_and_nothing_else_is_there() -> None:
    inputs = {path for case in CASES for path in case.inputs}
    fixed = {path for path in HOSTS.rglob("*" + FIXED_SUFFIX)}
    assert {fixed_path(path) for path in inputs} == fixed
    assert not any(path.name.endswith(FIXED_SUFFIX) for path in inputs)


def test_known_discrepancies_name_existing_cases() -> None:
    names = {case.name for case in CASES}
    assert set(KNOWN_DISCREPANCIES) <= names
    for _, tests in KNOWN_DISCREPANCIES.values():
        assert tests <= {"findings", "fix", "second_run"}


def test_expect_comments_are_read_as_code_and_column() -> None:
    source = SourceFile("example.py", 'A = "x"  # expect: MPZ001:5 MPZ003:5\nB = 1  # plain\n')
    assert expected_findings(source) == [("example.py", "MPZ001", 1, 5),
                                         ("example.py", "MPZ003", 1, 5)]

"""The header rules over annotated fixture files: one small integration module per case.

Each case in `fixtures/headers/` is a module `<name>.py`, or a folder of modules checked
together as one project (a helper in another module, a wrapper and its callers, a
service account's token module). The findings it must produce are written on the
offending lines: `# expect: MPZ101:12` (code:column). Beside each module,
`<name>.fixed.py` holds the exact text `--fix --unsafe-fixes` must give.

Only the header rules (MPZ1xx; MPZ104 stays off as by default) run here, so host fixes
do not mix in: every fixture uses the right hosts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mpz_lint.engine import lint_files
from mpz_lint.settings import Settings
from tests.test_fixture_pairs import (
    FIXED_SUFFIX,
    Case,
    assert_findings_are_the_expect_comments,
    assert_second_run_finds_nothing_fixable,
    assert_unsafe_fix_gives_the_fixed_file,
    case_params,
    expected_findings,
    fixed_path,
)

HEADERS = Path(__file__).resolve().parent.parent / "fixtures" / "headers"
HEADER_RULES = Settings(select=("MPZ1",))
TESTS = frozenset({"findings", "fix", "second_run", "no_fix_reason"})

# Where the engine disagrees with ../shared/RULES.md today. The fixture holds the right
# answer; the named tests are expected to fail until the engine is fixed (strict: a fix
# in the engine makes them pass, and then the entry must go).
KNOWN_DISCREPANCIES: dict[str, tuple[str, frozenset[str]]] = {}

# Every MPZ101 left without a fix, and the reason its message must give (RULES.md 3:
# "With none of these there is no fix, and the report says why"). OTHER_REASON: the code
# has a company id, so the message gives a reason, and not that one.
NO_COMPANY_ID = "no company id in scope"
OTHER_REASON = None
NO_FIX_REASONS: dict[str, dict[tuple[str, int], str | None]] = {
    "company_id_bound_later": {("company_id_bound_later.py", 10): NO_COMPANY_ID},
    "no_company_id": {("no_company_id.py", 9): NO_COMPANY_ID,
                      ("no_company_id.py", 20): NO_COMPANY_ID},
    "service_account_oauthlib": {("bot/me.py", 8): NO_COMPANY_ID},
    # A new headers= would make urllib3 drop the pool's own headers.
    "urllib3_pool": {("urllib3_pool.py", 32): OTHER_REASON},
    # urlopen() takes no headers=; the request would have to become a Request object.
    "urlopen_url_string": {("urlopen_url_string.py", 10): OTHER_REASON},
}


def _is_input(path: Path) -> bool:
    return path.suffix == ".py" and not path.name.endswith(FIXED_SUFFIX)


def collect_cases() -> list[Case]:
    cases: list[Case] = []
    for entry in sorted(HEADERS.iterdir()):
        if entry.is_dir():
            inputs = tuple(sorted(p for p in entry.rglob("*.py") if _is_input(p)))
            cases.append(Case(entry.name, entry, inputs))
        elif _is_input(entry):
            cases.append(Case(entry.stem, HEADERS, (entry,)))
    return cases


CASES = collect_cases()


def _params(test: str) -> list[object]:
    return case_params(CASES, KNOWN_DISCREPANCIES, test)


@pytest.mark.parametrize("case", _params("findings"))
def test_findings_are_the_expect_comments(case: Case) -> None:
    assert_findings_are_the_expect_comments(case, HEADER_RULES)


@pytest.mark.parametrize("case", _params("fix"))
def test_unsafe_fix_gives_the_fixed_file(case: Case) -> None:
    assert_unsafe_fix_gives_the_fixed_file(case, HEADER_RULES)


@pytest.mark.parametrize("case", _params("second_run"))
def test_second_run_finds_nothing_fixable(case: Case) -> None:
    assert_second_run_finds_nothing_fixable(case, HEADER_RULES)


@pytest.mark.parametrize("case", _params("no_fix_reason"))
def test_a_missing_header_without_a_fix_says_why(case: Case) -> None:
    results = lint_files(case.sources(), HEADER_RULES)
    unfixed = {(d.path, d.location.row): d.message for result in results
               for d in result.diagnostics if d.code == "MPZ101" and d.fix is None}
    reasons = NO_FIX_REASONS.get(case.name, {})
    assert sorted(unfixed) == sorted(reasons)
    for where, message in unfixed.items():
        reason = message.split("; ", 1)[1] if "; " in message else ""
        expected = reasons[where]
        if expected is OTHER_REASON:
            assert reason and NO_COMPANY_ID not in reason, (where, message)
        else:
            assert expected in reason, (where, message)


def test_every_input_has_its_fixed_file_and_nothing_else_is_there() -> None:
    inputs = {path for case in CASES for path in case.inputs}
    fixed = set(HEADERS.rglob("*" + FIXED_SUFFIX))
    assert {fixed_path(path) for path in inputs} == fixed


def test_known_discrepancies_and_reasons_name_existing_cases() -> None:
    names = {case.name for case in CASES}
    assert set(KNOWN_DISCREPANCIES) <= names
    assert set(NO_FIX_REASONS) <= names
    for _, tests in KNOWN_DISCREPANCIES.values():
        assert tests <= TESTS


def test_the_cases_cover_every_default_header_rule() -> None:
    found = {code for case in CASES for source in case.sources()
             for _, code, _, _ in expected_findings(source)}
    assert found == {"MPZ101", "MPZ102", "MPZ103"}

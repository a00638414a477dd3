"""Every rule's own valid/invalid examples, run as tests (the examples are the docs)."""

from __future__ import annotations

import pytest

from mpz_lint.engine import fix_source, lint_source
from mpz_lint.rule import Example, Rule
from mpz_lint.rules import ALL_RULES
from mpz_lint.settings import Settings


def _cases(kind: str) -> list[tuple[type[Rule], Example]]:
    return [(rule, example) for rule in ALL_RULES for example in getattr(rule, kind)]


def _id(case: tuple[type[Rule], Example]) -> str:
    rule, example = case
    return f"{rule.code}-{example.source.splitlines()[0][:40]}"


@pytest.mark.parametrize("case", _cases("valid"), ids=_id)
def test_valid_example_has_no_finding(case: tuple[type[Rule], Example]) -> None:
    rule, example = case
    settings = Settings(select=(rule.code,))
    assert lint_source(example.source, example.path, settings) == []


@pytest.mark.parametrize("case", _cases("invalid"), ids=_id)
def test_invalid_example_findings_and_fix(case: tuple[type[Rule], Example]) -> None:
    rule, example = case
    settings = Settings(select=(rule.code,))
    found = [(d.code, d.location.row, d.location.column)
             for d in lint_source(example.source, example.path, settings)]
    assert found == [(f.code, f.row, f.column) for f in example.findings]
    fixed, remaining = fix_source(example.source, example.path, settings, unsafe_fixes=True)
    expected = example.fixed if example.fixed is not None else example.source
    assert fixed == expected
    if example.fixed is not None:
        assert remaining == []
        # A second run finds nothing more to fix.
        assert fix_source(fixed, example.path, settings, unsafe_fixes=True)[0] == fixed


def test_rule_codes_and_names_are_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_is_documented_with_ruff_headings(rule: type[Rule]) -> None:
    doc = rule.documentation()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
                    "## Fix safety"):
        assert heading in doc
    assert rule.valid and rule.invalid


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_declared_fixability_matches_examples(rule: type[Rule]) -> None:
    fixes = [
        d.fix
        for example in rule.invalid
        for d in lint_source(example.source, example.path, Settings(select=(rule.code,)))
    ]
    if rule.fix_availability == "none":
        assert all(f is None for f in fixes)
    elif rule.fix_availability == "always":
        assert all(f is not None for f in fixes)

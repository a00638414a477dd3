"""Tiny rules for testing the CLI and the output formats without the real analyses.

Each flags a word wherever it appears in a file's text (Python or config): so the tests
of the shell around the engine do not change when the real rules do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from mpz_lint import engine
from mpz_lint.fixer import LineIndex
from mpz_lint.model import Applicability, Diagnostic, Edit, Fix
from mpz_lint.rule import Rule, RuleContext


class _WordRule(Rule):
    procore_only = False  # flags any file, so the engine must ask about every one
    word = ""
    replacement: str | None = None
    applicability = Applicability.SAFE

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        text = context.file.text
        index = LineIndex(text)
        for match in re.finditer(re.escape(self.word), text):
            start, end = index.location(match.start()), index.location(match.end())
            fix = None
            if self.replacement is not None:
                fix = Fix((Edit(start, end, self.replacement),), self.applicability,
                          f"Replace `{self.word}` by `{self.replacement}`")
            yield Diagnostic(self.code, f"`{self.word}` left in the code", context.file.path,
                             start, end, fix)


class FlagWord(_WordRule):
    """Flags the word FLAG; the safe fix writes DONE."""

    code = "MPZ999"
    name = "flag-word"
    fix_availability = "always"
    word = "FLAG"
    replacement = "DONE"


class RiskyWord(_WordRule):
    """Flags the word RISKY; the unsafe fix writes CALM."""

    code = "MPZ998"
    name = "risky-word"
    fix_availability = "always"
    fix_may_be_unsafe = True
    word = "RISKY"
    replacement = "CALM"
    applicability = Applicability.UNSAFE


class StrictWord(_WordRule):
    """Flags the word STRICT; off by default, no fix."""

    code = "MPZ997"
    name = "strict-word"
    default_enabled = False
    word = "STRICT"


FAKE_RULES: tuple[type[Rule], ...] = (FlagWord, RiskyWord, StrictWord)


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> tuple[type[Rule], ...]:
    """Replace the rule registry by the fake rules for one test."""
    monkeypatch.setattr(engine, "all_rules", lambda: FAKE_RULES)
    return FAKE_RULES

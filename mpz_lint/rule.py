"""What a rule is: one class with its documentation, examples and check, side by side.

A rule module in `rules/` defines one subclass of Rule. Its docstring is the rule's
documentation (ruff's headings: What it does / Why is this bad? / Example / Use instead /
Fix safety / Known problems); `mpz-lint rule CODE` prints it and the tests run its
examples. Rules never parse or resolve anything themselves: they read the shared
analyses on the RuleContext, which are computed once per run for every rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from mpz_lint.model import Diagnostic

if TYPE_CHECKING:
    from mpz_lint.project import Project
    from mpz_lint.sources import SourceFile

FixAvailability = Literal["always", "sometimes", "none"]


@dataclass(frozen=True)
class Finding:
    """An expected diagnostic in a rule example: code, 1-based row and column."""

    code: str
    row: int
    column: int


@dataclass(frozen=True)
class Example:
    """A rule example: source (one file, `example.py` unless `path` says otherwise), the
    findings it must produce, and the text `--fix --unsafe-fixes` must turn it into
    (None: the fix must leave it unchanged)."""

    source: str
    findings: tuple[Finding, ...] = ()
    fixed: str | None = None
    path: str = "example.py"


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees while checking one file of the project."""

    project: Project
    file: SourceFile


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    # The fix this rule offers: "always" (every finding), "sometimes", or "none".
    fix_availability: ClassVar[FixAvailability] = "none"
    # Whether the fix, when there is one, may be unsafe.
    fix_may_be_unsafe: ClassVar[bool] = False
    default_enabled: ClassVar[bool] = True
    # A rule that can only find something in files that can concern Procore (the
    # project's relevance prefilter): it is not even asked about the others.
    procore_only: ClassVar[bool] = True
    valid: ClassVar[tuple[Example, ...]] = ()
    invalid: ClassVar[tuple[Example, ...]] = ()

    def check(self, context: RuleContext) -> Iterable[Diagnostic]:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.documentation().split("\n", 1)[0]

    @classmethod
    def fix_description(cls) -> str:
        if cls.fix_availability == "none":
            return "no fix"
        safety = "safe or unsafe" if cls.fix_may_be_unsafe else "safe"
        return f"fix {cls.fix_availability} available ({safety})"

"""What the header rules share: reading HeaderFindings of one kind for one file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mpz_lint.rule import RuleContext

if TYPE_CHECKING:  # the analyses import libcst; `mpz-lint rule` should not pay for it
    from mpz_lint.headers import HeaderFinding


def header_findings(context: RuleContext, kind: str) -> Iterator[HeaderFinding]:
    from mpz_lint.headers import HeaderAnalysis

    analysis = context.project.analysis(HeaderAnalysis)
    for finding in analysis.findings(context.file.path):
        if finding.kind == kind:
            yield finding

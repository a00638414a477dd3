"""What the header rules share: reading HeaderFindings of one kind for one file."""

from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.headers import HeaderAnalysis, HeaderFinding
from mpz_lint.rule import RuleContext


def header_findings(context: RuleContext, kind: str) -> Iterator[HeaderFinding]:
    analysis = context.project.analysis(HeaderAnalysis)
    for finding in analysis.findings(context.file.path):
        if finding.kind == kind:
            yield finding

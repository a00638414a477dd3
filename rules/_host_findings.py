"""What the three host rules share: turning a HostFinding into a Diagnostic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mpz_lint.model import Diagnostic, Fix
from mpz_lint.rule import RuleContext

if TYPE_CHECKING:  # the analyses import libcst; `mpz-lint rule` should not pay for it
    from mpz_lint.hosts import HostFinding

ROLE_WORDS: dict[str, str] = {"auth": "OAuth", "api": "REST", "web": "web links"}


def host_findings(context: RuleContext, kinds: tuple[str, ...]) -> Iterator[HostFinding]:
    from mpz_lint.hosts import HostAnalysis

    analysis = context.project.analysis(HostAnalysis)
    for finding in analysis.findings(context.file.path):
        if finding.kind in kinds:
            yield finding


def diagnostic(code: str, finding: HostFinding, message: str) -> Diagnostic:
    fix = None
    if finding.edits and finding.target is not None:
        fix = Fix(finding.edits, finding.applicability,
                  f"Replace `{finding.literal.host}` with `{finding.target}`"
                  + (" and `/vapid` with `/rest/v1.0`" if len(finding.edits) > 1 else ""))
    return Diagnostic(code, message, finding.literal.path, finding.location,
                      finding.end_location, fix, tuple(u.where() for u in finding.uses))


def split_diagnostic(code: str, finding: HostFinding, message: str) -> Diagnostic:
    fix = None
    if finding.edits and finding.split_name is not None:
        fix = Fix(finding.edits, finding.applicability,
                  f"Point `{finding.literal.host}` at the API host and add "
                  f"`{finding.split_name}` for the OAuth uses")
    return Diagnostic(code, message, finding.literal.path, finding.location,
                      finding.end_location, fix, tuple(u.where() for u in finding.uses))


def evidence(finding: HostFinding) -> str:
    """Why we think the role is what it is, for the message."""
    if finding.by_name:
        return f" (by its name `{finding.literal.origin.name_hint}`)"
    if finding.literal.own_role is not None or not finding.uses:
        return ""
    places = sorted({u.where() for u in finding.uses})
    shown = ", ".join(places[:3]) + (", ..." if len(places) > 3 else "")
    return f" (used at {shown})"


def split_advice(finding: HostFinding) -> str:
    """"a login base (`login.procore.com`) and an API base (`api.procore.com`)"."""
    facts = finding.literal.facts
    roles = {use.role for use in finding.uses}
    if finding.literal.own_role is not None:
        roles.add(finding.literal.own_role)
    bases = []
    if "auth" in roles:
        bases.append(f"a login base (`{facts.for_auth or facts.name}`)")
    if "api" in roles:
        bases.append(f"an API base (`{facts.for_api or facts.name}`)")
    if "web" in roles:
        bases.append(f"a web base (`{facts.name}`)")
    return " and ".join(bases)


def uses_by_role(finding: HostFinding) -> str:
    by_role: dict[str, list[str]] = {}
    for use in finding.uses:
        by_role.setdefault(use.role, []).append(use.where())
    if finding.literal.own_role is not None:
        by_role.setdefault(finding.literal.own_role, []).append("its own path")
    pieces = []
    for role in ("auth", "api", "web"):
        if role in by_role:
            places = sorted(set(by_role[role]))
            pieces.append(f"{ROLE_WORDS[role]} at {', '.join(places[:3])}"
                          + (", ..." if len(places) > 3 else ""))
    return " and ".join(pieces)

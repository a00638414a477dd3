from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.model import Diagnostic
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.rules._header_findings import header_findings


class CompanyHeaderUnverified(Rule):
    """A Procore REST request whose headers the checker cannot decide (strict mode).

    ## What it does
    Reports Procore REST requests whose headers come from somewhere the checker cannot
    follow (an unknown function, `**kwargs`, a parameter with no caller in the project),
    and requests that send `Procore-Company-Id` only on some paths. Off by default; on
    with `--strict` or by selecting MPZ104.

    ## Why is this bad?
    It may be fine. A migration that must be complete needs a person to confirm each of
    these, or a clearer shape the checker can verify.

    ## Example
    ```python
    def get(session, path, **kwargs):
        return session.get(f"https://api.procore.com/rest/v1.0/{path}", **kwargs)
    ```

    ## Use instead
    ```python
    def get(session, path, company_id):
        return session.get(f"https://api.procore.com/rest/v1.0/{path}",
                           headers={"Procore-Company-Id": str(company_id)})
    ```

    ## Fix safety
    No fix: the checker does not know what the code sends.
    """

    code = "MPZ104"
    name = "company-header-unverified"
    default_enabled = False

    valid = (
        Example(
            'import requests\n'
            'requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '             headers={"Procore-Company-Id": "1"})\n'
        ),
    )
    invalid = (
        Example(
            'import requests\n'
            'from helpers import build_headers\n'
            'requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '             headers=build_headers())\n',
            (Finding("MPZ104", 3, 1),),
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        for finding in header_findings(context, "unverified"):
            module = finding.module
            yield Diagnostic(self.code, finding.message, module.path,
                             module.start_of(finding.node), module.end_of(finding.node))

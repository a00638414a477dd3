from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.model import Applicability, Diagnostic, Edit, Fix
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.rules._header_findings import header_findings


class CompanyHeaderNotStr(Rule):
    """A `Procore-Company-Id` header whose value is an int.

    ## What it does
    Finds the company header on Procore requests when its value is known to be an int:
    an int literal, `int(...)`, or a parameter, variable or attribute annotated `int`.

    ## Why is this bad?
    `requests` raises `InvalidHeader` for a header value that is not a str or bytes, and
    httpx and aiohttp reject it too: the request never leaves.

    ## Example
    ```python
    def projects(session, company_id: int):
        return session.get(URL, headers={"Procore-Company-Id": company_id})
    ```

    ## Use instead
    ```python
    def projects(session, company_id: int):
        return session.get(URL, headers={"Procore-Company-Id": str(company_id)})
    ```

    ## Fix safety
    Wrapping the value in `str(...)` is safe. Company ids exceed 32 bits: never
    range-check them.
    """

    code = "MPZ103"
    name = "company-header-not-str"
    fix_availability = "always"

    valid = (
        Example(
            'import requests\n'
            'def get(company_id: int):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '                        headers={"Procore-Company-Id": str(company_id)})\n'
        ),
    )
    invalid = (
        Example(
            'import requests\n'
            'def get(company_id: int):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '                        headers={"Procore-Company-Id": company_id})\n',
            (Finding("MPZ103", 4, 56),),
            'import requests\n'
            'def get(company_id: int):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '                        headers={"Procore-Company-Id": str(company_id)})\n',
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        for finding in header_findings(context, "not-str"):
            module = finding.module
            start, end = module.start_of(finding.node), module.end_of(finding.node)
            fix = Fix((Edit(start, start, "str("), Edit(end, end, ")")), Applicability.SAFE,
                      "Wrap the value in `str(...)`")
            yield Diagnostic(self.code, finding.message, module.path, start, end, fix)

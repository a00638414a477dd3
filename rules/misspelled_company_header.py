from __future__ import annotations

from collections.abc import Iterator

from mpz_lint import knowledge
from mpz_lint.model import Applicability, Diagnostic, Edit, Fix, Location
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.rules._header_findings import header_findings


class MisspelledCompanyHeader(Rule):
    """A header on a Procore request that nearly names `Procore-Company-Id`.

    ## What it does
    Finds header names on Procore REST requests that mean the company header but are
    spelled so that Procore does not read them: `Procore_Company_Id`,
    `ProcoreCompanyId`, `Procore-Company-ID ` (with whitespace), `Company-Id`,
    `company_id`. Case alone is fine: header names are case-insensitive.

    ## Why is this bad?
    The request is sent without the header Procore routes by, so it fails outside the
    first zone, while the code looks right to a reader.

    ## Example
    ```python
    headers = {"Authorization": token, "Procore_Company_Id": company_id}
    ```

    ## Use instead
    ```python
    headers = {"Authorization": token, "Procore-Company-Id": company_id}
    ```

    ## Fix safety
    The fix renames the key in place, keeping the value and the quotes. It is safe.
    """

    code = "MPZ102"
    name = "misspelled-company-header"
    fix_availability = "sometimes"

    valid = (
        Example(
            'import requests\n'
            'requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '             params={"company_id": 1}, headers={"PROCORE-COMPANY-ID": "1"})\n'
        ),
    )
    invalid = (
        Example(
            'import requests\n'
            'requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '             headers={"Procore_Company_Id": "1"})\n',
            (Finding("MPZ102", 3, 23),),
            'import requests\n'
            'requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '             headers={"Procore-Company-Id": "1"})\n',
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        import libcst as cst

        for finding in header_findings(context, "misspelled"):
            module = finding.module
            start, end = module.start_of(finding.node), module.end_of(finding.node)
            fix = None
            node = finding.node
            if isinstance(node, cst.SimpleString) and finding.fixable:
                opening = len(node.prefix) + len(node.quote)
                fix = Fix(
                    (Edit(Location(start.row, start.column + opening),
                          Location(end.row, end.column - len(node.quote)),
                          knowledge.COMPANY_HEADER),),
                    Applicability.SAFE, f"Rename the header to `{knowledge.COMPANY_HEADER}`")
            yield Diagnostic(self.code, finding.message, module.path, start, end, fix)

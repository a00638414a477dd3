from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.model import Diagnostic, Fix
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.rules._header_findings import header_findings


class MissingCompanyHeader(Rule):
    """A Procore REST request that does not send `Procore-Company-Id`.

    ## What it does
    Finds HTTP requests (requests, httpx, aiohttp, urllib, urllib3, http.client and the
    OAuth sessions of requests-oauthlib and authlib) whose URL is a Procore REST path on a
    Procore API host, legacy or current, and that send no `Procore-Company-Id` header:
    not in the call's `headers=`, not in the session's or client's default headers (where
    the library merges them), not through an auth class or event hook. Requests made by
    a project wrapper are judged at each caller when the wrapper forwards its caller's
    headers, and once at the wrapper when it never adds the header.

    Exempt, as Procore documents: `GET /rest/v1.0/me` without `company_id` or
    `project_id` in the query, `GET /rest/v1.0/companies`, OAuth requests and presigned
    storage uploads. In a project that gets its token with the client credentials grant
    (a service account), `/me` and `/companies` need the header too.

    ## Why is this bad?
    Procore routes each REST request to the zone of the company named in this header.
    Without it the request fails for every company outside the first zone, and since
    2026 Procore rejects it outright.

    ## Example
    ```python
    requests.get(f"{API}/rest/v1.0/projects", params={"company_id": company_id},
                 headers={"Authorization": f"Bearer {token}"})
    ```

    ## Use instead
    ```python
    requests.get(f"{API}/rest/v1.0/projects", params={"company_id": company_id},
                 headers={"Authorization": f"Bearer {token}",
                          "Procore-Company-Id": str(company_id)})
    ```

    ## Fix safety
    The fix adds `"Procore-Company-Id": <company id>` where it changes the fewest lines and
    no other caller's behaviour: into the dict literal at the call, as a new `headers=`
    argument (never where that would drop a client's default headers), or merged over a
    shared headers value (`{**headers, "Procore-Company-Id": ...}`). The company id comes
    from the code: the `company_id` in the URL or `params=`, a `company_id` parameter,
    local or `self.` attribute in scope, or `--company-id-expr`; it is wrapped in
    `str(...)` unless known to be a str. Without one there is no fix, and the message
    says so. The fix is safe.

    ## Known problems
    Headers built by code the checker cannot follow (a third-party wrapper, values read
    at run time) are not judged by default; `--strict` reports them as MPZ104.
    """

    code = "MPZ101"
    name = "missing-company-header"
    fix_availability = "sometimes"

    valid = (
        Example(
            'import requests\n'
            'def projects(token, company_id):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '                        headers={"Authorization": token,\n'
            '                                 "Procore-Company-Id": str(company_id)})\n'
        ),
        Example(
            'import requests\n'
            'def me(token):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/me",\n'
            '                        headers={"Authorization": token})\n'
        ),
        Example(
            'import httpx\n'
            'client = httpx.Client(base_url="https://api.procore.com",\n'
            '                      headers={"procore-company-id": "42"})\n'
            'client.get("/rest/v1.0/projects")\n'
        ),
    )
    invalid = (
        Example(
            'import requests\n'
            'def projects(token):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '                        headers={"Authorization": token})\n',
            (Finding("MPZ101", 3, 12),),
        ),
        Example(
            'import requests\n'
            'def projects(token, company_id):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '                        headers={"Authorization": token})\n',
            (Finding("MPZ101", 3, 12),),
            'import requests\n'
            'def projects(token, company_id):\n'
            '    return requests.get("https://api.procore.com/rest/v1.0/projects",\n'
            '                        headers={"Authorization": token, '
            '"Procore-Company-Id": str(company_id)})\n',
        ),
        Example(
            'import requests\n'
            'session = requests.Session()\n'
            'session.headers.update({"Authorization": "Bearer x"})\n'
            'session.get("https://api.procore.com/rest/v1.1/projects/1/rfis")\n',
            (Finding("MPZ101", 4, 1),),
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        from mpz_lint.header_fix import header_fix
        from mpz_lint.resolver import Resolver

        resolver = context.project.analysis(Resolver)
        configured = context.project.settings.company_id_expr
        for finding in header_findings(context, "missing"):
            module = finding.module
            fix = None
            message = finding.message
            if finding.fix_target is not None and finding.fix_target.module is module:
                made = header_fix(resolver, finding.fix_target, configured)
                if isinstance(made, Fix):
                    fix = made
                elif finding.session_fix is not None:
                    fix = finding.session_fix
                else:
                    message += f"; no fix: {made}"
            yield Diagnostic(self.code, message, module.path,
                             module.start_of(finding.node), module.end_of(finding.node), fix)

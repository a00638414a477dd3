from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.model import Diagnostic
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.rules._host_findings import diagnostic, evidence, host_findings


class LegacyApiHost(Rule):
    """REST requests sent to a host other than the API host.

    ## What it does
    Finds URLs used for the Procore REST API (`/rest/v1.0/...`, `/rest/v2.1/...`, the
    legacy `/vapid/...`) whose host is not the API host of their environment:
    `app.procore.com` instead of `api.procore.com`, a regional web host (`us02`, `uk01`),
    `api-sandbox-monthly.procore.com` instead of `api-monthly.procore.com`, or a login
    host. The role is read from the URL's own path, then from where a bare base URL's
    value flows in the project, then from the name it is bound to.

    ## Why is this bad?
    With Multiple Procore Zones, REST requests are routed by `api.procore.com` to the
    zone of the company in the `Procore-Company-Id` header. The web host serves only the
    first zone.

    ## Example
    ```python
    requests.get("https://app.procore.com/vapid/projects", headers=headers)
    ```

    ## Use instead
    ```python
    requests.get("https://api.procore.com/rest/v1.0/projects", headers=headers)
    ```

    ## Fix safety
    Replacing `app.procore.com` (and a login host) is safe; `/vapid/` becomes
    `/rest/v1.0/` in the same fix. Moving a regional or monthly sandbox host is unsafe:
    a person should confirm where that code's companies live. A role known only from the
    bound name makes the fix unsafe too.

    ## Known problems
    A `/vapid` path written in another file than the host is not rewritten.
    """

    code = "MPZ002"
    name = "legacy-api-host"
    fix_availability = "sometimes"
    fix_may_be_unsafe = True

    valid = (
        Example('PROJECTS = "https://api.procore.com/rest/v1.0/projects"\n'),
        Example('HOME = "https://app.procore.com/12345/project/home"\n'),
        Example('MCP = "https://app.procore.com/rest/v1.0/mcp"\n'),
        Example('FILE = "https://app.procore.com/fas/abc/file.pdf"\n'),
        Example('EVIL = "https://app.procore.com.evil.org/rest/v1.0/me"\n'),
        Example('if url.startswith("https://app.procore.com/rest/"):\n    pass\n'),
    )
    invalid = (
        Example(
            'r = requests.get("https://app.procore.com/rest/v1.0/projects")\n',
            (Finding("MPZ002", 1, 18),),
            'r = requests.get("https://api.procore.com/rest/v1.0/projects")\n',
        ),
        Example(
            'URL = "https://app.procore.com/vapid/projects"\n',
            (Finding("MPZ002", 1, 7),),
            'URL = "https://api.procore.com/rest/v1.0/projects"\n',
        ),
        Example(
            'API_BASE = "https://app.procore.com"\n'
            'def projects(company_id):\n'
            '    return requests.get(API_BASE + "/rest/v1.0/projects")\n',
            (Finding("MPZ002", 1, 12),),
            'API_BASE = "https://api.procore.com"\n'
            'def projects(company_id):\n'
            '    return requests.get(API_BASE + "/rest/v1.0/projects")\n',
        ),
        Example(
            'URL = "https://us02.procore.com/rest/v1.0/projects"\n',
            (Finding("MPZ002", 1, 7),),
            'URL = "https://api.procore.com/rest/v1.0/projects"\n',
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        for finding in host_findings(context, ("api",)):
            yield diagnostic(
                self.code, finding,
                f"`{finding.literal.host}` is used for REST{evidence(finding)}; "
                f"REST goes to `{finding.target}`",
            )

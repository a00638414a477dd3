from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.model import Diagnostic
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.rules._host_findings import diagnostic, evidence, host_findings


class LegacyAuthHost(Rule):
    """OAuth requests sent to a host other than the login host.

    ## What it does
    Finds URLs used for Procore OAuth (`/oauth/authorize`, `/oauth/token`, token refresh
    and revocation) whose host is not the login host of their environment:
    `app.procore.com` or `api.procore.com` instead of `login.procore.com`,
    `sandbox.procore.com` instead of `login-sandbox.procore.com`, and so on. The role is
    read from the URL's own path; for a bare base URL, from where its value flows (an
    f-string or `+` that appends `/oauth/...`, `token_url=`, `fetch_token(...)`), in any
    module of the project; failing that, from the name it is bound to.

    ## Why is this bad?
    With Multiple Procore Zones, OAuth is served by the login hosts only. Tokens asked
    from the web host fail for every company outside the first zone.

    ## Example
    ```python
    TOKEN_URL = "https://app.procore.com/oauth/token"
    ```

    ## Use instead
    ```python
    TOKEN_URL = "https://login.procore.com/oauth/token"
    ```

    ## Fix safety
    The fix replaces the host in place (quotes, scheme, port and path kept) and is safe.
    When the role is known only from the bound name, the fix is unsafe.

    ## Known problems
    A base URL built at run time from parts the project does not contain (a value read
    from a database) cannot be followed.
    """

    code = "MPZ001"
    name = "legacy-auth-host"
    fix_availability = "sometimes"
    fix_may_be_unsafe = True

    valid = (
        Example('TOKEN_URL = "https://login.procore.com/oauth/token"\n'),
        Example('SANDBOX_AUTH = "https://login-sandbox.procore.com/oauth/authorize"\n'),
        Example('"""Tokens come from https://app.procore.com/oauth/token."""\n'),
        Example('LOOKALIKE = "https://notapp.procore.com/oauth/token"\n'),
    )
    invalid = (
        Example(
            'TOKEN_URL = "https://app.procore.com/oauth/token"\n',
            (Finding("MPZ001", 1, 13),),
            'TOKEN_URL = "https://login.procore.com/oauth/token"\n',
        ),
        Example(
            'BASE = "https://app.procore.com"\n'
            'token = session.fetch_token(f"{BASE}/oauth/token", code=code)\n',
            (Finding("MPZ001", 1, 8),),
            'BASE = "https://login.procore.com"\n'
            'token = session.fetch_token(f"{BASE}/oauth/token", code=code)\n',
        ),
        Example(
            "AUTHORIZE = 'https://sandbox.procore.com/oauth/authorize'\n",
            (Finding("MPZ001", 1, 13),),
            "AUTHORIZE = 'https://login-sandbox.procore.com/oauth/authorize'\n",
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        for finding in host_findings(context, ("auth",)):
            yield diagnostic(
                self.code, finding,
                f"`{finding.literal.host}` is used for OAuth{evidence(finding)}; "
                f"OAuth goes to `{finding.target}`",
            )

from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.model import Diagnostic
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.rules._host_findings import (
    host_findings,
    split_advice,
    split_diagnostic,
    uses_by_role,
)


class LegacyHostUnknownRole(Rule):
    """A legacy Procore host whose use needs a person: unknown, or mixed.

    ## What it does
    Finds Procore base URLs on a legacy host that (a) are used both for OAuth and for
    REST (or for REST and web links), so one host cannot serve every use, or (b) are
    used in ways the checker cannot see, so it cannot tell which host is right. The
    message lists the uses found, file and line, so the base can be split.

    ## Why is this bad?
    OAuth must go to `login.procore.com` and REST to `api.procore.com`. A single base
    URL used for both breaks one of them whichever host it is given.

    ## Example
    ```python
    BASE_URL = "https://app.procore.com"
    token = oauth.fetch_token(f"{BASE_URL}/oauth/token")
    projects = requests.get(f"{BASE_URL}/rest/v1.0/projects")
    ```

    ## Use instead
    ```python
    LOGIN_URL = "https://login.procore.com"
    BASE_URL = "https://api.procore.com"
    token = oauth.fetch_token(f"{LOGIN_URL}/oauth/token")
    projects = requests.get(f"{BASE_URL}/rest/v1.0/projects")
    ```

    ## Fix safety
    For a module constant used for OAuth and REST in its own module, an unsafe fix splits
    it: the constant gets the API host and a new sibling constant (`PROCORE_LOGIN_URL`
    beside `PROCORE_BASE_URL`) with the login host serves the OAuth uses. Other cases
    have no fix: they need a person to decide at each use.

    ## Known problems
    Uses through objects the checker cannot follow (a value stored in a database, a
    third-party wrapper) are not seen; the finding then says the role is unknown.
    """

    code = "MPZ003"
    name = "legacy-host-unknown-role"
    fix_availability = "sometimes"
    fix_may_be_unsafe = True

    valid = (
        Example('WEB = "https://app.procore.com"\nlink = f"{WEB}/123/project/home"\n'),
        Example('HOST = "app.procore.com"\n'),
    )
    invalid = (
        Example(
            'BASE_URL = "https://app.procore.com"\n'
            'token = oauth.fetch_token(f"{BASE_URL}/oauth/token")\n'
            'projects = requests.get(f"{BASE_URL}/rest/v1.0/projects")\n',
            (Finding("MPZ003", 1, 12),),
            'BASE_URL = "https://api.procore.com"\n'
            'LOGIN_URL = "https://login.procore.com"\n'
            'token = oauth.fetch_token(f"{LOGIN_URL}/oauth/token")\n'
            'projects = requests.get(f"{BASE_URL}/rest/v1.0/projects")\n',
        ),
        Example(
            'PROCORE = "https://app.procore.com"\n',
            (Finding("MPZ003", 1, 11),),
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        for finding in host_findings(context, ("mixed", "unknown")):
            facts = finding.literal.facts
            if finding.kind == "mixed":
                message = (
                    f"`{finding.literal.host}` is used for {uses_by_role(finding)}: "
                    f"split it into {split_advice(finding)}"
                )
            else:
                message = (
                    f"Cannot tell whether `{finding.literal.host}` is used for OAuth or REST: "
                    f"OAuth goes to `{facts.for_auth or facts.name}`, REST to "
                    f"`{facts.for_api or facts.name}`"
                )
            yield split_diagnostic(self.code, finding, message)

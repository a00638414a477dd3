"""Every mpz-lint rule, one module each. Adding a rule: its module, this list, its fixtures."""

from __future__ import annotations

from mpz_lint.rule import Rule
from mpz_lint.rules.company_header_not_str import CompanyHeaderNotStr
from mpz_lint.rules.company_header_unverified import CompanyHeaderUnverified
from mpz_lint.rules.legacy_api_host import LegacyApiHost
from mpz_lint.rules.legacy_auth_host import LegacyAuthHost
from mpz_lint.rules.legacy_host_unknown_role import LegacyHostUnknownRole
from mpz_lint.rules.missing_company_header import MissingCompanyHeader
from mpz_lint.rules.misspelled_company_header import MisspelledCompanyHeader
from mpz_lint.rules.unused_noqa import UnusedNoqa

ALL_RULES: tuple[type[Rule], ...] = (
    LegacyAuthHost,
    LegacyApiHost,
    LegacyHostUnknownRole,
    MissingCompanyHeader,
    MisspelledCompanyHeader,
    CompanyHeaderNotStr,
    CompanyHeaderUnverified,
    UnusedNoqa,
)

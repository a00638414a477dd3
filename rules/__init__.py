"""Every mpz-lint rule, one module each. Adding a rule: its module, this list, its fixtures."""

from __future__ import annotations

from mpz_lint.rule import Rule

ALL_RULES: tuple[type[Rule], ...] = ()

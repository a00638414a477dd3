"""`python -m mpz_lint`: the same command line as `mpz-lint`."""

from __future__ import annotations

from mpz_lint.cli import run

if __name__ == "__main__":
    run()

"""pyproject.toml lists its packages by hand: every package of mpz_lint must be there, or an
installed mpz-lint (pre-commit's, CI's) lacks it."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "mpz_lint").rglob("__init__.py") if "__pycache__" not in init.parts}
    assert found | {"mpz_lint.rules"} == listed

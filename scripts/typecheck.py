"""Run mypy over the package as it is installed: `rules/` becomes `mpz_lint.rules`.

setuptools' `package-dir` maps `rules/` to `mpz_lint.rules`, which mypy cannot express;
this stages that layout in a temporary folder and type-checks it there.
Usage: `python scripts/typecheck.py` (exits with mypy's code).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder)
        shutil.copytree(ROOT / "mpz_lint", staged / "mpz_lint",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "rules", staged / "mpz_lint" / "rules",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / "pyproject.toml", staged / "pyproject.toml")
        return subprocess.call(
            [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", "mpz_lint"],
            cwd=staged)


if __name__ == "__main__":
    sys.exit(main())

"""The pre-commit hooks, run by the real `pre-commit try-repo` on a temporary repository.

The hook repository is a committed copy of this checkout, so the test sees the working
tree as it is. pre-commit builds the hooks' environment with pip; with no package index
(tests use no network) the environment sees this interpreter's packages
(`VIRTUALENV_SYSTEM_SITE_PACKAGES`) and pip builds mpz-lint with the setuptools already
there (`PIP_NO_BUILD_ISOLATION=0`: pip reads the `no-` options' variables inverted).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOK_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "mpz_lint", "rules")

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",
        "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    })
    env.pop("PRE_COMMIT", None)
    return env


@pytest.fixture
def hook_repository(tmp_path: Path, environment: dict[str, str]) -> Path:
    repository = tmp_path / "hooks"
    repository.mkdir()
    for name in HOOK_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repository / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, repository / name)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "hooks")):
        subprocess.run(["git", *args], cwd=repository, env=environment, check=True,
                       capture_output=True)
    return repository


def test_hooks_file_declares_check_and_fix() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"mpz-lint", "mpz-lint-fix"}
    assert hooks["mpz-lint"]["entry"] == "mpz-lint check --force-exclude"
    assert hooks["mpz-lint-fix"]["entry"] == "mpz-lint check --force-exclude --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert {"python", "pyi", "yaml", "json", "toml", "ini"} <= set(hook["types_or"])


def test_try_repo_fails_then_passes_after_the_fix_hook(
    tmp_path: Path, hook_repository: Path, environment: dict[str, str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "client.py").write_text(
        'import requests\n\nrequests.get("https://app.procore.com/rest/v1.0/me")\n')
    (project / ".env").write_text("PROCORE_API=https://app.procore.com/rest/v1.0\n")
    (project / "clean.py").write_text("x = 1\n")
    (project / "notes.txt").write_text("https://app.procore.com is not checked here\n")
    subprocess.run(["git", "init", "-q"], cwd=project, env=environment, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, env=environment, check=True)

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repository), hook,
             "--all-files"],
            cwd=project, env=environment, capture_output=True, text=True, timeout=600)

    check = try_repo("mpz-lint")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "client.py:3:14: MPZ002" in check.stdout
    assert ".env:1:13: MPZ002" in check.stdout
    assert "notes.txt" not in check.stdout

    fix = try_repo("mpz-lint-fix")
    assert fix.returncode == 1, fix.stdout + fix.stderr  # pre-commit fails a modifying hook
    assert "files were modified by this hook" in fix.stdout
    assert (project / "client.py").read_text() == (
        'import requests\n\nrequests.get("https://api.procore.com/rest/v1.0/me")\n')
    assert (project / ".env").read_text() == "PROCORE_API=https://api.procore.com/rest/v1.0\n"

    again = try_repo("mpz-lint")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout

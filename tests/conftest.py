"""Shared test set-up: runs of the CLI keep their cache out of the trees they check."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _cache_outside_the_project(tmp_path_factory: pytest.TempPathFactory,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    # One cache per test, outside its tree: no test sees what another one stored, and
    # subprocesses inherit the variable. Tests of the cache itself choose their own.
    folder: Path = tmp_path_factory.mktemp("mpz-cache")
    monkeypatch.setenv("MPZ_LINT_CACHE_DIR", str(folder))

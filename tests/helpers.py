"""Small helpers for tests that check a whole project made of strings."""

from __future__ import annotations

from textwrap import dedent

from mpz_lint.engine import FileResult, fix_files, lint_files
from mpz_lint.project import kind_of
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile


def sources(files: dict[str, str]) -> list[SourceFile]:
    return [SourceFile(path, dedent(text).lstrip("\n") if "\n" in text else text,
                       kind_of(path) or "python")
            for path, text in files.items()]


def findings(files: dict[str, str], settings: Settings | None = None) -> list[tuple[str, str, int, int]]:
    """(path, code, row, column) of every finding, in file then position order."""
    results = lint_files(sources(files), settings or Settings())
    for result in results:
        assert result.error is None, result.error
    return [(d.path, d.code, d.location.row, d.location.column)
            for result in results for d in result.diagnostics]


def messages(files: dict[str, str], settings: Settings | None = None) -> list[str]:
    results = lint_files(sources(files), settings or Settings())
    return [d.message for result in results for d in result.diagnostics]


def fixed(files: dict[str, str], unsafe: bool = False,
          settings: Settings | None = None) -> dict[str, str]:
    """The text of every file after --fix (unchanged files included)."""
    results: list[FileResult] = fix_files(sources(files), settings or Settings(),
                                          unsafe_fixes=unsafe)
    return {r.file.path: r.file.text for r in results}

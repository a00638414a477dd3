"""`--report FILE.md`: the migration report a team lead reads after a one-off migration.

Totals first; then, per file, what was fixed (safe or unsafe) and what is left for a
person and why, each finding as a `path:line` link relative to the report's folder, so
the links work where the report is opened (GitHub, an editor's preview).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mpz_lint.engine import FileResult
from mpz_lint.model import Diagnostic, FileError
from mpz_lint.output import rule_names

if TYPE_CHECKING:
    from mpz_lint.notebooks import Notebook


def render(
    results: Sequence[FileResult], errors: Sequence[FileError], report_path: Path, *,
    mode: str, unsafe_fixes: bool, notebooks: Mapping[str, Notebook] | None = None,
) -> str:
    """The report's Markdown text."""
    names = rule_names()
    folder = Path(os.path.abspath(report_path)).parent
    notebooks = notebooks or {}
    fixed = [d for r in results for d in r.fixed]
    left = [d for r in results for d in r.diagnostics]
    safe = sum(1 for d in fixed if d.fix is not None and d.fix.is_safe)
    verb = {"fix": "Fixed", "diff": "Would be fixed"}.get(mode, "Fixed")
    lines = [
        "# mpz-lint migration report",
        "",
        f"- Files checked: {sum(1 for r in results if r.error is None)}",
        f"- {verb}: {len(fixed)} ({safe} safe, {len(fixed) - safe} unsafe)",
        f"- Left for a person: {len(left)} in "
        f"{len({d.path for d in left})} file{'s' if len({d.path for d in left}) != 1 else ''}",
    ]
    if mode == "check":
        fixable = sum(1 for d in left if d.fix is not None and (d.fix.is_safe or unsafe_fixes))
        lines.append(f"- Fixable with `--fix{' --unsafe-fixes' if unsafe_fixes else ''}`: {fixable}")
    if errors:
        lines.append(f"- Files that could not be checked: {len({e.path for e in errors})}")
    by_rule: dict[str, int] = {}
    for diagnostic in left:
        by_rule[diagnostic.code] = by_rule.get(diagnostic.code, 0) + 1
    if by_rule:
        lines += ["", "| rule | left |", "| --- | --- |"]
        lines += [f"| {code} {names.get(code, '')} | {count} |"
                  for code, count in sorted(by_rule.items())]

    for result in sorted(results, key=lambda r: r.file.path):
        if not result.fixed and not result.diagnostics:
            continue
        lines += ["", f"## {result.file.path}"]
        if result.fixed:
            lines += ["", f"{verb}:", ""]
            for diagnostic in sorted(result.fixed, key=Diagnostic.sort_key):
                safety = "safe" if diagnostic.fix is None or diagnostic.fix.is_safe else "unsafe"
                lines.append(f"- {_link(diagnostic, folder, notebooks)} {diagnostic.code} "
                             f"{names.get(diagnostic.code, '')} ({safety}): {diagnostic.message}")
        if result.diagnostics:
            lines += ["", "Left for a person:", ""]
            for diagnostic in sorted(result.diagnostics, key=Diagnostic.sort_key):
                lines.append(f"- {_link(diagnostic, folder, notebooks)} {diagnostic.code} "
                             f"{names.get(diagnostic.code, '')}: {diagnostic.message}"
                             f" ({_why(diagnostic, mode, unsafe_fixes)})")
    if errors:
        lines += ["", "## Not checked", ""]
        lines += [f"- `{error.path}`: {error.message}"
                  for error in sorted(set(errors), key=lambda e: (e.path, e.message))]
    return "\n".join(lines) + "\n"


def _why(diagnostic: Diagnostic, mode: str, unsafe_fixes: bool) -> str:
    if diagnostic.fix is None:
        return "no automatic fix: needs a decision"
    if not diagnostic.fix.is_safe and not unsafe_fixes:
        return f"unsafe fix not applied: review, then `--fix --unsafe-fixes` ({diagnostic.fix.message})"
    if mode == "check":
        return f"fixable: {diagnostic.fix.message}"
    return "fix not applied: it overlapped another fix or would not parse"


def _link(diagnostic: Diagnostic, folder: Path, notebooks: Mapping[str, Notebook]) -> str:
    target = os.path.relpath(os.path.abspath(diagnostic.path), folder).replace(os.sep, "/")
    row = diagnostic.location.row
    label = f"{diagnostic.path}:{row}"
    notebook = notebooks.get(diagnostic.path)
    if notebook is not None:
        cell, place = notebook.cell_location(diagnostic.location)
        label = f"{diagnostic.path}:cell {cell}:{place.row}"
        return f"[{label}]({target})"
    return f"[{label}]({target}#L{row})"

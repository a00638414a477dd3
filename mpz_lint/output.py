"""Output formats: FileResults in, the text for stdout out; and the summary for stderr.

Every format prints the diagnostics that remain, ordered by path, row, column and code.
The JSON format is a public contract (editors and CI read it): its keys do not change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, Callable, Literal

from mpz_lint import engine
from mpz_lint.engine import FileResult
from mpz_lint.fixer import LineIndex
from mpz_lint.model import Diagnostic, Edit, FileError, Location

Mode = Literal["check", "fix", "diff"]


def _ordered(results: Sequence[FileResult]) -> Iterator[tuple[Diagnostic, LineIndex]]:
    """Each remaining diagnostic with the line index of the text its locations refer to."""
    indexes = {result.file.path: LineIndex(result.file.text) for result in results}
    diagnostics = [d for result in results for d in result.diagnostics]
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        yield diagnostic, indexes.get(diagnostic.path, LineIndex(""))


def _heading(diagnostic: Diagnostic) -> str:
    where = f"{diagnostic.path}:{diagnostic.location.row}:{diagnostic.location.column}"
    return f"{where}: {diagnostic.code} {diagnostic.message}"


def format_concise(results: Sequence[FileResult]) -> str:
    """One line per diagnostic: `path:row:col: CODE message`."""
    return "".join(_heading(diagnostic) + "\n" for diagnostic, _ in _ordered(results))


def format_full(results: Sequence[FileResult]) -> str:
    """Each diagnostic with its source line, a caret under the span and the fix's help."""
    blocks: list[str] = []
    for diagnostic, index in _ordered(results):
        lines = [_heading(diagnostic), *_excerpt(diagnostic, index)]
        if diagnostic.fix is not None:
            unsafe = "" if diagnostic.fix.is_safe else " (unsafe)"
            lines.append(f"  help: {diagnostic.fix.message}{unsafe}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _excerpt(diagnostic: Diagnostic, index: LineIndex) -> list[str]:
    row = diagnostic.location.row
    if not 1 <= row <= len(index.starts):
        return []
    line = index.line(row)
    start = min(diagnostic.location.column - 1, len(line))
    end = diagnostic.end_location.column - 1 if diagnostic.end_location.row == row else len(line)
    # Tabs stay tabs under the line, so the caret lines up however wide a tab is shown.
    pad = "".join(char if char == "\t" else " " for char in line[:start])
    return [f"  {line}", f"  {pad}{'^' * max(end - start, 1)}"]


def format_json(results: Sequence[FileResult]) -> str:
    """A JSON array of the diagnostics; the keys are the contract (see tests)."""
    names = {rule.code: rule.name for rule in engine.all_rules()}
    items = [_json_diagnostic(d, names.get(d.code)) for d, _ in _ordered(results)]
    return json.dumps(items, indent=2) + "\n"


def _json_diagnostic(diagnostic: Diagnostic, name: str | None) -> dict[str, Any]:
    fix = diagnostic.fix
    return {
        "code": diagnostic.code,
        "name": name,
        "message": diagnostic.message,
        "filename": diagnostic.path,
        "location": _json_location(diagnostic.location),
        "end_location": _json_location(diagnostic.end_location),
        "fix": None if fix is None else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [_json_edit(edit) for edit in fix.edits],
        },
        "url": None,
    }


def _json_location(location: Location) -> dict[str, int]:
    return {"row": location.row, "column": location.column}


def _json_edit(edit: Edit) -> dict[str, Any]:
    return {
        "content": edit.content,
        "location": _json_location(edit.location),
        "end_location": _json_location(edit.end_location),
    }


FORMATS: dict[str, Callable[[Sequence[FileResult]], str]] = {
    "full": format_full,
    "concise": format_concise,
    "json": format_json,
}


def summary(
    results: Sequence[FileResult], errors: Sequence[FileError], *,
    mode: Mode = "check", unsafe_fixes: bool = False,
) -> str:
    """The closing lines for stderr: what was found, fixed, fixable, and not checked."""
    remaining = [d for result in results for d in result.diagnostics]
    fixed = sum(len(result.fixed) for result in results)
    lines: list[str] = []
    if mode == "fix" and (fixed or remaining):
        lines.append(f"Found {_count(fixed + len(remaining), 'error')}"
                     f" ({fixed} fixed, {len(remaining)} remaining).")
    elif mode == "diff" and fixed:
        left = f" ({len(remaining)} remaining)" if remaining else ""
        lines.append(f"Would fix {_count(fixed, 'error')}{left}.")
    elif mode == "diff" and remaining:
        lines.append(f"No errors would be fixed ({len(remaining)} remaining).")
    elif remaining:
        lines.append(f"Found {_count(len(remaining), 'error')}.")
    elif not errors:
        lines.append("All checks passed!")

    safe = sum(1 for d in remaining if d.fix is not None and d.fix.is_safe)
    unsafe = sum(1 for d in remaining if d.fix is not None and not d.fix.is_safe)
    fixable, hidden = (safe + unsafe, 0) if unsafe_fixes else (safe, unsafe)
    hint = f"{_count(hidden, 'hidden fix', 'hidden fixes')} can be enabled with --unsafe-fixes"
    if mode == "check" and fixable:
        lines.append(f"[*] {fixable} fixable with --fix.")
        if hidden:
            lines.append(f"({hint})")
    elif mode == "check" and hidden:
        lines.append(f"No fixes available ({hint}).")
    elif hidden:
        lines.append(f"({hint})")

    unchecked = len({error.path for error in errors})
    if unchecked:
        lines.append(f"{_count(unchecked, 'file')} could not be checked.")
    return "\n".join(lines)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"

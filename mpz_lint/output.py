"""Output formats: FileResults in, the text for stdout out; and the summary for stderr.

Every format prints the diagnostics that remain, ordered by path, row, column and code
(SARIF also lists the suppressed ones, marked so). Findings in notebooks are shown at
their cell (`nb.ipynb:cell 2:3:5`). The JSON format is a public contract (editors and CI
read it): its keys do not change; a notebook finding adds `cell`.

The formats for other tools live in `mpz_lint/formats/`: sarif, github, gitlab, junit.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal

from mpz_lint import engine
from mpz_lint.engine import FileResult
from mpz_lint.fixer import LineIndex, apply_edits
from mpz_lint.model import Diagnostic, Edit, FileError, Location

if TYPE_CHECKING:
    from mpz_lint.notebooks import Notebook

Mode = Literal["check", "fix", "diff"]
Notebooks = Mapping[str, "Notebook"]
Formatter = Callable[[Sequence[FileResult], Notebooks], str]
HUMAN_FORMATS = ("full", "concise")


@dataclass(frozen=True)
class Shown:
    """A diagnostic as the formats show it: its rule's name, and its place in the cell
    when the file is a notebook (else `cell` is None and the place is the diagnostic's)."""

    diagnostic: Diagnostic
    name: str | None
    index: LineIndex  # of the text the diagnostic's own locations refer to
    cell: int | None
    location: Location
    end_location: Location
    suppressed: bool = False

    @property
    def path(self) -> str:
        return self.diagnostic.path

    def where(self) -> str:
        """`path:row:col`, or `path:cell N:row:col` in a notebook (as ruff)."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.location.row}:{self.location.column}"

    def line(self) -> str:
        row = self.diagnostic.location.row
        return self.index.line(row) if 1 <= row <= len(self.index.starts) else ""

    def edit_place(self, edit: Edit, notebooks: Notebooks) -> tuple[Location, Location]:
        notebook = notebooks.get(self.path)
        if notebook is None:
            return edit.location, edit.end_location
        return notebook.cell_location(edit.location)[1], notebook.cell_location(edit.end_location)[1]


def rule_names() -> dict[str, str]:
    return {rule.code: rule.name for rule in engine.all_rules()}


def shown(results: Sequence[FileResult], notebooks: Notebooks | None = None, *,
          suppressed: bool = False) -> list[Shown]:
    """Every remaining diagnostic (and, if asked, every suppressed one) in output order."""
    notebooks = notebooks or {}
    names = rule_names()
    texts = {result.file.path: result.file.text for result in results}
    # Made for the files with something to show: over a large tree, most have nothing.
    indexes: dict[str, LineIndex] = {}
    items: list[Shown] = []
    for result in results:
        pairs = [(d, False) for d in result.diagnostics]
        if suppressed:
            pairs += [(d, True) for d in result.suppressed]
        for diagnostic, hidden in pairs:
            notebook = notebooks.get(diagnostic.path)
            cell: int | None = None
            start, end = diagnostic.location, diagnostic.end_location
            if notebook is not None:
                cell, start = notebook.cell_location(start)
                _, end = notebook.cell_location(end)
            index = indexes.get(diagnostic.path)
            if index is None:
                index = indexes[diagnostic.path] = LineIndex(texts.get(diagnostic.path, ""))
            items.append(Shown(diagnostic, names.get(diagnostic.code), index, cell, start, end,
                               hidden))
    return sorted(items, key=lambda item: (item.diagnostic.sort_key(), item.suppressed))


def _heading(item: Shown) -> str:
    return f"{item.where()}: {item.diagnostic.code} {item.diagnostic.message}"


def format_concise(results: Sequence[FileResult], notebooks: Notebooks | None = None) -> str:
    """One line per diagnostic: `path:row:col: CODE message`."""
    return "".join(_heading(item) + "\n" for item in shown(results, notebooks))


def format_full(results: Sequence[FileResult], notebooks: Notebooks | None = None, *,
                show_fixes: bool = False) -> str:
    """Each diagnostic with its source line, a caret under the span and the fix's help;
    with `show_fixes`, the lines the fix changes as a small diff."""
    blocks: list[str] = []
    for item in shown(results, notebooks):
        diagnostic = item.diagnostic
        lines = [_heading(item), *_excerpt(diagnostic, item.index)]
        if diagnostic.fix is not None:
            unsafe = "" if diagnostic.fix.is_safe else " (unsafe)"
            lines.append(f"  help: {diagnostic.fix.message}{unsafe}")
            if show_fixes:
                lines.extend(_fix_diff(item.index, diagnostic.fix.edits))
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


def _fix_diff(index: LineIndex, edits: Sequence[Edit]) -> list[str]:
    """`- old` / `+ new` lines for the rows a fix touches."""
    try:
        after = apply_edits(index.text, edits)
    except ValueError:
        return []
    first = min(edit.location.row for edit in edits)
    last = max(edit.end_location.row for edit in edits)
    new_index = LineIndex(after)
    grown = len(new_index.starts) - len(index.starts)
    old_lines = [index.line(row) for row in range(first, min(last, len(index.starts)) + 1)]
    new_lines = [new_index.line(row)
                 for row in range(first, min(last + grown, len(new_index.starts)) + 1)]
    diff = difflib.ndiff(old_lines, new_lines)
    return [f"  {line}" for line in diff if line[:1] in "-+"]


def format_json(results: Sequence[FileResult], notebooks: Notebooks | None = None) -> str:
    """A JSON array of the diagnostics; the keys are the contract (see tests)."""
    items = [json_diagnostic(item, notebooks or {}) for item in shown(results, notebooks)]
    return json.dumps(items, indent=2) + "\n"


def format_json_lines(results: Sequence[FileResult], notebooks: Notebooks | None = None) -> str:
    """One JSON object per line, the same objects as `json` (as ruff's `json-lines`)."""
    return "".join(json.dumps(json_diagnostic(item, notebooks or {})) + "\n"
                   for item in shown(results, notebooks))


def json_diagnostic(item: Shown, notebooks: Notebooks) -> dict[str, Any]:
    diagnostic = item.diagnostic
    fix = diagnostic.fix
    data: dict[str, Any] = {
        "code": diagnostic.code,
        "name": item.name,
        "message": diagnostic.message,
        "filename": diagnostic.path,
        "location": _json_location(item.location),
        "end_location": _json_location(item.end_location),
        "fix": None if fix is None else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [_json_edit(*item.edit_place(edit, notebooks), edit.content)
                      for edit in fix.edits],
        },
        "url": None,
    }
    if item.cell is not None:
        data["cell"] = item.cell
    return data


def _json_location(location: Location) -> dict[str, int]:
    return {"row": location.row, "column": location.column}


def _json_edit(start: Location, end: Location, content: str) -> dict[str, Any]:
    return {
        "content": content,
        "location": _json_location(start),
        "end_location": _json_location(end),
    }


def _lazy(module: str, name: str) -> Formatter:
    def render(results: Sequence[FileResult], notebooks: Notebooks | None = None) -> str:
        import importlib

        formatter: Formatter = getattr(importlib.import_module(module), name)
        return formatter(results, notebooks or {})

    return render


FORMATS: dict[str, Formatter] = {
    "full": format_full,
    "concise": format_concise,
    "json": format_json,
    "json-lines": format_json_lines,
    "sarif": _lazy("mpz_lint.formats.sarif", "format_sarif"),
    "github": _lazy("mpz_lint.formats.github", "format_github"),
    "gitlab": _lazy("mpz_lint.formats.gitlab", "format_gitlab"),
    "junit": _lazy("mpz_lint.formats.junit", "format_junit"),
}


# --- statistics and fixes ---------------------------------------------------------------


def statistics(results: Sequence[FileResult], *, unsafe_fixes: bool = False,
               as_json: bool = False) -> str:
    """`--statistics`: per rule, how many findings and how many of them `--fix` fixes."""
    names = rule_names()
    counts: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    for result in results:
        for diagnostic in result.diagnostics:
            counts[diagnostic.code] += 1
            if diagnostic.fix is not None and (diagnostic.fix.is_safe or unsafe_fixes):
                fixable[diagnostic.code] += 1
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    if as_json:
        return json.dumps([{"code": code, "name": names.get(code), "count": counts[code],
                            "fixable": fixable[code] > 0, "fixable_count": fixable[code]}
                           for code in ordered], indent=2) + "\n"
    width = max((len(str(count)) for count in counts.values()), default=1)
    lines = []
    for code in ordered:
        marker = "[*]" if fixable[code] else "[ ]"
        partial = f" ({fixable[code]} fixable)" if 0 < fixable[code] < counts[code] else ""
        lines.append(f"{counts[code]:>{width}}\t{code}\t{marker} {names.get(code, '')}{partial}")
    return "".join(line + "\n" for line in lines)


def fixed_listing(results: Sequence[FileResult], *, mode: Mode = "fix") -> str:
    """`--show-fixes`: what was fixed (or would be, with --diff), per file and rule."""
    names = rule_names()
    total = sum(len(result.fixed) for result in results)
    if not total:
        return ""
    verb = "Would fix" if mode == "diff" else "Fixed"
    lines = [f"{verb} {_count(total, 'error')}:"]
    for result in sorted(results, key=lambda r: r.file.path):
        if not result.fixed:
            continue
        lines.append(f"- {result.file.path}:")
        per_code = Counter(d.code for d in result.fixed)
        for code in sorted(per_code):
            lines.append(f"    {per_code[code]} × {code} ({names.get(code, '')})")
    return "\n".join(lines) + "\n"


def iter_remaining(results: Sequence[FileResult]) -> Iterator[Diagnostic]:
    for result in results:
        yield from result.diagnostics


# --- the summary --------------------------------------------------------------------------


def summary(
    results: Sequence[FileResult], errors: Sequence[FileError] = (), *,
    mode: Mode = "check", unsafe_fixes: bool = False, baselined: int = 0,
) -> str:
    """The closing lines for stderr: what was found in how many files, fixed, fixable,
    and not checked."""
    remaining = list(iter_remaining(results))
    fixed = sum(len(result.fixed) for result in results)
    checked = len([result for result in results if result.error is None])
    touched = len({result.file.path for result in results if result.diagnostics or result.fixed})
    where = _files(touched, checked)
    lines: list[str] = []
    if mode == "fix" and (fixed or remaining):
        lines.append(f"Found {_count(fixed + len(remaining), 'error')}{where}"
                     f" ({fixed} fixed, {len(remaining)} remaining).")
    elif mode == "diff" and fixed:
        left = f" ({len(remaining)} remaining)" if remaining else ""
        lines.append(f"Would fix {_count(fixed, 'error')}{where}{left}.")
    elif mode == "diff" and remaining:
        lines.append(f"No errors would be fixed ({len(remaining)} remaining{where}).")
    elif remaining:
        lines.append(f"Found {_count(len(remaining), 'error')}{where}.")
    elif not errors:
        lines.append(f"All checks passed! ({_count(checked, 'file')} checked)"
                     if checked else "All checks passed!")

    safe = sum(1 for d in remaining if d.fix is not None and d.fix.is_safe)
    unsafe = sum(1 for d in remaining if d.fix is not None and not d.fix.is_safe)
    fixable, hidden = (safe + unsafe, 0) if unsafe_fixes else (safe, unsafe)
    hint = f"{_count(hidden, 'hidden fix', 'hidden fixes')} can be enabled with --unsafe-fixes"
    if mode == "check" and fixable:
        split = f" ({safe} safe, {unsafe} unsafe)" if unsafe_fixes and safe and unsafe else ""
        lines.append(f"[*] {fixable} fixable with --fix{split}.")
        if hidden:
            lines.append(f"({hint})")
    elif mode == "check" and hidden:
        lines.append(f"No fixes available ({hint}).")
    elif hidden:
        lines.append(f"({hint})")

    if baselined:
        lines.append(f"{_count(baselined, 'finding')} in the baseline not shown.")
    unchecked = len({error.path for error in errors})
    if unchecked:
        lines.append(f"{_count(unchecked, 'file')} could not be checked.")
    return "\n".join(lines)


def _files(touched: int, checked: int) -> str:
    if not touched:
        return ""
    if touched == checked:
        return f" in {_count(touched, 'file')}"
    return f" in {touched} of {_count(checked, 'file')}"


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"

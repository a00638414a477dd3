"""Applying fixes to text: small edits, never a whole-node rewrite.

Edits are positioned by (row, column) in characters. Fixes are applied in source order;
a fix whose edits overlap an already applied one is left for the next pass (the engine
re-checks and applies again until nothing changes, as ruff does).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

from mpz_lint.model import Diagnostic, Edit, Location

# Python and every config format we read end lines with \n, \r\n or a lone \r; a form feed
# or U+2028 is not a line break for them (str.splitlines would say it is).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Converts between 1-based (row, column) locations and offsets into one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" in text:
            self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        else:  # the common case, several times faster without the regex
            lengths = (len(line) + 1 for line in text.split("\n")[:-1])
            self.starts = list(accumulate(lengths, initial=0))

    def offset(self, location: Location) -> int:
        row = min(max(location.row, 1), len(self.starts))
        return min(self.starts[row - 1] + location.column - 1, len(self.text))

    def location(self, offset: int) -> Location:
        row = max(bisect_right(self.starts, offset), 1)  # the last line starting at or before
        return Location(row, offset - self.starts[row - 1] + 1)

    def indent(self, location: Location) -> str:
        """The text before `location` on its line when it is all whitespace (tabs kept),
        else that many spaces: the indentation for a new line at the same level."""
        before = self.line(location.row)[: location.column - 1]
        return before if not before.strip() else " " * len(before)

    def line(self, row: int) -> str:
        """The text of a row, without its line break."""
        start = self.starts[row - 1]
        end = self.starts[row] if row < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits to `text` (raises ValueError if two overlap)."""
    index = LineIndex(text)
    spans = sorted(
        ((index.offset(e.location), index.offset(e.end_location), e.content) for e in edits),
        key=lambda span: (span[0], span[1]),
    )
    out: list[str] = []
    cursor = 0
    for start, end, content in spans:
        if start < cursor:
            raise ValueError("overlapping edits")
        out.append(text[cursor:start])
        out.append(content)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def apply_fixes(text: str, diagnostics: Sequence[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """Apply the fixes of `diagnostics` that do not overlap; return the text and those applied."""
    index = LineIndex(text)
    taken: list[tuple[int, int]] = []
    applied: list[Diagnostic] = []
    edits: list[Edit] = []
    ordered = sorted(
        (d for d in diagnostics if d.fix is not None and d.fix.edits),
        key=lambda d: min(e.location for e in d.fix.edits),  # type: ignore[union-attr]
    )
    for diagnostic in ordered:
        assert diagnostic.fix is not None
        spans = [(index.offset(e.location), index.offset(e.end_location)) for e in diagnostic.fix.edits]
        # Two diagnostics may carry the very same edit (one literal, two findings).
        if all(edit in edits for edit in diagnostic.fix.edits):
            applied.append(diagnostic)
            continue
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue
        taken.extend(spans)
        edits.extend(diagnostic.fix.edits)
        applied.append(diagnostic)
    return apply_edits(text, edits), applied


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Two insertions at the same point conflict too: their order would be arbitrary.
    if a == b:
        return True
    return a[0] < b[1] and b[0] < a[1]

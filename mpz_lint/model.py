"""The small data model every part of mpz-lint shares: Location, Edit, Fix, Diagnostic.

Rules produce Diagnostics; the fixer applies their Fixes; the output formats print them.
Nothing else travels between those parts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Applicability(str, enum.Enum):
    """How sure a fix is: safe fixes apply with `--fix`, unsafe ones need `--unsafe-fixes`."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source text: 1-based row, 1-based column counted in characters."""

    row: int
    column: int


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text from `location` up to (not including) `end_location` by `content`."""

    location: Location
    end_location: Location
    content: str

    @classmethod
    def replacement(cls, start: Location, end: Location, content: str) -> Edit:
        return cls(start, end, content)

    @classmethod
    def insertion(cls, at: Location, content: str) -> Edit:
        return cls(at, at, content)


@dataclass(frozen=True)
class Fix:
    """A set of edits that together repair one diagnostic; applied all or nothing."""

    edits: tuple[Edit, ...]
    applicability: Applicability
    message: str

    @property
    def is_safe(self) -> bool:
        return self.applicability is Applicability.SAFE


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a rule code at a span of one file, with an optional fix."""

    code: str
    message: str
    path: str
    location: Location
    end_location: Location
    fix: Fix | None = None
    # Which other places made the rule decide (e.g. "auth.py:12"); kept for reports.
    related: tuple[str, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.location.row, self.location.column, self.code)


@dataclass(frozen=True)
class FileError:
    """A file that could not be checked (unreadable, undecodable, unparsable)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

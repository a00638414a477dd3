"""Suppression comments, as ruff reads them, and per-file-ignores.

- `# noqa: MPZ101, MPZ102` on the reported line (or, for a multi-line call, its first
  line; for a finding inside a multi-line string or a backslash-continued line, the
  line where that ends) suppresses those codes there; a bare `# noqa` suppresses all.
- `# mpz-lint: noqa` on a line of its own suppresses the whole file;
  `# mpz-lint: noqa: MPZ101` only those codes in it.
- Config files take the same comments where their format has `#` comments (.env, YAML,
  TOML, ini/cfg); JSON has none.

Codes that do not start with `MPZ` belong to other linters (`# noqa: F401, MPZ101`): they
are kept as they are and never reported. `apply` is the engine's hook: it runs after the
rules, splits the diagnostics into reported and suppressed, and adds MPZ900 (unused
suppressions) when that rule is selected.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mpz_lint.fixer import LineIndex, apply_edits
from mpz_lint.model import Diagnostic, Edit, Location
from mpz_lint.project import is_env_file
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile

if TYPE_CHECKING:
    from mpz_lint.rule import Rule

OUR_PREFIX = "MPZ"
UNUSED_NOQA = "MPZ900"

# `# noqa`, `# noqa: A1, B2`, `#noqa:A1 B2`; the codes end where something else starts
# (`# noqa: MPZ101 - a reason`).
_LINE_NOQA = re.compile(
    r"#\s*noqa(?![\w-])(?:\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:(?:\s*,\s*|\s+)[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_FILE_NOQA = re.compile(
    r"#\s*mpz-lint\s*:\s*noqa(?![\w-])"
    r"(?:\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:(?:\s*,\s*|\s+)[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Directive:
    """One suppression comment: where it is (1-based row, 0-based character columns of
    the directive from its `#` to its last code) and its codes (None: all codes)."""

    row: int
    start: int
    end: int
    codes: tuple[str, ...] | None
    file_level: bool = False

    @property
    def our_codes(self) -> tuple[str, ...]:
        return tuple(code for code in self.codes or () if code.startswith(OUR_PREFIX))

    def suppresses(self, code: str) -> bool:
        return self.codes is None or code in self.codes


@dataclass
class Directives:
    """The suppression comments of one file and which rows a finding may be suppressed from."""

    lines: dict[int, Directive] = field(default_factory=dict)
    file_level: list[Directive] = field(default_factory=list)
    # Row of a finding -> other rows whose `# noqa` counts for it (a multi-line call's
    # first row, the last row of a multi-line string or of backslash continuations).
    also: dict[int, set[int]] = field(default_factory=dict)
    # Row of a finding -> where `--add-noqa` puts the comment (when not the row itself).
    target: dict[int, int] = field(default_factory=dict)
    comments_allowed: bool = True  # False for JSON and for Python that does not tokenize

    def for_row(self, row: int) -> list[Directive]:
        rows = [row, *sorted(self.also.get(row, ()))]
        return [self.lines[r] for r in rows if r in self.lines]


def parse(source: SourceFile) -> Directives:
    """The suppression comments of `source` and the row mapping they are read with."""
    if source.kind == "python":
        return _parse_python(source.text)
    return _parse_config(source.path, source.text)


def _comment_format(path: str) -> str | None:
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if is_env_file(name) or name.endswith((".yaml", ".yml", ".toml")):
        return "hash"
    if name.endswith((".ini", ".cfg")):
        return "ini"
    return None  # JSON: no comments


def _parse_config(path: str, text: str) -> Directives:
    directives = Directives(comments_allowed=_comment_format(path) is not None)
    if not directives.comments_allowed or "noqa" not in text.lower():
        return directives
    for row, line in enumerate(_lines(text), start=1):
        # A comment starts at a `#` that begins the line or follows a blank.
        for match in re.finditer(r"(?:^|(?<=\s))#", line):
            _add(directives, row, line[match.start():], match.start(), own_line=not line[
                :match.start()].strip())
            break
    return directives


def _parse_python(text: str) -> Directives:
    directives = Directives()
    if "noqa" not in text.lower():
        return directives
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        directives.comments_allowed = False
        return directives
    lines = _lines(text)
    for token in tokens:
        if token.type == tokenize.COMMENT:
            row, column = token.start
            own_line = not lines[row - 1][:column].strip()
            _add(directives, row, token.string, column, own_line)
    _map_rows(directives, text, tokens, lines)
    return directives


def _add(directives: Directives, row: int, comment: str, column: int, own_line: bool) -> None:
    file_match = _FILE_NOQA.search(comment)
    if file_match is not None:
        if own_line:
            directives.file_level.append(_directive(row, column, file_match, file_level=True))
        return
    line_match = _LINE_NOQA.search(comment)
    if line_match is not None and row not in directives.lines:
        directives.lines[row] = _directive(row, column, line_match)


def _directive(row: int, column: int, match: re.Match[str], file_level: bool = False) -> Directive:
    codes = match.group("codes")
    parsed = None if codes is None else tuple(c.upper() for c in _CODE.findall(codes))
    return Directive(row, column + match.start(), column + match.end(), parsed, file_level)


def _map_rows(directives: Directives, text: str, tokens: Sequence[tokenize.TokenInfo],
              lines: list[str]) -> None:
    # The last row of a multi-line token (a string) holds its `# noqa`, as in ruff.
    for token in tokens:
        (first, _), (last, _) = token.start, token.end
        if last > first and token.type not in (tokenize.NL, tokenize.NEWLINE):
            for row in range(first, last):
                directives.also.setdefault(row, set()).add(last)
                directives.target[row] = last
    # A backslash-continued line's comment goes at the end of the continuation.
    row = 1
    while row <= len(lines):
        end = row
        while end <= len(lines) and lines[end - 1].endswith("\\") and end not in directives.target:
            end += 1
        for continued in range(row, end):
            final = directives.target.get(end, end)
            directives.also.setdefault(continued, set()).add(final)
            directives.target.setdefault(continued, final)
        row = end + 1
    # A finding anywhere in a multi-line call may be suppressed on the call's first row.
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.end_lineno is not None and node.end_lineno > node.lineno:
            for row in range(node.lineno + 1, node.end_lineno + 1):
                directives.also.setdefault(row, set()).add(node.lineno)


def _lines(text: str) -> list[str]:
    index = LineIndex(text)
    return [index.line(row) for row in range(1, len(index.starts) + 1)]


# --- the engine's hook ------------------------------------------------------------------


def apply(
    source: SourceFile, diagnostics: Sequence[Diagnostic], settings: Settings,
    rules: Sequence[type[Rule]] = (),
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Split `diagnostics` into those reported and those a suppression comment hides.

    Per-file-ignores drop findings first (they are not suppressions: nothing records them).
    With `settings.ignore_noqa` nothing is suppressed. When MPZ900 is among the selected
    `rules` (all the rules there are), unused suppressions are reported too.
    """
    ignored = settings.ignored_in(source.path)
    kept = [d for d in diagnostics if not any(entry.ignores(d.code) for entry in ignored)]
    if settings.ignore_noqa:
        return kept, []
    enabled = {rule.code for rule in rules if settings.is_selected(rule.code, rule.default_enabled)
               and not any(entry.ignores(rule.code) for entry in ignored)}
    if not kept and UNUSED_NOQA not in enabled:
        return kept, []  # nothing to hide: not worth reading the comments (a tokenize)
    directives = parse(source)
    if not directives.lines and not directives.file_level:
        return kept, []
    used: dict[int, set[str]] = {}  # id of a directive -> codes it suppressed
    reported: list[Diagnostic] = []
    suppressed: list[Diagnostic] = []
    for diagnostic in kept:
        hit = _suppressing(directives, diagnostic)
        if hit is None:
            reported.append(diagnostic)
        else:
            used.setdefault(id(hit), set()).add(diagnostic.code)
            suppressed.append(diagnostic)
    if UNUSED_NOQA in enabled:
        from mpz_lint.rules.unused_noqa import unused_noqa_diagnostics

        known = {rule.code for rule in rules}
        for diagnostic in unused_noqa_diagnostics(source, directives, used, known, enabled):
            hit = _suppressing(directives, diagnostic)
            (reported if hit is None else suppressed).append(diagnostic)
    reported.sort(key=Diagnostic.sort_key)
    suppressed.sort(key=Diagnostic.sort_key)
    return reported, suppressed


def _suppressing(directives: Directives, diagnostic: Diagnostic) -> Directive | None:
    for directive in directives.file_level:
        # An unused blanket `# mpz-lint: noqa` must not hide its own report.
        if directive.suppresses(diagnostic.code) and (
                diagnostic.code != UNUSED_NOQA or directive.codes is not None):
            return directive
    if diagnostic.code == UNUSED_NOQA:
        # An unused `# noqa: MPZ101` cannot hide its own report; `# noqa: MPZ900` can.
        own = directives.lines.get(diagnostic.location.row)
        return own if own is not None and own.codes and UNUSED_NOQA in own.codes else None
    for directive in directives.for_row(diagnostic.location.row):
        if directive.suppresses(diagnostic.code):
            return directive
    return None


# --- editing directives -----------------------------------------------------------------


def delete_directive(text: str, directive: Directive) -> Edit:
    """The edit that removes `directive` from its line, as ruff's `delete_noqa`: the whole
    line if the comment is alone on it, else the comment and the blanks before it."""
    index = LineIndex(text)
    line = index.line(directive.row)
    start, end = directive.start, directive.end
    before = len(line[:start]) - len(line[:start].rstrip())
    after = len(line[end:]) - len(line[end:].lstrip())
    row = directive.row
    if not line[:start].strip() and not line[end:].strip():
        # The line holds nothing else: remove it with its line break.
        next_row = Location(row + 1, 1) if row < len(index.starts) else Location(row, len(line) + 1)
        return Edit(Location(row, 1), next_row, "")
    if not line[end:].strip():
        return Edit(Location(row, start - before + 1), Location(row, len(line) + 1), "")
    if line[end + after:].startswith("#"):
        return Edit(Location(row, start + 1), Location(row, end + after + 1), "")
    # `# noqa: MPZ101 a reason`: keep `# a reason`.
    keep = 2 if line[start + 1:start + 2] == " " else 1
    return Edit(Location(row, start + keep + 1), Location(row, end + after + 1), "")


def rewrite_directive(directive: Directive, codes: Sequence[str]) -> Edit:
    """The edit that replaces `directive` by one listing `codes`."""
    head = "# mpz-lint: noqa" if directive.file_level else "# noqa"
    return Edit(Location(directive.row, directive.start + 1),
                Location(directive.row, directive.end + 1), f"{head}: {', '.join(codes)}")


def add_noqa(source: SourceFile, diagnostics: Sequence[Diagnostic]) -> tuple[str, int]:
    """`source`'s text with a `# noqa: CODES` on every line that has one of `diagnostics`,
    merged into a `# noqa` already there; and how many lines got one. Returns the text
    unchanged (and 0) where a comment would change what the file means: JSON, ini/cfg (a
    trailing comment there is part of the value), a config value that would change."""
    if source.kind == "config" and _comment_format(source.path) != "hash":
        return source.text, 0
    directives = parse(source)
    if source.kind == "python" and "noqa" not in source.text.lower():
        # parse() skips files without `noqa`; here the rows still need mapping.
        directives = _rows_only(source.text)
    if not directives.comments_allowed:
        return source.text, 0
    wanted: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        row = directives.target.get(diagnostic.location.row, diagnostic.location.row)
        wanted.setdefault(row, set()).add(diagnostic.code)
    index = LineIndex(source.text)
    edits: list[Edit] = []
    for row, codes in sorted(wanted.items()):
        existing = directives.lines.get(row)
        if existing is not None and existing.codes is None:
            continue  # a bare `# noqa` already suppresses everything
        if existing is not None:
            merged = list(existing.codes or ())
            merged += sorted(code for code in codes if code not in merged)
            edits.append(rewrite_directive(existing, merged))
        else:
            line = index.line(row)
            stripped = len(line.rstrip())
            edits.append(Edit(Location(row, stripped + 1), Location(row, len(line) + 1),
                              f"  # noqa: {', '.join(sorted(codes))}"))
    new_text = apply_edits(source.text, edits)
    if new_text != source.text and not _same_meaning(source, new_text):
        return source.text, 0
    return new_text, len(edits)


def _rows_only(text: str) -> Directives:
    directives = Directives()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        directives.comments_allowed = False
        return directives
    _map_rows(directives, text, tokens, _lines(text))
    return directives


def _same_meaning(source: SourceFile, new_text: str) -> bool:
    """Whether adding comments kept the file's meaning: Python still parses to the same
    tree; a config file still has the same values."""
    if source.kind == "python":
        try:
            return ast.dump(ast.parse(source.text)) == ast.dump(ast.parse(new_text))
        except (SyntaxError, ValueError, RecursionError):
            return False
    from mpz_lint.config_values import extract_values

    def values(text: str) -> list[tuple[tuple[str, ...], str]]:
        return [(v.path, v.value) for v in extract_values(text, source.path)]

    return values(source.text) == values(new_text)

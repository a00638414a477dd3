"""The pure engine: source files and settings in, diagnostics (and fixed text) out.

No I/O happens here: the CLI reads files into SourceFiles, calls `lint_files` or
`fix_files`, and writes what comes back. That keeps every behaviour testable with
strings and makes `lint_source` / `fix_source` the whole API a test needs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable

from mpz_lint.fixer import apply_fixes
from mpz_lint.model import Diagnostic, FileError
from mpz_lint.project import Project, parse_error
from mpz_lint.rule import Rule, RuleContext
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile

# A fix pass re-checks the whole project, since a fix in one module can change what
# another module's values resolve to. Ten passes is ruff's limit too.
MAX_FIX_PASSES = 10


@dataclass
class FileResult:
    """What happened to one file: what remains, what was fixed, and the new text."""

    file: SourceFile
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)
    fixed_text: str | None = None  # set only when fixes changed the text
    error: FileError | None = None
    suppressed: list[Diagnostic] = field(default_factory=list)  # hidden by `# noqa`


def all_rules() -> tuple[type[Rule], ...]:
    from mpz_lint.rules import ALL_RULES

    return ALL_RULES


def selected_rules(settings: Settings) -> list[type[Rule]]:
    return [r for r in all_rules() if settings.is_selected(r.code, r.default_enabled)]


def lint_files(
    files: Sequence[SourceFile], settings: Settings,
    progress: Callable[[SourceFile], None] | None = None,
) -> list[FileResult]:
    """Check every file as one project; results come back in the order of `files`.
    `progress` is called after each file."""
    from mpz_lint import suppressions

    project = Project(files, settings)
    known = all_rules()
    rules = [rule() for rule in selected_rules(settings)]
    results: list[FileResult] = []
    for source in files:
        result = FileResult(source)
        try:
            project.prepare(source)
            error = project.errors.get(source.path)
            if error is None:
                context = RuleContext(project, source)
                concerns_procore = project.may_concern_procore(source)
                for rule in rules:
                    if concerns_procore or not rule.procore_only:
                        result.diagnostics.extend(rule.check(context))
            if error is None:
                result.diagnostics.sort(key=Diagnostic.sort_key)
                result.diagnostics, result.suppressed = suppressions.apply(
                    source, result.diagnostics, settings, known)
                if not project.round_trips(source):
                    # We cannot promise to keep every byte: report, but offer no fix.
                    result.diagnostics = [dataclasses.replace(d, fix=None)
                                          for d in result.diagnostics]
            result.error = error
        except RecursionError:
            result.error = FileError(source.path, "too deeply nested to analyse")
        except Exception as exc:  # noqa: BLE001 - an internal error must not stop the run
            result.error = FileError(source.path, f"internal error: {type(exc).__name__}: {exc}")
        results.append(result)
        if progress is not None:
            progress(source)
    return results


def fix_files(
    files: Sequence[SourceFile], settings: Settings, *, unsafe_fixes: bool = False,
    progress: Callable[[SourceFile], None] | None = None,
) -> list[FileResult]:
    """Apply fixes until nothing more changes; return what remains and what was fixed.

    A file whose fixed text no longer parses keeps its original text and gets an error.
    `progress` is called after each file of the first pass.
    """
    current = {source.path: source for source in files}
    fixed: dict[str, list[Diagnostic]] = {source.path: [] for source in files}
    broken: dict[str, FileError] = {}
    for attempt in range(MAX_FIX_PASSES):
        changed = False
        for result in lint_files(list(current.values()), settings,
                                 progress if attempt == 0 else None):
            source = result.file
            if result.error is not None or source.path in broken:
                continue
            wanted = [
                d for d in result.diagnostics
                if d.fix is not None and (d.fix.is_safe or unsafe_fixes)
            ]
            if not wanted:
                continue
            new_text, applied = apply_fixes(source.text, wanted)
            if new_text == source.text:
                continue
            if source.kind == "python":
                error = parse_error(source.path, new_text)
                if error is not None:
                    broken[source.path] = FileError(
                        source.path, f"fix not applied, it would not parse ({error.message})"
                    )
                    continue
            current[source.path] = dataclasses.replace(source, text=new_text)
            fixed[source.path].extend(applied)
            changed = True
        if not changed:
            break

    final = lint_files(list(current.values()), settings)
    for original, result in zip(files, final):
        result.fixed = fixed[original.path]
        if result.file.text != original.text:
            result.fixed_text = result.file.text
        if original.path in broken and result.error is None:
            result.error = broken[original.path]
    return final


def lint_source(text: str, path: str = "example.py", settings: Settings | None = None) -> list[Diagnostic]:
    """Check one file on its own; raises ValueError if it cannot be checked."""
    (result,) = lint_files([_source(text, path)], settings or Settings())
    if result.error is not None:
        raise ValueError(str(result.error))
    return result.diagnostics


def fix_source(
    text: str, path: str = "example.py", settings: Settings | None = None, *,
    unsafe_fixes: bool = False,
) -> tuple[str, list[Diagnostic]]:
    """Fix one file on its own: the fixed text and the diagnostics that remain."""
    (result,) = fix_files([_source(text, path)], settings or Settings(), unsafe_fixes=unsafe_fixes)
    if result.error is not None:
        raise ValueError(str(result.error))
    return (result.fixed_text if result.fixed_text is not None else text), result.diagnostics


def _source(text: str, path: str) -> SourceFile:
    from mpz_lint.project import kind_of

    kind = kind_of(path) or "python"
    return SourceFile(path=path, text=text, kind=kind)

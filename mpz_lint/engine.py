"""The pure engine: source files and settings in, diagnostics (and fixed text) out.

No I/O happens here: the CLI reads files into SourceFiles, calls `lint_files` or
`fix_files`, and writes what comes back. That keeps every behaviour testable with
strings and makes `lint_source` / `fix_source` the whole API a test needs.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from mpz_lint.fixer import apply_fixes
from mpz_lint.groups import Complete, Group
from mpz_lint.model import Diagnostic, FileError
from mpz_lint.project import Project, parse
from mpz_lint.rule import Rule, RuleContext
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile

if TYPE_CHECKING:
    import libcst as cst

    from mpz_lint.cache import ResultCache

# A fix pass re-checks the whole project, since a fix in one module can change what
# another module's values resolve to. Ten passes is ruff's limit too.
MAX_FIX_PASSES = 10


# Without a __dict__ where Python allows it (3.10+): a large tree has one per file.
@dataclass(**({"slots": True} if sys.version_info >= (3, 10) else {}))
class FileResult:
    """What happened to one file: what remains, what was fixed, and the new text."""

    # Sequences, not lists: a file with nothing to say shares one empty tuple, which over
    # a large tree is most of the files.
    file: SourceFile
    diagnostics: Sequence[Diagnostic] = ()
    fixed: Sequence[Diagnostic] = ()
    fixed_text: str | None = None  # set only when fixes changed the text
    error: FileError | None = None
    suppressed: Sequence[Diagnostic] = ()  # hidden by noqa comments


def all_rules() -> tuple[type[Rule], ...]:
    from mpz_lint.rules import ALL_RULES

    return ALL_RULES


def selected_rules(settings: Settings) -> tuple[type[Rule], ...]:
    return _selected(settings, tuple(all_rules()))


@lru_cache(maxsize=8)  # asked once per group: a large tree has thousands
def _selected(settings: Settings, rules: tuple[type[Rule], ...]) -> tuple[type[Rule], ...]:
    return tuple(r for r in rules if settings.is_selected(r.code, r.default_enabled))


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a project is analysed.

    Parsing allocates hundreds of thousands of nodes that all stay alive until the
    group's analysis ends; each automatic collection would walk every one of them again,
    which cost a third of a dense run. `Project.close` then breaks the project's cycles,
    so reference counting frees the trees; the little cyclic garbage left is collected
    when the collector next runs.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def lint_files(
    files: Sequence[SourceFile], settings: Settings,
    progress: Callable[[SourceFile], None] | None = None, *,
    jobs: int = 1, cache: ResultCache | None = None, complete: Complete | None = None,
) -> list[FileResult]:
    """Check `files`; results come back in the order of `files`, whatever `jobs` is.

    The files are analysed in groups (mpz_lint.groups), `jobs` processes at a time;
    `cache` keeps each group's results for the next run. `progress` is called after
    each file. `complete` reads the whole of a file given as its import statements only
    (SourceFile.partial) when it turns out to matter.
    """
    return _run(files, settings, progress, jobs, cache, complete, unsafe_fixes=None)


def fix_files(
    files: Sequence[SourceFile], settings: Settings, *, unsafe_fixes: bool = False,
    progress: Callable[[SourceFile], None] | None = None,
    jobs: int = 1, cache: ResultCache | None = None, complete: Complete | None = None,
) -> list[FileResult]:
    """Apply fixes until nothing more changes; return what remains and what was fixed.

    A file whose fixed text no longer parses keeps its original text and gets an error.
    """
    return _run(files, settings, progress, jobs, cache, complete, unsafe_fixes=unsafe_fixes)


# Below this much Python to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_CHARS = 100_000


def _run(files: Sequence[SourceFile], settings: Settings,
         progress: Callable[[SourceFile], None] | None, jobs: int,
         cache: ResultCache | None, complete: Complete | None,
         unsafe_fixes: bool | None) -> list[FileResult]:
    from mpz_lint.groups import plan_groups

    plan = plan_groups(files, settings, complete)
    groups, settings = plan.groups, plan.settings
    outcomes: dict[int, list[Outcome]] = {}
    pending: list[int] = []
    keys: dict[int, str] = {}
    for number, group in enumerate(groups):
        if cache is not None:
            keys[number] = cache.key(group, settings)
            cached = cache.load(keys[number])
            if cached is not None and (unsafe_fixes is None or not _wants_fixes(cached, unsafe_fixes)):
                outcomes[number] = cached
                if progress is not None:
                    for source in group.files:
                        progress(source)
                continue
        pending.append(number)

    work = sum(groups[n].size for n in pending)
    workers = min(jobs, len(pending)) if work >= PARALLEL_MIN_CHARS else 1
    for number, group_outcomes in _analyse(groups, pending, settings, unsafe_fixes, workers):
        outcomes[number] = group_outcomes
        # A fix run that changed nothing in the group found what a check would have; an
        # internal error (a crash, a worker that died) may not happen next time.
        if cache is not None and not any(
                o.error is not None and o.error.message.startswith("internal error")
                for o in group_outcomes) and (unsafe_fixes is None or not any(
                o.fixed_text is not None or o.fixed or o.error for o in group_outcomes)):
            cache.store(keys[number], group_outcomes)
        if progress is not None:
            for source in groups[number].files:
                progress(source)

    by_path: dict[str, FileResult] = {}
    for number, group in enumerate(groups):
        for source, outcome in zip(group.files, outcomes[number]):
            by_path[source.path] = outcome.result(source)
    for path, error in plan.unreadable.items():
        by_path[path].error = error
    return [by_path[source.path] for source in files]


def _wants_fixes(outcomes: list[Outcome], unsafe_fixes: bool) -> bool:
    return any(d.fix is not None and (d.fix.is_safe or unsafe_fixes)
               for outcome in outcomes for d in outcome.diagnostics)


def _analyse(groups: list[Group], numbers: list[int], settings: Settings,
             unsafe_fixes: bool | None, workers: int) -> Iterator[tuple[int, list[Outcome]]]:
    """Each group's outcomes, in `numbers` order when serial, as batches finish when not."""
    if workers <= 1:
        for number in numbers:
            yield number, _analyse_group(groups[number], settings, unsafe_fixes)
        return
    import concurrent.futures
    import concurrent.futures.process

    from mpz_lint.parallel import executor

    batches = _batches(groups, numbers, workers)

    def died(batch: list[int]) -> list[list[Outcome]]:
        # A worker died (killed, out of memory): its files are reported, the run goes on
        # with what the other workers found.
        return [[Outcome([], [], None, FileError(
            source.path, "internal error: the process checking it stopped"), [])
            for source in groups[number].files] for number in batch]

    broken = concurrent.futures.process.BrokenProcessPool
    with executor(workers) as pool:
        futures: dict[concurrent.futures.Future[list[list[Outcome]]], list[int]] = {}
        for batch in batches:
            try:
                futures[pool.submit(_analyse_batch, [groups[n] for n in batch], settings,
                                    unsafe_fixes)] = batch
            except broken:  # the pool broke while batches were still being handed out
                yield from zip(batch, died(batch))
        for future in concurrent.futures.as_completed(futures):
            try:
                results = future.result()
            except broken:
                results = died(futures[future])
            yield from zip(futures[future], results)


# Each batch costs a task hand-over (its groups pickled to the worker): about 1 ms.
BATCHES_PER_WORKER = 16


def _batches(groups: list[Group], numbers: list[int], workers: int) -> list[list[int]]:
    """Groups dealt into batches of about equal work, largest first. Workers take the
    next batch as they finish one, so many small batches even out what one worker's
    slower files or one large group would leave the others waiting for at the end."""
    count = min(len(numbers), workers * BATCHES_PER_WORKER)
    batches: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for number in sorted(numbers, key=lambda n: -groups[n].size):
        lightest = loads.index(min(loads))
        batches[lightest].append(number)
        loads[lightest] += groups[number].size
    return sorted((b for b in batches if b), key=lambda b: -sum(groups[n].size for n in b))


def _analyse_batch(groups: list[Group], settings: Settings,
                   unsafe_fixes: bool | None) -> list[list[Outcome]]:
    return [_analyse_group(group, settings, unsafe_fixes) for group in groups]


def _analyse_group(group: Group, settings: Settings,
                   unsafe_fixes: bool | None) -> list[Outcome]:
    if group.inert and all(rule.procore_only for rule in selected_rules(settings)):
        # Files no selected rule can find anything in (and nothing to parse): one shared
        # empty outcome each, so a large tree's irrelevant files cost next to nothing.
        return [_NOTHING] * len(group.files)
    with _no_cycle_collection():
        if unsafe_fixes is None:
            results = _lint_group(group.files, group.relevant, settings)
        else:
            results = _fix_group(group, settings, unsafe_fixes)
    return [Outcome.of(result) for result in results]


@dataclass
class Outcome:
    """A FileResult without its SourceFile: what crosses from a worker or the cache."""

    diagnostics: Sequence[Diagnostic]
    fixed: Sequence[Diagnostic]
    fixed_text: str | None
    error: FileError | None
    suppressed: Sequence[Diagnostic]

    @classmethod
    def of(cls, result: FileResult) -> Outcome:
        return cls(result.diagnostics, result.fixed, result.fixed_text, result.error,
                   result.suppressed)

    def result(self, original: SourceFile) -> FileResult:
        if self is _NOTHING:
            return FileResult(original)
        source = original if self.fixed_text is None else dataclasses.replace(
            original, text=self.fixed_text)
        return FileResult(source, self.diagnostics, self.fixed, self.fixed_text, self.error,
                          self.suppressed)


_NOTHING = Outcome((), (), None, None, ())


def _lint_group(files: Sequence[SourceFile], relevant: frozenset[str], settings: Settings,
                trees: dict[tuple[str, str], cst.Module] | None = None) -> list[FileResult]:
    project = Project(files, settings, relevant, trees)
    try:
        return _lint_project(project, files, settings)
    finally:
        project.close()


def _lint_project(project: Project, files: Sequence[SourceFile],
                  settings: Settings) -> list[FileResult]:
    from mpz_lint import suppressions

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
                found: list[Diagnostic] = []
                for rule in rules:
                    if concerns_procore or not rule.procore_only:
                        found.extend(rule.check(context))
                found.sort(key=Diagnostic.sort_key)
                result.diagnostics, result.suppressed = suppressions.apply(
                    source, found, settings, known)
                fixable = any(d.fix is not None for d in result.diagnostics)
                if fixable and not project.round_trips(source):
                    # We cannot promise to keep every byte: report, but offer no fix.
                    result.diagnostics = [dataclasses.replace(d, fix=None)
                                          for d in result.diagnostics]
            result.error = error
        except RecursionError:
            result.error = FileError(source.path, "too deeply nested to analyse")
        except Exception as exc:  # noqa: BLE001 - an internal error must not stop the run
            result.error = FileError(source.path, f"internal error: {type(exc).__name__}: {exc}")
        results.append(result)
    return results


def _fix_group(group: Group, settings: Settings, unsafe_fixes: bool) -> list[FileResult]:
    """Fix one group until nothing more changes (a fix in one module can change what
    another module's values resolve to, so each pass re-checks the whole group)."""
    files = group.files
    current = {source.path: source for source in files}
    fixed: dict[str, list[Diagnostic]] = {source.path: [] for source in files}
    broken: dict[str, FileError] = {}
    final: list[FileResult] | None = None
    trees: dict[tuple[str, str], cst.Module] = {}  # each text parses once in all passes
    for _ in range(MAX_FIX_PASSES):
        changed = False
        results = _lint_group(list(current.values()), group.relevant, settings, trees)
        for result in results:
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
                parsed = parse(source.path, new_text)
                if isinstance(parsed, FileError):
                    broken[source.path] = FileError(
                        source.path, f"fix not applied, it would not parse ({parsed.message})"
                    )
                    continue
                trees[(source.path, new_text)] = parsed
            current[source.path] = dataclasses.replace(source, text=new_text)
            fixed[source.path].extend(applied)
            changed = True
        if not changed:
            final = results  # this pass checked the texts as they now stand
            break
    if final is None:
        final = _lint_group(list(current.values()), group.relevant, settings, trees)
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
    return list(result.diagnostics)


def fix_source(
    text: str, path: str = "example.py", settings: Settings | None = None, *,
    unsafe_fixes: bool = False,
) -> tuple[str, list[Diagnostic]]:
    """Fix one file on its own: the fixed text and the diagnostics that remain."""
    (result,) = fix_files([_source(text, path)], settings or Settings(), unsafe_fixes=unsafe_fixes)
    if result.error is not None:
        raise ValueError(str(result.error))
    return (result.fixed_text if result.fixed_text is not None else text), list(result.diagnostics)


def _source(text: str, path: str) -> SourceFile:
    from mpz_lint.project import kind_of

    kind = kind_of(path) or "python"
    return SourceFile(path=path, text=text, kind=kind)

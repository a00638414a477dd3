"""The command line: a thin click shell over config, file discovery, the engine and the formats.

The engine (and libcst with it) is imported inside the commands, so that `--version` and
`--help` answer at once. Options follow ruff's names and meanings wherever ruff has one.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mpz_lint import __version__
from mpz_lint.config import OUTPUT_FORMATS
from mpz_lint.model import FileError

if TYPE_CHECKING:
    from mpz_lint.cache import ResultCache
    from mpz_lint.config import Resolved
    from mpz_lint.engine import FileResult
    from mpz_lint.notebooks import Notebook
    from mpz_lint.output import Mode
    from mpz_lint.rule import Rule
    from mpz_lint.settings import Settings
    from mpz_lint.sources import SourceFile

# Exit codes, as ruff's: findings remain (1); something could not be checked or written,
# or the command line or a config file is wrong (2). 2 wins over 1, and --exit-zero
# never hides a 2.
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

# The progress bar shows only on a terminal, outside CI, and once a run has taken this
# long: a quick run never flickers, a log never fills with bar redraws.
PROGRESS_DELAY = 1.0
PROGRESS_MIN_FILES = 2

STDIN = "-"


def _comma_list(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """`--select A,B --select C` → ("A", "B", "C")."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _codes(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.upper() for code in _comma_list(ctx, param, values))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mpz-lint", message="%(prog)s %(version)s")
def main() -> None:
    """Find and fix Procore MPZ (Multiple Procore Zones) defects in Python code."""


def run() -> None:
    """The `mpz-lint` command (and `python -m mpz_lint`): `main`, then exit at once.

    Tearing the interpreter down frees every object of the run one by one, which cost
    0.1-0.2 s after a large run (mypy leaves the same way). Everything the run writes is
    written and closed by then; only the output streams are flushed. Tests call `main`.
    """
    try:
        main(prog_name="mpz-lint")
        status = 0
    except SystemExit as exit_:
        status = _exit_status(exit_.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe (`mpz-lint check | head`) or stream: nothing more to say
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status `sys.exit(code)` leaves with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


@dataclasses.dataclass(frozen=True)
class CheckOptions:
    """What `check` was asked to do besides the settings (those go through config)."""

    fix: bool
    unsafe_fixes: bool
    diff: bool
    exit_zero: bool
    add_noqa: bool
    ignore_noqa: bool
    stdin_filename: str | None
    config_args: tuple[str, ...]
    isolated: bool
    show_settings: bool
    output_file: str | None
    statistics: bool
    show_fixes: bool
    report: str | None
    baseline: str | None
    write_baseline: str | None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
# --- what to do
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply (or count as fixable) unsafe fixes too.")
@click.option("--diff", is_flag=True,
              help="Print the fixes as a unified diff instead of writing them; exit 1 if any.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--add-noqa", is_flag=True,
              help="Add a `# noqa: CODES` comment to every line with a finding.")
@click.option("--ignore-noqa", is_flag=True, help="Report findings that `# noqa` suppresses too.")
# --- rules
@click.option("--select", multiple=True, callback=_codes, metavar="CODES",
              help="Rule codes or prefixes to check instead of the defaults (comma-separated).")
@click.option("--ignore", multiple=True, callback=_codes, metavar="CODES",
              help="Rule codes or prefixes not to check (comma-separated).")
@click.option("--extend-select", multiple=True, callback=_codes, metavar="CODES",
              help="Rule codes or prefixes to check besides the selected ones (comma-separated).")
@click.option("--per-file-ignores", multiple=True, metavar="GLOB:CODES",
              help="Codes not to report in files matching GLOB (repeatable).")
@click.option("--strict/--no-strict", default=None, help="Also run the rules that are off by default.")
# --- files
@click.option("--exclude", multiple=True, callback=_comma_list, metavar="GLOBS",
              help="File or folder globs not to check, replacing the configured ones.")
@click.option("--extend-exclude", multiple=True, callback=_comma_list, metavar="GLOBS",
              help="File or folder globs not to check, besides the configured ones.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Skip files that .gitignore ignores (default: yes).")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply the excludes to paths named on the command line too (for pre-commit).")
@click.option("--stdin-filename", metavar="NAME",
              help="Read the source from stdin (path `-`); NAME is used for config and messages.")
# --- the header rules
@click.option("--service-account/--no-service-account", default=None,
              help="Whether the code runs as a Procore service account (default: decide per file).")
@click.option("--company-id-expr", metavar="EXPR",
              help="Python expression a fix puts in a missing Procore-Company-Id header.")
@click.option("--exempt-endpoints", multiple=True, metavar="'METHOD /PATH'",
              help="Requests that need no company header, replacing the built-in list (repeatable).")
@click.option("--extend-exempt-endpoints", multiple=True, metavar="'METHOD /PATH'",
              help="Requests that need no company header, besides the others (repeatable).")
@click.option("--http-client", "http_clients", multiple=True,
              metavar="NAME[:url=0,method=GET,headers=headers]",
              help="A project's own request function or method and where its arguments are.")
# --- configuration
@click.option("--config", "config_args", multiple=True, metavar="PATH | 'KEY = VALUE'",
              help="The config file to use, or a TOML `KEY = VALUE` overriding one setting.")
@click.option("--isolated", is_flag=True, help="Read no configuration file.")
@click.option("--show-settings", is_flag=True,
              help="Print the settings in effect and where each comes from, then exit.")
# --- output
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes to check with (default: one per core); output is the same.")
@click.option("--no-cache", "no_cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", metavar="DIR",
              help="Where the cache lives (default: .mpz_lint_cache beside the config file, "
                   "or $MPZ_LINT_CACHE_DIR).")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default=None,
              help="How to print the findings (default: full).")
@click.option("-o", "--output-file", metavar="FILE", help="Write the findings to FILE.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead.")
@click.option("--show-fixes", is_flag=True, help="Show the fixes (applied, or available).")
@click.option("--report", metavar="FILE.md", help="Write a Markdown migration report to FILE.md.")
@click.option("--baseline", metavar="FILE", help="Report only findings that FILE does not record.")
@click.option("--write-baseline", metavar="FILE", help="Record the current findings in FILE.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], **options: Any) -> None:
    """Check PATHS (default: the current folder) for MPZ defects."""
    from mpz_lint import config, engine

    known = [rule.code for rule in engine.all_rules()]
    _check_command_line(options, known)
    cli_values = _cli_values(ctx, options)
    run = CheckOptions(**{field.name: options[field.name]
                          for field in dataclasses.fields(CheckOptions)})
    reading_stdin = STDIN in paths or (run.stdin_filename is not None and not paths)
    if reading_stdin and len(paths) > 1:
        raise click.UsageError("`-` (stdin) cannot be mixed with other paths")
    if run.add_noqa and (run.fix or run.diff):
        raise click.UsageError("--add-noqa cannot be used with --fix or --diff")

    search_from = [run.stdin_filename] if reading_stdin and run.stdin_filename else list(paths)
    try:
        resolved = config.resolve(search_from, Path.cwd(), known, config_args=run.config_args,
                                  isolated=run.isolated, cli_values=cli_values)
    except config.ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(EXIT_ERROR)
    if run.show_settings:
        click.echo(resolved.show(), nl=False)
        ctx.exit(EXIT_CLEAN)
    ctx.exit(_run_check(paths, run, resolved, reading_stdin))


def _check_command_line(options: dict[str, Any], known: Sequence[str]) -> None:
    for option in ("select", "ignore", "extend_select"):
        for selector in options[option]:
            # A typo must not silently select nothing and give a green run.
            if selector != "ALL" and not any(code.startswith(selector) for code in known):
                raise click.BadParameter(f"no rule code starts with {selector!r}",
                                         param_hint=f"--{option.replace('_', '-')}")
    expression = options["company_id_expr"]
    if expression is not None:
        from mpz_lint.settings import parse_company_id_expr

        try:
            parse_company_id_expr(expression)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--company-id-expr") from None


def _cli_values(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """The settings the command line sets, as config keys (see config.KEYS)."""
    values: dict[str, Any] = {}

    def given(name: str) -> bool:
        return ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE

    # Any --select, even an empty one, replaces the default rule set.
    if given("select"):
        values["select"] = list(options["select"])
    for name in ("ignore", "extend_select", "exclude", "extend_exclude", "exempt_endpoints",
                 "extend_exempt_endpoints"):
        if given(name):
            values[name.replace("_", "-")] = list(options[name])
    for name in ("strict", "respect_gitignore", "force_exclude", "company_id_expr",
                 "output_format", "jobs", "cache_dir"):
        if options[name] is not None:
            values[name.replace("_", "-")] = options[name]
    if options["service_account"] is not None:
        values["service-account"] = options["service_account"]
    if options["no_cache"]:
        values["cache"] = False
    if options["per_file_ignores"]:
        values["per-file-ignores"] = _per_file_ignores(options["per_file_ignores"])
    if options["http_clients"]:
        values["http-clients"] = [_http_client(spec) for spec in options["http_clients"]]
    return values


def _per_file_ignores(specs: Sequence[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for spec in specs:
        glob, colon, codes = spec.rpartition(":")
        if not colon or not glob:
            raise click.BadParameter(f"{spec!r} is not GLOB:CODES", param_hint="--per-file-ignores")
        table.setdefault(glob, []).extend(c.strip().upper() for c in codes.split(",") if c.strip())
    return table


def _http_client(spec: str) -> dict[str, Any]:
    """`acme.http.get:url=0,method=GET,headers=headers` → an http-clients table."""
    name, _, rest = spec.partition(":")
    client: dict[str, Any] = {"name": name.strip()}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, equals, value = part.partition("=")
        if not equals:
            raise click.BadParameter(f"{part!r} is not KEY=VALUE", param_hint="--http-client")
        client[key.strip()] = int(value) if value.strip().isdigit() else value.strip()
    return client


# --- the run ------------------------------------------------------------------------------


@dataclasses.dataclass
class _Inputs:
    """What a run reads: the sources by display name, where each file is, the notebooks
    among them, the files that could not be read, and stdin's bytes (given back as they
    came by `--fix` when they cannot be checked)."""

    originals: dict[str, SourceFile] = dataclasses.field(default_factory=dict)
    # Where each file is, for the files whose display name does not say it (see
    # `location`): a large tree would otherwise keep every path twice.
    elsewhere: dict[str, str] = dataclasses.field(default_factory=dict)
    notebooks: dict[str, Notebook] = dataclasses.field(default_factory=dict)
    errors: list[FileError] = dataclasses.field(default_factory=list)
    stdin: bytes | None = None

    def complete(self, partial: SourceFile) -> SourceFile | FileError:
        """The whole of a file first kept as its import statements (relevance.Screen)."""
        from mpz_lint import files
        from mpz_lint.sources import SourceFile

        loaded = files.read_source(self.location(partial.path), partial.path)
        if isinstance(loaded, SourceFile):
            self.originals[partial.path] = loaded
        return loaded

    def add(self, loaded: SourceFile | Notebook | FileError, location: str | None) -> None:
        from mpz_lint.notebooks import Notebook

        if isinstance(loaded, FileError):
            self.errors.append(loaded)
            return
        if isinstance(loaded, Notebook):
            self.notebooks[loaded.path] = loaded
            loaded = loaded.source()
        self.originals[loaded.path] = loaded
        if location is not None and location != os.path.abspath(loaded.path):
            self.elsewhere[loaded.path] = location

    def location(self, path: str) -> str:
        """Where the file shown as `path` is (the current folder does not change)."""
        return self.elsewhere.get(path) or os.path.abspath(path)


def _cores() -> int:
    """The cores this process may run on (a container may allow fewer than it has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _cache(resolved: Resolved) -> ResultCache | None:
    """The cache a run uses: `--cache-dir`/`cache-dir`, else $MPZ_LINT_CACHE_DIR, else
    `.mpz_lint_cache` beside the config file (or in the current folder), as ruff does."""
    from mpz_lint.cache import DEFAULT_DIRECTORY, ResultCache

    if not resolved.cache:
        return None
    directory = resolved.cache_dir or os.environ.get("MPZ_LINT_CACHE_DIR")
    if directory is None:
        base = resolved.config_file.parent if resolved.config_file is not None else Path.cwd()
        directory = str(base / DEFAULT_DIRECTORY)
    return ResultCache(Path(directory))


def _run_check(paths: tuple[str, ...], run: CheckOptions, resolved: Resolved,
               reading_stdin: bool) -> int:
    from mpz_lint import engine, output

    settings = dataclasses.replace(resolved.settings, ignore_noqa=run.ignore_noqa)
    if reading_stdin:
        inputs = _read_stdin(run.stdin_filename or STDIN, settings)
    else:
        # The run's own output files are not the project's sources.
        outputs = {os.path.realpath(name) for name in (run.baseline, run.write_baseline,
                                                       run.output_file, run.report) if name}
        inputs = _read_files(paths, settings, outputs, resolved.jobs or _cores())
    sources = list(inputs.originals.values())
    errors = inputs.errors

    if run.add_noqa:
        results = engine.lint_files(sources, settings, complete=inputs.complete)
        added = _add_noqa(results, inputs, reading_stdin)
        _print_errors(errors)
        click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)
        return EXIT_ERROR if errors else EXIT_CLEAN

    run_mode: output.Mode = "diff" if run.diff else ("fix" if run.fix else "check")
    progress = _Progress(len(sources))
    jobs = resolved.jobs or _cores()
    cache = None if reading_stdin else _cache(resolved)
    try:
        if run_mode == "check":
            results = engine.lint_files(sources, settings, progress, jobs=jobs, cache=cache,
                                        complete=inputs.complete)
        else:
            results = engine.fix_files(sources, settings, unsafe_fixes=run.unsafe_fixes,
                                       progress=progress, jobs=jobs, cache=cache,
                                       complete=inputs.complete)
    finally:
        progress.close()
    if run_mode == "fix" and not reading_stdin:
        results = [_write_fixes(result, inputs) for result in results]
    errors.extend(result.error for result in results if result.error is not None)

    problems: list[str] = []  # the run's own failures: baseline, output files
    results, baselined = _apply_baseline(results, run, problems)
    _print_findings(results, run, resolved.output_format, run_mode, inputs, reading_stdin,
                    problems)
    if run.report:
        from mpz_lint import report

        text = report.render(results, errors, Path(run.report), mode=run_mode,
                             unsafe_fixes=run.unsafe_fixes, notebooks=inputs.notebooks)
        _write_output(Path(run.report), text, problems)

    _print_errors(errors)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    machine = (resolved.output_format not in (*output.HUMAN_FORMATS, "github")
               and not run.statistics)
    if not machine or run.output_file or (reading_stdin and run_mode == "fix"):
        click.echo(output.summary(results, errors, mode=run_mode, unsafe_fixes=run.unsafe_fixes,
                                  baselined=baselined), err=True)

    pending = run_mode == "diff" and any(r.fixed_text is not None for r in results)
    if errors or problems:
        return EXIT_ERROR
    if (pending or any(r.diagnostics for r in results)) and not run.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _apply_baseline(results: list[FileResult], run: CheckOptions,
                    problems: list[str]) -> tuple[list[FileResult], int]:
    """`--write-baseline` records the findings (and so hides them); `--baseline` hides
    what a baseline records. Returns the results left and how many were hidden."""
    from mpz_lint import baseline

    path = run.write_baseline or run.baseline
    if path is None:
        return results, 0
    try:
        if run.write_baseline:
            written = baseline.write(Path(run.write_baseline), results)
            click.echo(f"Wrote {written} finding{'s' if written != 1 else ''} to the baseline "
                       f"{run.write_baseline}.", err=True)
        return baseline.subtract(results, Path(path))
    except baseline.BaselineError as exc:
        problems.append(str(exc))
        return results, 0


def _print_findings(results: list[FileResult], run: CheckOptions, output_format: str,
                    run_mode: Mode, inputs: _Inputs, reading_stdin: bool,
                    problems: list[str]) -> None:
    """The findings (or diffs, or statistics) to stdout or `-o`; with `--fix` on stdin,
    the fixed source to stdout and the findings to stderr."""
    from mpz_lint import output

    notebooks = inputs.notebooks
    if run_mode == "diff":
        text = "".join(_diff_result(r, inputs) for r in results if r.fixed_text is not None)
    elif run.statistics:
        text = output.statistics(results, unsafe_fixes=run.unsafe_fixes,
                                 as_json=output_format in ("json", "json-lines"))
    elif output_format == "full":
        text = output.format_full(results, notebooks, show_fixes=run.show_fixes)
    else:
        text = output.FORMATS[output_format](results, notebooks)
    listing = output.fixed_listing(results, mode=run_mode) if run.show_fixes else ""
    if reading_stdin and run_mode == "fix":
        # As ruff: the fixed source goes to stdout, what remains (and the list) to stderr.
        _write_stdout_source(results, inputs)
        click.echo(text + listing, nl=False, err=True)
    elif run.output_file:
        _write_output(Path(run.output_file), text, problems)
        click.echo(listing, nl=False, err=True)
    elif output_format in output.HUMAN_FORMATS:
        click.echo(text + listing, nl=False)
    else:
        click.echo(text, nl=False)
        click.echo(listing, nl=False, err=True)


def _print_errors(errors: Sequence[FileError]) -> None:
    for error in sorted(set(errors), key=lambda e: (e.path, e.message)):
        click.echo(f"error: {error}", err=True)


def _read_files(paths: Sequence[str], settings: Settings, skipped: set[str],
                jobs: int = 1) -> _Inputs:
    """Read every file to check. `.env` files first: which Python files can be kept as
    their import statements only (relevance.Screen) depends on what they set."""
    from mpz_lint import engine, files
    from mpz_lint.project import is_env_file
    from mpz_lint.relevance import Screen
    from mpz_lint.sources import SourceFile

    found, errors = files.discover(paths, settings)
    if skipped:
        found = [(path, display) for path, display in found
                 if os.path.realpath(path) not in skipped]
    inputs = _Inputs(errors=errors)
    # A rule that reads any file (MPZ900 reads the noqa comments) needs every file whole.
    screen = None
    if all(rule.procore_only for rule in engine.selected_rules(settings)):
        env_files = [files.read_source(path, display) for path, display in found
                     if is_env_file(display)]
        screen = Screen(f for f in env_files if isinstance(f, SourceFile))
    # While reader processes work, this one imports libcst, which the analysis needs as
    # soon as one file names Procore (and the analysis workers, forked later, inherit it).
    for path, loaded in files.load_all(found, screen, jobs,
                                       meanwhile=lambda: importlib.import_module("libcst")):
        inputs.add(loaded, path)
    return inputs


def _read_stdin(name: str, settings: Settings) -> _Inputs:
    from mpz_lint import files
    from mpz_lint.notebooks import is_notebook
    from mpz_lint.project import kind_of

    inputs = _Inputs(stdin=click.get_binary_stream("stdin").read())
    assert inputs.stdin is not None
    display = files.display_name(name) if name != STDIN else STDIN
    if name != STDIN and files.force_excluded(Path(name), display, settings, Path.cwd()):
        return inputs
    if is_notebook(display):
        inputs.add(files.decode_notebook(inputs.stdin, display), None)
    else:
        inputs.add(files.decode_source(inputs.stdin, display, kind_of(display) or "python"), None)
    return inputs


def _write_stdout_source(results: Sequence[FileResult], inputs: _Inputs) -> None:
    """Write the fixed source read from stdin to stdout, in its own encoding; the bytes as
    they came if it could not be checked or fixed (an editor must not lose its buffer)."""
    data = inputs.stdin or b""
    for result in results:
        original = inputs.originals[result.file.path]
        if result.fixed_text is None or result.error is not None:
            continue
        notebook = inputs.notebooks.get(original.path)
        try:
            data = (notebook.write(result.fixed_text).encode("utf-8") if notebook is not None
                    else original.encode(result.fixed_text))
        except (ValueError, UnicodeEncodeError):
            pass
    stream = click.get_binary_stream("stdout")
    stream.write(data)
    stream.flush()


def _write_output(path: Path, text: str, problems: list[str]) -> None:
    """Write an output file (findings, report), making its folder; a failure is a problem
    of the run (exit 2), not a file that could not be checked."""
    from mpz_lint import files

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        problems.append(f"{path}: cannot write: {files.os_error_reason(exc)}")


def _add_noqa(results: Sequence[FileResult], inputs: _Inputs, reading_stdin: bool) -> int:
    """Add `# noqa` comments for every finding; return how many lines got one. From stdin,
    the source with its new comments goes to stdout."""
    from mpz_lint import files, suppressions

    added = 0
    if reading_stdin and not results:
        click.get_binary_stream("stdout").write(inputs.stdin or b"")
    for result in results:
        if result.error is not None:
            inputs.errors.append(result.error)
            if reading_stdin:
                click.get_binary_stream("stdout").write(inputs.stdin or b"")
            continue
        text, count = suppressions.add_noqa(result.file, result.diagnostics)
        notebook = inputs.notebooks.get(result.file.path)
        try:
            data = (notebook.write(text).encode("utf-8") if notebook is not None
                    else result.file.encode(text))
        except (ValueError, UnicodeEncodeError) as exc:
            inputs.errors.append(FileError(result.file.path, f"cannot add noqa: {exc}"))
            continue
        if reading_stdin:
            click.get_binary_stream("stdout").write(data)
            added += count
            continue
        if count == 0:
            continue
        try:
            files.write_atomic(Path(inputs.location(result.file.path)), data)
        except OSError as exc:
            inputs.errors.append(FileError(result.file.path,
                                           f"cannot write: {files.os_error_reason(exc)}"))
            continue
        added += count
    return added


class _Progress:
    """A progress bar on stderr for long runs on a terminal (click.progressbar)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.enabled = total >= PROGRESS_MIN_FILES and _progress_wanted()
        self.bar: Any = None

    def __call__(self, source: SourceFile) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_DELAY:
                return
            self.bar = click.progressbar(length=self.total, label="Checking",
                                         file=click.get_text_stream("stderr"))
            self.bar.__enter__()
            self.bar.update(self.done - 1)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _progress_wanted() -> bool:
    """A terminal is watching stderr, and this is not a CI log."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _write_fixes(result: FileResult, inputs: _Inputs) -> FileResult:
    """Write the fixed text of `result`; if that fails, the file (untouched) gets an error."""
    from mpz_lint import files
    from mpz_lint.engine import FileResult

    if result.fixed_text is None:
        return result
    notebook = inputs.notebooks.get(result.file.path)
    try:
        if notebook is not None:
            data = notebook.write(result.fixed_text).encode("utf-8")
        else:
            data = result.file.encode(result.fixed_text)
        files.write_atomic(Path(inputs.location(result.file.path)), data)
    except UnicodeEncodeError as exc:
        reason = f"the fixed text cannot be encoded as {result.file.encoding} ({exc.reason})"
    except ValueError as exc:
        reason = str(exc)
    except OSError as exc:
        reason = files.os_error_reason(exc)
    else:
        return result
    original = inputs.originals[result.file.path]
    return FileResult(original, error=FileError(original.path, f"cannot write fixes: {reason}"))


def _diff_result(result: FileResult, inputs: _Inputs) -> str:
    assert result.fixed_text is not None
    path = result.file.path
    notebook = inputs.notebooks.get(path)
    if notebook is not None:
        return _diff(notebook.raw, notebook.write(result.fixed_text), path)
    return _diff(inputs.originals[path].text, result.fixed_text, path)


def _diff(before: str, after: str, path: str) -> str:
    """A unified diff that keeps each line's own line break (CRLF stays CRLF)."""
    out: list[str] = []
    for line in difflib.unified_diff(_lines(before), _lines(after), fromfile=path, tofile=path):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def _lines(text: str) -> list[str]:
    from mpz_lint.fixer import LineIndex

    # LineIndex knows Python's line breaks; str.splitlines would also split at \f or \x1c.
    bounds = [*LineIndex(text).starts, len(text)]
    return [text[start:end] for start, end in zip(bounds, bounds[1:]) if start < end]


# --- rule -----------------------------------------------------------------------------------


@main.command("rule")
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule, one per line.")
@click.pass_context
def rule_command(ctx: click.Context, code: str | None, show_all: bool) -> None:
    """Show the documentation of the rule CODE, or list all rules."""
    from mpz_lint import engine

    if show_all == (code is not None):
        raise click.UsageError("give either a rule code or --all")
    rules = engine.all_rules()
    if show_all:
        width = max((len(rule.name) for rule in rules), default=0)
        for rule in rules:
            default = "" if rule.default_enabled else "  (off by default)"
            click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.fix_description()}{default}")
        return
    assert code is not None
    chosen = [rule for rule in rules if rule.code == code.upper()]
    if not chosen:
        click.echo(f"error: unknown rule code: {code}", err=True)
        ctx.exit(EXIT_ERROR)
    click.echo(_rule_page(chosen[0]))


def _rule_page(rule: type[Rule]) -> str:
    description = rule.fix_description()
    lines = [f"# {rule.name} ({rule.code})", ""]
    lines.append("No fix available." if rule.fix_availability == "none"
                 else description[0].upper() + description[1:] + ".")
    if not rule.default_enabled:
        lines.append(f"Off by default: enable it with --strict or --select {rule.code}.")
    return "\n".join([*lines, "", rule.documentation()])

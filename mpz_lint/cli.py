"""The command line: a thin click shell over file discovery, the engine and the formats.

The engine (and libcst with it) is imported inside the commands, so that `--version` and
`--help` answer at once.
"""

from __future__ import annotations

import ast
import difflib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mpz_lint import __version__
from mpz_lint.model import FileError
from mpz_lint.settings import ServiceAccountMode, Settings

if TYPE_CHECKING:
    from mpz_lint.engine import FileResult
    from mpz_lint.rule import Rule
    from mpz_lint.sources import SourceFile

# Exit codes, as ruff's: findings remain (1); something could not be checked or written,
# or the command line is wrong (2). 2 wins over 1, and --exit-zero never hides a 2.
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True, help="Apply (or count as fixable) unsafe fixes too.")
@click.option("--diff", is_flag=True,
              help="Print the fixes as a unified diff instead of writing them; exit 1 if any.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--select", multiple=True, callback=_codes, metavar="CODES",
              help="Rule codes or prefixes to check instead of the defaults (comma-separated).")
@click.option("--ignore", multiple=True, callback=_codes, metavar="CODES",
              help="Rule codes or prefixes not to check (comma-separated).")
@click.option("--extend-select", multiple=True, callback=_codes, metavar="CODES",
              help="Rule codes or prefixes to check besides the selected ones (comma-separated).")
@click.option("--strict", is_flag=True, help="Also run the rules that are off by default.")
@click.option("--service-account/--no-service-account", default=None,
              help="Whether the code runs as a Procore service account (default: decide per file).")
@click.option("--company-id-expr", metavar="EXPR",
              help="Python expression a fix puts in a missing Procore-Company-Id header.")
@click.option("--output-format", type=click.Choice(["full", "concise", "json"]), default="full",
              show_default=True, help="How to print the findings.")
@click.option("--no-respect-gitignore", is_flag=True, help="Check files that .gitignore ignores.")
@click.option("--exclude", multiple=True, callback=_comma_list, metavar="GLOBS",
              help="File or folder globs not to check when walking folders (comma-separated).")
@click.pass_context
def check(
    ctx: click.Context, paths: tuple[str, ...], fix: bool, unsafe_fixes: bool, diff: bool,
    exit_zero: bool, select: tuple[str, ...], ignore: tuple[str, ...],
    extend_select: tuple[str, ...], strict: bool, service_account: bool | None,
    company_id_expr: str | None, output_format: str, no_respect_gitignore: bool,
    exclude: tuple[str, ...],
) -> None:
    """Check PATHS (default: the current folder) for MPZ defects."""
    from mpz_lint import engine, files, output

    known = [rule.code for rule in engine.all_rules()]
    for option, selectors in (("--select", select), ("--ignore", ignore),
                              ("--extend-select", extend_select)):
        for selector in selectors:
            # A typo must not silently select nothing and give a green run.
            if selector != "ALL" and not any(code.startswith(selector) for code in known):
                raise click.BadParameter(f"no rule code starts with {selector!r}",
                                         param_hint=option)
    if company_id_expr is not None:
        try:
            ast.parse(company_id_expr, mode="eval")
        except SyntaxError as exc:
            raise click.BadParameter(f"not a Python expression ({exc.msg})",
                                     param_hint="--company-id-expr") from None
    mode: ServiceAccountMode = "auto" if service_account is None else (
        "yes" if service_account else "no")
    # Any --select, even an empty one, replaces the default rule set.
    selected = ctx.get_parameter_source("select") is click.core.ParameterSource.COMMANDLINE
    settings = Settings(
        select=select if selected else None,
        ignore=ignore, extend_select=extend_select, strict=strict, service_account=mode,
        company_id_expr=company_id_expr, respect_gitignore=not no_respect_gitignore,
        exclude=exclude,
    )

    found, errors = files.discover(paths, settings)
    originals: dict[str, SourceFile] = {}
    locations: dict[str, Path] = {}
    for path, display in found:
        source = files.read_source(path, display)
        if isinstance(source, FileError):
            errors.append(source)
        else:
            originals[display], locations[display] = source, path
    sources = list(originals.values())

    run_mode: output.Mode = "diff" if diff else ("fix" if fix else "check")
    if run_mode == "check":
        results = engine.lint_files(sources, settings)
    else:
        results = engine.fix_files(sources, settings, unsafe_fixes=unsafe_fixes)
    if run_mode == "fix":
        results = [_write_fixes(result, originals, locations[result.file.path])
                   for result in results]
    errors.extend(result.error for result in results if result.error is not None)

    if run_mode == "diff":
        click.echo("".join(_diff(originals[r.file.path].text, r.fixed_text, r.file.path)
                           for r in results if r.fixed_text is not None), nl=False)
    else:
        click.echo(output.FORMATS[output_format](results), nl=False)
    for error in sorted(set(errors), key=lambda e: (e.path, e.message)):
        click.echo(f"error: {error}", err=True)
    if output_format != "json":
        click.echo(output.summary(results, errors, mode=run_mode, unsafe_fixes=unsafe_fixes),
                   err=True)

    pending = run_mode == "diff" and any(r.fixed_text is not None for r in results)
    if errors:
        ctx.exit(EXIT_ERROR)
    if (pending or any(r.diagnostics for r in results)) and not exit_zero:
        ctx.exit(EXIT_FINDINGS)
    ctx.exit(EXIT_CLEAN)


def _write_fixes(
    result: FileResult, originals: dict[str, SourceFile], location: Path
) -> FileResult:
    """Write the fixed text of `result`; if that fails, the file (untouched) gets an error."""
    from mpz_lint import files
    from mpz_lint.engine import FileResult

    if result.fixed_text is None:
        return result
    try:
        files.write_atomic(location, result.file.encode(result.fixed_text))
    except UnicodeEncodeError as exc:
        reason = f"the fixed text cannot be encoded as {result.file.encoding} ({exc.reason})"
    except OSError as exc:
        reason = files.os_error_reason(exc)
    else:
        return result
    original = originals[result.file.path]
    return FileResult(original, error=FileError(original.path, f"cannot write fixes: {reason}"))


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
            click.echo(f"{rule.code}  {rule.name:<{width}}  {rule.fix_description()}")
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

from __future__ import annotations

from collections.abc import Iterator

from mpz_lint.model import Applicability, Diagnostic, Fix, Location
from mpz_lint.rule import Example, Finding, Rule, RuleContext
from mpz_lint.sources import SourceFile
from mpz_lint.suppressions import (
    OUR_PREFIX,
    Directive,
    Directives,
    delete_directive,
    rewrite_directive,
)


class UnusedNoqa(Rule):
    """A suppression comment that suppresses nothing.

    ## What it does
    Finds `# noqa: MPZ...` comments, and file-level `# mpz-lint: noqa` comments, that
    suppress no finding: the code they name is not reported there (any more), is not
    enabled, or is no mpz-lint rule at all. Like ruff's RUF100 it is off by default:
    turn it on with `--select MPZ900` or `--extend-select MPZ900`.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line: once the code is
    fixed, the comment should go, or a later regression is never reported.

    ## Example
    ```python
    API = "https://api.procore.com"  # noqa: MPZ002
    ```

    ## Use instead
    ```python
    API = "https://api.procore.com"
    ```

    ## Fix safety
    The fix is safe: it removes the unused codes, or the whole comment when nothing else
    is left in it, and keeps other linters' codes (`# noqa: F401, MPZ002` becomes
    `# noqa: F401`). It only touches the comment.

    ## Known problems
    A bare `# noqa` is never reported: other linters (flake8, ruff) read the same comment,
    so it is not ours to remove. Codes that do not start with `MPZ` are other tools'.
    """

    code = "MPZ900"
    name = "unused-noqa"
    # A noqa comment can be in any file, Procore or not: every file is read whole.
    procore_only = False
    fix_availability = "always"
    default_enabled = False

    valid = (
        Example('API = "https://api.procore.com"  # noqa: F401\n'),
        Example('API = "https://api.procore.com"  # noqa\n'),
    )
    invalid = (
        Example(
            'API = "https://api.procore.com"  # noqa: MPZ002\n',
            (Finding("MPZ900", 1, 34),),
            'API = "https://api.procore.com"\n',
        ),
        Example(
            'import os  # noqa: F401, MPZ101\n',
            (Finding("MPZ900", 1, 12),),
            'import os  # noqa: F401\n',
        ),
        Example(
            '# mpz-lint: noqa: MPZ101\n'
            'x = 1\n',
            (Finding("MPZ900", 1, 1),),
            'x = 1\n',
        ),
        Example(
            'PROCORE_URL=https://api.procore.com  # noqa: MPZ002\n',
            (Finding("MPZ900", 1, 38),),
            'PROCORE_URL=https://api.procore.com\n',
            path=".env",
        ),
    )

    def check(self, context: RuleContext) -> Iterator[Diagnostic]:
        # Reported by the engine after every other rule ran (see suppressions.apply):
        # whether a suppression is used depends on all the other findings.
        return iter(())


def unused_noqa_diagnostics(
    source: SourceFile, directives: Directives, used: dict[int, set[str]],
    known: set[str], enabled: set[str],
) -> Iterator[Diagnostic]:
    """An MPZ900 diagnostic for each suppression in `directives` with codes it did not use
    (`used`: id of a directive -> the codes it suppressed)."""
    for directive in [*directives.file_level, *directives.lines.values()]:
        if directive.codes is None:
            if directive.file_level and id(directive) not in used:
                yield _diagnostic(source, directive, "Unused blanket `mpz-lint: noqa` directive",
                                  ())
            continue
        hits = used.get(id(directive), set())
        groups: dict[str, list[str]] = {"duplicated": [], "unused": [], "non-enabled": [],
                                        "unknown": []}
        seen: set[str] = set()
        keep: list[str] = []
        for code in directive.codes:
            if code in seen:
                if code.startswith(OUR_PREFIX):
                    groups["duplicated"].append(code)
                    continue
            seen.add(code)
            if not code.startswith(OUR_PREFIX) or code in hits or code == UnusedNoqa.code:
                keep.append(code)
            elif code not in known:
                groups["unknown"].append(code)
            elif code not in enabled:
                groups["non-enabled"].append(code)
            else:
                groups["unused"].append(code)
        details = "; ".join(f"{kind}: {', '.join(f'`{c}`' for c in codes)}"
                            for kind, codes in groups.items() if codes)
        if details:
            what = "`mpz-lint: noqa`" if directive.file_level else "`noqa`"
            yield _diagnostic(source, directive, f"Unused {what} directive ({details})",
                              tuple(keep))


def _diagnostic(source: SourceFile, directive: Directive, message: str,
                keep: tuple[str, ...]) -> Diagnostic:
    edit = (rewrite_directive(directive, keep) if keep
            else delete_directive(source.text, directive))
    action = "Remove the unused codes" if keep else "Remove the unused suppression"
    return Diagnostic(
        UnusedNoqa.code, message, source.path,
        Location(directive.row, directive.start + 1), Location(directive.row, directive.end + 1),
        Fix((edit,), Applicability.SAFE, action),
    )

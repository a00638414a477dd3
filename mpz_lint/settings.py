"""The settings a run is made with. One frozen object, passed from the CLI to the engine.

Every field can come from the command line today and from a config file later (the
config issue only has to fill this object). Rule selection follows ruff: codes or
prefixes (`MPZ`, `MPZ0`, `MPZ001`), `ALL`.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
from dataclasses import dataclass, field
from typing import Literal

ServiceAccountMode = Literal["auto", "yes", "no"]


@dataclass(frozen=True)
class HttpClientSetting:
    """A project's own request-making function or method, declared in configuration:
    `name` is its qualified name (`acme.http.procore_get`, `acme.api.Client.get`);
    `url`, `method` and `headers` say where those are (a position or a keyword); `method`
    may instead be a fixed HTTP method such as "GET"."""

    name: str
    url: int | str = 0
    method: int | str | None = None
    headers: int | str = "headers"


def glob_matches(path: str, glob: str) -> bool:
    """Whether `glob` names `path`: a glob without `/` matches the file name, one with `/`
    the absolute path (a relative glob is taken from the current folder; `**/` also
    matches no folder at all)."""
    glob = glob.replace("\\", "/").rstrip("/")
    path = path.replace("\\", "/")
    if "/" not in glob:
        return fnmatch.fnmatchcase(posixpath.basename(path), glob)
    absolute = os.path.abspath(path).replace(os.sep, "/")
    pattern = os.path.abspath(glob).replace(os.sep, "/")
    return (fnmatch.fnmatchcase(absolute, pattern)
            or fnmatch.fnmatchcase(absolute, pattern.replace("/**/", "/")))


@dataclass(frozen=True)
class PerFileIgnore:
    """Rule codes (or prefixes) not reported in the files a glob names. A glob with a `/`
    matches the whole path (relative globs are relative to the current folder; a config
    file's are made absolute when it is read); one without matches the file name."""

    pattern: str
    codes: tuple[str, ...]

    def matches(self, path: str) -> bool:
        return glob_matches(path, self.pattern)

    def ignores(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.codes)


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None  # None: the rules on by default
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    strict: bool = False  # turns on rules that are off by default (MPZ104)
    service_account: ServiceAccountMode = "auto"
    company_id_expr: str | None = None
    respect_gitignore: bool = True
    exclude: tuple[str, ...] = field(default=())
    # None: the exemptions of the knowledge table ("GET /rest/v1.0/me unless company_id").
    exempt_endpoints: tuple[str, ...] | None = None
    extend_exempt_endpoints: tuple[str, ...] = ()
    http_clients: tuple[HttpClientSetting, ...] = ()
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False  # apply exclude to the paths named on the command line too
    ignore_noqa: bool = False  # report what `# noqa` comments would suppress

    def ignored_in(self, path: str) -> tuple[PerFileIgnore, ...]:
        """The per-file-ignores entries that apply to `path`."""
        return tuple(entry for entry in self.per_file_ignores if entry.matches(path))

    def is_selected(self, code: str, default_enabled: bool) -> bool:
        """Whether the rule `code` runs: select (or the defaults), extend-select, ignore."""

        def matches(patterns: tuple[str, ...]) -> int:
            # Longest matching prefix, so `--select MPZ --ignore MPZ001` works and
            # `--ignore MPZ --select MPZ001` does too (the more specific one wins).
            best = -1
            for pattern in patterns:
                if pattern == "ALL":
                    best = max(best, 0)
                elif code.startswith(pattern):
                    best = max(best, len(pattern))
            return best

        if self.select is None:
            chosen = 0 if (default_enabled or self.strict) else -1
        else:
            chosen = matches(self.select)
        chosen = max(chosen, matches(self.extend_select))
        if not default_enabled and not self.strict and code not in (
                *(self.select or ()), *self.extend_select):
            # A rule that is off by default comes on only by its exact code (as ruff's
            # preview rules), or with --strict: `--select MPZ1` does not turn it on.
            return False
        ignored = matches(self.ignore)
        # On a tie the ignore wins, as in ruff.
        return chosen >= 0 and chosen > ignored


def parse_company_id_expr(text: str) -> tuple[str | None, str]:
    """`"self.company_id"` -> (None, expression); `"acme.settings:PROCORE_COMPANY_ID"` ->
    ("acme.settings", "PROCORE_COMPANY_ID"): the expression's first name is imported from
    that module when a fix uses it. Raises ValueError when it is neither."""
    import ast

    module, _, expression = text.rpartition(":") if ":" in text and "[" not in text else (
        "", "", text)
    if module and not all(part.isidentifier() for part in module.split(".")):
        raise ValueError(f"{module!r} is not a module name")
    try:
        ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not a Python expression ({exc.msg})") from None
    return (module or None), expression

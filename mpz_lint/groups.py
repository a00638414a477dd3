"""Split a run into groups of files that can be analysed apart: the unit of `-j` and of the cache.

A module's findings depend on other modules only through what the resolver follows:
imports between project modules (constants, helpers, base classes, callers), the values
the project's `.env` files give the environment variables it reads, and the settings
modules `django.conf.settings` reads from. Files linked that way, directly or through
others, form one group; a group is analysed as a project of its own, and whatever the
analysis decides for "the project" (the service-account mode, the one class that has an
attribute) it decides per group.

Every run is planned this way, with one job or many, so `-j 1` and `-j 8` print the same
bytes in the same order. Links are found with byte searches, never by parsing; a link
found where there is none only makes a group larger, never changes a finding.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from mpz_lint.model import FileError
from mpz_lint.project import Project, is_env_file
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile

_DJANGO_SETTING = re.compile(r"\bsettings\.([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Group:
    """Files analysed together, and which of its Python files may concern Procore."""

    files: tuple[SourceFile, ...]
    relevant: frozenset[str]
    inert: bool = False  # the files no rule about Procore can find anything in

    @property
    def size(self) -> int:
        """A measure of the work: the characters of the files that will be parsed."""
        return sum(len(f.text) for f in self.files if f.path in self.relevant) + len(self.files)


@dataclass(frozen=True)
class Plan:
    groups: list[Group]
    settings: Settings  # the run's settings, with what only the whole project can decide
    unreadable: dict[str, FileError]  # files whose whole text could not be read after all


# Gives the whole text of a file read as its import statements only (SourceFile.partial).
Complete = Callable[[SourceFile], "SourceFile | FileError"]


def plan_groups(files: Sequence[SourceFile], settings: Settings,
                complete: Complete | None = None) -> Plan:
    """The groups of `files`, in the order of their first file; every file in one group.

    Files no rule can find anything in (Python files that cannot concern Procore, config
    files that do not name it) go together in the last group: they cost a byte search.
    Whether the project is a service account is decided here, for every group: the token
    request and the API calls are often in modules that never import each other.
    """
    project = Project(files, settings)
    relevant = project.relevant_paths()
    unreadable: dict[str, FileError] = {}
    if any(f.partial and f.path in relevant for f in files):
        # Relevance is decided from import statements; the analysis needs the rest.
        whole: list[SourceFile] = []
        for source in files:
            if source.partial and source.path in relevant:
                loaded = complete(source) if complete is not None else FileError(
                    source.path, "internal error: only the import statements were read")
                if isinstance(loaded, FileError):
                    unreadable[source.path] = loaded
                    relevant.discard(source.path)
                else:
                    source = loaded
            whole.append(source)
        files = whole
        screened, project = project, Project(files, settings, relevant)
        project.reuse_imports(screened)
    settings = _decide_service_account(project, relevant, settings)
    python = [f for f in files if f.path in relevant]
    # Only what can concern Procore is linked: a large tree's other files stay out of it.
    linked = _Links([f.path for f in files if f.path in relevant or f.kind == "config"])
    for source in python:
        for target in project.imports_of(source.path):
            if target in relevant:
                linked.join(source.path, target)
    _link_environment(project, python, linked)
    _link_django_settings(python, linked)

    members: dict[str, list[SourceFile]] = {}
    rest: list[SourceFile] = []
    for source in files:
        if source.path in relevant or (source.kind == "config" and
                                       (project.may_concern_procore(source) or
                                        is_env_file(source.path))):
            members.setdefault(linked.find(source.path), []).append(source)
        else:
            rest.append(source)
    groups = [Group(tuple(group), frozenset(f.path for f in group if f.path in relevant))
              for group in members.values()]
    if rest:
        groups.append(Group(tuple(rest), frozenset(), inert=True))
    return Plan(groups, settings, unreadable)


def _decide_service_account(project: Project, relevant: set[str], settings: Settings) -> Settings:
    if settings.service_account != "auto":
        return settings
    from mpz_lint.knowledge import SERVICE_ACCOUNT_WORDS

    candidates = {path for path in relevant
                  if any(word in project.files[path].text for word in SERVICE_ACCOUNT_WORDS)}
    found = False
    if candidates:
        from mpz_lint.headers import uses_client_credentials

        # With what they import: BackendApplicationClient may come through a module of ours.
        with_imports = candidates.union(*(project.imports_of(path) for path in candidates))
        files = [project.files[path] for path in sorted(with_imports)]
        candidates_project = Project(files, settings, with_imports & relevant)
        try:
            found = uses_client_credentials(candidates_project)
        finally:
            candidates_project.close()
    return dataclasses.replace(settings, service_account="yes" if found else "no")


def _link_environment(project: Project, python: list[SourceFile], linked: _Links) -> None:
    """A module that names a variable a `.env` file sets goes with every such file (the
    resolver reads a variable's values from all of them)."""
    setters: dict[str, list[str]] = {}
    for source in project.config_files():
        if is_env_file(source.path):
            from mpz_lint.config_values import env_assignments

            for key in env_assignments(source.text):
                setters.setdefault(key.upper(), []).append(source.path)
    if not setters:
        return
    for paths in setters.values():
        for path in paths[1:]:
            linked.join(paths[0], path)
    names = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(setters)) + r")\b",
                       re.IGNORECASE)
    keys = [key.lower() for key in setters]
    for source in python:
        # A plain search first, as the regex is slow over many names (ASCII text only:
        # the regex also folds non-ASCII letters such as the Kelvin sign).
        if source.text.isascii():
            lowered = source.text.lower()
            if not any(key in lowered for key in keys):
                continue
        for match in names.finditer(source.text):
            linked.join(source.path, setters[match.group(0).upper()][0])


def _link_django_settings(python: list[SourceFile], linked: _Links) -> None:
    """`django.conf.settings.NAME` reads NAME from every settings module of the project."""
    settings_modules = [f for f in python
                        if f.path.replace("\\", "/").endswith("settings.py")
                        or "/settings/" in f.path.replace("\\", "/")]
    if not settings_modules:
        return
    for source in python:
        if "django" not in source.text:
            continue
        for name in set(_DJANGO_SETTING.findall(source.text)):
            for module in settings_modules:
                if name in module.text:
                    linked.join(source.path, module.path)


class _Links:
    """Union-find over paths; the root of a set is the path of its first member."""

    def __init__(self, paths: Sequence[str]) -> None:
        self._order = {path: i for i, path in enumerate(paths)}
        self._parent = {path: path for path in paths}

    def find(self, path: str) -> str:
        root = path
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[path] != root:
            self._parent[path], path = root, self._parent[path]
        return root

    def join(self, a: str, b: str) -> None:
        if a not in self._parent or b not in self._parent:
            return
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The earlier file stays the root, so groups come out in the order of the files.
            if self._order[ra] > self._order[rb]:
                ra, rb = rb, ra
            self._parent[rb] = ra

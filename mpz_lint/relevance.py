"""Which Python files can concern Procore, decided with byte searches, not parses.

A file is relevant when it names Procore; when it reads an environment variable that a
project `.env` file sets to a Procore URL; or when it imports a relevant module of the
project, or is imported by one (a base URL or a header helper defined in one module and
used in another that never names Procore). The last two are followed to a fixed point.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from mpz_lint.sources import SourceFile

if TYPE_CHECKING:
    from mpz_lint.project import Project

# An import statement: `from X import (a,\n b)` over several lines, `from X import a, b`,
# or `import a.b as c, d`.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)?|([^\n#]*))"
    r"|import[ \t]+([^\n#]+))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")


def names_procore(text: str) -> bool:
    # Five times faster than a case-insensitive regex over a large tree.
    return "procore" in text.lower()


def relevant_python_files(project: Project) -> set[str]:
    sources = {f.path: f.text for f in project.python_files()}
    relevant = {path for path, text in sources.items() if names_procore(text)}
    env_names = procore_env_names(project.config_files())
    if env_names:
        pattern = re.compile("|".join(re.escape(n) for n in sorted(env_names)))
        relevant |= {p for p, text in sources.items() if p not in relevant and pattern.search(text)}
    if not relevant:
        return relevant
    imported = project.imports_of
    # One step forward: what a Procore module imports may build its URLs or headers.
    for path in list(relevant):
        relevant |= imported(path)
    # Backward to a fixed point: whoever imports a relevant module may use its values.
    # A file is read for imports only if it names one of those modules the way an import
    # statement in its folder would have to (see _ImportNames).
    frontier = set(relevant)
    while frontier:
        naming = _ImportNames(frontier)
        words: dict[str, frozenset[str]] = {}
        found = set()
        for path, text in sources.items():
            if path in relevant:
                continue
            folder = _folder(path)
            if folder not in words:
                words[folder] = naming.words(folder)
            # A file the Screen kept as its import statements is searched in a blink; a
            # whole one as well, with a few substring searches.
            if any(w in text for w in words[folder]) and imported(path) & frontier:
                found.add(path)
        relevant |= found
        frontier = found
    return relevant


class _ImportNames:
    """What an import statement in a folder must contain to reach one of `targets`.

    An import is resolved below a folder above the importer (Project.resolve_module), so
    it names a target's path from a folder the two share: the target's first component
    below that folder. A relative import from inside a target's package may name nothing
    but dots (`from . import x`). The targets' components make a tree; walking down it
    along the importer's folder collects every such name.
    """

    def __init__(self, targets: set[str]) -> None:
        self.root = _Node()
        for target in targets:
            parts = target.replace("\\", "/").split("/")
            folders, stem = parts[:-1], parts[-1].rsplit(".", 1)[0]
            node = self.root
            for part in folders:
                node = node.children.setdefault(part, _Node())
            node.package = True
            if stem != "__init__":
                node.children.setdefault(stem, _Node())

    def words(self, folder: str) -> frozenset[str]:
        node: _Node | None = self.root
        found: set[str] = set()
        for part in [*(folder.split("/") if folder else []), None]:
            assert node is not None
            found.update(node.children)
            if node.package:
                found.add("from .")
            node = node.children.get(part) if part is not None else None
            if node is None:
                break
        return frozenset(found)


class _Node:
    __slots__ = ("children", "package")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.package = False  # some target's folder ends here


def _folder(path: str) -> str:
    return path.replace("\\", "/").rpartition("/")[0]


def imported_modules(project: Project, path: str, text: str) -> set[str]:
    found: set[str] = set()
    for match in _import_matches(text):
        module, bracketed, names, plain = match.groups()
        if bracketed is not None:
            names = _COMMENT.sub("", bracketed)
        candidates: list[str] = []
        if plain is not None:
            candidates = [part.split(" as ")[0].strip() for part in plain.split(",")]
        elif module is not None:
            candidates = [module]
            for name in (names or "").split(","):
                name = name.split(" as ")[0].strip()
                if name.isidentifier():
                    candidates.append(f"{module}.{name}" if module.strip(".") else module + name)
        for dotted in candidates:
            if dotted:
                target = project.resolve_module(path, dotted)
                if target is not None and target != path:
                    found.add(target)
    return found


def import_statements(text: str) -> str:
    """Only the import statements of a module: all relevance needs of a module that
    cannot concern Procore on its own (see Screen)."""
    return "\n".join(match.group(0) for match in _import_matches(text))


def _import_matches(text: str) -> Iterator[re.Match[str]]:
    """What `_IMPORT_LINE.finditer(text)` finds, found faster: the regex is tried only at
    the start of the lines that say "import" (a regex anchored at every line start
    crawls through a large tree)."""
    position = 0
    while True:
        at = text.find("import", position)
        if at < 0:
            return
        match = _IMPORT_LINE.match(text, text.rfind("\n", 0, at) + 1)
        if match is not None and match.end() > position:
            yield match
            position = max(match.end(), at + 6)
        else:
            position = at + 6


class Screen:
    """Decides, as a tree is read, which Python files to keep whole.

    A module that neither names Procore nor reads one of the variables the `.env` files
    set to a Procore URL matters only if it imports a module that does, and that is
    decided from its import statements alone. Keeping just those (a SourceFile marked
    `partial`) keeps a run's memory from growing with the size of the tree; the engine
    asks for the whole text of the few that turn out to matter.
    """

    def __init__(self, config_files: Iterable[SourceFile]) -> None:
        names = procore_env_names(config_files)
        self._env_names = (re.compile("|".join(re.escape(n) for n in sorted(names)))
                           if names else None)

    def keep(self, source: SourceFile, named: bool | None = None) -> SourceFile:
        """`source`, or its import statements only. `named`: whether its bytes name
        Procore, when the caller has searched them already."""
        from mpz_lint.project import is_env_file

        if named if named is not None else names_procore(source.text):
            return source
        if source.kind == "config":
            # Every .env value may flow into a module; other config files that do not
            # name Procore have nothing to check at all.
            if is_env_file(source.path):
                return source
            return dataclasses.replace(source, text="", partial=True)
        if self._env_names is not None and self._env_names.search(source.text):
            return source
        return dataclasses.replace(source, text=import_statements(source.text), partial=True)


def procore_env_names(config_files: Iterable[SourceFile]) -> set[str]:
    """The variables a `.env` file sets to a value naming Procore."""
    from mpz_lint.project import is_env_file

    names: set[str] = set()
    for source in config_files:
        if is_env_file(source.path) and names_procore(source.text):
            from mpz_lint.config_values import env_assignments

            for key, item in env_assignments(source.text).items():
                if names_procore(item.value):
                    names.add(key)
    return names

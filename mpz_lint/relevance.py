"""Which Python files can concern Procore, decided with byte searches, not parses.

A file is relevant when it names Procore; when it reads an environment variable that a
project `.env` file sets to a Procore URL; or when it imports a relevant module of the
project, or is imported by one (a base URL or a header helper defined in one module and
used in another that never names Procore). The last two are followed to a fixed point.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mpz_lint.project import Project

_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([^\n#)]*)|import[ \t]+([^\n#]+))",
    re.MULTILINE,
)


def names_procore(text: str) -> bool:
    # Five times faster than a case-insensitive regex over a large tree.
    return "procore" in text.lower()


def relevant_python_files(project: Project) -> set[str]:
    sources = {f.path: f.text for f in project.python_files()}
    relevant = {path for path, text in sources.items() if names_procore(text)}
    env_names = _procore_env_names(project)
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
    for match in _IMPORT_LINE.finditer(text):
        module, names, plain = match.groups()
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


def _procore_env_names(project: Project) -> set[str]:
    from mpz_lint.project import is_env_file

    names: set[str] = set()
    for source in project.config_files():
        if is_env_file(source.path) and names_procore(source.text):
            from mpz_lint.config_values import env_assignments

            for key, item in env_assignments(source.text).items():
                if names_procore(item.value):
                    names.add(key)
    return names

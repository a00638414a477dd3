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

_PROCORE = re.compile(r"procore", re.IGNORECASE)
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([^\n#)]*)|import[ \t]+([^\n#]+))",
    re.MULTILINE,
)


def relevant_python_files(project: Project) -> set[str]:
    sources = {f.path: f.text for f in project.python_files()}
    relevant = {path for path, text in sources.items() if _PROCORE.search(text)}
    env_names = _procore_env_names(project)
    if env_names:
        pattern = re.compile("|".join(re.escape(n) for n in sorted(env_names)))
        relevant |= {p for p, text in sources.items() if p not in relevant and pattern.search(text)}
    if not relevant:
        return relevant
    imports: dict[str, set[str]] = {}

    def imported(path: str) -> set[str]:
        if path not in imports:
            imports[path] = _imported_modules(project, path, sources[path])
        return imports[path]

    # One step forward: what a Procore module imports may build its URLs or headers.
    for path in list(relevant):
        relevant |= imported(path)
    # Backward to a fixed point: whoever imports a relevant module may use its values.
    # A file is read for imports only if it names one of those modules at all.
    frontier = set(relevant)
    while frontier:
        mentioned = re.compile(r"\b(?:" + "|".join(sorted(
            re.escape(_module_word(path)) for path in frontier)) + r")\b")
        found = {
            path for path, text in sources.items()
            if path not in relevant and mentioned.search(text) and imported(path) & frontier
        }
        relevant |= found
        frontier = found
    return relevant


def _module_word(path: str) -> str:
    """The name an import statement uses for the module at `path` (last component)."""
    parts = path.replace("\\", "/").split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    if stem == "__init__" and len(parts) > 1:
        return parts[-2]
    return stem


def _imported_modules(project: Project, path: str, text: str) -> set[str]:
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
        if is_env_file(source.path) and _PROCORE.search(source.text):
            from mpz_lint.config_values import env_assignments

            for key, item in env_assignments(source.text).items():
                if _PROCORE.search(item.value):
                    names.add(key)
    return names

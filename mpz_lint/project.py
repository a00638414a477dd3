"""The project: every checked file, parsed once, and the analyses shared by all rules.

A file is parsed only when it can concern Procore: its bytes name Procore, or it imports
a module of the project that does, or it reads an environment variable whose value in the
project's `.env` files is a Procore URL. Everything else costs a byte search.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Collection, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from mpz_lint.model import FileError
from mpz_lint.settings import Settings
from mpz_lint.sources import FileKind, SourceFile

if TYPE_CHECKING:
    import libcst as cst

    from mpz_lint.pyindex import ModuleIndex

T = TypeVar("T")

PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_GLOBS = (".env", ".env.*", "*.env", "*.ini", "*.cfg", "*.yaml", "*.yml", "*.json", "*.toml")
ENV_GLOBS = (".env", ".env.*", "*.env")


def kind_of(path: str) -> FileKind | None:
    """Which kind of file mpz-lint checks `path` as, or None if it does not check it."""
    return _kind_of_name(posixpath.basename(path.replace("\\", "/")))


def is_env_file(path: str) -> bool:
    return _is_env_name(posixpath.basename(path.replace("\\", "/")))


# By file name: a large tree repeats a few names (__init__.py, models.py) thousands of times.
@lru_cache(maxsize=4096)
def _kind_of_name(name: str) -> FileKind | None:
    if name.endswith(PYTHON_SUFFIXES):
        return "python"
    if any(fnmatch.fnmatchcase(name.lower(), pattern) for pattern in CONFIG_GLOBS):
        return "config"
    return None


@lru_cache(maxsize=4096)
def _is_env_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), pattern) for pattern in ENV_GLOBS)




def too_deep(text: str) -> bool:
    """Whether `text` nests brackets past what CPython itself accepts: libcst's native
    parser would overflow the C stack on it (a crash, not an error we could catch)."""
    if text.count("(") + text.count("[") + text.count("{") < 200:
        return False
    import ast

    try:
        ast.parse(text)
    except (RecursionError, MemoryError):
        return True
    except SyntaxError as exc:
        return "too many nested" in str(exc.msg) or "too complex" in str(exc.msg)
    return False


def parse(path: str, text: str) -> cst.Module | FileError:
    """The libcst tree of `text`, or a one-line error naming the place."""
    import libcst as cst

    if too_deep(text):
        return FileError(path, "too deeply nested to parse")
    try:
        return _parse_unvalidated(text)
    except cst.ParserSyntaxError as exc:
        return FileError(path, _syntax_message(exc))
    except RecursionError:
        return FileError(path, "too deeply nested to parse")


def _parse_unvalidated(text: str) -> cst.Module:
    """`libcst.parse_module`, without re-validating every node the parser builds.

    Each libcst node checks its own fields when it is made (`CSTNode.__post_init__` calls
    `_validate`), which guards trees built by hand; a tree from the parser is valid by
    construction, and the checks cost a tenth to a fifth of the parse (measured here over
    Procore client code). libcst's own comment there
    says as much ("avoid validating the tree when parsing a file"). The hook is restored
    before the tree is used, so nodes made later (none are, as fixes are text edits) are
    still checked.
    """
    import libcst as cst
    from libcst._nodes.base import CSTNode

    validate = CSTNode.__dict__.get("__post_init__")
    if validate is None:  # a libcst that no longer validates this way
        return cst.parse_module(text)
    CSTNode.__post_init__ = _NO_VALIDATION  # type: ignore[method-assign,assignment]
    try:
        return cst.parse_module(text)
    finally:
        CSTNode.__post_init__ = validate  # type: ignore[method-assign]


# Called once per node the parser builds (hundreds of thousands in a large tree): a
# builtin called without arguments, not a Python function, so that no frame is made.
_NO_VALIDATION = staticmethod(tuple)


def _syntax_message(exc: cst.ParserSyntaxError) -> str:
    message = str(exc.message).strip()
    first = message.splitlines()[0] if message else "invalid syntax"
    # libcst's native parser puts the real place inside the message ("error at 2:5: ...").
    place = re.search(r"error at (\d+):(\d+): (.*)", first)
    if place:
        return f"syntax error at {place.group(1)}:{int(place.group(2)) + 1}: {place.group(3)}"
    return f"syntax error at {exc.raw_line}:{exc.raw_column + 1}: {first}"


def _join(folder: str, relative: str) -> str:
    """`posixpath.join(folder, relative)` for a relative path (a lookup of every import
    tries a few of these per folder above the importer)."""
    return folder + relative if not folder or folder.endswith("/") else f"{folder}/{relative}"


class Project:
    """All files of one run. Parses lazily, caches per-run analyses by their class."""

    def __init__(self, files: Sequence[SourceFile], settings: Settings,
                 relevant: Collection[str] | None = None,
                 trees: dict[tuple[str, str], cst.Module] | None = None) -> None:
        """`relevant`: the Python files that may concern Procore, when the caller knows
        (a group of a larger run, see mpz_lint.groups); else decided from `files`.
        `trees`: libcst trees by path and text, shared with other projects of the same run
        (the passes of a fix: a file parses once however often it is checked)."""
        self.files: dict[str, SourceFile] = {f.path: f for f in files}
        self.settings = settings
        self.errors: dict[str, FileError] = {}
        self._modules: dict[str, ModuleIndex | None] = {}
        self._analyses: dict[Any, Any] = {}
        self._relevant: set[str] | None = None if relevant is None else set(relevant)
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._folders: dict[str, str] = {}  # the folder of each importing file
        self._imports: dict[str, set[str]] = {}
        self.trees: dict[tuple[str, str], cst.Module] = trees if trees is not None else {}

    def reuse_imports(self, other: Project) -> None:
        """Take `other`'s import lookups, for a project of the same paths in which some
        files were completed (mpz_lint.groups): only those are read for imports again."""
        self._resolved.update(other._resolved)  # depends only on the paths
        for path, imported in other._imports.items():
            mine, theirs = self.files.get(path), other.files.get(path)
            if mine is not None and theirs is not None and mine.text == theirs.text:
                self._imports[path] = imported

    def close(self) -> None:
        """Let go of the trees and everything built on them once the results are out.

        Scopes, bindings and the modules they belong to point at each other, so without
        this only the cyclic garbage collector frees a project, walking every node of
        every tree again first: over a tree of client code that cost as much as a tenth
        of the run. Broken up, it is freed by reference counting as it goes.
        """
        for module in self._modules.values():
            if module is not None:
                module.close()
        self._modules.clear()
        self._analyses.clear()

    # --- files -----------------------------------------------------------------------

    def python_files(self) -> Iterator[SourceFile]:
        return (f for f in self.files.values() if f.kind == "python")

    def config_files(self) -> Iterator[SourceFile]:
        return (f for f in self.files.values() if f.kind == "config")

    def relevant_paths(self) -> set[str]:
        """Python files that can concern Procore (see the module docstring)."""
        if self._relevant is None:
            from mpz_lint.relevance import relevant_python_files

            self._relevant = relevant_python_files(self)
        return self._relevant

    def may_concern_procore(self, source: SourceFile) -> bool:
        """Whether any rule can find something in `source`; the others cost nothing more."""
        if source.kind == "python":
            return source.path in self.relevant_paths()
        from mpz_lint.relevance import names_procore

        return names_procore(source.text)

    def prepare(self, source: SourceFile) -> None:
        """Parse `source` if it needs it, so that errors are known before rules run."""
        if source.kind == "python" and source.path in self.relevant_paths():
            self.module(source.path)

    def module(self, path: str) -> ModuleIndex | None:
        """The parsed and indexed module at `path`; None if it does not parse."""
        if path not in self._modules:
            from mpz_lint.pyindex import ModuleIndex

            source = self.files[path]
            known = self.trees.get((path, source.text))
            tree = known if known is not None else parse(path, source.text)
            if isinstance(tree, FileError):
                self.errors[path] = tree
                self._modules[path] = None
            else:
                self.trees[(path, source.text)] = tree
                try:
                    self._modules[path] = ModuleIndex(self, source, tree)
                except RecursionError:
                    self.errors[path] = FileError(path, "too deeply nested to analyse")
                    self._modules[path] = None
                except Exception as exc:  # noqa: BLE001 - one file's crash stays its own
                    self.errors[path] = FileError(
                        path, f"internal error: {type(exc).__name__}: {exc}")
                    self._modules[path] = None
        return self._modules[path]

    def modules(self) -> Iterator[ModuleIndex]:
        """Every relevant module that parses, in the order the files were given."""
        for path in self.files:
            if path in self.relevant_paths():
                module = self.module(path)
                if module is not None:
                    yield module

    def round_trips(self, source: SourceFile) -> bool:
        """Whether libcst gives back the file byte for byte (so fixes can keep the rest)."""
        if source.kind != "python" or source.path not in self._modules:
            return True
        module = self._modules[source.path]
        return module is None or module.round_trips()

    # --- imports between the project's modules ----------------------------------------

    def imports_of(self, path: str) -> set[str]:
        """The project modules the file at `path` imports, read from its import lines."""
        if path not in self._imports:
            from mpz_lint.relevance import imported_modules

            self._imports[path] = imported_modules(self, path, self.files[path].text)
        return self._imports[path]

    def resolve_module(self, importer: str, dotted: str) -> str | None:
        """The path of the project module that `importer` means by `dotted` (which may be
        relative: `.config`, `..api.client`), or None if it is not one of ours.

        An absolute import is looked up below each folder above the importer, nearest
        first: whichever of them is on sys.path at run time, the module is found there.
        """
        folder = self._folders.get(importer)
        if folder is None:
            folder = self._folders[importer] = posixpath.dirname(importer.replace("\\", "/"))
        key = (folder, dotted)
        if key not in self._resolved:
            self._resolved[key] = self._resolve_module(folder, dotted)
        return self._resolved[key]

    def _resolve_module(self, folder: str, dotted: str) -> str | None:
        # Only the importer's folder matters: many files of one folder import alike.
        python_paths = self._python_paths()
        level = len(dotted) - len(dotted.lstrip("."))
        parts = [p for p in dotted.lstrip(".").split(".") if p]
        if not level and parts and parts[0] not in self._module_names():
            return None  # `requests`, `os`: no file or folder of the project has the name
        if level:
            for _ in range(level - 1):
                folder = posixpath.dirname(folder)
            bases = [folder]
        else:
            bases = []
            while True:
                bases.append(folder)
                if folder in ("", "/", "."):
                    break
                folder = posixpath.dirname(folder)
        tail = "/".join(parts)
        for base in bases:
            stem = _join(base, tail) if parts else base
            for candidate in (stem + ".py", _join(stem, "__init__.py"), stem + ".pyi"):
                if candidate in python_paths:
                    return python_paths[candidate]
        return None

    def _module_names(self) -> set[str]:
        """Every name an absolute import of a project module can start with: the folders
        and module names on the way to each Python file."""
        if "_module_names" not in self._analyses:
            names: set[str] = set()
            for path in self._python_paths():
                *folders, file_name = path.split("/")
                names.update(folders)
                names.add(file_name.split(".", 1)[0])
            self._analyses["_module_names"] = names
        found: set[str] = self._analyses["_module_names"]
        return found

    def _python_paths(self) -> dict[str, str]:
        if "_python_paths" not in self._analyses:
            self._analyses["_python_paths"] = {
                posixpath.normpath(f.path.replace("\\", "/")): f.path for f in self.python_files()
            }
        paths: dict[str, str] = self._analyses["_python_paths"]
        return paths

    # --- shared analyses ---------------------------------------------------------------

    def analysis(self, factory: Callable[[Project], T]) -> T:
        """The analysis `factory(project)`, computed once per run and shared by all rules."""
        if factory not in self._analyses:
            self._analyses[factory] = factory(self)
        result: T = self._analyses[factory]
        return result

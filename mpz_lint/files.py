"""Finding the files to check, reading them into SourceFiles and writing fixes back.

This is the only module that touches the file system. Reading never opens a file in text
mode: the engine must see (and the fixer give back) every byte, CRLFs and BOMs included.
"""

from __future__ import annotations

import codecs
import fnmatch
import io
import os
import posixpath
import stat
import tempfile
import tokenize
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from mpz_lint.model import FileError
from mpz_lint.notebooks import Notebook, is_notebook
from mpz_lint.project import is_env_file, kind_of
from mpz_lint.settings import Settings
from mpz_lint.sources import FileKind, SourceFile

if TYPE_CHECKING:
    from pathspec.pattern import Pattern

    from mpz_lint.relevance import Screen

# Folders that hold tools' or other people's code, never the project's own.
SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".mpz_lint_cache", "build", "dist",
    "site-packages",
})

# (where the file is, the name shown to the user); plain strings: a large tree has many.
Discovered = tuple[str, str]
# What tells two names of one file apart from two files: (device, inode), or a real path.
Identity = Union[tuple[int, int], str]


@dataclass(frozen=True)
class _IgnoreFile:
    """The patterns of one .gitignore; they match paths relative to its own folder."""

    folder: str  # absolute
    patterns: tuple[Pattern, ...]

    def decide(self, path: str, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included by a `!` pattern, None: not mentioned.
        `path` is absolute, as the walk makes it."""
        inside = self.folder.rstrip(os.sep) + os.sep
        if not path.startswith(inside):
            return None  # outside this .gitignore's folder, or the folder itself
        relative = path[len(inside):].replace(os.sep, "/")
        if is_dir:
            relative += "/"  # so that `build/` (directories only) patterns match
        decision: bool | None = None
        # As in git, the last matching pattern wins.
        for pattern in self.patterns:
            if pattern.include is not None and pattern.match_file(relative) is not None:
                decision = pattern.include
        return decision


def discover(
    paths: Sequence[str], settings: Settings, cwd: Path | None = None
) -> tuple[list[Discovered], list[FileError]]:
    """The Python and config files below `paths` (default: the current folder), sorted by
    display name, and an error for each path that does not exist or cannot be listed.

    Files named explicitly are always kept if mpz-lint knows their kind (unless
    `force-exclude` excludes them); files found by walking a folder skip tool folders,
    virtualenvs, .gitignored and `exclude`d paths.
    """
    base = cwd or Path.cwd()
    found: dict[Identity, Discovered] = {}
    errors: list[FileError] = []
    for given in paths or ["."]:
        full = base / given
        prefix = display_name(given)
        if not full.exists():
            errors.append(FileError(given, "no such file or directory"))
        elif force_excluded(full, prefix, settings, base):
            continue  # pre-commit names every staged file: the excludes must hold for them
        elif full.is_dir():
            walker = _Walker(settings, prefix, errors, base)
            for path, display in walker.walk(full):
                found.setdefault(_identity(path), (path, display))
        elif is_checked(full.name):
            found.setdefault(_identity(full), (os.fspath(full), prefix))
    return sorted(found.values(), key=lambda item: item[1]), errors


def _identity(path: str | Path) -> Identity:
    """The same for every name of one file (symlinks, overlapping paths): its device and
    inode (one stat, where realpath would look at every folder on the way; not the
    listing's inode, which can differ from the stat's on overlay file systems)."""
    try:
        status = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    return (status.st_dev, status.st_ino)


def is_checked(name: str) -> bool:
    """Whether mpz-lint checks a file of this name: Python, config files, notebooks."""
    return kind_of(name) is not None or is_notebook(name)


def display_name(given: str) -> str:
    """How a path the user gave is shown: forward slashes, no `./`, "" for the cwd."""
    normal = posixpath.normpath(given.replace("\\", "/"))
    return "" if normal == "." else normal


def _join(prefix: str, name: str) -> str:
    return posixpath.join(prefix, name) if prefix else name


class _Walker:
    """One folder walk: remembers visited folders (symlink loops) and .gitignore files."""

    def __init__(self, settings: Settings, prefix: str, errors: list[FileError], base: Path) -> None:
        self.settings = settings
        self.base = base
        self.prefix = prefix
        self.errors = errors
        self.seen: set[Identity] = set()  # folders walked: (device, inode)

    def walk(self, root: Path) -> Iterator[Discovered]:
        # Absolute and without `..`, so that paths compare with the .gitignore folders.
        # Strings, not Paths, from here on: a large tree has tens of thousands of entries.
        top = os.path.abspath(root)
        ignores = _ancestor_ignores(Path(top)) if self.settings.respect_gitignore else []
        if self._ignored(top, True, ignores):
            # The user named this folder although the repository ignores it: check it.
            ignores = []
        yield from self._walk(top, self.prefix, ignores, top=True)

    def _walk(self, folder: str, display: str, ignores: list[_IgnoreFile],
              top: bool = False) -> Iterator[Discovered]:
        try:
            status = os.stat(folder)
            real: Identity = (status.st_dev, status.st_ino)
        except OSError:
            real = os.path.realpath(folder)
        if real in self.seen:
            return  # a symlink back up the tree, or a second way to the same folder
        self.seen.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            reason = os_error_reason(exc)
            self.errors.append(FileError(display or ".", f"cannot list folder: {reason}"))
            return
        # What the folder holds decides about it, from the listing we have anyway: a
        # virtualenv (whatever its name) is skipped, unless it is what the user named.
        names = {entry.name for entry in entries}
        if not top and "pyvenv.cfg" in names:
            return
        if self.settings.respect_gitignore and ".gitignore" in names:
            ignores = [*ignores, _read_ignore_file(Path(folder))]
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError as exc:
                # Vanished, or a symlink loop: say so for a file we would have checked.
                if kind_of(name) is not None:
                    self.errors.append(FileError(_join(display, name),
                                                 f"cannot read: {os_error_reason(exc)}"))
                continue
            if not is_dir and not (is_file and is_checked(name)):
                continue  # decided by the name alone: most files of a tree end here
            if is_dir and (name in SKIPPED_DIRS or name.endswith(".egg-info")):
                continue
            path = entry.path
            entry_display = _join(display, name)
            if self._ignored(path, is_dir, ignores) or self._excluded(path, entry_display):
                continue
            if is_dir:
                yield from self._walk(path, entry_display, ignores)
            else:
                yield path, entry_display

    def _ignored(self, path: str, is_dir: bool, ignores: list[_IgnoreFile]) -> bool:
        # The nearest .gitignore that mentions the path decides, as in git.
        for ignore in reversed(ignores):
            decision = ignore.decide(path, is_dir)
            if decision is not None:
                return decision
        return False

    def _excluded(self, path: str, display: str) -> bool:
        return is_excluded(path, display, self.settings, self.base)


def is_excluded(path: str | Path, display: str, settings: Settings, base: Path) -> bool:
    """Whether an `exclude` or `extend-exclude` glob names this path: a glob without `/`
    matches a file or folder name, one with `/` the whole path (a relative glob from the
    current folder; a config file's globs are made absolute when it is read)."""
    globs = (*settings.exclude, *settings.extend_exclude)
    if not globs:
        return False
    name = posixpath.basename(display) or os.path.basename(path)
    absolute = Path(os.path.abspath(base / path)).as_posix()
    for glob in globs:
        glob = glob.replace("\\", "/").rstrip("/")
        if "/" in glob:
            pattern = Path(os.path.abspath(base / glob.removeprefix("./"))).as_posix()
            if (fnmatch.fnmatchcase(absolute, pattern)
                    or fnmatch.fnmatchcase(absolute, pattern.replace("/**/", "/"))):
                return True
        elif fnmatch.fnmatchcase(name, glob):
            return True
    return False


def force_excluded(path: Path, display: str, settings: Settings, base: Path) -> bool:
    """With `force-exclude`, whether a path named on the command line (or the stdin file
    name) is excluded: it, or a folder it is in, matches an exclude glob."""
    if not settings.force_exclude:
        return False
    parts = [part for part in display.split("/") if part not in ("", ".")]
    full = Path(os.path.abspath(base / path))
    for depth in range(len(parts)):
        ancestor = full
        for _ in range(len(parts) - 1 - depth):
            ancestor = ancestor.parent
        if is_excluded(ancestor, "/".join(parts[:depth + 1]), settings, base):
            return True
    return False


def _ancestor_ignores(root: Path) -> list[_IgnoreFile]:
    """The .gitignore files between the repository root and `root` (not `root`'s own,
    which the walk reads), outermost first, plus the repository's `.git/info/exclude`."""
    start = Path(os.path.abspath(root))
    chain: list[Path] = []
    repository: Path | None = None
    for folder in [start, *start.parents]:
        chain.append(folder)
        if (folder / ".git").exists():
            repository = folder
            break
    if repository is None:
        return []  # not in a repository: only the .gitignore files below `root` count
    ignores: list[_IgnoreFile] = []
    exclude = repository / ".git" / "info" / "exclude"
    if exclude.is_file():
        ignores.append(_ignore_file(repository, exclude))
    for folder in reversed(chain[1:]):
        if (folder / ".gitignore").is_file():
            ignores.append(_read_ignore_file(folder))
    return ignores


def _read_ignore_file(folder: Path) -> _IgnoreFile:
    return _ignore_file(folder, folder / ".gitignore")


def _ignore_file(folder: Path, file: Path) -> _IgnoreFile:
    import pathspec

    try:
        lines = file.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        lines = []  # an unreadable .gitignore ignores nothing, as in git
    return _IgnoreFile(os.path.abspath(folder),
                       tuple(pathspec.GitIgnoreSpec.from_lines(lines).patterns))


Loaded = Union[SourceFile, Notebook, FileError]

# Below this many files, starting reader processes costs more than they save.
PARALLEL_READ_MIN_FILES = 1_000
_READ_CHUNK = 250


def load(path: str, display: str, screen: Screen | None) -> Loaded:
    """One discovered file, read for checking. With a `screen` (every selected rule is
    about Procore), a Python file that cannot concern Procore is kept as its import
    statements only, and a config file that does not name Procore is not even decoded."""
    if is_notebook(display):
        return read_notebook(path, display)
    data = read_bytes(path, display)
    if isinstance(data, FileError):
        return data
    kind = kind_of(display) or kind_of(os.path.basename(path)) or "python"
    if screen is None:
        return decode_source(data, display, kind)
    # The bytes are searched: ASCII lower-casing is three times faster than str.lower over
    # a large tree (and "procore" is ASCII in every encoding Python reads).
    procore = b"procore" in data.lower()
    if kind == "config" and not procore and not is_env_file(display):
        return SourceFile(display, "", "config", partial=True)  # no rule reads it
    loaded = decode_source(data, display, kind)
    return screen.keep(loaded, named=procore) if isinstance(loaded, SourceFile) else loaded


def load_all(found: Sequence[Discovered], screen: Screen | None, workers: int,
             meanwhile: Callable[[], object] | None = None) -> Iterator[tuple[str, Loaded]]:
    """`load` for every discovered file, in order, as (path, what was loaded). A large
    tree is read by `workers` processes: reading and screening are most of a run that
    finds nothing to parse, and what comes back (import statements) is small. This
    process, idle while they read, calls `meanwhile` (once the readers have started)."""
    if workers <= 1 or len(found) < PARALLEL_READ_MIN_FILES:
        for path, display in found:
            yield path, load(path, display, screen)
        return
    from concurrent.futures.process import BrokenProcessPool

    from mpz_lint.parallel import executor

    chunks = [found[start:start + _READ_CHUNK] for start in range(0, len(found), _READ_CHUNK)]
    done = 0
    try:
        with executor(workers) as pool:
            results = pool.map(_load_chunk, chunks, [screen] * len(chunks))
            if meanwhile is not None:
                meanwhile()
            for chunk, loaded in zip(chunks, results):
                yield from zip((path for path, _ in chunk), loaded)
                done += 1
    except BrokenProcessPool:
        # A reader died (killed, out of memory): this process reads what is left.
        for chunk in chunks[done:]:
            for path, display in chunk:
                yield path, load(path, display, screen)


def _load_chunk(chunk: Sequence[Discovered], screen: Screen | None) -> list[Loaded]:
    return [load(path, display, screen) for path, display in chunk]


def read_source(path: str | Path, display: str) -> SourceFile | FileError:
    """The file at `path` as a SourceFile named `display`, or why it cannot be checked.

    Python files are decoded as Python does (BOM, PEP 263 coding cookie); config files as
    UTF-8. The BOM is not part of the text; `SourceFile.encode` puts it back.
    """
    data = read_bytes(path, display)
    if isinstance(data, FileError):
        return data
    return decode_source(data, display,
                         kind_of(display) or kind_of(os.path.basename(path)) or "python")


def read_bytes(path: str | Path, display: str) -> bytes | FileError:
    """The bytes of the regular file at `path`, or why they cannot be read."""
    try:
        return _read_regular_file(os.fspath(path))
    except _NotRegular:
        return FileError(display, "not a regular file")
    except OSError as exc:
        return FileError(display, f"cannot read: {os_error_reason(exc)}")


class _NotRegular(Exception):
    pass


# Opening a FIFO for reading waits for a writer; without blocking, it opens at once and
# fstat tells it apart. (Where O_NONBLOCK does not exist, a stat comes first instead.)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _read_regular_file(path: str) -> bytes:
    """The whole file, in one open and one fstat: this runs for every file of a tree.
    Raises _NotRegular for a FIFO, device or socket (which would block or never end)."""
    if not _NONBLOCK and not stat.S_ISREG(os.stat(path).st_mode):
        raise _NotRegular
    descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _NotRegular
    except BaseException:
        os.close(descriptor)
        raise
    with open(descriptor, "rb", closefd=True) as stream:
        return stream.read()


def read_notebook(path: str | Path, display: str) -> Notebook | FileError:
    """The Jupyter notebook at `path`, or why it cannot be checked."""
    data = read_bytes(path, display)
    if isinstance(data, FileError):
        return data
    return decode_notebook(data, display)


def decode_notebook(data: bytes, display: str) -> Notebook | FileError:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return FileError(display, f"cannot decode as utf-8: byte 0x{data[exc.start]:02x}")
    return Notebook.parse(display, text)


def decode_source(data: bytes, display: str, kind: FileKind) -> SourceFile | FileError:
    """`data` (a file's bytes) decoded as `read_source` does."""
    bom = data.startswith(codecs.BOM_UTF8)
    encoding = "utf-8"
    if kind == "python":
        if b"\x00" in data:
            return FileError(display, "contains NUL bytes")
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            if bom:
                return FileError(display, "cannot decode: UTF-8 BOM but a non-UTF-8 coding cookie")
            if _is_utf8(data):
                return FileError(display, f"cannot decode: {exc}")  # a bad coding cookie
            encoding = "utf-8"  # the first lines are not UTF-8: decoding below says where
        if encoding == "utf-8-sig":
            encoding = "utf-8"
    if bom:
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return FileError(display, f"cannot decode as {encoding}: byte 0x{byte:02x} on line {line}"
                                  f" ({exc.reason})")
    return SourceFile(path=display, text=text, kind=kind, encoding=encoding, bom=bom)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file at `path` by `data` in one step: readers see the old or the new
    content, never a part. Keeps the file's permission bits; raises OSError on failure
    (the file is then untouched)."""
    # Write through a symlink to its target: replacing the link itself would turn it
    # into a plain file.
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is None:
            mode = 0o666 & ~_umask()  # what open() would have given a new file
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    current = os.umask(0)
    os.umask(current)
    return current


def os_error_reason(exc: OSError) -> str:
    """One line saying why an OS call failed, without the path (the caller names it)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc) or type(exc).__name__).splitlines()[0].lower()

"""The corpora of scripts/bench.py, built under .bench/ and kept there (see bench.py).

- mixed:   the package sources of pinned django, sqlalchemy and botocore (from their
           wheels, or sdists where no wheel fits, downloaded with pip) plus a copy of the
           repo's fixtures/ folder;
- mixed2x: the mixed corpus twice, in two sibling folders;
- dense:   the Python and config files of fixtures/{demo,hosts,headers,programs} (not the
           `*.fixed.py` files) copied into copy_NNN/ folders until the Python lines reach
           50,000; each copy is its own package tree, so that the fixtures' imports
           (relative, and absolute ones resolved from the importer's folder upward) stay
           inside their copy;
- dense2x: the same with twice the copies.

A corpus is rebuilt when its recipe changes (or with rebuild=True): each build writes a
stamp file beside the corpus folder (not in it: the linters would read it).
Standard library only; `kind_of` from the installed mpz_lint says which files are checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / ".bench"
FIXTURES = REPO / "fixtures"
DOWNLOADS = BENCH / "downloads"

# Pinned so that figures compare between runs; (requirement, top-level package folder).
MIXED_PACKAGES = (
    ("django==4.2.30", "django"),
    ("sqlalchemy==2.0.58", "sqlalchemy"),
    ("botocore==1.44.8", "botocore"),
)
# Compiled extension modules in a platform wheel are not source; leave them out.
BINARY_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")
DENSE_SOURCES = ("demo", "hosts", "headers", "programs")
DENSE_MIN_LINES = 50_000
RECIPE_VERSION = 3  # bump when a corpus's layout changes, to rebuild the cached ones


@dataclass(frozen=True)
class Corpus:
    """A tree to benchmark, and what mpz-lint would check in it."""

    label: str
    root: Path
    python_files: tuple[Path, ...]
    python_lines: int
    config_files: int
    config_lines: int

    def describe(self) -> str:
        return (f"{self.label}: {len(self.python_files):,} Python files, "
                f"{self.python_lines:,} lines; {self.config_files:,} config files, "
                f"{self.config_lines:,} lines  ({_label(self.root)})")


def count_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def load(label: str, root: Path) -> Corpus:
    """The files below `root` that mpz-lint checks, counted."""
    from mpz_lint.project import kind_of

    python: list[Path] = []
    python_lines = config_files = config_lines = 0
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(names):
            kind = kind_of(name)
            if kind is None:
                continue
            path = Path(folder) / name
            lines = count_lines(path.read_bytes())
            if kind == "python":
                python.append(path)
                python_lines += lines
            else:
                config_files += 1
                config_lines += lines
    return Corpus(label, root, tuple(python), python_lines, config_files, config_lines)


# --- building, with a stamp ---------------------------------------------------------------


def _stamp_path(root: Path) -> Path:
    return root.parent / f"{root.name}.stamp.json"


def _is_built(root: Path, recipe: dict[str, object]) -> bool:
    stamp = _stamp_path(root)
    if not root.is_dir() or not stamp.is_file():
        return False
    try:
        return bool(json.loads(stamp.read_text()) == recipe)
    except (OSError, ValueError):
        return False


def _start(root: Path) -> None:
    _stamp_path(root).unlink(missing_ok=True)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)


def _finish(root: Path, recipe: dict[str, object]) -> None:
    _stamp_path(root).write_text(json.dumps(recipe, indent=1) + "\n")


def _skipped_dir(name: str) -> bool:
    """Folders that are not the fixtures' own: __pycache__ and tool caches (.mpz_lint_cache
    that test runs leave in fixtures/programs/*, .ruff_cache, ...), which are hidden."""
    return name == "__pycache__" or name.startswith(".")


def _walk(root: Path) -> Iterator[Path]:
    """The files below `root`, in a stable order, skipping _skipped_dir folders."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not _skipped_dir(d))
        for name in sorted(names):
            yield Path(folder) / name


def _copy_fixtures(target: Path) -> None:
    for path in _walk(FIXTURES):
        if path.suffix == ".pyc":
            continue
        destination = target / path.relative_to(FIXTURES)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


# --- mixed ---------------------------------------------------------------------------------


def download(requirements: Sequence[str]) -> dict[str, Path]:
    """The sdist of each pinned requirement, fetched once into .bench/downloads/ from
    PyPI's simple index and checked against the sha256 it gives (an sdist holds the
    project's sources as its repository has them; `pip download` would also build it)."""
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    result: dict[str, Path] = {}
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        found = _downloaded(requirement)
        if found is None:
            found = _fetch_sdist(name, version)
        result[requirement] = found
    return result


SIMPLE_INDEX = "https://pypi.org/simple"


def _fetch_sdist(name: str, version: str) -> Path:
    """Download an sdist found on PyPI's simple index (PEP 503), checking its sha256."""
    import re
    import urllib.request

    page_url = f"{SIMPLE_INDEX}/{name.lower()}/"
    print(f"  fetching the sdist of {name} {version} ({page_url})", flush=True)
    with urllib.request.urlopen(page_url, timeout=60) as answer:
        page = answer.read().decode("utf-8")
    wanted = re.compile(r'href="([^"#]*/(' + re.escape(name) + "-" + re.escape(version)
                        + r'\.tar\.gz))#sha256=([0-9a-f]{64})"', re.IGNORECASE)
    link = wanted.search(page)
    if link is None:
        raise SystemExit(f"bench: PyPI lists no sdist {name}-{version}.tar.gz")
    url, filename, sha256 = link.groups()
    with urllib.request.urlopen(url, timeout=300) as answer:
        data = answer.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SystemExit(f"bench: {filename} does not match the sha256 PyPI gives")
    target = DOWNLOADS / filename
    target.write_bytes(data)
    return target


def _downloaded(requirement: str) -> Path | None:
    name, _, version = requirement.partition("==")
    if not DOWNLOADS.is_dir():
        return None
    prefix = f"{name.lower().replace('-', '_')}_{version}"
    for path in sorted(DOWNLOADS.iterdir()):
        if path.name.lower().replace("-", "_") in (prefix + ".tar.gz", prefix + ".zip"):
            return path
    return None


def unpack_package(archive: Path, package: str, target: Path) -> int:
    """Extract the sources of a project into `target/package/`: a whole sdist (the
    package with its tests, examples and docs, as the project's repository has them: about
    a million lines for the three projects, as the issue has it), or a wheel's `package/`
    folder. Returns how many files were written."""
    written = 0

    def keep(parts: tuple[str, ...]) -> tuple[str, ...] | None:
        if parts[-1].endswith(BINARY_SUFFIXES) or "__pycache__" in parts:
            return None
        if archive.suffix == ".whl":
            return parts if parts[0] == package else None
        # An sdist holds `name-version/...`: all of it, under `package/`.
        return (package, *parts[1:]) if len(parts) > 1 else None

    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as wheel:
            for info in wheel.infolist():
                if info.is_dir():
                    continue
                rest = keep(PurePosixPath(info.filename).parts)
                if rest is None:
                    continue
                destination = target.joinpath(*rest)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(wheel.read(info))
                written += 1
    else:
        with tarfile.open(archive) as sdist:
            for member in sdist.getmembers():
                if not member.isfile():
                    continue
                rest = keep(PurePosixPath(member.name).parts)
                if rest is None:
                    continue
                data = sdist.extractfile(member)
                if data is None:
                    continue
                destination = target.joinpath(*rest)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(data.read())
                written += 1
    return written


def _fixtures_digest() -> list[object]:
    """What the fixtures are: every file's path and a hash of its content."""
    return [[path.relative_to(FIXTURES).as_posix(), _digest(path)] for path in _walk(FIXTURES)]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def build_mixed(root: Path, rebuild: bool) -> bool:
    """Build the mixed corpus at `root` unless it is there already; True if built."""
    recipe: dict[str, object] = {
        "corpus": "mixed", "version": RECIPE_VERSION,
        "packages": [req for req, _ in MIXED_PACKAGES], "fixtures": _fixtures_digest(),
    }
    if not rebuild and _is_built(root, recipe):
        return False
    print(f"building {_label(root)}: the sdists of "
          f"{', '.join(req for req, _ in MIXED_PACKAGES)} + fixtures/", flush=True)
    archives = download([req for req, _ in MIXED_PACKAGES])
    _start(root)
    for req, package in MIXED_PACKAGES:
        count = unpack_package(archives[req], package, root)
        if count == 0:
            raise SystemExit(f"bench: no {package}/ folder in {archives[req].name}")
        print(f"  {archives[req].name}: {count} files -> {package}/", flush=True)
    _copy_fixtures(root / "procore_fixtures")
    _finish(root, recipe)
    return True


def build_twice(root: Path, source: Path, rebuild: bool) -> bool:
    """`root/copy_1` and `root/copy_2`, each a copy of the corpus at `source`."""
    source_stamp = _stamp_path(source)
    recipe: dict[str, object] = {
        "corpus": f"twice {source.name}", "version": RECIPE_VERSION,
        "source": json.loads(source_stamp.read_text()) if source_stamp.is_file() else None,
    }
    if not rebuild and _is_built(root, recipe):
        return False
    print(f"building {_label(root)}: {_label(source)} twice", flush=True)
    _start(root)
    for name in ("copy_1", "copy_2"):
        shutil.copytree(source, root / name)
    _finish(root, recipe)
    return True


# --- dense ---------------------------------------------------------------------------------


def dense_template() -> list[tuple[Path, PurePosixPath]]:
    """(source file, path inside one copy) for every file one dense copy holds."""
    from mpz_lint.project import kind_of

    files: list[tuple[Path, PurePosixPath]] = []
    for source in DENSE_SOURCES:
        base = FIXTURES / source
        for path in _walk(base):
            if path.name.endswith(".fixed.py") or kind_of(path.name) is None:
                continue
            files.append((path, PurePosixPath(source, path.relative_to(base).as_posix())))
    return files


def dense_copies(min_lines: int = DENSE_MIN_LINES) -> int:
    """How many copies of the template reach `min_lines` Python lines."""
    from mpz_lint.project import kind_of

    per_copy = sum(count_lines(path.read_bytes()) for path, inside in dense_template()
                   if kind_of(inside.name) == "python")
    if per_copy == 0:
        raise SystemExit("bench: the fixtures hold no Python to make the dense corpus of")
    return -(-min_lines // per_copy)


def build_dense(root: Path, copies: int, rebuild: bool) -> bool:
    """`copies` copies of the dense template, as root/copy_001/, root/copy_002/, ..."""
    template = dense_template()
    recipe: dict[str, object] = {
        "corpus": "dense", "version": RECIPE_VERSION, "copies": copies,
        "files": [[inside.as_posix(), _digest(path)] for path, inside in template],
    }
    if not rebuild and _is_built(root, recipe):
        return False
    print(f"building {_label(root)}: {copies} copies of fixtures/{{{','.join(DENSE_SOURCES)}}} "
          f"({len(template)} files each, no *.fixed.py)", flush=True)
    _start(root)
    contents = [(inside, path.read_bytes()) for path, inside in template]
    for number in range(1, copies + 1):
        copy = root / f"copy_{number:03d}"
        for inside, data in contents:
            destination = copy.joinpath(*inside.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
    _finish(root, recipe)
    return True


def fresh_copy(source: Path, target: Path) -> None:
    """A copy of `source` at `target`, replacing what was there (for --fix runs)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)

"""Results of earlier runs, so a re-run over an unchanged tree costs a read and a hash.

The unit is a group of files analysed together (mpz_lint.groups): a module's findings
depend on the other modules of its group, so a group's results are reused only when
every file of the group is byte for byte the same. The key also covers the settings
and mpz-lint itself (its version and the size and time of each of its source files,
so an edited checkout does not reuse what an older one found).

Like ruff's cache: a folder (`.mpz_lint_cache` by default, `--cache-dir`, or
`MPZ_LINT_CACHE_DIR`), tagged with CACHEDIR.TAG and a `.gitignore` of its own, one file
per group, written atomically. A file that cannot be read is a miss; a cache that cannot
be written is skipped without a word: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mpz_lint.groups import Group
    from mpz_lint.settings import Settings

DEFAULT_DIRECTORY = ".mpz_lint_cache"
_FORMAT = 1  # bump when what is stored changes shape
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by mpz-lint.\n")


class ResultCache:
    """Group results stored under `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._folder = directory / f"v{_FORMAT}"
        self._ready = False

    def key(self, group: Group, settings: Settings) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(_tool_fingerprint().encode())
        digest.update(repr(settings).encode())
        for source in sorted(group.files, key=lambda f: f.path):
            digest.update(b"\0file\0")
            digest.update(f"{source.path}\0{source.kind}\0{source.encoding}\0{source.bom}\0"
                          f"{source.path in group.relevant}\0".encode())
            digest.update(source.text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def load(self, key: str) -> Any | None:
        try:
            with open(self._folder / key[:2] / key, "rb") as stream:
                return pickle.load(stream)
        except Exception:  # noqa: BLE001 - missing, truncated or foreign: a miss
            return None

    def store(self, key: str, value: Any) -> None:
        try:
            self._prepare()
            folder = self._folder / key[:2]
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, folder / key)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass  # a read-only tree or a full disk: the run just is not cached

    def _prepare(self) -> None:
        if self._ready:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, content in (("CACHEDIR.TAG", _TAG), (".gitignore", "# Created by mpz-lint\n*\n")):
            path = self.directory / name
            if not path.exists():
                path.write_text(content)
        self._ready = True


@cache
def _tool_fingerprint() -> str:
    import importlib.util

    import mpz_lint

    parts = [mpz_lint.__version__]
    rules = importlib.util.find_spec("mpz_lint.rules")  # found, not imported (no libcst)
    folders = [Path(mpz_lint.__file__).parent]
    if rules is not None and rules.submodule_search_locations:
        folders.extend(Path(p) for p in rules.submodule_search_locations)
    for package in folders:
        for path in sorted(package.glob("*.py")):
            stat = path.stat()
            parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)
